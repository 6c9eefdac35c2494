"""The words clients read: every template's text part and SMS read line by line, every link
parsed back, and each message about money saying what really happened to it."""

from __future__ import annotations

import html
import itertools
import re
from datetime import datetime
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit
from uuid import UUID

import pytest
from httpx import AsyncClient
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.auth.models import Role
from app.core import clock
from app.integrations.console import console
from app.notifications.models import Channel, Kind, Message
from app.notifications.service import unsubscribe_url
from app.notifications.templates import TEMPLATES, render
from app.payments import public as payments
from app.payments.models import Payment
from tests.bookings.salon import book_by_staff, facial_with_camille, make_client, paris
from tests.builders import AuthHeaders, deliver_messages
from tests.fakes.server import FakeProviders
from tests.notifications.samples import SERVICES, START, TOKEN, contexts
from tests.payments.helpers import (
    A_WEEK_BEFORE,
    NINE,
    hold,
    pay_deposit,
    post_stripe,
    salon_with_deposit,
)

URL = re.compile(r"https?://[^\s<>\"]+")
ADDRESS = re.compile(r"\S+@\S+\.\w+")
# A lower-case letter straight against a capital or a digit ("SofiaReste", "Léa12 rue"), or
# the end of a sentence against the next one ("annulé.Vos"): two lines run together.
GLUED = re.compile(r"(?<![0-9A-ZÀ-Þ])[a-zß-ÿ][A-ZÀ-Þ0-9]|[.!?;][A-ZÀ-Þa-zß-ÿ]")
BLOCK = re.compile(r"<p[^>]*>|</p>|<br\s*/?>", re.IGNORECASE)
TAG = re.compile(r"<[^>]+>")


@pytest.fixture(autouse=True)
def _a_week_before() -> None:
    clock.pin(A_WEEK_BEFORE)


def rendered_parts() -> list[tuple[str, Channel, Any, dict[str, Any]]]:
    client_id = UUID("0193a1b2-0000-7000-8000-0000000000aa")
    parts = []
    for name, context in contexts():
        spec = TEMPLATES[name]
        for channel in sorted(spec.channels):
            full = {"client": {"first_name": "Hélène"}} | context
            if spec.kind is Kind.marketing:
                full["unsubscribe_url"] = unsubscribe_url(client_id, channel)
            parts.append((name, channel, render(name, channel, full, kind=spec.kind), full))
    return parts


def without_links(line: str) -> str:
    return ADDRESS.sub("", URL.sub("", line))


def html_blocks(markup: str) -> list[str]:
    """The HTML part cut where it starts a paragraph or a line, as plain text."""
    body = markup.split("<body", 1)[-1]
    blocks = [html.unescape(TAG.sub("", b)).replace("\u00a0", " ") for b in BLOCK.split(body)]
    return [" ".join(b.split()) for b in blocks if b.strip()]


def test_every_text_part_and_sms_reads_line_by_line() -> None:
    checked = set()
    for name, channel, rendered, _ in rendered_parts():
        checked.add((name, channel))
        lines = rendered.text.split("\n") if channel is Channel.email else [rendered.text]
        for line in lines:
            assert line == line.strip(), (name, channel, line)
            assert not GLUED.search(without_links(line)), (name, channel, line)
            assert "  " not in line, (name, channel, line)
        if channel is Channel.sms:
            continue
        text = rendered.text.replace("\u00a0", " ")
        assert "\n\n\n" not in text, name
        blocks = html_blocks(rendered.html)
        for before, after in itertools.pairwise(blocks):
            last, first = before.split()[-1], after.split()[0]
            # Where the HTML starts a new line, the text part does too (or words differ).
            glued = re.escape(last) + r"[ \t]*" + re.escape(first)
            assert not re.search(glued, text), (name, before, after, rendered.text)
    assert checked == {(n, c) for n, s in TEMPLATES.items() for c in s.channels}


