"""The dunning end to end, through the API, the signed webhooks and the fake Stripe: a renewal
fails, the scan runs day by day on a pinned clock, and the client either saves a new card
(retried at once: recovered) or never pays (suspended at J+15, cancelled at J+30)."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

import pytest
from httpx import AsyncClient
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.auth.models import Role
from app.core import clock
from app.integrations.console import console
from app.subscriptions.dunning import scan
from app.subscriptions.dunning_models import DunningCase
from tests.factories.auth import AuthHeaders, sign_up
from tests.factories.bookings import book_by_staff, facial_with_camille
from tests.factories.core import paris, run_outbox
from tests.factories.notifications import deliver_messages
from tests.factories.payments import post_stripe
from tests.fakes.server import FakeProviders
from tests.subscriptions.dunning_builders import (
    EMAIL,
    day,
    failed_renewal,
    pays,
    steps,
    the_case,
)
from tests.subscriptions.helpers import again, make_plan, mine, post_all, subscribed_and_paid


@pytest.fixture(autouse=True)
def _a_week_before() -> None:
    clock.pin(paris(2027, 3, 15, 8))


async def scan_to(failed_at: datetime, first: int, last: int) -> dict[int, list[str]]:
    """Scan each day J+first..J+last; the subjects of Inès's e-mails each day."""
    told: dict[int, list[str]] = {}
    for n in range(first, last + 1):
        clock.pin(day(failed_at, n))
        mails = len(console.emails)
        await scan()
        await run_outbox()
        await deliver_messages()
        mine_ = [m.subject for m in console.emails[mails:] if m.to == EMAIL]
        if mine_:
            told[n] = mine_
    return told


async def test_reminders_on_schedule_then_a_new_card_is_retried_at_once_and_recovers(
    client: AsyncClient, fakes: FakeProviders, auth_headers: AuthHeaders, session: AsyncSession
) -> None:
    ours, _, _ = await failed_renewal(client, fakes, auth_headers, "insufficient_funds")
    case = await the_case(session, ours)
    fakes.stripe.pay_outcome = "insufficient_funds"  # the scheduled retries fail too

    told = await scan_to(case.failed_at, 1, 8)

    subject = "Paiement non abouti : abonnement « Abonnement soins »"
    assert told == {3: [subject], 7: [subject]}
    case = await the_case(session, ours)
    assert (case.state, case.retries_done, case.hard) == ("past_due", 2, False)
    assert len(pays(fakes)) == 2
    assert [m["status"] for m in await mine(client, await again(client, EMAIL))] == ["past_due"]
    last = next(m for m in reversed(console.emails) if m.to == EMAIL)
    assert "2 nouvelles tentatives ont échoué" in last.text
    assert "Nous réessaierons le " in last.text

    # J+9: she saves a new card from her account; the card passes.
    clock.pin(day(case.failed_at, 9))
    fakes.stripe.pay_outcome = None
    ines = await again(client, EMAIL)
    started = await client.post(f"/api/v1/me/subscriptions/{ours}/card", headers=ines)
    assert started.status_code == 200, started.text
    await post_stripe(client, fakes.stripe.complete_setup(started.json()["client_secret"]))
    await run_outbox()
    await deliver_messages()
    assert next(m for m in reversed(console.emails) if m.to == EMAIL).subject == (
        "Votre abonnement « Abonnement soins » est renouvelé"
    )

    case = await the_case(session, ours)
    assert (case.state, case.outcome, case.recovered_by) == (
        "recovered",
        "recovered",
        "card_update",
    )
    assert case.card_retries == 1
    assert len(pays(fakes)) == 3
    assert "card:" in " ".join(await steps(session, case))
    assert [m["status"] for m in await mine(client, ines)] == ["active"]
    assert await scan_to(case.failed_at, 10, 31) == {}  # nothing more: no reminder, no retry
    assert len(pays(fakes)) == 3


