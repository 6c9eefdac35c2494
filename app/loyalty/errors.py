"""What the loyalty routes and flows answer when they refuse."""

from __future__ import annotations

from app.core.errors import AppError


class NotEnoughPoints(AppError):
    status, code, title = 409, "not_enough_points", "The client does not have enough points"


class RewardNotFound(AppError):
    status, code, title = 404, "loyalty_reward_not_found", "No such loyalty reward"


class RewardNotAvailable(AppError):
    status, code, title = 409, "loyalty_reward_not_available", "This reward is not offered now"


class RuleNotFound(AppError):
    status, code, title = 404, "loyalty_rule_not_found", "No such earning rule"


class TierNotFound(AppError):
    status, code, title = 404, "loyalty_tier_not_found", "No such loyalty tier"


class InvalidLoyaltyRule(AppError):
    status, code, title = 422, "invalid_loyalty_rule", "This earning rule is not valid"


class InvalidReward(AppError):
    status, code, title = 422, "invalid_loyalty_reward", "This reward is not valid"


class InvalidTier(AppError):
    status, code, title = 422, "invalid_loyalty_tier", "This tier is not valid"


class InvalidMemberCard(AppError):
    status, code, title = 404, "invalid_member_card", "This member card is not valid"


class NotAMember(AppError):
    status, code, title = 404, "loyalty_member_not_found", "This account has no client record"