def test_every_link_in_every_template_parses_back() -> None:
    sent = {
        "/reserver": {"services": [SERVICES], "debut": [START.isoformat()]},
        "/mot-de-passe/nouveau": {"token": [TOKEN]},
        "/reservation": {"parrainage": ["CAMILLE-7K3P"]},
        "/abonnement/carte": {"token": ["abc"]},
        "/api/v1/notifications/unsubscribe": None,  # a signed token: checked below
    }
    links = 0
    for name, _, rendered, context in rendered_parts():
        texts = [rendered.text, rendered.html or ""]
        for found in (u for t in texts for u in URL.findall(html.unescape(t))):
            links += 1
            parts = urlsplit(found.rstrip(".,)"))
            query = parse_qs(parts.query, keep_blank_values=True, strict_parsing=bool(parts.query))
            if parts.path.startswith("/rendez-vous/"):
                assert unquote(parts.path.split("/")[-1]) == TOKEN, found
            elif parts.path == "/api/v1/notifications/unsubscribe":
                assert f"?token={query['token'][0]}" in unquote(context["unsubscribe_url"])
            elif parts.query:
                assert query == sent[parts.path], (name, found)
            if "debut" in query:
                assert datetime.fromisoformat(query["debut"][0]) == START
    assert links > 40


# ---- through HTTP, on the real database ---------------------------------------------------


@pytest.fixture
async def desk(auth_headers: AuthHeaders) -> dict[str, str]:
    return await auth_headers(Role.receptionist)


async def mail_to(address: str) -> Any:
    [mail] = [m for m in console.emails if m.to == address]
    return mail


async def test_a_phone_booking_confirmation_puts_each_detail_on_its_own_line(
    client: AsyncClient, desk: dict[str, str]
) -> None:
    facial, _ = await facial_with_camille()
    helene = await make_client(email="helene@example.fr")
    await book_by_staff(client, desk, [facial], NINE, helene)

    await deliver_messages()

    lines = (await mail_to("helene@example.fr")).text.split("\n")
    assert lines[2:7] == [
        "Votre rendez-vous est confirmé :",
        "Soin visage",
        "le lundi 22 mars 2027 à 9 h 00 avec Camille",
        "12 rue des Lilas, 69006 Lyon",
        "Total : 60,00\u00a0€",
    ]


async def test_a_paid_deposit_message_gives_the_amount_paid_and_what_is_left_line_by_line(
    client: AsyncClient, fakes: FakeProviders
) -> None:
    massage, _ = await salon_with_deposit(price_cents=9000)
    booking = await hold(client, massage)
    checkout = (await pay_deposit(client, booking)).json()
    await post_stripe(client, fakes.stripe.pay(checkout["client_secret"]))

    await deliver_messages()

    lines = (await mail_to("helene@example.fr")).text.split("\n")
    assert lines[2:8] == [
        "Nous avons bien reçu 27,00\u00a0€ d'arrhes : votre rendez-vous est confirmé.",
        "",
        "Massage",
        "le lundi 22 mars 2027 à 9 h 00 avec Camille",
        "12 rue des Lilas, 69006 Lyon",
        "Reste à régler sur place : 63,00\u00a0€",
    ]
    [sms] = console.sms
    assert "27,00 € d'arrhes recus, RDV confirmé le 22/03 à 9h00." in sms.text


async def cancellation_texts(session: AsyncSession) -> list[str]:
    """The cancellation's e-mail and SMS, as they were sent."""
    session.expire_all()
    sent = await session.scalar(
        select(func.count()).select_from(Message).where(Message.template == "booking_cancelled")
    )
    assert sent == 2
    [mail] = [m.text for m in console.emails if "annulé" in m.subject]
    [sms] = [s.text for s in console.sms if "annulé" in s.text]
    return [mail, sms]


async def test_cancelling_an_unpaid_phone_booking_that_asked_a_deposit_mentions_no_money(
    client: AsyncClient, session: AsyncSession, desk: dict[str, str]
) -> None:
    massage, _ = await salon_with_deposit(price_cents=9000)
    booked = await book_by_staff(
        client, desk, [massage], NINE, await make_client(phone="+33612345678")
    )
    assert booked["deposit_cents"] == 2700  # asked, never paid

    await deliver_messages()
    [confirmation] = console.emails
    assert "Total : 90,00\u00a0€" in confirmation.text
    assert "arrhes" not in confirmation.text
    assert "réglé" not in confirmation.text
    await client.post(f"/api/v1/bookings/{booked['id']}/cancel", json={}, headers=desk)
    await deliver_messages()

    texts = await cancellation_texts(session)
    assert len(texts) == 2
    for text in texts:
        assert "€" not in text
        assert "rembours" not in text.lower()
        assert "arrhes" not in text.lower()


