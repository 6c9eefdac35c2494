from __future__ import annotations

from datetime import timedelta
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query, Response, status

from app.auth.public import (
    FRONT_DESK,
    ClientIp,
    ClientSelf,
    FrontDesk,
    MaybeUser,
    Staff,
    limit_visitor,
)
from app.availability.public import ServicesNotBookable
from app.bookings import calendar, feeds, links, repository, service, waitlist
from app.bookings.access import OwnCalendar, ensure_practitioner_may_book
from app.bookings.dependencies import BookingForCaller, actor_of
from app.bookings.errors import (
    BookingNotChangeable,
    BookingNotFound,
    CalendarFeedRevoked,
    ClientRequired,
    InvalidCalendarFeed,
    InvalidManageLink,
    PrerequisiteMissing,
    SlotUnavailable,
    TooEarlyForStatus,
    TooLateToChange,
    TransitionNotAllowed,
)
from app.bookings.models import Booking, BookingItem, BookingSource, BookingStatus, WaitlistEntry
from app.bookings.names import Names, names_for
from app.bookings.schemas import (
    BookingCreate,
    BookingItemOut,
    BookingOut,
    CalendarOut,
    CancelIn,
    RescheduleIn,
    StatusIn,
    WaitlistIn,
    WaitlistOut,
)
from app.clients import public as clients
from app.core.clock import utcnow
from app.core.db import DbSession
from app.core.errors import Forbidden, RateLimited, error_responses
from app.core.pagination import Page, Pagination, paginate
from app.core.timeutils import SalonDate, local_day_span, zone
from app.practitioners import public as practitioners
from app.referrals import public as referrals

router = APIRouter(tags=["bookings"])

_CHANGE_ERRORS = (SlotUnavailable, BookingNotChangeable, TooLateToChange, BookingNotFound)


def _booking_out(
    booking: Booking, items: list[BookingItem], names: Names, *, with_token: bool = False
) -> BookingOut:
    return BookingOut(
        id=booking.id,
        status=BookingStatus(booking.status),
        start=booking.start_at,
        end=booking.end_at,
        client_id=booking.client_id,
        client_name=names.clients.get(booking.client_id, ""),
        source=BookingSource(booking.source),
        location=booking.location,
        home_address=booking.home_address,
        total_cents=booking.total_cents,
        travel_fee_cents=booking.travel_fee_cents,
        discount_cents=booking.discount_cents,
        deposit_cents=booking.deposit_cents,
        deposit_policy=booking.deposit_policy,
        hold_expires_at=booking.hold_expires_at,
        notes=booking.notes,
        cancelled_at=booking.cancelled_at,
        cancelled_by=booking.cancelled_by,
        late_cancellation=booking.late_cancellation,
        created_at=booking.created_at,
        items=[
            BookingItemOut(
                id=i.id,
                service_id=i.service_id,
                service_name=names.services.get(i.service_id, ""),
                practitioner_id=i.practitioner_id,
                practitioner_name=names.practitioners.get(i.practitioner_id, ""),
                start=i.start_at,
                end=i.end_at,
                price_cents=i.price_cents,
                covered_by=i.covered_by,
            )
            for i in items
        ],
        manage_token=links.manage_token(booking.id, booking.end_at) if with_token else None,
    )


async def _out(session: DbSession, booking: Booking, *, with_token: bool = False) -> BookingOut:
    items = (await repository.items_of(session, [booking.id]))[booking.id]
    names = await names_for(session, [booking], items)
    return _booking_out(booking, items, names, with_token=with_token)


async def _page_out(session: DbSession, page: Page[Booking]) -> Page[BookingOut]:
    """A page of bookings with their items, loaded in one query for the whole page."""
    items = await repository.items_of(session, [b.id for b in page.items])
    names = await names_for(session, page.items, [i for v in items.values() for i in v])
    return Page[BookingOut](
        items=[_booking_out(b, items[b.id], names) for b in page.items],
        next_cursor=page.next_cursor,
    )


