from __future__ import annotations

from typing import Annotated
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, model_validator

from app.bookings.public import FORCE_DESCRIPTION, ConflictOut
from app.core.schemas import Absent, refuse_null
from app.core.timeutils import AwareInstant, SalonDateTime

Color = Annotated[str, Field(pattern=r"^#[0-9A-Fa-f]{6}$", examples=["#8E7CC3"])]
DisplayName = Annotated[str, Field(min_length=1, max_length=120)]
ResourceName = Annotated[str, Field(min_length=1, max_length=120)]
ResourceKind = Annotated[str, Field(min_length=1, max_length=32)]


class ServiceTermsIn(BaseModel):
    service_id: UUID
    price_cents: int | None = Field(default=None, ge=0, le=10_000_000)
    duration_minutes: int | None = Field(default=None, ge=1, le=720)


class PractitionerFields(BaseModel):
    display_name: DisplayName | Absent = None
    bio: str | None = Field(default=None, max_length=4000)
    color: Color | Absent = None
    user_id: UUID | None = None
    display_order: int | Absent = None
    service_ids: list[UUID] | None = None
    service_terms: list[ServiceTermsIn] | None = Field(
        default=None, description="Her own price or duration for some of her services"
    )


class PractitionerCreate(PractitionerFields):
    model_config = ConfigDict(
        json_schema_extra={
            "example": {
                "display_name": "Camille",
                "color": "#C27BA0",
                "bio": "Spécialiste des soins du visage.",
                "service_ids": [],
            }
        }
    )

    display_name: str = Field(min_length=1, max_length=120)
    color: Color = "#8E7CC3"
    display_order: int = 0
    service_ids: list[UUID] = Field(default_factory=list)


class PractitionerUpdate(PractitionerFields):
    is_active: bool | Absent = None
    force: bool = Field(
        default=False,
        description="With `is_active: false`: retire her even though she has future bookings, "
        "which are then listed (`conflicting_bookings`) for reassignment. Without it, 409 "
        "`bookings_in_conflict` with the list.",
    )

    _no_null = refuse_null("display_name", "color", "display_order", "is_active")


class ServiceTermsOut(BaseModel):
    service_id: UUID
    price_cents: int | None
    duration_minutes: int | None


class PractitionerPublicOut(BaseModel):
    id: UUID
    display_name: str
    bio: str | None
    color: str
    service_ids: list[UUID]


class PractitionerOut(PractitionerPublicOut):
    user_id: UUID | None
    is_active: bool
    display_order: int
    service_terms: list[ServiceTermsOut]


class PractitionerUpdated(PractitionerOut):
    conflicting_bookings: list[ConflictOut] = Field(
        default_factory=list,
        description="Retired with `force`: her future bookings, to reassign",
    )


class PractitionerRetired(BaseModel):
    id: UUID
    is_active: bool
    conflicting_bookings: list[ConflictOut] = Field(
        default_factory=list, description="Her future bookings, to reassign (with `force`)"
    )


class AbsenceIn(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "example": {
                "start": "2027-07-05T00:00:00+02:00",
                "end": "2027-07-19T00:00:00+02:00",
                "reason": "Congés d'été",
            }
        }
    )

    start: AwareInstant
    end: AwareInstant
    reason: str | None = Field(default=None, max_length=200)
    force: bool = Field(default=False, description=FORCE_DESCRIPTION)

    @model_validator(mode="after")
    def _ordered(self) -> AbsenceIn:
        if self.start >= self.end:
            raise ValueError("start must be before end")
        return self


class AbsenceOut(BaseModel):
    id: UUID
    practitioner_id: UUID
    start: SalonDateTime
    end: SalonDateTime
    reason: str | None


class AbsenceCreated(AbsenceOut):
    conflicting_bookings: list[ConflictOut] = Field(
        default_factory=list, description="Her live bookings in that time, to rebook (with force)"
    )


class ResourceIn(BaseModel):
    model_config = ConfigDict(json_schema_extra={"example": {"name": "Cabine 1", "kind": "room"}})

    name: str = Field(min_length=1, max_length=120)
    kind: str = Field(default="room", min_length=1, max_length=32)


class ResourceUpdate(BaseModel):
    name: ResourceName | Absent = None
    kind: ResourceKind | Absent = None
    is_active: bool | Absent = None

    _no_null = refuse_null("name", "kind", "is_active")


class ResourceOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: UUID
    name: str
    kind: str
    is_active: bool
    created_at: SalonDateTime


class CalendarFeedOut(BaseModel):
    """Her private iCalendar link. `url` is given only when the link is made (its token is
    stored as a digest); rotate to get a new one."""

    model_config = ConfigDict(
        json_schema_extra={
            "example": {
                "url": "https://api.serenaia.example/api/v1/calendar/feeds/"
                "0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b.ics?token=Zk3q...",
                "issued_at": "2027-03-15T09:00:00+01:00",
            }
        }
    )

    url: str | None
    issued_at: SalonDateTime
