"""Packages as the salon, the till and the client use them: offers, a package sold online and
at the till, bookings covered by its sessions (reserved, used, given back or kept by the
policy), expiry with its reminder, and a refund of unused sessions by the rule."""

from __future__ import annotations

from uuid import UUID

import pytest
from httpx import AsyncClient
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.auth.models import Role
from app.core import clock
from app.integrations.console import console
from app.packages import expiry
from app.payments.models import Refund
from tests.factories.auth import AuthHeaders, sign_up
from tests.factories.bookings import ELEVEN, NINE, book_by_staff, facial_with_camille
from tests.factories.clients import make_client
from tests.factories.core import paris, run_outbox
from tests.factories.notifications import deliver_messages
from tests.fakes.server import FakeProviders
from tests.packages.helpers import buy_and_pay, make_offer, only_package, sell_at_till


@pytest.fixture(autouse=True)
def _a_week_before() -> None:
    clock.pin(paris(2027, 3, 15, 8))


@pytest.fixture
async def manager(auth_headers: AuthHeaders) -> dict[str, str]:
    return await auth_headers(Role.manager)


async def _client_with_package(
    client: AsyncClient, manager: dict[str, str], **terms: object
) -> tuple[UUID, UUID, dict[str, object]]:
    """A facial by Camille, and Hélène with a package of it sold at the till."""
    facial, _ = await facial_with_camille(6000)
    offer = await make_offer(client, manager, [facial], **terms)
    helene = await make_client(email="helene.forfait@example.fr")
    await sell_at_till(client, manager, offer, helene)
    return facial, helene, offer


async def _status(client: AsyncClient, staff: dict[str, str], booking: str, target: str) -> None:
    changed = await client.post(
        f"/api/v1/bookings/{booking}/status", json={"status": target}, headers=staff
    )
    assert changed.status_code == 200, changed.text


async def test_a_manager_makes_an_offer_at_its_services_vat_rate_and_a_receptionist_cannot(
    client: AsyncClient, manager: dict[str, str], auth_headers: AuthHeaders
) -> None:
    facial, _ = await facial_with_camille(6000)
    offer = await make_offer(client, manager, [facial])
    assert offer["vat_rate"] == "20.00"
    assert offer["sessions"] == 5
    assert offer["unit_price_cents"] == 6000
    assert offer["refund_policy"] == "unit_price"
    receptionist = await auth_headers(Role.receptionist)
    body = {"name": "x", "service_ids": [str(facial)], "paid_sessions": 1, "price_cents": 1}
    refused = await client.post("/api/v1/package-offers", json=body, headers=receptionist)
    assert refused.status_code == 403
    changed = await client.put(
        f"/api/v1/package-offers/{offer['id']}", json=body, headers=receptionist
    )
    assert changed.status_code == 403
    listed = await client.get("/api/v1/package-offers")
    assert [o["id"] for o in listed.json()["items"]] == [offer["id"]]


async def test_an_unknown_service_is_refused_with_its_code(
    client: AsyncClient, manager: dict[str, str]
) -> None:
    body = {"name": "x", "service_ids": [str(UUID(int=7))], "paid_sessions": 1, "price_cents": 1}
    refused = await client.post("/api/v1/package-offers", json=body, headers=manager)
    assert refused.status_code == 422
    assert refused.json()["code"] == "package_unknown_services"


async def test_a_package_bought_online_is_active_once_paid_and_confirmed_in_french(
    client: AsyncClient, fakes: FakeProviders, manager: dict[str, str]
) -> None:
    facial, _ = await facial_with_camille(6000)
    offer = await make_offer(client, manager, [facial])
    ines = await sign_up(client, "ines@example.fr", "Inès", "Martin")
    bought = await client.post("/api/v1/packages", json={"offer_id": offer["id"]}, headers=ines)
    assert bought.status_code == 201, bought.text
    assert bought.json()["package"]["status"] == "pending_payment"
    assert (await client.get("/api/v1/me/packages", headers=ines)).json()["items"] == []
    paid = await client.post(
        "/api/v1/webhooks/stripe", content=b"", headers={"Stripe-Signature": "t=1,v1=x"}
    )
    assert paid.status_code == 400  # a forged event activates nothing
    from tests.factories.payments import post_stripe

    answer = await post_stripe(client, fakes.stripe.pay(bought.json()["client_secret"]))
    assert answer.status_code == 200, answer.text
    mine = (await client.get("/api/v1/me/packages", headers=ines)).json()["items"]
    assert [(p["status"], p["remaining"], p["channel"]) for p in mine] == [("active", 5, "online")]
    assert mine[0]["expires_at"].startswith("2027-09-15")
    await run_outbox()
    await deliver_messages()
    sent = [m for m in console.emails if m.to == "ines@example.fr" and "forfait" in m.subject]
    assert len(sent) == 1
    assert "5 séances" in sent[0].text
    assert "200,00" in sent[0].text


