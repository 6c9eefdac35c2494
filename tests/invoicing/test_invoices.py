"""Invoices on the real PostgreSQL: made from a ticket sold at the till with its own
figures, once per sale; automatically for a business client's ticket; credit notes for part
or all of an invoice; the Factur-X PDF read back; an issued invoice the database refuses
to change."""

from __future__ import annotations

from typing import Any

import facturx
import pytest
from httpx import AsyncClient
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession

from app.auth.models import Role
from app.core import clock
from app.invoicing.models import Invoice
from tests.builders import AuthHeaders, sell_gift_card, settings_changed
from tests.factories.bookings import NINE, book_by_staff, facial_with_camille
from tests.factories.core import count, paris, run_outbox
from tests.invoicing.helpers import invoice_of, new_client, pdf_text, sold_ticket
from tests.sales.orders_helpers import complete, new_order, open_till, tender


@pytest.fixture(autouse=True)
def _on_the_day() -> None:
    clock.pin(paris(2027, 3, 22, 10))


@pytest.fixture
async def desk(auth_headers: AuthHeaders) -> dict[str, str]:
    return await auth_headers(Role.receptionist)


@pytest.fixture
async def manager(auth_headers: AuthHeaders) -> dict[str, str]:
    return await auth_headers(Role.manager)


def _refused(answer: Any, status: int, code: str) -> None:
    assert answer.status_code == status, answer.text
    assert answer.json()["code"] == code


async def test_a_ticket_is_invoiced_once_with_the_tickets_own_figures(
    client: AsyncClient, desk: dict[str, str], manager: dict[str, str], session: AsyncSession
) -> None:
    helene = await new_client(client, desk, address="3 place Bellecour, 69002 Lyon")
    ticket = await sold_ticket(client, manager, client_id=helene)

    invoice = await invoice_of(client, desk, str(ticket["id"]))
    again = await client.post(
        "/api/v1/invoices",
        json={"source_kind": "ticket", "source_id": ticket["id"]},
        headers=desk,
    )

    assert invoice["number"] == "F2027-000001"
    assert invoice["kind"] == "invoice"
    assert invoice["category"] == "goods"
    assert invoice["buyer"]["name"] == "Hélène Dupont"
    assert invoice["buyer"]["address"] == "3 place Bellecour, 69002 Lyon"
    keys = ("label", "quantity", "unit_price_excl_vat_cents", "total_excl_vat_cents")
    keys += ("vat_cents", "total_incl_vat_cents")
    assert [tuple(line[k] for k in keys) for line in invoice["lines"]] == [
        ("Maison Lila — Crème hydratante", 2, 2500, 5000, 1000, 6000),
        ("Maison Lila — Sérum éclat", 1, 3792, 3792, 758, 4550),
    ]
    assert invoice["vat"] == [
        {"category": "S", "rate": "20.00", "base_cents": 8792, "vat_cents": 1758}
    ]
    assert (invoice["total_excl_vat_cents"], invoice["total_incl_vat_cents"]) == (8792, 10550)
    assert invoice["total_incl_vat_cents"] == ticket["total_cents"]
    assert invoice["paid_cents"] == 10550
    _refused(again, 409, "invoice_already_issued")
    assert await count(session, Invoice) == 1


async def test_a_walk_in_ticket_needs_the_client_named_and_a_wrong_id_is_refused(
    client: AsyncClient, desk: dict[str, str], manager: dict[str, str], session: AsyncSession
) -> None:
    till = await open_till(client, manager)
    walk_in = await sold_ticket(client, manager, till=till)
    helene = await new_client(client, desk)
    hers = await sold_ticket(client, manager, till=till, client_id=helene)
    other = await new_client(client, desk, email="ines@example.fr", first_name="Inès")

    unnamed = await client.post(
        "/api/v1/invoices", json={"source_kind": "ticket", "source_id": walk_in["id"]}, headers=desk
    )
    mismatch = await client.post(
        "/api/v1/invoices",
        json={"source_kind": "ticket", "source_id": hers["id"], "client_id": other},
        headers=desk,
    )
    unknown = await client.post(
        "/api/v1/invoices",
        json={"source_kind": "ticket", "source_id": walk_in["order_id"]},
        headers=desk,
    )
    named = await invoice_of(client, desk, str(walk_in["id"]), client_id=other)

    _refused(unnamed, 422, "invoice_needs_client")
    _refused(mismatch, 409, "invoice_client_mismatch")
    _refused(unknown, 404, "invoice_source_not_found")
    assert named["number"] == "F2027-000001"  # the refusals took no number
    assert named["buyer"]["name"] == "Inès Dupont"
    assert await count(session, Invoice) == 1


