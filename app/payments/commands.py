"""`python -m app.cli payments ...`: read a provider's payouts to the bank."""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Annotated

import typer

from app.core import async_bridge

payments_cli = typer.Typer(help="Payments: payouts to the bank.", no_args_is_help=True)


class SyncedProvider(StrEnum):
    sumup = "sumup"


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise typer.BadParameter("a date as YYYY-MM-DD") from exc


@payments_cli.command("sync-payouts")
def sync_payouts(
    since: Annotated[str, typer.Option(help="First payout date to read (YYYY-MM-DD)")],
    provider: Annotated[SyncedProvider, typer.Option(help="Whose payouts")] = SyncedProvider.sumup,
    until: Annotated[
        str | None, typer.Option(help="Last payout date to read (YYYY-MM-DD); today if left out")
    ] = None,
) -> None:
    """Read a provider's payouts list and record each payout once (a second run, or an
    overlapping window, records nothing twice). Stripe's payouts come by webhook."""
    from app.core.clock import utcnow
    from app.core.db import unit_of_work
    from app.core.timeutils import zone
    from app.payments import payouts
    from app.payments.models import PayoutProvider

    start = _day(since)
    end = _day(until) if until else utcnow().astimezone(zone()).date()
    if end < start:
        raise typer.BadParameter("--until is before --since")

    async def run() -> payouts.Synced:
        async with unit_of_work() as session:
            return await payouts.sync(session, PayoutProvider(provider), start=start, end=end)

    synced = async_bridge.run(run())
    typer.echo(
        f"{provider} payouts {start}..{end}: {synced.seen} listed, {synced.recorded} recorded"
    )
