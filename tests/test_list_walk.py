"""Every paginated list is walked past its first page. The routes come from the OpenAPI
document (any response with `next_cursor`); each needs a builder below that makes at least
three rows, so a walk with `limit=1` reaches pages 2 and 3. A new paginated route without a
builder fails here: add one line to BUILDERS (and a builder if none fits)."""

from __future__ import annotations

import base64
import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from httpx import AsyncClient

from app.auth.models import Role
from app.core import clock
from app.core.db import unit_of_work
from app.core.ids import new_id
from app.journal import public as journal
from app.main import app
from tests.bookings.salon import book_by_staff, facial_with_camille, make_client, paris
from tests.builders import (
    AuthHeaders,
    deliver_messages,
    login,
    make_user,
    sell_gift_card,
    sign_up,
    verify_email,
)
from tests.factories.core import run_outbox
from tests.factories.invoicing import insert_invoice
from tests.fakes.server import FakeProviders
from tests.fakes.stripe import FakeStripe
from tests.fakes.sumup import PAIRING_CODE
from tests.journal.builders import ticket
from tests.payments.helpers import held_with_checkout, post_stripe
from tests.sales.helpers import append_ticket, make_register
from tests.sales.orders_helpers import new_order, open_till
from tests.stock.helpers import deliver, make_product, make_supplier, order

ROWS = 3
STARTS = [f"2027-03-22T{hour}:00:00+01:00" for hour in ("09", "10", "11", "14")]


@dataclass
class Listing:
    """Where to read the rows a builder made, and as whom."""

    path: str
    headers: dict[str, str] = field(default_factory=dict)
    params: dict[str, str] = field(default_factory=dict)


@dataclass
class Ctx:
    client: AsyncClient
    owner: dict[str, str]
    fakes: FakeProviders


Builder = Callable[[Ctx], Awaitable[Listing]]


def _paginated_routes() -> list[str]:
    """`GET` routes whose 200 answer has a `next_cursor` and that take a `cursor`."""
    return [path for path, takes_cursor in _listed_routes().items() if takes_cursor]


def _listed_routes() -> dict[str, bool]:
    """`GET` routes whose 200 answer has a `next_cursor`, from the OpenAPI document, and
    whether each takes a `cursor`."""
    document = app.openapi()
    schemas = document["components"]["schemas"]
    found: dict[str, bool] = {}
    for path, operations in document["paths"].items():
        answer = operations.get("get", {}).get("responses", {}).get("200", {})
        schema = answer.get("content", {}).get("application/json", {}).get("schema", {})
        if "$ref" in schema:
            schema = schemas[schema["$ref"].rsplit("/", 1)[-1]]
        if "next_cursor" in schema.get("properties", {}):
            parameters = operations["get"].get("parameters", [])
            found[path] = any(p["name"] == "cursor" for p in parameters)
    return dict(sorted(found.items()))


async def _staff_bookings(ctx: Ctx) -> list[dict[str, Any]]:
    facial, _ = await facial_with_camille()
    return [await book_by_staff(ctx.client, ctx.owner, [facial], s) for s in STARTS[:ROWS]]


async def users(ctx: Ctx) -> Listing:
    for _ in range(ROWS):
        await make_user(role=Role.receptionist)
    return Listing("/api/v1/users", ctx.owner)


async def audit_log(ctx: Ctx) -> Listing:
    for _ in range(ROWS):  # each staff login is an audit entry
        await login(ctx.client, (await make_user(role=Role.manager)).email)
    return Listing("/api/v1/audit-log", ctx.owner)


async def services(ctx: Ctx) -> Listing:
    for n in range(ROWS):
        created = await ctx.client.post(
            "/api/v1/services",
            json={"name": f"Soin {n}", "duration_minutes": 30, "price_cents": 3000 + n},
            headers=ctx.owner,
        )
        assert created.status_code == 201, created.text
    return Listing("/api/v1/services", ctx.owner)


async def products(ctx: Ctx) -> Listing:
    for n in range(ROWS):
        created = await ctx.client.post(
            "/api/v1/products",
            json={"name": f"Crème {n}", "sku": f"CR-{n}", "price_cents": 2500},
            headers=ctx.owner,
        )
        assert created.status_code == 201, created.text
    return Listing("/api/v1/products", ctx.owner)


