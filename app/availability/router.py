from __future__ import annotations

from datetime import date
from typing import Annotated, Literal
from uuid import UUID

from fastapi import APIRouter, Query, Request, Response, status
from pydantic import BaseModel, Field

from app.auth.public import FRONT_DESK, Access, Manager, MaybeUser, Rule, Staff, declared_in_handler
from app.availability import service, settings_service
from app.availability.errors import (
    BlockNotFound,
    BlockPractitionerNotFound,
    ClosureNotFound,
    DateRangeInvalid,
    HomeVisitNotPossible,
    NoSuchPractitionerForServices,
    ServicesNotBookable,
    SpecialOpeningNotFound,
)
from app.availability.models import Block, SpecialOpening
from app.availability.schemas import (
    BlockCreated,
    BlockIn,
    BlockOut,
    BookingRulesIn,
    BookingRulesOut,
    ClosureCreated,
    ClosureIn,
    ClosureOut,
    SpecialOpeningCreated,
    SpecialOpeningIn,
    SpecialOpeningOut,
)
from app.bookings import public as bookings
from app.core.cache import public_read
from app.core.db import DbSession
from app.core.errors import Forbidden, ValidationFailed, error_responses
from app.core.pagination import Page
from app.core.timeutils import SalonDate, SalonDateTime, local_day_span, zone
from app.core.weekly import OverlappingHours, WeeklyInterval
from app.practitioners import public as practitioners

router = APIRouter(tags=["availability"])

NOBODY_WORKS = (
    "No practitioner works at these hours on this weekday, so this opening offers no slot: "
    "give practitioners working hours on that weekday (PUT /practitioners/{id}/working-hours)."
)


@router.get("/api/v1/availability/opening-hours", response_model=Page[WeeklyInterval])
async def get_opening_hours(request: Request, session: DbSession) -> Response:
    """The salon's weekly opening hours (weekday 0 = Monday), in local time (one page), with
    an `ETag`."""

    async def build() -> bytes:
        page = Page[WeeklyInterval](items=await settings_service.opening_hours(session))
        return page.model_dump_json().encode()

    return await public_read(request, session, build)


@router.put("/api/v1/availability/opening-hours", responses=error_responses(OverlappingHours))
async def replace_opening_hours(
    body: list[WeeklyInterval], _: Manager, session: DbSession
) -> Page[WeeklyInterval]:
    """Replace the whole week; a weekday with no interval is closed."""
    return Page[WeeklyInterval](items=await settings_service.replace_opening_hours(session, body))


@router.get("/api/v1/availability/closures")
async def list_closures(
    session: DbSession, date_from: SalonDate | None = None, date_to: SalonDate | None = None
) -> Page[ClosureOut]:
    """Closures touching the dates, in date order (one page)."""
    found = await settings_service.closures(session, date_from or date.min, date_to or date.max)
    return Page[ClosureOut](items=[ClosureOut.model_validate(c) for c in found])


@router.post(
    "/api/v1/availability/closures",
    status_code=status.HTTP_201_CREATED,
    responses=error_responses(bookings.BookingsInConflict),
)
async def add_closure(body: ClosureIn, _: Manager, session: DbSession) -> ClosureCreated:
    """Days the salon is closed, whatever the weekly hours say. Live bookings on those days
    refuse it (409 with the list) unless `force`, and are then listed for rebooking."""
    closure, conflicts = await settings_service.add_closure(session, body)
    out = ClosureOut.model_validate(closure)
    return ClosureCreated(**out.model_dump(), conflicting_bookings=conflicts)


@router.delete(
    "/api/v1/availability/closures/{closure_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=error_responses(ClosureNotFound),
)
async def delete_closure(closure_id: UUID, _: Manager, session: DbSession) -> None:
    await settings_service.delete_closure(session, closure_id)


def _opening_out(opening: SpecialOpening) -> SpecialOpeningOut:
    return SpecialOpeningOut(
        id=opening.id,
        date=opening.on_date,
        start=opening.start_time,
        end=opening.end_time,
        reason=opening.reason,
    )


@router.get("/api/v1/availability/special-openings")
async def list_special_openings(
    session: DbSession, date_from: SalonDate | None = None, date_to: SalonDate | None = None
) -> Page[SpecialOpeningOut]:
    """Exceptional openings between the dates (one page)."""
    found = await settings_service.special_openings(
        session, date_from or date.min, date_to or date.max
    )
    return Page[SpecialOpeningOut](items=[_opening_out(o) for o in found])


@router.post("/api/v1/availability/special-openings", status_code=status.HTTP_201_CREATED)
async def add_special_opening(
    body: SpecialOpeningIn, _: Manager, session: DbSession
) -> SpecialOpeningCreated:
    """Exceptional hours for one date; they replace that date's weekly hours. Slots need a
    practitioner who works then by her weekly hours: the answer says who, and warns when
    nobody does (a Sunday opening before anyone has Sunday hours)."""
    opening, working = await settings_service.add_special_opening(session, body)
    return SpecialOpeningCreated(
        **_opening_out(opening).model_dump(),
        practitioner_ids_working=working,
        warning=None if working else NOBODY_WORKS,
    )


