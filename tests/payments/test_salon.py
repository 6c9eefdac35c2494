"""Money taken at the salon: the SumUp card reader (pairing, checkout, callback, polling,
cancel), cash, tips shared between practitioners, the day's summary, the no-show fee."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from urllib.parse import urlparse

import pytest
from httpx import AsyncClient
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.auth.models import Role
from app.core import clock
from app.payments.models import ProviderEvent, Tip
from app.payments.terminal import poll_open_checkouts
from tests.bookings.salon import (
    book_by_staff,
    facial_with_camille,
    make_practitioner,
    make_service,
    open_salon,
    paris,
)
from tests.builders import AuthHeaders
from tests.fakes.server import FakeProviders
from tests.fakes.sumup import OFFLINE_READER_NAME, PAIRING_CODE
from tests.payments.helpers import count, payment

NINE = "2027-03-22T09:00:00+01:00"


@pytest.fixture(autouse=True)
def _on_the_day() -> None:
    clock.pin(paris(2027, 3, 15, 8))


@pytest.fixture
async def desk(auth_headers: AuthHeaders) -> dict[str, str]:
    return await auth_headers(Role.manager)


async def visit(client: AsyncClient, desk: dict[str, str]) -> dict[str, Any]:
    """A 60 € facial by Camille, booked by staff."""
    facial, camille = await facial_with_camille()
    return await book_by_staff(client, desk, [facial], NINE) | {"_camille": camille}


async def pair(client: AsyncClient, desk: dict[str, str], name: str = "Comptoir") -> str:
    response = await client.post(
        "/api/v1/payments/terminal/readers",
        json={"pairing_code": PAIRING_CODE, "name": name},
        headers=desk,
    )
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


async def on_the_reader(
    client: AsyncClient, desk: dict[str, str], booking_id: str, reader_id: str
) -> dict[str, Any]:
    """Start a checkout of what is due on the reader."""
    started = await client.post(
        "/api/v1/payments/in-person",
        json={"booking_id": booking_id, "method": "sumup_terminal", "reader_id": reader_id},
        headers=desk,
    )
    assert started.status_code == 201, started.text
    return dict(started.json())


async def test_pairing_needs_the_code_the_reader_shows(
    client: AsyncClient, fakes: FakeProviders, desk: dict[str, str]
) -> None:
    wrong = await client.post(
        "/api/v1/payments/terminal/readers",
        json={"pairing_code": "WRONG123", "name": "Comptoir"},
        headers=desk,
    )
    reader_id = await pair(client, desk)
    listed = await client.get("/api/v1/payments/terminal/readers", headers=desk)

    assert wrong.status_code == 422
    assert wrong.json()["code"] == "payment_provider_refused"
    assert [r["id"] for r in listed.json()["items"]] == [reader_id]
    assert listed.json()["items"][0]["model"] == "solo"


async def test_a_terminal_checkout_with_a_tip_settles_from_the_reader_callback(
    client: AsyncClient, fakes: FakeProviders, session: AsyncSession, desk: dict[str, str]
) -> None:
    booking = await visit(client, desk)
    reader_id = await pair(client, desk)

    started = await client.post(
        "/api/v1/payments/in-person",
        json={
            "booking_id": booking["id"],
            "method": "sumup_terminal",
            "reader_id": reader_id,
            "tip_cents": 500,
        },
        headers=desk,
    )

    assert started.status_code == 201, started.text
    taken = started.json()
    assert taken["status"] == "pending"
    # The 60 € balance and the 5 € tip, apart as the request gave them; 65 € on the reader.
    assert (taken["amount_cents"], taken["tip_cents"], taken["total_cents"]) == (6000, 500, 6500)
    [(_, _, sent)] = [r for r in fakes.sumup.requests if r[1].endswith("/checkout")]
    assert sent["total_amount"] == {"currency": "EUR", "minor_unit": 2, "value": 6500}
    balance = await client.get(f"/api/v1/bookings/{booking['id']}/balance", headers=desk)
    assert balance.json()["in_progress_cents"] == 6000
    assert balance.json()["due_cents"] == 0

    return_url, body = fakes.sumup.finish(taken["provider_ref"], "successful")
    parsed = urlparse(return_url)
    answer = await client.post(f"{parsed.path}?{parsed.query}", json=body)
    replay = await client.post(f"{parsed.path}?{parsed.query}", json=body)

    assert answer.status_code == 200, answer.text
    assert answer.json()["outcome"] == "applied"
    assert replay.json()["outcome"] == "duplicate"
    assert (await payment(session, taken["id"])).status == "succeeded"
    tips = (await session.scalars(select(Tip))).all()
    assert [(t.practitioner_id, t.amount_cents) for t in tips] == [(booking["_camille"], 500)]
    balance = await client.get(f"/api/v1/bookings/{booking['id']}/balance", headers=desk)
    assert balance.json() | {"booking_id": None} == {
        "booking_id": None,
        "total_cents": 6000,
        "deposit_cents": 0,
        "paid_cents": 6000,
        "in_progress_cents": 0,
        "due_cents": 0,
        "tips_cents": 500,
        "refunded_cents": 0,
        "kept_cents": 6000,
    }


async def test_the_reader_callback_is_not_trusted_sumup_is_asked(
    client: AsyncClient, fakes: FakeProviders, session: AsyncSession, desk: dict[str, str]
) -> None:
    booking = await visit(client, desk)
    reader_id = await pair(client, desk)
    taken = await on_the_reader(client, desk, booking["id"], reader_id)
    return_url, body = fakes.sumup.finish(taken["provider_ref"], "failed")
    parsed = urlparse(return_url)
    body["payload"]["status"] = "successful"  # a forged "it went through"

    answer = await client.post(f"{parsed.path}?{parsed.query}", json=body)
    no_token = await client.post(parsed.path, json=body)
    bad_token = await client.post(f"{parsed.path}?token=abc.def", json=body)

    assert answer.status_code == 200
    assert (await payment(session, taken["id"])).status == "failed"  # what SumUp said
    assert no_token.status_code == bad_token.status_code == 400
    assert await count(session, ProviderEvent) == 1


async def test_a_lost_callback_is_caught_by_the_poll_task(
    client: AsyncClient, fakes: FakeProviders, session: AsyncSession, desk: dict[str, str]
) -> None:
    booking = await visit(client, desk)
    reader_id = await pair(client, desk)
    taken = await on_the_reader(client, desk, booking["id"], reader_id)
    fakes.sumup.finish(taken["provider_ref"], "successful")  # the callback never arrives

    assert await poll_open_checkouts() == 0  # too early to ask
    clock.travel(timedelta(minutes=1))
    assert await poll_open_checkouts() == 1
    assert await poll_open_checkouts() == 0

    assert (await payment(session, taken["id"])).status == "succeeded"


async def test_a_busy_or_offline_reader_is_said_so_and_nothing_is_kept(
    client: AsyncClient, fakes: FakeProviders, session: AsyncSession, desk: dict[str, str]
) -> None:
    from app.payments.models import Payment

    booking = await visit(client, desk)
    reader_id = await pair(client, desk)
    offline_id = await pair(client, desk, name=OFFLINE_READER_NAME)
    body = {"booking_id": booking["id"], "method": "sumup_terminal", "amount_cents": 1000}
    await client.post(
        "/api/v1/payments/in-person", json=body | {"reader_id": reader_id}, headers=desk
    )

    busy = await client.post(
        "/api/v1/payments/in-person", json=body | {"reader_id": reader_id}, headers=desk
    )
    offline = await client.post(
        "/api/v1/payments/in-person", json=body | {"reader_id": offline_id}, headers=desk
    )
    no_reader = await client.post("/api/v1/payments/in-person", json=body, headers=desk)

    assert (busy.status_code, busy.json()["code"]) == (409, "reader_busy")
    assert (offline.status_code, offline.json()["code"]) == (409, "reader_offline")
    assert (no_reader.status_code, no_reader.json()["code"]) == (422, "reader_required")
    assert await count(session, Payment) == 1


async def test_staff_stop_a_checkout_in_progress(
    client: AsyncClient, fakes: FakeProviders, session: AsyncSession, desk: dict[str, str]
) -> None:
    booking = await visit(client, desk)
    reader_id = await pair(client, desk)
    taken = await on_the_reader(client, desk, booking["id"], reader_id)

    stopped = await client.post(f"/api/v1/payments/{taken['id']}/cancel", headers=desk)
    again = await client.post(f"/api/v1/payments/{taken['id']}/cancel", headers=desk)

    assert stopped.json()["status"] == "cancelled"
    assert again.status_code == 409
    assert len(fakes.sumup.terminated) == 1
    balance = await client.get(f"/api/v1/bookings/{booking['id']}/balance", headers=desk)
    assert balance.json()["due_cents"] == 6000


async def test_cash_in_two_parts_never_more_than_due_and_the_day_summary(
    client: AsyncClient, session: AsyncSession, desk: dict[str, str], fakes: FakeProviders
) -> None:
    booking = await visit(client, desk)
    cash = {"booking_id": booking["id"], "method": "cash"}

    first = await client.post(
        "/api/v1/payments/in-person", json=cash | {"amount_cents": 2000}, headers=desk
    )
    too_much = await client.post(
        "/api/v1/payments/in-person", json=cash | {"amount_cents": 4001}, headers=desk
    )
    rest = await client.post(
        "/api/v1/payments/in-person", json=cash | {"tip_cents": 300}, headers=desk
    )
    nothing = await client.post("/api/v1/payments/in-person", json=cash, headers=desk)
    refund = await client.post(
        f"/api/v1/payments/{first.json()['id']}/refunds",
        json={"amount_cents": 500, "reason": "Rendu de monnaie erroné"},
        headers=desk,
    )

    assert first.json()["status"] == "succeeded"
    assert (too_much.status_code, too_much.json()["code"]) == (422, "amount_exceeds_balance")
    assert too_much.json()["due_cents"] == 4000
    assert (rest.json()["amount_cents"], rest.json()["tip_cents"]) == (4000, 300)
    assert rest.json()["total_cents"] == 4300
    assert (nothing.status_code, nothing.json()["code"]) == (409, "nothing_to_pay")
    assert refund.json()["status"] == "succeeded"
    summary = (
        await client.get("/api/v1/payments/daily-summary?date=2027-03-15", headers=desk)
    ).json()
    assert summary["methods"] == [
        {
            "method": "cash",
            "count": 2,
            "taken_cents": 6300,
            "tips_cents": 300,
            "refunded_cents": 500,
            "net_cents": 5800,
        }
    ]
    assert summary["cash_drawer_cents"] == 5800
    assert summary["sumup_payout_cents"] == 0
    other_day = await client.get("/api/v1/payments/daily-summary?date=2027-03-16", headers=desk)
    assert other_day.json()["methods"] == []
    listed = await client.get(
        "/api/v1/payments", params={"method": "cash", "booking_id": booking["id"]}, headers=desk
    )
    assert len(listed.json()["items"]) == 2


async def test_a_tip_is_split_between_the_practitioners_and_paid_out(
    client: AsyncClient, session: AsyncSession, desk: dict[str, str], fakes: FakeProviders
) -> None:
    await open_salon()
    facial = await make_service("Soin visage", minutes=60, price_cents=6000)
    nails = await make_service("Manucure", minutes=30, price_cents=3000)
    camille = await make_practitioner("Camille", [facial, nails])
    booking = await book_by_staff(client, desk, [facial, nails], NINE)

    await client.post(
        "/api/v1/payments/in-person",
        json={"booking_id": booking["id"], "method": "cash", "tip_cents": 1000},
        headers=desk,
    )
    owed = await client.get("/api/v1/payments/tips", headers=desk)
    paid = await client.post(
        "/api/v1/payments/tips/payout", json={"practitioner_id": str(camille)}, headers=desk
    )
    after = await client.get("/api/v1/payments/tips", headers=desk)

    assert owed.json()["items"] == [
        {"practitioner_id": str(camille), "count": 1, "amount_cents": 1000}
    ]
    assert paid.json()["amount_cents"] == 1000
    assert after.json()["items"] == []


async def test_a_tip_is_shared_by_whoever_served_in_proportion_to_their_services(
    client: AsyncClient, session: AsyncSession, desk: dict[str, str], fakes: FakeProviders
) -> None:
    from sqlalchemy import update

    from app.bookings.models import BookingItem

    await open_salon()
    facial = await make_service("Soin visage", minutes=60, price_cents=6000)
    nails = await make_service("Manucure", minutes=30, price_cents=3000)
    camille = await make_practitioner("Camille", [facial, nails])
    zoe = await make_practitioner("Zoé", [nails])
    booking = await book_by_staff(client, desk, [facial, nails], NINE)
    # Zoé did the nails in Camille's place (the calendar holds one practitioner per visit).
    await session.execute(
        update(BookingItem)
        .where(BookingItem.booking_id == booking["id"], BookingItem.service_id == nails)
        .values(practitioner_id=zoe)
    )
    await session.commit()

    await client.post(
        "/api/v1/payments/in-person",
        json={"booking_id": booking["id"], "method": "cash", "tip_cents": 1000},
        headers=desk,
    )

    owed = (await client.get("/api/v1/payments/tips", headers=desk)).json()["items"]
    assert {o["practitioner_id"]: o["amount_cents"] for o in owed} == {
        str(camille): 667,
        str(zoe): 333,
    }


async def test_a_no_show_fee_goes_on_the_card_the_client_saved(
    client: AsyncClient,
    fakes: FakeProviders,
    session: AsyncSession,
    desk: dict[str, str],
    auth_headers: AuthHeaders,
) -> None:
    from tests.builders import sign_up
    from tests.payments.helpers import post_stripe

    await open_salon()
    facial = await make_service("Soin visage", minutes=60, price_cents=6000)
    await make_practitioner("Camille", [facial])
    account = await sign_up(client)  # auth headers
    saved = await client.post("/api/v1/me/saved-cards", json={"consent": True}, headers=account)
    assert saved.status_code == 201, saved.text
    await post_stripe(client, fakes.stripe.complete_setup(saved.json()["client_secret"]))
    cards = await client.get("/api/v1/me/saved-cards", headers=account)
    assert [(c["brand"], c["last4"]) for c in cards.json()["items"]] == [("visa", "4242")]
    booking = (
        await client.post(
            "/api/v1/bookings",
            json={"service_ids": [str(facial)], "start": NINE},
            headers=account,
        )
    ).json()

    too_soon = await client.post(
        "/api/v1/payments/no-show-fee",
        json={"booking_id": booking["id"], "amount_cents": 3000},
        headers=desk,
    )
    clock.pin(paris(2027, 3, 22, 9, 30))  # she did not come
    desk = await auth_headers(Role.manager)
    await client.post(
        f"/api/v1/bookings/{booking['id']}/status", json={"status": "no_show"}, headers=desk
    )
    too_much = await client.post(
        "/api/v1/payments/no-show-fee",
        json={"booking_id": booking["id"], "amount_cents": 6001},
        headers=desk,
    )
    fee = await client.post(
        "/api/v1/payments/no-show-fee",
        json={"booking_id": booking["id"], "amount_cents": 3000},
        headers=desk,
    )

    assert (too_soon.status_code, too_soon.json()["code"]) == (409, "fee_not_allowed")
    assert too_much.status_code == 422
    assert fee.status_code == 201, fee.text
    assert fee.json()["status"] == "succeeded"
    assert fee.json()["purpose"] == "no_show_fee"
    [charge] = [f for f in fakes.stripe.calls("/v1/payment_intents") if f.get("off_session")]
    assert charge["amount"] == "3000"
    assert charge["off_session"] == "true"


async def test_a_terminal_payment_is_refunded_through_sumup_and_readers_can_go(
    client: AsyncClient, fakes: FakeProviders, session: AsyncSession, desk: dict[str, str]
) -> None:
    booking = await visit(client, desk)
    reader_id = await pair(client, desk)
    taken = await on_the_reader(client, desk, booking["id"], reader_id)
    fakes.sumup.finish(taken["provider_ref"], "successful")
    refreshed = await client.post(f"/api/v1/payments/{taken['id']}/refresh", headers=desk)

    refund = await client.post(
        f"/api/v1/payments/{taken['id']}/refunds",
        json={"amount_cents": 1550, "reason": "Soin écourté"},
        headers=desk,
    )
    removed = await client.delete(f"/api/v1/payments/terminal/readers/{reader_id}", headers=desk)
    gone = await client.delete(f"/api/v1/payments/terminal/readers/{reader_id}", headers=desk)

    assert refreshed.json()["status"] == "succeeded"
    assert refund.status_code == 201, refund.text
    [(transaction_id, body)] = fakes.sumup.refunds
    assert body == {"amount": 15.5}
    checkout = next(iter(fakes.sumup.checkouts.values()))
    assert transaction_id == checkout["transaction_id"]
    assert (await payment(session, taken["id"])).status == "partially_refunded"
    assert removed.status_code == 204
    assert gone.status_code == 404
    assert fakes.sumup.readers == {}
    listed = await client.get("/api/v1/payments/terminal/readers", headers=desk)
    assert listed.json() == {"items": [], "next_cursor": None}


async def test_unmatched_provider_events_are_listed_for_managers(
    client: AsyncClient, fakes: FakeProviders, desk: dict[str, str], auth_headers: AuthHeaders
) -> None:
    from tests.fakes.stripe import FakeStripe
    from tests.payments.helpers import post_stripe

    await post_stripe(client, FakeStripe.event("payment_intent.succeeded", {"id": "pi_lost"}))
    await post_stripe(client, FakeStripe.event("customer.created", {"id": "cus_1"}))

    unmatched = await client.get(
        "/api/v1/payments/provider-events", params={"outcome": "unmatched"}, headers=desk
    )
    by_reception = await client.get(
        "/api/v1/payments/provider-events", headers=await auth_headers(Role.receptionist)
    )

    assert [e["event_type"] for e in unmatched.json()["items"]] == ["payment_intent.succeeded"]
    assert by_reception.status_code == 403