async def practitioners(ctx: Ctx) -> Listing:
    for name in ("Camille", "Zoé", "Inès"):
        created = await ctx.client.post(
            "/api/v1/practitioners", json={"display_name": name}, headers=ctx.owner
        )
        assert created.status_code == 201, created.text
    return Listing("/api/v1/practitioners", ctx.owner)


async def bookings(ctx: Ctx) -> Listing:
    await _staff_bookings(ctx)
    return Listing("/api/v1/bookings", ctx.owner)


async def my_bookings(ctx: Ctx) -> Listing:
    mine = await sign_up(ctx.client)
    facial, _ = await facial_with_camille()
    for start in STARTS[:ROWS]:
        booked = await ctx.client.post(
            "/api/v1/bookings", json={"service_ids": [str(facial)], "start": start}, headers=mine
        )
        assert booked.status_code == 201, booked.text
    return Listing("/api/v1/me/bookings", mine)


async def clients(ctx: Ctx) -> Listing:
    for name in ("Hélène", "Agnès", "Zoé"):
        await make_client(name)
    return Listing("/api/v1/clients", ctx.owner, {"sort": "newest"})


async def payments(ctx: Ctx) -> Listing:
    await gift_cards(ctx)  # each card sold for cash is a payment
    return Listing("/api/v1/payments", ctx.owner)


async def provider_events(ctx: Ctx) -> Listing:
    _, checkout = await held_with_checkout(ctx.client)
    await post_stripe(ctx.client, ctx.fakes.stripe.decline(checkout["client_secret"]))
    await post_stripe(ctx.client, ctx.fakes.stripe.pay(checkout["client_secret"]))
    await post_stripe(ctx.client, FakeStripe.event("customer.created", {"id": "cus_walk"}))
    return Listing("/api/v1/payments/provider-events", ctx.owner)


async def payouts(ctx: Ctx) -> Listing:
    for day in (14, 13, 12):
        recorded = await ctx.client.post(
            "/api/v1/payments/payouts",
            json={
                "provider": "paypal",
                "reference": f"RETRAIT-{day}",
                "arrived_on": f"2027-03-{day}",
                "net_cents": 1000 * day,
            },
            headers=ctx.owner,
        )
        assert recorded.status_code == 201, recorded.text
    return Listing("/api/v1/payments/payouts", ctx.owner)


async def messages(ctx: Ctx) -> Listing:
    await _staff_bookings(ctx)  # a confirmation by e-mail for each
    await deliver_messages()
    return Listing("/api/v1/notifications/messages", ctx.owner)


async def _sell_cards(ctx: Ctx, **card: str) -> None:
    for amount in (3000, 5000, 7000):
        await sell_gift_card(ctx.client, ctx.owner, amount, **card)


async def gift_cards(ctx: Ctx) -> Listing:
    await _sell_cards(ctx)
    return Listing("/api/v1/gift-cards", ctx.owner)


async def accounting_entries(ctx: Ctx) -> Listing:
    """Three cards sold for cash: three entries in the cash journal."""
    await _sell_cards(ctx)
    await run_outbox()
    return Listing("/api/v1/accounting/entries", ctx.owner, {"journal": "CA"})


async def accounting_ledger(ctx: Ctx) -> Listing:
    """Three cards sold for cash: three lines on the cash account."""
    await _sell_cards(ctx)
    await run_outbox()
    params = {"account_number": "530000", "year": "2027"}
    return Listing("/api/v1/accounting/ledger", ctx.owner, params)


async def _coupon(ctx: Ctx, code: str) -> str:
    created = await ctx.client.post(
        "/api/v1/coupons",
        json={"code": code, "kind": "percent", "percent": "10"},
        headers=ctx.owner,
    )
    assert created.status_code == 201, created.text
    return str(created.json()["id"])


async def coupons(ctx: Ctx) -> Listing:
    for code in ("PRINTEMPS", "ETE", "AUTOMNE"):
        await _coupon(ctx, code)
    return Listing("/api/v1/coupons", ctx.owner)


async def coupon_redemptions(ctx: Ctx) -> Listing:
    coupon_id = await _coupon(ctx, "FIDELE")
    for n in range(ROWS):
        redeemed = await ctx.client.post(
            "/api/v1/coupons/redeem",
            json={
                "code": "FIDELE",
                "lines": [{"kind": "product", "id": str(coupon_id), "amount_cents": 5000}],
                "subject_kind": "order",
                "subject_id": f"00000000-0000-4000-8000-00000000000{n}",
            },
            headers=ctx.owner,
        )
        assert redeemed.status_code == 201, redeemed.text
    return Listing(f"/api/v1/coupons/{coupon_id}/redemptions", ctx.owner)


