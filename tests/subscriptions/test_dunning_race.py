"""Two workers scanning the dunning at once: each case is taken by one of them (SKIP LOCKED),
each reminder is written once, the invoice is retried once, and a scan after them finds
nothing left to do."""

from __future__ import annotations

import asyncio

import pytest
from httpx import AsyncClient
from sqlalchemy.ext.asyncio import AsyncSession

from app.core import clock
from app.core.config import get_settings
from app.integrations.console import console
from app.subscriptions.dunning import scan
from tests.factories.auth import AuthHeaders
from tests.factories.core import paris
from tests.factories.notifications import deliver_messages
from tests.fakes.server import FakeProviders
from tests.subscriptions.dunning_builders import (
    cases,
    day,
    failed_renewal,
    member,
    messages,
    pays,
    renewal_failed,
    renewal_invoice,
    steps,
    the_case,
)

pytestmark = pytest.mark.race
FAILED = paris(2027, 3, 1, 4, 12)


async def test_two_scans_at_once_send_each_reminder_once(session: AsyncSession) -> None:
    clock.pin(FAILED)
    members = [
        await member(email=f"cliente{n}@example.fr", phone=f"+3361234567{n}") for n in range(3)
    ]
    for who in members:
        await renewal_failed(who, await renewal_invoice(who), "stolen_card", FAILED)
    await deliver_messages()
    console.emails.clear()
    clock.pin(paris(2027, 3, 4, 12))  # J+3: each case's first reminder is due

    counts = await asyncio.gather(scan(), scan())
    again = await scan()

    assert sum(counts) == 3
    assert again == 0
    assert await deliver_messages() == 6
    to_clients = [m.to for m in console.emails if m.to != get_settings().salon.email]
    assert sorted(to_clients) == [f"cliente{n}@example.fr" for n in range(3)]
    assert sorted(m.to for m in console.sms) == [f"+3361234567{n}" for n in range(3)]
    for who in members:
        [case] = await cases(session, who)
        assert (await steps(session, case))["reminder:3"] == {"sent": True}
        written = await messages(
            session, client_id=who.client_id, template="dunning_payment_failed"
        )
        assert sorted(m.channel for m in written) == ["email", "sms"]


async def test_two_scans_at_once_retry_the_invoice_once(
    client: AsyncClient, fakes: FakeProviders, auth_headers: AuthHeaders, session: AsyncSession
) -> None:
    clock.pin(paris(2027, 3, 15, 8))
    ours, _, _ = await failed_renewal(client, fakes, auth_headers, "insufficient_funds")
    case = await the_case(session, ours)
    fakes.stripe.pay_outcome = "insufficient_funds"
    clock.pin(day(case.failed_at, 3))

    counts = await asyncio.gather(scan(), scan())

    assert sorted(counts) == [0, 2]  # one scan took the retry and the reminder, the other none
    assert len(pays(fakes)) == 1
    case = await the_case(session, ours)
    assert (case.retries_done, case.state) == (1, "past_due")
    assert await scan() == 0
