"""A deposit paid online sits in 4191 until the visit; a late cancellation keeps it as
arrhes (758, outside the scope of VAT); a cancellation in time gives it back through Stripe."""

from __future__ import annotations

from datetime import timedelta

import pytest
from httpx import AsyncClient

from app.auth.models import Role
from app.core import clock
from tests.accounting.helpers import balanced, entries, postings
from tests.builders import AuthHeaders
from tests.factories.core import paris, run_outbox
from tests.factories.payments import held_with_checkout, post_stripe
from tests.fakes.server import FakeProviders

STRIPE, DEPOSITS, KEPT = "467200", "419100", "758100"


@pytest.fixture(autouse=True)
def _a_week_before() -> None:
    clock.pin(paris(2027, 3, 15, 8))


async def _cancelled(client: AsyncClient, fakes: FakeProviders, *, late: bool) -> None:
    booking, checkout = await held_with_checkout(client)  # 27 € of a 90 € massage
    assert (await post_stripe(client, fakes.stripe.pay(checkout["client_secret"]))).is_success
    if late:
        clock.travel(timedelta(days=6, hours=14))  # inside the 24 hours before the visit
    cancelled = await client.post(
        f"/api/v1/bookings/manage/{booking['manage_token']}/cancel", json={"reason": "Imprévu"}
    )
    assert cancelled.json()["late_cancellation"] is late
    await run_outbox()
    await run_outbox()


async def test_a_deposit_kept_after_a_late_cancellation_is_income_without_vat(
    client: AsyncClient, fakes: FakeProviders, auth_headers: AuthHeaders
) -> None:
    await _cancelled(client, fakes, late=True)

    found = await entries(client, await auth_headers(Role.manager))
    paid, kept = (
        next(e for e in found if e["source_kind"] == k) for k in ("payment", "deposit_kept")
    )
    assert all(balanced(e) for e in (paid, kept))
    assert (paid["journal"], postings(paid)) == ("ST", [(STRIPE, 2700, 0), (DEPOSITS, 0, 2700)])
    assert (kept["journal"], kept["source_kind"]) == ("OD", "deposit_kept")
    assert kept["label"] == "Arrhes conservées"
    assert postings(kept) == [(DEPOSITS, 2700, 0), (KEPT, 0, 2700)]
    quarter = await client.get(
        "/api/v1/accounting/vat-report",
        params={"year": 2027, "quarter": 1},
        headers=await auth_headers(Role.manager),
    )
    assert quarter.json()["non_taxable"] == {
        "box": "E2",
        "amount_cents": 2700,
        "amount_euros": 27,
        "entries": ["OD000001"],
    }
    assert quarter.json()["boxes"]["16"] == 0  # arrhes kept bear no VAT


async def test_a_deposit_refunded_in_time_goes_back_through_stripe(
    client: AsyncClient, fakes: FakeProviders, auth_headers: AuthHeaders
) -> None:
    await _cancelled(client, fakes, late=False)

    paid, refunded = await entries(client, await auth_headers(Role.manager), journal="ST")
    assert postings(paid) == [(STRIPE, 2700, 0), (DEPOSITS, 0, 2700)]
    assert (refunded["journal"], refunded["number"], refunded["source_kind"]) == (
        "ST",
        "ST000002",
        "refund",
    )
    assert postings(refunded) == [(DEPOSITS, 2700, 0), (STRIPE, 0, 2700)]
