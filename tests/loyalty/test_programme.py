"""The programme around the points: rewards redeemed into personal codes (once, even from two
tills at once) and used at the till, the member card's QR code (rotated when re-issued),
the nightly expiry with its one reminder, tiers moved by the nightly task, the rules the
salon edits, and who may use which route."""

from __future__ import annotations

import asyncio
from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID

import pytest
from httpx import AsyncClient
from sqlalchemy import select

from app.auth.models import Role, UserKind
from app.core import clock
from app.core.db import unit_of_work
from app.integrations.console import console
from app.loyalty import expiry, ledger, service, tiers
from app.loyalty.errors import NotEnoughPoints
from app.loyalty.models import EntryKind, ExpiryReminder, TierMove
from tests.builders import AuthHeaders
from tests.factories.auth import sign_up
from tests.factories.clients import make_client
from tests.factories.core import paris
from tests.factories.notifications import deliver_messages
from tests.loyalty.helpers import (
    client_of_account,
    entries_of,
    loyalty_of,
    new_client,
    run_outbox,
    sold,
)
from tests.sales.orders_helpers import complete, new_order, open_till, stocked, tender


@pytest.fixture(autouse=True)
def _on_the_day() -> None:
    clock.pin(paris(2027, 3, 22, 10))


@pytest.fixture
async def manager(auth_headers: AuthHeaders) -> dict[str, str]:
    return await auth_headers(Role.manager)


@pytest.fixture
async def desk(auth_headers: AuthHeaders) -> dict[str, str]:
    return await auth_headers(Role.receptionist)


async def _give(client: AsyncClient, manager: dict[str, str], client_id: str, points: int) -> None:
    made = await client.post(
        f"/api/v1/clients/{client_id}/loyalty/adjustments",
        json={"points": points, "reason": "Reprise de l'ancien programme"},
        headers=manager,
    )
    assert made.status_code == 201, made.text


async def _reward(client: AsyncClient, manager: dict[str, str], **body: Any) -> dict[str, Any]:
    made = await client.post("/api/v1/loyalty/rewards", json=body, headers=manager)
    assert made.status_code == 201, made.text
    return dict(made.json())


async def test_a_client_redeems_a_reward_and_uses_its_code_at_the_till(
    client: AsyncClient, manager: dict[str, str]
) -> None:
    me = await sign_up(client, email="ines@example.fr")
    ines = await client_of_account("ines@example.fr")
    await _give(client, manager, ines, 120)
    reward = await _reward(
        client, manager, name="10 € offerts", kind="amount", points_cost=100, amount_cents=1000
    )

    redeemed = await client.post(f"/api/v1/me/loyalty/rewards/{reward['id']}/redeem", headers=me)
    again = await client.post(f"/api/v1/me/loyalty/rewards/{reward['id']}/redeem", headers=me)

    assert redeemed.status_code == 201, redeemed.text
    code = redeemed.json()["code"]
    assert code.startswith("FID-")
    assert again.status_code == 409
    assert again.json()["code"] == "not_enough_points"
    mine = (await client.get("/api/v1/me/loyalty", headers=me)).json()
    assert mine["balance"] == 20
    assert [(r["reward_name"], r["state"], r["code"]) for r in mine["rewards"]] == [
        ("10 € offerts", "available", code)
    ]
    staff_view = await loyalty_of(client, manager, ines)
    assert staff_view["last_rewards"][0]["code"] is None  # staff never read her code

    till = await open_till(client, manager)
    cream = await stocked(client, manager, "Crème", 3000, 5)
    order = await new_order(
        client,
        manager,
        register_id=till,
        client_id=ines,
        promo_code=code,
        lines=[{"kind": "product", "product_id": str(cream)}],
    )
    assert order["total_cents"] == 2000
    await tender(client, manager, order["id"], method="cash")
    await complete(client, manager, order["id"])
    await run_outbox()
    after = (await client.get("/api/v1/me/loyalty", headers=me)).json()
    assert after["rewards"][0]["state"] == "used"
    assert after["balance"] == 20 + 20  # the 20 € paid in money earn, the reward does not


