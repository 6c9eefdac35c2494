"""The entries of a package's prepayment (docs/packages.md, "Accounting"). Its VAT is
collected when it is paid (services: VAT at collection, CGI 269-2-c); 487000 holds the price
without VAT until each session is used, kept, lost at expiry or refunded."""

from __future__ import annotations

from datetime import datetime

from app.accounting import chart
from app.accounting.models import JournalCode, SourceKind
from app.accounting.postings import Draft
from app.packages.public import PackageExpired, PackageRefunded, PackageSold, SessionUsed


def _draft(label: str, ref: str, key: str, at: datetime) -> Draft:
    return Draft(
        journal=JournalCode.misc,
        at=at,
        label=label,
        document_ref=ref,
        source_kind=SourceKind.package,
        source_key=key,
    )


def sold_online(event: PackageSold) -> Draft:
    """The payment posted the money as a client advance (419100, gross): it becomes the
    prepayment without VAT, and its VAT is collected now. (At the till the ticket's own
    entry does the same: its package line posts to 487000 with its VAT.)"""
    draft = _draft(
        f"Vente forfait {event.name}"[:200],
        str(event.package_id),
        f"package_sold:{event.package_id}",
        event.sold_at,
    )
    draft.add(chart.DEPOSITS, event.price_cents)
    draft.add(chart.PREPAID_PACKAGES, -event.price_excl_vat_cents)
    vat = chart.vat_collected(event.vat_rate)
    draft.add(vat, -event.vat_cents, vat_base=-event.price_excl_vat_cents)
    return draft


def session_used(event: SessionUsed) -> Draft:
    """A session used (or kept by the policy): its share without VAT becomes revenue."""
    draft = _draft(
        "Séance de forfait utilisée" if event.outcome == "used" else "Séance de forfait perdue",
        str(event.booking_id),
        f"package_session:{event.use_id}",
        event.at,
    )
    draft.add(chart.PREPAID_PACKAGES, event.revenue_excl_vat_cents)
    draft.add(chart.revenue("service", event.vat_rate), -event.revenue_excl_vat_cents)
    return draft


def expired(event: PackageExpired) -> Draft:
    """Sessions lost at expiry: their share without VAT becomes revenue."""
    draft = _draft(
        "Forfait expiré",
        str(event.package_id),
        f"package_expired:{event.package_id}:{event.at.isoformat()}",
        event.at,
    )
    draft.add(chart.PREPAID_PACKAGES, event.remainder_excl_vat_cents)
    draft.add(chart.revenue("service", event.vat_rate), -event.remainder_excl_vat_cents)
    return draft


def refunded(event: PackageRefunded) -> Draft:
    """Unused sessions refunded: the refund (posted by the payment's refund against the
    client advances, gross) leaves the prepayment with its VAT given back; what those
    sessions held beyond it becomes revenue."""
    draft = _draft(
        "Remboursement forfait",
        str(event.package_id),
        f"package_refunded:{event.package_id}",
        event.at,
    )
    refund_vat = event.refund_cents - event.refund_excl_vat_cents
    draft.add(chart.PREPAID_PACKAGES, event.refund_excl_vat_cents + event.released_excl_vat_cents)
    vat = chart.vat_collected(event.vat_rate)
    draft.add(vat, refund_vat, vat_base=event.refund_excl_vat_cents)
    draft.add(chart.DEPOSITS, -event.refund_cents)
    draft.add(chart.revenue("service", event.vat_rate), -event.released_excl_vat_cents)
    return draft
