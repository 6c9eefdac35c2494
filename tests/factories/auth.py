"""Staff and client accounts: inserted directly (`make_user`) or made through the API
(`sign_up`, `verify_email`), and the `auth_headers` fixture that logs one in."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from httpx import AsyncClient

from app.auth.models import Role, User, UserKind
from app.core.clock import utcnow
from app.core.db import unit_of_work
from app.core.ids import new_id
from app.core.security import hash_password
from tests.factories.notifications import deliver_messages

DEFAULT_PASSWORD = "correct-horse-battery"


async def make_user(
    *,
    email: str | None = None,
    password: str = DEFAULT_PASSWORD,
    role: Role | None = Role.manager,
    kind: UserKind = UserKind.staff,
    is_active: bool = True,
    verified: bool = False,
) -> User:
    now = utcnow()
    user = User(
        id=new_id(),
        email=(email or f"{(role or 'client')}-{new_id().hex[-10:]}@example.fr").lower(),
        password_hash=await hash_password(password),
        kind=kind.value,
        role=role.value if kind is UserKind.staff and role else None,
        first_name="Agathe",
        last_name="Staff",
        is_active=is_active,
        email_verified_at=now if verified else None,
        created_at=now,
        updated_at=now,
    )
    async with unit_of_work() as session:
        session.add(user)
    return user


async def login(client: AsyncClient, email: str, password: str = DEFAULT_PASSWORD) -> Any:
    response = await client.post(
        "/api/v1/auth/token", data={"username": email, "password": password}
    )
    assert response.status_code == 200, response.text
    return response.json()


AuthHeaders = Callable[..., Awaitable[dict[str, str]]]


@pytest.fixture
def auth_headers(client: AsyncClient) -> AuthHeaders:
    """`await auth_headers(Role.receptionist)` logs in a new user of that role."""

    async def make(
        role: Role | None = Role.manager, kind: UserKind = UserKind.staff
    ) -> dict[str, str]:
        user = await make_user(role=role, kind=kind)
        tokens = await login(client, user.email)
        return {"Authorization": f"Bearer {tokens['access_token']}"}

    return make


async def sign_up(
    client: AsyncClient,
    email: str = "ines@example.fr",
    first_name: str = "Inès",
    last_name: str = "Martin",
) -> dict[str, str]:
    """A client account made through the public sign-up; returns its auth headers."""
    response = await client.post(
        "/api/v1/auth/signup",
        json={
            "email": email,
            "password": "une-phrase-secrete",
            "first_name": first_name,
            "last_name": last_name,
        },
    )
    assert response.status_code == 201, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


async def verify_email(client: AsyncClient, to: str) -> None:
    """Open the newest verification link e-mailed to this address, as its owner would."""
    from app.integrations.console import console

    await deliver_messages()
    links = [m.text for m in console.emails if m.to == to and "/compte/verifier?" in m.text]
    assert links, f"no verification e-mail to {to}"
    token = links[-1].split("token=")[1].split()[0]
    response = await client.post("/api/v1/auth/verify-email", json={"token": token})
    assert response.status_code == 204, response.text