@pytest.mark.race
async def test_two_tills_redeeming_at_once_spend_the_points_once(
    client: AsyncClient, manager: dict[str, str]
) -> None:
    helene = await new_client(client, manager)
    await _give(client, manager, helene, 150)
    reward = await _reward(
        client, manager, name="Soin offert", kind="percent", points_cost=100, percent="100"
    )

    async def redeem() -> object:
        async with unit_of_work() as session:
            return await service.redeem(
                session, UUID(helene), UUID(reward["id"]), actor_user_id=None
            )

    results = await asyncio.gather(redeem(), redeem(), return_exceptions=True)

    done = [r for r in results if not isinstance(r, BaseException)]
    refused = [r for r in results if isinstance(r, NotEnoughPoints)]
    assert len(done) == 1, results
    assert len(refused) == 1, results
    async with unit_of_work() as session:
        assert await ledger.balance(session, UUID(helene)) == 50


async def test_the_member_card_is_scanned_and_a_new_one_refuses_the_old(
    client: AsyncClient, desk: dict[str, str]
) -> None:
    me = await sign_up(client, email="ines@example.fr")
    ines = await client_of_account("ines@example.fr")
    first = (await client.get("/api/v1/me/loyalty/card", headers=me)).json()
    assert first["svg"].lstrip().startswith("<?xml") or "<svg" in first["svg"]

    scanned = await client.post(
        "/api/v1/loyalty/scan", json={"token": first["token"]}, headers=desk
    )
    assert scanned.status_code == 200, scanned.text
    assert (scanned.json()["client_id"], scanned.json()["first_name"]) == (ines, "Inès")

    renewed = await client.post("/api/v1/me/loyalty/card/reissue", headers=me)
    old = await client.post("/api/v1/loyalty/scan", json={"token": first["token"]}, headers=desk)
    new = await client.post(
        "/api/v1/loyalty/scan", json={"token": renewed.json()["token"]}, headers=desk
    )
    forged = first["token"][:-3] + ("AAA" if not first["token"].endswith("AAA") else "BBB")
    tampered = await client.post("/api/v1/loyalty/scan", json={"token": forged}, headers=desk)

    assert renewed.json()["token"] != first["token"]
    assert old.status_code == 404
    assert old.json()["code"] == "invalid_member_card"
    assert new.status_code == 200
    assert tampered.status_code == 404
    pdf = await client.get("/api/v1/me/loyalty/card/pdf", headers=me)
    assert pdf.status_code == 200
    assert pdf.content.startswith(b"%PDF")


async def test_points_expire_at_their_date_with_one_reminder_30_days_before(
    client: AsyncClient, manager: dict[str, str], auth_headers: AuthHeaders
) -> None:
    helene = await new_client(client, manager)
    await _give(client, manager, helene, 80)  # expires 22/03/2028
    clock.pin(paris(2027, 6, 1, 10))
    manager = await auth_headers(Role.manager)
    await _give(client, manager, helene, 30)  # expires 01/06/2028
    clock.pin(paris(2028, 2, 25, 10))  # 26 days before the first expiry

    reminded = [await expiry.remind_expiring(), await expiry.remind_expiring()]
    await deliver_messages()

    assert reminded == [1, 0]
    mails = [m for m in console.emails if m.to == "helene@example.fr"]
    assert [m.subject for m in mails] == ["80 points de fidélité expirent le 22/03/2028"]
    assert "Votre solde est de 110 points" in mails[0].text

    clock.pin(paris(2028, 3, 23, 1))
    assert await expiry.expire_due() == 80
    assert await expiry.expire_due() == 0
    manager = await auth_headers(Role.manager)
    assert (await loyalty_of(client, manager, helene))["balance"] == 30
    kinds = [(e["kind"], e["points"]) for e in await entries_of(client, manager, helene)]
    assert kinds[0] == ("expired", -80)


@pytest.mark.race
async def test_two_reminder_scans_at_once_send_one(
    client: AsyncClient, manager: dict[str, str]
) -> None:
    helene = await new_client(client, manager)
    await _give(client, manager, helene, 80)
    clock.pin(paris(2028, 3, 1, 10))
    results = await asyncio.gather(expiry.remind_expiring(), expiry.remind_expiring())
    assert sorted(results) == [0, 1]
    async with unit_of_work() as session:
        rows = list(await session.scalars(select(ExpiryReminder)))
    assert [(r.points, r.expires_on.isoformat()) for r in rows] == [(80, "2028-03-22")]


