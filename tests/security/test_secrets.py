"""No live secret is stored where staff can read it: a scenario makes a reset token, an
e-mail verification token, a booking's manage token and two gift card codes, then greps
every text column of every table and every staff-readable answer for them. The delivered
copies (console, Resend, OVH) still carry the working links."""

from __future__ import annotations

import re
from typing import Any
from uuid import UUID

import pytest
from httpx import AsyncClient
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession

from app.auth.models import Role
from app.core import clock
from app.core.db import unit_of_work
from app.giftcards import codes
from app.giftcards.models import GiftCard
from app.integrations.console import console
from app.notifications import public as notifications
from app.notifications.models import Message
from app.notifications.templates import TEMPLATES
from tests.bookings.salon import facial_with_camille, paris
from tests.builders import deliver_messages, login, make_user
from tests.fakes.server import FakeProviders
from tests.giftcards.test_gift_cards import sell
from tests.notifications.samples import contexts
from tests.notifications.test_marketing_and_webhooks import consenting_client
from tests.payments.helpers import post_stripe, run_outbox

NINE = "2027-03-22T09:00:00+01:00"
TEXT_TYPES = ("text", "character varying", "character", "jsonb", "json", "bytea")


@pytest.fixture(autouse=True)
def _a_week_before() -> None:
    clock.pin(paris(2027, 3, 15, 10))


def _token_after(marker: str, text_: str) -> str:
    return re.split(r"[\s\"'<>]", text_.split(marker, 1)[1], maxsplit=1)[0]


