from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
from httpx import AsyncClient
from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from app.auth.models import Role, User
from app.core import clock
from app.core.db import unit_of_work
from app.core.idempotency import IdempotencyKey
from app.giftcards.models import GiftCard
from app.payments.models import Payment
from tests.bookings.salon import book_by_staff, facial_with_camille, paris
from tests.builders import AuthHeaders, login, make_user

SIGNUP = {
    "email": "idem@example.fr",
    "password": "une-phrase-secrete",
    "first_name": "Inès",
    "last_name": "Durand",
}


async def _users(session: AsyncSession) -> int:
    return int(await session.scalar(select(func.count()).select_from(User)) or 0)


async def test_same_key_and_body_replays_the_first_answer(
    client: AsyncClient, session: AsyncSession
) -> None:
    headers = {"Idempotency-Key": "3b1e0a57-signup"}

    first = await client.post("/api/v1/auth/signup", json=SIGNUP, headers=headers)
    second = await client.post("/api/v1/auth/signup", json=SIGNUP, headers=headers)

    assert first.status_code == second.status_code == 201
    assert second.json() == first.json()
    assert second.headers["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first.headers
    assert await _users(session) == 1


async def test_same_key_with_another_body_is_refused(
    client: AsyncClient, session: AsyncSession
) -> None:
    headers = {"Idempotency-Key": "key-1"}
    await client.post("/api/v1/auth/signup", json=SIGNUP, headers=headers)

    other = await client.post(
        "/api/v1/auth/signup", json=SIGNUP | {"email": "other@example.fr"}, headers=headers
    )

    assert other.status_code == 422
    assert other.json()["code"] == "idempotency_key_reused"
    assert await _users(session) == 1


async def test_keys_are_scoped_per_caller(client: AsyncClient) -> None:
    first = await client.post("/api/v1/auth/signup", json=SIGNUP, headers={"Idempotency-Key": "k"})
    other_caller = await client.post(
        "/api/v1/auth/signup",
        json=SIGNUP,
        headers={"Idempotency-Key": "k", "Authorization": "Bearer someone-else"},
    )
    assert first.status_code == 201
    # Not a replay: the request ran again and made a second account waiting on the address.
    assert other_caller.status_code == 201
    assert other_caller.json()["user"]["id"] != first.json()["user"]["id"]


async def test_error_answers_are_replayed_too(client: AsyncClient) -> None:
    headers = {"Idempotency-Key": "bad-body"}
    first = await client.post("/api/v1/auth/signup", json={"email": "x"}, headers=headers)
    second = await client.post("/api/v1/auth/signup", json={"email": "x"}, headers=headers)
    assert first.status_code == second.status_code == 422
    assert second.headers["content-type"] == "application/problem+json"
    assert second.json() == first.json()


async def test_an_oversized_key_is_a_400(client: AsyncClient) -> None:
    response = await client.post(
        "/api/v1/auth/signup", json=SIGNUP, headers={"Idempotency-Key": "k" * 201}
    )
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_idempotency_key"


async def _claim_by_a_first_request(key: str, body: bytes, *, age: timedelta) -> None:
    """What a first request leaves while it runs (or after its process died)."""
    from app.core.idempotency import _sha256

    now = clock.utcnow()
    async with unit_of_work() as tx:
        tx.add(
            IdempotencyKey(
                scope=_sha256(b""),
                key=key,
                request_hash=_sha256(b"/api/v1/auth/signup", b"", body),
                locked_at=now - age,
                created_at=now - age,
                expires_at=now + timedelta(hours=1),
            )
        )


async def test_a_retry_while_the_first_request_runs_is_told_to_wait(
    client: AsyncClient, session: AsyncSession
) -> None:
    body = json.dumps(SIGNUP).encode()
    await _claim_by_a_first_request("busy-key", body, age=timedelta(seconds=5))

    response = await client.post(
        "/api/v1/auth/signup",
        content=body,
        headers={"Idempotency-Key": "busy-key", "Content-Type": "application/json"},
    )

    assert response.status_code == 409
    assert response.json()["code"] == "idempotency_in_progress"
    assert await _users(session) == 0


async def test_a_key_left_behind_by_a_dead_request_can_be_retried(
    client: AsyncClient, session: AsyncSession
) -> None:
    body = json.dumps(SIGNUP).encode()
    await _claim_by_a_first_request("dead-key", body, age=timedelta(minutes=5))

    response = await client.post(
        "/api/v1/auth/signup",
        content=body,
        headers={"Idempotency-Key": "dead-key", "Content-Type": "application/json"},
    )

    assert response.status_code == 201
    assert await _users(session) == 1


# --- the caller, not her token; the answer committed with the effect ---------------------

NINE = "2027-03-22T09:00:00+01:00"


async def _till(client: AsyncClient) -> tuple[dict[str, str], str, dict[str, str]]:
    """A manager logged in, a 60 € visit to cash, and her refresh token."""
    clock.pin(paris(2027, 3, 15, 8))
    manager = await make_user(role=Role.manager)
    tokens = await login(client, manager.email)
    headers = {"Authorization": f"Bearer {tokens['access_token']}"}
    facial, _ = await facial_with_camille()
    booking = await book_by_staff(client, headers, [facial], NINE)
    return headers, str(booking["id"]), {"refresh_token": tokens["refresh_token"]}


async def _payments(session: AsyncSession, booking_id: str) -> int:
    return int(
        await session.scalar(
            select(func.count()).select_from(Payment).where(Payment.booking_id == booking_id)
        )
        or 0
    )


async def test_a_payment_retried_with_a_refreshed_token_answers_the_first_and_pays_once(
    client: AsyncClient, session: AsyncSession
) -> None:
    headers, booking_id, refresh = await _till(client)
    cash = {"booking_id": booking_id, "method": "cash", "amount_cents": 2000}
    key = {"Idempotency-Key": "till-42"}

    first = await client.post("/api/v1/payments/in-person", json=cash, headers=headers | key)
    renewed = (await client.post("/api/v1/auth/refresh", json=refresh)).json()
    refreshed = {"Authorization": f"Bearer {renewed['access_token']}"}
    assert refreshed != headers
    retry = await client.post("/api/v1/payments/in-person", json=cash, headers=refreshed | key)

    assert first.status_code == retry.status_code == 201, first.text
    assert retry.json() == first.json()
    assert retry.headers["Idempotent-Replayed"] == "true"
    assert await _payments(session, booking_id) == 1


async def test_a_desk_gift_card_sale_retried_after_a_new_login_sells_one_card(
    client: AsyncClient, session: AsyncSession, auth_headers: AuthHeaders
) -> None:
    clock.pin(paris(2027, 3, 15, 8))
    seller = await make_user(role=Role.receptionist)
    sale = {
        "amount_cents": 5000,
        "buyer": {"name": "Inès Martin"},
        "recipient_name": "Léa",
        "method": "cash",
    }
    key = {"Idempotency-Key": "desk-card-7"}
    answers = []
    for _ in range(2):  # the till logs in again between the two tries
        token = (await login(client, seller.email))["access_token"]
        answers.append(
            await client.post(
                "/api/v1/gift-cards/in-salon",
                json=sale,
                headers={"Authorization": f"Bearer {token}"} | key,
            )
        )
    colleague = await auth_headers(Role.receptionist)
    theirs = await client.post("/api/v1/gift-cards/in-salon", json=sale, headers=colleague | key)

    assert answers[0].status_code == answers[1].status_code == 201, answers[0].text
    assert answers[1].json() == answers[0].json()  # the code, shown again to the same seller
    assert "Idempotent-Replayed" not in theirs.headers  # another caller never sees it
    assert theirs.json()["code"] != answers[0].json()["code"]
    assert int(await session.scalar(select(func.count()).select_from(GiftCard)) or 0) == 2
    stored = list(await session.scalars(select(IdempotencyKey.response_body)))
    assert stored
    assert not any(answers[0].json()["code"] in (body or "") for body in stored)


@pytest.fixture
async def answers_cannot_be_stored() -> AsyncIterator[None]:
    """A database that refuses to keep an answer, as a process dying right after the
    effect would lose it."""
    async with unit_of_work() as tx:
        await tx.execute(
            text(
                "CREATE FUNCTION refuse_answer() RETURNS trigger LANGUAGE plpgsql AS "
                "$$ BEGIN RAISE EXCEPTION 'the answer is lost'; END $$"
            )
        )
        await tx.execute(
            text(
                "CREATE TRIGGER refuse_answer BEFORE UPDATE ON idempotency_keys FOR EACH ROW "
                "WHEN (NEW.response_status IS NOT NULL) EXECUTE FUNCTION refuse_answer()"
            )
        )
    try:
        yield
    finally:
        await _stop_refusing()


async def _stop_refusing() -> None:
    async with unit_of_work() as tx:
        await tx.execute(text("DROP TRIGGER IF EXISTS refuse_answer ON idempotency_keys"))
        await tx.execute(text("DROP FUNCTION IF EXISTS refuse_answer()"))


async def test_an_answer_that_cannot_be_kept_undoes_its_payment_so_the_retry_pays_once(
    client: AsyncClient, session: AsyncSession, answers_cannot_be_stored: None
) -> None:
    headers, booking_id, _ = await _till(client)
    cash = {"booking_id": booking_id, "method": "cash", "amount_cents": 2000}
    key = {"Idempotency-Key": "till-crash"}

    lost = await client.post("/api/v1/payments/in-person", json=cash, headers=headers | key)
    assert lost.status_code == 500
    assert await _payments(session, booking_id) == 0  # no answer kept, so no effect either
    assert await session.scalar(select(func.count()).select_from(IdempotencyKey)) == 0
    await session.commit()  # let go of the table, so the trigger can be dropped

    await _stop_refusing()
    clock.travel(timedelta(minutes=3))  # past the stale-takeover delay
    retry = await client.post("/api/v1/payments/in-person", json=cash, headers=headers | key)
    again = await client.post("/api/v1/payments/in-person", json=cash, headers=headers | key)

    assert retry.status_code == again.status_code == 201, retry.text
    assert again.headers["Idempotent-Replayed"] == "true"
    assert await _payments(session, booking_id) == 1
    [row] = (await session.scalars(select(IdempotencyKey))).all()
    assert row.response_status == 201  # a kept answer, and its payment exists


async def test_an_answer_sealed_under_a_rotated_key_is_never_run_again(
    client: AsyncClient, session: AsyncSession, monkeypatch: pytest.MonkeyPatch
) -> None:
    from app.core.config import get_settings

    headers = {"Idempotency-Key": "before-rotation"}
    first = await client.post("/api/v1/auth/signup", json=SIGNUP, headers=headers)
    monkeypatch.setenv("SECURITY_SECRET_KEY", "a-new-key-after-rotation-" + "x" * 40)
    get_settings.cache_clear()
    try:
        retry = await client.post("/api/v1/auth/signup", json=SIGNUP, headers=headers)
    finally:
        monkeypatch.undo()
        get_settings.cache_clear()

    assert first.status_code == 201
    assert (retry.status_code, retry.json()["code"]) == (409, "idempotency_answer_unreadable")
    assert await _users(session) == 1
