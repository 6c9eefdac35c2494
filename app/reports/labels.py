"""The keys and French labels of a report's rows: days, tenders and VAT rates as the till
prints them; categories, items and practitioners from the catalog and the practitioners (a
name no longer found falls back on what the ticket printed)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date
from decimal import Decimal
from typing import Literal
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from app.catalog import public as catalog
from app.journal.public import TicketLine
from app.practitioners import public as practitioners
from app.reports.sales import NO_PRACTITIONER

KeyOf = Callable[[TicketLine], str | None]
OTHER, PRODUCTS, UNCATEGORISED = "other", "products", "uncategorised"

CAUSE_LABELS = {
    "sale": "Vente",
    "return": "Retour client",
    "delivery": "Livraison",
    "treatment": "Utilisation en soin",
    "breakage": "Casse ou perte",
    "adjustment": "Ajustement",
    "count": "Inventaire",
}


def day_label(day: date) -> str:
    return day.strftime("%d/%m/%Y")


def vat_label(rate: str) -> str:
    """« TVA 20 % », « TVA 5,5 % »."""
    text = str(Decimal(rate).quantize(Decimal("0.01"))).rstrip("0").rstrip(".").replace(".", ",")
    return f"TVA {text}\u00a0%"


def _ids(lines: Iterable[TicketLine], kind: str) -> set[UUID]:
    return {line.item_id for line in lines if line.item_kind == kind and line.item_id}


async def item_names(session: AsyncSession, lines: list[TicketLine]) -> dict[str, str]:
    """Each sold item's name in the catalog, or else as its first line printed it."""
    names: dict[UUID, str] = await catalog.service_names(session, _ids(lines, "service"))
    products = await catalog.product_refs(session, _ids(lines, "product"))
    names |= {product_id: ref.name for product_id, ref in products.items()}
    found = {OTHER: "Autres"}
    for line in lines:
        if line.item_id is not None:
            found.setdefault(str(line.item_id), names.get(line.item_id, line.label))
    return found


def item_key(kind: Literal["service", "product"] | None = None) -> KeyOf:
    """A line's item; a line of no known item under OTHER. With `kind`, only its items."""

    def key_of(line: TicketLine) -> str | None:
        if kind is not None:
            return str(line.item_id) if line.item_kind == kind and line.item_id else None
        return str(line.item_id) if line.item_kind and line.item_id else OTHER

    return key_of


async def category_keys(
    session: AsyncSession, lines: list[TicketLine]
) -> tuple[KeyOf, dict[str, str]]:
    """A service line under its catalog category, a product line under « Produits », a line
    that names no item under « Autres »."""
    categories = await catalog.service_categories(session, _ids(lines, "service"))

    def key_of(line: TicketLine) -> str:
        if line.item_kind == "product":
            return PRODUCTS
        if line.item_kind != "service":
            return OTHER
        found = categories.get(line.item_id) if line.item_id else None
        return str(found.id) if found else UNCATEGORISED

    labels = {
        PRODUCTS: "Produits",
        UNCATEGORISED: "Prestations sans catégorie",
        OTHER: "Autres",
    } | {str(category.id): category.name for category in categories.values()}
    return key_of, labels


async def practitioner_labels(session: AsyncSession, lines: list[TicketLine]) -> dict[str, str]:
    """Each practitioner's name, or else as the ticket printed it."""
    ids = {p for line in lines for p in line.practitioner_ids}
    names = await practitioners.practitioner_names(session, ids)
    found = {NO_PRACTITIONER: "Sans praticienne"}
    for line in lines:
        for position, practitioner_id in enumerate(line.practitioner_ids):
            printed = line.practitioners[position] if position < len(line.practitioners) else ""
            name = names.get(practitioner_id) or printed or "Praticienne inconnue"
            found.setdefault(str(practitioner_id), name)
    return found
