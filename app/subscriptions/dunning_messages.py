"""What the dunning tells: the client (e-mail and SMS, in French, with the link to update her
card) and the staff (an e-mail to the salon's address, as the low-stock alerts do). Each
message has its dedupe key `dunning:{case}:{step}` (per channel for the client), so a step
replayed writes nothing twice. The words say what really happened: the amount, the plan, the
bank's answer in plain French, the next retry, the dates of suspension and cancellation."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.core.config import get_settings
from app.core.money import euros
from app.core.timeutils import zone
from app.notifications import public as notifications
from app.subscriptions import dunning_core as core
from app.subscriptions.dunning_models import CaseState, DunningCase
from app.subscriptions.dunning_schedule import CANCEL, SUSPEND, reason, step_on

PAYMENT_FAILED = "dunning_payment_failed"
SUSPENDED = "dunning_suspended"
CANCELLED = "dunning_cancelled"
ALERT = "custom"  # staff alerts: the free-text template, words written here

_DAYS = ["lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"]
_MONTHS = [
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
]


def long_day(moment: datetime) -> str:
    """« lundi 1er mars 2027 », the salon's local date."""
    local = moment.astimezone(zone())
    day = "1er" if local.day == 1 else str(local.day)
    return f"{_DAYS[local.weekday()]} {day} {_MONTHS[local.month - 1]} {local.year}"


def short_day(moment: datetime) -> str:
    """« 16/03 » for SMS."""
    return f"{moment.astimezone(zone()):%d/%m}"


async def context(session: AsyncSession, case: DunningCase) -> dict[str, Any]:
    """The `dunning` part of the three templates' context, for the case as it is now."""
    who = await core.contact(session, case.subscription_id)
    suspend_at = case.suspended_at or step_on(case.failed_at, SUSPEND).due_at
    cancel_at = case.closed_at if case.state == CaseState.cancelled else None
    cancel_at = cancel_at or step_on(case.failed_at, CANCEL).due_at
    return {
        "plan": who.plan_name,
        "amount": euros(case.amount_cents),
        "failed_on": long_day(case.failed_at),
        "reason": reason(case.decline_code),
        "hard": case.hard,
        "retries_done": case.retries_done + case.card_retries,
        "next_retry_on": long_day(case.next_retry_at) if case.next_retry_at else None,
        "suspend_on": long_day(suspend_at),
        "suspend_short": short_day(suspend_at),
        "suspended_on": long_day(suspend_at),
        "cancel_on": long_day(cancel_at),
        "cancel_short": short_day(cancel_at),
        "cancelled_on": long_day(cancel_at),
        "cancelled_short": short_day(cancel_at),
        "card_url": core.card_update_url(case.subscription_id),
    }


async def _to_client(session: AsyncSession, case: DunningCase, template: str, step: str) -> None:
    who = await core.contact(session, case.subscription_id)
    await notifications.queue_for_client(
        session,
        template=template,
        client_id=who.client_id,
        context={"dunning": await context(session, case)},
        dedupe_prefix=f"dunning:{case.id}:{step}",
        meta={"subscription_id": str(case.subscription_id), "dunning_case_id": str(case.id)},
    )


async def remind(session: AsyncSession, case: DunningCase, step: str) -> None:
    """A reminder day's message, for the state the case is in."""
    template = SUSPENDED if case.state == CaseState.suspended else PAYMENT_FAILED
    await _to_client(session, case, template, step)


async def notify_suspended(session: AsyncSession, case: DunningCase) -> None:
    await _to_client(session, case, SUSPENDED, SUSPEND)


async def notify_cancelled(session: AsyncSession, case: DunningCase) -> None:
    await _to_client(session, case, CANCELLED, CANCEL)


# ---- staff ---------------------------------------------------------------------------------


async def _alert(
    session: AsyncSession, case: DunningCase, what: str, subject: str, lines: list[str]
) -> None:
    settings = get_settings()
    address = settings.dunning.staff_email or settings.salon.email
    who = await core.contact(session, case.subscription_id)
    text = "\n\n".join(
        [
            f"Abonnement « {who.plan_name} » de {who.first_name} : {euros(case.amount_cents)} "
            f"dus le {long_day(case.failed_at)}.",
            *lines,
            "Le détail est sur la fiche de l'abonnement (historique).",
        ]
    )
    await notifications.queue(
        session,
        template=ALERT,
        channel=notifications.Channel.email,
        recipient=notifications.Recipient(None, settings.salon.name, address, None),
        context={"subject": subject, "text": text},
        dedupe_key=f"dunning:{case.id}:alert:{what}",
        meta={"subscription_id": str(case.subscription_id), "dunning_case_id": str(case.id)},
    )


async def alert_opened(session: AsyncSession, case: DunningCase) -> None:
    who = await core.contact(session, case.subscription_id)
    code = case.decline_code or "sans code"
    if case.hard:
        next_line = (
            f"Refus définitif de la banque ({code}) : aucune nouvelle tentative automatique, "
            "seule une nouvelle carte de la cliente peut régler l'échéance."
        )
    else:
        next_line = (
            f"Refus de la banque ({code}) : nouvelle tentative le "
            f"{long_day(case.next_retry_at) if case.next_retry_at else '—'}."
        )
    await _alert(
        session,
        case,
        "opened",
        f"Échéance impayée : {who.first_name}",
        [
            next_line,
            f"Sans paiement, ses avantages seront suspendus le "
            f"{long_day(step_on(case.failed_at, SUSPEND).due_at)} et l'abonnement résilié le "
            f"{long_day(step_on(case.failed_at, CANCEL).due_at)}.",
        ],
    )


async def alert_suspended(session: AsyncSession, case: DunningCase) -> None:
    who = await core.contact(session, case.subscription_id)
    await _alert(
        session,
        case,
        SUSPEND,
        f"Abonnement suspendu : {who.first_name}",
        [
            "L'échéance reste impayée : ses soins inclus et remises sont suspendus depuis "
            "aujourd'hui (une réservation n'est plus couverte).",
            "Résiliation prévue le "
            f"{long_day(step_on(case.failed_at, CANCEL).due_at)} sans paiement d'ici là.",
        ],
    )


async def alert_cancelled(session: AsyncSession, case: DunningCase) -> None:
    who = await core.contact(session, case.subscription_id)
    await _alert(
        session,
        case,
        CANCEL,
        f"Abonnement résilié pour impayé : {who.first_name}",
        ["Aucun paiement n'est arrivé : l'abonnement est résilié aujourd'hui."],
    )


async def alert_recovered(session: AsyncSession, case: DunningCase, *, was_suspended: bool) -> None:
    who = await core.contact(session, case.subscription_id)
    lines = ["L'échéance est réglée."]
    if was_suspended:
        lines.append("Ses avantages, suspendus, sont rétablis.")
    await _alert(session, case, "recovered", f"Échéance réglée : {who.first_name}", lines)
