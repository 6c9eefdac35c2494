"""Property-based checks of the whole API from its own OpenAPI document (schemathesis):
whatever the generated input, no endpoint answers a 5xx. Called as the owner, so the staff
endpoints are reached too, with every webhook secret configured, and against a small salon:
the ids in paths and bodies (`{service_id}`, `"booking_id"`, `"service_ids"`...) are replaced
by real rows, so the handlers behind the 404 are exercised. Derandomised: a run repeats."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

import pytest
import schemathesis
from httpx import ASGITransport, AsyncClient
from hypothesis import HealthCheck, settings

from app.auth.models import Role
from app.core import async_bridge, clock
from app.core.config import get_settings
from app.core.db import unit_of_work
from app.core.ids import new_id
from app.core.security import create_access_token
from app.main import app
from app.packages.flows import sold_on_ticket
from tests.bookings.salon import facial_with_camille, make_client, make_resource, paris
from tests.builders import deliver_messages, make_user
from tests.factories.invoicing import insert_invoice
from tests.fakes.server import FakeProviders
from tests.fakes.sumup import PAIRING_CODE
from tests.sales.helpers import append_ticket, two_rate_ticket

# The salon is built and the calls are made on another event loop (async_bridge): its
# sessions use their own connections and commit for real.
pytestmark = pytest.mark.commits

schema = schemathesis.openapi.from_asgi("/openapi.json", app)
NINE = "2027-03-22T09:00:00+01:00"
ID_KEY = re.compile(r"^(?P<name>[a-z_]+)_ids?$")


@dataclass
class Salon:
    """Real rows, named as the API names their ids (`service_id`, `token`...)."""

    headers: dict[str, str]
    ids: dict[str, str] = field(default_factory=dict)
    codes: dict[str, str] = field(default_factory=dict)  # path prefix -> a real `code`
    calls: int = 0

    def fill(self, case: schemathesis.Case) -> None:
        """Real ids in the path always; in the body three times out of four, so that an id
        that names nothing next to otherwise valid data is tried too."""
        self.calls += 1
        for name in case.path_parameters or {}:
            if name in self.ids:
                case.path_parameters[name] = self.ids[name]  # type: ignore[index]
        if isinstance(case.body, dict | list) and self.calls % 4:
            case.body = self._fill_body(case.body)
        if isinstance(case.body, dict) and isinstance(case.body.get("code"), str):
            for prefix, code in self.codes.items():
                if case.path.startswith(prefix):
                    case.body["code"] = code

    def _fill_body(self, value: Any) -> Any:
        if isinstance(value, list):
            return [self._fill_body(v) for v in value]
        if not isinstance(value, dict):
            return value
        filled = {}
        for key, item in value.items():
            match = ID_KEY.match(key) if isinstance(key, str) else None
            real = self.ids.get(f"{match['name']}_id") if match else None
            if real and isinstance(item, str):
                filled[key] = real
            elif real and isinstance(item, list):
                filled[key] = [real]
            else:
                filled[key] = self._fill_body(item)
        return filled


async def _post(http: AsyncClient, headers: dict[str, str], path: str, body: Any) -> Any:
    answer = await http.post(path, json=body, headers=headers)
    assert answer.status_code in (200, 201), (path, answer.text)
    return answer.json()


async def _first(http: AsyncClient, headers: dict[str, str], path: str) -> str:
    return str((await http.get(path, headers=headers)).json()["items"][0]["id"])


async def _build_salon() -> Salon:
    owner = await make_user(role=Role.owner)
    token, _ = create_access_token(user_id=owner.id, kind="staff", role="owner")
    salon = Salon(headers={"Authorization": f"Bearer {token}"})
    facial, camille = await facial_with_camille()
    ids = salon.ids
    ids.update(
        user_id=str(owner.id),
        service_id=str(facial),
        practitioner_id=str(camille),
        resource_id=str(await make_resource()),
        client_id=str(await make_client(email="helene@example.fr", phone="+33612345678")),
    )
    transport = ASGITransport(app=app, client=("10.9.8.7", 5555))
    async with AsyncClient(transport=transport, base_url="http://testserver") as http:
        h = salon.headers
        booking = await _post(
            http,
            h,
            "/api/v1/bookings",
            {"service_ids": [str(facial)], "start": NINE, "client_id": ids["client_id"]},
        )
        ids.update(booking_id=booking["id"], token=booking["manage_token"])
        sale = {"amount_cents": 5000, "buyer": {"name": "Inès"}, "recipient_name": "Léa"}
        sold = await _post(http, h, "/api/v1/gift-cards/in-salon", sale | {"method": "cash"})
        salon.codes["/api/v1/gift-cards"] = sold["code"]
        salon.codes["/api/v1/coupons"] = "PRINTEMPS"
        ids["card_id"] = await _first(http, h, "/api/v1/gift-cards")
        ids["payment_id"] = await _first(http, h, "/api/v1/payments")
        ids["category_id"] = (
            await _post(http, h, "/api/v1/service-categories", {"name": "Visage"})
        )["id"]
        ids["product_id"] = (
            await _post(http, h, "/api/v1/products", {"name": "Crème", "price_cents": 2500})
        )["id"]
        ids["coupon_id"] = (
            await _post(
                http,
                h,
                "/api/v1/coupons",
                {"code": "PRINTEMPS", "kind": "percent", "percent": "10"},
            )
        )["id"]
        ids["reader_id"] = (
            await _post(
                http,
                h,
                "/api/v1/payments/terminal/readers",
                {"pairing_code": PAIRING_CODE, "name": "Comptoir"},
            )
        )["id"]
        ids["absence_id"] = (
            await _post(
                http,
                h,
                f"/api/v1/practitioners/{camille}/absences",
                {"start": "2027-04-01T09:00:00+02:00", "end": "2027-04-01T12:00:00+02:00"},
            )
        )["id"]
        ids["closure_id"] = (
            await _post(
                http,
                h,
                "/api/v1/availability/closures",
                {"start_date": "2027-05-01", "end_date": "2027-05-01"},
            )
        )["id"]
        ids["opening_id"] = (
            await _post(
                http,
                h,
                "/api/v1/availability/special-openings",
                {"date": "2027-05-02", "start": "10:00", "end": "13:00"},
            )
        )["id"]
        ids["block_id"] = (
            await _post(
                http,
                h,
                "/api/v1/availability/blocks",
                {
                    "practitioner_id": str(camille),
                    "start": "2027-03-23T14:00:00+01:00",
                    "end": "2027-03-23T15:00:00+01:00",
                },
            )
        )["id"]
        await _stock_and_till(http, h, ids)
        await _loyalty(http, h, ids)
        await _packages_and_payouts(http, h, ids)
        await _memberships(http, h, ids)
        await deliver_messages()
        ids["message_id"] = await _first(http, h, "/api/v1/notifications/messages")
        ids.update(account_key="cash", year="2027", month="3")  # the books (app/accounting)
    return salon


async def _memberships(http: AsyncClient, h: dict[str, str], ids: dict[str, str]) -> None:
    """A plan including the service, and the client subscribed to it at the desk."""
    plan = {
        "name": "Abonnement soins",
        "price_cents": 5900,
        "allowances": [{"service_id": ids["service_id"], "sessions_per_period": 1}],
    }
    ids["plan_id"] = (await _post(http, h, "/api/v1/subscription-plans", plan))["id"]
    desk = {"plan_id": ids["plan_id"], "client_id": ids["client_id"]}
    ids["subscription_id"] = (await _post(http, h, "/api/v1/subscriptions", desk))[
        "subscription_id"
    ]


async def _loyalty(http: AsyncClient, h: dict[str, str], ids: dict[str, str]) -> None:
    reward = {"name": "10 € offerts", "kind": "amount", "points_cost": 100, "amount_cents": 1000}
    ids["reward_id"] = (await _post(http, h, "/api/v1/loyalty/rewards", reward))["id"]
    rule = {"kind": "per_visit", "name": "5 points par visite", "points": 5}
    ids["rule_id"] = (await _post(http, h, "/api/v1/loyalty/rules", rule))["id"]
    tier = {"name": "Platine", "rank": 3, "threshold": 150000, "multiplier": "2"}
    ids["tier_id"] = (await _post(http, h, "/api/v1/loyalty/tiers", tier))["id"]


async def _packages_and_payouts(http: AsyncClient, h: dict[str, str], ids: dict[str, str]) -> None:
    """An offer, one package of it sold on a till ticket to the client, a payout recorded."""
    offer = {
        "name": "5 séances",
        "service_ids": [ids["service_id"]],
        "paid_sessions": 5,
        "price_cents": 25000,
        "validity_months": 6,
    }
    ids["offer_id"] = (await _post(http, h, "/api/v1/package-offers", offer))["id"]
    async with unit_of_work() as session:
        await sold_on_ticket(
            session,
            record_id=new_id(),
            order_id=new_id(),
            client_id=UUID(ids["client_id"]),
            lines=[(UUID(ids["offer_id"]), 1, 25000)],
        )
    ids["package_id"] = await _first(http, h, "/api/v1/packages")
    payout = {
        "provider": "paypal",
        "reference": "RETRAIT-1",
        "arrived_on": "2027-03-14",
        "net_cents": 10000,
    }
    ids["payout_id"] = (await _post(http, h, "/api/v1/payments/payouts", payout))["id"]


async def _stock_and_till(http: AsyncClient, h: dict[str, str], ids: dict[str, str]) -> None:
    """A stocked product with its supplier, an order and a count; a till with a ticket."""
    product = ids["product_id"]
    stocked = await http.put(f"/api/v1/stock/items/{product}", json={"unit": "piece"}, headers=h)
    assert stocked.status_code == 200, stocked.text
    ids["supplier_id"] = (await _post(http, h, "/api/v1/stock/suppliers", {"name": "CDR"}))["id"]
    line = {"product_id": product, "quantity": 4, "unit_cost_cents": 850}
    order = {"supplier_id": ids["supplier_id"], "lines": [line]}
    ids["order_id"] = (await _post(http, h, "/api/v1/stock/purchase-orders", order))["id"]
    ids["count_id"] = (await _post(http, h, "/api/v1/stock/counts", {}))["id"]
    ids["register_id"] = (await _post(http, h, "/api/v1/sales/registers", {"name": "Accueil"}))[
        "id"
    ]
    ticket = two_rate_ticket("T-0001", datetime(2027, 3, 15, 8, tzinfo=UTC))
    ids["ticket_id"] = str((await append_ticket(ticket, ids["register_id"])).id)
    ids["invoice_id"] = str(await insert_invoice())


@pytest.fixture
def salon(fakes: FakeProviders, monkeypatch: pytest.MonkeyPatch) -> Iterator[Salon]:
    """Built once per operation (the tables are emptied after each test)."""
    monkeypatch.setenv("SUMUP_WEBHOOK_SECRET", "sumup-fake-webhook-secret")
    get_settings.cache_clear()
    clock.pin(paris(2027, 3, 15, 8))
    yield async_bridge.run(_build_salon())
    monkeypatch.undo()
    get_settings.cache_clear()


@schema.parametrize()
@settings(max_examples=8, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
def test_no_input_makes_the_api_fail(case: schemathesis.Case, salon: Salon) -> None:
    salon.fill(case)
    response = case.call(headers=salon.headers)
    assert response.status_code < 500, (case.method, case.path, case.body, response.text[:300])


def test_the_salon_has_a_row_for_every_id_in_the_paths(salon: Salon) -> None:
    names = {name for path in app.openapi()["paths"] for name in re.findall(r"{(\w+)}", path)}

    assert names - salon.ids.keys() == set()
