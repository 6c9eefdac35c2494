from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query, Request, Response, status

from app.auth.public import Manager, MaybeUser, Staff
from app.bookings import public as bookings
from app.core.cache import public_read
from app.core.clock import utcnow
from app.core.db import DbSession
from app.core.errors import error_responses
from app.core.ids import new_id
from app.core.pagination import Page, Pagination, paginate
from app.core.timeutils import SalonDate, local_day_span, zone
from app.core.weekly import OverlappingHours, WeeklyInterval
from app.practitioners import repository, service
from app.practitioners.dependencies import SelfOrFrontDesk, SelfOrManager
from app.practitioners.errors import (
    AbsenceNotFound,
    PractitionerNotFound,
    ResourceNameTaken,
    ResourceNotFound,
    UnknownPractitionerService,
    UnknownStaffUser,
    UserAlreadyLinked,
)
from app.practitioners.models import Absence, Practitioner, Resource
from app.practitioners.schemas import (
    AbsenceCreated,
    AbsenceIn,
    AbsenceOut,
    CalendarFeedOut,
    PractitionerCreate,
    PractitionerOut,
    PractitionerPublicOut,
    PractitionerRetired,
    PractitionerUpdate,
    PractitionerUpdated,
    ResourceIn,
    ResourceOut,
    ResourceUpdate,
    ServiceTermsOut,
)

router = APIRouter(tags=["practitioners"])

_WRITE_ERRORS = (UnknownStaffUser, UserAlreadyLinked, UnknownPractitionerService)


async def _staff_out(
    session: DbSession, practitioners: list[Practitioner]
) -> list[PractitionerOut]:
    terms = await service.terms_of(session, [p.id for p in practitioners])
    return [
        PractitionerOut(
            id=p.id,
            display_name=p.display_name,
            bio=p.bio,
            color=p.color,
            service_ids=sorted(t.service_id for t in terms[p.id]),
            user_id=p.user_id,
            is_active=p.is_active,
            display_order=p.display_order,
            service_terms=[
                ServiceTermsOut(
                    service_id=t.service_id,
                    price_cents=t.price_cents,
                    duration_minutes=t.duration_minutes,
                )
                for t in terms[p.id]
                if t.price_cents or t.duration_minutes
            ],
        )
        for p in practitioners
    ]


async def _out(
    session: DbSession, practitioners: list[Practitioner], *, staff: bool
) -> list[PractitionerOut | PractitionerPublicOut]:
    """Staff see accounts and prices; the public a card per practitioner."""
    full = await _staff_out(session, practitioners)
    if staff:
        return list(full)
    return [PractitionerPublicOut.model_validate(p.model_dump()) for p in full]


def _absence_out(absence: Absence) -> AbsenceOut:
    return AbsenceOut(
        id=absence.id,
        practitioner_id=absence.practitioner_id,
        start=absence.start_at,
        end=absence.end_at,
        reason=absence.reason,
    )


@router.get("/api/v1/practitioners", response_model=Page[PractitionerOut | PractitionerPublicOut])
async def list_practitioners(
    request: Request,
    session: DbSession,
    principal: MaybeUser,
    page: Pagination,
    include_inactive: bool = False,
) -> Response:
    """The team. Staff also see accounts, inactive practitioners (on request) and prices. The
    public's answer carries an `ETag` (`304` on `If-None-Match`)."""
    staff = principal is not None and principal.is_staff

    async def build() -> bytes:
        found = await paginate(
            session,
            repository.practitioners_query(include_inactive=staff and include_inactive),
            order_by=repository.PRACTITIONER_ORDER,
            params=page,
            to_item=lambda p: p,
        )
        answer = Page[PractitionerOut | PractitionerPublicOut](
            items=await _out(session, found.items, staff=staff), next_cursor=found.next_cursor
        )
        return answer.model_dump_json().encode()

    return await public_read(request, session, build, public=not staff)