async def _headers(client: AsyncClient, email: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {(await login(client, email))['access_token']}"}


async def _scenario(client: AsyncClient, fakes: FakeProviders) -> dict[str, Any]:
    """Every kind of secret, made through HTTP; returns them and who is who."""
    owner = await make_user(role=Role.owner, email="owner@serenaia.fr")
    owner_headers = await _headers(client, owner.email)
    staff = {
        role: await _headers(client, (await make_user(role=role)).email)
        for role in (Role.manager, Role.receptionist, Role.practitioner)
    }

    asked = await client.post("/api/v1/auth/password-reset/request", json={"email": owner.email})
    assert asked.status_code == 202
    signed_up = await client.post(
        "/api/v1/auth/signup",
        json={
            "email": "ines@example.fr",
            "password": "une-phrase-secrete",
            "first_name": "Inès",
            "last_name": "Martin",
        },
        headers={"Idempotency-Key": "signup-1"},
    )
    assert signed_up.status_code == 201, signed_up.text
    await deliver_messages()
    reset_mail = next(m for m in console.emails if m.to == owner.email)
    verify_mail = next(m for m in console.emails if m.to == "ines@example.fr")
    reset_token = _token_after("token=", reset_mail.text)
    verification_token = _token_after("token=", verify_mail.text)

    facial, _ = await facial_with_camille()
    booked = await client.post(
        "/api/v1/bookings",
        json={
            "service_ids": [str(facial)],
            "start": NINE,
            "client": {
                "first_name": "Hélène",
                "last_name": "Dupont",
                "email": "helene@example.fr",
                "phone": "06 12 34 56 78",
            },
        },
        headers={"Idempotency-Key": "guest-booking-1"},
    )
    assert booked.status_code == 201, booked.text
    manage_token = booked.json()["manage_token"]
    assert manage_token

    sold = await sell(client, owner_headers | {"Idempotency-Key": "desk-card-1"}, 5000)
    desk_code = sold.json()["code"]

    bought = await client.post(
        "/api/v1/gift-cards",
        json={
            "amount_cents": 8000,
            "buyer": {"name": "Inès Martin", "email": "ines@example.fr"},
            "recipient_name": "Léa",
            "recipient_email": "lea@example.fr",
            "method": "stripe",
        },
        headers={"Idempotency-Key": "online-card-1"},
    )
    assert bought.status_code == 201, bought.text
    paid = await post_stripe(client, fakes.stripe.pay(bought.json()["client_secret"]))
    assert paid.json()["outcome"] == "applied"
    await run_outbox()
    await deliver_messages()
    async with unit_of_work() as session:
        card = await session.get(GiftCard, UUID(bought.json()["gift_card"]["id"]))
        assert card is not None
        online_code = codes.unseal(card.code_sealed)

    delivered = "\n".join(m.text for m in console.emails) + "\n".join(s.text for s in console.sms)
    assert f"rendez-vous/{manage_token}" in delivered  # the confirmation carries the real link
    secrets = {
        "reset token": reset_token,
        "verification token": verification_token,
        "manage token": manage_token,
        "desk gift card code": codes.normalize(desk_code),
        "desk gift card code as shown": desk_code,
        "online gift card code": online_code,
        "online gift card code as shown": codes.display(online_code),
    }
    return {
        "secrets": secrets,
        "owner": owner,
        "owner_headers": owner_headers,
        "staff": staff,
        "booking_id": booked.json()["id"],
        "card_ids": [sold.json()["gift_card"]["id"], bought.json()["gift_card"]["id"]],
    }


async def _columns_holding(secrets: dict[str, str]) -> list[str]:
    """Every (table.column, secret) where a text-like column of any table holds a secret."""
    found = []
    async with unit_of_work() as session:
        columns = (
            await session.execute(
                text(
                    "SELECT table_name, column_name FROM information_schema.columns "
                    "WHERE table_schema = 'public' AND data_type = ANY(:types)"
                ),
                {"types": list(TEXT_TYPES)},
            )
        ).all()
        assert len(columns) > 50  # the scan really covers the schema
        for table, column in columns:
            for name, secret in secrets.items():
                hit = await session.scalar(
                    text(
                        f'SELECT count(*) FROM "{table}" '  # noqa: S608 - names from the catalog
                        f'WHERE strpos("{column}"::text, :secret) > 0'
                    ),
                    {"secret": secret},
                )
                if hit:
                    found.append(f"{table}.{column}: {name}")
    return found


def _leaks(answer: str, secrets: dict[str, str]) -> list[str]:
    return [name for name, secret in secrets.items() if secret in answer]


async def test_no_table_holds_a_live_secret(client: AsyncClient, fakes: FakeProviders) -> None:
    scenario = await _scenario(client, fakes)

    found = await _columns_holding(scenario["secrets"])
    assert found == [], "\n".join(found)


async def test_no_staff_readable_answer_holds_a_live_secret(
    client: AsyncClient, fakes: FakeProviders
) -> None:
    from app.main import app

    scenario = await _scenario(client, fakes)
    secrets, headers = scenario["secrets"], scenario["owner_headers"]
    async with unit_of_work() as session:
        ids = {
            "message_id": [str(i) for i in await session.scalars(select(Message.id))],
            "client_id": [str(i) for i in await session.scalars(text("SELECT id FROM clients"))],
            "booking_id": [scenario["booking_id"]],
            "card_id": scenario["card_ids"],
            "payment_id": [str(i) for i in await session.scalars(text("SELECT id FROM payments"))],
            "user_id": [str(scenario["owner"].id)],
        }
    assert all(ids[name] for name in ("message_id", "client_id", "payment_id"))
    leaks, read = [], 0
    for path, operations in app.openapi()["paths"].items():
        if "get" not in operations or path.endswith(".ics") or "/manage/" in path:
            continue
        params = re.findall(r"{(\w+)}", path)
        if len(params) > 1 or (params and params[0] not in ids):
            continue
        urls = [path.replace(f"{{{params[0]}}}", i) for i in ids[params[0]]] if params else [path]
        for url in urls:
            answer = await client.get(url, headers=headers)
            read += answer.status_code == 200
            leaks += [f"{url}: {leak}" for leak in _leaks(answer.text, secrets)]
    assert read > 40
    assert leaks == []


async def test_staff_of_every_role_cannot_find_the_owners_reset_link(
    client: AsyncClient, fakes: FakeProviders
) -> None:
    scenario = await _scenario(client, fakes)
    secrets = scenario["secrets"]

    for role, headers in scenario["staff"].items():
        listed = await client.get(
            "/api/v1/notifications/messages", params={"limit": 100}, headers=headers
        )
        assert listed.status_code in {200, 403}, (role, listed.text)
        assert _leaks(listed.text, secrets) == [], role
        for found in re.findall(r"token=([\w\-.]+)", listed.text):
            tried = await client.post(
                "/api/v1/auth/password-reset/confirm",
                json={"token": found, "new_password": "je-prends-la-main"},
            )
            assert tried.status_code == 400, role
        if listed.status_code == 200:
            reset = [m for m in listed.json()["items"] if m["template"] == "password_reset"]
            assert [m["body_text"].count("[lien masqué]") > 0 for m in reset] == [True]

    # The owner's link still works for the owner, who received it.
    done = await client.post(
        "/api/v1/auth/password-reset/confirm",
        json={"token": secrets["reset token"], "new_password": "nouveau-mot-de-passe"},
    )
    assert done.status_code == 204


async def test_every_template_is_stored_without_its_secrets_and_delivered_with_them(
    client: AsyncClient, session: AsyncSession, real_channels: FakeProviders
) -> None:
    from app.clients import public as clients

    desk = await _headers(client, (await make_user(role=Role.manager)).email)
    client_id = UUID(await consenting_client(client, desk))
    secrets = {
        "reset token": "Xk3v9QmR7tYp2LwN8sDf4GhJ6zBc1VaE5uIo0PqWeRt",
        "manage token": "eyJiIjoiMDE5M2EzYzQifQ.q8Rj2mT5vW9xY3zA7bC1dE4fG6hJ0kL2",
        "gift card code": "K7PQ3MXAW9TEHR4C",
    }
    samples = contexts(
        manage_token=secrets["manage token"],
        link_token=secrets["reset token"],
        card_message=f"Ton code : {secrets['gift card code']}",
    )
    async with unit_of_work() as tx:
        recipient = await clients.get_client(tx, client_id)
        for name, context in samples:
            for channel in sorted(TEMPLATES[name].channels):
                await notifications.queue(
                    tx,
                    template=name,
                    channel=channel,
                    recipient=notifications.Recipient(
                        client_id, recipient.first_name, recipient.email, recipient.phone
                    ),
                    context=context,
                )
    assert {name for name, _ in samples} == set(TEMPLATES)  # every template, none left out
    written = await _columns_holding(secrets | {"unsubscribe": "notifications/unsubscribe?token="})
    assert written == []

    await deliver_messages()
    mails = real_channels.resend.sent
    sms = real_channels.ovh.jobs
    delivered = "\n".join(str(m) for m in mails + sms)
    assert f"mot-de-passe/nouveau?token={secrets['reset token']}" in delivered
    assert f"rendez-vous/{secrets['manage token']}" in delivered
    assert "notifications/unsubscribe?token=" in delivered
    assert any("List-Unsubscribe" in str(m.get("headers")) for m in mails)
    stored = list(await session.scalars(select(Message)))
    assert stored
    assert all(m.status == "sent" for m in stored), [(m.template, m.status) for m in stored]
    assert any("[lien masqué]" in m.body_text for m in stored)
