"""Referrals through the API: a friend who books with Camille's code gets a welcome code only
she can use; Camille's reward comes after the friend's first paid visit, once; each fraud
rule refuses and says why to staff; a refund takes the reward back."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import pytest
from httpx import AsyncClient

from app.auth.models import Role
from app.core import clock
from app.core.db import unit_of_work
from app.referrals import flows
from tests.builders import AuthHeaders
from tests.factories.auth import login
from tests.factories.bookings import ELEVEN, NINE, book_by_staff, facial_with_camille, hold
from tests.factories.clients import make_client
from tests.factories.core import paris, run_outbox, settings_changed
from tests.factories.payments import pay_deposit, post_stripe, salon_with_deposit
from tests.fakes.server import FakeProviders
from tests.referrals.helpers import (
    LEA,
    book_with_code,
    emails_to,
    links_in,
    personal_code_in,
    query_of,
    referrer,
    visit_at_till,
)

CAMILLE = "camille.martin@example.fr"


@pytest.fixture(autouse=True)
def _a_week_before() -> None:
    clock.pin(paris(2027, 3, 15, 8))


async def _camille_again(client: AsyncClient) -> dict[str, str]:
    tokens = await login(client, CAMILLE, "une-phrase-secrete")
    return {"Authorization": f"Bearer {tokens['access_token']}"}


async def _refused(client: AsyncClient, manager: dict[str, str]) -> list[dict[str, Any]]:
    listed = await client.get("/api/v1/referrals", params={"status": "refused"}, headers=manager)
    assert listed.status_code == 200, listed.text
    return list(listed.json()["items"])


async def test_the_friend_gets_a_welcome_only_she_can_use_and_camille_is_rewarded_once_after_the_paid_visit(  # noqa: E501
    client: AsyncClient, auth_headers: AuthHeaders, fakes: FakeProviders
) -> None:
    massage, _ = await salon_with_deposit(price_cents=9000)
    camille, code = await referrer(client)
    booking = await book_with_code(client, massage, f" {code.lower().replace('-', ' ')} ")
    [welcome_mail] = await emails_to(LEA["email"])
    welcome = personal_code_in(welcome_mail.text)
    zoe = await hold(
        client,
        massage,
        start=ELEVEN,
        who={"first_name": "Zoé", "last_name": "Roux"} | {"email": "zoe@example.fr"},
    )
    stolen = await client.post(
        f"/api/v1/bookings/{zoe['id']}/coupon",
        json={"code": welcome, "token": zoe["manage_token"]},
    )
    applied = await client.post(
        f"/api/v1/bookings/{booking['id']}/coupon",
        json={"code": welcome, "token": booking["manage_token"]},
    )
    before_visit = (await client.get("/api/v1/me/referrals", headers=camille)).json()
    checkout = await pay_deposit(client, booking)
    await post_stripe(client, fakes.stripe.pay(checkout.json()["client_secret"]))
    await run_outbox()

    manager, ticket = await visit_at_till(client, auth_headers, booking)
    camille = await _camille_again(client)
    after = (await client.get("/api/v1/me/referrals", headers=camille)).json()
    rewards = [m for m in await emails_to(CAMILLE) if "première visite" in m.text]
    async with unit_of_work() as session:  # the same visit told again: nothing more
        again = await flows.record_paid_visit(
            session,
            friend_id=UUID(await _friend_id(client, manager)),
            amount_cents=ticket["total_cents"],
            order_id=ticket["order_id"],
        )

    assert (
        welcome_mail.subject.replace("\u00a0", " ")
        == "Camille vous offre 10,00 € chez Sérénaia Beauté"
    )
    assert "Camille vous a recommandé" in welcome_mail.text
    assert [link.path for link in links_in(welcome_mail.text)][:1] == ["/reservation"]
    assert (stolen.status_code, stolen.json()["reason_code"]) == (409, "not_yours")
    assert applied.status_code == 200, applied.text
    assert (applied.json()["discount_cents"], applied.json()["total_cents"]) == (1000, 8000)
    assert [
        (i["friend_first_name"], i["status"], i["reward"]) for i in before_visit["invitations"]
    ] == [("Léa", "pending", None)]
    assert ticket["total_cents"] == 8000
    [invitation] = after["invitations"]
    assert invitation["status"] == "rewarded"
    assert invitation["booked_at"] is not None
    assert invitation["paid_at"] is not None
    assert after["rewards_earned"] == 1
    [reward_mail] = rewards
    reward = personal_code_in(reward_mail.text)
    assert invitation["reward"] == {
        "code": reward,
        "state": "available",
        "ends_at": invitation["reward"]["ends_at"],
    }
    assert "Votre amie Léa a fait sa première visite" in reward_mail.text
    assert "Bernard" not in reward_mail.text
    assert "lea.bernard" not in reward_mail.text
    assert "98 76" not in reward_mail.text
    share = [link for link in links_in(reward_mail.text) if "parrainage" in link.query]
    assert [query_of(link)["parrainage"] for link in share] == [[code]]
    assert after["link"].endswith(f"/reservation?parrainage={code}")
    assert again is None


async def _friend_id(client: AsyncClient, manager: dict[str, str]) -> Any:
    listed = (await client.get("/api/v1/referrals", headers=manager)).json()["items"]
    return listed[0]["friend_client_id"]


async def test_an_unknown_code_books_nothing(client: AsyncClient) -> None:
    massage, _ = await salon_with_deposit()
    made = await client.post(
        "/api/v1/bookings",
        json={
            "service_ids": [str(massage)],
            "start": NINE,
            "client": LEA,
            "referral_code": "PERSONNE-2222",
        },
    )
    slot_still_free = await client.post(
        "/api/v1/bookings",
        json={"service_ids": [str(massage)], "start": NINE, "client": LEA},
    )

    assert (made.status_code, made.json()["code"]) == (422, "unknown_referral_code")
    assert slot_still_free.status_code == 201, slot_still_free.text


async def test_a_shared_phone_is_refused_and_staff_see_why(
    client: AsyncClient, auth_headers: AuthHeaders
) -> None:
    massage, _ = await facial_with_camille()
    camille, code = await referrer(client)
    await client.patch("/api/v1/me", json={"phone": "+33698765432"}, headers=camille)
    booking = await book_with_code(client, massage, code)  # Léa: 06 98 76 54 32
    manager = await auth_headers(Role.manager)

    [refused] = await _refused(client, manager)
    assert (refused["reason_code"], refused["booking_id"]) == ("shared_phone", booking["id"])
    assert [m for m in await emails_to(LEA["email"]) if "vous offre" in m.subject] == []
    mine = (await client.get("/api/v1/me/referrals", headers=camille)).json()
    assert [(i["friend_first_name"], i["status"]) for i in mine["invitations"]] == [
        ("Léa", "refused")
    ]
    assert "reason_code" not in mine["invitations"][0]


async def test_the_same_gmail_box_is_refused(
    client: AsyncClient, auth_headers: AuthHeaders
) -> None:
    massage, _ = await facial_with_camille()
    _, code = await referrer(client, email="camille.martin@gmail.com")
    await book_with_code(
        client, massage, code, who=LEA | {"email": "Camille.Martin+amie@googlemail.com"}
    )
    manager = await auth_headers(Role.manager)

    assert [r["reason_code"] for r in await _refused(client, manager)] == ["shared_email"]


async def test_the_same_postal_address_written_otherwise_is_refused(
    client: AsyncClient, auth_headers: AuthHeaders
) -> None:
    camille, code = await referrer(client)
    await client.patch(
        "/api/v1/me", json={"address": "12, Bd Saint-Michel 75005 Paris"}, headers=camille
    )
    lea, _ = await referrer(client, email="lea.bernard@example.fr", first_name="Léa")
    await client.patch(
        "/api/v1/me", json={"address": "12 boulevard saint michel, 75005 PARIS"}, headers=lea
    )

    claimed = await client.post("/api/v1/referrals/claim", json={"code": code}, headers=lea)
    manager = await auth_headers(Role.manager)

    assert claimed.status_code == 201, claimed.text
    assert claimed.json() == {
        "status": "refused",
        "referrer_first_name": "Camille",
        "welcome": None,
    }
    assert [r["reason_code"] for r in await _refused(client, manager)] == ["shared_address"]


async def test_her_own_code_is_refused(client: AsyncClient, auth_headers: AuthHeaders) -> None:
    camille, code = await referrer(client)

    claimed = await client.post("/api/v1/referrals/claim", json={"code": code}, headers=camille)
    twice = await client.post("/api/v1/referrals/claim", json={"code": code}, headers=camille)
    manager = await auth_headers(Role.manager)

    assert claimed.json()["status"] == "refused"
    assert (twice.status_code, twice.json()["code"]) == (409, "already_referred")
    assert [r["reason_code"] for r in await _refused(client, manager)] == ["self_referral"]


async def _saved_card(client: AsyncClient, fakes: FakeProviders, headers: dict[str, str]) -> None:
    saved = await client.post("/api/v1/me/saved-cards", json={"consent": True}, headers=headers)
    assert saved.status_code == 201, saved.text
    done = await post_stripe(
        client, fakes.stripe.complete_setup(saved.json()["client_secret"], fingerprint="fpSAME42")
    )
    assert done.status_code == 200, done.text


async def test_a_card_the_referrer_saved_is_refused_at_the_claim(
    client: AsyncClient, auth_headers: AuthHeaders, fakes: FakeProviders
) -> None:
    camille, code = await referrer(client)
    lea, _ = await referrer(client, email="lea.bernard@example.fr", first_name="Léa")
    await _saved_card(client, fakes, camille)
    await _saved_card(client, fakes, lea)

    claimed = await client.post("/api/v1/referrals/claim", json={"code": code}, headers=lea)
    manager = await auth_headers(Role.manager)

    assert claimed.json()["status"] == "refused"
    assert [r["reason_code"] for r in await _refused(client, manager)] == ["shared_card"]


async def test_a_shared_card_saved_after_the_claim_refuses_the_reward_at_the_visit(
    client: AsyncClient, auth_headers: AuthHeaders, fakes: FakeProviders
) -> None:
    massage, _ = await facial_with_camille()
    camille, code = await referrer(client)
    await _saved_card(client, fakes, camille)
    lea, _ = await referrer(client, email="lea.bernard@example.fr", first_name="Léa")
    claimed = await client.post("/api/v1/referrals/claim", json={"code": code}, headers=lea)
    await _saved_card(client, fakes, lea)
    booking = (
        await client.post(
            "/api/v1/bookings", json={"service_ids": [str(massage)], "start": ELEVEN}, headers=lea
        )
    ).json()

    manager, _ = await visit_at_till(client, auth_headers, booking)

    assert claimed.json()["status"] == "pending"
    [refused] = await _refused(client, manager)
    assert (refused["reason_code"], refused["paid_at"] is not None) == ("shared_card", True)
    assert [m for m in await emails_to(CAMILLE) if "première visite" in m.text] == []


async def test_a_client_who_already_came_is_refused(
    client: AsyncClient, auth_headers: AuthHeaders
) -> None:
    massage, _ = await facial_with_camille()
    desk = await auth_headers(Role.receptionist)
    known = await make_client("Léa", email=LEA["email"])
    clock.pin(paris(2027, 3, 8, 8, 30))
    visit = await book_by_staff(client, desk, [massage], "2027-03-08T09:00:00+01:00", known)
    done = await client.post(
        f"/api/v1/bookings/{visit['id']}/status", json={"status": "completed"}, headers=desk
    )
    assert done.status_code == 200, done.text
    clock.pin(paris(2027, 3, 15, 8))
    _, code = await referrer(client)

    booking = await book_with_code(client, massage, code)
    manager = await auth_headers(Role.manager)

    assert booking["client_id"] == str(known)
    assert [r["reason_code"] for r in await _refused(client, manager)] == ["already_client"]


async def test_the_monthly_limit_refuses_the_reward_past_it(
    client: AsyncClient, auth_headers: AuthHeaders, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings_changed(monkeypatch, REFERRALS_MAX_REWARDS_PER_MONTH="1")
    massage, _ = await facial_with_camille(price_cents=4000)
    _camille, code = await referrer(client)
    first = await book_with_code(client, massage, code)
    second = await book_with_code(
        client,
        massage,
        code,
        who={"first_name": "Inès", "last_name": "Petit", "email": "ines.petit@example.fr"},
        start=ELEVEN,
    )
    manager, _ = await visit_at_till(client, auth_headers, first)
    await visit_at_till_again(client, manager, second)

    listed = (await client.get("/api/v1/referrals", headers=manager)).json()["items"]
    assert sorted((r["status"], r["reason_code"]) for r in listed) == [
        ("refused", "monthly_limit"),
        ("rewarded", None),
    ]


async def visit_at_till_again(
    client: AsyncClient, manager: dict[str, str], booking: dict[str, Any]
) -> None:
    from tests.sales.orders_helpers import complete, new_order, tender

    order = await new_order(client, manager, booking_id=booking["id"])
    await tender(client, manager, order["id"], method="cash", amount_cents=order["due_cents"])
    await complete(client, manager, order["id"])
    await run_outbox()


async def test_a_refunded_visit_takes_the_reward_back(
    client: AsyncClient, auth_headers: AuthHeaders
) -> None:
    massage, _ = await facial_with_camille(price_cents=5000)
    _, code = await referrer(client)
    booking = await book_with_code(client, massage, code)
    manager, ticket = await visit_at_till(client, auth_headers, booking)
    order = (await client.get(f"/api/v1/sales/orders/{ticket['order_id']}", headers=manager)).json()
    returned = await client.post(
        f"/api/v1/sales/tickets/{ticket['id']}/refund",
        json={
            "lines": [{"line_id": line["id"], "quantity": 1} for line in order["lines"]],
            "reason": "Soin non satisfaisant",
        },
        headers=manager,
    )
    assert returned.status_code == 201, returned.text
    await run_outbox()

    [referral] = (await client.get("/api/v1/referrals", headers=manager)).json()["items"]
    camille = await _camille_again(client)
    mine = (await client.get("/api/v1/me/referrals", headers=camille)).json()
    taken_back = [m for m in await emails_to(CAMILLE) if "remboursée" in m.text]

    assert (referral["status"], referral["reward_lost"]) == ("reversed", False)
    assert referral["refunded_cents"] == 5000
    assert referral["revenue_cents"] == 0
    assert mine["invitations"][0]["reward"]["state"] == "withdrawn"
    [mail] = taken_back
    assert mine["invitations"][0]["reward"]["code"] in mail.text
    assert "Léa" in mail.text
    assert "Bernard" not in mail.text


async def test_a_visit_completed_without_the_till_counts_what_was_kept_and_a_refund_undoes_it(
    client: AsyncClient, auth_headers: AuthHeaders, fakes: FakeProviders
) -> None:
    massage, _ = await salon_with_deposit(price_cents=9000)  # 27 € paid online
    _, code = await referrer(client)
    booking = await book_with_code(client, massage, code)
    checkout = (await pay_deposit(client, booking)).json()
    await post_stripe(client, fakes.stripe.pay(checkout["client_secret"]))
    await run_outbox()
    clock.pin(paris(2027, 3, 22, 10, 30))
    desk = await auth_headers(Role.receptionist)
    done = await client.post(
        f"/api/v1/bookings/{booking['id']}/status", json={"status": "completed"}, headers=desk
    )
    await run_outbox()
    manager = await auth_headers(Role.manager)
    [rewarded] = (await client.get("/api/v1/referrals", headers=manager)).json()["items"]
    refund = await client.post(
        f"/api/v1/payments/{checkout['payment_id']}/refunds",
        json={"amount_cents": 1000, "reason": "Soin écourté"},
        headers=manager,
    )
    await run_outbox()
    [after] = (await client.get("/api/v1/referrals", headers=manager)).json()["items"]

    assert done.status_code == 200, done.text
    assert (rewarded["status"], rewarded["visit_amount_cents"]) == ("rewarded", 2700)
    assert refund.status_code == 201, refund.text
    # 17 € kept, below the 20 € a visit must pay: the reward is taken back.
    assert (after["status"], after["refunded_cents"], after["reward_lost"]) == (
        "reversed",
        1000,
        False,
    )


async def test_a_sign_up_from_the_link_gets_the_welcome_and_a_bad_code_makes_no_account(
    client: AsyncClient,
) -> None:
    _, code = await referrer(client)
    body = {"password": "une-phrase-secrete", "first_name": "Léa", "last_name": "Bernard"}

    bad = await client.post(
        "/api/v1/auth/signup",
        json=body | {"email": "lea.bernard@example.fr", "referral_code": "PERSONNE-2222"},
    )
    made = await client.post(
        "/api/v1/auth/signup",
        json=body | {"email": "lea.bernard@example.fr", "referral_code": code},
    )
    headers = {"Authorization": f"Bearer {made.json()['access_token']}"}
    mine = (await client.get("/api/v1/me/referrals", headers=headers)).json()

    assert (bad.status_code, bad.json()["code"]) == (422, "unknown_referral_code")
    assert made.status_code == 201, made.text
    assert mine["referred_by"]["referrer_first_name"] == "Camille"
    assert mine["referred_by"]["status"] == "pending"
    welcome = mine["referred_by"]["welcome"]
    [mail] = [m for m in await emails_to("lea.bernard@example.fr") if "vous offre" in m.subject]
    assert (welcome["code"], welcome["state"]) == (personal_code_in(mail.text), "available")