async def client_notes(ctx: Ctx) -> Listing:
    client_id = await make_client()
    for body in ("Préfère le matin", "Peau sensible", "Vient avec sa fille"):
        added = await ctx.client.post(
            f"/api/v1/clients/{client_id}/notes", json={"body": body}, headers=ctx.owner
        )
        assert added.status_code == 201, added.text
    return Listing(f"/api/v1/clients/{client_id}/notes", ctx.owner)


async def my_gift_cards(ctx: Ctx) -> Listing:
    mine = await sign_up(ctx.client, email="lea@example.fr", first_name="Léa")
    await verify_email(ctx.client, "lea@example.fr")
    await _sell_cards(ctx, recipient_email="lea@example.fr")
    return Listing("/api/v1/me/gift-cards", mine)


async def card_readers(ctx: Ctx) -> Listing:
    for name in ("Comptoir", "Cabine 1", "Cabine 2"):
        paired = await ctx.client.post(
            "/api/v1/payments/terminal/readers",
            json={"pairing_code": PAIRING_CODE, "name": name},
            headers=ctx.owner,
        )
        assert paired.status_code == 201, paired.text
    return Listing("/api/v1/payments/terminal/readers", ctx.owner)


async def waitlist(ctx: Ctx) -> Listing:
    facial, _ = await facial_with_camille()
    for n, name in enumerate(("Hélène", "Agnès", "Zoé")):
        joined = await ctx.client.post(
            "/api/v1/waitlist",
            json={
                "service_ids": [str(facial)],
                "date_from": "2027-03-22",
                "date_to": "2027-03-26",
                "client": {"first_name": name, "last_name": "Dupont", "email": f"w{n}@example.fr"},
            },
        )
        assert joined.status_code == 201, joined.text
    return Listing("/api/v1/waitlist", ctx.owner)


async def _stocked(ctx: Ctx) -> list[Any]:
    products = [await make_product(f"Crème {n}") for n in range(ROWS)]
    for product in products:
        await deliver(ctx.client, ctx.owner, product, 2, 900)
    return products


async def stock_items(ctx: Ctx) -> Listing:
    await _stocked(ctx)
    return Listing("/api/v1/stock/items", ctx.owner)


async def stock_movements(ctx: Ctx) -> Listing:
    await _stocked(ctx)
    return Listing("/api/v1/stock/movements", ctx.owner)


async def stock_recipes(ctx: Ctx) -> Listing:
    products = await _stocked(ctx)
    facial, _ = await facial_with_camille()
    lines = [{"product_id": str(p), "quantity": 5} for p in products]
    made = await ctx.client.put(
        f"/api/v1/stock/recipes/{facial}", json={"lines": lines}, headers=ctx.owner
    )
    assert made.status_code == 200, made.text
    return Listing("/api/v1/stock/recipes", ctx.owner)


async def stock_counts(ctx: Ctx) -> Listing:
    for _ in range(ROWS):  # one count is open at a time
        opened = await ctx.client.post("/api/v1/stock/counts", json={}, headers=ctx.owner)
        assert opened.status_code == 201, opened.text
        closing = f"/api/v1/stock/counts/{opened.json()['id']}/close"
        assert (await ctx.client.post(closing, headers=ctx.owner)).status_code == 200
    return Listing("/api/v1/stock/counts", ctx.owner)


async def suppliers(ctx: Ctx) -> Listing:
    for name in ("Cosmétiques du Rhône", "Atelier Lila", "Beauté Pro"):
        await make_supplier(ctx.client, ctx.owner, name)
    return Listing("/api/v1/stock/suppliers", ctx.owner)


async def purchase_orders(ctx: Ctx) -> Listing:
    product = await make_product()
    for packs in range(1, ROWS + 1):
        await order(ctx.client, ctx.owner, [(product, packs, 700)])
    return Listing("/api/v1/stock/purchase-orders", ctx.owner)


async def sales_registers(ctx: Ctx) -> Listing:
    for name in ("Accueil", "Étage", "Boutique"):
        await make_register(ctx.client, ctx.owner, name)
    return Listing("/api/v1/sales/registers", ctx.owner)