@router.get(
    "/api/v1/practitioners/{practitioner_id}",
    response_model=PractitionerOut | PractitionerPublicOut,
    responses=error_responses(PractitionerNotFound),
)
async def get_practitioner(
    request: Request, practitioner_id: UUID, session: DbSession, principal: MaybeUser
) -> Response:
    """One practitioner; the public's card carries an `ETag` like the list."""
    staff = principal is not None and principal.is_staff

    async def build() -> bytes:
        practitioner = await service.get_practitioner(session, practitioner_id)
        if not practitioner.is_active and not staff:
            raise PractitionerNotFound()
        return (await _out(session, [practitioner], staff=staff))[0].model_dump_json().encode()

    return await public_read(request, session, build, public=not staff)


@router.post(
    "/api/v1/practitioners",
    status_code=status.HTTP_201_CREATED,
    responses=error_responses(*_WRITE_ERRORS),
)
async def create_practitioner(
    body: PractitionerCreate, _: Manager, session: DbSession
) -> PractitionerOut:
    practitioner = await service.create_practitioner(session, body)
    return (await _staff_out(session, [practitioner]))[0]


@router.patch(
    "/api/v1/practitioners/{practitioner_id}",
    responses=error_responses(PractitionerNotFound, bookings.BookingsInConflict, *_WRITE_ERRORS),
)
async def update_practitioner(
    practitioner_id: UUID, body: PractitionerUpdate, _: Manager, session: DbSession
) -> PractitionerUpdated:
    """Change her record; `is_active: false` retires her (see `force`)."""
    practitioner, conflicts = await service.update_practitioner(session, practitioner_id, body)
    out = (await _staff_out(session, [practitioner]))[0]
    return PractitionerUpdated(**out.model_dump(), conflicting_bookings=conflicts)


@router.delete(
    "/api/v1/practitioners/{practitioner_id}",
    responses=error_responses(PractitionerNotFound, bookings.BookingsInConflict),
)
async def retire_practitioner(
    practitioner_id: UUID,
    _: Manager,
    session: DbSession,
    force: Annotated[bool, Query(description=bookings.FORCE_DESCRIPTION)] = False,
) -> PractitionerRetired:
    """She is no longer offered for bookings; her past bookings stay. While she has future
    bookings it is refused (409 `bookings_in_conflict` with the list) unless `force`; then
    they are listed for reassignment."""
    practitioner, conflicts = await service.update_practitioner(
        session, practitioner_id, PractitionerUpdate(is_active=False, force=force)
    )
    return PractitionerRetired(
        id=practitioner.id, is_active=practitioner.is_active, conflicting_bookings=conflicts
    )


@router.get(
    "/api/v1/practitioners/{practitioner_id}/working-hours",
    responses=error_responses(PractitionerNotFound),
)
async def get_working_hours(
    practitioner_id: UUID, _: Staff, session: DbSession
) -> Page[WeeklyInterval]:
    """Her week (one page)."""
    await service.get_practitioner(session, practitioner_id)
    return Page[WeeklyInterval](items=await service.working_hours(session, practitioner_id))


@router.put(
    "/api/v1/practitioners/{practitioner_id}/working-hours",
    responses=error_responses(PractitionerNotFound, OverlappingHours),
)
async def replace_working_hours(
    practitioner: SelfOrManager, body: list[WeeklyInterval], session: DbSession
) -> Page[WeeklyInterval]:
    """Her whole week, replaced (managers, or the practitioner herself)."""
    saved = await service.replace_working_hours(session, practitioner, body)
    return Page[WeeklyInterval](items=saved)


@router.post(
    "/api/v1/practitioners/{practitioner_id}/absences",
    status_code=status.HTTP_201_CREATED,
    responses=error_responses(PractitionerNotFound, bookings.BookingsInConflict),
)
async def add_absence(
    practitioner: SelfOrFrontDesk, body: AbsenceIn, session: DbSession
) -> AbsenceCreated:
    """Her holidays or sick leave. Her live bookings in that time refuse it (409 with the
    list) unless `force`, and are then listed for rebooking."""
    absence, conflicts = await service.add_absence(
        session,
        practitioner,
        start=body.start,
        end=body.end,
        reason=body.reason,
        force=body.force,
    )
    return AbsenceCreated(**_absence_out(absence).model_dump(), conflicting_bookings=conflicts)