async def test_the_nightly_task_moves_tiers_up_and_down_and_tells_the_client(
    client: AsyncClient, manager: dict[str, str], auth_headers: AuthHeaders
) -> None:
    helene = await new_client(client, manager)
    listed = await client.get("/api/v1/loyalty/tiers", headers=manager)
    assert [(t["name"], t["threshold"]) for t in listed.json()["items"]] == [
        ("Bronze", 0),
        ("Silver", 30000),
        ("Gold", 80000),
    ]
    assert (await loyalty_of(client, manager, helene))["tier"]["tier"]["name"] == "Bronze"
    assert await tiers.apply_tiers() == 0  # a new member starts in the entry tier
    till = await open_till(client, manager)
    await sold(client, manager, helene, till=till, lines=[(("Coffret", 35000), 1)])
    await run_outbox()

    assert await tiers.apply_tiers() == 1
    assert await tiers.apply_tiers() == 0  # nothing changed since
    await deliver_messages()
    view = await loyalty_of(client, manager, helene)
    assert view["tier"]["tier"]["name"] == "Silver"
    assert "350,00 €" not in view["tier"]["rule"]
    rule = view["tier"]["rule"].replace("\u00a0", " ")
    assert "Silver : 300,00 € d'achats sur les 12 derniers mois" in rule
    (mail,) = [m for m in console.emails if m.subject.startswith("Bienvenue au niveau")]
    assert mail.subject == "Bienvenue au niveau Silver !"
    assert "Vos points comptent 1,25 fois." in mail.text

    clock.pin(paris(2028, 3, 23, 10))  # a year on: the spend left the rolling period
    assert await tiers.apply_tiers() == 1
    manager = await auth_headers(Role.manager)
    assert (await loyalty_of(client, manager, helene))["tier"]["tier"]["name"] == "Bronze"
    async with unit_of_work() as session:
        moves = list(await session.scalars(select(TierMove).order_by(TierMove.at)))
    assert [m.spend_cents for m in moves] == [35000, 0]


async def test_rules_by_category_campaigns_and_tier_multiply_points(
    client: AsyncClient, manager: dict[str, str]
) -> None:
    campaign = await client.post(
        "/api/v1/loyalty/rules",
        json={
            "kind": "campaign",
            "name": "Printemps x2",
            "multiplier": "2",
            "starts_at": "2027-03-20T00:00:00+01:00",
            "ends_at": "2027-03-31T00:00:00+02:00",
        },
        headers=manager,
    )
    products = await client.post(
        "/api/v1/loyalty/rules",
        json={
            "kind": "per_euro",
            "name": "Produits +1",
            "points_per_euro": "1",
            "item_kind": "product",
        },
        headers=manager,
    )
    bad = await client.post(
        "/api/v1/loyalty/rules", json={"kind": "campaign", "name": "Sans dates"}, headers=manager
    )
    assert campaign.status_code == 201, campaign.text
    assert products.status_code == 201, products.text
    assert bad.status_code == 422
    helene = await new_client(client, manager)
    await sold(client, manager, helene)  # 105,50 € of products
    await run_outbox()
    # (1 + 1) points per euro on 105,50 €, doubled by the campaign: 422.
    assert (await loyalty_of(client, manager, helene))["balance"] == 422
    rules = await client.get("/api/v1/loyalty/rules", headers=manager)
    assert [r["name"] for r in rules.json()["items"]] == [
        "1 point par euro",
        "Printemps x2",
        "Produits +1",
    ]


async def test_a_verified_review_and_an_online_booking_earn_their_bonus_once(
    client: AsyncClient, manager: dict[str, str]
) -> None:
    from app.loyalty import public as loyalty

    made = await client.post(
        "/api/v1/loyalty/rules",
        json={"kind": "action", "name": "Avis vérifié", "points": 20, "action": "verified_review"},
        headers=manager,
    )
    assert made.status_code == 201, made.text
    helene = await new_client(client, manager)
    review = UUID(int=7)
    async with unit_of_work() as session:
        given = [
            await loyalty.reward_verified_review(session, UUID(helene), review) for _ in range(2)
        ]
    assert given == [20, 0]
    assert (await loyalty_of(client, manager, helene))["balance"] == 20


async def test_a_birthday_earns_its_bonus_once_a_year(
    client: AsyncClient, manager: dict[str, str]
) -> None:
    from app.loyalty import flows

    assert await flows.grant_birthdays(today=date(2027, 2, 28)) == 0  # no rule: nothing
    made = await client.post(
        "/api/v1/loyalty/rules",
        json={"kind": "action", "name": "Anniversaire", "points": 50, "action": "birthday"},
        headers=manager,
    )
    assert made.status_code == 201, made.text
    today = await make_client("Lina", birthday=date(1990, 2, 28))
    leap = await make_client("Léa", birthday=date(1992, 2, 29))  # no 29th in 2027: the 28th
    other = await make_client("Zoé", birthday=date(1990, 3, 1))

    runs = [await flows.grant_birthdays(today=date(2027, 2, 28)) for _ in range(2)]

    assert runs == [2, 0]
    balances = [
        (await loyalty_of(client, manager, str(c)))["balance"] for c in (today, leap, other)
    ]
    assert balances == [50, 50, 0]
    assert await flows.grant_birthdays(today=date(2028, 2, 28)) == 1  # a year on: Lina only
    assert await flows.grant_birthdays(today=date(2028, 2, 29)) == 1  # and Léa on her day


