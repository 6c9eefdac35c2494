"""`python -m app.cli subscriptions ...`: simulate a membership's invoice paid or declined."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated
from uuid import UUID

import typer

from app.core import async_bridge

subscriptions_cli = typer.Typer(help="Memberships: simulate Stripe Billing.", no_args_is_help=True)


class Outcome(StrEnum):
    paid = "paid"
    failed = "failed"


@subscriptions_cli.command("simulate")
def simulate(
    subscription: Annotated[str, typer.Option(help="The membership's id")],
    outcome: Annotated[Outcome, typer.Option(help="What the next invoice does")],
    decline_code: Annotated[
        str | None, typer.Option(help="With --outcome failed: insufficient_funds, stolen_card…")
    ] = None,
) -> None:
    """Send the events of the membership's next invoice (paid or declined) through the
    Stripe webhook inbox, as Stripe would."""
    from app.core.db import unit_of_work
    from app.subscriptions.simulate import simulate as run_simulation

    try:
        subscription_id = UUID(subscription)
    except ValueError as exc:
        raise typer.BadParameter("a membership id (UUID)") from exc

    async def run() -> list[tuple[str, str]]:
        async with unit_of_work() as session:
            return await run_simulation(
                session,
                subscription_id,
                paid=outcome is Outcome.paid,
                decline_code=decline_code,
            )

    for kind, result in async_bridge.run(run()):
        typer.echo(f"{kind}: {result}")
