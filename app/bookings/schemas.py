from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, EmailStr, Field, model_validator

from app.bookings.models import BookingLocation, BookingSource, BookingStatus
from app.clients import public as clients
from app.core.timeutils import AwareInstant, SalonDate, SalonDateTime

Text = Annotated[str, Field(max_length=2000)]


class BookingClientIn(BaseModel):
    first_name: str = Field(min_length=1, max_length=100)
    last_name: str = Field(min_length=1, max_length=100)
    email: EmailStr | None = None
    phone: str | None = Field(default=None, max_length=32)

    @model_validator(mode="after")
    def _reachable(self) -> BookingClientIn:
        if not self.email and not self.phone:
            raise ValueError("give an e-mail or a phone number")
        return self

    @property
    def contacts(self) -> tuple[str | None, str | None]:
        """What the public abuse limits count her by: the phone in E.164, so one number
        written another way (`+33 6…`, `0033 6…`) is the same contact."""
        return self.email, (clients.to_e164(self.phone) or self.phone) if self.phone else None


class BookingCreate(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "example": {
                "service_ids": ["0193a0b2-7c1e-7d4e-9f00-3c5e6d7f8a9b"],
                "start": "2027-03-29T09:00:00+02:00",
                "practitioner_id": None,
                "client": {
                    "first_name": "Hélène",
                    "last_name": "Dupont",
                    "email": "helene.dupont@example.fr",
                    "phone": "06 12 34 56 78",
                },
            }
        }
    )

    service_ids: list[UUID] = Field(min_length=1, max_length=6)
    start: AwareInstant
    practitioner_id: UUID | None = None
    client_id: UUID | None = None
    client: BookingClientIn | None = None
    source: BookingSource | None = None
    notes: Text | None = None
    location: BookingLocation = BookingLocation.salon
    home_address: str | None = Field(default=None, max_length=500)
    home_latitude: Decimal | None = Field(default=None, ge=-90, le=90)
    home_longitude: Decimal | None = Field(default=None, ge=-180, le=180)
    terms_version: str | None = Field(default=None, max_length=32)
    use_package: bool = Field(
        default=True,
        description="False: pay for the services even when a package (or another allowance) "
        "of the client covers them.",
    )
    # A friend's referral code typed on the site (docs/referrals.md): an unknown one is
    # refused before anything is booked.
    referral_code: str | None = Field(default=None, min_length=3, max_length=40)

    @model_validator(mode="after")
    def _home_address(self) -> BookingCreate:
        if self.location is BookingLocation.home and (
            not self.home_address or self.home_latitude is None or self.home_longitude is None
        ):
            raise ValueError("a home visit needs home_address, home_latitude and home_longitude")
        return self


class BookingItemOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: UUID
    service_id: UUID
    service_name: str = Field(description="The service's name today")
    practitioner_id: UUID
    practitioner_name: str = Field(description="The practitioner's display name")
    start: SalonDateTime
    end: SalonDateTime
    price_cents: int
    covered_by: str | None = Field(
        default=None, description="Paid in advance (`package`): left out of the total"
    )


class BookingOut(BaseModel):
    id: UUID
    status: BookingStatus
    start: SalonDateTime
    end: SalonDateTime
    client_id: UUID
    client_name: str = Field(description="The client's first and last name")
    source: BookingSource
    location: BookingLocation
    home_address: str | None
    total_cents: int
    travel_fee_cents: int
    discount_cents: int = Field(default=0, description="A promo code's discount, already off")
    deposit_cents: int
    deposit_policy: str | None
    hold_expires_at: SalonDateTime | None
    notes: str | None
    cancelled_at: SalonDateTime | None
    cancelled_by: str | None
    late_cancellation: bool | None
    created_at: SalonDateTime
    items: list[BookingItemOut]
    manage_token: str | None = Field(
        default=None, description="For the client's manage link (no account needed)"
    )


class CancelIn(BaseModel):
    reason: Text | None = None
    requested_by_client: bool = Field(
        default=False,
        description="Staff only: the client asked for it (phone, in person), so the "
        "cancellation policy applies to her as if she had cancelled online.",
    )


class RescheduleIn(BaseModel):
    start: AwareInstant
    practitioner_id: UUID | None = None


class StatusIn(BaseModel):
    status: Literal["confirmed", "checked_in", "completed", "no_show"]
    note: Text | None = None


class CalendarEntry(BaseModel):
    kind: Literal["booking", "block", "absence", "closure"]
    id: UUID
    practitioner_id: UUID | None = Field(description="None for a closure: the whole salon")
    practitioner_name: str | None = None
    start: SalonDateTime
    end: SalonDateTime
    title: str
    reason: str | None = Field(default=None, description="A block's, absence's or closure's")
    booking_id: UUID | None = None
    status: BookingStatus | None = None
    service_id: UUID | None = None
    service_name: str | None = None
    client_id: UUID | None = None
    client_name: str | None = None


class CalendarOut(BaseModel):
    date_from: date
    date_to: date
    entries: list[CalendarEntry]


class WaitlistIn(BaseModel):
    service_ids: list[UUID] = Field(min_length=1, max_length=6)
    date_from: SalonDate
    date_to: SalonDate
    practitioner_id: UUID | None = None
    client_id: UUID | None = None
    client: BookingClientIn | None = None


class WaitlistOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: UUID
    client_id: UUID
    service_ids: list[UUID]
    practitioner_id: UUID | None
    date_from: date
    date_to: date
    status: str
    offered_start_at: SalonDateTime | None
    offered_practitioner_id: UUID | None
