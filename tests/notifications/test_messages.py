"""What the client receives: written with the change that causes it, sent once, retried,
never against her choices; reminders that are neither lost nor doubled."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any
from uuid import UUID

import pytest
from httpx import AsyncClient
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.auth.models import Role
from app.bookings import public as bookings
from app.core import clock
from app.core.outbox import dispatch_due
from app.integrations.console import console
from app.notifications import handlers
from app.notifications.delivery import deliver_due
from app.notifications.models import Message
from app.notifications.reminders import scan
from tests.bookings.salon import (
    book_by_staff,
    facial_with_camille,
    make_client,
    make_practitioner,
    make_service,
    open_salon,
    paris,
)
from tests.builders import AuthHeaders, deliver_messages
from tests.fakes.server import FakeProviders

NINE = "2027-03-22T09:00:00+01:00"  # a Monday


@pytest.fixture(autouse=True)
def _a_week_before() -> None:
    clock.pin(paris(2027, 3, 15, 8))


@pytest.fixture
async def desk(auth_headers: AuthHeaders) -> dict[str, str]:
    return await auth_headers(Role.receptionist)


async def booked(client: AsyncClient, desk: dict[str, str], start: str = NINE) -> dict[str, Any]:
    facial, _ = await facial_with_camille()
    client_id = await make_client(email="helene@example.fr", phone="+33612345678")
    return await book_by_staff(client, desk, [facial], start, client_id)


async def messages(session: AsyncSession, **where: Any) -> list[Message]:
    session.expire_all()
    statement = select(Message).order_by(Message.created_at, Message.channel)
    for key, value in where.items():
        statement = statement.where(getattr(Message, key) == value)
    return list(await session.scalars(statement))


async def test_a_confirmed_booking_writes_exactly_one_confirmation_per_channel(
    client: AsyncClient, session: AsyncSession, desk: dict[str, str]
) -> None:
    booking = await booked(client, desk)
    payload = bookings.BookingConfirmed(booking_id=UUID(booking["id"]))

    assert await deliver_messages() == 2
    async with session.begin():  # the same event handled again writes nothing new
        await handlers.on_confirmed(session, payload)
    assert await deliver_messages() == 0

    written = await messages(session, template="booking_confirmed")
    assert [(m.channel, m.status) for m in written] == [("email", "sent"), ("sms", "sent")]
    [mail] = console.emails
    assert mail.to == "helene@example.fr"
    assert "lundi 22 mars 2027 à 9 h 00" in mail.text
    assert "Soin visage" in mail.text
    [sms] = console.sms
    assert sms.to == "+33612345678"
    assert "22/03 à 9h00" in sms.text
    listed = await client.get(
        "/api/v1/notifications/messages", params={"booking_id": booking["id"]}, headers=desk
    )
    assert [m["template"] for m in listed.json()["items"]] == ["booking_confirmed"] * 2


async def test_the_reminder_goes_once_even_when_two_scans_run_together(
    client: AsyncClient, session: AsyncSession, desk: dict[str, str]
) -> None:
    booking = await booked(client, desk)
    await deliver_messages()
    clock.travel(timedelta(days=6, hours=3))  # Sunday 11:00: the visit is within 24 h

    counts = await asyncio.gather(scan(), scan(), scan())
    again = await scan()

    assert sorted(counts) == [0, 0, 2]
    assert again == 0
    assert await deliver_messages() == 2
    reminders = await messages(session, template="booking_reminder", booking_id=UUID(booking["id"]))
    assert [(m.channel, m.status) for m in reminders] == [("email", "sent"), ("sms", "sent")]
    assert "demain" in console.sms[-1].text


async def test_moving_a_booking_rearms_its_reminder_and_cancelling_drops_it(
    client: AsyncClient, session: AsyncSession, desk: dict[str, str], auth_headers: AuthHeaders
) -> None:
    booking = await booked(client, desk)
    await deliver_messages()
    clock.travel(timedelta(days=6, hours=3))
    desk = await auth_headers(Role.receptionist)  # a new day, a new login
    await scan()  # the 9:00 reminder is written, not yet sent

    moved = await client.post(
        f"/api/v1/bookings/{booking['id']}/reschedule",
        json={"start": "2027-03-22T10:00:00+01:00"},
        headers=desk,
    )
    assert moved.status_code == 200, moved.text
    await dispatch_due()
    await scan()
    await deliver_messages()

    reminders = await messages(session, template="booking_reminder")
    assert sorted(m.status for m in reminders) == ["cancelled", "cancelled", "sent", "sent"]
    sent = [m for m in reminders if m.status == "sent"]
    assert all("10 h 00" in m.body_text or "10h00" in m.body_text for m in sent)
    assert len(await messages(session, template="booking_moved")) == 2

    await scan()
    await client.post(f"/api/v1/bookings/{booking['id']}/cancel", json={}, headers=desk)
    await deliver_messages()
    assert len(await messages(session, template="booking_reminder", status="sent")) == 2
    assert len(await messages(session, template="booking_cancelled", status="sent")) == 2


async def test_a_booking_made_inside_the_reminder_window_gets_no_separate_reminder(
    client: AsyncClient, session: AsyncSession, auth_headers: AuthHeaders
) -> None:
    clock.pin(paris(2027, 3, 21, 18))
    await booked(client, await auth_headers(Role.receptionist))

    assert await scan() == 0


async def test_a_client_who_turned_sms_off_gets_none(
    client: AsyncClient,
    session: AsyncSession,
    desk: dict[str, str],
    real_channels: FakeProviders,
) -> None:
    await open_salon()
    facial = await make_service("Soin visage", minutes=60, price_cents=6000)
    await make_practitioner("Camille", [facial])
    client_id = await make_client(email="helene@example.fr", phone="+33612345678")
    off = await client.put(
        f"/api/v1/clients/{client_id}/notification-preferences",
        json={"sms": False, "email": True},
        headers=desk,
    )
    await book_by_staff(client, desk, [facial], NINE, client_id)

    await deliver_messages()

    assert off.json() == {"sms": False, "email": True}
    [sms] = await messages(session, channel="sms")
    assert sms.status == "suppressed"
    assert sms.status_reason == "the client turned off sms messages"
    assert real_channels.ovh.jobs == []
    [mail] = real_channels.resend.sent
    assert mail["to"] == ["helene@example.fr"]
    assert mail["text"].startswith("Bonjour Hélène")
    assert "<html" in mail["html"]


async def test_a_failing_delivery_is_retried_then_marked_failed(
    client: AsyncClient,
    session: AsyncSession,
    desk: dict[str, str],
    auth_headers: AuthHeaders,
    real_channels: FakeProviders,
) -> None:
    real_channels.resend.failures = 100
    await booked(client, desk)
    await dispatch_due()

    for attempt in range(1, 7):
        await deliver_due()
        [mail] = await messages(session, channel="email")
        assert mail.attempts == attempt
        clock.travel(timedelta(hours=1))

    assert mail.status == "failed"
    assert mail.last_error is not None
    assert mail.last_error.startswith("Resend 500")
    desk = await auth_headers(Role.receptionist)  # hours later
    failed = await client.get(
        "/api/v1/notifications/messages", params={"status": "failed"}, headers=desk
    )
    assert [m["id"] for m in failed.json()["items"]] == [str(mail.id)]

    real_channels.resend.failures = 0
    retried = await client.post(f"/api/v1/notifications/messages/{mail.id}/retry", headers=desk)
    assert retried.json()["status"] == "queued"
    assert await deliver_due() == 1
    assert len(real_channels.resend.sent) == 1


async def test_the_first_failures_back_off_then_succeed(
    client: AsyncClient,
    session: AsyncSession,
    desk: dict[str, str],
    real_channels: FakeProviders,
) -> None:
    real_channels.ovh.failures = 1
    await booked(client, desk)
    await dispatch_due()

    await deliver_due()
    [sms] = await messages(session, channel="sms")
    assert (sms.status, sms.attempts) == ("queued", 1)
    assert await deliver_due() == 0  # not before its backoff
    clock.travel(timedelta(minutes=1))
    assert await deliver_due() == 1

    [job] = real_channels.ovh.jobs
    assert job["noStopClause"] is True  # a service message
    assert job["sender"] == "SERENAIA"
    assert job["receiver"] == "+33612345678"


async def test_a_worker_that_died_mid_send_never_sends_twice(
    client: AsyncClient,
    session: AsyncSession,
    desk: dict[str, str],
    real_channels: FakeProviders,
) -> None:
    from app.notifications.channels import sender_for
    from app.notifications.content import open_message

    await booked(client, desk)
    await dispatch_due()
    # A worker claimed both messages, sent them, and died before writing it down.
    for message in await messages(session):
        await sender_for(message.channel).send(
            open_message(message), key=str(message.id), resumed=False
        )
    await session.execute(
        update(Message).values(
            status="sending", attempts=1, lease_until=clock.utcnow() - timedelta(seconds=1)
        )
    )
    await session.commit()

    assert await deliver_due() == 2

    assert len(real_channels.resend.sent) == 1
    assert len(real_channels.ovh.jobs) == 1
    assert [m.status for m in await messages(session)] == ["sent", "sent"]


async def test_an_e_mail_with_an_attachment_reaches_resend_as_documented(
    session: AsyncSession, real_channels: FakeProviders
) -> None:
    import base64

    from app.notifications.channels import encode_attachment
    from app.notifications.models import Channel
    from app.notifications.service import Recipient, queue

    async with session.begin():
        await queue(
            session,
            template="custom",
            channel=Channel.email,
            recipient=Recipient(None, "Hélène", "helene@example.fr", None),
            context={"subject": "Votre carte cadeau", "text": "La voici."},
            attachments=[encode_attachment("carte-cadeau.pdf", b"%PDF-1.7 fake")],
        )

    assert await deliver_due() == 1

    [sent] = real_channels.resend.sent
    [attachment] = sent["attachments"]
    assert attachment["filename"] == "carte-cadeau.pdf"
    assert base64.b64decode(attachment["content"]) == b"%PDF-1.7 fake"
    assert sent["subject"] == "Votre carte cadeau"
    assert sent["from"] == "Sérénaia Beauté <bonjour@serenaia.example>"
