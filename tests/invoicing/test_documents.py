"""The invoice as the client reads it: the Factur-X PDF says the numbers and every mention,
carries its CII XML (valid against the EN 16931 schema, attached with AFRelationship /Data),
and is e-mailed on request; a client reads only her own."""

from __future__ import annotations

import io
from typing import Any

import facturx
import pytest
from httpx import AsyncClient
from lxml import etree
from pypdf import PdfReader

from app.auth.models import Role
from app.core import clock
from app.integrations.console import console
from tests.builders import AuthHeaders, deliver_messages, settings_changed, sign_up
from tests.factories.core import paris
from tests.invoicing.helpers import invoice_of, new_client, pdf_text, sold_ticket
from tests.sales.orders_helpers import open_till

NS = {
    "rsm": "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100",
    "ram": "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100",
}


@pytest.fixture(autouse=True)
def _on_the_day() -> None:
    clock.pin(paris(2027, 3, 22, 10))


@pytest.fixture
async def manager(auth_headers: AuthHeaders) -> dict[str, str]:
    return await auth_headers(Role.manager)


async def _business_invoice(client: AsyncClient, manager: dict[str, str]) -> dict[str, Any]:
    company = await new_client(
        client,
        manager,
        company_name="Atelier Dupont SARL",
        siret="73282932000074",
        vat_number="FR44732829320",
        address="3 place Bellecour, 69002 Lyon",
    )
    ticket = await sold_ticket(client, manager, client_id=company)
    return await invoice_of(
        client, manager, str(ticket["id"]), delivery_address="8 quai Perrache, 69002 Lyon"
    )