@router.post(
    "/api/v1/bookings",
    status_code=status.HTTP_201_CREATED,
    responses=error_responses(
        SlotUnavailable,
        PrerequisiteMissing,
        ClientRequired,
        ServicesNotBookable,
        RateLimited,
        referrals.UnknownReferralCode,
    ),
)
async def create_booking(
    body: BookingCreate, principal: MaybeUser, session: DbSession, ip: ClientIp
) -> BookingOut:
    """Book one or more services in sequence. The slot is re-checked here; a taken or invalid
    slot answers 409 `slot_unavailable` and creates nothing. Send an `Idempotency-Key`.
    Online bookings (and holds) are limited per address and per contact (429)."""
    await limit_visitor("booking", principal, ip, *(body.client.contacts if body.client else ()))
    await ensure_practitioner_may_book(
        session,
        principal,
        client_id=body.client_id,
        email=str(body.client.email) if body.client and body.client.email else None,
        phone=body.client.phone if body.client else None,
    )
    actor = actor_of(principal)
    if actor.kind == "link":
        actor = service.Actor(kind="online")
    is_staff = actor.kind == "staff"
    data = service.NewBooking(
        service_ids=body.service_ids,
        start=body.start,
        practitioner_id=body.practitioner_id,
        client_id=body.client_id if is_staff else None,
        client=body.client,
        source=(body.source or BookingSource.phone) if is_staff else BookingSource.online,
        notes=body.notes,
        location=body.location,
        home_address=body.home_address,
        home_point=(body.home_latitude, body.home_longitude)
        if body.home_latitude is not None and body.home_longitude is not None
        else None,
        terms_version=body.terms_version,
        use_coverage=body.use_package,
    )
    if body.referral_code is not None:
        await referrals.check_code(session, body.referral_code)
    booking = await service.create_booking(session, actor, data)
    if body.referral_code is not None:
        await referrals.claim_on_booking(
            session, client_id=booking.client_id, code=body.referral_code, booking_id=booking.id
        )
    return await _out(session, booking, with_token=True)


@router.get("/api/v1/bookings", dependencies=[OwnCalendar])
async def list_bookings(
    principal: Staff,
    session: DbSession,
    page: Pagination,
    date_from: SalonDate | None = None,
    date_to: SalonDate | None = None,
    status_in: Annotated[list[BookingStatus] | None, Query(alias="status")] = None,
    client_id: UUID | None = None,
    practitioner_id: UUID | None = None,
) -> Page[BookingOut]:
    """Bookings by start time. A practitioner only sees her own."""
    if not principal.has_role(*FRONT_DESK):
        practitioner_id = await practitioners.practitioner_for_user(session, principal.user_id)
        if practitioner_id is None:
            raise Forbidden("Your account is not linked to a practitioner.")
    tz = zone()
    statement = repository.bookings_query(
        start=local_day_span(date_from, tz)[0] if date_from else None,
        end=local_day_span(date_to, tz)[1] if date_to else None,
        statuses=[s.value for s in status_in] if status_in else None,
        client_id=client_id,
        practitioner_id=practitioner_id,
    )
    result = await paginate(
        session,
        statement,
        order_by=(Booking.start_at, Booking.id),
        params=page,
        to_item=lambda b: b,
    )
    return await _page_out(session, result)


@router.get("/api/v1/me/bookings")
async def my_bookings(
    principal: ClientSelf, session: DbSession, page: Pagination
) -> Page[BookingOut]:
    """The client's own bookings, most recent first (upcoming ones included)."""
    own = await clients.client_for_user(session, principal.user_id)
    if own is None:
        return Page[BookingOut](items=[])
    result = await paginate(
        session,
        repository.bookings_query(client_id=own.id),
        order_by=(Booking.start_at, Booking.id),
        params=page,
        descending=True,
        to_item=lambda b: b,
    )
    return await _page_out(session, result)


@router.get("/api/v1/bookings/{booking_id}", responses=error_responses(BookingNotFound))
async def get_booking(booking: BookingForCaller, session: DbSession) -> BookingOut:
    return await _out(session, booking)


@router.post("/api/v1/bookings/{booking_id}/cancel", responses=error_responses(*_CHANGE_ERRORS))
async def cancel_booking(
    body: CancelIn, booking: BookingForCaller, principal: MaybeUser, session: DbSession
) -> BookingOut:
    booking = await service.cancel_booking(
        session,
        booking,
        actor_of(principal),
        reason=body.reason,
        requested_by_client=body.requested_by_client,
    )
    return await _out(session, booking)


@router.post("/api/v1/bookings/{booking_id}/reschedule", responses=error_responses(*_CHANGE_ERRORS))
async def reschedule_booking(
    body: RescheduleIn, booking: BookingForCaller, principal: MaybeUser, session: DbSession
) -> BookingOut:
    booking = await service.reschedule_booking(
        session,
        booking,
        actor_of(principal),
        start=body.start,
        practitioner_id=body.practitioner_id,
    )
    return await _out(session, booking)


