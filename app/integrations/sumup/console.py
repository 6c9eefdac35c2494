"""SumUp's console stand-in: any pairing code pairs a reader, and a reader's checkout waits
for `POST /api/v1/payments/{id}/simulate`; it never pays out."""

from __future__ import annotations

from datetime import date

from app.core.ids import new_id
from app.integrations.console import ConsoleGateway
from app.integrations.gateway import PairedReader, PayoutReport


class SumUpConsole(ConsoleGateway):
    def __init__(self) -> None:
        super().__init__("sumup")

    async def pair(self, *, pairing_code: str, name: str) -> PairedReader:
        self._log("pair", reader_name=name)
        return PairedReader(
            ref=f"console_rdr_{new_id().hex[:12]}",
            name=name,
            status="paired",
            model="console",
            serial_number=None,
        )

    async def unpair(self, reader_ref: str) -> None:
        self._log("unpair", ref=reader_ref)

    async def payouts(self, start: date, end: date) -> list[PayoutReport]:
        """No SumUp account behind the console: it never pays anything out."""
        self._log("payouts", start=start.isoformat(), end=end.isoformat())
        return []

    async def transaction_refs(self, transaction_code: str) -> tuple[str | None, str | None]:
        return None, None
