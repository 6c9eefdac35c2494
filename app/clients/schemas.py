from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal
from uuid import UUID

from pydantic import AfterValidator, BaseModel, ConfigDict, EmailStr, Field, model_validator
from stdnum import exceptions as stdnum_errors
from stdnum.eu import vat
from stdnum.fr import siren, siret

from app.clients.models import ConsentChannel, ConsentSource, HealthNoteKind
from app.core.schemas import Absent, refuse_null
from app.core.timeutils import SalonDate, SalonDateTime

Tag = Annotated[str, Field(min_length=1, max_length=50)]
PersonName = Annotated[str, Field(min_length=1, max_length=100)]


def _checked(module: Any, what: str) -> Any:
    def check(value: str) -> str:
        try:
            return str(module.validate(value))
        except stdnum_errors.ValidationError as exc:
            raise ValueError(f"not a valid {what}: {exc}") from exc

    return AfterValidator(check)


# Compacted once valid (spaces and dots dropped): "FR40303265045", "732829320".
Siren = Annotated[str, Field(max_length=20, examples=["732829320"]), _checked(siren, "SIREN")]
Siret = Annotated[str, Field(max_length=30, examples=["73282932000074"]), _checked(siret, "SIRET")]
VatNumber = Annotated[
    str, Field(max_length=30, examples=["FR44732829320"]), _checked(vat, "EU VAT number")
]


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
    # A business client: her invoices name the company (and she gets one for every ticket).
    company_name: str | None = Field(default=None, min_length=1, max_length=200)
    siren: Siren | None = None
    siret: Siret | None = None
    vat_number: VatNumber | None = None

    _no_null = refuse_null("first_name", "last_name")

    @model_validator(mode="after")
    def _siren_of_siret(self) -> ClientFields:
        """A SIRET starts with its company's SIREN: given alone, it gives the SIREN."""
        if self.siret is not None:
            if self.siren is None and "siren" not in self.model_fields_set:
                self.siren = self.siret[:9]
            elif self.siren is not None and self.siren != self.siret[:9]:
                raise ValueError("the SIRET does not start with the SIREN")
        return self


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
                "company_name": "Atelier Dupont SARL",
                "siret": "73282932000074",
                "vat_number": "FR44732829320",
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
    company_name: str | None
    siren: str | None
    siret: str | None
    vat_number: str | None
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