async def test_a_package_sold_at_the_till_needs_a_client_and_is_active_after_the_ticket(
    client: AsyncClient, manager: dict[str, str]
) -> None:
    _, helene, offer = await _client_with_package(client, manager)
    package = await only_package(client, manager, helene)
    assert (package["status"], package["channel"], package["remaining"]) == ("active", "till", 5)
    assert package["price_cents"] == 20000
    refused = await client.post(
        "/api/v1/sales/orders",
        json={"lines": [{"kind": "package", "package_offer_id": offer["id"]}]},
        headers=manager,
    )
    assert refused.status_code == 422
    assert refused.json()["code"] == "package_needs_client"


async def test_a_covered_booking_costs_nothing_then_its_session_is_used_when_completed(
    client: AsyncClient, manager: dict[str, str]
) -> None:
    facial, helene, _ = await _client_with_package(client, manager)
    booking = await book_by_staff(client, manager, [facial], NINE, helene)
    assert booking["items"][0]["covered_by"] == "package"
    assert (booking["total_cents"], booking["deposit_cents"]) == (0, 0)
    package = await only_package(client, manager, helene)
    assert (package["sessions_reserved"], package["remaining"]) == (1, 4)
    await _status(client, manager, booking["id"], "completed")
    package = await only_package(client, manager, helene)
    assert (package["sessions_used"], package["sessions_reserved"], package["remaining"]) == (
        1,
        0,
        4,
    )
    assert [h["status"] for h in package["history"]] == ["used"]
    await run_outbox()
    await deliver_messages()
    left = [
        m for m in console.emails if m.to == "helene.forfait@example.fr" and "restante" in m.subject
    ]
    assert [m.subject for m in left] == [
        "Votre forfait « 4 séances + 1 offerte » : 4 séances restantes"
    ]
    assert "Il vous reste 4 séances" in left[0].text


async def test_a_client_may_pay_instead_of_using_her_package(
    client: AsyncClient, manager: dict[str, str]
) -> None:
    facial, helene, _ = await _client_with_package(client, manager)
    made = await client.post(
        "/api/v1/bookings",
        json={
            "service_ids": [str(facial)],
            "start": NINE,
            "client_id": str(helene),
            "use_package": False,
        },
        headers=manager,
    )
    assert made.status_code == 201, made.text
    assert made.json()["total_cents"] == 6000
    assert made.json()["items"][0]["covered_by"] is None
    assert (await only_package(client, manager, helene))["remaining"] == 5


async def test_a_cancellation_in_time_gives_the_session_back(
    client: AsyncClient, manager: dict[str, str]
) -> None:
    facial, helene, _ = await _client_with_package(client, manager)
    booking = await book_by_staff(client, manager, [facial], NINE, helene)
    cancelled = await client.post(
        f"/api/v1/bookings/{booking['id']}/cancel",
        json={"requested_by_client": True},
        headers=manager,
    )
    assert cancelled.status_code == 200, cancelled.text
    package = await only_package(client, manager, helene)
    assert (package["remaining"], package["sessions_used"]) == (5, 0)
    assert [h["status"] for h in package["history"]] == ["released"]


