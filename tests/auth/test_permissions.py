"""The permission model: docs/permissions.md is the table the code declares, and every
route answers each kind of caller as that table says, on the real objects of another
client and of a colleague."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from uuid import uuid4

import pytest
from httpx import AsyncClient, Response
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.auth.models import Role
from app.auth.permissions import Access, Caller, RouteAccess, markdown, route_access
from app.core import clock
from app.notifications.models import Message
from tests.bookings.salon import add_absence, add_block, make_practitioner, paris
from tests.builders import deliver_messages, login, make_user, sign_up
from tests.payments.helpers import A_WEEK_BEFORE, hold, pay_deposit, salon_with_deposit

DOCS = Path(__file__).resolve().parents[2] / "docs" / "permissions.md"
VISIT = "2027-03-22"


def test_docs_permissions_md_is_the_table_the_routes_declare() -> None:
    from app.main import app

    assert DOCS.read_text(encoding="utf-8") == markdown(app), (
        "Regenerate it: python -m app.cli permissions > docs/permissions.md"
    )


def test_every_route_is_in_the_table() -> None:
    from app.main import app

    operations = {
        (method.upper(), path) for path, ops in app.openapi()["paths"].items() for method in ops
    }
    assert operations == {(r.method, r.path) for r in route_access(app)}


@dataclass
class World:
    """The callers, and the objects of another client (Hélène, with Camille) they try."""

    headers: dict[Caller, dict[str, str]]
    ids: dict[str, str]
    secret_ids: list[str] = field(default_factory=list)


async def _staff(client: AsyncClient, role: Role) -> tuple[dict[str, str], str]:
    user = await make_user(role=role)
    tokens = await login(client, user.email)
    return {"Authorization": f"Bearer {tokens['access_token']}"}, str(user.id)


async def build_world(client: AsyncClient, session: AsyncSession) -> World:
    clock.pin(A_WEEK_BEFORE)
    massage, camille = await salon_with_deposit()
    headers = {Caller.anonymous: {}}
    for role in (Role.practitioner, Role.receptionist, Role.manager, Role.owner):
        headers[Caller(role.value)], user_id = await _staff(client, role)
        if role is Role.practitioner:
            await make_practitioner("Léa", [massage], user_id=user_id)  # type: ignore[arg-type]
    colleague = await make_user(role=Role.manager)
    headers[Caller.client] = await sign_up(client, "ines@example.fr", "Inès", "Martin")
    desk = headers[Caller.manager]

    booking = await hold(client, massage)
    checkout = (await pay_deposit(client, booking)).json()
    paid = await client.post(
        f"/api/v1/payments/{checkout['payment_id']}/simulate", json={"outcome": "succeeded"}
    )
    assert paid.status_code == 200, paid.text
    await deliver_messages()
    message_id = await session.scalar(
        select(Message.id).where(Message.client_id == booking["client_id"]).limit(1)
    )
    client_id = booking["client_id"]
    for path, body in (
        ("notes", {"body": "Préfère le thé"}),
        ("health-notes", {"kind": "allergy", "body": "Allergie au latex"}),
    ):
        written = await client.post(f"/api/v1/clients/{client_id}/{path}", json=body, headers=desk)
        assert written.status_code == 201, written.text
    card = await client.post(
        "/api/v1/gift-cards/in-salon",
        json={
            "amount_cents": 5000,
            "buyer": {"name": "Hélène"},
            "recipient_name": "Léa",
            "method": "cash",
        },
        headers=desk,
    )
    coupon = await client.post(
        "/api/v1/coupons",
        json={"code": "printemps", "kind": "percent", "percent": "20"},
        headers=desk,
    )
    assert card.status_code == coupon.status_code == 201, (card.text, coupon.text)
    await add_absence(camille, paris(2027, 3, 29, 9), paris(2027, 3, 29, 18))
    await add_block(camille, paris(2027, 3, 22, 14), paris(2027, 3, 22, 15))
    blocks = await client.get(
        "/api/v1/availability/blocks",
        params={"date_from": VISIT, "date_to": VISIT},
        headers=desk,
    )
    absences = await client.get(f"/api/v1/practitioners/{camille}/absences", headers=desk)
    ids = {
        "booking_id": booking["id"],
        "client_id": client_id,
        "payment_id": checkout["payment_id"],
        "card_id": card.json()["gift_card"]["id"],
        "coupon_id": coupon.json()["id"],
        "message_id": str(message_id),
        "user_id": str(colleague.id),
        "practitioner_id": str(camille),
        "service_id": str(massage),
        "block_id": blocks.json()["items"][0]["id"],
        "absence_id": absences.json()["items"][0]["id"],
        "token": "not-a-token",
    }
    return World(headers, ids, secret_ids=[booking["id"], client_id, checkout["payment_id"]])


# Objects a "yes" caller must find: a 404 from one of these on a read is a refusal.
SCOPED = {"booking_id", "client_id", "payment_id", "card_id", "coupon_id", "user_id"}
CLIENTS_OBJECTS = {"booking_id", "client_id", "payment_id"}
# Routes whose object is named in the body: that body, so the check in the handler runs.
BODIES: dict[tuple[str, str], Any] = {
    ("POST", "/api/v1/payments/deposits"): {"booking_id": "{booking_id}", "method": "stripe"},
    ("POST", "/api/v1/payments/{payment_id}/capture"): {},
    ("POST", "/api/v1/bookings/{booking_id}/coupon"): {"code": "PRINTEMPS"},
    ("POST", "/api/v1/gift-cards/redeem-online"): {
        "code": "NOPE-NOPE-NOPE",
        "booking_id": "{booking_id}",
    },
}
PARAM = re.compile(r"\{(\w+)\}")
QUERY = {"date_from": VISIT, "date_to": VISIT, "q": "Dupont", "token": "not-a-token"}


def _fill(value: Any, ids: dict[str, str]) -> Any:
    if isinstance(value, str) and value.startswith("{"):
        return ids[value.strip("{}")]
    if isinstance(value, dict):
        return {k: _fill(v, ids) for k, v in value.items()}
    return value


async def _call(
    client: AsyncClient, route: RouteAccess, world: World, caller: Caller, operation: Any
) -> Response:
    path = PARAM.sub(lambda m: world.ids.get(m[1], str(uuid4())), route.path)
    query = {
        p["name"]: QUERY.get(p["name"], "x")
        for p in operation.get("parameters", [])
        if p["in"] == "query" and (p.get("required") or p["name"] in QUERY)
    }
    kwargs: dict[str, Any] = {"params": query, "headers": world.headers[caller]}
    if route.method not in ("GET", "DELETE") or "requestBody" in operation:
        body = BODIES.get((route.method, route.path))
        # A body that never validates: the call stops after the permission checks.
        kwargs["json"] = _fill(body, world.ids) if body is not None else "not-a-body"
    return await client.request(route.method, path, **kwargs)


def _difference(
    route: RouteAccess, caller: Caller, response: Response, world: World, link_status: int
) -> str | None:
    expected, status = route.access[caller], response.status_code
    refused = status in (401, 403)
    names = set(PARAM.findall(route.path))
    if expected is Access.no:
        wanted = 401 if caller is Caller.anonymous else 403
        return None if status == wanted else f"expected {wanted}"
    if expected is Access.link:
        return None if status == link_status and status >= 400 else "a token widened a link"
    if expected is Access.own and names:
        # Another's object: 404 when it is a client's (not acknowledged), else 403 or 404.
        wanted = {404} if names & CLIENTS_OBJECTS else {403, 404}
        return None if status in wanted else f"another's object was not refused with {wanted}"
    if refused:
        return "refused"
    if expected is Access.own:
        leaked = any(secret in response.text for secret in world.secret_ids)
        return "another client's object leaked" if leaked else None
    if route.method == "GET" and names & SCOPED and status == 404:
        return "refused with 404"
    return None


def _order(operation: tuple[str, str, Any]) -> tuple[int, str]:
    method, path, _ = operation
    return ({"GET": 0, "DELETE": 2}.get(method, 1), path)


def documented() -> dict[tuple[str, str], RouteAccess]:
    """The table as checked in: what each caller may do, route by route."""
    table = {}
    for line in DOCS.read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.strip("|").split("|")]
        if len(cells) == len(Caller) + 3 and cells[1].startswith("`"):
            method, path = cells[0], cells[1].strip("`")
            access = {c: Access(v) for c, v in zip(Caller, cells[2:-1], strict=True)}
            table[(method, path)] = RouteAccess(method, path, access)
    return table


async def test_every_route_answers_each_caller_as_the_table_says(
    client: AsyncClient, session: AsyncSession, no_provider_keys: None
) -> None:
    from app.main import app

    world = await build_world(client, session)
    table = documented()
    operations = [
        (method.upper(), path, operation)
        for path, ops in app.openapi()["paths"].items()
        for method, operation in ops.items()
    ]
    missing = [f"{m} {p}" for m, p, _ in operations if (m, p) not in table]
    assert not missing, f"not in docs/permissions.md: {missing}"
    differences: list[str] = []
    for method, path, operation in sorted(operations, key=_order):
        route = table[(method, path)]
        answers = {c: await _call(client, route, world, c, operation) for c in Caller}
        for caller, response in answers.items():
            problem = _difference(
                route, caller, response, world, answers[Caller.anonymous].status_code
            )
            if problem:
                differences.append(
                    f"{route.method} {route.path} as {caller}: table says "
                    f"{route.access[caller]}, got {response.status_code} ({problem}) "
                    f"{response.text[:120]}"
                )
    assert not differences, "\n".join(differences)


@pytest.mark.usefixtures("no_provider_keys")
async def test_a_practitioner_is_refused_the_health_notes_of_a_client_she_never_served(
    client: AsyncClient, session: AsyncSession
) -> None:
    world = await build_world(client, session)
    url = f"/api/v1/clients/{world.ids['client_id']}/health-notes"

    refused = await client.get(url, headers=world.headers[Caller.practitioner])
    record = await client.get(
        f"/api/v1/clients/{world.ids['client_id']}", headers=world.headers[Caller.practitioner]
    )
    manager = await client.get(url, headers=world.headers[Caller.manager])

    assert refused.status_code == record.status_code == 404
    assert refused.json()["code"] == "client_not_found"
    assert [n["body"] for n in manager.json()["items"]] == ["Allergie au latex"]
