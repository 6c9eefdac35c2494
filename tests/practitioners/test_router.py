from __future__ import annotations

from typing import Any

from httpx import AsyncClient

from app.auth.models import Role
from tests.bookings.salon import make_practitioner, make_service
from tests.builders import AuthHeaders, login, make_user

WEEK = [
    {"weekday": 1, "start": "09:30", "end": "12:30"},
    {"weekday": 1, "start": "13:30", "end": "19:00"},
    {"weekday": 0, "start": "13:00", "end": "19:00"},
]


async def test_a_manager_builds_a_practitioner_with_her_own_prices(
    client: AsyncClient, auth_headers: AuthHeaders
) -> None:
    headers = await auth_headers(Role.manager)
    facial = await make_service("Soin", minutes=60)
    nails = await make_service("Manucure", minutes=30)
    account = await make_user(role=Role.practitioner)

    response = await client.post(
        "/api/v1/practitioners",
        json={
            "display_name": "Camille",
            "color": "#C27BA0",
            "user_id": str(account.id),
            "service_ids": [str(facial)],
            "service_terms": [{"service_id": str(nails), "price_cents": 4000}],
        },
        headers=headers,
    )
    public = await client.get("/api/v1/practitioners")

    body = response.json()
    assert response.status_code == 201
    assert sorted(body["service_ids"]) == sorted([str(facial), str(nails)])
    assert body["service_terms"] == [
        {"service_id": str(nails), "price_cents": 4000, "duration_minutes": None}
    ]
    (card,) = public.json()["items"]
    assert "user_id" not in card
    assert "service_terms" not in card


async def test_one_account_links_to_one_practitioner(
    client: AsyncClient, auth_headers: AuthHeaders
) -> None:
    headers = await auth_headers(Role.manager)
    account = await make_user(role=Role.practitioner)
    body = {"display_name": "Léa", "user_id": str(account.id)}

    await client.post("/api/v1/practitioners", json=body, headers=headers)
    twice = await client.post(
        "/api/v1/practitioners", json=body | {"display_name": "Léa 2"}, headers=headers
    )
    client_account = await client.post(
        "/api/v1/practitioners",
        json={"display_name": "X", "user_id": "00000000-0000-0000-0000-000000000009"},
        headers=headers,
    )

    assert twice.json()["code"] == "user_already_linked"
    assert client_account.json()["code"] == "unknown_staff_user"


async def test_working_hours_replace_the_week_and_refuse_overlaps(
    client: AsyncClient, auth_headers: AuthHeaders
) -> None:
    headers = await auth_headers(Role.manager)
    camille = await make_practitioner("Camille", [], weekdays=[])
    url = f"/api/v1/practitioners/{camille}/working-hours"

    saved = await client.put(url, json=WEEK, headers=headers)
    overlap = await client.put(
        url, json=[*WEEK, {"weekday": 1, "start": "12:00", "end": "14:00"}], headers=headers
    )
    inverted = await client.put(
        url, json=[{"weekday": 2, "start": "18:00", "end": "09:00"}], headers=headers
    )
    bad_day = await client.put(
        url, json=[{"weekday": 7, "start": "09:00", "end": "10:00"}], headers=headers
    )

    assert saved.json()["items"] == sorted(WEEK, key=lambda i: (i["weekday"], i["start"]))
    assert overlap.status_code == 422
    assert overlap.json()["code"] == "overlapping_hours"
    assert inverted.status_code == 422
    assert bad_day.status_code == 422
    assert (await client.get(url, headers=headers)).json() == saved.json()


async def test_a_practitioner_sets_her_own_hours_but_not_another_s(
    client: AsyncClient, auth_headers: AuthHeaders
) -> None:
    account = await make_user(role=Role.practitioner)
    herself = await make_practitioner("Camille", [], user_id=account.id)
    other = await make_practitioner("Léa", [])
    tokens = await login(client, account.email)
    headers = {"Authorization": f"Bearer {tokens['access_token']}"}

    own = await client.put(
        f"/api/v1/practitioners/{herself}/working-hours", json=WEEK, headers=headers
    )
    theirs = await client.put(
        f"/api/v1/practitioners/{other}/working-hours", json=WEEK, headers=headers
    )
    receptionist = await client.put(
        f"/api/v1/practitioners/{other}/working-hours",
        json=WEEK,
        headers=await auth_headers(Role.receptionist),
    )

    assert own.status_code == 200
    assert theirs.status_code == 403
    assert receptionist.status_code == 403


async def test_absences_need_offsets_and_can_be_removed(
    client: AsyncClient, auth_headers: AuthHeaders
) -> None:
    headers = await auth_headers(Role.receptionist)
    camille = await make_practitioner("Camille", [])
    url = f"/api/v1/practitioners/{camille}/absences"

    naive = await client.post(
        url, json={"start": "2027-07-05T00:00:00", "end": "2027-07-19T00:00:00"}, headers=headers
    )
    made = await client.post(
        url,
        json={
            "start": "2027-07-05T00:00:00+02:00",
            "end": "2027-07-19T00:00:00+02:00",
            "reason": "Congés",
        },
        headers=headers,
    )
    listed = await client.get(url, params={"date_from": "2027-07-01"}, headers=headers)
    removed = await client.delete(f"{url}/{made.json()['id']}", headers=headers)

    assert naive.status_code == 422
    assert made.status_code == 201
    assert made.json()["start"] == "2027-07-05T00:00:00+02:00"
    assert [a["id"] for a in listed.json()["items"]] == [made.json()["id"]]
    assert removed.status_code == 204


async def test_resources_have_unique_names(client: AsyncClient, auth_headers: AuthHeaders) -> None:
    headers = await auth_headers(Role.manager)
    first = await client.post("/api/v1/resources", json={"name": "Hammam"}, headers=headers)
    again = await client.post("/api/v1/resources", json={"name": "Hammam"}, headers=headers)
    listed: Any = await client.get("/api/v1/resources", headers=headers)

    assert first.status_code == 201
    assert again.json()["code"] == "resource_name_taken"
    assert [r["name"] for r in listed.json()["items"]] == ["Hammam"]