async def test_a_late_cancellation_keeps_the_session_by_the_policy(
    client: AsyncClient, manager: dict[str, str], auth_headers: AuthHeaders
) -> None:
    facial, helene, _ = await _client_with_package(client, manager)
    booking = await book_by_staff(client, manager, [facial], NINE, helene)
    clock.pin(paris(2027, 3, 22, 7))  # two hours before: inside the 24 h notice
    manager = await auth_headers(Role.manager)
    cancelled = await client.post(
        f"/api/v1/bookings/{booking['id']}/cancel",
        json={"requested_by_client": True},
        headers=manager,
    )
    assert cancelled.status_code == 200, cancelled.text
    package = await only_package(client, manager, helene)
    assert (package["remaining"], package["sessions_used"]) == (4, 1)
    assert [h["status"] for h in package["history"]] == ["forfeited"]


async def test_a_no_show_gives_the_session_back_when_the_offer_says_so(
    client: AsyncClient, manager: dict[str, str], auth_headers: AuthHeaders
) -> None:
    facial, helene, _ = await _client_with_package(client, manager, no_show_forfeits=False)
    booking = await book_by_staff(client, manager, [facial], NINE, helene)
    clock.pin(paris(2027, 3, 22, 9, 30))
    manager = await auth_headers(Role.manager)
    await _status(client, manager, booking["id"], "no_show")
    package = await only_package(client, manager, helene)
    assert (package["remaining"], package["sessions_used"]) == (5, 0)


async def test_a_no_show_uses_the_session_by_default(
    client: AsyncClient, manager: dict[str, str], auth_headers: AuthHeaders
) -> None:
    facial, helene, _ = await _client_with_package(client, manager)
    booking = await book_by_staff(client, manager, [facial], NINE, helene)
    clock.pin(paris(2027, 3, 22, 9, 30))
    manager = await auth_headers(Role.manager)
    await _status(client, manager, booking["id"], "no_show")
    package = await only_package(client, manager, helene)
    assert (package["remaining"], package["sessions_used"]) == (4, 1)


async def test_the_last_session_covers_one_booking_and_the_next_one_is_paid(
    client: AsyncClient, manager: dict[str, str]
) -> None:
    facial, helene, _ = await _client_with_package(
        client, manager, paid_sessions=1, free_sessions=0, price_cents=5000
    )
    first = await book_by_staff(client, manager, [facial], NINE, helene)
    second = await book_by_staff(client, manager, [facial], ELEVEN, helene)
    assert first["total_cents"] == 0
    assert second["total_cents"] == 6000
    package = await only_package(client, manager, helene)
    assert (package["remaining"], package["sessions_reserved"]) == (0, 1)


async def test_the_till_shows_a_covered_service_at_zero(
    client: AsyncClient, manager: dict[str, str]
) -> None:
    facial, helene, _ = await _client_with_package(client, manager)
    booking = await book_by_staff(client, manager, [facial], NINE, helene)
    order = await client.post(
        "/api/v1/sales/orders", json={"booking_id": booking["id"]}, headers=manager
    )
    assert order.status_code == 201, order.text
    line = order.json()["lines"][0]
    assert (line["unit_price_cents"], line["total_cents"]) == (0, 0)
    assert "forfait" in line["label"]
    done = await client.post(f"/api/v1/sales/orders/{order.json()['id']}/complete", headers=manager)
    assert done.status_code == 200, done.text
    package = await only_package(client, manager, helene)
    assert (package["sessions_used"], package["remaining"]) == (1, 4)


async def test_expiry_loses_the_sessions_left_after_one_reminder(
    client: AsyncClient, manager: dict[str, str], auth_headers: AuthHeaders
) -> None:
    facial, helene, _ = await _client_with_package(client, manager)
    clock.pin(paris(2027, 8, 20, 8))  # 26 days before it expires
    assert await expiry.remind_expiring() == 1
    assert await expiry.remind_expiring() == 0
    await deliver_messages()
    reminders = [m for m in console.emails if "expire" in (m.subject or "")]
    assert len(reminders) == 1
    assert "5 séances" in reminders[0].text
    clock.pin(paris(2027, 9, 16, 8))
    manager = await auth_headers(Role.manager)
    assert await expiry.expire_packages() == 1
    package = await only_package(client, manager, helene)
    assert (package["status"], package["remaining"], package["sessions_void"]) == (
        "expired",
        0,
        5,
    )
    late = await book_by_staff(client, manager, [facial], "2027-09-20T09:00:00+02:00", helene)
    assert late["total_cents"] == 6000


