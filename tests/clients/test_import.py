from __future__ import annotations

from typing import Any

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


async def _import_bytes(
    client: AsyncClient, headers: dict[str, str], body: bytes, **params: str
) -> Any:
    return await client.post(
        "/api/v1/clients/import",
        params={"dry_run": "false"} | params,
        files={"file": ("export.csv", body, "text/csv")},
        headers=headers,
    )


async def _names(session: AsyncSession) -> list[tuple[str, str, list[str]]]:
    session.expire_all()
    found = await session.scalars(select(Client).order_by(Client.first_name))
    return [(c.first_name, c.last_name, c.tags) for c in found]


async def test_a_windows_1252_file_from_french_excel_imports(
    client: AsyncClient, auth_headers: AuthHeaders, session: AsyncSession
) -> None:
    response = await _import_bytes(client, await auth_headers(Role.manager), GOOD.encode("cp1252"))

    assert response.status_code == 200, response.text
    assert response.json()["encoding"] == "windows-1252"
    assert await _names(session) == [
        ("Hélène", "Dupont", ["fidèle", "visage"]),
        ("Inès", "Martin", []),
    ]


async def test_a_utf16_tab_separated_file_imports(
    client: AsyncClient, auth_headers: AuthHeaders, session: AsyncSession
) -> None:
    body = GOOD.replace(";", "\t").encode("utf-16")  # Excel's "Unicode text", with its BOM

    response = await _import_bytes(client, await auth_headers(Role.manager), body)

    assert response.status_code == 200, response.text
    assert response.json()["encoding"] == "utf-16"
    assert [name for name, _, _ in await _names(session)] == ["Hélène", "Inès"]


async def test_a_comma_separated_file_with_semicolons_in_a_note_imports(
    client: AsyncClient, auth_headers: AuthHeaders, session: AsyncSession
) -> None:
    body = "first_name,last_name,notes\nHélène,Dupont,Peau sensible; pas de rétinol\n"

    response = await _import_bytes(client, await auth_headers(Role.manager), body.encode())

    assert response.status_code == 200, response.text
    assert await session.scalar(select(ClientNote.body)) == "Peau sensible; pas de rétinol"


async def test_a_declared_encoding_that_does_not_fit_is_refused_and_imports_nothing(
    client: AsyncClient, auth_headers: AuthHeaders, session: AsyncSession
) -> None:
    headers = await auth_headers(Role.manager)

    wrong = await _import_bytes(client, headers, GOOD.encode("cp1252"), encoding="utf-8")
    unknown = await _import_bytes(client, headers, GOOD.encode(), encoding="ebcdic")
    binary = await _import_bytes(client, headers, b"\x00\x01\x02PK\x03\x04" * 50)

    assert wrong.status_code == 422
    assert wrong.json()["code"] == "import_unreadable"
    assert "utf-8" in wrong.json()["detail"]
    assert unknown.status_code == 422
    assert unknown.json()["code"] == "validation_error"
    assert binary.status_code == 422
    assert binary.json()["code"] == "import_unreadable"
    assert await _count(session) == 0


async def test_unknown_headers_are_named_once_not_reported_on_every_row(
    client: AsyncClient, auth_headers: AuthHeaders, session: AsyncSession
) -> None:
    body = "Prénom;Nom;email\nHélène;Dupont;helene@example.fr\nInès;Martin;\n"

    response = await _import(client, await auth_headers(Role.manager), body, dry_run=True)

    assert response.status_code == 422  # type: ignore[attr-defined]
    problem = response.json()  # type: ignore[attr-defined]
    assert problem["code"] == "import_unknown_columns"
    assert problem["unknown_columns"] == ["nom", "prénom"]
    assert problem["missing_columns"] == ["first_name", "last_name"]
    assert "prénom" in problem["detail"]
    assert "first_name" in problem["detail"]
    assert await _count(session) == 0


async def test_importing_the_same_file_twice_adds_its_notes_once(
    client: AsyncClient, auth_headers: AuthHeaders, session: AsyncSession
) -> None:
    headers = await auth_headers(Role.manager)

    first = await _import(client, headers, GOOD, dry_run=False)
    second = await _import(client, headers, GOOD, dry_run=False)

    assert first.json()["created"] == 2  # type: ignore[attr-defined]
    assert second.json()["updated"] == 2  # type: ignore[attr-defined]
    notes = list(await session.scalars(select(ClientNote.body)))
    assert notes == ["Peau sensible"]