@router.post(
    "/api/v1/bookings/{booking_id}/status",
    responses=error_responses(TransitionNotAllowed, TooEarlyForStatus, BookingNotFound),
)
async def change_status(
    principal: Staff, body: StatusIn, booking: BookingForCaller, session: DbSession
) -> BookingOut:
    """Check in, complete, or mark a no-show (front desk, or the practitioner for her own)."""
    booking = await service.change_status(
        session, booking, actor_of(principal), target=BookingStatus(body.status), note=body.note
    )
    return await _out(session, booking)


@router.get("/api/v1/bookings/manage/{token}", responses=error_responses(InvalidManageLink))
async def view_by_link(token: str, session: DbSession) -> BookingOut:
    """The booking behind a manage link from the confirmation (no account needed)."""
    booking = await links.booking_from_link(session, token)
    return await _out(session, booking)


@router.post(
    "/api/v1/bookings/manage/{token}/cancel",
    responses=error_responses(InvalidManageLink, *_CHANGE_ERRORS),
)
async def cancel_by_link(token: str, body: CancelIn, session: DbSession) -> BookingOut:
    booking = await links.booking_from_link(session, token, lock=True)
    booking = await service.cancel_booking(
        session, booking, service.Actor(kind="link"), reason=body.reason
    )
    return await _out(session, booking)


@router.post(
    "/api/v1/bookings/manage/{token}/reschedule",
    responses=error_responses(InvalidManageLink, *_CHANGE_ERRORS),
)
async def reschedule_by_link(token: str, body: RescheduleIn, session: DbSession) -> BookingOut:
    """Move the booking; the answer carries a fresh `manage_token` that lasts to the new end."""
    booking = await links.booking_from_link(session, token, lock=True)
    booking = await service.reschedule_booking(
        session,
        booking,
        service.Actor(kind="link"),
        start=body.start,
        practitioner_id=body.practitioner_id,
    )
    return await _out(session, booking, with_token=True)


@router.get("/api/v1/calendar", dependencies=[OwnCalendar])
async def staff_calendar(
    principal: Staff,
    session: DbSession,
    date_from: SalonDate,
    days: Annotated[int, Query(ge=1, le=31)] = 1,
    practitioner_id: UUID | None = None,
) -> CalendarOut:
    """Bookings, blocks and absences per practitioner for a day or a week. A practitioner
    sees only her own calendar."""
    ids = [practitioner_id] if practitioner_id else None
    if not principal.has_role(*FRONT_DESK):
        own = await practitioners.practitioner_for_user(session, principal.user_id)
        if own is None or (practitioner_id is not None and practitioner_id != own):
            raise Forbidden("You can only see your own calendar.")
        ids = [own]
    entries = await calendar.calendar(session, date_from=date_from, days=days, practitioner_ids=ids)
    return CalendarOut(
        date_from=date_from, date_to=date_from + timedelta(days=days - 1), entries=entries
    )


@router.get(
    "/api/v1/calendar/feeds/{practitioner_id}.ics",
    response_class=Response,
    responses=error_responses(InvalidCalendarFeed, CalendarFeedRevoked),
)
async def calendar_feed(practitioner_id: UUID, token: str, session: DbSession) -> Response:
    await feeds.check(session, practitioner_id, token)
    body = await calendar.ical_feed(session, practitioner_id, now=utcnow())
    return Response(body, media_type="text/calendar; charset=utf-8")


@router.post(
    "/api/v1/waitlist",
    status_code=status.HTTP_201_CREATED,
    responses=error_responses(ClientRequired, RateLimited),
)
async def join_waitlist(
    body: WaitlistIn, principal: MaybeUser, session: DbSession, ip: ClientIp
) -> WaitlistOut:
    """Wait for a slot for these services between two dates; freed slots are offered in order
    of arrival."""
    await limit_visitor("waitlist", principal, ip, *(body.client.contacts if body.client else ()))
    is_staff = principal is not None and principal.is_staff
    entry = await waitlist.join(
        session,
        service_ids=body.service_ids,
        date_from=body.date_from,
        date_to=body.date_to,
        practitioner_id=body.practitioner_id,
        client_id=body.client_id if is_staff else None,
        client=body.client,
    )
    return WaitlistOut.model_validate(entry)


@router.get("/api/v1/waitlist")
async def list_waitlist(
    _: FrontDesk,
    session: DbSession,
    page: Pagination,
    status_filter: Annotated[str | None, Query(alias="status")] = None,
) -> Page[WaitlistOut]:
    """Waiting clients, first come first."""
    return await paginate(
        session,
        waitlist.entries_query(status=status_filter),
        order_by=(WaitlistEntry.id,),
        params=page,
        to_item=WaitlistOut.model_validate,
    )