async def sales_closings(ctx: Ctx) -> Listing:
    """A ticket on each of three days, then their Z's (the last closes the days before)."""
    days = [paris(2027, 3, day, 12) for day in (11, 12, 13)]
    for n, day in enumerate(days):
        with clock.frozen_at(day):
            await append_ticket(ticket(f"T-{n}", day), None)
    async with unit_of_work() as session:
        await journal.close_day(session, days[-1].date())
    return Listing("/api/v1/sales/closings", ctx.owner, {"level": "day"})


async def sales_orders(ctx: Ctx) -> Listing:
    till = await open_till(ctx.client, ctx.owner)
    product = await make_product()
    for quantity in range(1, ROWS + 1):
        await new_order(
            ctx.client,
            ctx.owner,
            register_id=till,
            lines=[{"kind": "product", "product_id": str(product), "quantity": quantity}],
        )
    return Listing("/api/v1/sales/orders", ctx.owner, {"order_status": "open"})


async def invoices(ctx: Ctx) -> Listing:
    for _ in range(ROWS):
        await insert_invoice()
    return Listing("/api/v1/invoices", ctx.owner)


async def my_invoices(ctx: Ctx) -> Listing:
    mine = await sign_up(ctx.client, email="zoe@example.fr", first_name="Zoé")
    me = await ctx.client.get("/api/v1/me", headers=mine)
    assert me.status_code == 200, me.text
    for _ in range(ROWS):
        await insert_invoice(me.json()["id"])
    await insert_invoice()  # someone else's: never listed
    return Listing("/api/v1/me/invoices", mine)


# Lists that answer the one list shape in a single page: bounded by nature or by their filter,
# they take no cursor and always answer `next_cursor: null`.


async def _loyal_client(ctx: Ctx) -> str:
    client_id = await make_client()
    for points in (10, 20, 30):
        made = await ctx.client.post(
            f"/api/v1/clients/{client_id}/loyalty/adjustments",
            json={"points": points, "reason": "Reprise de l'ancien programme"},
            headers=ctx.owner,
        )
        assert made.status_code == 201, made.text
    return str(client_id)


async def loyalty_entries(ctx: Ctx) -> Listing:
    return Listing(f"/api/v1/clients/{await _loyal_client(ctx)}/loyalty/entries", ctx.owner)


async def my_loyalty_entries(ctx: Ctx) -> Listing:
    mine = await sign_up(ctx.client, email="lea@example.fr", first_name="Léa")
    me = await ctx.client.get("/api/v1/me/loyalty", headers=mine)
    assert me.status_code == 200, me.text
    from sqlalchemy import select

    from app.auth.models import User
    from app.clients.models import Client

    async with unit_of_work() as session:
        client_id = await session.scalar(
            select(Client.id)
            .join(User, User.id == Client.user_id)
            .where(User.email == "lea@example.fr")
        )
    for points in (10, 20, 30):
        made = await ctx.client.post(
            f"/api/v1/clients/{client_id}/loyalty/adjustments",
            json={"points": points, "reason": "Bienvenue"},
            headers=ctx.owner,
        )
        assert made.status_code == 201, made.text
    return Listing("/api/v1/me/loyalty/entries", mine)


async def _loyalty_rewards(ctx: Ctx) -> None:
    for cost in (100, 200, 300):
        made = await ctx.client.post(
            "/api/v1/loyalty/rewards",
            json={
                "name": f"{cost // 10} € offerts",
                "kind": "amount",
                "points_cost": cost,
                "amount_cents": cost * 10,
            },
            headers=ctx.owner,
        )
        assert made.status_code == 201, made.text


async def loyalty_rewards(ctx: Ctx) -> Listing:
    await _loyalty_rewards(ctx)
    return Listing("/api/v1/loyalty/rewards")


async def all_loyalty_rewards(ctx: Ctx) -> Listing:
    await _loyalty_rewards(ctx)
    return Listing("/api/v1/loyalty/rewards/all", ctx.owner)


async def loyalty_rules(ctx: Ctx) -> Listing:
    for points in (5, 10):  # with the default rule: three
        made = await ctx.client.post(
            "/api/v1/loyalty/rules",
            json={"kind": "per_visit", "name": f"{points} points par visite", "points": points},
            headers=ctx.owner,
        )
        assert made.status_code == 201, made.text
    return Listing("/api/v1/loyalty/rules", ctx.owner)


