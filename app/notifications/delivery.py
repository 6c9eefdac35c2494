"""Delivering queued messages, each exactly once.

A worker claims due messages (`FOR UPDATE SKIP LOCKED`, so two workers never claim the same),
marks them `sending` with a lease and commits, then calls the provider outside any
transaction, then records the result. A worker that dies mid-send leaves the lease to expire;
the next worker resumes the message with the same idempotency key (the message id), which the
provider uses to recognise the send it already did. Failures are retried with exponential
backoff; after the last attempt the message is `failed` and listed for staff.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta
from uuid import UUID

from app.core.clock import utcnow
from app.core.config import get_settings
from app.core.db import unit_of_work
from app.core.sealing import SealBroken
from app.notifications import reminders, repository
from app.notifications.channels import DeliveryError, Sent, sender_for
from app.notifications.content import ContentErased, open_message
from app.notifications.models import Message, MessageStatus

logger = logging.getLogger(__name__)

LEASE = timedelta(minutes=2)


@dataclass(frozen=True, slots=True)
class Claimed:
    message: Message  # as claimed (detached: sessions here keep attributes after commit)
    resumed: bool  # a previous worker claimed it and never said how it went


def backoff(attempts: int) -> timedelta:
    return timedelta(seconds=min(60 * 2 ** (attempts - 1), 3600))


async def _claim(batch_size: int) -> list[Claimed]:
    now = utcnow()
    async with unit_of_work() as session:
        rows = await repository.lock_due(session, now=now, limit=batch_size)
        claimed = []
        for message in rows:
            resumed = message.status == MessageStatus.sending
            if not await reminders.still_true(session, message):
                message.status, message.status_reason = MessageStatus.cancelled, "no longer true"
                message.lease_until = None
                continue
            message.status, message.lease_until = MessageStatus.sending, now + LEASE
            message.attempts += 1
            claimed.append(Claimed(message, resumed))
    return claimed


async def deliver_due(batch_size: int = 50) -> int:
    """Send what is due; returns how many went."""
    sent = 0
    for claim in await _claim(batch_size):
        message = claim.message
        try:
            result = await sender_for(message.channel).send(
                open_message(message), key=str(message.id), resumed=claim.resumed
            )
        except (ContentErased, SealBroken):
            # Erased with the client's data, or sealed under a SECURITY_SECRET_KEY since rotated.
            await _failed(message.id, DeliveryError("its content was erased", permanent=True))
            continue
        except DeliveryError as exc:
            await _failed(message.id, exc)
            continue
        except Exception as exc:  # a bug in an adapter must not lose the message
            logger.exception("message delivery crashed", extra={"message_id": str(message.id)})
            await _failed(message.id, DeliveryError(f"{type(exc).__name__}: {exc}"))
            continue
        await _sent(message.id, result)
        sent += 1
    return sent


async def _sent(message_id: UUID, result: Sent) -> None:
    async with unit_of_work() as session:
        await repository.mark_sent(
            session, message_id, provider=result.provider, provider_id=result.provider_id
        )


async def _failed(message_id: UUID, error: DeliveryError) -> None:
    async with unit_of_work() as session:
        message = await repository.get_message(session, message_id, lock=True)
        if message is None or message.status != MessageStatus.sending:
            return
        message.last_error, message.lease_until = str(error)[:2000], None
        if error.permanent or message.attempts >= get_settings().notifications.max_attempts:
            message.status = MessageStatus.failed
            message.status_reason = "refused" if error.permanent else "every attempt failed"
            logger.error(
                "message failed for good",
                extra={"message_id": str(message.id), "error": message.last_error},
            )
        else:
            message.status = MessageStatus.queued
            message.next_attempt_at = utcnow() + backoff(message.attempts)
            logger.warning(
                "message will be retried",
                extra={"message_id": str(message.id), "error": message.last_error},
            )
