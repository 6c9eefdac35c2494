"""`python -m app.cli accounting ...`: the FEC of a fiscal year."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from app.core import async_bridge

accounting_cli = typer.Typer(help="The books: entries, periods, FEC.", no_args_is_help=True)


@accounting_cli.command()
def fec(
    year: Annotated[int, typer.Option(help="The fiscal year (calendar year)", min=2000, max=2999)],
    out: Annotated[Path, typer.Option(help="The folder to write the file into")] = Path(),
) -> None:
    """Write the year's FEC ({SIREN}FEC{YYYYMMDD}.txt) and lock the year."""
    from app.accounting import fec as export
    from app.accounting import service
    from app.accounting.errors import BooksNotUpToDate
    from app.core.db import unit_of_work

    target = out / export.file_name(year)

    async def write() -> int:
        async with unit_of_work() as session:
            await service.lock_year(session, year, actor_user_id=None, exported=True)
        lines = 0
        with target.open("wb") as file:
            async for chunk in export.stream(year):
                file.write(chunk)
                lines += chunk.count(b"\n")
        return lines

    try:
        lines = async_bridge.run(write())
    except BooksNotUpToDate as exc:
        typer.echo(f"export refused: {exc.detail}", err=True)
        raise typer.Exit(1) from exc
    typer.echo(f"{target}: {lines - 1} lines")  # the header is not an entry line
