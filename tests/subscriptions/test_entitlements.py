"""A membership's allowance on bookings: used by a completed visit, given back by a timely
cancellation, kept by a late one (the plan's policy); what the dunning asks of the domain
(retry, suspend, reinstate, cancel now, contact, the card link); and who may do what."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import pytest
from httpx import AsyncClient
from sqlalchemy.ext.asyncio import AsyncSession

from app.auth.models import Role
from app.core import clock
from app.subscriptions import public as subscriptions
from app.subscriptions.links import subscription_from_card_token
from tests.factories.auth import AuthHeaders, sign_up
from tests.factories.bookings import NINE, book_by_staff, facial_with_camille
from tests.factories.core import paris
from tests.fakes.server import FakeProviders
from tests.subscriptions.helpers import again, make_plan, mine, subscribed_and_paid


@pytest.fixture(autouse=True)
def _a_week_before() -> None:
    clock.pin(paris(2027, 3, 15, 8))


@pytest.fixture
async def manager(auth_headers: AuthHeaders) -> dict[str, str]:
    return await auth_headers(Role.manager)


async def _member_with_booking(
    client: AsyncClient, fakes: FakeProviders, manager: dict[str, str], email: str, **terms: Any
) -> tuple[dict[str, str], str, dict[str, Any]]:
    facial, _ = await facial_with_camille()
    plan = await make_plan(client, manager, [facial], **terms)
    member = await sign_up(client, email)
    ours, _ = await subscribed_and_paid(client, fakes, member, plan)
    client_id = UUID((await mine(client, member))[0]["client_id"])
    booking = await book_by_staff(client, manager, [facial], NINE, client_id)
    assert booking["items"][0]["covered_by"] == "subscription"
    return member, ours, booking


def _counts(membership: dict[str, Any]) -> tuple[int, int, int]:
    [row] = membership["entitlements"]
    return row["reserved"], row["used"], row["remaining"]


async def test_a_completed_visit_uses_the_session(
    client: AsyncClient, fakes: FakeProviders, manager: dict[str, str]
) -> None:
    member, _, booking = await _member_with_booking(client, fakes, manager, "a.used@example.fr")
    done = await client.post(
        f"/api/v1/bookings/{booking['id']}/status", json={"status": "completed"}, headers=manager
    )
    assert done.status_code == 200, done.text
    [membership] = await mine(client, member)
    assert _counts(membership) == (0, 1, 0)


async def test_a_cancellation_in_time_gives_the_session_back(
    client: AsyncClient, fakes: FakeProviders, manager: dict[str, str]
) -> None:
    member, _, booking = await _member_with_booking(client, fakes, manager, "a.back@example.fr")
    cancelled = await client.post(
        f"/api/v1/bookings/{booking['id']}/cancel",
        json={"requested_by_client": True},
        headers=manager,
    )
    assert cancelled.status_code == 200, cancelled.text
    [membership] = await mine(client, member)
    assert _counts(membership) == (0, 0, 1)


async def test_a_late_cancellation_keeps_the_session_by_the_plan(
    client: AsyncClient, fakes: FakeProviders, manager: dict[str, str], auth_headers: AuthHeaders
) -> None:
    _, _, booking = await _member_with_booking(client, fakes, manager, "a.late@example.fr")
    clock.pin(paris(2027, 3, 22, 7))  # two hours before: inside the notice
    staff = await auth_headers(Role.manager)
    cancelled = await client.post(
        f"/api/v1/bookings/{booking['id']}/cancel",
        json={"requested_by_client": True},
        headers=staff,
    )
    assert cancelled.status_code == 200, cancelled.text
    [membership] = await mine(client, await again(client, "a.late@example.fr"))
    assert _counts(membership) == (0, 1, 0)


async def test_a_suspended_membership_covers_nothing_until_reinstated(
    client: AsyncClient, fakes: FakeProviders, manager: dict[str, str], session: AsyncSession
) -> None:
    facial, _ = await facial_with_camille()
    plan = await make_plan(client, manager, [facial])
    member = await sign_up(client, "a.suspendue@example.fr")
    ours, _ = await subscribed_and_paid(client, fakes, member, plan)
    client_id = UUID((await mine(client, member))[0]["client_id"])
    await subscriptions.suspend(session, UUID(ours), "J+15")
    booking = await book_by_staff(client, manager, [facial], NINE, client_id)
    assert booking["items"][0]["covered_by"] is None
    await subscriptions.reinstate(session, UUID(ours))
    assert [m["status"] for m in await mine(client, member)] == ["active"]


async def test_retry_reports_a_hard_decline_then_pays_with_a_new_card(
    client: AsyncClient, fakes: FakeProviders, manager: dict[str, str], session: AsyncSession
) -> None:
    facial, _ = await facial_with_camille()
    plan = await make_plan(client, manager, [facial])
    member = await sign_up(client, "a.retry@example.fr", "Zoé")
    ours, ref = await subscribed_and_paid(client, fakes, member, plan)
    from tests.subscriptions.helpers import post_all

    await post_all(client, fakes.stripe.renew(ref, decline_code="insufficient_funds"))
    fakes.stripe.pay_outcome = "stolen_card"
    refused = await subscriptions.retry_invoice(session, UUID(ours))
    assert refused == subscriptions.RetryOutcome(paid=False, decline_code="stolen_card", hard=True)
    fakes.stripe.pay_outcome = "insufficient_funds"
    soft = await subscriptions.retry_invoice(session, UUID(ours))
    assert (soft.paid, soft.hard) == (False, False)
    fakes.stripe.pay_outcome = None
    paid = await subscriptions.retry_invoice(session, UUID(ours))
    assert paid.paid
    assert [m["status"] for m in await mine(client, member)] == ["active"]
    who = await subscriptions.contact(session, UUID(ours))
    assert (who.first_name, who.plan_name, who.amount_due_cents) == ("Zoé", "Abonnement soins", 0)
    link = subscriptions.card_update_url(UUID(ours))
    assert "/abonnement/carte?token=" in link
    assert subscription_from_card_token(link.split("token=")[1]) == UUID(ours)


async def test_the_card_link_gives_a_setup_intent_and_its_success_is_published(
    client: AsyncClient, fakes: FakeProviders, manager: dict[str, str], session: AsyncSession
) -> None:
    from sqlalchemy import select

    from app.core.outbox import OutboxEvent
    from tests.factories.payments import post_stripe

    facial, _ = await facial_with_camille()
    plan = await make_plan(client, manager, [facial])
    member = await sign_up(client, "a.carte@example.fr")
    ours, ref = await subscribed_and_paid(client, fakes, member, plan)
    token = subscriptions.card_update_url(UUID(ours)).split("token=")[1]
    card = await client.post("/api/v1/subscriptions/card-link", json={"token": token})
    assert card.status_code == 200, card.text
    saved = fakes.stripe.complete_setup(card.json()["client_secret"])
    assert (await post_stripe(client, saved)).status_code == 200
    method = saved["data"]["object"]["payment_method"]
    assert fakes.stripe.subscriptions[ref]["default_payment_method"] == method
    topics = list(
        await session.scalars(
            select(OutboxEvent.payload).where(OutboxEvent.topic == "subscriptions.card_updated")
        )
    )
    assert {t["subscription_id"] for t in topics} == {ours}
    forged = await client.post(
        "/api/v1/subscriptions/card-link", json={"token": token[:-4] + "abcd"}
    )
    assert forged.json()["code"] == "subscription_card_link_invalid"


async def test_roles_a_receptionist_makes_no_plan_and_a_client_sees_only_hers(
    client: AsyncClient, fakes: FakeProviders, manager: dict[str, str], auth_headers: AuthHeaders
) -> None:
    facial, _ = await facial_with_camille()
    desk = await auth_headers(Role.receptionist)
    body = {"name": "X", "price_cents": 100}
    assert (
        await client.post("/api/v1/subscription-plans", json=body, headers=desk)
    ).status_code == 403
    plan = await make_plan(client, manager, [facial])
    ines = await sign_up(client, "r.ines@example.fr")
    lea = await sign_up(client, "r.lea@example.fr", "Léa")
    ours, _ = await subscribed_and_paid(client, fakes, ines, plan)
    assert await mine(client, lea) == []
    theirs = await client.post(f"/api/v1/me/subscriptions/{ours}/cancel", json={}, headers=lea)
    assert (theirs.status_code, theirs.json()["code"]) == (404, "subscription_not_found")
    assert (await client.get("/api/v1/subscriptions", headers=lea)).status_code == 403
    assert (await client.get(f"/api/v1/subscriptions/{ours}", headers=desk)).status_code == 200
    report = await client.get(
        "/api/v1/subscription-reports/summary",
        params={"from": "2027-03-01T00:00:00+01:00", "to": "2027-04-01T00:00:00+02:00"},
        headers=desk,
    )
    assert report.status_code == 403


async def test_the_report_counts_mrr_members_churn_and_sessions(
    client: AsyncClient, fakes: FakeProviders, manager: dict[str, str], auth_headers: AuthHeaders
) -> None:
    facial, _ = await facial_with_camille()
    monthly = await make_plan(client, manager, [facial])
    yearly = await make_plan(
        client, manager, [facial], name="Annuel", interval="year", price_cents=60000
    )
    await subscribed_and_paid(client, fakes, await sign_up(client, "m.un@example.fr"), monthly)
    await subscribed_and_paid(client, fakes, await sign_up(client, "m.deux@example.fr"), yearly)
    gone, _ = await subscribed_and_paid(
        client, fakes, await sign_up(client, "m.trois@example.fr"), monthly
    )
    clock.pin(paris(2027, 4, 2, 8))
    boss = await auth_headers(Role.manager)
    ended = await client.post(
        f"/api/v1/subscriptions/{gone}/cancel", json={"at_period_end": False}, headers=boss
    )
    assert ended.status_code == 200, ended.text
    report = await client.get(
        "/api/v1/subscription-reports/summary",
        params={"from": "2027-04-01T00:00:00+02:00", "to": "2027-05-01T00:00:00+02:00"},
        headers=boss,
    )
    assert report.status_code == 200, report.text
    figures = report.json()
    assert figures["mrr_cents"] == 5900 + 5000
    assert sorted((p["plan_name"], p["active"]) for p in figures["members_by_plan"]) == [
        ("Abonnement soins", 1),
        ("Annuel", 1),
    ]
    assert (figures["active_at_start"], figures["cancelled_in_period"]) == (3, 1)
    assert figures["churn_percent"] == "33.33"


async def test_the_till_gives_a_member_the_plans_discount_on_products_and_none_once_paused(
    client: AsyncClient, fakes: FakeProviders, manager: dict[str, str]
) -> None:
    from tests.sales.orders_helpers import new_order, open_till, product

    facial, _ = await facial_with_camille()
    plan = await make_plan(client, manager, [facial], product_discount_percent=10)
    member = await sign_up(client, "t.membre@example.fr")
    ours, _ = await subscribed_and_paid(client, fakes, member, plan)
    client_id = (await mine(client, member))[0]["client_id"]
    cream = await product("Crème de nuit", 4500)
    await open_till(client, manager)
    lines = [{"kind": "product", "product_id": str(cream)}]
    order = await new_order(client, manager, client_id=client_id, lines=lines)
    [line] = order["lines"]
    assert (line["discount_cents"], line["discount_reason"]) == (450, "Abonnement soins")
    assert order["total_cents"] == 4050
    anonymous = await new_order(client, manager, lines=lines)
    assert anonymous["total_cents"] == 4500
    paused = await client.post(
        f"/api/v1/me/subscriptions/{ours}/pause", json={"months": 1}, headers=member
    )
    assert paused.status_code == 200, paused.text
    later = await new_order(client, manager, client_id=client_id, lines=lines)
    assert later["total_cents"] == 4500
