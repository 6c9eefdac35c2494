"""Cards a client saves for a later no-show fee (Stripe SetupIntents), with her consent."""

from __future__ import annotations

from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from app.core.clock import utcnow
from app.core.config import get_settings
from app.core.ids import new_id
from app.payments import providers
from app.payments.checkout import customer_ref_of
from app.payments.errors import MethodNotAllowed
from app.payments.models import Provider, SavedCard, SavedCardStatus


def card_consent_text() -> str:
    """What the client agrees to when she saves a card (she reads it: French)."""
    return (
        f"J'autorise {get_settings().salon.name} à débiter cette carte en cas d'absence ou "
        "d'annulation tardive d'un rendez-vous, selon les conditions que j'ai acceptées."
    )


async def start_card_setup(
    session: AsyncSession, *, client_id: UUID, consent_text: str
) -> tuple[SavedCard, str]:
    """Open a SetupIntent so the client saves a card; returns it and its client secret."""
    adapter = providers.stripe_provider()
    customer = await customer_ref_of(session, client_id)
    if customer is None:
        raise MethodNotAllowed("Saving a card needs a client account.")
    now = utcnow()
    card_id = new_id()
    setup_ref, secret = await adapter.setup_card(customer_ref=customer, key=f"setup-{card_id}")
    card = SavedCard(
        id=card_id,
        client_id=client_id,
        provider=adapter.provider,
        setup_ref=setup_ref,
        status=SavedCardStatus.pending,
        consent_text=consent_text,
        consented_at=now,
        created_at=now,
        updated_at=now,
    )
    session.add(card)
    await session.flush()
    return card, secret


async def remove_card(session: AsyncSession, card: SavedCard) -> None:
    if card.payment_method_ref and card.status == SavedCardStatus.active:
        adapter = providers.stripe_provider() if card.provider == Provider.stripe else None
        if adapter is not None:
            await adapter.detach_card(card.payment_method_ref)
    card.status, card.updated_at = SavedCardStatus.removed, utcnow()
