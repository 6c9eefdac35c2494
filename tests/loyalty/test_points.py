"""Points on the real PostgreSQL, through the till and the booking flow as staff and clients
use them: earned when money is really taken (a ticket, a visit paid online and completed
outside the till, never twice), reversed exactly by credit tickets and refunds, spent
soonest-expiring first, a ledger the database refuses to edit."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from uuid import UUID

import pytest
from httpx import AsyncClient
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession

from app.auth.models import Role
from app.core import clock
from app.loyalty.models import LoyaltyEntry
from tests.builders import AuthHeaders, sell_gift_card
from tests.factories.core import count, paris
from tests.fakes.server import FakeProviders
from tests.loyalty.helpers import (
    entries_of,
    grants_left,
    loyalty_of,
    new_client,
    run_outbox,
    sold,
)
from tests.sales.orders_helpers import (
    booked_and_deposit_paid,
    complete,
    new_order,
    open_till,
    tender,
)


@pytest.fixture(autouse=True)
def _on_the_day() -> None:
    clock.pin(paris(2027, 3, 22, 10))


@pytest.fixture
async def desk(auth_headers: AuthHeaders) -> dict[str, str]:
    return await auth_headers(Role.receptionist)


@pytest.fixture
async def manager(auth_headers: AuthHeaders) -> dict[str, str]:
    return await auth_headers(Role.manager)


async def _refund_lines(
    client: AsyncClient, headers: dict[str, str], ticket: dict[str, Any], lines: list[Any]
) -> dict[str, Any]:
    refunded = await client.post(
        f"/api/v1/sales/tickets/{ticket['id']}/refund",
        json={"lines": lines, "reason": "Ne convient pas"},
        headers=headers,
    )
    assert refunded.status_code == 201, refunded.text
    return dict(refunded.json())


async def test_a_till_ticket_earns_a_point_per_euro_paid_once(
    client: AsyncClient, desk: dict[str, str], manager: dict[str, str]
) -> None:
    helene = await new_client(client, desk)
    till = await open_till(client, manager)
    await sold(client, manager, helene, till=till)
    walk_in_order, _ = await sold(client, manager, None, till=till)

    await run_outbox()
    await run_outbox()  # a second pass earns nothing more

    mine = await loyalty_of(client, desk, helene)
    assert mine["balance"] == 105  # 105,50 € paid: whole points, rounded down
    (entry,) = await entries_of(client, desk, helene)
    assert (entry["kind"], entry["points"], entry["source_kind"]) == ("earned", 105, "ticket")
    assert entry["expires_at"] == "2028-03-22T09:00:00Z"  # its own expiry: 12 months
    assert mine["next_expiry"] == {"points": 105, "expires_at": "2028-03-22T09:00:00Z"}
    assert mine["tier"]["rule"].startswith("Votre niveau est recalculé chaque nuit")
    assert walk_in_order["client_id"] is None  # a walk-in earns nothing: nobody to credit


async def test_a_gift_cards_tender_earns_nothing(
    client: AsyncClient, desk: dict[str, str], manager: dict[str, str]
) -> None:
    helene = await new_client(client, desk)
    card = (await sell_gift_card(client, manager, 5000)).json()
    await sold(
        client,
        manager,
        helene,
        tenders=[
            {"method": "gift_card", "gift_card_code": card["code"], "amount_cents": 5000},
            {"method": "cash"},
        ],
    )
    await run_outbox()
    # 105,50 € of which 50 € from the card (its sale was not a service): 55,50 € earn.
    assert (await loyalty_of(client, desk, helene))["balance"] == 55


async def test_credit_tickets_take_back_exactly_what_the_ticket_earned(
    client: AsyncClient, desk: dict[str, str], manager: dict[str, str]
) -> None:
    helene = await new_client(client, desk)
    order, ticket = await sold(client, manager, helene)
    await run_outbox()
    cream, serum = order["lines"][0]["id"], order["lines"][1]["id"]

    await _refund_lines(client, manager, ticket, [{"line_id": cream, "quantity": 1}])
    await run_outbox()
    first = await loyalty_of(client, desk, helene)
    await _refund_lines(
        client, manager, ticket, [{"line_id": cream, "quantity": 1}, {"line_id": serum}]
    )
    await run_outbox()
    await run_outbox()

    # 30 € of 105,50 € given back: floor(105 x 3000 / 10550) = 29 points taken back.
    assert first["balance"] == 105 - 29
    entries = await entries_of(client, desk, helene)
    assert [(e["kind"], e["points"]) for e in entries] == [
        ("reversed", -76),  # the rest: 105 in all, exactly what was earned
        ("reversed", -29),
        ("earned", 105),
    ]
    assert (await loyalty_of(client, desk, helene))["balance"] == 0


async def test_a_reversal_never_takes_the_balance_below_zero(
    client: AsyncClient, desk: dict[str, str], manager: dict[str, str]
) -> None:
    helene = await new_client(client, desk)
    order, ticket = await sold(client, manager, helene)
    await run_outbox()
    spent = await client.post(
        f"/api/v1/clients/{helene}/loyalty/adjustments",
        json={"points": -100, "reason": "Points utilisés en caisse"},
        headers=manager,
    )
    assert spent.status_code == 201, spent.text

    await _refund_lines(
        client,
        manager,
        ticket,
        [{"line_id": order["lines"][0]["id"], "quantity": 2}, {"line_id": order["lines"][1]["id"]}],
    )
    await run_outbox()

    latest = (await entries_of(client, desk, helene))[0]
    assert (latest["kind"], latest["points"], latest["shortfall"]) == ("reversed", -5, 100)
    assert (await loyalty_of(client, desk, helene))["balance"] == 0


async def test_an_online_visit_completed_outside_the_till_earns_once(
    client: AsyncClient, fakes: FakeProviders, auth_headers: AuthHeaders, session: AsyncSession
) -> None:
    clock.pin(paris(2027, 3, 15, 10))
    booking = await booked_and_deposit_paid(client, fakes)
    clock.pin(paris(2027, 3, 22, 10, 30))
    desk = await auth_headers(Role.receptionist)
    done = await client.post(
        f"/api/v1/bookings/{booking['id']}/status", json={"status": "completed"}, headers=desk
    )
    assert done.status_code == 200, done.text
    await run_outbox()
    await run_outbox()

    client_id = str(booking["client_id"])
    (entry,) = await entries_of(client, desk, client_id)
    # Only the 27 € deposit was taken: the visit earns on that money, once.
    assert (entry["source_kind"], entry["points"]) == ("booking", 27)
    assert await count(session, LoyaltyEntry, LoyaltyEntry.client_id == UUID(client_id)) == 1


async def test_a_visit_checked_out_at_the_till_earns_with_its_ticket_only(
    client: AsyncClient, fakes: FakeProviders, auth_headers: AuthHeaders, session: AsyncSession
) -> None:
    clock.pin(paris(2027, 3, 15, 10))
    booking = await booked_and_deposit_paid(client, fakes)
    clock.pin(paris(2027, 3, 22, 10, 30))
    manager = await auth_headers(Role.manager)
    await open_till(client, manager)
    order = await new_order(client, manager, booking_id=booking["id"])
    await tender(client, manager, order["id"], method="cash")
    await complete(client, manager, order["id"])
    await run_outbox()
    await run_outbox()

    client_id = str(booking["client_id"])
    entries = await entries_of(client, manager, client_id)
    # 150 € in all (27 € online, 123 € in cash), counted by the ticket; bookings.completed
    # came too and earned nothing (the booking went through the till).
    assert [(e["source_kind"], e["points"]) for e in entries] == [("ticket", 150)]


async def test_a_refund_of_an_online_visit_reverses_its_share(
    client: AsyncClient, fakes: FakeProviders, auth_headers: AuthHeaders, session: AsyncSession
) -> None:
    clock.pin(paris(2027, 3, 15, 10))
    booking = await booked_and_deposit_paid(client, fakes)
    clock.pin(paris(2027, 3, 22, 10, 30))
    manager = await auth_headers(Role.manager)
    done = await client.post(
        f"/api/v1/bookings/{booking['id']}/status", json={"status": "completed"}, headers=manager
    )
    assert done.status_code == 200, done.text
    await run_outbox()
    payments = await client.get(
        "/api/v1/payments", params={"booking_id": booking["id"]}, headers=manager
    )
    assert payments.status_code == 200, payments.text
    (paid,) = [p for p in payments.json()["items"] if p["status"] == "succeeded"]

    for amount in (1000, 1700):
        refund = await client.post(
            f"/api/v1/payments/{paid['id']}/refunds",
            json={"amount_cents": amount, "reason": "Geste commercial"},
            headers=manager,
        )
        assert refund.status_code == 201, refund.text
        await run_outbox()
        await run_outbox()

    client_id = str(booking["client_id"])
    entries = await entries_of(client, manager, client_id)
    # 27 points on 27 €: 10 € back is floor(27 x 1000 / 2700) = 10; all of it, 27.
    assert [(e["kind"], e["points"]) for e in entries] == [
        ("reversed", -17),
        ("reversed", -10),
        ("earned", 27),
    ]


async def test_spending_takes_the_soonest_expiring_points_first(
    client: AsyncClient, desk: dict[str, str], auth_headers: AuthHeaders
) -> None:
    helene = await new_client(client, desk)
    for month, points in ((1, 40), (2, 30), (3, 50)):
        clock.pin(paris(2027, month, 10, 10))
        manager = await auth_headers(Role.manager)
        made = await client.post(
            f"/api/v1/clients/{helene}/loyalty/adjustments",
            json={"points": points, "reason": f"Reprise de l'ancien programme ({month})"},
            headers=manager,
        )
        assert made.status_code == 201, made.text
    clock.pin(paris(2027, 4, 1, 10))
    manager, desk = await auth_headers(Role.manager), await auth_headers(Role.receptionist)

    taken = await client.post(
        f"/api/v1/clients/{helene}/loyalty/adjustments",
        json={"points": -55, "reason": "Correction"},
        headers=manager,
    )
    too_much = await client.post(
        f"/api/v1/clients/{helene}/loyalty/adjustments",
        json={"points": -66, "reason": "Correction"},
        headers=manager,
    )

    assert taken.status_code == 201, taken.text
    assert await grants_left(helene) == [(30, 15), (50, 50)]  # January's 40 gone first
    assert too_much.status_code == 409
    assert too_much.json()["code"] == "not_enough_points"
    assert too_much.json()["available_points"] == 65
    assert (await loyalty_of(client, desk, helene))["balance"] == 65


async def test_the_database_refuses_to_edit_the_ledger(
    client: AsyncClient, desk: dict[str, str], manager: dict[str, str], session: AsyncSession
) -> None:
    helene = await new_client(client, desk)
    made = await client.post(
        f"/api/v1/clients/{helene}/loyalty/adjustments",
        json={"points": 20, "reason": "Bienvenue"},
        headers=manager,
    )
    assert made.status_code == 201, made.text
    entry_id = made.json()["id"]
    for statement in (
        "UPDATE loyalty_entries SET points = 2000 WHERE id = :id",
        "DELETE FROM loyalty_entries WHERE id = :id",
    ):
        with pytest.raises(DBAPIError, match="never edited"):
            async with session.begin_nested():
                await session.execute(text(statement), {"id": entry_id})
    assert (await loyalty_of(client, desk, helene))["balance"] == 20


async def test_an_adjustment_needs_a_reason_and_changes_nothing_when_refused(
    client: AsyncClient, desk: dict[str, str], manager: dict[str, str]
) -> None:
    helene = await new_client(client, desk)
    bad = await client.post(
        f"/api/v1/clients/{helene}/loyalty/adjustments",
        json={"points": 20, "reason": ""},
        headers=manager,
    )
    zero = await client.post(
        f"/api/v1/clients/{helene}/loyalty/adjustments",
        json={"points": 0, "reason": "Rien"},
        headers=manager,
    )
    assert bad.status_code == 422
    assert zero.status_code == 422
    assert zero.json()["code"] == "validation_error"
    assert await entries_of(client, desk, helene) == []


def test_points_expire_twelve_months_after_each_grant() -> None:
    from app.loyalty.ledger import grant_expiry

    earned = paris(2027, 1, 31, 10)
    assert grant_expiry(earned) == paris(2028, 1, 31, 10)
    assert grant_expiry(paris(2028, 2, 29, 10)) - paris(2029, 2, 28, 10) == timedelta(0)


async def test_a_visit_tells_her_the_points_and_how_close_a_reward_is(
    client: AsyncClient, fakes: FakeProviders, auth_headers: AuthHeaders, session: AsyncSession
) -> None:
    from sqlalchemy import select

    from app.integrations.console import console
    from app.notifications.models import Message
    from tests.factories.notifications import deliver_messages

    clock.pin(paris(2027, 3, 15, 10))
    manager = await auth_headers(Role.manager)
    reward = await client.post(
        "/api/v1/loyalty/rewards",
        json={"name": "Soin offert", "kind": "amount", "points_cost": 30, "amount_cents": 3000},
        headers=manager,
    )
    assert reward.status_code == 201, reward.text
    booking = await booked_and_deposit_paid(client, fakes)
    clock.pin(paris(2027, 3, 22, 10, 30))
    desk = await auth_headers(Role.receptionist)
    done = await client.post(
        f"/api/v1/bookings/{booking['id']}/status", json={"status": "completed"}, headers=desk
    )
    assert done.status_code == 200, done.text
    await deliver_messages()

    (mail,) = [m for m in console.emails if "fidélité" in m.subject]
    assert mail.to == "helene@example.fr"
    assert mail.subject == "27 points de fidélité gagnés chez Sérénaia Beauté"
    assert "votre solde est de 27 points" in mail.text
    # The nudge is marketing: written, and held back without her consent.
    nudge = await session.scalar(select(Message).where(Message.template == "loyalty_threshold"))
    assert nudge is not None
    assert nudge.kind == "marketing"
    assert nudge.status_reason == "no email_marketing consent"
