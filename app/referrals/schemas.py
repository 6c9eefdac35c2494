from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from app.referrals.models import ReferralChannel, ReferralStatus, RefusalReason


class ClaimIn(BaseModel):
    model_config = ConfigDict(json_schema_extra={"example": {"code": "CAMILLE-7K3P"}})

    code: str = Field(min_length=3, max_length=40)


class PersonalCodeOut(BaseModel):
    """A code only its owner may use, once (shown to her alone)."""

    code: str
    state: str  # available, held, used, withdrawn, expired
    ends_at: datetime | None


class InvitationOut(BaseModel):
    """A friend who came with the client's code: her first name only."""

    friend_first_name: str
    status: ReferralStatus
    signed_up_at: datetime
    booked_at: datetime | None
    paid_at: datetime | None
    rewarded_at: datetime | None
    reward: PersonalCodeOut | None


class ReferredByOut(BaseModel):
    referrer_first_name: str
    status: ReferralStatus
    welcome: PersonalCodeOut | None


class MyReferralsOut(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "example": {
                "code": "CAMILLE-7K3P",
                "link": "https://serenaia.example/reservation?parrainage=CAMILLE-7K3P",
                "invitations": [],
                "rewards_earned": 0,
                "referred_by": None,
            }
        }
    )

    code: str
    link: str
    invitations: list[InvitationOut]
    rewards_earned: int
    referred_by: ReferredByOut | None


class ClaimOut(BaseModel):
    """What the friend sees of her claim: refused or not, never why (staff see the reason)."""

    status: ReferralStatus
    referrer_first_name: str
    welcome: PersonalCodeOut | None


class ReferralOut(BaseModel):
    """A referral as staff see it: the reason of a refusal, no code text."""

    model_config = ConfigDict(from_attributes=True)

    id: UUID
    referrer_client_id: UUID
    friend_client_id: UUID
    code: str  # the referrer's referral code (public: she shares it)
    channel: ReferralChannel
    status: ReferralStatus
    reason_code: RefusalReason | None
    booking_id: UUID | None
    signed_up_at: datetime
    booked_at: datetime | None
    paid_at: datetime | None
    rewarded_at: datetime | None
    refused_at: datetime | None
    reversed_at: datetime | None
    welcome_value_cents: int | None
    reward_value_cents: int | None
    reward_lost: bool
    visit_amount_cents: int | None
    refunded_cents: int
    revenue_cents: int


class ClientReferralsOut(BaseModel):
    client_id: UUID
    code: str | None  # None until she asks for hers (GET /me/referrals)
    link: str | None
    referred: list[ReferralOut]
    referred_by: ReferralOut | None


class ConversionRates(BaseModel):
    """Percentages (one decimal) of the step before; None when the step before is empty."""

    booked: Decimal | None
    paid: Decimal | None
    rewarded: Decimal | None
    overall: Decimal | None  # rewarded out of signed up


class StatsOut(BaseModel):
    date_from: date | None
    date_to: date | None
    signed_up: int
    refused_at_claim: int
    booked: int
    paid: int
    rewarded: int
    refused: int
    reversed: int
    conversion: ConversionRates
    welcome_codes: int
    welcome_value_cents: int
    rewards: int
    rewards_value_cents: int
    rewards_lost: int
    revenue_cents: int
