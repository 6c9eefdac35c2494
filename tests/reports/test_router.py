"""Who may read the reports (managers and owners), and the ranges they refuse."""

from __future__ import annotations

import pytest
from httpx import AsyncClient

from app.auth.models import Role
from tests.builders import AuthHeaders

REPORTS = [
    "/api/v1/reports/sales",
    "/api/v1/reports/best-sellers",
    "/api/v1/reports/stock-movements",
    "/api/v1/reports/cash-differences",
]
RANGE = {"date_from": "2026-12-01", "date_to": "2026-12-31"}


@pytest.mark.parametrize("path", REPORTS)
async def test_only_managers_and_owners_read_the_reports(
    client: AsyncClient, auth_headers: AuthHeaders, path: str
) -> None:
    answers = {
        role: await client.get(path, params=RANGE, headers=await auth_headers(role))
        for role in (Role.owner, Role.manager, Role.receptionist, Role.practitioner)
    }
    anonymous = await client.get(path, params=RANGE)

    assert answers[Role.owner].status_code == answers[Role.manager].status_code == 200
    assert answers[Role.receptionist].status_code == 403
    assert answers[Role.practitioner].status_code == 403
    assert answers[Role.practitioner].json()["code"] == "insufficient_role"
    assert anonymous.status_code == 401


@pytest.mark.parametrize("path", REPORTS)
@pytest.mark.parametrize(
    ("date_from", "date_to", "code"),
    [
        ("2026-12-02", "2026-12-01", "report_range_reversed"),
        ("2026-01-01", "2027-01-02", "report_range_too_long"),  # 367 days
    ],
)
async def test_a_reversed_or_too_long_range_is_refused(
    client: AsyncClient,
    auth_headers: AuthHeaders,
    path: str,
    date_from: str,
    date_to: str,
    code: str,
) -> None:
    manager = await auth_headers(Role.manager)
    answer = await client.get(
        path, params={"date_from": date_from, "date_to": date_to}, headers=manager
    )

    assert answer.status_code == 422, answer.text
    assert answer.headers["content-type"] == "application/problem+json"
    assert answer.json()["code"] == code


async def test_a_leap_year_of_366_days_is_one_report(
    client: AsyncClient, auth_headers: AuthHeaders
) -> None:
    manager = await auth_headers(Role.manager)
    answer = await client.get(
        "/api/v1/reports/sales",
        params={"date_from": "2028-01-01", "date_to": "2028-12-31"},
        headers=manager,
    )

    assert answer.status_code == 200, answer.text


@pytest.mark.parametrize(
    "params",
    [
        {"group_by": "client"},
        {"date_from": "01/12/2026"},
        {"date_to": None},
    ],
)
async def test_a_malformed_sales_query_is_a_validation_error(
    client: AsyncClient, auth_headers: AuthHeaders, params: dict[str, str | None]
) -> None:
    manager = await auth_headers(Role.manager)
    query = {k: v for k, v in (RANGE | params).items() if v is not None}
    answer = await client.get("/api/v1/reports/sales", params=query, headers=manager)

    assert answer.status_code == 422, answer.text
    assert answer.json()["code"] == "validation_error"


@pytest.mark.parametrize(("limit", "status"), [(0, 422), (1, 200), (100, 200), (101, 422)])
async def test_best_sellers_take_a_limit_of_one_to_a_hundred(
    client: AsyncClient, auth_headers: AuthHeaders, limit: int, status: int
) -> None:
    manager = await auth_headers(Role.manager)
    answer = await client.get(
        "/api/v1/reports/best-sellers", params=RANGE | {"limit": limit}, headers=manager
    )

    assert answer.status_code == status, answer.text
