from __future__ import annotations

from uuid import UUID

from anyio import to_thread
from fastapi import APIRouter, Response, status

from app.auth.public import DbSession, FrontDesk, Manager, Staff
from app.clients.public import ClientNotFound
from app.core.errors import ValidationFailed, error_responses
from app.core.pagination import Page, Pagination
from app.loyalty import card, errors, ledger, service
from app.loyalty.dependencies import OwnClient, StaffClient
from app.loyalty.schemas import (
    AdjustmentIn,
    CardOut,
    EntryOut,
    MyLoyaltyOut,
    RedeemForClientIn,
    RedemptionOut,
    RewardIn,
    RewardOut,
    RuleIn,
    RuleOut,
    ScanIn,
    ScannedOut,
    StaffLoyaltyOut,
    TierIn,
    TierOut,
)

router = APIRouter(tags=["loyalty"])
_REDEEM_ERRORS = (errors.RewardNotFound, errors.RewardNotAvailable, errors.NotEnoughPoints)


@router.get("/api/v1/me/loyalty", responses=error_responses(errors.NotAMember))
async def my_loyalty(me: OwnClient, session: DbSession) -> MyLoyaltyOut:
    """Her balance, tier and its stated rule, next expiry, what she can redeem, her recent
    movements and rewards (with their codes while usable)."""
    return await service.member_summary(session, me.id)


@router.get("/api/v1/me/loyalty/entries", responses=error_responses(errors.NotAMember))
async def my_loyalty_entries(me: OwnClient, session: DbSession, page: Pagination) -> Page[EntryOut]:
    """Her whole ledger, newest first."""
    return await service.history(session, me.id, page=page)


@router.get("/api/v1/me/loyalty/card", responses=error_responses(errors.NotAMember))
async def my_card(me: OwnClient, session: DbSession) -> CardOut:
    """Her member card: the token the till scans and its QR code (SVG)."""
    member = await ledger.lock_member(session, me.id)
    token = card.token_for(member)
    return CardOut(token=token, version=member.card_version, svg=card.qr_svg(token))


@router.get(
    "/api/v1/me/loyalty/card/pdf",
    response_class=Response,
    responses={200: {"content": {"application/pdf": {}}}, **error_responses(errors.NotAMember)},
)
async def my_card_pdf(me: OwnClient, session: DbSession) -> Response:
    """Her member card as a PDF to print or keep on her phone."""
    member = await ledger.lock_member(session, me.id)
    pdf = await to_thread.run_sync(  # CPU work: off the event loop
        card.card_pdf, card.token_for(member), f"{me.first_name} {me.last_name}".strip()
    )
    return Response(
        pdf,
        media_type="application/pdf",
        headers={"Content-Disposition": 'inline; filename="carte-fidelite.pdf"'},
    )


@router.post("/api/v1/me/loyalty/card/reissue", responses=error_responses(errors.NotAMember))
async def reissue_my_card(me: OwnClient, session: DbSession) -> CardOut:
    """A new card (a lost phone, a shared screenshot): the previous QR code stops working."""
    member = await card.reissue(session, me.id)
    token = card.token_for(member)
    return CardOut(token=token, version=member.card_version, svg=card.qr_svg(token))


@router.post(
    "/api/v1/me/loyalty/rewards/{reward_id}/redeem",
    status_code=status.HTTP_201_CREATED,
    responses=error_responses(errors.NotAMember, *_REDEEM_ERRORS),
)
async def redeem_reward(reward_id: UUID, me: OwnClient, session: DbSession) -> RedemptionOut:
    """Spend the reward's points: the answer holds her personal code, usable once by her at
    the till (`promo_code`) or at booking checkout."""
    return await service.redeem(session, me.id, reward_id, actor_user_id=None)


@router.get("/api/v1/loyalty/rewards")
async def list_rewards(session: DbSession, page: Pagination) -> Page[RewardOut]:
    """The rewards on offer, cheapest first (the site shows them to everyone)."""
    return await service.list_rewards(session, page=page, active_only=True)


@router.get("/api/v1/loyalty/rewards/all")
async def list_all_rewards(_: Manager, session: DbSession, page: Pagination) -> Page[RewardOut]:
    """Every reward, withdrawn ones too."""
    return await service.list_rewards(session, page=page, active_only=False)


@router.post("/api/v1/loyalty/rewards", status_code=status.HTTP_201_CREATED)
async def create_reward(body: RewardIn, staff: Manager, session: DbSession) -> RewardOut:
    return await service.save_reward(session, body, reward_id=None, actor_user_id=staff.user_id)


