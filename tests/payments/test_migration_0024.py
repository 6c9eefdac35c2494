"""Migration 0024 moves the card that paid from `provider_ref` ("gift_card:{card}:{payment}")
to `payments.gift_card_id`, and back on a downgrade."""

from __future__ import annotations

from uuid import UUID

import pytest
from alembic import command
from sqlalchemy.exc import IntegrityError

from tests.core.test_migrations import _alembic, empty_database

__all__ = ["empty_database"]

CARD = UUID("0193a3c4-1111-7000-8000-00000000c0de")
PAID_BY_CARD = UUID("0193a3c4-2222-7000-8000-000000000001")
PAID_IN_CASH = UUID("0193a3c4-2222-7000-8000-000000000002")

GIFT_CARD = (
    "INSERT INTO gift_cards (id, code_hash, code_hint, code_sealed, status, initial_cents, "
    "currency, vat_treatment, buyer_name, recipient_name, deliver_on, expires_at, created_at) "
    "VALUES (%s, 'hash', 'ABCD', 'sealed', 'active', 5000, 'EUR', 'multi_purpose', 'Inès', "
    "'Léa', '2027-03-15', '2028-03-15T23:59:59+01:00', now())"
)
PAYMENT = (
    "INSERT INTO payments (id, method, purpose, status, amount_cents, currency, subject_kind, "
    "subject_id, provider, provider_ref, created_at, updated_at) "
    "VALUES (%s, %s, 'balance', 'succeeded', 3000, 'EUR', 'booking', gen_random_uuid(), "
    "'none', %s, now(), now())"
)
READ = "SELECT method, gift_card_id, provider_ref FROM payments ORDER BY id"


def test_the_card_that_paid_moves_to_its_column_and_back(empty_database: str) -> None:
    config = _alembic(empty_database)
    engine = config.attributes["connection"]
    command.upgrade(config, "0023")
    old_ref = f"gift_card:{CARD}:{PAID_BY_CARD}"
    with engine.begin() as connection:
        connection.exec_driver_sql(GIFT_CARD, (CARD,))
        connection.exec_driver_sql(PAYMENT, (PAID_BY_CARD, "gift_card", old_ref))
        connection.exec_driver_sql(PAYMENT, (PAID_IN_CASH, "cash", None))

    command.upgrade(config, "0024")
    with engine.connect() as connection:
        upgraded = connection.exec_driver_sql(READ).all()
    with pytest.raises(IntegrityError), engine.begin() as connection:
        # A gift-card payment must name its card: the check refuses one that does not.
        connection.exec_driver_sql(
            "UPDATE payments SET gift_card_id = NULL WHERE id = %s", (PAID_BY_CARD,)
        )
    with pytest.raises(IntegrityError), engine.begin() as connection:
        # The card that paid cannot go while its payments stay.
        connection.exec_driver_sql("DELETE FROM gift_cards")
    with engine.begin() as connection:
        # Any registered kind is accepted by the table now (the registry checks kinds).
        connection.exec_driver_sql("UPDATE payments SET subject_kind = 'membership'")
        connection.exec_driver_sql("UPDATE payments SET subject_kind = 'booking'")

    command.downgrade(config, "0023")
    with engine.connect() as connection:
        restored = connection.exec_driver_sql("SELECT method, provider_ref FROM payments").all()
    engine.dispose()

    assert upgraded == [("gift_card", CARD, None), ("cash", None, None)]
    assert sorted(restored, key=lambda row: row[0]) == [("cash", None), ("gift_card", old_ref)]
