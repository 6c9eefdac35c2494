"""The loyalty tables. The points ledger (`loyalty_entries`) and what each debit took from
each grant (`loyalty_allocations`) are never edited: a trigger refuses UPDATE and DELETE but
what a client merge (client_id) and an erasure (reason, actor) need (migration 0034)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from uuid import UUID

from sqlalchemy import CheckConstraint, ForeignKey, Index, Numeric, String, Text, Uuid, text
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Mapped, mapped_column

from app.core.db import Base
from app.core.enums import check_in
from app.core.ids import new_id


class EntryKind(StrEnum):
    earned = "earned"  # + a sale, a visit or an action; a grant with its own expiry
    spent = "spent"  # - a reward redeemed
    expired = "expired"  # - what was left of a grant at its expiry
    reversed = "reversed"  # - a refund or a credit ticket took back what its sale earned
    adjusted = "adjusted"  # ± by a manager, with a reason (a + is a grant)
    restored = "restored"  # + a reward withdrawn before use gave its points back (a grant)


GRANTS = (EntryKind.earned, EntryKind.adjusted, EntryKind.restored)


class LoyaltyMember(Base):
    """A client's place in the programme: the row every read and spend of her points locks,
    her tier, and the version of her member card (re-issuing it refuses the old QR code)."""

    __tablename__ = "loyalty_members"

    client_id: Mapped[UUID] = mapped_column(
        ForeignKey("clients.id", ondelete="RESTRICT"), primary_key=True
    )
    tier_id: Mapped[UUID | None] = mapped_column(
        ForeignKey("loyalty_tiers.id", ondelete="SET NULL")
    )
    tier_since_at: Mapped[datetime | None]
    card_version: Mapped[int] = mapped_column(server_default=text("1"))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]

    __table_args__ = (CheckConstraint("card_version > 0", name="card_version_positive"),)


class LoyaltyEntry(Base):
    """One movement of points. `source_key` makes each cause count once (a ticket, a
    booking, a refund, an action, a redemption)."""

    __tablename__ = "loyalty_entries"

    id: Mapped[UUID] = mapped_column(primary_key=True, default=new_id)
    client_id: Mapped[UUID] = mapped_column(ForeignKey("clients.id", ondelete="RESTRICT"))
    kind: Mapped[str] = mapped_column(String(10))
    points: Mapped[int]
    # A grant's own expiry; None on debits.
    expires_at: Mapped[datetime | None]
    source_key: Mapped[str] = mapped_column(String(120))
    source_kind: Mapped[str] = mapped_column(String(20))
    source_id: Mapped[UUID | None] = mapped_column(Uuid)
    # Earned: the sale's amount the reversal maths divide by; reversed: the amount refunded.
    base_cents: Mapped[int] = mapped_column(server_default=text("0"))
    # An earning of a visit (a ticket with a service or a booking): tiers count visits.
    visit: Mapped[bool] = mapped_column(server_default=text("false"))
    # A reversal names the earning it takes back.
    earned_entry_id: Mapped[UUID | None] = mapped_column(
        ForeignKey("loyalty_entries.id", ondelete="RESTRICT")
    )
    # A reversal the balance could not pay in full: the points it could not take.
    shortfall: Mapped[int] = mapped_column(server_default=text("0"))
    reason: Mapped[str | None] = mapped_column(Text)
    actor_user_id: Mapped[UUID | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    at: Mapped[datetime]

    __table_args__ = (
        check_in("kind", EntryKind),
        CheckConstraint("points <> 0 OR kind = 'reversed'", name="points_not_zero"),
        CheckConstraint(
            "(kind IN ('earned', 'restored') AND points > 0) OR "
            "(kind IN ('spent', 'expired', 'reversed') AND points <= 0) OR "
            "(kind = 'adjusted' AND points <> 0)",
            name="sign_matches_kind",
        ),
        CheckConstraint("(points > 0) = (expires_at IS NOT NULL)", name="grants_expire"),
        CheckConstraint("shortfall >= 0 AND base_cents >= 0", name="amounts_valid"),
        Index("uq_loyalty_entries_source", "source_key", unique=True),
        Index("ix_loyalty_entries_client_at", "client_id", "at", "id"),
        Index(
            "ix_loyalty_entries_grants",
            "client_id",
            "expires_at",
            postgresql_where=text("points > 0"),
        ),
        Index("ix_loyalty_entries_earned", "earned_entry_id"),
        {"info": {"append_only": True}},
    )


class LoyaltyAllocation(Base):
    """How many points of a grant a debit took: a grant's remaining points are its points
    less its allocations, so grants are never edited."""

    __tablename__ = "loyalty_allocations"

    id: Mapped[UUID] = mapped_column(primary_key=True, default=new_id)
    grant_id: Mapped[UUID] = mapped_column(ForeignKey("loyalty_entries.id", ondelete="RESTRICT"))
    debit_id: Mapped[UUID] = mapped_column(ForeignKey("loyalty_entries.id", ondelete="RESTRICT"))
    points: Mapped[int]

    __table_args__ = (
        CheckConstraint("points > 0", name="points_positive"),
        Index("uq_loyalty_allocations_pair", "grant_id", "debit_id", unique=True),
        Index("ix_loyalty_allocations_debit", "debit_id"),
        {"info": {"append_only": True}},
    )


class RuleKind(StrEnum):
    per_euro = "per_euro"  # points per euro paid (optionally on a kind or a service category)
    per_visit = "per_visit"  # points per visit (a ticket or booking with a service)
    campaign = "campaign"  # between two dates: a multiplier and/or extra points per sale
    action = "action"  # points for something the client did


class Action(StrEnum):
    first_online_booking = "first_online_booking"
    verified_review = "verified_review"
    birthday = "birthday"


class EarningRule(Base):
    __tablename__ = "loyalty_rules"

    id: Mapped[UUID] = mapped_column(primary_key=True, default=new_id)
    kind: Mapped[str] = mapped_column(String(10))
    name: Mapped[str] = mapped_column(String(120))
    points_per_euro: Mapped[Decimal | None] = mapped_column(Numeric(6, 2))
    points: Mapped[int | None]
    multiplier: Mapped[Decimal | None] = mapped_column(Numeric(4, 2))
    item_kind: Mapped[str | None] = mapped_column(String(8))  # service or product
    category_id: Mapped[UUID | None] = mapped_column(Uuid)  # a service category
    action: Mapped[str | None] = mapped_column(String(24))
    starts_at: Mapped[datetime | None]
    ends_at: Mapped[datetime | None]
    active: Mapped[bool] = mapped_column(server_default=text("true"))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]

    __table_args__ = (
        check_in("kind", RuleKind),
        CheckConstraint(
            "(kind = 'per_euro' AND points_per_euro > 0) OR "
            "(kind = 'per_visit' AND points > 0) OR "
            "(kind = 'campaign' AND starts_at IS NOT NULL AND ends_at IS NOT NULL "
            " AND (multiplier > 0 OR points > 0)) OR "
            "(kind = 'action' AND action IS NOT NULL AND points > 0)",
            name="rule_valid",
        ),
        CheckConstraint(
            "item_kind IS NULL OR item_kind IN ('service', 'product')", name="item_kind_valid"
        ),
        CheckConstraint(
            "action IS NULL OR action IN ('first_online_booking', 'verified_review', 'birthday')",
            name="action_valid",
        ),
        CheckConstraint(
            "starts_at IS NULL OR ends_at IS NULL OR starts_at < ends_at", name="dates_valid"
        ),
    )


class TierBasis(StrEnum):
    spend = "spend"  # euros paid over the rolling period
    visits = "visits"  # visits over the rolling period


class Tier(Base):
    __tablename__ = "loyalty_tiers"

    id: Mapped[UUID] = mapped_column(primary_key=True, default=new_id)
    name: Mapped[str] = mapped_column(String(40))
    rank: Mapped[int]
    basis: Mapped[str] = mapped_column(String(8))
    threshold: Mapped[int]  # cents of spend, or a number of visits
    multiplier: Mapped[Decimal] = mapped_column(Numeric(4, 2), server_default=text("1"))
    perks: Mapped[list[str]] = mapped_column(ARRAY(Text), server_default=text("'{}'"))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]

    __table_args__ = (
        check_in("basis", TierBasis),
        CheckConstraint("threshold >= 0 AND multiplier > 0 AND rank >= 0", name="tier_valid"),
        Index("uq_loyalty_tiers_rank", "rank", unique=True),
        Index("uq_loyalty_tiers_name", "name", unique=True),
    )


class TierMove(Base):
    __tablename__ = "loyalty_tier_moves"

    id: Mapped[UUID] = mapped_column(primary_key=True, default=new_id)
    client_id: Mapped[UUID] = mapped_column(ForeignKey("clients.id", ondelete="RESTRICT"))
    from_tier_id: Mapped[UUID | None] = mapped_column(
        ForeignKey("loyalty_tiers.id", ondelete="SET NULL")
    )
    to_tier_id: Mapped[UUID | None] = mapped_column(
        ForeignKey("loyalty_tiers.id", ondelete="SET NULL")
    )
    spend_cents: Mapped[int]
    visits: Mapped[int]
    at: Mapped[datetime]

    __table_args__ = (Index("ix_loyalty_tier_moves_client_at", "client_id", "at"),)


class RewardKind(StrEnum):
    percent = "percent"  # a percentage off (on what it names, else the basket)
    amount = "amount"  # an amount off
    free_service = "free_service"
    free_product = "free_product"
    gift_card_value = "gift_card_value"  # a fixed amount on anything (docs/loyalty.md)


class Reward(Base):
    __tablename__ = "loyalty_rewards"

    id: Mapped[UUID] = mapped_column(primary_key=True, default=new_id)
    name: Mapped[str] = mapped_column(String(120))
    kind: Mapped[str] = mapped_column(String(16))
    points_cost: Mapped[int]
    percent: Mapped[Decimal | None] = mapped_column(Numeric(5, 2))
    amount_cents: Mapped[int | None]
    service_id: Mapped[UUID | None] = mapped_column(Uuid)
    product_id: Mapped[UUID | None] = mapped_column(Uuid)
    active: Mapped[bool] = mapped_column(server_default=text("true"))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]

    __table_args__ = (
        check_in("kind", RewardKind),
        CheckConstraint("points_cost > 0", name="cost_positive"),
        CheckConstraint(
            "(kind = 'percent' AND percent > 0 AND percent <= 100) OR "
            "(kind IN ('amount', 'gift_card_value') AND amount_cents > 0) OR "
            "(kind = 'free_service' AND service_id IS NOT NULL) OR "
            "(kind = 'free_product' AND product_id IS NOT NULL)",
            name="reward_valid",
        ),
    )


class Redemption(Base):
    """A reward redeemed: the points spent and the personal code issued (its text is shown
    to the client only: staff see the state)."""

    __tablename__ = "loyalty_redemptions"

    id: Mapped[UUID] = mapped_column(primary_key=True, default=new_id)
    client_id: Mapped[UUID] = mapped_column(ForeignKey("clients.id", ondelete="RESTRICT"))
    reward_id: Mapped[UUID] = mapped_column(ForeignKey("loyalty_rewards.id", ondelete="RESTRICT"))
    entry_id: Mapped[UUID] = mapped_column(ForeignKey("loyalty_entries.id", ondelete="RESTRICT"))
    coupon_id: Mapped[UUID] = mapped_column(Uuid)
    # The code, encrypted (app/core/sealing.py): shown again to its owner, never to staff.
    code_sealed: Mapped[str] = mapped_column(Text)
    points: Mapped[int]
    ends_at: Mapped[datetime | None]
    redeemed_by_user_id: Mapped[UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    restored_at: Mapped[datetime | None]
    at: Mapped[datetime]

    __table_args__ = (Index("ix_loyalty_redemptions_client_at", "client_id", "at"),)


class ExpiryReminder(Base):
    """One reminder per client and expiry date (a batch of grants expiring the same day)."""

    __tablename__ = "loyalty_expiry_reminders"

    id: Mapped[UUID] = mapped_column(primary_key=True, default=new_id)
    client_id: Mapped[UUID] = mapped_column(ForeignKey("clients.id", ondelete="RESTRICT"))
    expires_on: Mapped[date]
    points: Mapped[int]
    at: Mapped[datetime]

    __table_args__ = (Index("uq_loyalty_expiry_reminders", "client_id", "expires_on", unique=True),)