async def test_never_paid_it_is_suspended_at_j15_and_cancelled_at_j30(
    client: AsyncClient, fakes: FakeProviders, auth_headers: AuthHeaders, session: AsyncSession
) -> None:
    ours, ref, facial = await failed_renewal(client, fakes, auth_headers, "insufficient_funds")
    case = await the_case(session, ours)
    fakes.stripe.pay_outcome = "insufficient_funds"

    told = await scan_to(case.failed_at, 1, 15)

    assert told[15] == ["Abonnement « Abonnement soins » suspendu : paiement en attente"]
    assert sorted(told) == [3, 7, 15]
    case = await the_case(session, ours)
    assert (case.state, case.retries_done) == ("suspended", 3)
    assert len(pays(fakes)) == 3  # J+3, J+7, J+14: never more than DUNNING_MAX_RETRIES
    ines = await again(client, EMAIL)
    [membership] = await mine(client, ines)
    assert membership["status"] == "suspended"
    manager = await auth_headers(Role.manager)
    client_id = UUID(membership["client_id"])
    when = day(case.failed_at, 18).replace(hour=9).isoformat()
    booking = await book_by_staff(client, manager, [facial], when, client_id)
    assert booking["items"][0]["covered_by"] is None  # no longer covered
    assert booking["total_cents"] == 6000

    await deliver_messages()  # the booking's confirmation
    told = await scan_to(case.failed_at, 16, 30)

    assert sorted(told) == [30]
    # One message says why it ended: the dunning's, not also the core's generic one.
    assert told[30] == ["Abonnement « Abonnement soins » résilié faute de paiement"]
    case = await the_case(session, ours)
    assert (case.state, case.outcome) == ("cancelled", "cancelled")
    assert fakes.stripe.subscriptions[ref]["status"] == "canceled"
    [membership] = await mine(client, await again(client, EMAIL))
    assert membership["status"] == "cancelled"
    assert len(pays(fakes)) == 3


async def test_a_hard_decline_is_never_retried_but_a_new_card_is(
    client: AsyncClient, fakes: FakeProviders, auth_headers: AuthHeaders, session: AsyncSession
) -> None:
    ours, _, _ = await failed_renewal(client, fakes, auth_headers, "stolen_card")
    case = await the_case(session, ours)

    told = await scan_to(case.failed_at, 1, 14)

    assert told == {
        3: ["Votre carte a été refusée : abonnement « Abonnement soins »"],
        7: ["Votre carte a été refusée : abonnement « Abonnement soins »"],
    }
    assert pays(fakes) == []
    fakes.stripe.pay_outcome = "insufficient_funds"  # the new card has no money either
    ines = await again(client, EMAIL)
    started = await client.post(f"/api/v1/me/subscriptions/{ours}/card", headers=ines)
    await post_stripe(client, fakes.stripe.complete_setup(started.json()["client_secret"]))
    await run_outbox()

    case = await the_case(session, ours)
    assert len(pays(fakes)) == 1
    assert (case.state, case.hard, case.decline_code) == ("past_due", False, "insufficient_funds")


async def test_a_late_payment_failed_after_the_renewal_was_paid_opens_no_case(
    client: AsyncClient, fakes: FakeProviders, auth_headers: AuthHeaders, session: AsyncSession
) -> None:
    manager = await auth_headers(Role.manager)
    facial, _ = await facial_with_camille(6000)
    plan = await make_plan(client, manager, [facial])
    ines = await sign_up(client, EMAIL, "Inès", "Martin")
    ours, ref = await subscribed_and_paid(client, fakes, ines, plan)
    events = fakes.stripe.renew(ref)
    await post_all(client, events)
    paid = next(e for e in events if e["type"] == "invoice.paid")
    declined = dict(
        paid["data"]["object"],
        status="open",
        last_payment_error={"code": "card_declined", "decline_code": "insufficient_funds"},
    )
    late = dict(paid, id="evt_late_failure", type="invoice.payment_failed")
    late["data"], late["created"] = {"object": declined}, paid["created"] - 5
    assert (await post_stripe(client, late)).status_code == 200
    await run_outbox()
    await deliver_messages()  # the welcome and the renewal's receipt

    found = await session.scalars(
        select(DunningCase).where(DunningCase.subscription_id == UUID(ours))
    )
    assert list(found) == []
    assert await scan_to(clock.utcnow(), 1, 8) == {}