@router.delete(
    "/api/v1/availability/special-openings/{opening_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=error_responses(SpecialOpeningNotFound),
)
async def delete_special_opening(opening_id: UUID, _: Manager, session: DbSession) -> None:
    await settings_service.delete_special_opening(session, opening_id)


def _block_out(block: Block) -> BlockOut:
    return BlockOut(
        id=block.id,
        practitioner_id=block.practitioner_id,
        start=block.start_at,
        end=block.end_at,
        reason=block.reason,
    )


# `_may_block` needs the block's practitioner (in the body, or the stored block): this puts
# its rule in the permission table.
_OWN_TIME = declared_in_handler(
    Rule.of(
        "block: a practitioner blocks only her own time",
        practitioner=Access.own,
        receptionist=Access.yes,
        manager=Access.yes,
        owner=Access.yes,
    )
)


async def _may_block(principal: Staff, session: DbSession, practitioner_id: UUID) -> None:
    if principal.has_role(*FRONT_DESK):
        return
    if await practitioners.practitioner_for_user(session, principal.user_id) != practitioner_id:
        raise Forbidden("You can only block your own time.")


@router.post(
    "/api/v1/availability/blocks",
    status_code=status.HTTP_201_CREATED,
    responses=error_responses(BlockPractitionerNotFound, bookings.BookingsInConflict),
    dependencies=[_OWN_TIME],
)
async def add_block(body: BlockIn, principal: Staff, session: DbSession) -> BlockCreated:
    """Keep a practitioner's time free of bookings (front desk, or the practitioner herself).
    Her live bookings in that time refuse it unless `force`, and are then listed."""
    await _may_block(principal, session, body.practitioner_id)
    block, conflicts = await settings_service.add_block(session, body, created_by=principal.user_id)
    return BlockCreated(**_block_out(block).model_dump(), conflicting_bookings=conflicts)


@router.get("/api/v1/availability/blocks")
async def list_blocks(
    _: Staff,
    session: DbSession,
    date_from: SalonDate,
    date_to: SalonDate,
    practitioner_id: UUID | None = None,
) -> Page[BlockOut]:
    """Blocks touching the dates (one page)."""
    tz = zone()
    found = await settings_service.list_blocks(
        session,
        start=local_day_span(date_from, tz)[0],
        end=local_day_span(date_to, tz)[1],
        practitioner_id=practitioner_id,
    )
    return Page[BlockOut](items=[_block_out(b) for b in found])


@router.delete(
    "/api/v1/availability/blocks/{block_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=error_responses(BlockNotFound),
    dependencies=[_OWN_TIME],
)
async def delete_block(block_id: UUID, principal: Staff, session: DbSession) -> None:
    block = await settings_service.get_block(session, block_id)
    await _may_block(principal, session, block.practitioner_id)
    await session.delete(block)


@router.get("/api/v1/settings/booking-rules")
async def get_booking_rules(session: DbSession) -> BookingRulesOut:
    """The site shows the lead time and the cancellation notice from here."""
    return BookingRulesOut.model_validate(await settings_service.booking_rules(session))


@router.put("/api/v1/settings/booking-rules")
async def put_booking_rules(
    body: BookingRulesIn, _: Manager, session: DbSession
) -> BookingRulesOut:
    """The five booking rules are required; a newer field left out keeps its value."""
    return BookingRulesOut.model_validate(await settings_service.update_rules(session, body))


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


def _slot_json(slot: service.Slot) -> bytes:
    return (
        SlotOut(
            start=slot.start,
            end=slot.end,
            practitioner_ids=slot.practitioner_ids,
            gap_free=slot.gap_free,
        )
        .model_dump_json()
        .encode()
    )


@router.get(
    "/api/v1/availability/slots",
    response_model=SlotsOut,
    responses=error_responses(
        DateRangeInvalid, ServicesNotBookable, NoSuchPractitionerForServices, HomeVisitNotPossible
    ),
)
async def slots(
    session: DbSession,
    principal: MaybeUser,
    service_ids: Annotated[str, Query(description="One id, or several in order: A,B")],
    date_from: SalonDate,
    date_to: SalonDate,
    practitioner_id: UUID | None = None,
    location: Literal["salon", "home"] = "salon",
    order: Literal["time", "gap_free_first"] = "time",
) -> Response:
    """Start times at which the services can be booked, in the salon's time zone. Staff see
    times inside the lead time and services not offered online. Answered from the slot cache
    when nothing was committed since it was computed (docs/performance.md)."""
    body = await service.slots_answer(
        session,
        service_ids=_uuid_list(service_ids),
        date_from=date_from,
        date_to=date_to,
        render=_slot_json,
        practitioner_id=practitioner_id,
        online=principal is None or not principal.is_staff,
        home=location == "home",
        gap_free_first=order == "gap_free_first",
    )
    return Response(content=body, media_type="application/json")
