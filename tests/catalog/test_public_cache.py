"""The public catalog reads (services, categories, practitioners, opening hours) answer from a
cached body with a strong ETag, `304 Not Modified` on `If-None-Match`, and a new body and
ETag after any staff edit. They commit for real: the versions move only at commit."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator
from typing import Any
from uuid import UUID

import pytest
from httpx import AsyncClient
from pydantic import TypeAdapter

from app.auth.public import Role
from app.availability import schedule_config
from app.catalog.schemas import CategoryOut, ServiceOut
from app.core import cache
from app.core.config import get_settings
from app.core.pagination import Page
from app.core.weekly import WeeklyInterval
from app.practitioners.schemas import PractitionerPublicOut
from tests.bookings.salon import make_practitioner, make_service, open_salon
from tests.factories.auth import AuthHeaders
from tests.query_budget import counting

pytestmark = pytest.mark.commits


@pytest.fixture(params=["memory", "redis"])
def store(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    if request.param == "redis" and not get_settings().redis.url:
        pytest.skip("no Redis answers on this machine")
    monkeypatch.setenv("CACHE_BACKEND", request.param)
    get_settings.cache_clear()
    cache.memory_store.clear()
    schedule_config.forget()
    yield request.param
    monkeypatch.undo()
    get_settings.cache_clear()


Edit = Callable[[AsyncClient, dict[str, str], dict[str, UUID]], Awaitable[None]]


async def _rename_service(http: AsyncClient, headers: dict[str, str], ids: dict[str, UUID]) -> None:
    response = await http.patch(
        f"/api/v1/services/{ids['service']}", json={"name": "Massage aux pierres"}, headers=headers
    )
    assert response.status_code == 200, response.text


async def _add_category(http: AsyncClient, headers: dict[str, str], _: dict[str, UUID]) -> None:
    response = await http.post(
        "/api/v1/service-categories", json={"name": "Soins du corps"}, headers=headers
    )
    assert response.status_code == 201, response.text


async def _rename_practitioner(
    http: AsyncClient, headers: dict[str, str], ids: dict[str, UUID]
) -> None:
    response = await http.patch(
        f"/api/v1/practitioners/{ids['camille']}",
        json={"bio": "Vingt ans de métier"},
        headers=headers,
    )
    assert response.status_code == 200, response.text


async def _new_hours(http: AsyncClient, headers: dict[str, str], _: dict[str, UUID]) -> None:
    week = [{"weekday": d, "start": "10:00", "end": "19:00"} for d in range(6)]
    response = await http.put("/api/v1/availability/opening-hours", json=week, headers=headers)
    assert response.status_code == 200, response.text


ROUTES: dict[str, tuple[Edit, Any, str]] = {
    "/api/v1/services": (_rename_service, Page[ServiceOut], "Massage aux pierres"),
    "/api/v1/service-categories": (_add_category, Page[CategoryOut], "Soins du corps"),
    "/api/v1/practitioners": (
        _rename_practitioner,
        Page[PractitionerPublicOut],
        "Vingt ans de métier",
    ),
    "/api/v1/availability/opening-hours": (_new_hours, Page[WeeklyInterval], "19:00"),
    "/api/v1/services/{service}": (_rename_service, ServiceOut, "Massage aux pierres"),
    "/api/v1/practitioners/{camille}": (
        _rename_practitioner,
        PractitionerPublicOut,
        "Vingt ans de métier",
    ),
}


@pytest.fixture
async def catalog(store: str) -> dict[str, UUID]:
    await open_salon()
    massage = await make_service("Massage", minutes=60)
    return {"service": massage, "camille": await make_practitioner("Camille", [massage])}


@pytest.mark.parametrize("path", list(ROUTES))
async def test_a_repeated_read_answers_304_and_an_edit_a_new_body(
    client: AsyncClient, auth_headers: AuthHeaders, catalog: dict[str, UUID], path: str
) -> None:
    edit, model, edited = ROUTES[path]
    path = path.format(**catalog)
    first = await client.get(path)
    assert first.status_code == 200
    etag = first.headers["etag"]
    assert etag.startswith('"')  # strong
    assert first.headers["cache-control"] == "public, max-age=10, must-revalidate"
    model.model_validate_json(first.content)  # the route's response model

    with counting() as statements:
        again = await client.get(path, headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.content == b""
    assert again.headers["etag"] == etag
    assert statements.count == 1, statements  # the versions, nothing else

    await edit(client, await auth_headers(Role.manager), catalog)

    after = await client.get(path, headers={"If-None-Match": etag})
    assert after.status_code == 200
    assert after.headers["etag"] != etag
    assert edited in after.text
    model.model_validate_json(after.content)


@pytest.mark.parametrize("path", list(ROUTES))
async def test_the_cached_body_is_the_json_the_route_answered_before(
    client: AsyncClient,
    catalog: dict[str, UUID],
    monkeypatch: pytest.MonkeyPatch,
    path: str,
) -> None:
    _, model, _ = ROUTES[path]
    path = path.format(**catalog)
    await client.get(path)
    cached = await client.get(path)
    monkeypatch.setenv("CACHE_BACKEND", "off")
    get_settings.cache_clear()
    computed = await client.get(path)

    assert cached.content == computed.content
    adapter: TypeAdapter[Any] = TypeAdapter(model)
    assert cached.json() == adapter.dump_python(
        adapter.validate_json(computed.content), mode="json"
    )


async def test_staff_see_their_own_view_uncached(
    client: AsyncClient, auth_headers: AuthHeaders, catalog: dict[str, UUID]
) -> None:
    headers = await auth_headers(Role.manager)
    public = await client.get("/api/v1/practitioners")
    staff = await client.get("/api/v1/practitioners", headers=headers)

    assert staff.headers["cache-control"] == "private"
    assert "etag" not in staff.headers
    assert staff.json() != public.json()


async def test_a_service_the_public_may_not_see_is_not_found_from_the_cache_either(
    client: AsyncClient, auth_headers: AuthHeaders, catalog: dict[str, UUID]
) -> None:
    path = f"/api/v1/services/{catalog['service']}"
    assert (await client.get(path)).status_code == 200
    headers = await auth_headers(Role.manager)
    retired = await client.delete(path, headers=headers)
    assert retired.status_code == 204

    assert (await client.get(path)).status_code == 404
    staff = await client.get(path, headers=headers)
    assert staff.status_code == 200
    assert staff.json()["is_active"] is False