async def paid_hold(client: AsyncClient, fakes: FakeProviders) -> dict[str, Any]:
    massage, _ = await salon_with_deposit(price_cents=9000)
    booking = await hold(client, massage)
    checkout = (await pay_deposit(client, booking)).json()
    await post_stripe(client, fakes.stripe.pay(checkout["client_secret"]))
    await deliver_messages()
    return booking


async def test_a_paid_deposit_cancelled_in_time_says_what_is_refunded(
    client: AsyncClient, session: AsyncSession, fakes: FakeProviders
) -> None:
    booking = await paid_hold(client, fakes)

    cancelled = await client.post(
        f"/api/v1/bookings/manage/{booking['manage_token']}/cancel", json={}
    )
    assert cancelled.status_code == 200, cancelled.text
    await deliver_messages()

    [mail, sms] = await cancellation_texts(session)
    assert "Les 27,00\u00a0€ versés pour ce rendez-vous vous sont remboursés." in mail
    assert "restent acquises" not in mail
    assert "Remboursement : 27,00 €." in sms
    [refund] = fakes.stripe.calls("/v1/refunds")
    assert refund["amount"] == "2700"  # the message and the money agree
    await session.rollback()
    deposit = await session.scalar(select(Payment).where(Payment.booking_id == booking["id"]))
    assert deposit is not None
    assert (deposit.status, deposit.refunded_cents) == ("refunded", 2700)
    after = await payments.cancellation_money(  # the same words once the refund went through
        session, UUID(booking["id"]), by_client=True, late=False
    )
    assert (after.refunded_cents, after.kept_cents) == (2700, 0)


async def test_a_visit_paid_by_gift_card_and_cancelled_says_the_money_is_back_on_the_card(
    client: AsyncClient, session: AsyncSession, desk: dict[str, str], auth_headers: AuthHeaders
) -> None:
    manager = await auth_headers(Role.manager)
    facial, _ = await facial_with_camille()
    booked = await book_by_staff(
        client, desk, [facial], NINE, await make_client(phone="+33612345678")
    )
    sold = await client.post(
        "/api/v1/gift-cards/in-salon",
        json={
            "amount_cents": 10000,
            "buyer": {"name": "Inès"},
            "recipient_name": "Hélène",
            "method": "cash",
        },
        headers=manager,
    )
    redeemed = await client.post(
        "/api/v1/gift-cards/redeem",
        json={"code": sold.json()["code"], "booking_id": booked["id"]},
        headers=manager,
    )
    assert redeemed.json()["redeemed_cents"] == 6000

    await client.post(f"/api/v1/bookings/{booked['id']}/cancel", json={}, headers=desk)
    await deliver_messages()

    [mail, sms] = await cancellation_texts(session)
    assert "Les 60,00\u00a0€ payés par carte cadeau y sont recrédités." in mail
    assert "vous sont remboursés" not in mail
    assert "Recrédité sur votre carte cadeau : 60,00 €." in sms


async def test_a_late_cancellation_says_the_deposit_paid_is_kept(
    client: AsyncClient, session: AsyncSession, fakes: FakeProviders
) -> None:
    booking = await paid_hold(client, fakes)
    clock.pin(paris(2027, 3, 21, 18))  # fifteen hours before

    await client.post(f"/api/v1/bookings/manage/{booking['manage_token']}/cancel", json={})
    await deliver_messages()

    [mail, sms] = await cancellation_texts(session)
    assert "Annulé moins de 24 h avant : les arrhes de 27,00\u00a0€ restent acquises." in mail
    assert "rembours" not in mail.lower()
    assert "Les arrhes de 27,00 € restent acquises." in sms
    assert fakes.stripe.calls("/v1/refunds") == []
