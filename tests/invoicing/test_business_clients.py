"""A business client's record: company name, SIREN, SIRET and VAT number, each checked with
python-stdnum and stored compact; a wrong number is refused and changes nothing."""

from __future__ import annotations

import pytest
from httpx import AsyncClient

from app.auth.models import Role
from tests.builders import AuthHeaders


@pytest.fixture
async def desk(auth_headers: AuthHeaders) -> dict[str, str]:
    return await auth_headers(Role.receptionist)


async def test_the_company_numbers_are_checked_and_stored_compact(
    client: AsyncClient, desk: dict[str, str]
) -> None:
    made = await client.post(
        "/api/v1/clients",
        json={
            "first_name": "Hélène",
            "last_name": "Dupont",
            "company_name": "Atelier Dupont SARL",
            "siret": "732 829 320 00074",
            "vat_number": "fr 44 732 829 320",
        },
        headers=desk,
    )

    assert made.status_code == 201, made.text
    body = made.json()
    assert body["company_name"] == "Atelier Dupont SARL"
    assert (body["siren"], body["siret"]) == ("732829320", "73282932000074")
    assert body["vat_number"] == "FR44732829320"


@pytest.mark.parametrize(
    "fields",
    [
        {"siren": "732829321"},
        {"siret": "73282932000075"},
        {"vat_number": "FR45732829320"},
        {"siren": "552100554", "siret": "73282932000074"},
    ],
)
async def test_a_wrong_number_is_refused_and_changes_nothing(
    client: AsyncClient, desk: dict[str, str], fields: dict[str, str]
) -> None:
    made = await client.post(
        "/api/v1/clients",
        json={"first_name": "Hélène", "last_name": "Dupont", "siren": "732829320"},
        headers=desk,
    )
    client_id = made.json()["id"]

    patched = await client.patch(f"/api/v1/clients/{client_id}", json=fields, headers=desk)
    read = await client.get(f"/api/v1/clients/{client_id}", headers=desk)

    assert patched.status_code == 422, patched.text
    assert patched.json()["code"] == "validation_error"
    assert read.json()["siren"] == "732829320"
    assert read.json()["siret"] is None
    assert read.json()["vat_number"] is None


async def test_a_patch_clears_the_company(client: AsyncClient, desk: dict[str, str]) -> None:
    made = await client.post(
        "/api/v1/clients",
        json={"first_name": "Hélène", "last_name": "Dupont", "company_name": "Atelier"},
        headers=desk,
    )

    patched = await client.patch(
        f"/api/v1/clients/{made.json()['id']}", json={"company_name": None}, headers=desk
    )

    assert patched.json()["company_name"] is None
