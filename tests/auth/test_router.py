from __future__ import annotations

from datetime import timedelta

import pytest
from httpx import AsyncClient
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.auth.models import AuditLogEntry, RefreshToken, Role, User, UserKind
from app.core import clock
from app.integrations.console import console
from tests.builders import DEFAULT_PASSWORD, AuthHeaders, deliver_messages, login, make_user

TOKEN_URL = "/api/v1/auth/token"


async def test_login_returns_a_token_pair_that_opens_me(client: AsyncClient) -> None:
    user = await make_user(role=Role.receptionist)

    tokens = await login(client, user.email.upper())  # e-mails match whatever their case

    assert tokens["token_type"] == "bearer"
    assert tokens["expires_in"] == 15 * 60
    me = await client.get(
        "/api/v1/auth/me", headers={"Authorization": f"Bearer {tokens['access_token']}"}
    )
    assert me.status_code == 200
    assert me.json()["email"] == user.email
    assert me.json()["role"] == "receptionist"


async def test_wrong_password_and_unknown_email_fail_alike(client: AsyncClient) -> None:
    user = await make_user()

    wrong = await client.post(TOKEN_URL, data={"username": user.email, "password": "nope-nope-1"})
    unknown = await client.post(
        TOKEN_URL, data={"username": "nobody@example.fr", "password": "nope-nope-1"}
    )

    for response in (wrong, unknown):
        assert response.status_code == 401
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["code"] == "invalid_credentials"


async def test_inactive_account_cannot_log_in(client: AsyncClient) -> None:
    user = await make_user(is_active=False)
    response = await client.post(
        TOKEN_URL, data={"username": user.email, "password": DEFAULT_PASSWORD}
    )
    assert response.json()["code"] == "invalid_credentials"


@pytest.mark.commits  # the lock is audited in a transaction of its own, kept when the login fails
async def test_repeated_failures_lock_the_account_even_with_the_right_password(
    client: AsyncClient, session: AsyncSession
) -> None:
    user = await make_user()
    for _ in range(5):
        response = await client.post(
            TOKEN_URL, data={"username": user.email, "password": "wrong-password"}
        )
        assert response.json()["code"] == "invalid_credentials"

    locked = await client.post(
        TOKEN_URL, data={"username": user.email, "password": DEFAULT_PASSWORD}
    )

    assert locked.status_code == 429
    assert locked.json()["code"] == "account_locked"
    assert int(locked.headers["Retry-After"]) > 0
    actions = await session.scalars(
        select(AuditLogEntry.action).where(AuditLogEntry.subject_id == str(user.id))
    )
    assert "auth.account_locked" in list(actions)


async def test_unknown_emails_are_locked_the_same_way(client: AsyncClient) -> None:
    for _ in range(5):
        await client.post(TOKEN_URL, data={"username": "ghost@example.fr", "password": "x" * 10})
    response = await client.post(
        TOKEN_URL, data={"username": "ghost@example.fr", "password": "x" * 10}
    )
    assert response.json()["code"] == "account_locked"


async def test_a_manager_can_unlock_a_locked_account(
    client: AsyncClient, auth_headers: AuthHeaders
) -> None:
    user = await make_user(role=Role.practitioner)
    for _ in range(5):
        await client.post(TOKEN_URL, data={"username": user.email, "password": "wrong-password"})
    headers = await auth_headers(Role.manager)

    response = await client.post(f"/api/v1/users/{user.id}/unlock", headers=headers)

    assert response.status_code == 204
    assert (await login(client, user.email))["access_token"]


async def test_login_is_rate_limited_per_ip(client: AsyncClient) -> None:
    statuses = []
    for attempt in range(31):
        response = await client.post(
            TOKEN_URL, data={"username": f"u{attempt}@example.fr", "password": "x" * 10}
        )
        statuses.append(response.status_code)
    assert statuses[:30] == [401] * 30
    assert statuses[30] == 429
    assert response.json()["code"] == "rate_limited"
    assert response.headers["Retry-After"]


async def test_refresh_rotates_and_the_old_token_stops_working(client: AsyncClient) -> None:
    user = await make_user()
    first = await login(client, user.email)

    rotated = await client.post(
        "/api/v1/auth/refresh", json={"refresh_token": first["refresh_token"]}
    )

    assert rotated.status_code == 200
    second = rotated.json()
    assert second["refresh_token"] != first["refresh_token"]
    again = await client.post(
        "/api/v1/auth/refresh", json={"refresh_token": second["refresh_token"]}
    )
    assert again.status_code == 200


async def test_reusing_a_rotated_refresh_token_revokes_the_whole_family(
    client: AsyncClient, session: AsyncSession
) -> None:
    user = await make_user()
    stolen = (await login(client, user.email))["refresh_token"]
    legit = (await client.post("/api/v1/auth/refresh", json={"refresh_token": stolen})).json()[
        "refresh_token"
    ]

    replay = await client.post("/api/v1/auth/refresh", json={"refresh_token": stolen})

    assert replay.status_code == 401
    assert replay.json()["code"] == "refresh_token_reused"
    victim = await client.post("/api/v1/auth/refresh", json={"refresh_token": legit})
    assert victim.status_code == 401
    assert victim.json()["code"] == "invalid_refresh_token"
    live = await session.scalar(
        select(func.count()).where(
            RefreshToken.user_id == user.id, RefreshToken.revoked_at.is_(None)
        )
    )
    assert live == 0


