"""Scale-out (issue 18): two Celery workers run the same periodic work at the same moment;
each unit of it is still done once. Reminders have theirs in
tests/notifications/test_messages.py (three scans at once, one reminder); here hold expiry and
outbox delivery, each with two runs racing on their own sessions."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from uuid import UUID

import pytest
from httpx import AsyncClient
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.bookings.models import Booking, BookingEvent
from app.bookings.tasks import expire_holds
from app.core import clock, outbox
from app.core.db import unit_of_work
from app.core.outbox import OutboxEvent
from tests.bookings.salon import make_practitioner, make_service, open_salon, paris

pytestmark = pytest.mark.race

handled: list[str] = []


class Counted(outbox.Payload):
    label: str


COUNTED = outbox.Topic("test.scale_out_counted", Counted)


@outbox.handles(COUNTED, name="tests.scale_out_counted")
async def _count(_: AsyncSession, payload: Counted) -> None:
    await asyncio.sleep(0)  # let the other worker run meanwhile
    handled.append(payload.label)


async def test_two_workers_expiring_holds_at_once_expire_each_hold_once(
    client: AsyncClient, session: AsyncSession
) -> None:
    clock.pin(paris(2027, 3, 15, 8))
    await open_salon()
    massage = await make_service("Massage", minutes=60, price_cents=9000, deposit_percent="30")
    await make_practitioner("Camille", [massage])
    held = []
    for hour in (9, 10, 11):
        answer = await client.post(
            "/api/v1/bookings",
            json={
                "service_ids": [str(massage)],
                "start": f"2027-03-22T{hour:02d}:00:00+01:00",
                "client": {"first_name": "A", "last_name": str(hour), "phone": "0612345678"},
            },
        )
        assert answer.json()["status"] == "pending_payment", answer.text
        held.append(UUID(answer.json()["id"]))
    clock.travel(timedelta(minutes=16))

    counts = await asyncio.gather(expire_holds(), expire_holds())

    assert sum(counts) == len(held)
    events = await session.scalars(
        select(BookingEvent.booking_id).where(BookingEvent.kind == "hold_expired")
    )
    assert sorted(events.all()) == sorted(held)
    statuses = await session.scalars(select(Booking.status).where(Booking.id.in_(held)))
    assert set(statuses.all()) == {"cancelled"}


async def test_two_workers_dispatching_the_outbox_at_once_deliver_each_event_once() -> None:
    handled.clear()
    tokens = [f"event-{n}" for n in range(40)]
    async with unit_of_work() as session:
        for token in tokens:
            await outbox.enqueue(session, COUNTED, {"label": token})

    counts = await asyncio.gather(outbox.dispatch_due(), outbox.dispatch_due())

    assert sorted(handled) == sorted(tokens)
    assert sum(counts) == len(tokens)
    async with unit_of_work() as session:
        attempts = await session.scalars(
            select(OutboxEvent.attempts).where(OutboxEvent.topic == COUNTED.name)
        )
        assert attempts.all() == [1] * len(tokens)
