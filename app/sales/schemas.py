"""The sales API's request and response bodies: tills, their sessions, cash movements,
closings, receipts. Amounts are integer cents."""

from __future__ import annotations

from typing import Any, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, EmailStr, Field, field_validator

from app.core.timeutils import SalonDateTime
from app.journal.public import DenominationCount, PeriodTotals, StoredRecord
from app.sales.models import CashRegister, RegisterSession
from app.sales.service import DENOMINATIONS, ExpectedCash

MAX_CENTS = 100_000_000
_ID = "0193a4f2-7c1e-7c3a-9a1b-2f4e5d6c7b8a"
_AT = "2026-12-01T09:00:00+01:00"


class RegisterIn(BaseModel):
    model_config = ConfigDict(json_schema_extra={"example": {"name": "Accueil"}})

    name: str = Field(min_length=1, max_length=80)


class ExpectedCashOut(BaseModel):
    float_cents: int
    cash_in_cents: int
    cash_out_cents: int
    sales_cash_cents: int = Field(
        description="Cash tendered on the session's tickets, net of change"
    )
    expected_cents: int

    @classmethod
    def of(cls, cash: ExpectedCash) -> ExpectedCashOut:
        return cls(
            float_cents=cash.float_cents,
            cash_in_cents=cash.cash_in_cents,
            cash_out_cents=cash.cash_out_cents,
            sales_cash_cents=cash.sales_cash_cents,
            expected_cents=cash.total_cents,
        )


class SessionOut(BaseModel):
    model_config = ConfigDict(
        from_attributes=True,
        json_schema_extra={
            "example": {
                "id": _ID,
                "register_id": _ID,
                "float_cents": 15000,
                "opened_at": _AT,
                "opened_by_user_id": _ID,
                "closed_at": None,
                "closed_by_user_id": None,
                "expected_cents": None,
                "counted_cents": None,
                "difference_cents": None,
                "opened_record_id": _ID,
                "closed_record_id": None,
                "cash": None,
            }
        },
    )

    id: UUID
    register_id: UUID
    float_cents: int
    opened_at: SalonDateTime
    opened_by_user_id: UUID | None
    closed_at: SalonDateTime | None
    closed_by_user_id: UUID | None
    expected_cents: int | None
    counted_cents: int | None
    difference_cents: int | None = Field(description="Counted less expected: never hidden")
    opened_record_id: UUID
    closed_record_id: UUID | None
    cash: ExpectedCashOut | None = Field(
        default=None, description="The expected cash, item by item"
    )

    @classmethod
    def of(cls, row: RegisterSession, cash: ExpectedCash | None) -> SessionOut:
        out = cls.model_validate(row)
        return out.model_copy(update={"cash": ExpectedCashOut.of(cash) if cash else None})


class RegisterOut(BaseModel):
    model_config = ConfigDict(
        from_attributes=True,
        json_schema_extra={
            "example": {"id": _ID, "name": "Accueil", "created_at": _AT, "session": None}
        },
    )

    id: UUID
    name: str
    created_at: SalonDateTime
    session: SessionOut | None = Field(
        default=None, description="The open session (GET of one till only)"
    )

    @classmethod
    def of(cls, row: CashRegister, session: SessionOut | None = None) -> RegisterOut:
        return cls(id=row.id, name=row.name, created_at=row.created_at, session=session)


class OpenIn(BaseModel):
    model_config = ConfigDict(json_schema_extra={"example": {"float_cents": 15000}})

    float_cents: int = Field(ge=0, le=MAX_CENTS, description="The cash counted at opening")


class CashMovementIn(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "example": {"direction": "out", "amount_cents": 2000, "reason": "Achat de café"}
        }
    )

    direction: Literal["in", "out"]
    amount_cents: int = Field(gt=0, le=MAX_CENTS)
    reason: str = Field(min_length=1, max_length=200)


class CashMovementOut(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "example": {
                "record_id": _ID,
                "sequence": 12,
                "recorded_at": _AT,
                "expected_cents": 13000,
            }
        }
    )

    record_id: UUID
    sequence: int
    recorded_at: SalonDateTime
    expected_cents: int


