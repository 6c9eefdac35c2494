"""Messages: what the worker does to send them."""

from __future__ import annotations


async def deliver_messages() -> int:
    """What the worker does every few seconds: run the outbox, then send the messages it
    wrote. Returns how many messages went."""
    from app.core.outbox import dispatch_due
    from app.notifications.delivery import deliver_due

    while await dispatch_due():
        pass
    sent = 0
    while delivered := await deliver_due():
        sent += delivered
    return sent
