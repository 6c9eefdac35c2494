"""Low-stock thresholds: the first movement that takes a product to its threshold or below
queues one e-mail to the salon's address; the next one waits until the stock went back
above it. The state lives on the locked stock row, so concurrent sales send one message."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from app.catalog import public as catalog
from app.core.config import get_settings
from app.notifications import public as notifications
from app.stock.models import StockItem, Unit

# The free-text template staff messages use: the words are written here, in French.
TEMPLATE = "custom"


def crossed_downwards(item: StockItem) -> bool:
    """Whether the stock just reached its threshold from above (and remember it)."""
    if item.low_threshold is None:
        return False
    if item.on_hand > item.low_threshold:
        item.low_alerted = False
        return False
    if item.low_alerted:
        return False
    item.low_alerted = True
    item.low_alerts += 1
    return True


def quantity_text(quantity: int, unit: str) -> str:
    """« 1 pièce », « 3 pièces », « 40 ml », « 250 g »."""
    if unit == Unit.piece:
        return f"{quantity} pièce{'s' if abs(quantity) > 1 else ''}"
    return f"{quantity} {unit}"


def low_stock_text(product: catalog.ProductRef, item: StockItem) -> tuple[str, str]:
    """The subject and text of the message, in French."""
    name = f"{product.name} ({product.brand})" if product.brand else product.name
    threshold = item.low_threshold or 0
    subject = f"Stock bas : {product.name}"
    left = quantity_text(item.on_hand, item.unit)
    text = (
        f"Il reste {left} de {name} en stock, "
        f"pour un seuil d'alerte de {quantity_text(threshold, item.unit)}."
    )
    if product.sku:
        text += f"\nRéférence : {product.sku}."
    text += "\n\nPensez à passer commande auprès du fournisseur."
    return subject, text


async def queue_low_stock(session: AsyncSession, item: StockItem) -> None:
    """One e-mail per crossing (its dedupe key counts the crossings), in the transaction of
    the movement that crossed."""
    product = (await catalog.product_refs(session, [item.product_id]))[item.product_id]
    subject, text = low_stock_text(product, item)
    salon = get_settings().salon
    await notifications.queue(
        session,
        template=TEMPLATE,
        channel=notifications.Channel.email,
        recipient=notifications.Recipient(None, salon.name, salon.email, None),
        context={"subject": subject, "text": text},
        dedupe_key=f"stock-low:{item.product_id}:{item.low_alerts}",
        meta={"product_id": str(item.product_id), "on_hand": item.on_hand},
    )