ONE_PAGE = {
    "/api/v1/availability/blocks": "within the dates asked",
    "/api/v1/availability/closures": "within the dates asked",
    "/api/v1/availability/special-openings": "within the dates asked",
    "/api/v1/practitioners/{practitioner_id}/absences": "within the dates asked",
    "/api/v1/availability/opening-hours": "one week of hours",
    "/api/v1/practitioners/{practitioner_id}/working-hours": "one week of hours",
    "/api/v1/clients/search": "the best `limit` hits",
    "/api/v1/clients/duplicates": "the closest pairs, capped",
    "/api/v1/clients/{client_id}/consents": "one client's consent ledger",
    "/api/v1/clients/{client_id}/health-notes": "one client's health notes",
    "/api/v1/me/saved-cards": "her few saved cards",
    "/api/v1/notifications/templates": "the templates in the code",
    "/api/v1/payments/tips": "one line per practitioner",
    "/api/v1/resources": "the salon's rooms and equipment",
    "/api/v1/service-categories": "the catalogue's few categories",
    "/api/v1/loyalty/tiers": "the salon's few tiers",
    "/api/v1/package-offers": "the packages on sale",
    "/api/v1/me/packages": "her packages",
    "/api/v1/clients/{client_id}/packages": "one client's packages",
    "/api/v1/subscription-plans": "the plans on sale",
    "/api/v1/me/subscriptions": "her memberships",
}


async def sold_packages(ctx: Ctx) -> Listing:
    """Three packages sold on one till line (quantity 3): one package per unit."""
    from tests.packages.helpers import make_offer
    from tests.sales.orders_helpers import complete, tender

    facial, _ = await facial_with_camille()
    offer = await make_offer(ctx.client, ctx.owner, [facial])
    await open_till(ctx.client, ctx.owner)
    line = {"kind": "package", "package_offer_id": offer["id"], "quantity": ROWS}
    made = await new_order(ctx.client, ctx.owner, client_id=str(await make_client()), lines=[line])
    await tender(ctx.client, ctx.owner, made["id"], method="cash")
    await complete(ctx.client, ctx.owner, made["id"])
    await run_outbox()
    return Listing("/api/v1/packages", ctx.owner)


async def referrals(ctx: Ctx) -> Listing:
    """Three friends who came with Camille's code (signed in, each claims it once)."""
    camille = await sign_up(ctx.client, email="camille@example.fr", first_name="Camille")
    code = (await ctx.client.get("/api/v1/me/referrals", headers=camille)).json()["code"]
    for name in ("Léa", "Inès", "Zoé"):
        friend = await sign_up(ctx.client, email=f"{new_id().hex[-8:]}@example.fr", first_name=name)
        claimed = await ctx.client.post(
            "/api/v1/referrals/claim", json={"code": code}, headers=friend
        )
        assert claimed.status_code == 201, claimed.text
    return Listing("/api/v1/referrals", ctx.owner, {"status": "pending"})


async def memberships(ctx: Ctx) -> Listing:
    """Three clients subscribed at the desk (each waiting for her card)."""
    from tests.subscriptions.helpers import make_plan

    facial, _ = await facial_with_camille()
    plan = await make_plan(ctx.client, ctx.owner, [facial])
    for _ in range(ROWS):
        body = {"plan_id": plan["id"], "client_id": str(await make_client())}
        made = await ctx.client.post("/api/v1/subscriptions", json=body, headers=ctx.owner)
        assert made.status_code == 201, made.text
    return Listing("/api/v1/subscriptions", ctx.owner)


# One line per paginated route.
BUILDERS: dict[str, Builder] = {
    "/api/v1/users": users,
    "/api/v1/audit-log": audit_log,
    "/api/v1/services": services,
    "/api/v1/products": products,
    "/api/v1/practitioners": practitioners,
    "/api/v1/bookings": bookings,
    "/api/v1/me/bookings": my_bookings,
    "/api/v1/clients": clients,
    "/api/v1/payments": payments,
    "/api/v1/payments/provider-events": provider_events,
    "/api/v1/payments/payouts": payouts,
    "/api/v1/notifications/messages": messages,
    "/api/v1/gift-cards": gift_cards,
    "/api/v1/coupons": coupons,
    "/api/v1/coupons/{coupon_id}/redemptions": coupon_redemptions,
    "/api/v1/clients/{client_id}/notes": client_notes,
    "/api/v1/me/gift-cards": my_gift_cards,
    "/api/v1/payments/terminal/readers": card_readers,
    "/api/v1/waitlist": waitlist,
    "/api/v1/stock/items": stock_items,
    "/api/v1/stock/movements": stock_movements,
    "/api/v1/stock/recipes": stock_recipes,
    "/api/v1/stock/counts": stock_counts,
    "/api/v1/stock/suppliers": suppliers,
    "/api/v1/stock/purchase-orders": purchase_orders,
    "/api/v1/sales/registers": sales_registers,
    "/api/v1/sales/closings": sales_closings,
    "/api/v1/sales/orders": sales_orders,
    "/api/v1/invoices": invoices,
    "/api/v1/me/invoices": my_invoices,
    "/api/v1/accounting/entries": accounting_entries,
    "/api/v1/accounting/ledger": accounting_ledger,
    "/api/v1/clients/{client_id}/loyalty/entries": loyalty_entries,
    "/api/v1/me/loyalty/entries": my_loyalty_entries,
    "/api/v1/loyalty/rewards": loyalty_rewards,
    "/api/v1/loyalty/rewards/all": all_loyalty_rewards,
    "/api/v1/loyalty/rules": loyalty_rules,
    "/api/v1/packages": sold_packages,
    "/api/v1/referrals": referrals,
    "/api/v1/subscriptions": memberships,
}


