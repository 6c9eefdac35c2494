"""The gift card as a PDF (fpdf2): the salon's name and colour, the amount or the services,
who it is for, the code in groups of four, a QR code of the code (segno), the expiry date."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import datetime

import segno
from fpdf import FPDF

from app.core.config import get_settings
from app.core.timeutils import zone


@dataclass(frozen=True, slots=True)
class CardFace:
    code: str  # as displayed: XXXX-XXXX-XXXX-XXXX
    value: str  # "100,00 euros" or the services
    recipient_name: str
    buyer_name: str
    message: str | None
    expires_at: datetime


def _latin1(text: str) -> str:
    """The PDF core fonts speak Latin-1: fold the few French characters outside it."""
    folded = (
        text.replace("€", "euros")
        .replace("œ", "oe")
        .replace("Œ", "OE")
        .replace("\u2019", "'")
        .replace("\u2026", "...")
        .replace("\u00a0", " ")
    )
    return folded.encode("latin-1", "replace").decode("latin-1")


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
    pdf = FPDF(orientation="L", unit="mm", format=(148.0, 210.0))  # A5
    pdf.set_auto_page_break(False)
    pdf.set_title(_latin1(f"Carte cadeau {salon.name}"))
    pdf.set_author(_latin1(salon.name))
    pdf.add_page()
    width = pdf.w
    pdf.set_fill_color(*color)
    pdf.rect(0, 0, width, 32, style="F")
    pdf.set_text_color(255, 255, 255)
    pdf.set_font("Helvetica", "B", 22)
    pdf.set_xy(12, 9)
    pdf.cell(0, 10, _latin1(salon.name))
    pdf.set_font("Helvetica", "", 12)
    pdf.set_xy(12, 20)
    pdf.cell(0, 6, "Carte cadeau")
    pdf.set_text_color(59, 47, 42)
    pdf.set_xy(12, 42)
    pdf.set_font("Helvetica", "B", 20)
    pdf.multi_cell(120, 9, _latin1(face.value))
    pdf.set_font("Helvetica", "", 12)
    pdf.set_x(12)
    pdf.multi_cell(120, 6, _latin1(f"Pour {face.recipient_name}, de la part de {face.buyer_name}"))
    if face.message:
        pdf.set_font("Helvetica", "I", 11)
        pdf.set_x(12)
        pdf.multi_cell(120, 5.5, _latin1(f"« {face.message[:400]} »"))
    pdf.set_xy(12, 112)
    pdf.set_font("Courier", "B", 16)
    pdf.cell(120, 8, face.code)
    pdf.set_xy(12, 122)
    pdf.set_font("Helvetica", "", 10)
    expiry = face.expires_at.astimezone(zone())
    pdf.cell(120, 5, _latin1(f"Valable jusqu'au {expiry:%d/%m/%Y}, en une ou plusieurs fois."))
    pdf.set_xy(12, 128)
    pdf.cell(120, 5, _latin1(f"{salon.address} - {salon.phone}"))
    pdf.image(io.BytesIO(qr_png(face.code.replace("-", ""))), x=width - 62, y=58, w=50, h=50)
    pdf.set_draw_color(*color)
    pdf.rect(4, 4, width - 8, pdf.h - 8)
    return bytes(pdf.output())
