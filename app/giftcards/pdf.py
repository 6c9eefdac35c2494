"""The gift card as a PDF (fpdf2): the salon's name and colour, the amount or the services,
who it is for, the code in groups of four, a QR code of the code (segno), the expiry date.

Text is set in Source Sans Pro through `app/core/pdf.py` (the receipts use it too): a
character the font cannot draw (an emoji in the buyer's message) is folded or left out,
never printed as "?"."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import datetime

import segno

from app.core.config import get_settings
from app.core.pdf import FAMILY, UnicodePdf
from app.core.timeutils import zone


@dataclass(frozen=True, slots=True)
class CardFace:
    code: str  # as displayed: XXXX-XXXX-XXXX-XXXX
    value: str  # "100,00 €" or the services
    recipient_name: str
    buyer_name: str
    message: str | None
    expires_at: datetime


class _CardPdf(UnicodePdf):
    def __init__(self) -> None:
        super().__init__(orientation="L", unit="mm", format=(148.0, 210.0))  # A5


def _rgb(hex_color: str) -> tuple[int, int, int]:
    value = hex_color.lstrip("#")
    if len(value) != 6:
        value = "8C6D5A"
    return int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16)


def qr_png(payload: str) -> bytes:
    buffer = io.BytesIO()
    segno.make(payload, error="m", micro=False).save(buffer, kind="png", scale=8, border=2)
    return buffer.getvalue()


def render_card(face: CardFace) -> bytes:
    salon = get_settings().salon
    color = _rgb(salon.brand_color)
    pdf = _CardPdf()
    pdf.set_auto_page_break(False)
    pdf.set_title(f"Carte cadeau {salon.name}")
    pdf.set_author(salon.name)
    pdf.add_page()
    width = pdf.w
    pdf.set_fill_color(*color)
    pdf.rect(0, 0, width, 32, style="F")
    pdf.set_text_color(255, 255, 255)
    pdf.set_font(FAMILY, "B", 22)
    pdf.set_xy(12, 9)
    pdf.cell(0, 10, pdf.text_of(salon.name))
    pdf.set_font(FAMILY, "", 12)
    pdf.set_xy(12, 20)
    pdf.cell(0, 6, "Carte cadeau")
    pdf.set_text_color(59, 47, 42)
    pdf.set_xy(12, 42)
    pdf.set_font(FAMILY, "B", 20)
    pdf.multi_cell(120, 9, pdf.text_of(face.value))
    pdf.set_font(FAMILY, "", 12)
    pdf.set_x(12)
    pdf.multi_cell(
        120, 6, pdf.text_of(f"Pour {face.recipient_name}, de la part de {face.buyer_name}")
    )
    message = pdf.text_of(face.message[:400]) if face.message else ""
    if message:
        pdf.set_font(FAMILY, "I", 11)
        pdf.set_x(12)
        pdf.multi_cell(120, 5.5, pdf.text_of(f"«\u00a0{message}\u00a0»"))
    pdf.set_xy(12, 112)
    pdf.set_font("Courier", "B", 16)  # the code is ASCII: a fixed width keeps groups aligned
    pdf.cell(120, 8, face.code)
    pdf.set_xy(12, 122)
    pdf.set_font(FAMILY, "", 10)
    expiry = face.expires_at.astimezone(zone())
    pdf.cell(120, 5, f"Valable jusqu\u2019au {expiry:%d/%m/%Y}, en une ou plusieurs fois.")
    pdf.set_xy(12, 128)
    pdf.cell(120, 5, pdf.text_of(f"{salon.address} \u2014 {salon.phone}"))
    pdf.image(io.BytesIO(qr_png(face.code.replace("-", ""))), x=width - 62, y=58, w=50, h=50)
    pdf.set_draw_color(*color)
    pdf.rect(4, 4, width - 8, pdf.h - 8)
    return bytes(pdf.output())
