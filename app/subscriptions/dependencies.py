"""Loaders of the subscriptions routes: a plan for managers, a membership for staff, and the
client's own membership (404 when it is not hers: she never learns another's exists)."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import Depends, Request

from app.auth.public import ClientSelf, DbSession, FrontDesk, Manager, is_write
from app.clients import public as clients
from app.subscriptions.errors import SubscriptionNotFound
from app.subscriptions.models import Subscription, SubscriptionPlan
from app.subscriptions.plans import get_plan
from app.subscriptions.service import get_subscription


async def plan_for_manager(
    plan_id: UUID, _: Manager, session: DbSession, request: Request
) -> SubscriptionPlan:
    return await get_plan(session, plan_id, lock=is_write(request))


async def membership_for_staff(
    subscription_id: UUID, _: FrontDesk, session: DbSession, request: Request
) -> Subscription:
    return await get_subscription(session, subscription_id, lock=is_write(request))


async def own_membership(
    subscription_id: UUID, client: ClientSelf, session: DbSession, request: Request
) -> Subscription:
    own = await clients.client_for_user(session, client.user_id)
    sub = await get_subscription(session, subscription_id, lock=is_write(request))
    if own is None or sub.client_id != own.id:
        raise SubscriptionNotFound()
    return sub


PlanForManager = Annotated[SubscriptionPlan, Depends(plan_for_manager)]
MembershipForStaff = Annotated[Subscription, Depends(membership_for_staff)]
OwnMembership = Annotated[Subscription, Depends(own_membership)]
