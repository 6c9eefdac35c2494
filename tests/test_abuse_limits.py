"""Abuse limits on the public flows, through HTTP, with Redis (and once in memory): per client
address (read from X-Forwarded-For only behind a trusted proxy) and per contact."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
from httpx import ASGITransport, AsyncClient

from app.auth.models import Role
from app.core import clock
from tests.bookings.salon import make_practitioner, make_service, open_salon, paris
from tests.builders import AuthHeaders, settings_changed

MONDAY_NINE = paris(2027, 3, 22, 9)


@pytest.fixture(autouse=True)
def _a_week_before() -> None:
    clock.pin(paris(2027, 3, 15, 8))


@asynccontextmanager
async def peer(address: str) -> AsyncIterator[AsyncClient]:
    """A client whose TCP peer is `address` (a visitor, or the proxy in front of the API)."""
    from app.main import app

    transport = ASGITransport(app=app, raise_app_exceptions=False, client=(address, 40000))
    async with AsyncClient(transport=transport, base_url="http://testserver") as http:
        yield http


@pytest.fixture
async def facial() -> UUID:
    """A 15-minute service with one practitioner free 9:00-19:00: 40 slots on Monday."""
    await open_salon()
    service = await make_service("Soin express", minutes=15)
    await make_practitioner("Camille", [service], hours=[("09:00", "19:00")])
    return service


def _slot(n: int) -> str:
    return (MONDAY_NINE + timedelta(minutes=15 * n)).isoformat()


async def _book(
    http: AsyncClient, service: UUID, n: int, *, email: str | None = None, **headers: str
) -> Any:
    return await http.post(
        "/api/v1/bookings",
        json={
            "service_ids": [str(service)],
            "start": _slot(n),
            "client": {
                "first_name": "Visiteuse",
                "last_name": str(n),
                "email": email or f"v{n}@example.fr",
                "phone": f"06 12 34 {n // 10 % 10}{n % 10} 00",
            },
        },
        headers=headers,
    )


def _statuses(responses: list[Any]) -> list[int]:
    return [r.status_code for r in responses]


async def test_30_rapid_bookings_from_one_address_are_limited(
    client: AsyncClient, facial: UUID
) -> None:
    answers = [await _book(client, facial, n) for n in range(30)]

    assert _statuses(answers) == [201] * 20 + [429] * 10
    refused = answers[-1]
    assert refused.json()["code"] == "rate_limited"
    assert int(refused.headers["Retry-After"]) > 0
    assert refused.headers["content-type"].startswith("application/problem+json")


async def test_30_visitors_from_30_addresses_through_the_trusted_proxy_are_not(
    facial: UUID,
) -> None:
    # The public site's server (or the reverse proxy) calls from loopback, trusted by default.
    async with peer("127.0.0.1") as site:
        answers = [
            await _book(site, facial, n, **{"X-Forwarded-For": f"203.0.113.{n + 1}"})
            for n in range(30)
        ]

    assert _statuses(answers) == [201] * 30


async def test_a_forged_forwarded_for_from_an_untrusted_address_changes_nothing(
    client: AsyncClient, facial: UUID
) -> None:
    # The test client's peer, 10.1.2.3, is no trusted proxy: its header is ignored.
    answers = [
        await _book(client, facial, n, **{"X-Forwarded-For": f"198.51.100.{n + 1}"})
        for n in range(30)
    ]

    assert _statuses(answers) == [201] * 20 + [429] * 10


async def test_a_proxy_chain_is_read_from_the_right_up_to_the_first_untrusted_hop(
    facial: UUID,
) -> None:
    # The visitor forges a first entry; the trusted proxy appends the address it saw.
    async with peer("127.0.0.1") as proxy:
        answers = [
            await _book(proxy, facial, n, **{"X-Forwarded-For": f"198.51.100.{n + 1}, 192.0.2.10"})
            for n in range(22)
        ]

    assert _statuses(answers) == [201] * 20 + [429] * 2


async def test_one_contact_is_limited_whatever_the_address(facial: UUID) -> None:
    async with peer("127.0.0.1") as site:
        answers = [
            await _book(
                site,
                facial,
                n,
                email="toujours@example.fr",
                **{"X-Forwarded-For": f"203.0.113.{n + 1}"},
            )
            for n in range(22)
        ]

    assert _statuses(answers) == [201] * 20 + [429] * 2


async def test_staff_at_the_desk_are_not_limited(
    client: AsyncClient, facial: UUID, auth_headers: AuthHeaders
) -> None:
    desk = await auth_headers(Role.receptionist)

    answers = [await _book(client, facial, n, **desk) for n in range(25)]

    assert _statuses(answers) == [201] * 25


async def test_waitlist_entries_are_limited_per_address(client: AsyncClient, facial: UUID) -> None:
    async def join(n: int) -> int:
        response = await client.post(
            "/api/v1/waitlist",
            json={
                "service_ids": [str(facial)],
                "date_from": "2027-03-22",
                "date_to": "2027-03-26",
                "client": {"first_name": "W", "last_name": str(n), "email": f"w{n}@example.fr"},
            },
        )
        return response.status_code

    assert [await join(n) for n in range(12)] == [201] * 10 + [429] * 2


async def test_gift_card_checkouts_are_limited_per_address(
    client: AsyncClient, fakes: object
) -> None:
    async def buy(n: int) -> int:
        response = await client.post(
            "/api/v1/gift-cards",
            json={
                "amount_cents": 5000,
                "buyer": {"name": f"Acheteuse {n}", "email": f"b{n}@example.fr"},
                "recipient_name": "Léa",
                "method": "stripe",
            },
        )
        return response.status_code

    assert [await buy(n) for n in range(12)] == [201] * 10 + [429] * 2


async def test_sign_ups_are_limited_per_address(client: AsyncClient) -> None:
    async def sign_up(n: int) -> int:
        response = await client.post(
            "/api/v1/auth/signup",
            json={
                "email": f"s{n}@example.fr",
                "password": "une-phrase-secrete",
                "first_name": "S",
                "last_name": str(n),
            },
        )
        return response.status_code

    assert [await sign_up(n) for n in range(12)] == [201] * 10 + [429] * 2


async def test_a_lower_limit_from_the_settings_applies(
    client: AsyncClient, facial: UUID, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings_changed(monkeypatch, LIMITS_BOOKING_PER_ADDRESS="3/hour")

    answers = [await _book(client, facial, n) for n in range(5)]

    assert _statuses(answers) == [201] * 3 + [429] * 2


async def test_without_redis_the_limits_live_in_memory(
    facial: UUID, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings_changed(monkeypatch, REDIS_URL="", LIMITS_BOOKING_PER_ADDRESS="2/hour")

    async with peer("192.0.2.77") as visitor:
        answers = [await _book(visitor, facial, n) for n in range(3)]

    assert _statuses(answers) == [201, 201, 429]


async def test_a_forged_forwarded_for_does_not_reset_the_login_limit(client: AsyncClient) -> None:
    answers = [
        await client.post(
            "/api/v1/auth/token",
            data={"username": f"x{n}@example.fr", "password": "wrong"},
            headers={"X-Forwarded-For": f"198.51.100.{n + 1}"},
        )
        for n in range(31)
    ]

    assert _statuses(answers) == [401] * 30 + [429]


def test_the_image_believes_forwarded_headers_only_from_the_trusted_proxies() -> None:
    command = next(
        line
        for line in Path("Dockerfile").read_text(encoding="utf-8").splitlines()
        if line.startswith("CMD")
    )

    # `serve` keeps uvicorn's own X-Forwarded-For handling off (tests/test_cli.py shows a
    # forged header from an untrusted peer does not dodge the login limit through it).
    assert "--forwarded-allow-ips" not in command
    assert '"app.cli", "serve"' in command


async def test_one_phone_written_three_ways_is_one_contact(
    facial: UUID, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings_changed(monkeypatch, LIMITS_BOOKING_PER_CONTACT="3/hour")
    ways = ("06 12 34 56 78", "+33 6 12 34 56 78", "0033612345678")

    async with peer("127.0.0.1") as site:
        answers = [
            await site.post(
                "/api/v1/bookings",
                json={
                    "service_ids": [str(facial)],
                    "start": _slot(n),
                    "client": {"first_name": "V", "last_name": str(n), "phone": ways[n % 3]},
                },
                headers={"X-Forwarded-For": f"203.0.113.{n + 1}"},
            )
            for n in range(6)
        ]

    assert _statuses(answers) == [201] * 3 + [429] * 3
