"""The SumUp card terminal (Solo reader) through SumUp's official SDK: pair a reader, start
a checkout on it, read its result, stop it, refund the transaction."""

from __future__ import annotations

from collections.abc import Awaitable, Iterable
from datetime import date
from typing import Any, TypeVar

from sumup import AsyncSumup
from sumup._exceptions import APIConnectionError, APIError

from app.core.config import SumUpSettings
from app.integrations.gateway import (
    Charge,
    PairedReader,
    PaymentStatus,
    PayoutLineKind,
    PayoutLineReport,
    PayoutReport,
    Provider,
    ProviderRefused,
    ProviderState,
    ProviderUnavailable,
    ReaderBusy,
    ReaderOffline,
    RefundResult,
    RefundStatus,
    cents_from,
    required,
)

T = TypeVar("T")

_CHECKOUT_STATUS = {
    "pending": PaymentStatus.pending,
    "successful": PaymentStatus.succeeded,
    "failed": PaymentStatus.failed,
    "cancelled": PaymentStatus.cancelled,
}


# A SumUp payout row's type -> what it is to the salon; a deduction takes money back.
_ROW_KINDS = {
    "PAYOUT": PayoutLineKind.charge,
    "REFUND_DEDUCTION": PayoutLineKind.refund,
    "CHARGE_BACK_DEDUCTION": PayoutLineKind.adjustment,
    "DD_RETURN_DEDUCTION": PayoutLineKind.adjustment,
    "BALANCE_DEDUCTION": PayoutLineKind.adjustment,
}


def _field(row: Any, name: str) -> Any:
    return row[name] if isinstance(row, dict) else getattr(row, name)


def payout_reports(rows: Iterable[Any]) -> list[PayoutReport]:
    """SumUp's payout rows (one per sale or deduction) grouped as SumUp pays them: one bank
    transfer per payout date and reference. A PAYOUT row's `amount` is what reached the bank
    for the sale and `fee` what SumUp kept (its gross is their sum); a deduction's amount is
    taken back. A group whose rows all FAILED is a failed payout; failed rows are left out
    of a paid one (SumUp pays them again later)."""
    groups: dict[tuple[date, str], list[Any]] = {}
    for row in rows:
        day = _field(row, "date")
        day = day if isinstance(day, date) else date.fromisoformat(str(day))
        groups.setdefault((day, str(_field(row, "reference") or "")), []).append(row)
    reports = []
    for (day, reference), members in sorted(groups.items()):
        failed = all(str(_field(r, "status")) == "FAILED" for r in members)
        kept = members if failed else [r for r in members if str(_field(r, "status")) != "FAILED"]
        lines = tuple(_row_line(row) for row in kept)
        reports.append(
            PayoutReport(
                ref=f"{day.isoformat()}/{reference}" if reference else day.isoformat(),
                status="failed" if failed else "paid",
                net_cents=sum(line.amount_cents - line.fee_cents for line in lines),
                currency=str(_field(members[0], "currency")).upper(),
                arrival_date=day,
                lines=lines,
            )
        )
    return reports


def _row_line(row: Any) -> PayoutLineReport:
    kind = _ROW_KINDS.get(str(_field(row, "type")), PayoutLineKind.other)
    net = cents_from(str(_field(row, "amount")))
    fee = cents_from(str(_field(row, "fee")))
    if kind is not PayoutLineKind.charge:
        net = -abs(net)
    return PayoutLineReport(
        ref=str(_field(row, "id")),
        kind=kind,
        amount_cents=net + fee,
        fee_cents=fee,
        source_ref=_field(row, "transaction_code") or None,
        description=str(_field(row, "type")),
    )


