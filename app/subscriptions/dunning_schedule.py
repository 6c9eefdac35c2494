"""The dunning schedule of one failed renewal, and what a decline code means for it.

Pure functions of the failure's instant and the DUNNING_* settings: day J+n is the n-th local
day after the failure's local date, its steps run from DUNNING_HOUR local time (so no SMS at
three in the morning, and a change of clocks moves nothing). The case row only remembers what
was done (its `dunning_steps`), so a schedule changed in settings applies to open cases too.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta

from app.core.config import DunningSettings, get_settings
from app.core.timeutils import local_instant, zone

RETRY = "retry"
REMINDER = "reminder"
SUSPEND = "suspend"
CANCEL = "cancel"

# Stripe's decline codes (docs.stripe.com/declines/codes) after which retrying the same card is
# pointless or penalised by the networks (Visa's "never approve" category): the card is
# reported lost or stolen, closed, refused outright, or needs the client herself (a new number,
# 3-D Secure). Stripe's own Smart Retries skip the same kind of codes; `do_not_honor` is here
# because the issue names it as hard: the issuer refused without a reason, and retrying a
# refusal nightly only raises the salon's decline ratio. Only a new card helps.
HARD_DECLINES = frozenset(
    {
        "authentication_required",
        "card_not_supported",
        "currency_not_supported",
        "do_not_honor",
        "do_not_try_again",
        "expired_card",
        "fraudulent",
        "incorrect_number",
        "invalid_account",
        "invalid_number",
        "lost_card",
        "merchant_blacklist",
        "new_account_information_available",
        "pickup_card",
        "restricted_card",
        "revocation_of_all_authorizations",
        "revocation_of_authorization",
        "security_violation",
        "service_not_allowed",
        "stolen_card",
        "stop_payment_order",
        "transaction_not_allowed",
    }
)

# What the client reads (« n'a pas abouti : … »). Never the word fraud: Stripe asks not to tell
# a cardholder her payment was flagged, so refusals of that kind read as a plain refusal.
_REASONS = {
    "insufficient_funds": "la banque indique un solde insuffisant",
    "card_velocity_exceeded": "le plafond de la carte est atteint",
    "withdrawal_count_limit_exceeded": "le plafond de la carte est atteint",
    "expired_card": "la carte enregistrée a expiré",
    "incorrect_number": "le numéro de la carte enregistrée n'est pas valide",
    "invalid_number": "le numéro de la carte enregistrée n'est pas valide",
    "authentication_required": "la banque demande une authentification (3-D Secure)",
    "processing_error": "une erreur technique est survenue chez la banque",
    "issuer_not_available": "la banque n'a pas pu être jointe",
    "try_again_later": "la banque n'a pas pu traiter le paiement",
}
_REFUSED = "la banque a refusé cette carte"
_DECLINED = "la banque a refusé le paiement"


def is_hard(decline_code: str | None) -> bool:
    """Whether retrying the same card is ruled out (only a new card helps)."""
    return decline_code in HARD_DECLINES


def reason(decline_code: str | None) -> str:
    """The failure in the client's words."""
    if decline_code in _REASONS:
        return _REASONS[decline_code]
    return _REFUSED if is_hard(decline_code) else _DECLINED


@dataclass(frozen=True, slots=True)
class Step:
    name: str  # "retry:2", "reminder:7", "suspend", "cancel"
    kind: str
    day: int
    due_at: datetime


def settings() -> DunningSettings:
    return get_settings().dunning


def day_at(failed_at: datetime, day: int, config: DunningSettings | None = None) -> datetime:
    """The instant day J+`day` of a failure starts for dunning (DUNNING_HOUR, local time; the
    next hour when that one is skipped by a change of clocks)."""
    config = config or settings()
    tz = zone()
    local_day = failed_at.astimezone(tz).date() + timedelta(days=day)
    for hour in (config.hour, config.hour + 1):
        instant = local_instant(local_day, time(min(hour, 23)), tz)
        if instant is not None:
            return instant
    raise ValueError(f"no {config.hour}:00 on {local_day}")  # pragma: no cover


def schedule(failed_at: datetime, config: DunningSettings | None = None) -> list[Step]:
    """Every step of a case, in the order they run (on one day: retry, suspension or
    cancellation, then the reminder, which then tells what just happened)."""
    config = config or settings()
    steps = [
        Step(f"{RETRY}:{n}", RETRY, day, day_at(failed_at, day, config))
        for n, day in enumerate(config.retry_days[: config.max_retries], start=1)
        if day < config.cancel_after_days
    ]
    steps.append(
        Step(
            SUSPEND,
            SUSPEND,
            config.suspend_after_days,
            day_at(failed_at, config.suspend_after_days, config),
        )
    )
    steps.append(
        Step(
            CANCEL,
            CANCEL,
            config.cancel_after_days,
            day_at(failed_at, config.cancel_after_days, config),
        )
    )
    steps += [
        Step(f"{REMINDER}:{day}", REMINDER, day, day_at(failed_at, day, config))
        for day in config.reminder_days
        if day <= config.cancel_after_days
    ]
    order = {RETRY: 0, SUSPEND: 1, CANCEL: 2, REMINDER: 3}
    return sorted(steps, key=lambda step: (step.due_at, order[step.kind]))


def step_on(failed_at: datetime, kind: str, config: DunningSettings | None = None) -> Step:
    return next(step for step in schedule(failed_at, config) if step.kind == kind)
