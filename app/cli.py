"""Command line: `python -m app.cli --help`."""

from __future__ import annotations

import os
import secrets
import typing
from pathlib import Path
from typing import Annotated, Any

import typer

from app.accounting.commands import accounting_cli
from app.core import async_bridge
from app.core.config import PROJECT_ROOT, get_settings
from app.journal.commands import journal_cli
from app.payments.commands import payments_cli
from app.subscriptions.commands import subscriptions_cli
from app.subscriptions.dunning_commands import dunning_cli

cli = typer.Typer(help="Salon backend administration.", no_args_is_help=True)
cli.add_typer(journal_cli, name="journal")
cli.add_typer(accounting_cli, name="accounting")
cli.add_typer(payments_cli, name="payments")
cli.add_typer(dunning_cli, name="dunning")
cli.add_typer(subscriptions_cli, name="subscriptions")


@cli.callback()
def _load_models() -> None:
    # Every command may touch the database: all mappers and their foreign keys must be known.
    from app import registry

    registry.load_all()


def _migrate() -> None:
    """`alembic upgrade head`, saying each migration it applies."""
    from alembic import command
    from alembic.config import Config

    config = Config(str(PROJECT_ROOT / "alembic.ini"))
    config.attributes["configure_logger"] = False
    applied: list[str] = []

    def said(*, step: Any, **_: Any) -> None:
        revision = step.up_revision
        applied.append(f"applied {revision.revision} {revision.doc or ''}".rstrip())

    config.attributes["on_version_apply"] = said
    command.upgrade(config, "head")
    for line in applied:  # once committed: a failed run applies nothing
        typer.echo(line)
    if not applied:
        typer.echo(f"nothing to apply: already at {_current_head(config)}")


def _current_head(config: Any) -> str:
    from alembic.script import ScriptDirectory

    return ", ".join(ScriptDirectory.from_config(config).get_heads())


@cli.command()
def migrate() -> None:
    """Apply every pending migration to DATABASE_URL, naming each one."""
    _migrate()


@cli.command("create-admin")
def create_admin(
    email: Annotated[str, typer.Option(help="E-mail of the owner account")],
    password: Annotated[str, typer.Option(help="Its password (10 characters or more)")],
) -> None:
    """Create the owner account, or make an existing staff account owner with this password."""
    if len(password) < 10:
        raise typer.BadParameter(
            "the password needs 10 characters or more", param_hint="--password"
        )
    created = async_bridge.run(_ensure_admin(email, password))
    typer.echo(f"admin {email} {'created' if created else 'updated'}")


async def _ensure_admin(email: str, password: str | None) -> bool:
    from app.auth import staff
    from app.core.db import unit_of_work

    async with unit_of_work() as session:
        _, created = await staff.ensure_admin(session, email=email, password=password)
    return created


async def _has_owner() -> bool:
    from app.auth import staff
    from app.core.db import unit_of_work

    async with unit_of_work() as session:
        return await staff.has_active_owner(session)


@cli.command()
def seed() -> None:
    """Load the demo salon from seed_data/ (safe to run again), make sure an admin exists,
    then give the till a few closed days of sales (once)."""
    from app.seed import load_demo_salon, load_demo_till

    summary = async_bridge.run(load_demo_salon())
    for line in summary:
        typer.echo(line)
    _admin_from_settings_or_generated()
    for line in async_bridge.run(load_demo_till()):
        typer.echo(line)


def _admin_from_settings_or_generated() -> None:
    admin = get_settings().admin
    if admin.email:
        password = admin.password.get_secret_value() if admin.password else None
        try:
            created = async_bridge.run(_ensure_admin(admin.email, password))
        except ValueError:
            typer.echo(f"ADMIN_EMAIL {admin.email} has no account: set ADMIN_PASSWORD too")
            return
        typer.echo(f"admin {admin.email} {'created' if created else 'is ready'}")
        return
    if async_bridge.run(_has_owner()):
        return
    email, password = "admin@serenaia.example", secrets.token_urlsafe(12)
    async_bridge.run(_ensure_admin(email, password))
    typer.secho(
        f"\n  Admin account created (shown once):\n    e-mail:   {email}\n"
        f"    password: {password}\n",
        fg=typer.colors.GREEN,
    )


@cli.command()
def dev(
    host: str = "127.0.0.1",
    port: int = 8000,
) -> None:
    """`make run`: migrate, seed and serve. Without DATABASE_URL, an embedded PostgreSQL runs
    from var/pg until you press Ctrl-C."""
    import signal

    import uvicorn

    def stop(signum: int, _: object) -> None:
        # uvicorn re-raises the signal after its graceful shutdown; exiting through Python
        # (not the default SIGTERM action) lets the embedded PostgreSQL stop cleanly too.
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, stop)

    def serve() -> None:
        _migrate()
        seed()
        typer.echo(f"serving on http://{host}:{port}  (API docs: http://{host}:{port}/docs)")
        if get_settings().redis.url:
            uvicorn.run("app.main:app", host=host, port=port, log_config=None)
            return
        from app.devserver import in_process_beat

        with in_process_beat():
            uvicorn.run("app.main:app", host=host, port=port, log_config=None)

    if get_settings().db.url:
        serve()
        return
    from app.devserver import embedded_postgres

    with embedded_postgres() as url:
        os.environ["DATABASE_URL"] = url
        get_settings.cache_clear()
        serve()


def _cores() -> int:
    try:
        return len(os.sched_getaffinity(0))  # the cores this process may use (containers)
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