class SumUpTerminal:
    provider = Provider.sumup

    def __init__(self, settings: SumUpSettings) -> None:
        self._merchant = required(settings.merchant_code, "SUMUP_MERCHANT_CODE")
        api_key = required(settings.api_key, "SUMUP_API_KEY").get_secret_value()
        self._client = AsyncSumup(api_key=api_key, base_url=settings.api_base, timeout=30)

    async def pair(self, *, pairing_code: str, name: str) -> PairedReader:
        reader = await _call(
            self._client.readers.create(self._merchant, pairing_code=pairing_code, name=name)
        )
        return PairedReader(
            ref=reader.id,
            name=reader.name,
            status=str(reader.status),
            model=str(reader.device.model) if reader.device else None,
            serial_number=reader.device.identifier if reader.device else None,
        )

    async def unpair(self, reader_ref: str) -> None:
        await _call(self._client.readers.delete(self._merchant, reader_ref))

    async def start(self, charge: Charge) -> ProviderState:
        created = await _call(
            self._client.readers.create_checkout(
                self._merchant,
                required(charge.reader_ref, "a card reader"),
                total_amount={
                    "currency": charge.currency,
                    "minor_unit": 2,
                    "value": charge.amount_cents,
                },
                description=charge.description,
                return_url=charge.return_url,
            )
        )
        return ProviderState(
            ref=created.data.client_transaction_id,
            status=PaymentStatus.pending,
            session_ref=created.data.checkout_id,
            amount_cents=charge.amount_cents,
        )

    async def fetch(
        self, ref: str, *, reader_ref: str | None = None, session_ref: str | None = None
    ) -> ProviderState:
        reader = required(reader_ref, "the card reader")
        checkout_id = required(session_ref, "the reader checkout id")
        checkout = (
            await _call(self._client.readers.get_checkout(self._merchant, reader, checkout_id))
        ).data
        status = _CHECKOUT_STATUS.get(str(checkout.status), PaymentStatus.pending)
        return ProviderState(
            ref=checkout.client_transaction_id,
            status=status,
            amount_cents=checkout.total_amount.value if checkout.total_amount else None,
            failure_code=checkout.payment_failure_reason,
        )

    async def cancel(self, ref: str, *, reader_ref: str | None = None) -> None:
        reader = required(reader_ref, "the card reader")
        await _call(self._client.readers.terminate_checkout(self._merchant, reader))

    async def refund(
        self,
        *,
        payment_ref: str,
        charge_ref: str | None,
        amount_cents: int,
        currency: str,
        key: str,
    ) -> RefundResult:
        """SumUp refunds by transaction id (found from our client transaction id); it takes no
        idempotency key, so the caller refunds a terminal payment only from a staff request."""
        transaction_id = charge_ref
        if transaction_id is None:
            found = await _call(
                self._client.transactions.get(self._merchant, client_transaction_id=payment_ref)
            )
            transaction_id = found.id
        if transaction_id is None:
            raise ProviderRefused("SumUp: no transaction for this payment.")
        await _call(
            self._client.transactions.refund(
                self._merchant, transaction_id, amount=amount_cents / 100
            )
        )
        return RefundResult(ref=f"{transaction_id}:{key}", status=RefundStatus.succeeded)

    async def payouts(self, start: date, end: date) -> list[PayoutReport]:
        """The payouts SumUp made between two dates (inclusive), from its payouts list."""
        rows = await _call(
            self._client.payouts.list(self._merchant, start_date=start, end_date=end)
        )
        return payout_reports(rows)

    async def transaction_refs(self, transaction_code: str) -> tuple[str | None, str | None]:
        """(client transaction id, transaction id) of a sale known by its code: how a payout
        row finds our payment (its `provider_ref` is the client transaction id)."""
        try:
            found = await _call(
                self._client.transactions.get(self._merchant, transaction_code=transaction_code)
            )
        except ProviderRefused:  # not a transaction of this merchant
            return None, None
        return found.client_transaction_id, found.id


async def _call(awaitable: Awaitable[T]) -> T:
    try:
        return await awaitable
    except APIConnectionError as exc:
        raise ProviderUnavailable("SumUp did not answer.") from exc
    except APIError as exc:
        kind = _error_type(exc.body)
        if kind == "READER_BUSY":
            raise ReaderBusy() from exc
        if kind == "READER_OFFLINE":
            raise ReaderOffline() from exc
        if exc.status is not None and (exc.status >= 500 or exc.status == 429):
            raise ProviderUnavailable(f"SumUp answered {exc.status}.") from exc
        raise ProviderRefused(f"SumUp refused ({exc.status}): {kind or exc.message}") from exc


def _error_type(body: Any) -> str | None:
    if hasattr(body, "model_dump"):
        body = body.model_dump()
    if isinstance(body, dict):
        errors = body.get("errors")
        if isinstance(errors, dict):
            return str(errors.get("type") or "") or None
        return str(body.get("type") or "") or None
    return None
