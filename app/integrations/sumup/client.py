"""The SumUp card terminal (Solo reader) through SumUp's official SDK: pair a reader, start
a checkout on it, read its result, stop it, refund the transaction."""

from __future__ import annotations

from collections.abc import Awaitable
from typing import Any, TypeVar

from sumup import AsyncSumup
from sumup._exceptions import APIConnectionError, APIError

from app.core.config import SumUpSettings
from app.integrations.gateway import (
    Charge,
    PairedReader,
    PaymentStatus,
    Provider,
    ProviderRefused,
    ProviderState,
    ProviderUnavailable,
    ReaderBusy,
    ReaderOffline,
    RefundResult,
    RefundStatus,
    required,
)

T = TypeVar("T")

_CHECKOUT_STATUS = {
    "pending": PaymentStatus.pending,
    "successful": PaymentStatus.succeeded,
    "failed": PaymentStatus.failed,
    "cancelled": PaymentStatus.cancelled,
}


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