async def test_another_login_session_survives_a_reuse_elsewhere(client: AsyncClient) -> None:
    user = await make_user()
    phone = (await login(client, user.email))["refresh_token"]
    laptop = (await login(client, user.email))["refresh_token"]
    await client.post("/api/v1/auth/refresh", json={"refresh_token": phone})
    await client.post("/api/v1/auth/refresh", json={"refresh_token": phone})  # reuse

    response = await client.post("/api/v1/auth/refresh", json={"refresh_token": laptop})

    assert response.status_code == 200


async def test_logout_closes_the_session(client: AsyncClient) -> None:
    user = await make_user()
    tokens = await login(client, user.email)

    out = await client.post("/api/v1/auth/logout", json={"refresh_token": tokens["refresh_token"]})

    assert out.status_code == 204
    after = await client.post(
        "/api/v1/auth/refresh", json={"refresh_token": tokens["refresh_token"]}
    )
    assert after.json()["code"] == "invalid_refresh_token"


async def test_expired_refresh_token_is_refused(client: AsyncClient) -> None:
    user = await make_user()
    tokens = await login(client, user.email)
    clock.travel(timedelta(days=31))

    response = await client.post(
        "/api/v1/auth/refresh", json={"refresh_token": tokens["refresh_token"]}
    )

    assert response.json()["code"] == "invalid_refresh_token"


async def test_no_token_is_401_with_a_bearer_challenge(client: AsyncClient) -> None:
    response = await client.get("/api/v1/auth/me")

    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == "Bearer"
    assert response.json()["code"] == "invalid_token"


@pytest.mark.parametrize("token", ["garbage", "a.b.c"])
async def test_a_malformed_token_is_401(client: AsyncClient, token: str) -> None:
    response = await client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401


async def test_an_expired_access_token_is_401(client: AsyncClient) -> None:
    user = await make_user()
    tokens = await login(client, user.email)
    clock.travel(timedelta(minutes=16))

    response = await client.get(
        "/api/v1/auth/me", headers={"Authorization": f"Bearer {tokens['access_token']}"}
    )

    assert response.status_code == 401


async def test_a_deactivated_user_loses_access_at_once(
    client: AsyncClient, auth_headers: AuthHeaders
) -> None:
    practitioner = await make_user(role=Role.practitioner)
    tokens = await login(client, practitioner.email)
    manager = await auth_headers(Role.manager)

    await client.patch(
        f"/api/v1/users/{practitioner.id}", json={"is_active": False}, headers=manager
    )

    response = await client.get(
        "/api/v1/auth/me", headers={"Authorization": f"Bearer {tokens['access_token']}"}
    )
    assert response.status_code == 401


@pytest.mark.parametrize("role", [Role.receptionist, Role.practitioner])
async def test_staff_below_manager_cannot_list_users(
    client: AsyncClient, auth_headers: AuthHeaders, role: Role
) -> None:
    response = await client.get("/api/v1/users", headers=await auth_headers(role))

    assert response.status_code == 403
    assert response.json()["code"] == "insufficient_role"


async def test_a_client_account_cannot_reach_staff_endpoints(
    client: AsyncClient, auth_headers: AuthHeaders
) -> None:
    headers = await auth_headers(None, UserKind.client)
    response = await client.get("/api/v1/users", headers=headers)
    assert response.status_code == 403


async def test_a_manager_cannot_make_a_manager_but_the_owner_can(
    client: AsyncClient, auth_headers: AuthHeaders
) -> None:
    body = {
        "email": "nouvelle@serenaia.example",
        "password": "mot-de-passe-solide",
        "role": "manager",
        "first_name": "Nora",
        "last_name": "Petit",
    }
    refused = await client.post(
        "/api/v1/users", json=body, headers=await auth_headers(Role.manager)
    )
    made = await client.post("/api/v1/users", json=body, headers=await auth_headers(Role.owner))

    assert refused.status_code == 403
    assert made.status_code == 201
    assert made.json()["role"] == "manager"


async def test_only_the_owner_demotes_or_deactivates_a_manager(
    client: AsyncClient, auth_headers: AuthHeaders, session: AsyncSession
) -> None:
    other = await make_user(role=Role.manager)
    receptionist = await make_user(role=Role.receptionist)
    manager = await auth_headers(Role.manager)
    url = f"/api/v1/users/{other.id}"

    demoted = await client.patch(url, json={"role": "receptionist"}, headers=manager)
    deactivated = await client.patch(url, json={"is_active": False}, headers=manager)
    below = await client.patch(
        f"/api/v1/users/{receptionist.id}", json={"is_active": False}, headers=manager
    )
    by_owner = await client.patch(
        url, json={"role": "receptionist"}, headers=await auth_headers(Role.owner)
    )

    assert demoted.status_code == deactivated.status_code == 403
    assert demoted.json()["code"] == deactivated.json()["code"] == "owner_only"
    assert below.status_code == 200
    assert by_owner.status_code == 200
    assert by_owner.json()["role"] == "receptionist"
    assert by_owner.json()["is_active"] is True


