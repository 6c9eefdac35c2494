from __future__ import annotations

from httpx import AsyncClient
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.auth.models import Role
from app.clients.models import Client, ClientNote
from tests.builders import AuthHeaders

GOOD = (
    "first_name;last_name;email;phone;birthday;tags;notes\n"
    "Hélène;Dupont;helene@example.fr;06 12 34 56 78;12/04/1988;fidèle|visage;Peau sensible\n"
    "Inès;Martin;ines@example.fr;;1990-01-02;;\n"
)
BAD = GOOD + "Chloé;;chloe@example;12;31/02/1990;;\n"


async def _import(client: AsyncClient, headers: dict[str, str], body: str, dry_run: bool) -> object:
    return await client.post(
        "/api/v1/clients/import",
        params={"dry_run": str(dry_run).lower()},
        files={"file": ("export.csv", body.encode(), "text/csv")},
        headers=headers,
    )


async def _count(session: AsyncSession) -> int:
    return int(await session.scalar(select(func.count()).select_from(Client)) or 0)


async def test_a_dry_run_reports_row_by_row_and_changes_nothing(
    client: AsyncClient, auth_headers: AuthHeaders, session: AsyncSession
) -> None:
    response = await _import(client, await auth_headers(Role.manager), BAD, dry_run=True)

    report = response.json()  # type: ignore[attr-defined]
    assert [(r["row"], r["action"]) for r in report["rows"]] == [
        (2, "create"),
        (3, "create"),
        (4, "reject"),
    ]
    errors = " ".join(report["rows"][2]["errors"])
    assert "last_name is missing" in errors
    assert "email" in errors
    assert "phone" in errors
    assert "birthday" in errors
    assert await _count(session) == 0


async def test_one_bad_row_imports_nothing_and_names_the_row(
    client: AsyncClient, auth_headers: AuthHeaders, session: AsyncSession
) -> None:
    response = await _import(client, await auth_headers(Role.manager), BAD, dry_run=False)

    assert response.status_code == 422  # type: ignore[attr-defined]
    body = response.json()  # type: ignore[attr-defined]
    assert body["code"] == "import_rejected"
    assert [r["row"] for r in body["report"]["rows"] if r["action"] == "reject"] == [4]
    assert await _count(session) == 0


async def test_a_clean_file_imports_and_a_second_run_updates(
    client: AsyncClient, auth_headers: AuthHeaders, session: AsyncSession
) -> None:
    headers = await auth_headers(Role.manager)
    first = await _import(client, headers, GOOD, dry_run=False)
    again = await _import(client, headers, GOOD.replace("Peau sensible", ""), dry_run=False)

    assert first.json()["created"] == 2  # type: ignore[attr-defined]
    assert again.json()["updated"] == 2  # type: ignore[attr-defined]
    helene = await session.scalar(select(Client).where(Client.email == "helene@example.fr"))
    assert helene is not None
    assert helene.phone == "+33612345678"
    assert helene.tags == ["fidèle", "visage"]
    assert str(helene.birthday) == "1988-04-12"
    notes = await session.scalar(select(func.count()).select_from(ClientNote))
    assert notes == 1


async def test_only_managers_import(client: AsyncClient, auth_headers: AuthHeaders) -> None:
    response = await _import(client, await auth_headers(Role.receptionist), GOOD, dry_run=True)
    assert response.status_code == 403  # type: ignore[attr-defined]
