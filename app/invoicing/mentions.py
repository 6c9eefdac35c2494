"""What an invoice or a credit note says, in French, from the settings and the document:
every mandatory mention (CGI ann. II 242 nonies A, Code de commerce L441-9, the e-invoicing
reform's four; docs/invoicing.md lists each and where it comes from). The PDF prints these
lines; the Factur-X XML carries the same facts."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from app.core.config import get_settings
from app.core.money import euros
from app.core.timeutils import zone
from app.invoicing.models import Category, DocumentKind, Invoice, InvoiceLine, VatCategory

CATEGORY_TEXT = {
    Category.goods: "Livraison de biens",
    Category.services: "Prestation de services",
    Category.both: "Livraison de biens et prestation de services",
}
VAT_ON_DEBITS = "Option pour le paiement de la taxe d'après les débits"
OUTSIDE_SCOPE = (
    "Hors champ de la TVA (bon à usages multiples : TVA due à son utilisation, CGI art. 256 ter)"
)


@dataclass(frozen=True, slots=True)
class Seller:
    name: str
    legal_form: str
    share_capital: str
    address: str
    siren: str
    siret: str
    rcs_city: str
    vat_number: str
    email: str
    phone: str


def seller() -> Seller:
    settings = get_settings()
    salon, invoicing = settings.salon, settings.invoicing
    return Seller(
        salon.name,
        invoicing.legal_form,
        invoicing.share_capital,
        salon.address,
        invoicing.siren,
        salon.siret,
        invoicing.rcs_city,
        salon.vat_number,
        salon.email,
        salon.phone,
    )


def rate_text(rate: Decimal) -> str:
    """« 20 % », « 5,5 % »."""
    text = str(Decimal(rate).quantize(Decimal("0.01"))).rstrip("0").rstrip(".")
    return f"{text.replace('.', ',')}\u00a0%"


def title(invoice: Invoice) -> str:
    return "Facture" if invoice.kind == DocumentKind.invoice else "Avoir"


def vat_by_rate(lines: list[InvoiceLine]) -> list[tuple[str, Decimal, int, int]]:
    """(VAT category, rate, base without VAT, VAT) per category and rate, in that order; the
    VAT of a rate is its lines' amounts with VAT less without (the till's rule), so the
    totals add up exactly."""
    by_rate: dict[tuple[str, Decimal], list[int]] = {}
    for line in lines:
        sums = by_rate.setdefault((line.vat_category, Decimal(line.vat_rate)), [0, 0])
        sums[0] += line.total_excl_vat_cents
        sums[1] += line.total_incl_vat_cents
    return [(cat, rate, base, incl - base) for (cat, rate), (base, incl) in sorted(by_rate.items())]


def seller_lines(who: Seller) -> list[str]:
    return [
        who.name,
        f"{who.legal_form} au capital de {who.share_capital}",
        who.address,
        f"SIREN {who.siren} — RCS {who.rcs_city} — SIRET {who.siret}",
        f"N° TVA intracommunautaire {who.vat_number}",
        f"{who.email} — {who.phone}",
    ]


def buyer_lines(invoice: Invoice) -> list[str]:
    lines = ["Client :"]
    if invoice.buyer_company:
        lines += [invoice.buyer_company, f"À l'attention de {invoice.buyer_name}"]
    else:
        lines.append(invoice.buyer_name)
    if invoice.buyer_address:
        lines.append(invoice.buyer_address)
    if invoice.buyer_siren:
        lines.append(f"SIREN {invoice.buyer_siren}")
    if invoice.buyer_siret:
        lines.append(f"SIRET {invoice.buyer_siret}")
    if invoice.buyer_vat_number:
        lines.append(f"N° TVA intracommunautaire {invoice.buyer_vat_number}")
    return lines


def heading_lines(
    invoice: Invoice, credited_number: str | None, ticket_number: str | None
) -> list[str]:
    local = invoice.issued_at.astimezone(zone())
    lines = [f"{title(invoice)} n° {invoice.number}", f"Date : {local:%d/%m/%Y}"]
    if credited_number:
        lines.append(f"Avoir sur la facture n° {credited_number}")
    if invoice.reason:
        lines.append(f"Motif : {invoice.reason}")
    if ticket_number:
        lines.append(f"Ticket de caisse n° {ticket_number}")
    lines.append(f"Catégorie : {CATEGORY_TEXT[Category(invoice.category)]}")
    if invoice.delivery_address:
        lines.append(f"Adresse de livraison : {invoice.delivery_address}")
    return lines


def total_lines(invoice: Invoice, lines: list[InvoiceLine]) -> list[str]:
    printed = [f"Total HT : {euros(invoice.total_excl_vat_cents)}"]
    for category, rate, base, vat in vat_by_rate(lines):
        if category == VatCategory.outside_scope:
            printed.append(f"{OUTSIDE_SCOPE} : {euros(base)}")
        else:
            printed.append(f"TVA {rate_text(rate)} sur {euros(base)} HT : {euros(vat)}")
    printed += [
        f"Total TVA : {euros(invoice.total_vat_cents)}",
        f"Total TTC : {euros(invoice.total_incl_vat_cents)}",
    ]
    if invoice.kind == DocumentKind.invoice:
        due = invoice.total_incl_vat_cents - invoice.paid_cents
        if invoice.paid_cents and invoice.paid_at is not None:
            paid_on = invoice.paid_at.astimezone(zone())
            methods = f" ({invoice.payment_methods})" if invoice.payment_methods else ""
            printed.append(f"Facture acquittée le {paid_on:%d/%m/%Y}{methods}")
        printed.append(f"Net à payer : {euros(due)}")
        if invoice.due_date is not None:
            printed.append(f"Date d'échéance : {invoice.due_date:%d/%m/%Y}")
    return printed


def legal_lines(invoice: Invoice) -> list[str]:
    """Payment terms, late-payment penalties (and the 40 € indemnity for a business
    client), the VAT-on-debits option when opted."""
    invoicing = get_settings().invoicing
    terms = invoicing.payment_terms
    if invoice.due_date is not None:  # a sale on account to a business client
        terms = (
            f"paiement à {invoicing.account_payment_days} jours date de facture, par virement, "
            f"au plus tard le {invoice.due_date:%d/%m/%Y} ; pas d'escompte pour paiement anticipé."
        )
    lines = [f"Conditions de paiement : {terms}", invoicing.late_penalty]
    if invoice.buyer_company:
        lines.append(
            "Indemnité forfaitaire pour frais de recouvrement en cas de retard de paiement : "
            f"{euros(invoicing.recovery_indemnity_cents)}"
        )
    if invoicing.vat_on_debits:
        lines.append(VAT_ON_DEBITS)
    return lines


def line_cells(line: InvoiceLine) -> tuple[str, str, str, str, str]:
    """Désignation, Qté, PU HT, TVA, Total HT."""
    return (
        line.label,
        str(line.quantity),
        euros(line.unit_price_excl_vat_cents),
        "Hors champ"
        if line.vat_category == VatCategory.outside_scope
        else rate_text(Decimal(line.vat_rate)),
        euros(line.total_excl_vat_cents),
    )
