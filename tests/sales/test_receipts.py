"""Receipts ("notes") of journal tickets: every mention the law asks, as JSON, PDF A4 and
PDF 80 mm (read back with pypdf); the first issue is the original, every later one says
"DUPLICATA n" and is journaled; e-mailed on request with the PDF attached."""

from __future__ import annotations

import asyncio
import base64
import io
import uuid
from datetime import UTC, datetime

import pypdf
import pytest
from httpx import AsyncClient

from app.auth.models import Role
from app.core import clock
from app.core.db import unit_of_work
from app.sales import tickets
from tests.builders import AuthHeaders, deliver_messages, settings_changed
from tests.fakes.server import FakeProviders
from tests.sales.helpers import append_ticket, make_register, records, two_rate_ticket, verified

AT = datetime(2026, 12, 1, 9, 12, tzinfo=UTC)  # 10:12 in Paris
SIRET = "123 456 789 00012"
VAT_NUMBER = "FR32123456789"


@pytest.fixture(autouse=True)
def _identity(monkeypatch: pytest.MonkeyPatch) -> None:
    clock.pin(AT)
    settings_changed(monkeypatch, SALON_SIRET=SIRET, SALON_VAT_NUMBER=VAT_NUMBER)


async def _ticket(client: AsyncClient, manager: dict[str, str]) -> str:
    register = await make_register(client, manager)
    ref = await append_ticket(two_rate_ticket("2026-000042", AT), register)
    return f"/api/v1/sales/tickets/{ref.id}/receipt"


def _pdf_text(content: bytes) -> tuple[str, float]:
    page = pypdf.PdfReader(io.BytesIO(content)).pages[0]
    return " ".join(page.extract_text().split()), float(page.mediabox.width)


MENTIONS = [
    "Sérénaia Beauté",
    "12 rue des Lilas, 69006 Lyon",
    f"SIRET {SIRET}",
    f"N° TVA intracommunautaire {VAT_NUMBER}",
    "Ticket n° 2026-000042",
    "Le 01/12/2026 à 10:12 — Caisse : Accueil",
    "Soin visage éclat",
    "1 x 60,00 € TTC — TVA 20 % — 50,00 € HT",
    "Réalisé par Camille Durand",
    "Livre « Rituels beauté »",
    "2 x 10,55 € TTC — TVA 5,5 % — 20,00 € HT",
    "Total HT : 70,00 €",
    "TVA 20 % sur 50,00 € HT : 10,00 €",
    "TVA 5,5 % sur 20,00 € HT : 1,10 €",
    "Total TVA : 11,10 €",
    "Total TTC : 81,10 €",
    "Espèces : 100,00 €",
    "Rendu : 18,90 €",
]


def _plain(text: str) -> str:
    return " ".join(text.replace("\u00a0", " ").split())


async def test_the_receipt_has_every_mention_and_the_right_totals_as_json(
    client: AsyncClient, auth_headers: AuthHeaders
) -> None:
    url = await _ticket(client, await auth_headers(Role.manager))

    answer = await client.get(
        url, params={"format": "json"}, headers=await auth_headers(Role.receptionist)
    )

    assert answer.status_code == 200, answer.text
    receipt = answer.json()
    assert receipt["duplicate"] is None
    assert receipt["title"] == "Note"
    assert receipt["salon"] | {"phone": None} == {
        "name": "Sérénaia Beauté",
        "address": "12 rue des Lilas, 69006 Lyon",
        "siret": SIRET,
        "vat_number": VAT_NUMBER,
        "phone": None,
    }
    assert (receipt["number"], receipt["date"], receipt["time"], receipt["till"]) == (
        "2026-000042",
        "01/12/2026",
        "10:12",
        "Accueil",
    )
    assert [
        (x["label"], x["quantity"], x["unit_price_cents"], x["vat_rate"]) for x in receipt["lines"]
    ] == [
        ("Soin visage éclat", 1, 6000, "20.00"),
        ("Livre « Rituels beauté »", 2, 1055, "5.50"),
    ]
    assert receipt["practitioners"] == ["Camille Durand"]
    assert receipt["vat"] == [
        {"rate": "20.00", "rate_text": "20\u00a0%", "base_cents": 5000, "vat_cents": 1000},
        {"rate": "5.50", "rate_text": "5,5\u00a0%", "base_cents": 2000, "vat_cents": 110},
    ]
    assert (receipt["total_excl_vat_cents"], receipt["total_vat_cents"]) == (7000, 1110)
    assert receipt["total_incl_vat_cents"] == 8110
    assert receipt["tenders"] == [{"method": "cash", "label": "Espèces", "amount_cents": 10000}]
    assert receipt["change_cents"] == 1890
    printed = _plain(" ".join(receipt["text"]))
    assert [m for m in MENTIONS if m not in printed] == []
    assert "DUPLICATA" not in printed
    assert await records("duplicate") == []


