"""Marketing rules (consent, quiet hours for SMS, unsubscribe links, STOP), Resend's signed
delivery webhooks, staff's one-off messages, and SMS lengths."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest
from httpx import AsyncClient
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.auth.models import Role
from app.clients.models import ClientConsent
from app.core import clock
from app.integrations.console import console
from app.notifications.delivery import deliver_due
from app.notifications.models import EmailSuppression, Message, MessageEvent
from app.notifications.sms import measure, to_gsm
from app.notifications.tasks import sync_sms_stops
from app.notifications.templates import TEMPLATES, Kind, render
from tests.bookings.salon import make_client, paris
from tests.builders import AuthHeaders, deliver_messages
from tests.fakes.resend import FakeResend
from tests.fakes.server import FakeProviders

PHONE = "+33612345678"


@pytest.fixture(autouse=True)
def _saturday_evening() -> None:
    clock.pin(paris(2027, 3, 20, 21))  # a Saturday, 21:00


@pytest.fixture
async def desk(auth_headers: AuthHeaders) -> dict[str, str]:
    return await auth_headers(Role.receptionist)


async def consenting_client(client: AsyncClient, desk: dict[str, str]) -> str:
    client_id = str(await make_client(email="helene@example.fr", phone=PHONE))
    for channel in ("email_marketing", "sms_marketing"):
        granted = await client.post(
            f"/api/v1/clients/{client_id}/consents",
            json={"channel": channel, "granted": True, "source": "in_salon"},
            headers=desk,
        )
        assert granted.status_code == 201, granted.text
    return client_id


async def send(client: AsyncClient, desk: dict[str, str], **body: Any) -> dict[str, Any]:
    response = await client.post("/api/v1/notifications/messages", json=body, headers=desk)
    assert response.status_code == 201, response.text
    return dict(response.json())


async def test_a_marketing_sms_waits_for_monday_morning(
    client: AsyncClient, session: AsyncSession, desk: dict[str, str]
) -> None:
    client_id = await consenting_client(client, desk)

    sms = await send(client, desk, client_id=client_id, channel="sms", template="birthday")
    reminder_like = await send(
        client, desk, client_id=client_id, channel="sms", text="Votre commande est arrivée."
    )

    assert sms["status"] == "queued"
    assert sms["next_attempt_at"] == "2027-03-22T08:00:00+01:00"  # not Sunday
    assert reminder_like["next_attempt_at"] == "2027-03-20T21:00:00+01:00"  # service: now
    assert await deliver_due() == 1
    clock.travel(timedelta(hours=35))  # Monday 8:00
    assert await deliver_due() == 1
    assert [s.text for s in console.sms][1].startswith("Sérénaia vous souhaite")


async def test_no_marketing_sms_on_a_public_holiday(
    client: AsyncClient, auth_headers: AuthHeaders
) -> None:
    clock.pin(paris(2027, 7, 14, 10))  # Bastille Day, a Wednesday
    desk = await auth_headers(Role.receptionist)
    client_id = await consenting_client(client, desk)

    sms = await send(client, desk, client_id=client_id, channel="sms", template="reactivation")

    assert sms["next_attempt_at"] == "2027-07-15T08:00:00+02:00"


async def test_marketing_needs_consent(
    client: AsyncClient, session: AsyncSession, desk: dict[str, str]
) -> None:
    client_id = str(await make_client(email="helene@example.fr", phone=PHONE))

    mail = await send(client, desk, client_id=client_id, channel="email", template="birthday")
    free = await send(
        client,
        desk,
        client_id=client_id,
        channel="sms",
        text="-20 % sur les soins ce mois-ci !",
        marketing=True,
    )
    await deliver_messages()

    assert (mail["status"], mail["status_reason"]) == (
        "suppressed",
        "no email_marketing consent",
    )
    assert free["status_reason"] == "no sms_marketing consent"
    assert console.emails == console.sms == []


async def test_an_unsubscribe_link_works_once_clicked_and_cannot_be_forged(
    client: AsyncClient, session: AsyncSession, desk: dict[str, str]
) -> None:
    client_id = await consenting_client(client, desk)
    mail = await send(client, desk, client_id=client_id, channel="email", template="birthday")
    assert "token=" not in mail["body_text"]  # staff see the preview, not the link
    await deliver_messages()
    link = console.emails[-1].text.split("Se désinscrire : ")[1].split()[0]
    parsed = urlparse(link)
    token = parse_qs(parsed.query)["token"][0]

    page = await client.get(parsed.path, params={"token": token})
    forged = await client.post(parsed.path, params={"token": token[:-2] + "xx"})
    other_purpose = await client.post(parsed.path, params={"token": _manage_token_like(token)})
    consents = await client.get(f"/api/v1/clients/{client_id}/consents", headers=desk)
    assert all(c["granted"] for c in consents.json()["items"])  # a GET changes nothing
    done = await client.post(parsed.path, data={"token": token})

    assert page.status_code == 200
    assert "Me désinscrire" in page.text
    assert forged.status_code == other_purpose.status_code == 400
    assert forged.json()["code"] == "invalid_unsubscribe_link"
    assert done.status_code == 200
    latest = await session.scalar(
        select(ClientConsent)
        .where(ClientConsent.channel == "email_marketing")
        .order_by(ClientConsent.at.desc(), ClientConsent.id.desc())
    )
    assert latest is not None
    assert (latest.granted, latest.source) == (False, "link")
    again = await send(client, desk, client_id=client_id, channel="email", template="birthday")
    assert again["status"] == "suppressed"


def _manage_token_like(token: str) -> str:
    """A token signed by us for another purpose (a booking's manage link)."""
    from datetime import timedelta
    from uuid import uuid4

    from app.bookings.links import manage_token
    from app.core.clock import utcnow

    return manage_token(uuid4(), utcnow() + timedelta(days=1))


async def test_marketing_e_mails_carry_one_click_unsubscribe_headers(
    client: AsyncClient,
    session: AsyncSession,
    auth_headers: AuthHeaders,
    real_channels: FakeProviders,
) -> None:
    clock.pin(paris(2027, 3, 22, 10))
    desk = await auth_headers(Role.receptionist)
    client_id = await consenting_client(client, desk)
    await send(client, desk, client_id=client_id, channel="email", template="birthday")

    await deliver_due()

    [sent] = real_channels.resend.sent
    assert sent["headers"]["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert sent["headers"]["List-Unsubscribe"].startswith("<http://testserver/api/v1/")
    assert "Se désinscrire" in sent["html"]


async def test_an_sms_stop_withdraws_the_marketing_consent(
    client: AsyncClient, session: AsyncSession, desk: dict[str, str], real_channels: FakeProviders
) -> None:
    client_id = await consenting_client(client, desk)
    real_channels.ovh.blacklist = ["0612345678"]

    assert await sync_sms_stops() == 1
    assert await sync_sms_stops() == 0

    sms = await send(client, desk, client_id=client_id, channel="sms", template="birthday")
    assert sms["status"] == "suppressed"
    latest = await session.scalar(select(ClientConsent).where(ClientConsent.source == "sms_stop"))
    assert latest is not None


async def resend_post(client: AsyncClient, event: dict[str, Any], **kw: Any) -> Any:
    body, headers = FakeResend.signed(event, at=int(clock.utcnow().timestamp()), **kw)
    return await client.post("/api/v1/webhooks/resend", content=body, headers=headers)


async def test_resend_webhooks_update_messages_and_a_hard_bounce_blocks_the_address(
    client: AsyncClient,
    session: AsyncSession,
    desk: dict[str, str],
    real_channels: FakeProviders,
) -> None:
    client_id = await consenting_client(client, desk)
    first = await send(
        client, desk, client_id=client_id, channel="email", subject="Info", text="Bonjour"
    )
    await deliver_due()
    email_id = real_channels.resend.sent[0]["id"]
    bounce = FakeResend.event(
        "email.bounced",
        email_id,
        "helene@example.fr",
        bounce={"type": "Permanent", "subType": "General", "message": "user unknown"},
    )

    forged = await resend_post(client, bounce, secret="whsec_" + "QUJDREVGR0hJSktMTU5PUFFSU1RVVldY")
    applied = await resend_post(client, bounce)
    late_delivered = await resend_post(
        client, FakeResend.event("email.delivered", email_id, "helene@example.fr")
    )
    body, headers = FakeResend.signed(bounce, at=int(clock.utcnow().timestamp()))
    replay = await client.post("/api/v1/webhooks/resend", content=body, headers=headers)
    replay_again = await client.post("/api/v1/webhooks/resend", content=body, headers=headers)

    assert forged.status_code == 400
    assert forged.json()["code"] == "invalid_webhook_signature"
    assert applied.json()["outcome"] == "applied"
    assert late_delivered.json()["outcome"] == "applied"
    assert replay.json()["outcome"] == "applied"
    assert replay_again.json()["outcome"] == "duplicate"
    message = await session.get(Message, first["id"])
    assert message is not None
    assert message.status == "bounced"  # "delivered" after a bounce changes nothing
    assert await session.get(EmailSuppression, "helene@example.fr") is not None
    nxt = await send(client, desk, client_id=client_id, channel="email", subject="Re", text="x")
    assert nxt["status_reason"] == "address blocked (bounced)"
    events = (await session.scalars(select(MessageEvent))).all()
    assert len(events) == 3


async def test_a_stale_resend_signature_is_refused(
    client: AsyncClient, session: AsyncSession
) -> None:
    event = FakeResend.event("email.delivered", "x", "a@example.fr")
    body, headers = FakeResend.signed(event, at=int(clock.utcnow().timestamp()) - 301)

    answer = await client.post("/api/v1/webhooks/resend", content=body, headers=headers)

    assert answer.status_code == 400
    assert (await session.scalars(select(MessageEvent))).all() == []


def test_svix_signatures_match_the_published_vector() -> None:
    from app.integrations.resend_email.webhooks import svix_signature

    assert (
        svix_signature(
            "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
            msg_id="msg_p5jXN8AQM9LWM0D4loKWxJek",
            timestamp=1614265330,
            body=b'{"test": 2432232314}',
        )
        == "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
    )


async def test_staff_free_text_sms_is_refused_beyond_two_sms(
    client: AsyncClient, desk: dict[str, str]
) -> None:
    client_id = str(await make_client(phone=PHONE))

    long = await client.post(
        "/api/v1/notifications/messages",
        json={"client_id": client_id, "channel": "sms", "text": "a" * 307},
        headers=desk,
    )
    no_phone = await client.post(
        "/api/v1/notifications/messages",
        json={"client_id": str(await make_client()), "channel": "sms", "text": "Bonjour"},
        headers=desk,
    )

    assert (long.status_code, long.json()["code"]) == (422, "sms_too_long")
    assert (no_phone.status_code, no_phone.json()["code"]) == (422, "no_address")


@pytest.mark.parametrize(
    ("text", "encoding", "segments"),
    [
        ("a" * 160, "GSM-7", 1),
        ("a" * 161, "GSM-7", 2),
        ("€" * 80, "GSM-7", 1),  # the euro sign takes two septets
        ("€" * 81, "GSM-7", 2),
        ("a" * 306, "GSM-7", 2),
        ("a" * 307, "GSM-7", 3),
        ("œ" * 70, "UCS-2", 1),
        ("œ" * 71, "UCS-2", 2),
        ("😀" * 35, "UCS-2", 1),  # outside the BMP: two UTF-16 units each
    ],
)
def test_sms_length_follows_gsm_and_ucs2(text: str, encoding: str, segments: int) -> None:
    measured = measure(text)
    assert (measured.encoding, measured.segments) == (encoding, segments)


def test_french_typography_is_folded_into_gsm() -> None:
    assert to_gsm("Ça coûte 10 € « maximum » \u2013 à très bientôt\u2026") == (
        'Ça coute 10 € " maximum " - à très bientot...'
    )
    assert measure(to_gsm("Noël à la forêt")).encoding == "GSM-7"


def test_every_sms_template_fits_in_two_sms_with_long_details() -> None:
    booking = {
        "when": "mercredi 29 septembre 2027 à 17 h 45",
        "when_short": "29/09 à 17h45",
        "when_relative": "le 29/09",
        "time": "17 h 45",
        "services": "Soin anti-âge signature, Beauté des mains",
        "practitioners": "Anne-Charlotte",
        "at_home": False,
        "home_address": None,
        "total": "149,00 €",
        "paid_cents": 3570,
        "paid": "35,70 €",
        "due_cents": 11330,
        "due": "113,30 €",
        "manage_url": "https://www.serenaia-beaute.fr/rendez-vous/" + "x" * 60,
    }
    offer = {
        "when": booking["when"],
        "when_short": booking["when_short"],
        "services": booking["services"],
        "book_url": "https://www.serenaia-beaute.fr/reserver?s=" + "y" * 40,
    }
    context = {
        "client": {"first_name": "Marie-Christine"},
        "booking": booking,
        "offer": offer,
        "old_when": booking["when"],
        "notice_hours": 24,
        "deposit": {"of": "d'acompte", "the": "l'acompte", "stay": "reste acquis"},
        "money": {
            "refunded_cents": 3570,
            "refunded": "35,70 €",
            "to_gift_card_cents": 11330,
            "to_gift_card": "113,30 €",
            "kept_cents": 3570,
            "kept": "35,70 €",
        },
        "receipt": {
            "buyer_name": "Anne-Charlotte",
            "recipient_name": "Marie-Christine",
            "recipient_email": None,
            "value": "Soin anti-âge signature",
            "paid": "149,00 €",
            "method": "par carte bancaire",
            "paid_on": "29/09/2027",
            "deliver_on": "29/09/2027",
            "message": None,
            "expires": "29/09/2028",
            "attached": True,
        },
        "note": {
            "kind": "avoir",
            "number": "2027-000123-AVOIR",
            "date": "29/09/2027",
            "time": "18:45",
            "total": "-149,00 €",
            "duplicate": 12,
        },
        "referral": {
            "code": "BIENV-K7QM-3XPA",
            "value": "10,00 €",
            "minimum": "30,00 €",
            "ends": "29/09/2028",
            "booking_url": "https://www.serenaia-beaute.fr/reservation",
            "referrer_first_name": "Anne-Charlotte",
            "friend_first_name": "Marie-Christine",
            "share_url": "https://www.serenaia-beaute.fr/reservation?parrainage=ANNECHARLOTTE-7K3P",
        },
        "loyalty": {
            "points": 1250,
            "balance": 12450,
            "missing": 50,
            "reward": "Soin anti-âge signature offert",
            "cost": 12500,
            "expires": "29/09/2028",
            "tier": "Or",
            "up": True,
            "perks": "Un soin des mains offert à chaque visite, -10 % sur les produits",
            "multiplier": "1,5",
            "rule": "Votre niveau est recalculé chaque nuit sur vos 12 derniers mois.",
        },
        "subscription": {
            "plan": "Abonnement soins visage et corps premium",
            "price": "129,00 €",
            "interval": "mois",
            "period_end": "29/09/2027",
            "resumes": "29/11/2027",
            "pay_url": "https://invoice.stripe.com/i/acct_1Pgc6tB7WZ01zgkW/live_YWNjdF8xUGdjNnRCN1daMDF6Z2tXLF9RWGc",
            "amount": "129,00 €",
            "card_url": "https://www.serenaia-beaute.fr/abonnement/carte?token=eyJzIjoiMDE5M2EwYjItN2MxZS03ZDRlLTlmMDAtM2M1ZTZkN2Y4YTliIn0",
        },
        "package": {
            "name": "10 séances de drainage lymphatique + 1 offerte",
            "sessions": 11,
            "remaining": 10,
            "price": "1 250,00 €",
            "expires": "29/09/2028",
        },
        "invoice": {
            "title": "avoir",
            "number": "AV2027-000123",
            "date": "29/09/2027",
            "total": "149,00 €",
            "credits": "F2027-000120",
            "company": "Institut de formation aux métiers de la beauté SARL",
            "outstanding": "1 149,00 €",
            "due_on": "29/10/2027",
            "late_penalty": "Pénalités de retard au taux de trois fois le taux d'intérêt légal.",
            "indemnity": "40,00 €",
            "url": "https://www.serenaia-beaute.fr/compte/factures/F2027-000120",
        },
        "text": "Bonjour",
        "subject": "Votre commande",
        "first_name": "Marie-Christine",
        "link": "https://www.serenaia-beaute.fr/compte/verifier?token=abc",
        "minutes": 60,
        "card": {
            "recipient_name": "Marie-Christine",
            "buyer_name": "Anne-Charlotte",
            "value": "Soin anti-âge signature",
            "message": "Joyeux anniversaire !",
            "hint": "HR4C",
            "balance": "42,00 €",
            "expires": "29/09/2028",
            "to_buyer": True,
        },
        "unsubscribe_url": "https://api.example/u?token=" + "z" * 80,
        "dunning": {
            "plan": "Abonnement signature soins visage et corps, un soin par mois",
            "amount": "1 149,00 €",
            "failed_on": "mercredi 29 septembre 2027",
            "reason": "la banque indique que la carte a été déclarée perdue ou volée",
            "hard": True,
            "retries_done": 3,
            "next_retry_on": "mercredi 29 septembre 2027",
            "suspend_on": "mercredi 29 septembre 2027",
            "suspend_short": "29/09",
            "suspended_on": "mercredi 29 septembre 2027",
            "cancel_on": "mercredi 29 septembre 2027",
            "cancel_short": "29/09",
            "cancelled_on": "mercredi 29 septembre 2027",
            "cancelled_short": "29/09",
            "card_url": "https://www.serenaia-beaute.fr/abonnement/carte?token=" + "c" * 130,
        },
    }
    for name, spec in TEMPLATES.items():
        for channel in spec.channels:
            rendered = render(name, channel, context, kind=spec.kind)
            assert rendered.text.strip(), name
            if channel == "sms":
                room = 20 if spec.kind is Kind.marketing else 0
                assert measure(rendered.text + "x" * room).segments <= 2, (name, rendered.text)
            else:
                assert rendered.subject
                assert rendered.html
                assert "<html" in rendered.html
