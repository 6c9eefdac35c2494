from __future__ import annotations

from typing import Any

import pytest
from httpx import AsyncClient

from app.auth.models import Role
from tests.bookings.salon import make_resource
from tests.builders import AuthHeaders

FACIAL = {
    "name": "Soin éclat du visage",
    "duration_minutes": 60,
    "price_cents": 6500,
    "vat_rate": "20",
    "buffer_after_minutes": 10,
    "deposit_kind": "percent",
    "deposit_percent": "30",
}


async def create(client: AsyncClient, headers: dict[str, str], **fields: Any) -> Any:
    response = await client.post("/api/v1/services", json=FACIAL | fields, headers=headers)
    assert response.status_code == 201, response.text
    return response.json()


async def test_a_manager_creates_a_service_the_public_then_sees(
    client: AsyncClient, auth_headers: AuthHeaders
) -> None:
    headers = await auth_headers(Role.manager)
    category = await client.post(
        "/api/v1/service-categories", json={"name": "Soins du visage"}, headers=headers
    )
    room = await make_resource("Cabine 1")

    created = await create(
        client, headers, category_id=category.json()["id"], resource_ids=[str(room)]
    )
    listed = await client.get("/api/v1/services")

    assert created["vat_rate"] == "20.00"
    assert created["deposit_cents"] == 1950
    assert created["category"] == {"id": category.json()["id"], "name": "Soins du visage"}
    assert created["resource_ids"] == [str(room)]
    assert [s["name"] for s in listed.json()["items"]] == ["Soin éclat du visage"]


async def test_the_public_never_sees_retired_or_offline_services(
    client: AsyncClient, auth_headers: AuthHeaders
) -> None:
    headers = await auth_headers(Role.owner)
    retired = await create(client, headers, name="Ancien soin")
    offline = await create(client, headers, name="Sur rendez-vous", online_bookable=False)
    await client.delete(f"/api/v1/services/{retired['id']}", headers=headers)

    public = await client.get("/api/v1/services")
    staff = await client.get("/api/v1/services?include_inactive=true", headers=headers)
    hidden = await client.get(f"/api/v1/services/{offline['id']}")

    assert public.json()["items"] == []
    assert {s["name"] for s in staff.json()["items"]} == {"Ancien soin", "Sur rendez-vous"}
    assert hidden.status_code == 404


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"vat_rate": "19.6"}, "body.vat_rate"),
        ({"duration_minutes": 0}, "body.duration_minutes"),
        ({"buffer_after_minutes": -5}, "body.buffer_after_minutes"),
        ({"deposit_kind": "none", "deposit_percent": "30"}, "body"),
        ({"processing_offset_minutes": 30, "processing_minutes": 40}, "body"),
    ],
)
async def test_bad_services_are_refused_with_the_field_named(
    client: AsyncClient, auth_headers: AuthHeaders, fields: dict[str, Any], field: str
) -> None:
    response = await client.post(
        "/api/v1/services", json=FACIAL | fields, headers=await auth_headers(Role.manager)
    )

    assert response.status_code == 422
    assert response.json()["code"] == "validation_error"
    assert field in {e["field"] for e in response.json()["errors"]}


async def test_an_update_is_checked_against_the_whole_service(
    client: AsyncClient, auth_headers: AuthHeaders
) -> None:
    headers = await auth_headers(Role.manager)
    service = await create(client, headers, processing_offset_minutes=20, processing_minutes=20)

    shorter = await client.patch(
        f"/api/v1/services/{service['id']}", json={"duration_minutes": 30}, headers=headers
    )

    assert shorter.status_code == 422
    after = await client.get(f"/api/v1/services/{service['id']}")
    assert after.json()["duration_minutes"] == 60


async def test_unknown_resources_and_prerequisites_are_refused(
    client: AsyncClient, auth_headers: AuthHeaders
) -> None:
    headers = await auth_headers(Role.manager)
    ghost = "00000000-0000-0000-0000-000000000001"

    no_room = await client.post(
        "/api/v1/services", json=FACIAL | {"resource_ids": [ghost]}, headers=headers
    )
    no_test = await client.post(
        "/api/v1/services",
        json=FACIAL | {"prerequisites": [{"required_service_id": ghost, "within_days": 30}]},
        headers=headers,
    )

    assert no_room.json()["code"] == "unknown_resource"
    assert no_test.json()["code"] == "unknown_service"


