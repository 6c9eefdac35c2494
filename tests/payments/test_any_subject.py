"""Payments for any subject (`app/core/payables.py`): the same routes and functions pay a
booking or a gift card being bought, by card reader, in cash, with another gift card, split
across several tenders, and refund it; tips go to whoever served a subject that has
practitioners; one balance answers for any subject; an unknown kind is a clear error."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlparse

import pytest
from httpx import AsyncClient
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.auth.models import Role
from app.core import clock
from app.payments.models import Payment, Tip
from tests.bookings.salon import book_by_staff, facial_with_camille, paris
from tests.builders import AuthHeaders
from tests.payments.helpers import count

NINE = "2027-03-22T09:00:00+01:00"


@pytest.fixture(autouse=True)
def _on_the_day() -> None:
    clock.pin(paris(2027, 3, 15, 8))


@pytest.fixture
async def desk(auth_headers: AuthHeaders) -> dict[str, str]:
    return await auth_headers(Role.manager)


async def in_person(client: AsyncClient, desk: dict[str, str], **body: Any) -> Any:
    return await client.post("/api/v1/payments/in-person", json=body, headers=desk)


async def subject_balance(
    client: AsyncClient, desk: dict[str, str], kind: str, subject_id: str
) -> dict[str, Any]:
    answer = await client.get(
        "/api/v1/payments/balance",
        params={"subject_kind": kind, "subject_id": subject_id},
        headers=desk,
    )
    assert answer.status_code == 200, answer.text
    return dict(answer.json())


async def test_a_booking_named_as_a_subject_takes_a_tip_for_whoever_served(
    client: AsyncClient, session: AsyncSession, desk: dict[str, str]
) -> None:
    facial, camille = await facial_with_camille()
    booking = await book_by_staff(client, desk, [facial], NINE)

    taken = await in_person(
        client,
        desk,
        subject_kind="booking",
        subject_id=booking["id"],
        method="cash",
        tip_cents=700,
    )

    assert taken.status_code == 201, taken.text
    assert (taken.json()["amount_cents"], taken.json()["tip_cents"]) == (6000, 700)
    assert (taken.json()["subject_kind"], taken.json()["booking_id"]) == ("booking", booking["id"])
    tips = (await session.scalars(select(Tip))).all()
    assert [(t.practitioner_id, t.amount_cents) for t in tips] == [(camille, 700)]
    generic = await subject_balance(client, desk, "booking", booking["id"])
    legacy = await client.get(f"/api/v1/bookings/{booking['id']}/balance", headers=desk)
    assert {k: v for k, v in generic.items() if k.endswith("_cents")} == {
        k: v for k, v in legacy.json().items() if k.endswith("_cents")
    }
    assert (generic["paid_cents"], generic["due_cents"], generic["tips_cents"]) == (6000, 0, 700)


async def test_the_subject_is_named_one_way_only(
    client: AsyncClient, session: AsyncSession, desk: dict[str, str]
) -> None:
    facial, _ = await facial_with_camille()
    booking = await book_by_staff(client, desk, [facial], NINE)

    both = await in_person(
        client, desk, booking_id=booking["id"], subject_id=booking["id"], method="cash"
    )
    neither = await in_person(client, desk, method="cash")
    mixed = await in_person(
        client, desk, booking_id=booking["id"], subject_kind="gift_card", method="cash"
    )

    assert [r.status_code for r in (both, neither, mixed)] == [422, 422, 422]
    assert {r.json()["code"] for r in (both, neither, mixed)} == {"validation_error"}
    assert await count(session, Payment) == 0


async def test_an_unknown_subject_kind_is_a_problem_and_changes_nothing(
    client: AsyncClient, session: AsyncSession, desk: dict[str, str]
) -> None:
    facial, _ = await facial_with_camille()
    booking = await book_by_staff(client, desk, [facial], NINE)

    taken = await in_person(
        client, desk, subject_kind="spaceship", subject_id=booking["id"], method="cash"
    )
    balance = await client.get(
        "/api/v1/payments/balance",
        params={"subject_kind": "spaceship", "subject_id": booking["id"]},
        headers=desk,
    )

    for answer in (taken, balance):
        assert answer.status_code == 422
        assert answer.headers["content-type"] == "application/problem+json"
        assert answer.json()["code"] == "unknown_subject_kind"
        assert answer.json()["subject_kind"] == "spaceship"
    assert await count(session, Payment) == 0


def _reader_callback(url: str) -> str:
    parsed = urlparse(url)
    return f"{parsed.path}?{parsed.query}"
