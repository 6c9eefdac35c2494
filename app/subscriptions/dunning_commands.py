"""`python -m app.cli dunning ...`: run the dunning's scan by hand (beat runs it every 15
minutes)."""

from __future__ import annotations

import typer

from app.core import async_bridge

dunning_cli = typer.Typer(help="Dunning of failed membership renewals.", no_args_is_help=True)


@dunning_cli.command("scan")
def scan() -> None:
    """Take the dunning steps due now (retries, reminders, suspensions, cancellations), as
    the beat entry `dunning-scan` does; a second run at once takes nothing twice."""
    from app.subscriptions import dunning

    taken = async_bridge.run(dunning.scan())
    typer.echo(f"{taken} dunning step{'s' if taken != 1 else ''} taken")