async def test_who_may_use_the_loyalty_routes(
    client: AsyncClient, auth_headers: AuthHeaders, manager: dict[str, str]
) -> None:
    helene = await new_client(client, manager)
    me = await sign_up(client, email="ines@example.fr")
    desk = await auth_headers(Role.receptionist)
    practitioner = await auth_headers(Role.practitioner)
    account = await auth_headers(None, UserKind.client)
    body = {"points": 10, "reason": "Geste"}
    reward = {"name": "x", "kind": "amount", "points_cost": 10, "amount_cents": 100}
    forbidden = [
        ("GET", f"/api/v1/clients/{helene}/loyalty", me, None),
        ("GET", f"/api/v1/clients/{helene}/loyalty/entries", me, None),
        ("POST", f"/api/v1/clients/{helene}/loyalty/adjustments", desk, body),
        ("POST", f"/api/v1/clients/{helene}/loyalty/adjustments", me, body),
        (
            "POST",
            f"/api/v1/clients/{helene}/loyalty/redemptions",
            me,
            {"reward_id": str(UUID(int=1))},
        ),
        ("GET", f"/api/v1/clients/{helene}/loyalty", practitioner, None),
        ("POST", "/api/v1/loyalty/rewards", desk, reward),
        ("POST", "/api/v1/loyalty/rules", desk, {"kind": "per_visit", "name": "x", "points": 1}),
        ("GET", "/api/v1/loyalty/rules", desk, None),
        ("POST", "/api/v1/loyalty/scan", me, {"token": "FID1" + "A" * 40}),
        ("POST", "/api/v1/loyalty/tiers", desk, {"name": "x", "rank": 9, "threshold": 1}),
        ("GET", "/api/v1/me/loyalty", desk, None),
    ]
    for method, path, headers, json in forbidden:
        answer = await client.request(method, path, headers=headers, json=json)
        assert answer.status_code == 403, (method, path, answer.text)
    # An account with no client record has no loyalty of its own.
    assert (await client.get("/api/v1/me/loyalty", headers=account)).status_code == 404
    assert (await client.get("/api/v1/me/loyalty")).status_code == 401


async def test_a_merge_adds_the_ledgers_and_an_erasure_keeps_the_figures(
    client: AsyncClient, manager: dict[str, str]
) -> None:
    kept = await new_client(client, manager)
    duplicate = await new_client(client, manager, email="helene.d@example.fr")
    await _give(client, manager, kept, 40)
    await _give(client, manager, duplicate, 25)
    merged = await client.post(
        "/api/v1/clients/merge",
        json={"source_id": duplicate, "target_id": kept},
        headers=manager,
    )
    assert merged.status_code == 200, merged.text
    assert (await loyalty_of(client, manager, kept))["balance"] == 65

    exported = await client.get(f"/api/v1/clients/{kept}/export", headers=manager)
    if exported.status_code == 200:
        assert len(exported.json()["loyalty"]["entries"]) == 2
    erased = await client.request(
        "DELETE", f"/api/v1/clients/{kept}", json={"confirm": True}, headers=manager
    )
    assert erased.status_code == 200, erased.text
    async with unit_of_work() as session:
        assert await ledger.balance(session, UUID(kept)) == 65
        grants = await ledger.open_grants(session, UUID(kept))
    assert len(grants) == 2
    entries = await entries_of(client, manager, kept)
    assert {e["reason"] for e in entries} == {None}
    assert {e["kind"] for e in entries} == {EntryKind.adjusted}


def test_the_tier_for_a_spend_is_the_highest_reached() -> None:
    from app.loyalty.models import Tier

    ladder = [
        Tier(id=UUID(int=i), name=n, rank=i, basis="spend", threshold=t, multiplier=Decimal(1))
        for i, (n, t) in enumerate((("Bronze", 0), ("Silver", 30000), ("Gold", 80000)))
    ]
    found = [
        tiers.tier_for(ladder, tiers.Activity(spend, 0)).name  # type: ignore[union-attr]
        for spend in (0, 29999, 30000, 80000)
    ]
    assert found == ["Bronze", "Bronze", "Silver", "Gold"]
