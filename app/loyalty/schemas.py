"""Requests and answers of the loyalty routes."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, model_validator

from app.loyalty.models import Action, RewardKind, RuleKind, TierBasis


class EntryOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: UUID
    kind: str
    points: int
    expires_at: datetime | None
    source_kind: str
    source_id: UUID | None
    shortfall: int
    reason: str | None
    at: datetime


class TierOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: UUID
    name: str
    rank: int
    basis: str
    threshold: int
    multiplier: Decimal
    perks: list[str]


class TierIn(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "example": {
                "name": "Silver",
                "rank": 1,
                "basis": "spend",
                "threshold": 30000,
                "multiplier": "1.25",
                "perks": ["Un soin découverte offert par an"],
            }
        }
    )

    name: str = Field(min_length=1, max_length=40)
    rank: int = Field(ge=0, le=100)
    basis: TierBasis = TierBasis.spend
    threshold: int = Field(ge=0, le=100_000_000)  # cents of spend, or visits
    multiplier: Decimal = Field(default=Decimal(1), gt=0, le=10, max_digits=4, decimal_places=2)
    perks: list[str] = Field(default_factory=list, max_length=10)


class RuleIn(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "example": {"kind": "per_euro", "name": "Soins visage x2", "points_per_euro": "2"}
        }
    )

    kind: RuleKind
    name: str = Field(min_length=1, max_length=120)
    points_per_euro: Decimal | None = Field(
        default=None, gt=0, le=100, max_digits=6, decimal_places=2
    )
    points: int | None = Field(default=None, gt=0, le=100_000)
    multiplier: Decimal | None = Field(default=None, gt=0, le=10, max_digits=4, decimal_places=2)
    item_kind: Literal["service", "product"] | None = None
    category_id: UUID | None = None
    action: Action | None = None
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    active: bool = True

    @model_validator(mode="after")
    def _fits_kind(self) -> RuleIn:
        kind = self.kind
        if kind is RuleKind.per_euro and self.points_per_euro is None:
            raise ValueError("A per-euro rule needs `points_per_euro`.")
        if kind in {RuleKind.per_visit, RuleKind.action} and self.points is None:
            raise ValueError("This rule needs `points`.")
        if kind is RuleKind.action and self.action is None:
            raise ValueError("An action rule names its `action`.")
        if kind is RuleKind.campaign:
            if self.starts_at is None or self.ends_at is None:
                raise ValueError("A campaign has `starts_at` and `ends_at`.")
            if self.multiplier is None and self.points is None:
                raise ValueError("A campaign gives a `multiplier` or extra `points`.")
        if self.starts_at and self.ends_at and self.starts_at >= self.ends_at:
            raise ValueError("`starts_at` must come before `ends_at`.")
        return self


class RuleOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: UUID
    kind: str
    name: str
    points_per_euro: Decimal | None
    points: int | None
    multiplier: Decimal | None
    item_kind: str | None
    category_id: UUID | None
    action: str | None
    starts_at: datetime | None
    ends_at: datetime | None
    active: bool


class RewardIn(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "example": {
                "name": "Soin visage offert",
                "kind": "free_service",
                "points_cost": 500,
                "service_id": "0190a1b2-0000-7000-8000-000000000001",
            }
        }
    )

    name: str = Field(min_length=1, max_length=120)
    kind: RewardKind
    points_cost: int = Field(gt=0, le=1_000_000)
    percent: Decimal | None = Field(default=None, gt=0, le=100, max_digits=5, decimal_places=2)
    amount_cents: int | None = Field(default=None, gt=0, le=100_000)
    service_id: UUID | None = None
    product_id: UUID | None = None
    active: bool = True

    @model_validator(mode="after")
    def _fits_kind(self) -> RewardIn:
        needs = {
            RewardKind.percent: self.percent,
            RewardKind.amount: self.amount_cents,
            RewardKind.gift_card_value: self.amount_cents,
            RewardKind.free_service: self.service_id,
            RewardKind.free_product: self.product_id,
        }
        if needs[self.kind] is None:
            raise ValueError(f"A {self.kind} reward needs its value.")
        return self


class RewardOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: UUID
    name: str
    kind: str
    points_cost: int
    percent: Decimal | None
    amount_cents: int | None
    service_id: UUID | None
    product_id: UUID | None
    active: bool


class RedemptionOut(BaseModel):
    id: UUID
    reward_id: UUID
    reward_name: str
    points: int
    state: str  # available, held, used, withdrawn, expired
    ends_at: datetime | None
    at: datetime
    code: str | None = None  # only in the client's own answers


class NextExpiry(BaseModel):
    points: int
    expires_at: datetime


class TierStatus(BaseModel):
    tier: TierOut | None
    since: datetime | None
    rule: str  # how tiers move, as the client reads it (French)


class MyLoyaltyOut(BaseModel):
    balance: int
    tier: TierStatus
    next_expiry: NextExpiry | None
    redeemable: list[RewardOut]
    recent: list[EntryOut]
    rewards: list[RedemptionOut]


class StaffLoyaltyOut(BaseModel):
    client_id: UUID
    balance: int
    tier: TierStatus
    next_expiry: NextExpiry | None
    last_rewards: list[RedemptionOut]


class AdjustmentIn(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={"example": {"points": -50, "reason": "Geste commercial annulé"}}
    )

    points: int = Field(ge=-100_000, le=100_000)
    reason: str = Field(min_length=3, max_length=500)


class RedeemForClientIn(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={"example": {"reward_id": "0190a1b2-0000-7000-8000-000000000002"}}
    )

    reward_id: UUID


class ScanIn(BaseModel):
    model_config = ConfigDict(json_schema_extra={"example": {"token": "AZCh…"}})

    token: str = Field(min_length=10, max_length=200)


class ScannedOut(BaseModel):
    client_id: UUID
    first_name: str
    last_name: str
    balance: int
    tier: str | None


class CardOut(BaseModel):
    token: str
    version: int
    svg: str  # the QR code
