"""The receipt as a PDF: A4, or the 80 mm width of a thermal printer (one page as long as
the receipt). The text is `receipts.printed_lines`, set in the house's Unicode font
(`app/core/pdf.py`), so the PDF, the JSON and the journal say the same thing."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from fpdf.enums import XPos, YPos

from app.core.pdf import FAMILY, UnicodePdf
from app.journal.public import TicketPayload
from app.sales.receipts import SalonIdentity, printed_lines, title_of

Width = Literal["a4", "thermal"]


@dataclass(frozen=True, slots=True)
class Layout:
    width: float  # mm
    margin: float
    size: float  # the body's font size, pt
    line: float  # mm per line


LAYOUTS: dict[Width, Layout] = {
    "a4": Layout(width=210.0, margin=20.0, size=11, line=5.5),
    "thermal": Layout(width=80.0, margin=4.0, size=8.5, line=4.0),
}
A4_HEIGHT = 297.0
_ROLL = 3000.0  # a first pass measures the thermal receipt on a long roll


def _style(text: str, title: str) -> tuple[str, float]:
    if text == title.upper():
        return "B", 1.5
    if text.startswith(("DUPLICATA", "Total TTC")):
        return "B", 1.1
    return "", 1.0


def _draw(lines: list[str], title: str, layout: Layout, height: float) -> tuple[bytes, float]:
    pdf = UnicodePdf(orientation="P", unit="mm", format=(layout.width, height))
    pdf.set_margins(layout.margin, layout.margin, layout.margin)
    pdf.set_auto_page_break(height == A4_HEIGHT, margin=layout.margin)
    pdf.set_title(title)
    pdf.add_page()
    usable = layout.width - 2 * layout.margin
    for text in lines:
        style, scale = _style(text, title)
        pdf.set_font(FAMILY, style, layout.size * scale)
        pdf.multi_cell(
            usable, layout.line * scale, pdf.text_of(text), new_x=XPos.LMARGIN, new_y=YPos.NEXT
        )
    return bytes(pdf.output()), pdf.get_y() + layout.margin


def render_receipt(
    ticket: TicketPayload,
    identity: SalonIdentity,
    *,
    duplicate_count: int | None,
    width: Width = "a4",
) -> bytes:
    """The receipt of `ticket` as a PDF; a reprint says "DUPLICATA n"."""
    layout = LAYOUTS[width]
    lines = printed_lines(ticket, identity, duplicate_count=duplicate_count)
    title = title_of(ticket, duplicate_count)
    if width == "a4":
        return _draw(lines, title, layout, A4_HEIGHT)[0]
    _, used = _draw(lines, title, layout, _ROLL)
    return _draw(lines, title, layout, used)[0]