@pytest.fixture(autouse=True)
def _a_week_before() -> None:
    clock.pin(paris(2027, 3, 15, 8))


def test_every_paginated_route_has_a_builder_and_every_builder_a_route() -> None:
    routes = set(_paginated_routes())

    assert routes - BUILDERS.keys() == set(), "paginated routes with no builder in BUILDERS"
    assert BUILDERS.keys() - routes == set(), "builders for routes that no longer paginate"
    one_page = {path for path, takes_cursor in _listed_routes().items() if not takes_cursor}
    assert one_page == ONE_PAGE.keys(), "a list without a cursor must be declared in ONE_PAGE"


async def _walk(client: AsyncClient, listing: Listing) -> list[list[Any]]:
    pages: list[list[Any]] = []
    cursor: str | None = None
    while True:
        params = listing.params | {"limit": "1"} | ({"cursor": cursor} if cursor else {})
        answer = await client.get(listing.path, params=params, headers=listing.headers)
        assert answer.status_code == 200, (len(pages) + 1, answer.text)
        body = answer.json()
        pages.append([item["id"] for item in body["items"]])
        cursor = body["next_cursor"]
        if cursor is None:
            return pages
        assert len(pages) <= 100, "the cursor never ends"


@pytest.mark.parametrize("route", _paginated_routes())
async def test_a_list_walked_one_item_a_page_sees_every_row_once(
    route: str, client: AsyncClient, auth_headers: AuthHeaders, fakes: FakeProviders
) -> None:
    assert route in BUILDERS, f"add a builder for {route} to BUILDERS"
    ctx = Ctx(client=client, owner=await auth_headers(Role.owner), fakes=fakes)
    listing = await BUILDERS[route](ctx)

    pages = await _walk(client, listing)
    whole = await client.get(
        listing.path, params=listing.params | {"limit": "200"}, headers=listing.headers
    )

    seen = [item for page in pages for item in page]
    everything = [item["id"] for item in whole.json()["items"]]
    assert len(everything) >= ROWS, "the builder made too few rows to reach page 3"
    assert len(pages) == len(everything), "the list does not page by `limit`"
    assert whole.json()["next_cursor"] is None
    assert all(len(page) == 1 for page in pages[:-1])
    assert len(seen) == len(set(seen)), "an item came twice"
    assert seen == everything, "walking in pages does not see what one page shows"


def _cursor(*values: Any) -> str:
    return base64.urlsafe_b64encode(json.dumps(list(values)).encode()).decode()


@pytest.mark.parametrize(
    "cursor",
    [
        "not-base64!",
        _cursor("2027-03-22T09:00:00+01:00"),
        _cursor("2027-03-22T09:00:00", "01a230d2-a997-72b4-a3a2-a53beb3c1d08"),
        _cursor(42, "01a230d2-a997-72b4-a3a2-a53beb3c1d08"),
        _cursor("2027-03-22T09:00:00+01:00", "not-a-uuid"),
    ],
)
async def test_a_forged_cursor_is_refused_clearly(
    cursor: str, client: AsyncClient, auth_headers: AuthHeaders
) -> None:
    answer = await client.get(
        "/api/v1/bookings", params={"cursor": cursor}, headers=await auth_headers(Role.owner)
    )

    assert answer.status_code == 400
    assert answer.json()["code"] == "invalid_cursor"
