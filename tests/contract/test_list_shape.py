"""One list shape, one filter name per concept, one time format (issue 12, defect 19)."""

from __future__ import annotations

import re
from typing import Any

from httpx import AsyncClient

from app.auth.models import Role
from tests.bookings.salon import make_client
from tests.builders import AuthHeaders, sign_up

SALON_INSTANT = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?\+0[12]:00$")


def _ref(schema: dict[str, Any]) -> str:
    return str(schema.get("$ref", "")).rsplit("/", 1)[-1]


async def test_no_collection_answers_a_bare_array(client: AsyncClient) -> None:
    document = (await client.get("/openapi.json")).json()

    bare = [
        f"{method.upper()} {path}"
        for path, operations in document["paths"].items()
        for method, operation in operations.items()
        for status, answer in operation["responses"].items()
        if status.startswith("2")
        and answer.get("content", {}).get("application/json", {}).get("schema", {}).get("type")
        == "array"
    ]
    pages = [
        name
        for name, schema in document["components"]["schemas"].items()
        if name.startswith("Page_")
    ]

    assert bare == []
    for name in pages:
        assert set(document["components"]["schemas"][name]["properties"]) == {
            "items",
            "next_cursor",
        }


async def test_client_notes_are_walked_page_by_page(
    client: AsyncClient, auth_headers: AuthHeaders
) -> None:
    desk = await auth_headers(Role.receptionist)
    client_id = await make_client()
    for text in ("Un", "Deux", "Trois"):
        made = await client.post(
            f"/api/v1/clients/{client_id}/notes", json={"body": text}, headers=desk
        )
        assert made.status_code == 201, made.text

    seen: list[str] = []
    params: dict[str, Any] = {"limit": 2}
    while True:
        page = await client.get(f"/api/v1/clients/{client_id}/notes", params=params, headers=desk)
        assert page.status_code == 200, page.text
        seen += [n["body"] for n in page.json()["items"]]
        if page.json()["next_cursor"] is None:
            break
        params["cursor"] = page.json()["next_cursor"]

    assert seen == ["Trois", "Deux", "Un"]


async def test_gift_cards_filter_by_status_and_the_old_state_name_still_works(
    client: AsyncClient, auth_headers: AuthHeaders
) -> None:
    desk = await auth_headers(Role.manager)
    document = (await client.get("/openapi.json")).json()
    parameters = {
        p["name"]: p for p in document["paths"]["/api/v1/gift-cards"]["get"]["parameters"]
    }

    by_status = await client.get("/api/v1/gift-cards", params={"status": "spent"}, headers=desk)
    by_state = await client.get("/api/v1/gift-cards", params={"state": "spent"}, headers=desk)
    wrong = await client.get("/api/v1/gift-cards", params={"status": "lost"}, headers=desk)

    assert by_status.status_code == 200, by_status.text
    assert by_state.status_code == 200
    assert wrong.status_code == 422
    assert parameters["state"].get("deprecated") is True
    assert "deprecated" not in parameters["status"]


async def test_every_instant_is_answered_in_the_salon_zone_with_its_offset(
    client: AsyncClient, auth_headers: AuthHeaders
) -> None:
    account = await sign_up(client)
    owner = await auth_headers(Role.owner)

    me = await client.get("/api/v1/auth/me", headers=account)
    users = await client.get("/api/v1/users", headers=owner)
    export = await client.get("/api/v1/me/export", headers=account)

    assert SALON_INSTANT.match(me.json()["created_at"]), me.json()["created_at"]
    assert all(SALON_INSTANT.match(u["created_at"]) for u in users.json()["items"])
    assert SALON_INSTANT.match(export.json()["exported_at"]), export.json()["exported_at"]
    assert SALON_INSTANT.match(export.json()["client"]["created_at"])
