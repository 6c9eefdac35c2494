"""SumUp's console stand-in: any pairing code pairs a reader, and a reader's checkout waits
for `POST /api/v1/payments/{id}/simulate`."""

from __future__ import annotations

from app.core.ids import new_id
from app.integrations.console import ConsoleGateway
from app.integrations.gateway import PairedReader


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