class DenominationIn(BaseModel):
    value_cents: int = Field(description="A euro note or coin: 50000 … 1")
    count: int = Field(ge=0, le=100_000)

    @field_validator("value_cents")
    @classmethod
    def _a_denomination(cls, value: int) -> int:
        if value not in DENOMINATIONS:
            raise ValueError("not a euro note or coin")
        return value


class CloseIn(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "example": {
                "denominations": [
                    {"value_cents": 5000, "count": 2},
                    {"value_cents": 1000, "count": 3},
                    {"value_cents": 200, "count": 4},
                ]
            }
        }
    )

    denominations: list[DenominationIn] = Field(max_length=len(DENOMINATIONS))

    @field_validator("denominations")
    @classmethod
    def _once_each(cls, value: list[DenominationIn]) -> list[DenominationIn]:
        if len({d.value_cents for d in value}) != len(value):
            raise ValueError("a denomination appears twice")
        return value

    def counts(self) -> list[DenominationCount]:
        ordered = sorted(self.denominations, key=lambda d: -d.value_cents)
        return [DenominationCount(value_cents=d.value_cents, count=d.count) for d in ordered]


class ClosingOut(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "example": {
                "id": _ID,
                "sequence": 120,
                "recorded_at": "2026-12-01T23:05:00+01:00",
                "level": "day",
                "period": "2026-12-01",
                "first_sequence": 101,
                "last_sequence": 119,
                "totals": {
                    "ticket_count": 8,
                    "by_vat": [{"rate": "20.00", "base_cents": 40000, "vat_cents": 8000}],
                    "by_tender": [{"method": "card", "amount_cents": 48000}],
                    "total_excl_vat_cents": 40000,
                    "total_vat_cents": 8000,
                    "total_incl_vat_cents": 48000,
                },
                "perpetual_total_cents": 1250000,
                "automatic": False,
                "signature": "9f2c…",
            }
        }
    )

    id: UUID
    sequence: int
    recorded_at: SalonDateTime
    level: str
    period: str
    first_sequence: int
    last_sequence: int
    totals: PeriodTotals
    perpetual_total_cents: int
    automatic: bool
    signature: str

    @classmethod
    def of(cls, record: StoredRecord) -> ClosingOut:
        payload: dict[str, Any] = record.payload
        fields = ("level", "period", "first_sequence", "last_sequence", "totals")
        return cls(
            id=record.id,
            sequence=record.sequence,
            recorded_at=record.recorded_at,
            perpetual_total_cents=payload["perpetual_total_cents"],
            automatic=payload.get("automatic", False),
            signature=record.signature,
            **{name: payload[name] for name in fields},
        )


class ReceiptEmailIn(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={"example": {"email": "ines@example.fr", "first_name": "Inès"}}
    )

    email: EmailStr
    first_name: str = Field(default="", max_length=80)


class ReceiptSentOut(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={"example": {"queued": True, "duplicate_count": None}}
    )

    queued: bool
    duplicate_count: int | None = Field(description="None: the original was sent")


class TillXOut(BaseModel):
    """An X reading of one till: its tickets since the last Z (the Z itself is the whole
    journal's, every till together)."""

    model_config = ConfigDict(
        json_schema_extra={
            "example": {
                "register_id": _ID,
                "first_sequence": 1181,
                "last_sequence": 1190,
                "totals": {
                    "ticket_count": 3,
                    "by_vat": [{"rate": "20.00", "base_cents": 15000, "vat_cents": 3000}],
                    "by_tender": [{"method": "cash", "amount_cents": 18000}],
                    "total_excl_vat_cents": 15000,
                    "total_vat_cents": 3000,
                    "total_incl_vat_cents": 18000,
                },
                "perpetual_total_cents": 1250000,
                "at": "2026-12-01T16:00:00+01:00",
            }
        }
    )

    register_id: UUID
    first_sequence: int
    last_sequence: int
    totals: PeriodTotals = Field(description="This till's records since the last Z")
    perpetual_total_cents: int = Field(description="The whole journal's, every till together")
    at: SalonDateTime
