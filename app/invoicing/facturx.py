"""Factur-X: the invoice's PDF made PDF/A-3 with its CII XML embedded (EN 16931 profile).
The XML is built with drafthorse and checked against the official schema by `factur-x`,
which embeds it as `factur-x.xml` with AFRelationship /Data (the PDF is the legal
document, the XML its data). Amounts are the document's own; a credit note is type 381
with positive amounts, naming the invoice it cancels."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

import facturx
from drafthorse.models.accounting import ApplicableTradeTax
from drafthorse.models.document import Document
from drafthorse.models.note import IncludedNote
from drafthorse.models.party import TaxRegistration
from drafthorse.models.payment import PaymentTerms
from drafthorse.models.tradelines import LineItem

from app.core.config import get_settings
from app.core.money import decimal_amount
from app.core.timeutils import zone
from app.invoicing import mentions
from app.invoicing.models import Category, DocumentKind, Invoice, InvoiceLine, VatCategory

EN16931 = "urn:cen.eu:en16931:2017"
TYPE_CODES = {DocumentKind.invoice: "380", DocumentKind.credit_note: "381"}
SIREN_SCHEME = "0002"  # ISO 6523: the French SIRENE register
_POSTCODE_CITY = re.compile(r"^(?P<street>.*?)[,\s]+(?P<postcode>\d{5})\s+(?P<city>.+)$", re.S)


def _amount(cents: int) -> Decimal:
    return Decimal(decimal_amount(cents))


def _address(target: Any, text: str | None) -> None:
    """A French postal address written on one line ("12 rue des Lilas, 69006 Lyon")."""
    found = _POSTCODE_CITY.match((text or "").strip())
    if found:
        target.line_one = found["street"].strip(" ,")
        target.postcode = found["postcode"]
        target.city_name = found["city"].strip()
    elif text:
        target.line_one = text.strip()
    target.country_id = "FR"


def _seller(doc: Document) -> None:
    who = mentions.seller()
    party = doc.trade.agreement.seller
    party.name = who.name
    party.legal_organization.id = (SIREN_SCHEME, who.siren.replace(" ", ""))
    party.legal_organization.trade_name = who.name
    party.description = f"{who.legal_form} au capital de {who.share_capital} — RCS {who.rcs_city}"
    _address(party.address, who.address)
    party.tax_registrations.add(TaxRegistration(id=("VA", who.vat_number.replace(" ", ""))))


def _buyer(doc: Document, invoice: Invoice) -> None:
    party = doc.trade.agreement.buyer
    party.name = invoice.buyer_company or invoice.buyer_name
    if invoice.buyer_siren:
        party.legal_organization.id = (SIREN_SCHEME, invoice.buyer_siren)
    _address(party.address, invoice.buyer_address)
    if invoice.buyer_vat_number:
        party.tax_registrations.add(TaxRegistration(id=("VA", invoice.buyer_vat_number)))


def _line(line: InvoiceLine, position: int) -> LineItem:
    item = LineItem()
    item.document.line_id = str(position)
    item.product.name = line.label
    item.agreement.net.amount = _amount(line.unit_price_excl_vat_cents)
    item.delivery.billed_quantity = (Decimal(line.quantity), "C62")
    item.settlement.trade_tax.type_code = "VAT"
    item.settlement.trade_tax.category_code = line.vat_category
    if line.vat_category == VatCategory.standard:  # outside the scope: no rate (BR-O-05)
        item.settlement.trade_tax.rate_applicable_percent = Decimal(line.vat_rate)
    item.settlement.monetary_summation.total_amount = _amount(line.total_excl_vat_cents)
    return item


def _settlement(doc: Document, invoice: Invoice, lines: list[InvoiceLine]) -> None:
    settlement = doc.trade.settlement
    settlement.currency_code = invoice.currency
    for category, rate, base, vat in mentions.vat_by_rate(lines):
        tax = ApplicableTradeTax()
        tax.calculated_amount = _amount(vat)
        tax.type_code = "VAT"
        if category == VatCategory.outside_scope:
            tax.exemption_reason = mentions.OUTSIDE_SCOPE
            tax.exemption_reason_code = "VATEX-EU-O"
        tax.basis_amount = _amount(base)
        tax.category_code = category
        if category == VatCategory.standard:
            if get_settings().invoicing.vat_on_debits:
                tax.due_date_type_code = "5"  # VAT due at invoicing (option on debits)
            tax.rate_applicable_percent = rate
        settlement.trade_tax.add(tax)
    terms = PaymentTerms(description=" ".join(mentions.legal_lines(invoice)))
    if invoice.due_date is not None:  # a sale on account (BT-9)
        terms.due = invoice.due_date
    settlement.terms.add(terms)
    due = invoice.total_incl_vat_cents - invoice.paid_cents
    summation = settlement.monetary_summation
    summation.line_total = _amount(sum(line.total_excl_vat_cents for line in lines))
    summation.charge_total = Decimal("0.00")
    summation.allowance_total = Decimal("0.00")
    summation.tax_basis_total = _amount(invoice.total_excl_vat_cents)
    summation.tax_total = (_amount(invoice.total_vat_cents), invoice.currency)
    summation.grand_total = _amount(invoice.total_incl_vat_cents)
    summation.prepaid_total = _amount(invoice.paid_cents)
    summation.due_amount = _amount(due)


def cii_xml(
    invoice: Invoice, lines: list[InvoiceLine], *, credited_number: str | None = None
) -> bytes:
    """The document as UN/CEFACT CII XML, EN 16931 profile."""
    doc = Document()
    doc.context.guideline_parameter.id = EN16931
    doc.header.id = invoice.number
    doc.header.type_code = TYPE_CODES[DocumentKind(invoice.kind)]
    doc.header.issue_date_time = invoice.issued_at.astimezone(zone()).date()
    category = mentions.CATEGORY_TEXT[Category(invoice.category)]
    doc.header.notes.add(IncludedNote(content=f"Catégorie : {category}"))
    if invoice.reason:
        doc.header.notes.add(IncludedNote(content=f"Motif : {invoice.reason}"))
    _seller(doc)
    _buyer(doc, invoice)
    if invoice.delivery_address:
        doc.trade.delivery.ship_to.name = invoice.buyer_company or invoice.buyer_name
        _address(doc.trade.delivery.ship_to.address, invoice.delivery_address)
    doc.trade.delivery.event.occurrence = invoice.issued_at.astimezone(zone()).date()
    for position, line in enumerate(lines, start=1):
        doc.trade.items.add(_line(line, position))
    _settlement(doc, invoice, lines)
    if credited_number:
        doc.trade.settlement.invoice_referenced_document.issuer_assigned_id = credited_number
    return bytes(doc.serialize(schema="FACTUR-X_EN16931"))


def facturx_pdf(pdf: bytes, xml: bytes, *, title: str, author: str) -> bytes:
    """The PDF/A-3 with `xml` embedded (checked against the EN 16931 XSD first)."""
    made = facturx.generate_from_binary(
        pdf,
        xml,
        flavor="factur-x",
        level="en16931",
        check_xsd=True,
        pdf_metadata={"author": author, "keywords": "Factur-X", "title": title, "subject": title},
        lang="fr-FR",
        afrelationship="data",
    )
    return bytes(made)
