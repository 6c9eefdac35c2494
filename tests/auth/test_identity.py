"""Identity is proven before it grants anything: an account reaches a client record, and what
was booked, bought or sent under its e-mail, only once the address is verified; a phone
number the client types herself attaches nothing."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

import pytest
from httpx import AsyncClient
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.auth.models import Role, User
from app.clients.models import Client
from app.core import clock
from app.integrations.console import console
from tests.bookings.salon import facial_with_camille, paris
from tests.builders import AuthHeaders, deliver_messages, login, settings_changed, verify_email

VICTIM = "helene.dupont@example.fr"
TOMORROW_TEN = "2027-03-16T10:00:00+01:00"
TOMORROW_TWO = "2027-03-16T14:00:00+01:00"


@pytest.fixture(autouse=True)
def _monday_morning() -> None:
    clock.pin(paris(2027, 3, 15, 8))


async def sign_up(client: AsyncClient, email: str, password: str, first_name: str) -> Any:
    response = await client.post(
        "/api/v1/auth/signup",
        json={
            "email": email,
            "password": password,
            "first_name": first_name,
            "last_name": "Dupont",
        },
    )
    assert response.status_code == 201, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


async def log_in(client: AsyncClient, email: str, password: str) -> dict[str, str]:
    tokens = await login(client, email, password)
    return {"Authorization": f"Bearer {tokens['access_token']}"}


async def guest_booking(
    client: AsyncClient, service_id: Any, start: str, **contact: str
) -> dict[str, Any]:
    response = await client.post(
        "/api/v1/bookings",
        json={
            "service_ids": [str(service_id)],
            "start": start,
            "notes": "Code porte 4521, allergie au latex",
            "client": {"first_name": "Hélène", "last_name": "Dupont", **contact},
        },
    )
    assert response.status_code == 201, response.text
    return dict(response.json())


async def gift_card_for(
    client: AsyncClient, desk: dict[str, str], email: str, *, deliver_on: str | None = None
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "amount_cents": 5000,
        "buyer": {"name": "Marc Dupont"},
        "recipient_name": "Hélène",
        "recipient_email": email,
        "message": "Pour nos dix ans, je t'aime",
        "method": "cash",
    }
    if deliver_on:
        body["deliver_on"] = deliver_on
    response = await client.post("/api/v1/gift-cards/in-salon", json=body, headers=desk)
    assert response.status_code == 201, response.text
    return dict(response.json()["gift_card"])


async def what_she_sees(client: AsyncClient, headers: dict[str, str]) -> dict[str, Any]:
    bookings = await client.get("/api/v1/me/bookings", headers=headers)
    cards = await client.get("/api/v1/me/gift-cards", headers=headers)
    export = await client.get("/api/v1/me/export", headers=headers)
    assert bookings.status_code == cards.status_code == 200
    return {
        "bookings": [b["id"] for b in bookings.json()["items"]],
        "cards": [c["id"] for c in cards.json()["items"]],
        "export": export.text if export.status_code == 200 else "",
    }


@pytest.mark.parametrize("attacker_first", [True, False])
async def test_an_account_with_an_unproven_e_mail_sees_nothing_of_her_bookings_or_cards(
    client: AsyncClient, auth_headers: AuthHeaders, attacker_first: bool
) -> None:
    facial, _ = await facial_with_camille()
    desk = await auth_headers(Role.manager)
    attacker = (
        await sign_up(client, VICTIM, "mot-de-passe-pirate", "Mallory")
        if (attacker_first)
        else None
    )
    booked = await guest_booking(client, facial, TOMORROW_TEN, email=VICTIM)
    card = await gift_card_for(client, desk, VICTIM)
    if attacker is None:
        attacker = await sign_up(client, VICTIM, "mot-de-passe-pirate", "Mallory")

    seen = await what_she_sees(client, attacker)
    cancel = await client.post(f"/api/v1/bookings/{booked['id']}/cancel", json={}, headers=attacker)

    assert seen["bookings"] == []
    assert seen["cards"] == []
    for secret in ("4521", "dix ans", booked["id"], card["id"]):
        assert secret not in seen["export"]
    assert cancel.status_code == 404
    assert (await client.get(f"/api/v1/bookings/{booked['id']}", headers=desk)).json()[
        "status"
    ] == "confirmed"


async def test_the_rightful_owner_signs_up_after_an_impostor_verifies_and_gets_her_booking(
    client: AsyncClient, auth_headers: AuthHeaders
) -> None:
    facial, _ = await facial_with_camille()
    desk = await auth_headers(Role.manager)
    impostor = await sign_up(client, VICTIM, "mot-de-passe-pirate", "Mallory")
    booked = await guest_booking(client, facial, TOMORROW_TEN, email=VICTIM)
    card = await gift_card_for(client, desk, VICTIM)

    helene = await sign_up(client, VICTIM, "une-phrase-secrete", "Hélène")
    before = await what_she_sees(client, helene)
    await verify_email(client, VICTIM)
    after = await what_she_sees(client, helene)

    assert before["bookings"] == []
    assert before["cards"] == []
    assert after["bookings"] == [booked["id"]]
    assert after["cards"] == [card["id"]]
    assert "4521" in after["export"]
    # The impostor's pending account lost: it is gone, and so is her session.
    assert (await client.get("/api/v1/me/bookings", headers=impostor)).status_code == 401
    refused = await client.post(
        "/api/v1/auth/token", data={"username": VICTIM, "password": "mot-de-passe-pirate"}
    )
    assert refused.status_code == 401
    again = await client.post(
        "/api/v1/auth/signup",
        json={"email": VICTIM, "password": "encore-un-essai", "first_name": "M", "last_name": "X"},
    )
    assert again.status_code == 409
    assert again.json()["code"] == "email_taken"


async def test_two_pending_accounts_with_one_address_each_log_in_with_their_own_password(
    client: AsyncClient,
) -> None:
    await sign_up(client, VICTIM, "mot-de-passe-pirate", "Mallory")
    await sign_up(client, VICTIM, "une-phrase-secrete", "Hélène")

    first = await client.post(
        "/api/v1/auth/token", data={"username": VICTIM, "password": "mot-de-passe-pirate"}
    )
    second = await client.post(
        "/api/v1/auth/token", data={"username": VICTIM, "password": "une-phrase-secrete"}
    )
    wrong = await client.post(
        "/api/v1/auth/token", data={"username": VICTIM, "password": "pas-le-bon-mot"}
    )

    assert first.status_code == second.status_code == 200
    assert wrong.status_code == 401
    me = await client.get(
        "/api/v1/auth/me", headers={"Authorization": f"Bearer {second.json()['access_token']}"}
    )
    assert me.json()["first_name"] == "Hélène"


async def test_verification_links_the_record_and_only_then(client: AsyncClient) -> None:
    facial, _ = await facial_with_camille()
    helene = await sign_up(client, VICTIM, "une-phrase-secrete", "Hélène")
    own = await client.post(
        "/api/v1/bookings",
        json={"service_ids": [str(facial)], "start": TOMORROW_TWO},
        headers=helene,
    )
    assert own.status_code == 201, own.text
    guest = await guest_booking(client, facial, TOMORROW_TEN, email=VICTIM)

    before = await what_she_sees(client, helene)
    await verify_email(client, VICTIM)
    after = await what_she_sees(client, helene)
    profile = await client.get("/api/v1/me", headers=helene)

    # Before: only the booking her account made itself.
    assert before["bookings"] == [own.json()["id"]]
    assert sorted(after["bookings"]) == sorted([own.json()["id"], guest["id"]])
    assert profile.json()["email"] == VICTIM


async def test_a_booking_made_before_verifying_is_confirmed_to_the_account_s_address(
    client: AsyncClient,
) -> None:
    facial, _ = await facial_with_camille()
    ines = await sign_up(client, "ines@example.fr", "une-phrase-secrete", "Inès")
    await deliver_messages()  # the welcome e-mail
    console.clear()

    own = await client.post(
        "/api/v1/bookings",
        json={"service_ids": [str(facial)], "start": TOMORROW_TWO},
        headers=ines,
    )
    await deliver_messages()

    assert own.status_code == 201, own.text
    assert [m.to for m in console.emails] == ["ines@example.fr"]


async def test_a_phone_set_on_me_attaches_no_phone_only_booking(client: AsyncClient) -> None:
    facial, _ = await facial_with_camille()
    mallory = await sign_up(client, "mallory@example.fr", "mot-de-passe-pirate", "Mallory")
    await verify_email(client, "mallory@example.fr")
    patched = await client.patch("/api/v1/me", json={"phone": "06 12 34 56 78"}, headers=mallory)
    assert patched.status_code == 200, patched.text

    booked = await guest_booking(client, facial, TOMORROW_TEN, phone="+33612345678")
    seen = await what_she_sees(client, mallory)
    cancel = await client.post(f"/api/v1/bookings/{booked['id']}/cancel", json={}, headers=mallory)

    assert seen["bookings"] == []
    assert "4521" not in seen["export"]
    assert cancel.status_code == 404


async def test_a_gift_card_reaches_the_recipient_s_account_on_its_delivery_date(
    client: AsyncClient, auth_headers: AuthHeaders
) -> None:
    desk = await auth_headers(Role.manager)
    helene = await sign_up(client, VICTIM, "une-phrase-secrete", "Hélène")
    await verify_email(client, VICTIM)
    card = await gift_card_for(client, desk, VICTIM, deliver_on="2027-03-20")

    early = await what_she_sees(client, helene)
    clock.travel(timedelta(days=4))  # Friday 19th, the day before
    eve = await what_she_sees(client, await log_in(client, VICTIM, "une-phrase-secrete"))
    clock.travel(timedelta(days=1))  # Saturday 20th, 8:00 in Paris
    on_the_day = await what_she_sees(client, await log_in(client, VICTIM, "une-phrase-secrete"))

    assert early["cards"] == eve["cards"] == []
    assert "dix ans" not in early["export"]
    assert on_the_day["cards"] == [card["id"]]
    assert "dix ans" in on_the_day["export"]


async def test_the_welcome_e_mail_says_what_to_do_if_it_was_not_her(client: AsyncClient) -> None:
    await sign_up(client, VICTIM, "mot-de-passe-pirate", "Mallory")
    await deliver_messages()

    (mail,) = console.emails
    assert "Si vous n'avez pas créé ce compte" in mail.text
    assert "ignorez cet e-mail" in mail.text
    assert "sans votre confirmation" in mail.text


@pytest.mark.commits  # a race between sessions on their own connections
async def test_two_pending_accounts_verifying_at_once_leave_one_owner(
    client: AsyncClient, session: AsyncSession
) -> None:
    await sign_up(client, VICTIM, "mot-de-passe-pirate", "Mallory")
    await sign_up(client, VICTIM, "une-phrase-secrete", "Hélène")
    await deliver_messages()
    tokens = [
        m.text.split("token=")[1].split()[0]
        for m in console.emails
        if m.to == VICTIM and "/compte/verifier?" in m.text
    ]

    answers = await asyncio.gather(
        *(client.post("/api/v1/auth/verify-email", json={"token": t}) for t in tokens)
    )

    assert sorted(a.status_code for a in answers) == [204, 400]
    accounts = (await session.scalars(select(User).where(User.email == VICTIM))).all()
    assert len(accounts) == 1
    assert accounts[0].email_verified_at is not None
    linked = await session.scalar(select(func.count()).where(Client.user_id == accounts[0].id))
    assert linked == 1


async def test_a_password_reset_proves_the_address_and_links_her_record(
    client: AsyncClient,
) -> None:
    facial, _ = await facial_with_camille()
    await sign_up(client, VICTIM, "mot-de-passe-pirate", "Mallory")
    booked = await guest_booking(client, facial, TOMORROW_TEN, email=VICTIM)

    asked = await client.post("/api/v1/auth/password-reset/request", json={"email": VICTIM})
    await deliver_messages()
    (mail,) = [m for m in console.emails if "/mot-de-passe/nouveau?" in m.text]
    token = mail.text.split("token=")[1].split()[0]
    done = await client.post(
        "/api/v1/auth/password-reset/confirm",
        json={"token": token, "new_password": "ma-nouvelle-phrase"},
    )
    helene = await log_in(client, VICTIM, "ma-nouvelle-phrase")

    assert asked.status_code == 202
    assert done.status_code == 204
    assert (await what_she_sees(client, helene))["bookings"] == [booked["id"]]
    refused = await client.post(
        "/api/v1/auth/token", data={"username": VICTIM, "password": "mot-de-passe-pirate"}
    )
    assert refused.status_code == 401


async def test_a_sixth_sign_up_on_one_address_pushes_out_the_oldest(
    client: AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Five sign-ups an hour per address is the abuse limit; the cap on waiting accounts holds
    # over any period, so lift the limit to reach it in one test.
    settings_changed(monkeypatch, LIMITS_SIGNUP_PER_CONTACT="50/hour")
    for n in range(6):
        await sign_up(client, VICTIM, f"mot-de-passe-{n}-long", f"Essai {n}")

    oldest = await client.post(
        "/api/v1/auth/token", data={"username": VICTIM, "password": "mot-de-passe-0-long"}
    )
    others = [
        await client.post(
            "/api/v1/auth/token", data={"username": VICTIM, "password": f"mot-de-passe-{n}-long"}
        )
        for n in range(1, 6)
    ]

    assert oldest.status_code == 401
    assert [o.status_code for o in others] == [200] * 5


async def test_a_password_reset_ends_the_sessions_the_impostor_already_holds(
    client: AsyncClient,
) -> None:
    facial, _ = await facial_with_camille()
    mallory = await sign_up(client, VICTIM, "mot-de-passe-pirate", "Mallory")
    booked = await guest_booking(client, facial, TOMORROW_TEN, email=VICTIM)
    clock.pin(paris(2027, 3, 15, 8, 5))  # the rightful owner comes five minutes later

    await client.post("/api/v1/auth/password-reset/request", json={"email": VICTIM})
    await deliver_messages()
    (mail,) = [m for m in console.emails if "/mot-de-passe/nouveau?" in m.text]
    token = mail.text.split("token=")[1].split()[0]
    done = await client.post(
        "/api/v1/auth/password-reset/confirm",
        json={"token": token, "new_password": "ma-nouvelle-phrase"},
    )
    helene = await log_in(client, VICTIM, "ma-nouvelle-phrase")

    assert done.status_code == 204
    stale = await client.get("/api/v1/me/bookings", headers=mallory)
    assert stale.status_code == 401, stale.text
    assert stale.json()["code"] == "invalid_token"
    assert (await what_she_sees(client, helene))["bookings"] == [booked["id"]]