async def test_a_refund_gives_back_what_was_paid_less_the_sessions_used_at_the_unit_price(
    client: AsyncClient, session: AsyncSession, fakes: FakeProviders, manager: dict[str, str]
) -> None:
    facial, _ = await facial_with_camille(6000)
    offer = await make_offer(client, manager, [facial])
    ines = await sign_up(client, "ines@example.fr", "Inès", "Martin")
    purchase = await buy_and_pay(client, fakes, ines, offer)
    package_id = purchase["package"]["id"]
    client_id = purchase["package"]["client_id"]
    booking = await book_by_staff(client, manager, [facial], NINE, UUID(client_id))
    quote = await client.get(f"/api/v1/packages/{package_id}/refund", headers=manager)
    assert quote.json()["unused_sessions"] == 4
    refused = await client.post(
        f"/api/v1/packages/{package_id}/refund", json={"reason": "Déménagement"}, headers=manager
    )
    assert refused.status_code == 409
    assert refused.json()["code"] == "package_has_reservations"
    await _status(client, manager, booking["id"], "completed")
    quote = await client.get(f"/api/v1/packages/{package_id}/refund", headers=manager)
    # 200 € paid, one session used at 60 €: 140 € (the four unused held 160 €).
    assert quote.json() == {
        "package_id": package_id,
        "unused_sessions": 4,
        "refund_cents": 14000,
        "refund_policy": "unit_price",
    }
    done = await client.post(
        f"/api/v1/packages/{package_id}/refund", json={"reason": "Déménagement"}, headers=manager
    )
    assert done.status_code == 200, done.text
    assert done.json()["refund_cents"] == 14000
    assert done.json()["package"]["status"] == "refunded"
    refunds = list(await session.scalars(select(Refund.amount_cents)))
    assert refunds == [14000]
    again = await client.post(
        f"/api/v1/packages/{package_id}/refund", json={"reason": "Encore"}, headers=manager
    )
    assert again.status_code == 409
    assert again.json()["code"] == "package_not_refundable"


async def test_pro_rata_refund_gives_back_the_unused_sessions_share(
    client: AsyncClient, fakes: FakeProviders, manager: dict[str, str]
) -> None:
    facial, _ = await facial_with_camille(6000)
    offer = await make_offer(client, manager, [facial], refund_policy="pro_rata")
    ines = await sign_up(client, "ines@example.fr", "Inès", "Martin")
    purchase = await buy_and_pay(client, fakes, ines, offer)
    quote = await client.get(
        f"/api/v1/packages/{purchase['package']['id']}/refund", headers=manager
    )
    assert quote.json()["refund_cents"] == 20000


async def test_a_client_sees_only_her_packages_and_staff_only_through_their_routes(
    client: AsyncClient, fakes: FakeProviders, manager: dict[str, str], auth_headers: AuthHeaders
) -> None:
    _, helene, _ = await _client_with_package(client, manager)
    other = await sign_up(client, "zoe@example.fr", "Zoé", "Petit")
    assert (await client.get("/api/v1/me/packages", headers=other)).json()["items"] == []
    assert (
        await client.get(f"/api/v1/clients/{helene}/packages", headers=other)
    ).status_code == 403
    assert (await client.get("/api/v1/packages", headers=other)).status_code == 403
    package = await only_package(client, manager, helene)
    assert (await client.get(f"/api/v1/packages/{package['id']}", headers=other)).status_code == 403
    practitioner = await auth_headers(Role.practitioner)
    for path in (f"/api/v1/clients/{helene}/packages", "/api/v1/packages"):
        assert (await client.get(path, headers=practitioner)).status_code == 403
    receptionist = await auth_headers(Role.receptionist)
    assert (
        await client.get(f"/api/v1/clients/{helene}/packages", headers=receptionist)
    ).status_code == 200
    refund = await client.post(
        f"/api/v1/packages/{package['id']}/refund", json={"reason": "x"}, headers=receptionist
    )
    assert refund.status_code == 403
    assert (await client.get("/api/v1/me/packages")).status_code == 401
    listed = await client.get("/api/v1/packages", headers=receptionist, params={"limit": 1})
    assert [p["id"] for p in listed.json()["items"]] == [package["id"]]
