"""`python -m app.cli journal ...`: verify, close, read an X, archive, check an archive."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from app.core import async_bridge

if TYPE_CHECKING:
    from app.journal.checks import ClosingCheck, Issue

_DAY_HELP = "Close this day (YYYY-MM-DD) and the days still open before it"
journal_cli = typer.Typer(help="The till's inalterable sales journal.", no_args_is_help=True)


def _say_issues(issues: tuple[Issue, ...], closings: tuple[ClosingCheck, ...]) -> None:
    for issue in issues:
        where = f"#{issue.sequence}" if issue.sequence is not None else "head"
        typer.echo(f"BROKEN {issue.chain} {where}: {issue.problem}: {issue.detail}")
    matching = sum(closing.matches for closing in closings)
    typer.echo(f"closings: {matching} of {len(closings)} match their records")


@journal_cli.command()
def verify() -> None:
    """Check every record, each chain's head and every closing; exit 1 on any problem."""
    from app.core.db import unit_of_work
    from app.journal.verify import VerificationReport
    from app.journal.verify import verify as run

    async def check() -> VerificationReport:
        async with unit_of_work() as session:
            return await run(session)

    report = async_bridge.run(check())
    for chain in report.chains:
        first = chain.first.sequence if chain.first else "-"
        last = chain.last.sequence if chain.last else "-"
        typer.echo(f"{chain.chain}: {chain.records} records, #{first} to #{last}")
    _say_issues(report.issues, report.closings)
    typer.echo("journal OK" if report.ok else f"journal BROKEN: {len(report.issues)} problem(s)")
    if not report.ok:
        raise typer.Exit(1)


@journal_cli.command()
def close(
    day: Annotated[
        str | None, typer.Option(help="Close this day (YYYY-MM-DD) and the open ones before")
    ] = None,
) -> None:
    """Make the closings due now (days left open, ended months and years), or a day's Z."""
    from app.core.db import unit_of_work
    from app.journal import closings, service
    from app.journal.chain import RecordRef

    async def run() -> list[RecordRef]:
        async with unit_of_work() as session:
            if day is None:
                return await closings.close_due(session)
            return await service.close_day(session, date.fromisoformat(day))

    made = async_bridge.run(run())
    for ref in made:
        typer.echo(f"{ref.kind} #{ref.sequence}")
    typer.echo(f"{len(made)} closing(s) made")


@journal_cli.command()
def x() -> None:
    """The X reading: totals since the last Z, not stored."""
    from app.core.db import unit_of_work
    from app.journal.closings import XReport, x_report

    async def run() -> XReport:
        async with unit_of_work() as session:
            return await x_report(session)

    report = async_bridge.run(run())
    typer.echo(report.model_dump_json(indent=2))


@journal_cli.command()
def archive(
    year: Annotated[int, typer.Option(help="The year to archive")],
    out: Annotated[Path | None, typer.Option(help="Folder (default JOURNAL_ARCHIVE_DIR)")] = None,
) -> None:
    """Write the year's signed archive (JSON lines + manifest + seal)."""
    from app.core.config import get_settings
    from app.core.db import unit_of_work
    from app.journal.archive import ArchiveWritten, write_archive

    async def run() -> ArchiveWritten:
        async with unit_of_work() as session:
            return await write_archive(session, year, out or get_settings().journal.archive_dir)

    written = async_bridge.run(run())
    state = "complete" if written.complete else "INCOMPLETE: the year is not closed"
    typer.echo(f"{written.path}: {written.records} records, sha256 {written.sha256} ({state})")


@journal_cli.command("verify-archive")
def verify_archive(
    path: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="An archive file")],
) -> None:
    """Check an archive offline (no database): its seal, every record, every closing."""
    from app.journal.archive import verify_archive as check

    result = check(path)
    _say_issues(result.issues, result.closings)
    if not result.ok:
        typer.echo(f"archive BROKEN: {len(result.issues)} problem(s)")
        raise typer.Exit(1)
    typer.echo(f"archive OK: {result.year}, {result.records} records, complete={result.complete}")


@journal_cli.command()
def purge(
    year: Annotated[int, typer.Option(help="The archived, closed year to purge")],
    archive_file: Annotated[
        Path, typer.Option("--archive", exists=True, dir_okay=False, help="Its archive")
    ],
) -> None:
    """Delete a year's sales records once its complete archive verifies; the closings and
    their cumulative totals stay online. Refused otherwise."""
    from app.core.db import unit_of_work
    from app.journal.errors import PurgeRefused
    from app.journal.purge import PurgeDone, purge_year

    async def run() -> PurgeDone:
        async with unit_of_work() as session:
            return await purge_year(session, year, archive_file)

    try:
        done = async_bridge.run(run())
    except PurgeRefused as exc:
        typer.echo(f"purge refused: {exc.detail}", err=True)
        raise typer.Exit(1) from exc
    typer.echo(
        f"purged {done.deleted} records of {year} (#{done.first_sequence} to #{done.last_sequence})"
    )