async def test_a_prerequisite_is_stored_with_the_service(
    client: AsyncClient, auth_headers: AuthHeaders
) -> None:
    headers = await auth_headers(Role.manager)
    patch = await create(
        client,
        headers,
        name="Test d'allergie",
        duration_minutes=15,
        deposit_kind="none",
        deposit_percent=None,
    )
    lift = await create(
        client,
        headers,
        name="Rehaussement de cils",
        prerequisites=[
            {"required_service_id": patch["id"], "within_days": 30, "min_days_before": 2}
        ],
    )

    assert lift["prerequisites"] == [
        {
            "required_service_id": patch["id"],
            "within_days": 30,
            "min_days_before": 2,
            "first_time_only": True,
        }
    ]


async def test_staff_below_manager_cannot_change_the_catalog(
    client: AsyncClient, auth_headers: AuthHeaders
) -> None:
    anonymous = await client.post("/api/v1/services", json=FACIAL)
    receptionist = await client.post(
        "/api/v1/services", json=FACIAL, headers=await auth_headers(Role.receptionist)
    )
    assert anonymous.status_code == 401
    assert receptionist.status_code == 403


async def test_category_and_sku_names_are_unique(
    client: AsyncClient, auth_headers: AuthHeaders
) -> None:
    headers = await auth_headers(Role.manager)
    await client.post("/api/v1/service-categories", json={"name": "Regard"}, headers=headers)
    again = await client.post(
        "/api/v1/service-categories", json={"name": "Regard"}, headers=headers
    )
    product = {"name": "Crème", "sku": "SER-1", "price_cents": 3200, "vat_rate": "20"}
    await client.post("/api/v1/products", json=product, headers=headers)
    same_sku = await client.post("/api/v1/products", json=product, headers=headers)

    assert again.json()["code"] == "category_name_taken"
    assert same_sku.json()["code"] == "sku_taken"
    assert len((await client.get("/api/v1/products")).json()["items"]) == 1


@pytest.mark.parametrize(
    "field", ["name", "duration_minutes", "price_cents", "vat_rate", "is_active", "deposit_kind"]
)
async def test_a_service_field_that_cannot_be_empty_refuses_an_explicit_null(
    client: AsyncClient, auth_headers: AuthHeaders, field: str
) -> None:
    headers = await auth_headers(Role.manager)
    url = f"/api/v1/services/{(await create(client, headers))['id']}"
    before = (await client.get(url, headers=headers)).json()

    answer = await client.patch(url, json={field: None}, headers=headers)

    assert answer.status_code == 422, answer.text
    assert answer.json()["code"] == "validation_error"
    assert [e["field"] for e in answer.json()["errors"]] == [f"body.{field}"]
    assert (await client.get(url, headers=headers)).json() == before


async def test_null_clears_a_service_description_and_category(
    client: AsyncClient, auth_headers: AuthHeaders
) -> None:
    headers = await auth_headers(Role.manager)
    category = await client.post(
        "/api/v1/service-categories", json={"name": "Visage"}, headers=headers
    )
    service = await create(
        client, headers, description="Un soin", category_id=category.json()["id"]
    )

    answer = await client.patch(
        f"/api/v1/services/{service['id']}",
        json={"description": None, "category_id": None},
        headers=headers,
    )

    assert answer.status_code == 200, answer.text
    assert (answer.json()["description"], answer.json()["category"]) == (None, None)


@pytest.mark.parametrize(
    ("path", "field"),
    [
        ("/api/v1/products/{}", "name"),
        ("/api/v1/products/{}", "price_cents"),
        ("/api/v1/service-categories/{}", "name"),
        ("/api/v1/service-categories/{}", "display_order"),
    ],
)
async def test_products_and_categories_refuse_null_where_a_value_is_needed(
    client: AsyncClient, auth_headers: AuthHeaders, path: str, field: str
) -> None:
    headers = await auth_headers(Role.manager)
    product = await client.post(
        "/api/v1/products", json={"name": "Crème", "price_cents": 2500}, headers=headers
    )
    category = await client.post(
        "/api/v1/service-categories", json={"name": "Visage"}, headers=headers
    )
    row = product if "products" in path else category

    answer = await client.patch(path.format(row.json()["id"]), json={field: None}, headers=headers)

    assert answer.status_code == 422, answer.text
    assert [e["field"] for e in answer.json()["errors"]] == [f"body.{field}"]