async def test_a_reprint_says_duplicata_with_its_count_and_is_journaled(
    client: AsyncClient, auth_headers: AuthHeaders
) -> None:
    url = await _ticket(client, await auth_headers(Role.manager))
    desk = await auth_headers(Role.receptionist)

    original = await client.get(url, params={"format": "pdf"}, headers=desk)
    first_copy = await client.get(url, params={"format": "pdf"}, headers=desk)
    second_copy = await client.get(url, params={"format": "thermal"}, headers=desk)

    assert original.headers["content-type"] == "application/pdf"
    text, width = _pdf_text(original.content)
    assert round(width) == 595  # A4, in points
    assert [m for m in MENTIONS if m not in _plain(text)] == []
    assert "DUPLICATA" not in text
    copy_text, _ = _pdf_text(first_copy.content)
    assert "NOTE — DUPLICATA 1" in copy_text
    assert "DUPLICATA 2" not in copy_text
    thermal, thermal_width = _pdf_text(second_copy.content)
    assert round(thermal_width) == 227  # 80 mm
    assert "DUPLICATA 2" in thermal
    assert [m for m in MENTIONS if m not in _plain(thermal)] == []
    duplicates = [r["payload"] for r in await records("duplicate")]
    assert [(d["ticket_number"], d["copy_number"], d["format"]) for d in duplicates] == [
        ("2026-000042", 1, "pdf"),
        ("2026-000042", 2, "thermal"),
    ]
    report = await verified()
    assert report.ok, report.issues


async def test_only_a_ticket_of_the_journal_has_a_receipt(
    client: AsyncClient, auth_headers: AuthHeaders
) -> None:
    manager = await auth_headers(Role.manager)
    register = await make_register(client, manager)
    opened = await client.post(
        f"/api/v1/sales/registers/{register}/open", json={"float_cents": 0}, headers=manager
    )

    unknown = await client.get(f"/api/v1/sales/tickets/{uuid.uuid4()}/receipt", headers=manager)
    not_a_ticket = await client.get(
        f"/api/v1/sales/tickets/{opened.json()['opened_record_id']}/receipt", headers=manager
    )

    assert unknown.status_code == not_a_ticket.status_code == 404
    assert not_a_ticket.json()["code"] == "ticket_not_found"


async def test_a_training_ticket_s_duplicate_stays_in_training(
    client: AsyncClient, auth_headers: AuthHeaders
) -> None:
    manager = await auth_headers(Role.manager)
    ref = await append_ticket(two_rate_ticket("E-1", AT), None, training=True)
    url = f"/api/v1/sales/tickets/{ref.id}/receipt"

    await client.get(url, params={"format": "json"}, headers=manager)
    copy = await client.get(url, params={"format": "json"}, headers=manager)

    assert copy.json()["duplicate"] == {"count": 1, "mention": "DUPLICATA 1"}
    assert await records("duplicate") == []  # the sales chain has none


async def test_the_receipt_is_emailed_with_its_pdf_and_a_later_one_is_a_duplicata(
    client: AsyncClient, auth_headers: AuthHeaders, real_channels: FakeProviders
) -> None:
    url = await _ticket(client, await auth_headers(Role.manager))
    desk = await auth_headers(Role.receptionist)
    body = {"email": "ines@example.fr", "first_name": "Inès"}

    sent = await client.post(f"{url}/email", json=body, headers=desk)
    again = await client.post(f"{url}/email", json=body, headers=desk)
    await deliver_messages()

    assert sent.status_code == 202, sent.text
    assert sent.json() == {"queued": True, "duplicate_count": None}
    assert again.json() == {"queued": True, "duplicate_count": 1}
    mine = [m for m in real_channels.resend.sent if m["to"] == ["ines@example.fr"]]
    first, second = sorted(mine, key=lambda m: "duplicata" in m["subject"])  # sent in any order
    assert first["subject"] == "Votre note Sérénaia Beauté du 01/12/2026"
    assert second["subject"] == "Votre note Sérénaia Beauté du 01/12/2026 (duplicata 1)"
    assert "Bonjour Inès," in first["text"]
    assert "n° 2026-000042 du 01/12/2026 à 10:12, d'un montant de 81,10" in first["text"]
    [attachment] = first["attachments"]
    assert attachment["filename"] == "note-2026-000042.pdf"
    text, _ = _pdf_text(base64.b64decode(attachment["content"]))
    assert [m for m in MENTIONS if m not in _plain(text)] == []
    copy_text, _ = _pdf_text(base64.b64decode(second["attachments"][0]["content"]))
    assert "DUPLICATA 1" in copy_text
    duplicates = [r["payload"] for r in await records("duplicate")]
    assert [(d["copy_number"], d["format"]) for d in duplicates] == [(1, "email")]


@pytest.mark.race
async def test_two_reprints_at_once_get_distinct_duplicata_numbers(
    client: AsyncClient, auth_headers: AuthHeaders
) -> None:
    url = await _ticket(client, await auth_headers(Role.manager))
    record_id = uuid.UUID(url.split("/")[-2])
    async with unit_of_work() as session:
        await tickets.issue(session, record_id, fmt="pdf")  # the original

    async def reprint() -> int | None:
        async with unit_of_work() as session:
            issued = await tickets.issue(session, record_id, fmt="pdf")
            await asyncio.sleep(0.05)  # hold the row while the other one waits
        return issued.duplicate_count

    counts = await asyncio.gather(reprint(), reprint())

    assert sorted(c or 0 for c in counts) == [1, 2]
    duplicates = [r["payload"]["copy_number"] for r in await records("duplicate")]
    assert sorted(duplicates) == [1, 2]
    assert (await verified()).ok
