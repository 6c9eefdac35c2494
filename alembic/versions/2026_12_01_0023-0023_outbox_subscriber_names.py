"""outbox_events.subscriber: explicit handler names instead of module paths

A subscriber used to be named after its handler's module and function, so moving a handler
stranded its pending rows ("no handler"). Handlers now carry a stable name; rows written
under the old ids are renamed, pending and past ones alike.

Revision ID: 0023
Revises: 0019
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0023"
down_revision: str | None = "0019"
branch_labels = None
depends_on = None

# old derived id -> stable name (app/*: `@outbox.handles(TOPIC, name=...)`)
RENAMED = {
    "app.bookings.feeds.on_practitioner_deactivated": (
        "bookings.revoke_feed_of_deactivated_practitioner"
    ),
    "app.bookings.feeds.on_staff_deactivated": "bookings.revoke_feed_of_deactivated_staff",
    "app.coupons.handlers.on_booking_confirmed": "coupons.use_on_booking_confirmed",
    "app.coupons.handlers.on_hold_expired": "coupons.release_on_hold_expired",
    "app.coupons.handlers.on_booking_cancelled": "coupons.release_on_booking_cancelled",
    "app.giftcards.delivery.on_payment_taken": "giftcards.activate_on_payment_taken",
    "app.giftcards.delivery.on_gift_card_refund": "giftcards.credit_refund_to_card",
    "app.notifications.handlers.on_confirmed": "notifications.booking_confirmed",
    "app.notifications.handlers.on_rescheduled": "notifications.booking_rescheduled",
    "app.notifications.handlers.on_cancelled": "notifications.booking_cancelled",
    "app.notifications.handlers.on_waitlist_offer": "notifications.waitlist_offer",
    "app.notifications.handlers.on_password_reset": "notifications.password_reset",
    "app.notifications.handlers.on_email_verification": "notifications.email_verification",
    "app.payments.refunds.run_auto_refund": "payments.run_auto_refund",
    "app.payments.refunds.on_booking_cancelled": "payments.refund_on_booking_cancelled",
}

_RENAME = sa.text("UPDATE outbox_events SET subscriber = :new WHERE subscriber = :old")


def _rename(pairs: dict[str, str]) -> None:
    op.execute("SET LOCAL lock_timeout = '5s'")
    for old, new in pairs.items():
        op.get_bind().execute(_RENAME, {"old": old, "new": new})


def upgrade() -> None:
    _rename(RENAMED)


def downgrade() -> None:
    _rename({new: old for old, new in RENAMED.items()})