async def test_the_pdf_says_the_numbers_and_every_mention(
    client: AsyncClient, manager: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    settings_changed(
        monkeypatch,
        INVOICING_SIREN="123456782",
        INVOICING_SHARE_CAPITAL="8 000 €",
        INVOICING_VAT_ON_DEBITS="true",
    )
    invoice = await _business_invoice(client, manager)

    got = await client.get(f"/api/v1/invoices/{invoice['id']}/pdf", headers=manager)

    assert got.status_code == 200, got.text
    assert got.headers["content-type"] == "application/pdf"
    text = pdf_text(got.content)
    for mention in (
        "FACTURE",
        "Facture n° F2027-000001",
        "Date : 22/03/2027",
        "SAS au capital de 8 000 €",
        "SIREN 123456782 — RCS Lyon",
        "N° TVA intracommunautaire FR00000000000",
        "Atelier Dupont SARL",
        "SIREN 732829320",
        "N° TVA intracommunautaire FR44732829320",
        "Adresse de livraison : 8 quai Perrache, 69002 Lyon",
        "Catégorie : Livraison de biens",
        "Ticket de caisse n° T2027-000001",
        "Maison Lila — Crème hydratante 2 25,00 € 20 % 50,00 €",
        "Total HT : 87,92 €",
        "TVA 20 % sur 87,92 € HT : 17,58 €",
        "Total TTC : 105,50 €",
        "Facture acquittée le 22/03/2027 (Espèces)",
        "Net à payer : 0,00 €",
        "Conditions de paiement : Paiement comptant à réception",
        "trois fois le taux d'intérêt légal",
        "Indemnité forfaitaire pour frais de recouvrement en cas de retard de paiement : 40,00 €",
        "Option pour le paiement de la taxe d'après les débits",
    ):
        assert mention in text, mention


async def test_the_pdf_is_a_factur_x_with_its_xml_valid_against_en16931(
    client: AsyncClient, manager: dict[str, str]
) -> None:
    invoice = await _business_invoice(client, manager)

    got = await client.get(f"/api/v1/invoices/{invoice['id']}/pdf", headers=manager)

    name, xml = facturx.get_xml_from_pdf(got.content, check_xsd=False)
    assert name == "factur-x.xml"
    assert facturx.xml_check_xsd(xml, flavor="factur-x", level="en16931") is True
    root = etree.fromstring(xml)
    assert root.findtext(".//rsm:ExchangedDocument/ram:ID", namespaces=NS) == "F2027-000001"
    assert root.findtext(".//rsm:ExchangedDocument/ram:TypeCode", namespaces=NS) == "380"
    guideline = ".//ram:GuidelineSpecifiedDocumentContextParameter/ram:ID"
    assert root.findtext(guideline, namespaces=NS) == "urn:cen.eu:en16931:2017"
    assert root.findtext(".//ram:GrandTotalAmount", namespaces=NS) == "105.50"
    assert root.findtext(".//ram:TaxBasisTotalAmount", namespaces=NS) == "87.92"
    buyer_siren = ".//ram:BuyerTradeParty/ram:SpecifiedLegalOrganization/ram:ID"
    assert root.findtext(buyer_siren, namespaces=NS) == "732829320"
    reader = PdfReader(io.BytesIO(got.content))
    attached = [spec.get_object() for spec in reader.trailer["/Root"]["/AF"]]
    assert [(a["/F"], a["/AFRelationship"]) for a in attached] == [("factur-x.xml", "/Data")]
    assert "pdfaid:part" in reader.xmp_metadata.rdf_root.toxml() if reader.xmp_metadata else False


async def test_a_credit_notes_pdf_and_xml_name_the_invoice(
    client: AsyncClient, manager: dict[str, str]
) -> None:
    invoice = await _business_invoice(client, manager)
    note = await client.post(
        f"/api/v1/invoices/{invoice['id']}/credit-notes",
        json={"reason": "Geste commercial", "full": True},
        headers=manager,
    )

    got = await client.get(f"/api/v1/invoices/{note.json()['id']}/pdf", headers=manager)

    text = pdf_text(got.content)
    assert "Avoir n° AV2027-000001" in text
    assert "Avoir sur la facture n° F2027-000001" in text
    assert "Motif : Geste commercial" in text
    _, xml = facturx.get_xml_from_pdf(got.content, check_xsd=True)
    root = etree.fromstring(xml)
    assert root.findtext(".//rsm:ExchangedDocument/ram:TypeCode", namespaces=NS) == "381"
    referenced = ".//ram:InvoiceReferencedDocument/ram:IssuerAssignedID"
    assert root.findtext(referenced, namespaces=NS) == "F2027-000001"


async def test_the_invoice_is_emailed_with_its_pdf(
    client: AsyncClient, manager: dict[str, str]
) -> None:
    invoice = await _business_invoice(client, manager)

    sent = await client.post(f"/api/v1/invoices/{invoice['id']}/email", headers=manager)
    await deliver_messages()

    assert sent.status_code == 200, sent.text
    assert sent.json() == {"queued": True, "to": "helene@example.fr"}
    mail = next(m for m in console.emails if m.to == "helene@example.fr")
    assert mail.subject == "Votre facture F2027-000001 — Sérénaia Beauté"
    assert "facture n° F2027-000001 du 22/03/2027" in mail.text.replace("\u00a0", " ")
    assert "105,50" in mail.text


async def test_a_client_reads_only_her_own_invoices(
    client: AsyncClient, manager: dict[str, str]
) -> None:
    ines = await sign_up(client, "ines@example.fr", "Inès", "Martin")
    zoe = await sign_up(client, "zoe@example.fr", "Zoé", "Bernard")
    ines_id = (await client.get("/api/v1/me", headers=ines)).json()["id"]
    till = await open_till(client, manager)
    ticket = await sold_ticket(client, manager, till=till, client_id=ines_id)
    hers = await invoice_of(client, manager, str(ticket["id"]))

    mine = await client.get("/api/v1/me/invoices", headers=ines)
    pdf = await client.get(f"/api/v1/me/invoices/{hers['id']}/pdf", headers=ines)
    others = await client.get("/api/v1/me/invoices", headers=zoe)
    stolen = await client.get(f"/api/v1/me/invoices/{hers['id']}/pdf", headers=zoe)

    assert [i["number"] for i in mine.json()["items"]] == ["F2027-000001"]
    assert pdf.status_code == 200
    assert "Facture n° F2027-000001" in pdf_text(pdf.content)
    assert others.json()["items"] == []
    assert stolen.status_code == 404
    assert stolen.json()["code"] == "invoice_not_found"


@pytest.mark.parametrize("role", [Role.practitioner, Role.receptionist, None])
async def test_every_role_is_kept_from_the_routes_it_must_not_use(
    client: AsyncClient, auth_headers: AuthHeaders, manager: dict[str, str], role: Role | None
) -> None:
    helene = await new_client(client, manager)
    ticket = await sold_ticket(client, manager, client_id=helene)
    invoice = await invoice_of(client, manager, str(ticket["id"]))
    path = f"/api/v1/invoices/{invoice['id']}"
    staff = [
        ("GET", "/api/v1/invoices", None),
        ("POST", "/api/v1/invoices", {"source_kind": "ticket", "source_id": ticket["id"]}),
        ("GET", path, None),
        ("GET", f"{path}/pdf", None),
        ("POST", f"{path}/email", None),
    ]
    credit = [("POST", f"{path}/credit-notes", {"reason": "x", "full": True})]
    mine = [
        ("GET", "/api/v1/me/invoices", None),
        ("GET", f"/api/v1/me/invoices/{path[17:]}/pdf", None),
    ]
    if role is None:  # a client's account
        headers = await sign_up(client, "ines@example.fr", "Inès", "Martin")
        refused = staff + credit
    else:
        headers = await auth_headers(role)
        refused = (staff if role is Role.practitioner else []) + credit + mine
    for caller, status in ((headers, 403), ({}, 401)):
        for method, route, body in refused:
            answer = await client.request(method, route, json=body, headers=caller)
            assert answer.status_code == status, (role, method, route, answer.text)
    read = await client.get(path, headers=manager)
    assert read.json()["credit_notes"] == []
