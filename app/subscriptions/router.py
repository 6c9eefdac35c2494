"""Subscriptions over HTTP: plans (managers make them, the site lists them), the client's
memberships (subscribe, pause, resume, change plan, cancel, a new card), the same for staff,
and the manager's figures."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Query, status

from app.auth.public import ClientSelf, DbSession, FrontDesk, Manager
from app.core.errors import ValidationFailed, error_responses
from app.core.pagination import Page, Pagination
from app.subscriptions import dunning_reports, errors, flows, plans, reports, service, views
from app.subscriptions.dependencies import MembershipForStaff, OwnMembership, PlanForManager
from app.subscriptions.dunning_reports import DunningReportOut
from app.subscriptions.schemas import (
    CancelIn,
    CardLinkIn,
    CardOut,
    ChangePlanIn,
    ChangePlanOut,
    DeskSubscribeIn,
    MembershipDetailOut,
    MembershipOut,
    PauseIn,
    PlanIn,
    PlanOut,
    PlanPatch,
    ProrationOut,
    ReportOut,
    SubscribeIn,
    SubscribeOut,
)

router = APIRouter(tags=["subscriptions"])
MembershipState = Literal["incomplete", "active", "past_due", "suspended", "paused", "cancelled"]
_SUBSCRIBE = (errors.PlanNotFound, errors.PlanNotOnSale, errors.AlreadySubscribed)
_STATE = (errors.SubscriptionNotFound, errors.InvalidSubscriptionState, errors.NotAllowedByPlan)
_CANCEL = (*_STATE, errors.CommitmentNotOver, errors.OverrideNeedsReason)


@router.get("/api/v1/subscription-plans")
async def list_plans(session: DbSession) -> Page[PlanOut]:
    """The plans on sale, for the site (one page)."""
    return Page[PlanOut](items=await views.plans_out(session, active_only=True))


@router.post(
    "/api/v1/subscription-plans",
    status_code=status.HTTP_201_CREATED,
    responses=error_responses(errors.UnknownServices),
)
async def create_plan(body: PlanIn, manager: Manager, session: DbSession) -> PlanOut:
    """A new plan, with its Stripe Product and Price."""
    plan = await plans.create_plan(session, body.terms(), actor_user_id=manager.user_id)
    return await views.plan_out(session, plan)


@router.get("/api/v1/subscription-plans/{plan_id}", responses=error_responses(errors.PlanNotFound))
async def get_plan(plan: PlanForManager, session: DbSession) -> PlanOut:
    return await views.plan_out(session, plan)


@router.patch(
    "/api/v1/subscription-plans/{plan_id}",
    responses=error_responses(errors.PlanNotFound, errors.UnknownServices),
)
async def update_plan(
    body: PlanPatch, plan: PlanForManager, manager: Manager, session: DbSession
) -> PlanOut:
    """Change a plan; a new price is a new Stripe Price (members keep theirs until they
    change plan)."""
    changed = await plans.update_plan(session, plan, body.changes(), actor_user_id=manager.user_id)
    return await views.plan_out(session, changed)


@router.post(
    "/api/v1/me/subscriptions",
    status_code=status.HTTP_201_CREATED,
    responses=error_responses(*_SUBSCRIBE, errors.SubscriptionNotFound),
)
async def subscribe(body: SubscribeIn, client: ClientSelf, session: DbSession) -> SubscribeOut:
    """Subscribe: confirm the first payment on the site with `client_secret` (Stripe.js,
    3-D Secure); the membership is active once Stripe says the invoice is paid."""
    return await flows.subscribe_self(session, user_id=client.user_id, plan_id=body.plan_id)


@router.get("/api/v1/me/subscriptions")
async def my_subscriptions(client: ClientSelf, session: DbSession) -> Page[MembershipOut]:
    """Her memberships: status, period, sessions left, discounts, next invoice (one page)."""
    return Page[MembershipOut](items=await views.of_user(session, client.user_id))


@router.post(
    "/api/v1/me/subscriptions/{subscription_id}/pause",
    responses=error_responses(*_STATE, errors.PauseTooLong),
)
async def pause_mine(
    body: PauseIn, sub: OwnMembership, client: ClientSelf, session: DbSession
) -> MembershipOut:
    await service.pause(
        session, sub, months=body.months, by_client=True, actor_user_id=client.user_id
    )
    return await views.membership(session, sub)


@router.post(
    "/api/v1/me/subscriptions/{subscription_id}/resume", responses=error_responses(*_STATE)
)
async def resume_mine(sub: OwnMembership, client: ClientSelf, session: DbSession) -> MembershipOut:
    await service.resume(session, sub, actor_user_id=client.user_id)
    return await views.membership(session, sub)


@router.post(
    "/api/v1/me/subscriptions/{subscription_id}/change-plan",
    responses=error_responses(*_STATE, errors.PlanNotFound, errors.PlanNotOnSale),
)
async def change_mine(
    body: ChangePlanIn, sub: OwnMembership, client: ClientSelf, session: DbSession
) -> ChangePlanOut:
    """Another plan from now: the proration (credit and charge, on the next invoice) is
    stated in the answer."""
    stated = await service.change_plan(
        session, sub, plan_id=body.plan_id, by_client=True, actor_user_id=client.user_id
    )
    return ChangePlanOut(
        membership=await views.membership(session, sub),
        proration=ProrationOut.model_validate(stated, from_attributes=True),
    )


@router.post(
    "/api/v1/me/subscriptions/{subscription_id}/cancel", responses=error_responses(*_CANCEL)
)
async def cancel_mine(
    body: CancelIn, sub: OwnMembership, client: ClientSelf, session: DbSession
) -> MembershipOut:
    """Cancel at the period's end (or now); refused inside the commitment."""
    await service.cancel(
        session,
        sub,
        at_period_end=body.at_period_end,
        by_client=True,
        reason=body.reason,
        actor_user_id=client.user_id,
    )
    return await views.membership(session, sub)