async def test_a_business_clients_ticket_is_invoiced_by_the_outbox(
    client: AsyncClient, desk: dict[str, str], manager: dict[str, str]
) -> None:
    till = await open_till(client, manager)
    company = await new_client(
        client,
        desk,
        company_name="Atelier Dupont SARL",
        siret="732 829 320 00074",
        vat_number="FR44732829320",
    )
    private = await new_client(client, desk, email="ines@example.fr", first_name="Inès")
    business = await sold_ticket(client, manager, till=till, client_id=company)
    await sold_ticket(client, manager, till=till, client_id=private)

    await run_outbox()
    await run_outbox()  # a second pass issues nothing more

    listed = await client.get("/api/v1/invoices", headers=desk)
    assert [i["number"] for i in listed.json()["items"]] == ["F2027-000001"]
    invoice = await client.get(f"/api/v1/invoices/{listed.json()['items'][0]['id']}", headers=desk)
    body = invoice.json()
    assert body["source_id"] == business["id"]
    assert body["buyer"]["company_name"] == "Atelier Dupont SARL"
    assert (body["buyer"]["siren"], body["buyer"]["siret"]) == ("732829320", "73282932000074")
    assert body["buyer"]["vat_number"] == "FR44732829320"
    again = await client.post(
        "/api/v1/invoices",
        json={"source_kind": "ticket", "source_id": business["id"]},
        headers=desk,
    )
    _refused(again, 409, "invoice_already_issued")


async def test_a_credit_note_cancels_part_then_the_rest_and_names_the_invoice(
    client: AsyncClient, desk: dict[str, str], manager: dict[str, str]
) -> None:
    helene = await new_client(client, desk)
    ticket = await sold_ticket(client, manager, client_id=helene)
    invoice = await invoice_of(client, desk, str(ticket["id"]))
    cream, serum = (line["id"] for line in invoice["lines"])
    path = f"/api/v1/invoices/{invoice['id']}/credit-notes"

    part = await client.post(
        path,
        json={"reason": "Crème retournée", "lines": [{"line_id": cream, "quantity": 1}]},
        headers=manager,
    )
    too_much = await client.post(
        path, json={"reason": "x", "lines": [{"line_id": cream, "quantity": 2}]}, headers=manager
    )
    stranger = await client.post(
        path,
        json={"reason": "x", "lines": [{"line_id": invoice["id"], "quantity": 1}]},
        headers=manager,
    )
    rest = await client.post(path, json={"reason": "Annulation", "full": True}, headers=manager)
    nothing = await client.post(path, json={"reason": "Encore", "full": True}, headers=manager)
    of_a_note = await client.post(
        f"/api/v1/invoices/{part.json()['id']}/credit-notes",
        json={"reason": "x", "full": True},
        headers=manager,
    )

    assert part.status_code == 201, part.text
    note = part.json()
    assert note["number"] == "AV2027-000001"
    assert note["credits"] == {"id": invoice["id"], "number": "F2027-000001"}
    assert [
        (x["quantity"], x["total_excl_vat_cents"], x["total_incl_vat_cents"]) for x in note["lines"]
    ] == [(1, 2500, 3000)]
    assert note["lines"][0]["credited_line_id"] == cream
    _refused(too_much, 409, "nothing_left_to_credit")
    _refused(stranger, 422, "unknown_invoice_line")
    assert rest.status_code == 201, rest.text
    assert rest.json()["number"] == "AV2027-000002"
    assert [(x["credited_line_id"], x["quantity"]) for x in rest.json()["lines"]] == [
        (cream, 1),
        (serum, 1),
    ]
    credited = note["total_incl_vat_cents"] + rest.json()["total_incl_vat_cents"]
    assert credited == invoice["total_incl_vat_cents"]
    excl = note["total_excl_vat_cents"] + rest.json()["total_excl_vat_cents"]
    assert excl == invoice["total_excl_vat_cents"]
    _refused(nothing, 409, "nothing_left_to_credit")
    _refused(of_a_note, 409, "not_an_invoice")
    read = await client.get(f"/api/v1/invoices/{invoice['id']}", headers=desk)
    assert [n["number"] for n in read.json()["credit_notes"]] == ["AV2027-000001", "AV2027-000002"]


async def test_a_credit_note_asks_for_full_or_lines(
    client: AsyncClient, manager: dict[str, str]
) -> None:
    helene = await new_client(client, manager)
    ticket = await sold_ticket(client, manager, client_id=helene)
    invoice = await invoice_of(client, manager, str(ticket["id"]))
    path = f"/api/v1/invoices/{invoice['id']}/credit-notes"
    line = {"line_id": invoice["lines"][0]["id"], "quantity": 1}

    both = await client.post(
        path, json={"reason": "x", "full": True, "lines": [line]}, headers=manager
    )
    neither = await client.post(path, json={"reason": "x"}, headers=manager)

    assert both.status_code == neither.status_code == 422


