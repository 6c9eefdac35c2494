"""The member card: a QR code the till scans to find the client. Its token is the client's
id, the card's version and an HMAC of both with a key derived from SECURITY_SECRET_KEY; it
is never stored (it is computed again when shown), so no staff screen can list it.
Re-issuing the card bumps the version: the old token is refused from then on."""

from __future__ import annotations

import base64
import hashlib
import hmac
import io
import struct
from uuid import UUID

import segno
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.config import get_settings
from app.core.pdf import FAMILY, UnicodePdf
from app.loyalty import ledger
from app.loyalty.errors import InvalidMemberCard
from app.loyalty.models import LoyaltyMember

PREFIX = "FID1"
_MAC_BYTES = 16


def _key() -> bytes:
    return hashlib.sha256(b"loyalty-card:" + get_settings().secret_key.encode()).digest()


def _mac(client_id: UUID, version: int) -> bytes:
    message = client_id.bytes + struct.pack(">I", version)
    return hmac.new(_key(), message, hashlib.sha256).digest()[:_MAC_BYTES]


def token_for(member: LoyaltyMember) -> str:
    raw = member.client_id.bytes + struct.pack(">I", member.card_version)
    raw += _mac(member.client_id, member.card_version)
    return PREFIX + base64.urlsafe_b64encode(raw).decode().rstrip("=")


def read_token(token: str) -> tuple[UUID, int]:
    """The client and card version a token names; `InvalidMemberCard` if it was not ours."""
    if not token.startswith(PREFIX):
        raise InvalidMemberCard()
    body = token[len(PREFIX) :]
    try:
        raw = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
    except ValueError as exc:
        raise InvalidMemberCard() from exc
    if len(raw) != 16 + 4 + _MAC_BYTES:
        raise InvalidMemberCard()
    client_id, version = UUID(bytes=raw[:16]), struct.unpack(">I", raw[16:20])[0]
    if not hmac.compare_digest(raw[20:], _mac(client_id, version)):
        raise InvalidMemberCard()
    return client_id, version


async def scan(session: AsyncSession, token: str) -> LoyaltyMember:
    """The member a scanned card names, if it is her current card."""
    client_id, version = read_token(token)
    member = await session.get(LoyaltyMember, client_id)
    if member is None or member.card_version != version:
        raise InvalidMemberCard()
    return member


async def reissue(session: AsyncSession, client_id: UUID) -> LoyaltyMember:
    member = await ledger.lock_member(session, client_id)
    member.card_version += 1
    await session.flush()
    return member


def qr_svg(token: str) -> str:
    buffer = io.BytesIO()
    segno.make(token, error="m").save(buffer, kind="svg", scale=6, border=2)
    return buffer.getvalue().decode()


def qr_png(token: str) -> bytes:
    buffer = io.BytesIO()
    segno.make(token, error="m").save(buffer, kind="png", scale=8, border=2)
    return buffer.getvalue()


def card_pdf(token: str, name: str) -> bytes:
    """A card-sized PDF (85.6 by 54 mm): the salon, her name, the QR code."""
    salon = get_settings().salon
    pdf = UnicodePdf(orientation="L", unit="mm", format=(54.0, 85.6))
    pdf.set_auto_page_break(False)
    pdf.set_title(f"Carte de fidélité {salon.name}")
    pdf.add_page()
    pdf.set_font(FAMILY, "B", 11)
    pdf.set_xy(5, 5)
    pdf.cell(0, 6, pdf.text_of(salon.name))
    pdf.set_font(FAMILY, "", 9)
    pdf.set_xy(5, 12)
    pdf.cell(0, 5, "Carte de fidélité")
    pdf.set_xy(5, 40)
    pdf.cell(45, 5, pdf.text_of(name))
    pdf.image(io.BytesIO(qr_png(token)), x=52, y=12, w=30, h=30)
    return bytes(pdf.output())
