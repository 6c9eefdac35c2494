"""The public slot search (merged into router.py once the settings API lands)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal
from uuid import UUID

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from app.auth.public import DbSession, MaybeUser
from app.availability import service
from app.availability.slot_errors import (
    DateRangeInvalid,
    HomeVisitNotPossible,
    NoSuchPractitionerForServices,
    ServicesNotBookable,
)
from app.core.errors import ValidationFailed, error_responses
from app.core.timeutils import SalonDateTime

router = APIRouter(tags=["availability"])


class SlotOut(BaseModel):
    start: SalonDateTime
    end: SalonDateTime
    practitioner_ids: list[UUID]
    gap_free: bool = Field(description="Booking it leaves no unusable hole in her day")


class SlotsOut(BaseModel):
    slots: list[SlotOut]


def _uuid_list(raw: str) -> list[UUID]:
    try:
        return [UUID(part.strip()) for part in raw.split(",") if part.strip()]
    except ValueError as exc:
        raise ValidationFailed(
            "service_ids must be a comma-separated list of ids.",
            extra={
                "errors": [
                    {
                        "field": "query.service_ids",
                        "message": "not a list of UUIDs",
                        "type": "uuid_parsing",
                    }
                ]
            },
        ) from exc


@router.get(
    "/api/v1/availability/slots",
    responses=error_responses(
        DateRangeInvalid, ServicesNotBookable, NoSuchPractitionerForServices, HomeVisitNotPossible
    ),
)
async def slots(
    session: DbSession,
    principal: MaybeUser,
    service_ids: Annotated[str, Query(description="One id, or several in order: A,B")],
    date_from: date,
    date_to: date,
    practitioner_id: UUID | None = None,
    location: Literal["salon", "home"] = "salon",
    order: Literal["time", "gap_free_first"] = "time",
) -> SlotsOut:
    """Start times at which the services can be booked, in the salon's time zone. Staff see
    times inside the lead time and services not offered online."""
    found = await service.find_slots(
        session,
        service_ids=_uuid_list(service_ids),
        date_from=date_from,
        date_to=date_to,
        practitioner_id=practitioner_id,
        online=principal is None or not principal.is_staff,
        home=location == "home",
        gap_free_first=order == "gap_free_first",
    )
    return SlotsOut(
        slots=[
            SlotOut(
                start=s.start, end=s.end, practitioner_ids=s.practitioner_ids, gap_free=s.gap_free
            )
            for s in found
        ]
    )