async def test_the_database_refuses_to_change_or_delete_an_issued_invoice(
    client: AsyncClient, desk: dict[str, str], manager: dict[str, str], session: AsyncSession
) -> None:
    helene = await new_client(client, desk)
    ticket = await sold_ticket(client, manager, client_id=helene)
    invoice = await invoice_of(client, desk, str(ticket["id"]))

    for statement in (
        "UPDATE invoices SET total_incl_vat_cents = 1 WHERE id = :id",
        "DELETE FROM invoice_lines WHERE invoice_id = :id",
        "DELETE FROM invoices WHERE id = :id",
    ):
        with pytest.raises(DBAPIError, match="an issued invoice is never changed"):
            async with session.begin_nested():
                await session.execute(text(statement), {"id": invoice["id"]})
    read = await client.get(f"/api/v1/invoices/{invoice['id']}", headers=desk)
    assert read.json()["total_incl_vat_cents"] == 10550


async def test_a_booking_checked_out_at_the_till_is_invoiced_through_its_ticket(
    client: AsyncClient, manager: dict[str, str], desk: dict[str, str]
) -> None:
    facial, _ = await facial_with_camille()
    booking = await book_by_staff(client, manager, [facial], NINE)
    not_yet = await client.post(
        "/api/v1/invoices",
        json={"source_kind": "booking", "source_id": booking["id"]},
        headers=desk,
    )
    await open_till(client, manager)
    order = await new_order(client, manager, booking_id=booking["id"], lines=[])
    await tender(client, manager, order["id"], method="bank_transfer")
    ticket = await complete(client, manager, order["id"])

    invoice = await client.post(
        "/api/v1/invoices",
        json={"source_kind": "booking", "source_id": booking["id"]},
        headers=desk,
    )
    twice = await client.post(
        "/api/v1/invoices", json={"source_kind": "ticket", "source_id": ticket["id"]}, headers=desk
    )

    _refused(not_yet, 404, "invoice_source_not_found")
    assert invoice.status_code == 201, invoice.text
    body = invoice.json()
    assert (body["source_kind"], body["source_id"]) == ("ticket", ticket["id"])
    assert body["category"] == "services"
    assert body["buyer"]["client_id"] == booking["client_id"]
    assert body["total_incl_vat_cents"] == ticket["total_cents"]
    _refused(twice, 409, "invoice_already_issued")


@pytest.mark.parametrize(
    ("treatment", "vat"),
    [("single_purpose", (8000, 1333, "S", "20.00")), ("multi_purpose", (8000, 0, "O", "0.00"))],
)
async def test_a_gift_card_sale_is_invoiced_with_the_vat_of_its_treatment(
    client: AsyncClient,
    manager: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
    treatment: str,
    vat: tuple[int, int, str, str],
) -> None:
    settings_changed(monkeypatch, GIFTCARDS_VAT_TREATMENT=treatment)
    pending = await client.post(
        "/api/v1/gift-cards/in-salon",
        json={"amount_cents": 5000, "buyer": {"name": "Inès"}, "recipient_name": "Léa"},
        headers=manager,
    )
    card = (await sell_gift_card(client, manager, 8000)).json()["gift_card"]
    helene = await new_client(client, manager)

    unpaid = await client.post(
        "/api/v1/invoices",
        json={
            "source_kind": "gift_card",
            "source_id": pending.json()["gift_card"]["id"],
            "client_id": helene,
        },
        headers=manager,
    )
    invoice = await client.post(
        "/api/v1/invoices",
        json={"source_kind": "gift_card", "source_id": card["id"], "client_id": helene},
        headers=manager,
    )
    pdf = await client.get(f"/api/v1/invoices/{invoice.json()['id']}/pdf", headers=manager)

    _refused(unpaid, 404, "invoice_source_not_found")
    assert invoice.status_code == 201, invoice.text
    (line,) = invoice.json()["lines"]
    assert (line["total_incl_vat_cents"], line["vat_cents"]) == vat[:2]
    assert (line["vat_category"], line["vat_rate"]) == vat[2:]
    assert line["label"] == f"Carte cadeau …{card['code_hint']}"
    assert invoice.json()["paid_cents"] == 8000
    _, xml = facturx.get_xml_from_pdf(pdf.content, check_xsd=True)
    assert f"<ram:CategoryCode>{vat[2]}</ram:CategoryCode>".encode() in xml
    outside = "Hors champ de la TVA" in pdf_text(pdf.content)
    assert outside is (treatment == "multi_purpose")