@router.post("/api/v1/me/subscriptions/{subscription_id}/card", responses=error_responses(*_STATE))
async def card_mine(sub: OwnMembership, _: ClientSelf, session: DbSession) -> CardOut:
    """A SetupIntent for a new card (Stripe Elements): it becomes the default one."""
    secret, key = await service.card_update(session, sub)
    return CardOut(client_secret=secret, publishable_key=key)


@router.post(
    "/api/v1/subscriptions/card-link",
    responses=error_responses(errors.InvalidCardLink, *_STATE),
)
async def card_from_link(body: CardLinkIn, session: DbSession) -> CardOut:
    """The card page opened from a reminder's signed link (no login)."""
    return await flows.card_from_link(session, body.token)


@router.get("/api/v1/subscription-reports/summary")
async def report(
    _: Manager,
    session: DbSession,
    start: Annotated[datetime, Query(alias="from")],
    end: Annotated[datetime, Query(alias="to")],
) -> ReportOut:
    """MRR and members now; churn and allowance used vs sold over [from, to)."""
    return await reports.summary(session, start=start, end=end)


@router.get("/api/v1/subscription-reports/dunning", responses=error_responses(ValidationFailed))
async def dunning_report(
    _: Manager,
    session: DbSession,
    start: Annotated[datetime, Query(alias="from")],
    end: Annotated[datetime, Query(alias="to")],
) -> DunningReportOut:
    """Revenue the dunning recovered (by retry, new card, other payment) and lost (cancelled
    at J+30 or ended unpaid) over [from, to), the cases by outcome, and those still open."""
    return await dunning_reports.dunning_report(session, start=start, end=end)


@router.get("/api/v1/subscriptions")
async def list_memberships(
    _: FrontDesk,
    session: DbSession,
    page: Pagination,
    status_filter: Annotated[MembershipState | None, Query(alias="status")] = None,
) -> Page[MembershipOut]:
    """Every membership, newest first."""
    return await views.listing(session, page=page, status=status_filter)


@router.post(
    "/api/v1/subscriptions",
    status_code=status.HTTP_201_CREATED,
    responses=error_responses(*_SUBSCRIBE),
)
async def subscribe_at_desk(
    body: DeskSubscribeIn, staff: FrontDesk, session: DbSession
) -> SubscribeOut:
    """Subscribe a client at the desk: she receives the link to save her card, which pays
    the first invoice."""
    return await flows.subscribe_at_desk(
        session, client_id=body.client_id, plan_id=body.plan_id, actor_user_id=staff.user_id
    )


@router.get(
    "/api/v1/subscriptions/{subscription_id}",
    responses=error_responses(errors.SubscriptionNotFound),
)
async def get_membership(sub: MembershipForStaff, session: DbSession) -> MembershipDetailOut:
    """One membership with its invoices and its timeline (Stripe, staff, dunning)."""
    return await views.detail(session, sub)


@router.post(
    "/api/v1/subscriptions/{subscription_id}/pause",
    responses=error_responses(*_STATE, errors.PauseTooLong),
)
async def pause(
    body: PauseIn, sub: MembershipForStaff, staff: FrontDesk, session: DbSession
) -> MembershipOut:
    await service.pause(
        session, sub, months=body.months, by_client=False, actor_user_id=staff.user_id
    )
    return await views.membership(session, sub)


@router.post("/api/v1/subscriptions/{subscription_id}/resume", responses=error_responses(*_STATE))
async def resume(sub: MembershipForStaff, staff: FrontDesk, session: DbSession) -> MembershipOut:
    await service.resume(session, sub, actor_user_id=staff.user_id)
    return await views.membership(session, sub)


@router.post(
    "/api/v1/subscriptions/{subscription_id}/change-plan",
    responses=error_responses(*_STATE, errors.PlanNotFound, errors.PlanNotOnSale),
)
async def change_plan(
    body: ChangePlanIn, sub: MembershipForStaff, staff: FrontDesk, session: DbSession
) -> ChangePlanOut:
    stated = await service.change_plan(
        session, sub, plan_id=body.plan_id, by_client=False, actor_user_id=staff.user_id
    )
    return ChangePlanOut(
        membership=await views.membership(session, sub),
        proration=ProrationOut.model_validate(stated, from_attributes=True),
    )


@router.post("/api/v1/subscriptions/{subscription_id}/cancel", responses=error_responses(*_CANCEL))
async def cancel(
    body: CancelIn, sub: MembershipForStaff, staff: FrontDesk, session: DbSession
) -> MembershipOut:
    """Cancel; inside the commitment only with `override_commitment` and a reason."""
    await service.cancel(
        session,
        sub,
        at_period_end=body.at_period_end,
        by_client=False,
        reason=body.reason,
        override=body.override_commitment,
        actor_user_id=staff.user_id,
    )
    return await views.membership(session, sub)
