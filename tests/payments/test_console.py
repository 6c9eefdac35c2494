"""With no provider keys (make run, demos) payments go to the console adapter: the whole
flow works on a laptop, and a console payment is completed by /simulate, through the same
code as a real webhook."""

from __future__ import annotations

import logging
from urllib.parse import parse_qs, urlparse

import pytest
from httpx import AsyncClient
from sqlalchemy.ext.asyncio import AsyncSession

from app.auth.models import Role
from app.core import clock
from tests.builders import AuthHeaders
from tests.fakes.server import FakeProviders
from tests.payments.helpers import (
    A_WEEK_BEFORE,
    booking_status,
    held_with_checkout,
    hold,
    pay_deposit,
    payment,
    run_outbox,
    salon_with_deposit,
)


@pytest.fixture(autouse=True)
def _a_week_before() -> None:
    clock.pin(A_WEEK_BEFORE)


@pytest.fixture(autouse=True)
def _info_logs(caplog: pytest.LogCaptureFixture) -> None:
    """As under `make run`: every console call is logged at INFO."""
    caplog.set_level(logging.INFO, logger="app")


@pytest.mark.usefixtures("no_provider_keys")
async def test_pairing_a_reader_with_no_keys_logs_it_and_answers(
    client: AsyncClient, auth_headers: AuthHeaders, caplog: pytest.LogCaptureFixture
) -> None:
    reader = await client.post(
        "/api/v1/payments/terminal/readers",
        json={"pairing_code": "ANYCODE1", "name": "Comptoir"},
        headers=await auth_headers(Role.manager),
    )

    assert reader.status_code == 201, reader.text
    assert reader.json()["name"] == "Comptoir"
    paired = [r for r in caplog.records if r.name == "app.payments.console"]
    assert [getattr(r, "reader_name", None) for r in paired] == ["Comptoir"]


@pytest.mark.usefixtures("no_provider_keys")
async def test_deposit_refund_and_terminal_work_with_no_keys(
    client: AsyncClient, session: AsyncSession, auth_headers: AuthHeaders, fakes: FakeProviders
) -> None:
    massage, _ = await salon_with_deposit()
    booking = await hold(client, massage)

    checkout = (await pay_deposit(client, booking)).json()
    assert checkout["provider"] == "console"
    assert checkout["client_secret"].startswith("console_")
    done = await client.post(
        f"/api/v1/payments/{checkout['payment_id']}/simulate", json={"outcome": "succeeded"}
    )
    again = await client.post(
        f"/api/v1/payments/{checkout['payment_id']}/simulate", json={"outcome": "succeeded"}
    )

    assert done.json()["status"] == "succeeded"
    assert again.json()["status"] == "succeeded"
    assert await booking_status(client, booking) == "confirmed"

    await client.post(f"/api/v1/bookings/manage/{booking['manage_token']}/cancel", json={})
    await run_outbox()
    assert (await payment(session, checkout["payment_id"])).status == "refunded"

    desk = await auth_headers(Role.manager)
    reader = await client.post(
        "/api/v1/payments/terminal/readers",
        json={"pairing_code": "ANYCODE1", "name": "Comptoir"},
        headers=desk,
    )
    assert reader.json()["provider"] == "console"
    assert fakes.stripe.requests == []
    assert fakes.sumup.requests == []


async def test_real_payments_cannot_be_simulated(client: AsyncClient, fakes: FakeProviders) -> None:
    _, checkout = await held_with_checkout(client)

    answer = await client.post(
        f"/api/v1/payments/{checkout['payment_id']}/simulate", json={"outcome": "succeeded"}
    )

    assert answer.status_code == 404
    assert answer.json()["code"] == "simulation_not_available"


@pytest.mark.usefixtures("no_provider_keys")
async def test_a_console_deposit_checkout_asked_twice_gives_the_same_client_secret(
    client: AsyncClient,
) -> None:
    massage, _ = await salon_with_deposit()
    booking = await hold(client, massage)

    first = (await pay_deposit(client, booking)).json()
    second = await pay_deposit(client, booking)

    assert second.status_code in {200, 201}, second.text
    assert second.json()["payment_id"] == first["payment_id"]
    assert second.json()["client_secret"] == first["client_secret"]
    assert first["client_secret"]


@pytest.mark.usefixtures("no_provider_keys")
async def test_the_console_paypal_answers_an_approval_url_and_the_order_captures(
    client: AsyncClient,
) -> None:
    massage, _ = await salon_with_deposit()
    booking = await hold(client, massage)

    checkout = await pay_deposit(
        client, booking, method="paypal", return_url="https://site.example/retour?b=1"
    )
    approval = urlparse(checkout.json()["approval_url"] or "")
    captured = await client.post(
        f"/api/v1/payments/{checkout.json()['payment_id']}/capture",
        json={"token": booking["manage_token"]},
    )

    assert (approval.scheme, approval.netloc, approval.path) == ("https", "site.example", "/retour")
    query = parse_qs(approval.query)
    assert query["b"] == ["1"]
    assert query["token"][0].startswith("console_")
    assert captured.status_code == 200, captured.text
    assert captured.json()["status"] == "succeeded"
    assert await booking_status(client, booking) == "confirmed"


@pytest.mark.usefixtures("no_provider_keys")
async def test_a_console_saved_card_is_completed_with_simulate(client: AsyncClient) -> None:
    from tests.builders import sign_up

    account = await sign_up(client)
    other = await sign_up(client, email="zoe@example.fr", first_name="Zoé")

    started = await client.post("/api/v1/me/saved-cards", json={"consent": True}, headers=account)
    card_id = started.json()["id"]
    not_hers = await client.post(f"/api/v1/me/saved-cards/{card_id}/simulate", headers=other)
    done = await client.post(f"/api/v1/me/saved-cards/{card_id}/simulate", headers=account)
    again = await client.post(f"/api/v1/me/saved-cards/{card_id}/simulate", headers=account)
    listed = await client.get("/api/v1/me/saved-cards", headers=account)

    assert started.status_code == 201, started.text
    assert not_hers.status_code == 404
    assert done.status_code == 200, done.text
    assert (done.json()["status"], done.json()["last4"]) == ("active", "4242")
    assert again.json()["status"] == "active"
    assert [c["id"] for c in listed.json()["items"]] == [card_id]


@pytest.mark.usefixtures("no_provider_keys")
@pytest.mark.parametrize(("name", "status"), [("É" * 100, 201), ("É" * 101, 422)])
async def test_a_reader_name_up_to_100_characters_pairs_and_a_longer_one_is_refused(
    client: AsyncClient, auth_headers: AuthHeaders, name: str, status: int
) -> None:
    reader = await client.post(
        "/api/v1/payments/terminal/readers",
        json={"pairing_code": "ANYCODE1", "name": name},
        headers=await auth_headers(Role.manager),
    )

    assert reader.status_code == status, reader.text