@cli.command("serve")
def serve_command(
    host: Annotated[str, typer.Option(help="Address to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on")] = 8000,
    workers: Annotated[
        int | None, typer.Option(help="Worker processes (default: APP_WORKERS, or one per core)")
    ] = None,
) -> None:
    """Production: serve the API with several worker processes on one socket (uvicorn's
    supervisor restarts a worker that dies). SIGHUP replaces the workers one by one, each new
    one serving before the old one stops; SIGTERM or Ctrl-C drains (no new connections,
    requests in flight get APP_GRACEFUL_TIMEOUT_SECONDS) and exits 0. Client addresses come
    from the app's own proxy handling (APP_TRUSTED_PROXIES). Does not migrate: run `migrate`
    first."""
    import signal
    import sys

    import uvicorn

    from app.core.db import DatabaseNotConfigured, connection_budget

    settings = get_settings()
    count = workers or settings.app.workers or _cores()
    try:
        budget = connection_budget(count)
    except DatabaseNotConfigured as exc:  # production has no embedded PostgreSQL
        typer.echo(f"{exc}; `serve` needs a real database", err=True)
        raise typer.Exit(1) from exc
    if budget is None:
        typer.echo("database connections: PostgreSQL did not answer; starting anyway", err=True)
    else:
        typer.echo(budget.describe(), err=not budget.fits)
        if not budget.fits:
            typer.echo(
                "lower APP_WORKERS, DATABASE_POOL_SIZE or DATABASE_MAX_OVERFLOW, or raise "
                "PostgreSQL's max_connections (docs/scaling.md)",
                err=True,
            )
            raise typer.Exit(1)
    typer.echo(f"serving on http://{host}:{port} with {count} worker process(es)")

    # One process: uvicorn re-raises SIGTERM/SIGINT after its graceful shutdown; this makes
    # that a clean exit 0. With several, the supervisor handles them and returns.
    def stopped(_signum: int, _frame: object) -> None:
        sys.exit(0)

    signal.signal(signal.SIGTERM, stopped)
    signal.signal(signal.SIGINT, stopped)
    uvicorn.run(
        "app.main:app",
        host=host,
        port=port,
        workers=count,
        # The app decides who the client is (ProxyHeadersMiddleware, APP_TRUSTED_PROXIES):
        # uvicorn's own X-Forwarded-* handling stays off so nothing else rewrites it.
        proxy_headers=False,
        server_header=False,
        # The app's access log (request id, duration) already logs each request.
        access_log=False,
        log_config=None,
        timeout_graceful_shutdown=settings.app.graceful_timeout_seconds,
    )


@cli.command("import-clients")
def import_clients(
    path: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="CSV file")],
    dry_run: Annotated[bool, typer.Option("--dry-run/--apply", help="Only report")] = True,
    encoding: Annotated[
        str,
        typer.Option(help="auto (UTF-8, UTF-16 or Windows-1252), utf-8, windows-1252, ..."),
    ] = "auto",
) -> None:
    """Import clients from a CSV export (see app/clients/importer.py for the columns). Shows a
    progress bar; the real run (--apply) imports every row or none."""
    from app.clients.importer import Encoding
    from app.core.errors import AppError

    if encoding not in typing.get_args(Encoding):
        raise typer.BadParameter(
            f"one of {', '.join(typing.get_args(Encoding))}", param_hint="--encoding"
        )
    try:
        report, applied = async_bridge.run(
            _import_clients(path.read_bytes(), dry_run=dry_run, encoding=encoding)
        )
    except AppError as exc:  # the file as a whole cannot be read
        typer.echo(f"{path}: {exc.detail}", err=True)
        raise typer.Exit(1) from exc
    for row in report.rows:
        if row.action == "reject":
            typer.echo(f"row {row.row}: rejected: {'; '.join(row.errors)}")
    verb = "were" if applied else "would be"
    typer.echo(
        f"{report.created} {verb} created, {report.updated} {verb} updated, "
        f"{report.rejected} rejected (read as {report.encoding})"
    )
    if not dry_run and not applied:
        typer.echo("nothing was imported: fix the rejected rows and run again")
        raise typer.Exit(1)


async def _import_clients(content: bytes, *, dry_run: bool, encoding: Any) -> tuple[Any, bool]:
    """The report, and whether its rows were written."""
    from app.clients import importer
    from app.clients.errors import ImportRejected
    from app.clients.schemas import ImportReport
    from app.core.db import unit_of_work

    rows, _ = importer.read_rows(content, encoding)
    with typer.progressbar(length=len(rows), label="checking rows") as bar:
        try:
            async with unit_of_work() as session:
                report = await importer.import_clients(
                    session,
                    content,
                    dry_run=dry_run,
                    author=None,
                    encoding=encoding,
                    progress=bar.update,
                )
            return report, not dry_run
        except ImportRejected as exc:
            return ImportReport.model_validate(exc.extra["report"]), False


@cli.command()
def routes() -> None:
    """List every route of the API with its methods and summary."""
    from app.main import app

    for path, operations in sorted(app.openapi()["paths"].items()):
        for method, operation in operations.items():
            typer.echo(f"{method.upper():<7} {path:<58} {operation.get('summary', '')}")


@cli.command()
def permissions() -> None:
    """Print docs/permissions.md: who may call each route, read from the code."""
    from app.auth.permissions import markdown
    from app.main import app

    typer.echo(markdown(app), nl=False)


@cli.command()
def purge() -> None:
    """Delete expired idempotency answers and tokens now (beat does it hourly)."""
    from app.worker import celery_app

    purged = celery_app.tasks["core.purge_expired"]()
    typer.echo(
        f"purged {purged['idempotency_keys']} expired idempotency answers "
        f"and {purged['tokens']} expired tokens"
    )


def main() -> None:
    cli()


if __name__ == "__main__":
    main()