async def test_users_see_their_own_account_and_nobody_else_s(
    client: AsyncClient, auth_headers: AuthHeaders
) -> None:
    me = await make_user(kind=UserKind.client, role=None)
    other = await make_user(kind=UserKind.client, role=None)
    tokens = await login(client, me.email)
    headers = {"Authorization": f"Bearer {tokens['access_token']}"}

    own = await client.get(f"/api/v1/users/{me.id}", headers=headers)
    theirs = await client.get(f"/api/v1/users/{other.id}", headers=headers)
    staff_peek = await client.get(
        f"/api/v1/users/{other.id}", headers=await auth_headers(Role.practitioner)
    )

    assert own.status_code == 200
    assert theirs.status_code == 404
    assert staff_peek.status_code == 403


async def test_signup_creates_a_client_account_and_e_mails_a_verification_link(
    client: AsyncClient, session: AsyncSession
) -> None:
    response = await client.post(
        "/api/v1/auth/signup",
        json={
            "email": "Helene.Dupont@Example.fr",
            "password": "une-phrase-secrete",
            "first_name": "Hélène",
            "last_name": "Dupont",
        },
    )

    assert response.status_code == 201
    body = response.json()
    assert body["user"]["kind"] == "client"
    assert body["user"]["email"] == "helene.dupont@example.fr"
    assert body["user"]["email_verified_at"] is None
    assert body["access_token"]
    assert body["refresh_token"]

    assert await deliver_messages() == 1
    (mail,) = console.emails
    assert mail.to == "helene.dupont@example.fr"
    token = mail.text.split("token=")[1].split()[0]
    verified = await client.post("/api/v1/auth/verify-email", json={"token": token})
    assert verified.status_code == 204
    user = await session.scalar(select(User).where(User.email == "helene.dupont@example.fr"))
    assert user is not None
    assert user.email_verified_at is not None


async def test_signup_with_a_taken_email_is_a_409(client: AsyncClient) -> None:
    user = await make_user(kind=UserKind.client, role=None, verified=True)
    response = await client.post(
        "/api/v1/auth/signup",
        json={
            "email": user.email,
            "password": "une-phrase-secrete",
            "first_name": "A",
            "last_name": "B",
        },
    )
    assert response.status_code == 409
    assert response.json()["code"] == "email_taken"


async def test_password_reset_by_e_mailed_token(client: AsyncClient) -> None:
    user = await make_user()
    old_session = await login(client, user.email)

    asked = await client.post("/api/v1/auth/password-reset/request", json={"email": user.email})
    unknown = await client.post(
        "/api/v1/auth/password-reset/request", json={"email": "nobody@example.fr"}
    )
    assert asked.status_code == unknown.status_code == 202
    await deliver_messages()
    (mail,) = console.emails
    assert "réinitialisation" in mail.subject
    token = mail.text.split("token=")[1].split()[0]

    done = await client.post(
        "/api/v1/auth/password-reset/confirm",
        json={"token": token, "new_password": "nouveau-mot-de-passe"},
    )
    reused = await client.post(
        "/api/v1/auth/password-reset/confirm",
        json={"token": token, "new_password": "encore-un-autre-mdp"},
    )

    assert done.status_code == 204
    assert reused.json()["code"] == "invalid_token_link"
    assert (await login(client, user.email, "nouveau-mot-de-passe"))["access_token"]
    closed = await client.post(
        "/api/v1/auth/refresh", json={"refresh_token": old_session["refresh_token"]}
    )
    assert closed.status_code == 401


async def test_audit_log_lists_logins_newest_first(
    client: AsyncClient, auth_headers: AuthHeaders
) -> None:
    headers = await auth_headers(Role.owner)
    response = await client.get("/api/v1/audit-log?action=auth.login", headers=headers)
    assert response.status_code == 200
    assert [entry["action"] for entry in response.json()["items"]] == ["auth.login"]


@pytest.mark.commits  # the CLI runs its own event loop, on its own connection
async def test_create_admin_from_the_cli_is_idempotent(client: AsyncClient) -> None:
    from typer.testing import CliRunner

    from app.cli import cli

    runner = CliRunner()
    args = ["create-admin", "--email", "owner@example.fr", "--password", "un-mot-de-passe-long"]
    first = runner.invoke(cli, args)
    second = runner.invoke(cli, args)
    too_short = runner.invoke(cli, ["create-admin", "--email", "x@example.fr", "--password", "x"])

    assert first.exit_code == 0
    assert "created" in first.output
    assert second.exit_code == 0
    assert "updated" in second.output
    assert too_short.exit_code != 0
    tokens = await login(client, "owner@example.fr", "un-mot-de-passe-long")
    me = await client.get(
        "/api/v1/auth/me", headers={"Authorization": f"Bearer {tokens['access_token']}"}
    )
    assert me.json()["role"] == "owner"
