"""The subscriptions domain's errors (their codes never change once shipped)."""

from __future__ import annotations

from app.core.errors import AppError


class PlanNotFound(AppError):
    status, code, title = 404, "subscription_plan_not_found", "No subscription plan has this id"


class SubscriptionNotFound(AppError):
    status, code, title = 404, "subscription_not_found", "No subscription has this id"


class PlanNotOnSale(AppError):
    status, code, title = 409, "subscription_plan_not_on_sale", "This plan is not for sale"


class AlreadySubscribed(AppError):
    status, code, title = 409, "subscription_already_exists", "The client already has this plan"


class InvalidSubscriptionState(AppError):
    status, code, title = (
        409,
        "subscription_invalid_state",
        "The subscription cannot do this in its current state",
    )


class CommitmentNotOver(AppError):
    status, code, title = (
        409,
        "subscription_commitment_not_over",
        "The commitment period is not over: staff may cancel with a reason",
    )


class NotAllowedByPlan(AppError):
    status, code, title = (
        403,
        "subscription_not_allowed_by_plan",
        "The plan does not let the client do this herself",
    )


class PauseTooLong(AppError):
    status, code, title = 422, "subscription_pause_too_long", "The plan allows a shorter pause"


class UnknownServices(AppError):
    status, code, title = (
        422,
        "subscription_unknown_services",
        "An included service does not exist",
    )


class OverrideNeedsReason(AppError):
    status, code, title = 422, "subscription_override_needs_reason", "Say why the rule is set aside"


class InvalidCardLink(AppError):
    status, code, title = 404, "subscription_card_link_invalid", "This card link is not valid"
