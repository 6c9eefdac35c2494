from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, model_validator

from app.bookings.public import FORCE_DESCRIPTION, ConflictOut
from app.core.timeutils import AwareInstant, SalonDate, SalonDateTime
from app.core.weekly import HourMinute


class ClosureIn(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "example": {"start_date": "2026-12-24", "end_date": "2026-12-26", "reason": "Noël"}
        }
    )

    start_date: SalonDate
    end_date: SalonDate
    reason: str | None = Field(default=None, max_length=200)
    force: bool = Field(default=False, description=FORCE_DESCRIPTION)

    @model_validator(mode="after")
    def _ordered(self) -> ClosureIn:
        if self.end_date < self.start_date:
            raise ValueError("end_date must not be before start_date")
        return self


class ClosureOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: UUID
    start_date: date
    end_date: date
    reason: str | None


class ClosureCreated(ClosureOut):
    conflicting_bookings: list[ConflictOut] = Field(
        default_factory=list, description="Live bookings on those days, to rebook (with force)"
    )


class SpecialOpeningIn(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "example": {
                "date": "2026-12-20",
                "start": "10:00",
                "end": "18:00",
                "reason": "Dimanche avant Noël",
            }
        }
    )

    date: SalonDate
    start: HourMinute
    end: HourMinute
    reason: str | None = Field(default=None, max_length=200)

    @model_validator(mode="after")
    def _ordered(self) -> SpecialOpeningIn:
        if self.start >= self.end:
            raise ValueError("start must be before end")
        return self


class SpecialOpeningOut(BaseModel):
    id: UUID
    date: date
    start: HourMinute
    end: HourMinute
    reason: str | None


class SpecialOpeningCreated(SpecialOpeningOut):
    practitioner_ids_working: list[UUID] = Field(
        description="Practitioners whose weekly hours fall in the opening: only they can be "
        "booked then. Give the others hours on that weekday to offer more."
    )
    warning: str | None = Field(
        default=None, description="Set when nobody works then: the opening offers no slot"
    )


class BlockIn(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "example": {
                "practitioner_id": "0193a0b2-7c1e-7d4e-9f00-3c5e6d7f8a9b",
                "start": "2027-03-29T12:00:00+02:00",
                "end": "2027-03-29T14:00:00+02:00",
                "reason": "Formation",
            }
        }
    )

    practitioner_id: UUID
    start: AwareInstant
    end: AwareInstant
    reason: str | None = Field(default=None, max_length=200)
    force: bool = Field(default=False, description=FORCE_DESCRIPTION)

    @model_validator(mode="after")
    def _ordered(self) -> BlockIn:
        if self.start >= self.end:
            raise ValueError("start must be before end")
        return self


class BlockOut(BaseModel):
    id: UUID
    practitioner_id: UUID
    start: SalonDateTime
    end: SalonDateTime
    reason: str | None


class BlockCreated(BlockOut):
    conflicting_bookings: list[ConflictOut] = Field(
        default_factory=list, description="Her live bookings in that time, to rebook (with force)"
    )


_KEPT = "Optional: omitted (or null) keeps the current value."


class BookingRulesOut(BaseModel):
    """The salon's booking rules."""

    model_config = ConfigDict(
        from_attributes=True,
        json_schema_extra={
            "example": {
                "slot_interval_minutes": 15,
                "min_lead_time_minutes": 120,
                "max_advance_days": 90,
                "hold_minutes": 15,
                "cancellation_notice_hours": 24,
                "home_visit_radius_km": "15.00",
                "home_travel_minutes": 30,
                "home_travel_fee_cents": 1500,
                "salon_latitude": "45.767300",
                "salon_longitude": "4.851100",
                "deposit_policy": "arrhes",
            }
        },
    )

    slot_interval_minutes: int
    min_lead_time_minutes: int
    max_advance_days: int
    hold_minutes: int
    cancellation_notice_hours: int
    home_visit_radius_km: Decimal
    home_travel_minutes: int
    home_travel_fee_cents: int
    salon_latitude: Decimal
    salon_longitude: Decimal
    deposit_policy: Literal["arrhes", "acompte"]


class BookingRulesIn(BaseModel):
    """PUT body: the five rules of the booking contract are required; every field added
    since is optional, and a field left out keeps its current value (docs/decisions.md)."""

    model_config = ConfigDict(
        json_schema_extra={
            "example": {
                "slot_interval_minutes": 15,
                "min_lead_time_minutes": 120,
                "max_advance_days": 90,
                "hold_minutes": 15,
                "cancellation_notice_hours": 24,
            }
        },
    )

    slot_interval_minutes: int = Field(ge=5, le=120)
    min_lead_time_minutes: int = Field(ge=0, le=60 * 24 * 14)
    max_advance_days: int = Field(ge=1, le=730)
    hold_minutes: int = Field(ge=1, le=240)
    cancellation_notice_hours: int = Field(ge=0, le=24 * 30)
    home_visit_radius_km: Decimal | None = Field(
        default=None, ge=0, le=500, decimal_places=2, description=_KEPT
    )
    home_travel_minutes: int | None = Field(default=None, ge=0, le=240, description=_KEPT)
    home_travel_fee_cents: int | None = Field(default=None, ge=0, le=100_000, description=_KEPT)
    salon_latitude: Decimal | None = Field(
        default=None, ge=-90, le=90, decimal_places=6, description=_KEPT
    )
    salon_longitude: Decimal | None = Field(
        default=None, ge=-180, le=180, decimal_places=6, description=_KEPT
    )
    deposit_policy: Literal["arrhes", "acompte"] | None = Field(
        default=None,
        description="What deposits are under French law: `arrhes` (the default: a client who "
        "cancels loses them, a salon that cancels owes them twice) or `acompte` (both bound). "
        + _KEPT,
    )

    @model_validator(mode="after")
    def _grid_divides_the_day(self) -> BookingRulesIn:
        if (24 * 60) % self.slot_interval_minutes:
            raise ValueError("slot_interval_minutes must divide a day (5, 10, 15, 20, 30, 60…)")
        return self

    def changes(self) -> dict[str, object]:
        """The fields to write: the five always, the others only when given."""
        return {k: v for k, v in self.model_dump().items() if v is not None}
