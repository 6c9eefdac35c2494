from __future__ import annotations

from datetime import date
from typing import Annotated, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, EmailStr, Field

from app.clients.models import ConsentChannel, ConsentSource, HealthNoteKind
from app.core.schemas import Absent, refuse_null
from app.core.timeutils import SalonDate, SalonDateTime

Tag = Annotated[str, Field(min_length=1, max_length=50)]
PersonName = Annotated[str, Field(min_length=1, max_length=100)]


class ClientFields(BaseModel):
    """A client's writable fields; in a PATCH, `null` clears a field, except her name."""

    first_name: PersonName | Absent = None
    last_name: PersonName | Absent = None
    email: EmailStr | None = None
    phone: str | None = Field(default=None, max_length=32)
    birthday: SalonDate | None = None
    address: str | None = Field(default=None, max_length=500)
    preferred_practitioner_id: UUID | None = None
    tags: list[Tag] | None = Field(default=None, max_length=30)
    acquisition_source: str | None = Field(default=None, max_length=100)

    _no_null = refuse_null("first_name", "last_name")


class ClientCreate(ClientFields):
    model_config = ConfigDict(
        json_schema_extra={
            "example": {
                "first_name": "Hélène",
                "last_name": "Dupont",
                "email": "helene@example.fr",
                "phone": "06 12 34 56 78",
                "birthday": "1988-04-12",
                "tags": ["fidèle"],
                "acquisition_source": "Instagram",
            }
        }
    )

    first_name: str = Field(min_length=1, max_length=100)
    last_name: str = Field(min_length=1, max_length=100)


class ConsentState(BaseModel):
    email_marketing: bool = False
    sms_marketing: bool = False
    photos: bool = False


class ClientOut(BaseModel):
    id: UUID
    first_name: str
    last_name: str
    email: str | None
    phone: str | None
    birthday: date | None
    address: str | None
    preferred_practitioner_id: UUID | None
    tags: list[str]
    acquisition_source: str | None
    has_account: bool
    consents: ConsentState
    anonymized: bool
    retention_review: bool
    created_at: SalonDateTime


class ClientSearchHit(BaseModel):
    id: UUID
    first_name: str
    last_name: str
    email: str | None
    phone: str | None
    score: float


class ConsentIn(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "example": {"channel": "sms_marketing", "granted": True, "source": "in_salon"}
        }
    )

    channel: ConsentChannel
    granted: bool
    source: ConsentSource


class ConsentOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    channel: ConsentChannel
    granted: bool
    source: ConsentSource
    recorded_by_user_id: UUID | None
    at: SalonDateTime


class NoteIn(BaseModel):
    body: str = Field(min_length=1, max_length=4000)


class NoteOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: UUID
    body: str
    author_user_id: UUID | None
    created_at: SalonDateTime


class HealthNoteIn(BaseModel):
    kind: HealthNoteKind
    body: str = Field(min_length=1, max_length=4000)


class HealthNoteOut(NoteOut):
    kind: HealthNoteKind


class HistoryBooking(BaseModel):
    id: UUID
    status: str
    start: SalonDateTime
    end: SalonDateTime
    total_cents: int
    service_ids: list[UUID]
    practitioner_ids: list[UUID]


class ClientHistory(BaseModel):
    upcoming: list[HistoryBooking]
    past: list[HistoryBooking]
    visits: int
    no_shows: int
    cancellations: int
    late_cancellations: int
    first_visit: SalonDateTime | None
    last_visit: SalonDateTime | None
    visits_last_12_months: int
    spent_last_12_months_cents: int


class EraseIn(BaseModel):
    confirm: Literal[True] = Field(description="Must be true: erasure cannot be undone")


class MergeIn(BaseModel):
    source_id: UUID = Field(description="The duplicate, which disappears")
    target_id: UUID = Field(description="The record that stays and receives everything")


class DuplicatePair(BaseModel):
    first: ClientSearchHit
    second: ClientSearchHit
    reason: Literal["same_phone", "similar_name"]


class ImportRow(BaseModel):
    row: int
    action: Literal["create", "update", "reject"]
    client_id: UUID | None = None
    errors: list[str] = Field(default_factory=list)


class ImportReport(BaseModel):
    dry_run: bool
    encoding: str = Field(
        default="utf-8", description="How the file was read: detected, or as declared"
    )
    created: int
    updated: int
    rejected: int
    rows: list[ImportRow]