@router.get(
    "/api/v1/practitioners/{practitioner_id}/absences",
    responses=error_responses(PractitionerNotFound),
)
async def list_absences(
    practitioner_id: UUID,
    _: Staff,
    session: DbSession,
    date_from: SalonDate | None = None,
    date_to: SalonDate | None = None,
) -> Page[AbsenceOut]:
    """Her absences touching the dates (one page)."""
    await service.get_practitioner(session, practitioner_id)
    tz = zone()
    found = await service.absences(
        session,
        practitioner_id,
        start=local_day_span(date_from, tz)[0] if date_from else None,
        end=local_day_span(date_to, tz)[1] if date_to else None,
    )
    return Page[AbsenceOut](items=[_absence_out(a) for a in found])


@router.delete(
    "/api/v1/practitioners/{practitioner_id}/absences/{absence_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=error_responses(PractitionerNotFound, AbsenceNotFound),
)
async def delete_absence(
    practitioner: SelfOrFrontDesk, absence_id: UUID, session: DbSession
) -> None:
    await service.delete_absence(session, practitioner.id, absence_id)


@router.get("/api/v1/resources")
async def list_resources(_: Staff, session: DbSession) -> Page[ResourceOut]:
    """Every room and piece of equipment, by name (one page)."""
    found = await service.list_resources(session)
    return Page[ResourceOut](items=[ResourceOut.model_validate(r) for r in found])


@router.post(
    "/api/v1/resources",
    status_code=status.HTTP_201_CREATED,
    responses=error_responses(ResourceNameTaken),
)
async def create_resource(body: ResourceIn, _: Manager, session: DbSession) -> ResourceOut:
    resource = Resource(
        id=new_id(), name=body.name, kind=body.kind, is_active=True, created_at=utcnow()
    )
    return ResourceOut.model_validate(await service.save_resource(session, resource))


@router.patch(
    "/api/v1/resources/{resource_id}",
    responses=error_responses(ResourceNotFound, ResourceNameTaken),
)
async def update_resource(
    resource_id: UUID, body: ResourceUpdate, _: Manager, session: DbSession
) -> ResourceOut:
    resource = await service.get_resource(session, resource_id)
    for key, value in body.model_dump(exclude_unset=True).items():
        setattr(resource, key, value)
    return ResourceOut.model_validate(await service.save_resource(session, resource))


@router.delete(
    "/api/v1/resources/{resource_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=error_responses(ResourceNotFound),
)
async def retire_resource(resource_id: UUID, _: Manager, session: DbSession) -> None:
    resource = await service.get_resource(session, resource_id)
    resource.is_active = False


@router.get(
    "/api/v1/practitioners/{practitioner_id}/calendar-feed",
    responses=error_responses(PractitionerNotFound),
)
async def calendar_feed_link(practitioner: SelfOrManager, session: DbSession) -> CalendarFeedOut:
    """The private iCalendar link for her phone (managers, or the practitioner herself). Only
    a digest of its token is kept, so the link is shown when it is made: the first call makes
    one; later calls answer `url: null` with its date until `.../calendar-feed/rotate`."""
    link = await bookings.feed_link(session, practitioner.id)
    return CalendarFeedOut(url=link.url, issued_at=link.issued_at)


@router.post(
    "/api/v1/practitioners/{practitioner_id}/calendar-feed/rotate",
    responses=error_responses(PractitionerNotFound),
)
async def rotate_calendar_feed(practitioner: SelfOrManager, session: DbSession) -> CalendarFeedOut:
    """A new private link; the previous one stops working at once (a lost phone, a link
    shared by mistake)."""
    link = await bookings.new_feed_link(session, practitioner.id)
    return CalendarFeedOut(url=link.url, issued_at=link.issued_at)
