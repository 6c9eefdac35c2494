"""Periodic work of the payments domain."""

from __future__ import annotations

from app.core import jobs
from app.payments import terminal


@jobs.task("payments.poll_terminal")
async def poll_terminal() -> int:
    """Ask SumUp about reader checkouts whose result callback has not arrived."""
    return await terminal.poll_open_checkouts()


BEAT = [jobs.beat("poll-terminal", poll_terminal, every=60.0)]