@router.put("/api/v1/loyalty/rewards/{reward_id}", responses=error_responses(errors.RewardNotFound))
async def update_reward(
    reward_id: UUID, body: RewardIn, staff: Manager, session: DbSession
) -> RewardOut:
    """Change a reward (`active: false` withdraws it); codes already issued keep their terms."""
    return await service.save_reward(
        session, body, reward_id=reward_id, actor_user_id=staff.user_id
    )


@router.get("/api/v1/loyalty/rules")
async def list_rules(_: Manager, session: DbSession, page: Pagination) -> Page[RuleOut]:
    """The earning rules, oldest first."""
    return await service.list_rules(session, page=page)


@router.post("/api/v1/loyalty/rules", status_code=status.HTTP_201_CREATED)
async def create_rule(body: RuleIn, staff: Manager, session: DbSession) -> RuleOut:
    return await service.save_rule(session, body, rule_id=None, actor_user_id=staff.user_id)


@router.put("/api/v1/loyalty/rules/{rule_id}", responses=error_responses(errors.RuleNotFound))
async def update_rule(rule_id: UUID, body: RuleIn, staff: Manager, session: DbSession) -> RuleOut:
    """Change a rule (`active: false` stops it); points already earned stay."""
    return await service.save_rule(session, body, rule_id=rule_id, actor_user_id=staff.user_id)


@router.get("/api/v1/loyalty/tiers")
async def list_tiers(_: Staff, session: DbSession) -> Page[TierOut]:
    """The salon's tiers, lowest first (one page: a salon has a few)."""
    return Page[TierOut](items=await service.list_tiers(session))


@router.post("/api/v1/loyalty/tiers", status_code=status.HTTP_201_CREATED)
async def create_tier(body: TierIn, staff: Manager, session: DbSession) -> TierOut:
    return await service.save_tier(session, body, tier_id=None, actor_user_id=staff.user_id)


@router.put("/api/v1/loyalty/tiers/{tier_id}", responses=error_responses(errors.TierNotFound))
async def update_tier(tier_id: UUID, body: TierIn, staff: Manager, session: DbSession) -> TierOut:
    """Change a tier; members move by the new rule at the next nightly run."""
    return await service.save_tier(session, body, tier_id=tier_id, actor_user_id=staff.user_id)


@router.post("/api/v1/loyalty/scan", responses=error_responses(errors.InvalidMemberCard))
async def scan_card(body: ScanIn, _: FrontDesk, session: DbSession) -> ScannedOut:
    """The till scanned a member card: the client it names, if it is her current card."""
    member = await card.scan(session, body.token)
    return await service.scanned(session, member)


@router.get("/api/v1/clients/{client_id}/loyalty", responses=error_responses(ClientNotFound))
async def client_loyalty(who: StaffClient, session: DbSession) -> StaffLoyaltyOut:
    """The CRM widget: points, tier, next expiry, last rewards."""
    return await service.staff_summary(session, who.id)


@router.get(
    "/api/v1/clients/{client_id}/loyalty/entries", responses=error_responses(ClientNotFound)
)
async def client_loyalty_entries(
    who: StaffClient, session: DbSession, page: Pagination
) -> Page[EntryOut]:
    """Her ledger, newest first."""
    return await service.history(session, who.id, page=page)


@router.post(
    "/api/v1/clients/{client_id}/loyalty/adjustments",
    status_code=status.HTTP_201_CREATED,
    responses=error_responses(ClientNotFound, errors.NotEnoughPoints, ValidationFailed),
)
async def adjust_points(
    who: StaffClient, body: AdjustmentIn, staff: Manager, session: DbSession
) -> EntryOut:
    """Add or take points, with a reason (audited)."""
    return await service.adjust(
        session, who.id, points=body.points, reason=body.reason, actor_user_id=staff.user_id
    )


@router.post(
    "/api/v1/clients/{client_id}/loyalty/redemptions",
    status_code=status.HTTP_201_CREATED,
    responses=error_responses(ClientNotFound, *_REDEEM_ERRORS),
)
async def redeem_for_client(
    who: StaffClient, body: RedeemForClientIn, staff: FrontDesk, session: DbSession
) -> RedemptionOut:
    """Redeem a reward for the client at the till: her personal code is in the answer, to
    type in the order's `promo_code` now (it stays hers alone)."""
    return await service.redeem(session, who.id, body.reward_id, actor_user_id=staff.user_id)
