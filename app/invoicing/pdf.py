"""The invoice or credit note as an A4 PDF (fpdf2, the house's Unicode font), made a
Factur-X by `facturx.py`: PDF/A-3 needs an output intent (fpdf2's sRGB profile) and
embedded fonts (the house's TrueType ones are)."""

from __future__ import annotations

from importlib.resources import files

from fpdf.enums import OutputIntentSubType, XPos, YPos
from fpdf.output import PDFICCProfile

from app.core.pdf import FAMILY, UnicodePdf
from app.invoicing import mentions
from app.invoicing.models import Invoice, InvoiceLine

MARGIN = 18.0
WIDTHS = (86.0, 14.0, 28.0, 18.0, 28.0)  # Désignation, Qté, PU HT, TVA, Total HT
HEADERS = ("Désignation", "Qté", "PU HT", "TVA", "Total HT")


def _srgb() -> PDFICCProfile:
    profile = (files("fpdf") / "data" / "color_profiles" / "sRGB2014.icc").read_bytes()
    return PDFICCProfile(contents=profile, n=3, alternate="DeviceRGB")


def _block(
    pdf: UnicodePdf, lines: list[str], *, size: float = 10, bold_first: bool = False
) -> None:
    for n, text in enumerate(lines):
        pdf.set_font(FAMILY, "B" if bold_first and n == 0 else "", size)
        pdf.multi_cell(0, 5, pdf.text_of(text), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(3)


def _table(pdf: UnicodePdf, lines: list[InvoiceLine]) -> None:
    pdf.set_font(FAMILY, "B", 10)
    for width, header in zip(WIDTHS, HEADERS, strict=True):
        pdf.cell(width, 7, header, border="B", align="L" if header == "Désignation" else "R")
    pdf.ln(7)
    pdf.set_font(FAMILY, "", 10)
    for line in lines:
        for n, (width, text) in enumerate(zip(WIDTHS, mentions.line_cells(line), strict=True)):
            pdf.cell(width, 6, pdf.text_of(text), align="L" if n == 0 else "R")
        pdf.ln(6)
    pdf.ln(4)


def render_invoice(
    invoice: Invoice,
    lines: list[InvoiceLine],
    *,
    credited_number: str | None = None,
    ticket_number: str | None = None,
) -> bytes:
    """The PDF (not yet Factur-X) of `invoice`, in French."""
    title = f"{mentions.title(invoice)} {invoice.number}"
    pdf = UnicodePdf(orientation="P", unit="mm", format="A4")
    pdf.set_margins(MARGIN, MARGIN, MARGIN)
    pdf.set_auto_page_break(True, margin=MARGIN)
    pdf.set_title(title)
    pdf.set_lang("fr-FR")
    pdf.add_output_intent(
        OutputIntentSubType.PDFA,
        output_condition_identifier="sRGB",
        registry_name="http://www.color.org",
        dest_output_profile=_srgb(),
        info="sRGB2014",
    )
    pdf.add_page()
    pdf.set_font(FAMILY, "B", 18)
    pdf.cell(0, 10, mentions.title(invoice).upper(), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    _block(pdf, mentions.seller_lines(mentions.seller()), bold_first=True)
    _block(pdf, mentions.heading_lines(invoice, credited_number, ticket_number), bold_first=True)
    _block(pdf, mentions.buyer_lines(invoice))
    _table(pdf, lines)
    _block(pdf, mentions.total_lines(invoice, lines))
    _block(pdf, mentions.legal_lines(invoice), size=8.5)
    return bytes(pdf.output())
