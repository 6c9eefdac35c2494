"""Messages following the other domains: a paid deposit, a waitlist offer, an unpaid hold,
and delivery by a real Celery worker on the real Redis."""

from __future__ import annotations

import asyncio
import re
from datetime import datetime
from urllib.parse import parse_qs, urlsplit

import pytest
from celery.contrib.testing.worker import start_worker
from httpx import AsyncClient
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.auth.models import Role
from app.core import clock
from app.integrations.console import console
from app.notifications.models import Message
from tests.bookings.salon import (
    book_by_staff,
    facial_with_camille,
    make_client,
    paris,
)
from tests.builders import AuthHeaders, deliver_messages
from tests.fakes.server import FakeProviders
from tests.payments.helpers import (
    A_WEEK_BEFORE,
    NINE,
    hold,
    pay_deposit,
    post_stripe,
    salon_with_deposit,
)


@pytest.fixture(autouse=True)
def _a_week_before() -> None:
    clock.pin(A_WEEK_BEFORE)


async def templates(session: AsyncSession) -> list[tuple[str, str]]:
    session.expire_all()
    rows = await session.execute(
        select(Message.template, Message.channel).order_by(Message.template, Message.channel)
    )
    return [(t, c) for t, c in rows]


async def test_a_paid_deposit_says_so_and_an_unpaid_hold_says_nothing(
    client: AsyncClient, session: AsyncSession, fakes: FakeProviders
) -> None:
    massage, _ = await salon_with_deposit(price_cents=9000)
    paid = await hold(client, massage)
    unpaid = await hold(client, massage, start="2027-03-22T14:00:00+01:00")
    checkout = (await pay_deposit(client, paid)).json()
    await post_stripe(client, fakes.stripe.pay(checkout["client_secret"]))
    await client.post(f"/api/v1/bookings/manage/{unpaid['manage_token']}/cancel", json={})

    await deliver_messages()

    assert await templates(session) == [("deposit_received", "email"), ("deposit_received", "sms")]
    [mail] = console.emails
    assert (
        "Nous avons bien reçu 27,00\u00a0€ d'arrhes : votre rendez-vous est confirmé." in mail.text
    )
    assert "Reste à régler sur place : 63,00\u00a0€" in mail.text


async def test_a_freed_slot_is_offered_to_the_waitlist_with_a_link_that_reads_back(
    client: AsyncClient, session: AsyncSession, auth_headers: AuthHeaders
) -> None:
    desk = await auth_headers(Role.receptionist)
    facial, _ = await facial_with_camille()
    taken = await book_by_staff(client, desk, [facial], NINE)
    waiting = await make_client("Inès", email="ines@example.fr", phone="+33698765432")
    entry = await client.post(
        "/api/v1/waitlist",
        json={
            "service_ids": [str(facial)],
            "date_from": "2027-03-22",
            "date_to": "2027-03-22",
            "client_id": str(waiting),
        },
        headers=desk,
    )
    assert entry.status_code == 201, entry.text

    await client.post(f"/api/v1/bookings/{taken['id']}/cancel", json={}, headers=desk)
    await deliver_messages()

    offers = [s for s in console.sms if s.to == "+33698765432"]
    assert len(offers) == 1
    assert "22/03 à 9h00" in offers[0].text
    assert ("waitlist_offer", "email") in await templates(session)
    [mail] = [m for m in console.emails if m.to == "ines@example.fr"]
    for text in (offers[0].text, mail.text):  # the offset's "+" survives the trip
        [link] = [u for u in re.findall(r"https?://\S+", text) if "/reserver" in u]
        query = parse_qs(urlsplit(link).query, strict_parsing=True)
        assert datetime.fromisoformat(query["debut"][0]) == paris(2027, 3, 22, 9)
        assert query["services"] == [str(facial)]


@pytest.mark.usefixtures("requires_redis")
async def test_a_real_worker_delivers_through_redis(
    client: AsyncClient, session: AsyncSession, auth_headers: AuthHeaders
) -> None:
    from app.core.outbox import dispatch_due
    from app.worker import celery_app

    deliver_task = celery_app.tasks["notifications.deliver"]
    assert not celery_app.conf.task_always_eager
    desk = await auth_headers(Role.receptionist)
    facial, _ = await facial_with_camille()
    await book_by_staff(client, desk, [facial], NINE, await make_client(phone="+33612345678"))
    await dispatch_due()

    with start_worker(celery_app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        deliver_task.delay()
        deliver_task.delay()  # two runs: still one message per channel
        for _ in range(100):
            session.expire_all()
            statuses = list(await session.scalars(select(Message.status)))
            await session.rollback()
            if statuses == ["sent", "sent"]:
                break
            await asyncio.sleep(0.1)

    assert statuses == ["sent", "sent"]
    assert len(console.sms) == 1
    assert len(console.emails) == 1


async def test_make_run_sends_to_the_console_without_a_worker(
    client: AsyncClient, session: AsyncSession, auth_headers: AuthHeaders
) -> None:
    """`make run` has no Redis: its in-process beat runs the outbox and delivers."""
    from app.devserver import in_process_beat

    desk = await auth_headers(Role.receptionist)
    facial, _ = await facial_with_camille()
    await book_by_staff(client, desk, [facial], NINE)

    with in_process_beat(tick_seconds=0.05):
        for _ in range(200):
            if console.emails:
                break
            await asyncio.sleep(0.05)

    assert [m.subject for m in console.emails] == [
        "Votre rendez-vous du lundi 22 mars 2027 à 9 h 00 est confirmé"
    ]
