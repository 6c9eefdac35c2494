from __future__ import annotations

import json
from datetime import timedelta

from httpx import AsyncClient
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.auth.models import User
from app.core import clock
from app.core.db import unit_of_work
from app.core.idempotency import IdempotencyKey

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
