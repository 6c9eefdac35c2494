"""Every command the README shows runs here as a subprocess against a fresh database, as an
operator would run it: `python -m app.cli ...` with DATABASE_URL pointing at it. So is the
command of docker-compose.yml's `migrate` service. Each checks its exit code and its effect
on the rows."""

from __future__ import annotations

import json
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import psycopg
import pytest
import yaml
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import make_url

from app.core.config import PROJECT_ROOT
from app.core.ids import new_id
from tests.conftest import ADMIN_URL
from tests.fakes.server import FakeProviders

PYTHON_BIN = Path(sys.executable).parent
ADMIN = {"ADMIN_EMAIL": "owner@example.fr", "ADMIN_PASSWORD": "a-long-password"}
GOOD_CSV = (
    "first_name;last_name;email;phone;notes\n"
    "Hélène;Dupont;helene@import.example;06 98 76 54 32;Peau sensible\n"
    "Inès;Martin;ines@import.example;;\n"
    "Chloé;Bernard;chloe@import.example;;\n"
)
BAD_CSV = GOOD_CSV + "Zoé;;zoe@example;12;\n"


def _psql_url(name: str) -> str:
    return make_url(ADMIN_URL).set(database=name).render_as_string(hide_password=False)


@pytest.fixture
def fresh_database() -> Iterator[str]:
    """An empty database of its own, dropped afterwards."""
    name = f"salon_cli_{secrets.token_hex(4)}"
    with psycopg.connect(ADMIN_URL, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    try:
        yield _psql_url(name)
    finally:
        with psycopg.connect(ADMIN_URL, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="module")
def migrated() -> Iterator[str]:
    """One migrated database for the commands that need one (the module's tests share it)."""
    name = f"salon_cli_{secrets.token_hex(4)}"
    with psycopg.connect(ADMIN_URL, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    try:
        url = _psql_url(name)
        assert cli(url, "migrate").returncode == 0
        yield url
    finally:
        with psycopg.connect(ADMIN_URL, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _env(url: str, **extra: str) -> dict[str, str]:
    env = os.environ | {"DATABASE_URL": url, "ADMIN_EMAIL": "", "ADMIN_PASSWORD": ""} | extra
    env["PATH"] = f"{PYTHON_BIN}{os.pathsep}{env.get('PATH', '')}"
    return env


def cli(url: str, *args: str, **extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 - our own interpreter and arguments
        [sys.executable, "-m", "app.cli", *args],
        env=_env(url, **extra),
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def scalar(url: str, sql: str, *params: Any) -> Any:
    with psycopg.connect(url) as connection:
        row = connection.execute(sql, params).fetchone()  # type: ignore[arg-type]
        return row[0] if row else None


def _revisions() -> list[str]:
    script = ScriptDirectory.from_config(Config(str(PROJECT_ROOT / "alembic.ini")))
    return [r.revision for r in reversed(list(script.walk_revisions()))]


def _readme_commands() -> set[str]:
    readme = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    return set(re.findall(r"python -m app\.cli ([a-z-]+)", readme))


COVERED = {
    "--help": "test_help_lists_every_command",
    "migrate": "test_migrate_applies_every_migration_and_says_which",
    "seed": "test_seed_twice_loads_the_demo_salon_once",
    "create-admin": "test_create_admin_creates_then_updates_the_owner",
    "import-clients": "test_import_clients_dry_run_then_apply",
    "routes": "test_routes_lists_every_route",
    "permissions": "test_permissions_prints_the_checked_in_table",
    "purge": "test_purge_deletes_what_expired",
    "dev": "test_dev_migrates_seeds_and_serves",
    "serve": "test_serve_answers_with_two_workers_and_stops_cleanly_on_sigterm",
    "journal": "test_journal_closes_verifies_archives_and_finds_tampering",
    "accounting": "test_accounting_fec_writes_the_year_and_locks_it",
    "payments": "test_payments_sync_payouts_records_each_sumup_payout_once",
    "dunning": "test_dunning_scan_runs_the_steps_due_once",
    "subscriptions": "test_subscriptions_simulate_pays_then_declines_a_demo_membership",
}


def test_every_readme_command_has_a_test() -> None:
    assert _readme_commands() - COVERED.keys() == set()
    names = set(globals())
    assert {test for test in COVERED.values() if test not in names} == set()


def test_help_lists_every_command(migrated: str) -> None:
    answer = cli(migrated, "--help")

    assert answer.returncode == 0, answer.stderr
    for command in COVERED.keys() - {"--help"}:
        assert command in answer.stdout


def test_migrate_applies_every_migration_and_says_which(fresh_database: str) -> None:
    first = cli(fresh_database, "migrate")
    again = cli(fresh_database, "migrate")

    assert first.returncode == 0, first.stderr
    revisions = _revisions()
    applied = re.findall(r"^applied (\S+)", first.stdout, flags=re.MULTILINE)
    assert applied == revisions
    assert scalar(fresh_database, "SELECT version_num FROM alembic_version") == revisions[-1]
    assert again.returncode == 0, again.stderr
    assert "applied" not in again.stdout
    assert f"already at {revisions[-1]}" in again.stdout


def test_the_compose_migrate_service_migrates_and_seeds(fresh_database: str) -> None:
    compose = yaml.safe_load((PROJECT_ROOT / "docker-compose.yml").read_text(encoding="utf-8"))
    command = compose["services"]["migrate"]["command"]

    done = subprocess.run(  # noqa: S603 - the command of our own compose file
        command,
        env=_env(fresh_database, **ADMIN),
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )

    assert done.returncode == 0, done.stdout + done.stderr
    assert _demo_counts(fresh_database) == [15, 10]
    assert scalar(fresh_database, "SELECT role FROM users WHERE email = %s", ADMIN["ADMIN_EMAIL"])


def _demo_counts(url: str) -> list[int]:
    return [
        scalar(url, "SELECT count(*) FROM services"),
        scalar(url, "SELECT count(*) FROM bookings"),
    ]


def _till_counts(url: str) -> list[int]:
    return [
        scalar(url, "SELECT count(*) FROM cash_registers WHERE name = 'Accueil'"),
        scalar(url, "SELECT count(*) FROM journal_records WHERE kind = 'closing_day'"),
        scalar(url, "SELECT count(*) FROM journal_records WHERE chain = 'sales'"),
        scalar(url, "SELECT count(*) FROM sales_orders WHERE status = 'completed'"),
    ]


def test_seed_twice_loads_the_demo_salon_once(migrated: str) -> None:
    first = cli(migrated, "seed", **ADMIN)
    counts = _demo_counts(migrated)
    till = _till_counts(migrated)
    second = cli(migrated, "seed", **ADMIN)
    verified = cli(migrated, "journal", "verify")

    assert first.returncode == 0, first.stdout + first.stderr
    assert second.returncode == 0, second.stdout + second.stderr
    assert counts == [15, 10]
    assert _demo_counts(migrated) == counts
    assert "demo bookings: 10 created" in first.stdout
    assert "demo salon: 0 rows created" in second.stdout
    assert f"admin {ADMIN['ADMIN_EMAIL']} created" in first.stdout
    assert f"admin {ADMIN['ADMIN_EMAIL']} is ready" in second.stdout
    # The till "Accueil" and three days sold, closed (Z) and verified, once.
    assert "demo till: 3 days sold and closed, 15 tickets, 1 credit ticket" in first.stdout
    assert "demo till: 0 days (the journal already has sales)" in second.stdout
    assert till[:2] == [1, 3]
    assert till[3] == 15
    assert _till_counts(migrated) == till
    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert f"sales: {till[2]} records, #1 to #{till[2]}" in verified.stdout
    assert "closings: 3 of 3 match their records" in verified.stdout
    assert "journal OK" in verified.stdout


def test_seed_with_no_admin_set_creates_one_and_shows_it_once(fresh_database: str) -> None:
    assert cli(fresh_database, "migrate").returncode == 0

    first = cli(fresh_database, "seed")
    second = cli(fresh_database, "seed")

    assert first.returncode == 0, first.stdout + first.stderr
    assert "Admin account created (shown once)" in first.stdout
    assert second.returncode == 0, second.stdout + second.stderr
    assert "Admin account created" not in second.stdout
    assert scalar(fresh_database, "SELECT count(*) FROM users WHERE role = 'owner'") == 1


def test_create_admin_creates_then_updates_the_owner(migrated: str) -> None:
    args = ("create-admin", "--email", "patronne@example.fr", "--password", "une-longue-phrase")

    created = cli(migrated, *args)
    updated = cli(migrated, *args)
    too_short = cli(migrated, "create-admin", "--email", "x@example.fr", "--password", "court")

    assert created.returncode == 0, created.stderr
    assert "admin patronne@example.fr created" in created.stdout
    assert "admin patronne@example.fr updated" in updated.stdout
    assert scalar(migrated, "SELECT role FROM users WHERE email = 'patronne@example.fr'") == "owner"
    assert too_short.returncode == 2
    assert scalar(migrated, "SELECT count(*) FROM users WHERE email = 'x@example.fr'") == 0


def test_import_clients_dry_run_then_apply(migrated: str, tmp_path: Path) -> None:
    good, bad = tmp_path / "export.csv", tmp_path / "bad.csv"
    good.write_text(GOOD_CSV, encoding="utf-8")
    bad.write_text(BAD_CSV, encoding="utf-8")
    emails = ("helene@import.example", "ines@import.example", "chloe@import.example", "zoe@x")
    count = "SELECT count(*) FROM clients WHERE email = ANY(%s)"

    dry = cli(migrated, "import-clients", str(good))
    assert dry.returncode == 0, dry.stderr
    assert "3 would be created, 0 would be updated, 0 rejected" in dry.stdout
    assert scalar(migrated, count, list(emails)) == 0

    rejected = cli(migrated, "import-clients", str(bad), "--apply")
    assert rejected.returncode == 1
    assert "row 5: rejected: last_name is missing" in rejected.stdout
    assert "nothing was imported" in rejected.stdout
    assert "were created" not in rejected.stdout
    assert scalar(migrated, count, list(emails)) == 0

    excel = tmp_path / "excel.csv"
    excel.write_bytes(GOOD_CSV.encode("cp1252"))
    detected = cli(migrated, "import-clients", str(excel))
    declared = cli(migrated, "import-clients", str(excel), "--encoding", "utf-8")
    assert detected.returncode == 0, detected.stderr
    assert "3 would be created" in detected.stdout
    assert "(read as windows-1252)" in detected.stdout
    assert declared.returncode == 1
    assert "not utf-8 text" in declared.stderr

    applied = cli(migrated, "import-clients", str(good), "--apply")
    assert applied.returncode == 0, applied.stderr
    assert "3 were created, 0 were updated, 0 rejected" in applied.stdout
    assert scalar(migrated, count, list(emails)) == 3


def test_routes_lists_every_route(migrated: str) -> None:
    from app.main import app

    answer = cli(migrated, "routes")

    assert answer.returncode == 0, answer.stderr
    listed = {tuple(line.split()[:2]) for line in answer.stdout.splitlines()}
    expected = {
        (method.upper(), path)
        for path, operations in app.openapi()["paths"].items()
        for method in operations
    }
    assert listed == expected


def test_permissions_prints_the_checked_in_table(migrated: str) -> None:
    answer = cli(migrated, "permissions")

    assert answer.returncode == 0, answer.stderr
    assert answer.stdout == Path("docs/permissions.md").read_text(encoding="utf-8")
    assert "| POST | `/api/v1/practitioners/{practitioner_id}/calendar-feed/rotate` |" in (
        answer.stdout
    )


def test_purge_deletes_what_expired(migrated: str) -> None:
    with psycopg.connect(migrated) as connection:
        connection.execute(
            "INSERT INTO idempotency_keys (id, scope, key, request_hash, created_at, expires_at)"
            " VALUES (gen_random_uuid(), 'test', 'old', 'h', now() - interval '2 days',"
            " now() - interval '1 day'), (gen_random_uuid(), 'test', 'new', 'h', now(),"
            " now() + interval '1 day')"
        )

    answer = cli(migrated, "purge")

    assert answer.returncode == 0, answer.stderr
    assert "1 expired idempotency answers" in answer.stdout
    assert scalar(migrated, "SELECT array_agg(key) FROM idempotency_keys") == ["new"]


DUNNING_CASE = """
WITH c AS (INSERT INTO clients (id, first_name, last_name, email, created_at, updated_at)
    VALUES (gen_random_uuid(), 'Inès', 'Martin', 'ines.cli@example.fr', now(), now())
    RETURNING id),
p AS (INSERT INTO subscription_plans (id, name, interval, price_cents, vat_rate, created_at,
    updated_at) VALUES (gen_random_uuid(), 'Abonnement relance', 'month', 3900, 20, now(), now())
    RETURNING id),
s AS (INSERT INTO subscriptions (id, client_id, plan_id, status, channel, created_at,
    updated_at) SELECT gen_random_uuid(), c.id, p.id, 'past_due', 'online', now(), now()
    FROM c, p RETURNING id),
i AS (INSERT INTO subscription_invoices (id, subscription_id, stripe_invoice_id, status,
    amount_cents, vat_rate, created_at, updated_at) SELECT gen_random_uuid(), s.id, 'in_cli',
    'failed', 3900, 20, now(), now() FROM s RETURNING id, subscription_id)
INSERT INTO dunning_cases (id, subscription_id, invoice_id, stripe_invoice_id, amount_cents,
    state, failed_at, last_failed_at, decline_code, hard, next_step_at, created_at, updated_at)
SELECT gen_random_uuid(), i.subscription_id, i.id, 'in_cli', 3900, 'past_due',
    now() - interval '4 days', now() - interval '4 days', 'stolen_card', true,
    now() - interval '1 day', now(), now() FROM i
"""


def test_dunning_scan_runs_the_steps_due_once(migrated: str) -> None:
    with psycopg.connect(migrated) as connection:
        connection.execute(DUNNING_CASE)

    first = cli(migrated, "dunning", "scan")
    again = cli(migrated, "dunning", "scan")

    assert first.returncode == 0, first.stderr
    assert first.stdout.strip() == "1 dunning step taken"  # J+3's reminder (no retry: hard)
    assert again.stdout.strip() == "0 dunning steps taken"
    steps = "SELECT array_agg(step ORDER BY step) FROM dunning_steps WHERE detail ? 'sent'"
    assert scalar(migrated, steps) == ["reminder:3"]
    assert (
        scalar(migrated, "SELECT count(*) FROM messages WHERE template = 'dunning_payment_failed'")
        == 1
    )


SELL = """
import asyncio, uuid
from datetime import UTC, datetime
from app import registry
from app.core.clock import frozen_at
from app.core.db import unit_of_work
from app.journal import public as journal
from tests.journal.builders import ticket

async def main():
    for n in range(3):
        at = datetime(2026, 11, 30, 9 + n, tzinfo=UTC)
        with frozen_at(at):
            async with unit_of_work() as session:
                await journal.append(
                    session, journal.RecordKind.ticket, ticket(f"T-{n}", at),
                    register_id=uuid.uuid4(),
                )

registry.load_all()
asyncio.run(main())
"""


POST = """
import asyncio
from datetime import UTC, datetime
from app import registry
from app.accounting import service
from app.accounting.models import JournalCode, SourceKind
from app.accounting.postings import Draft
from app.core.db import unit_of_work

async def main():
    async with unit_of_work() as session:
        for n in range(3):
            draft = Draft(
                journal=JournalCode.cash, at=datetime(2026, 11, 30, 9 + n, tzinfo=UTC),
                label="Vente carte cadeau", document_ref=f"P{n}",
                source_kind=SourceKind.payment, source_key=f"payment:{n}",
            )
            draft.add("cash", 3000)
            draft.add("gift_cards", -3000)
            await service.post(session, draft)

registry.load_all()
asyncio.run(main())
"""


def test_accounting_fec_writes_the_year_and_locks_it(fresh_database: str, tmp_path: Path) -> None:
    from tests.accounting.fec_validator import validate

    assert cli(fresh_database, "migrate").returncode == 0
    posted = subprocess.run(  # noqa: S603 - our own interpreter and script
        [sys.executable, "-c", POST],
        env=_env(fresh_database),
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert posted.returncode == 0, posted.stderr

    answer = cli(fresh_database, "accounting", "fec", "--year", "2026", "--out", str(tmp_path))

    assert answer.returncode == 0, answer.stderr
    [written] = list(tmp_path.iterdir())
    assert written.name == "000000000FEC20261231.txt"
    report = validate(written.name, written.read_bytes(), year=2026)
    assert report.ok, report.problems
    assert (report.entries, report.lines) == (3, 6)
    assert answer.stdout.strip().endswith(": 6 lines"), answer.stdout
    locked = "SELECT count(*) FROM accounting_periods WHERE year = 2026 AND locked_at IS NOT NULL"
    assert scalar(fresh_database, locked) == 12


def test_payments_sync_payouts_records_each_sumup_payout_once(
    migrated: str, fakes: FakeProviders
) -> None:
    from datetime import date

    fakes.sumup.pay_out(date(2026, 11, 3), [("TCLI000001", 25), ("TCLI000002", 40)])
    window = ("--provider", "sumup", "--since", "2026-11-01", "--until", "2026-11-30")

    first = cli(migrated, "payments", "sync-payouts", *window)
    second = cli(migrated, "payments", "sync-payouts", *window)
    backwards = cli(
        migrated, "payments", "sync-payouts", "--since", "2026-12-01", "--until", "2026-11-01"
    )

    assert first.returncode == 0, first.stderr
    assert first.stdout.strip() == "sumup payouts 2026-11-01..2026-11-30: 1 listed, 1 recorded"
    assert second.stdout.strip() == "sumup payouts 2026-11-01..2026-11-30: 1 listed, 0 recorded"
    assert scalar(migrated, "SELECT count(*) FROM payouts") == 1
    assert scalar(migrated, "SELECT count(*) FROM payout_lines WHERE payment_id IS NULL") == 2
    assert backwards.returncode != 0
    assert "--until is before --since" in backwards.stderr


def test_subscriptions_simulate_pays_then_declines_a_demo_membership(migrated: str) -> None:
    seeded = cli(migrated, "seed", **ADMIN)
    assert seeded.returncode == 0, seeded.stdout + seeded.stderr
    assert "demo plan: " in seeded.stdout  # 1 created, or 0 when an earlier test seeded
    plans = "SELECT count(*) FROM subscription_plans WHERE name = 'Abonnement soins'"
    assert scalar(migrated, plans) == 1
    sub = str(new_id())
    with psycopg.connect(migrated) as connection:
        connection.execute(
            "INSERT INTO subscriptions (id, client_id, plan_id, status, channel,"
            " stripe_subscription_id, stripe_customer_id, created_at, updated_at)"
            " SELECT %s, (SELECT id FROM clients ORDER BY created_at LIMIT 1), id,"
            " 'incomplete', 'online', 'console_sub_demo', 'console_cus_demo', now(), now()"
            " FROM subscription_plans WHERE name = 'Abonnement soins'",
            (sub,),
        )
    paid = cli(migrated, "subscriptions", "simulate", "--subscription", sub, "--outcome", "paid")
    assert paid.returncode == 0, paid.stdout + paid.stderr
    assert paid.stdout.splitlines() == ["invoice.finalized: applied", "invoice.paid: applied"]
    assert scalar(migrated, "SELECT status FROM subscriptions WHERE id = %s", sub) == "active"
    granted = "SELECT sum(granted) FROM subscription_allowances WHERE subscription_id = %s"
    assert scalar(migrated, granted, sub) == 1
    failed = cli(
        migrated,
        "subscriptions",
        "simulate",
        "--subscription",
        sub,
        "--outcome",
        "failed",
        "--decline-code",
        "insufficient_funds",
    )
    assert failed.returncode == 0, failed.stdout + failed.stderr
    assert scalar(migrated, "SELECT status FROM subscriptions WHERE id = %s", sub) == "past_due"
    declined = (
        "SELECT decline_code FROM subscription_invoices"
        " WHERE status = 'failed' AND subscription_id = %s"
    )
    assert scalar(migrated, declined, sub) == "insufficient_funds"
    wrong = cli(migrated, "subscriptions", "simulate", "--subscription", "x", "--outcome", "paid")
    assert wrong.returncode != 0


def test_journal_closes_verifies_archives_and_finds_tampering(
    fresh_database: str, tmp_path: Path
) -> None:
    assert cli(fresh_database, "migrate").returncode == 0
    sold = subprocess.run(  # noqa: S603 - our own interpreter and script
        [sys.executable, "-c", SELL],
        env=_env(fresh_database),
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert sold.returncode == 0, sold.stderr

    closed = cli(fresh_database, "journal", "close", "--day", "2026-11-30")
    verified = cli(fresh_database, "journal", "verify")
    x = cli(fresh_database, "journal", "x")
    archived = cli(fresh_database, "journal", "archive", "--year", "2026", "--out", str(tmp_path))

    assert closed.returncode == 0, closed.stderr
    assert "closing_day #4" in closed.stdout
    assert verified.returncode == 0, verified.stderr
    assert "sales: 4 records, #1 to #4" in verified.stdout
    assert "closings: 1 of 1 match their records" in verified.stdout
    assert '"ticket_count": 0' in x.stdout
    assert archived.returncode == 0, archived.stderr
    path = tmp_path / "journal-2026.jsonl"
    assert f"{path}: " in archived.stdout
    good = cli(fresh_database, "journal", "verify-archive", str(path))
    assert good.returncode == 0, good.stdout
    assert "archive OK: 2026" in good.stdout

    raw = bytearray(path.read_bytes())
    raw[len(raw) // 2] ^= 0x01
    path.write_bytes(bytes(raw))
    with psycopg.connect(fresh_database) as connection:
        connection.execute("SET session_replication_role = replica")
        connection.execute("DELETE FROM journal_records WHERE chain = 'sales' AND sequence = 2")
    broken = cli(fresh_database, "journal", "verify")
    bad = cli(fresh_database, "journal", "verify-archive", str(path))

    assert broken.returncode == 1
    assert "BROKEN sales #3: sequence_gap" in broken.stdout
    assert "BROKEN sales #4: closing_totals_mismatch" in broken.stdout
    assert bad.returncode == 1
    assert "archive_seal_invalid" in bad.stdout
    purge = cli(fresh_database, "journal", "purge", "--year", "2026", "--archive", str(path))
    assert purge.returncode == 1
    assert "purge refused: the year 2026 is not closed" in purge.stderr


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_dev_migrates_seeds_and_serves(fresh_database: str) -> None:
    port = _free_port()
    server = subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
        [sys.executable, "-m", "app.cli", "dev", "--port", str(port)],
        env=_env(fresh_database, **ADMIN),
        cwd=PROJECT_ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        services = _wait_for(f"http://127.0.0.1:{port}/api/v1/services", server)
    finally:
        server.send_signal(signal.SIGTERM)
        output, _ = server.communicate(timeout=60)

    assert services.status_code == 200, output
    assert len(services.json()["items"]) > 0
    assert f"admin {ADMIN['ADMIN_EMAIL']} created" in output
    assert "applied" in output


def test_serve_answers_with_two_workers_and_stops_cleanly_on_sigterm(migrated: str) -> None:
    port = _free_port()
    # Loopback is not a trusted proxy here: a forged X-Forwarded-For from it must be ignored
    # (uvicorn's own proxy handling would believe it), so the login limit per address holds.
    env = _env(
        migrated,
        APP_WORKERS="2",
        APP_LOG_LEVEL="INFO",
        APP_LOG_JSON="false",
        APP_TRUSTED_PROXIES="192.0.2.1",
        SECURITY_LOGIN_IP_LIMIT="2",
    )
    server = subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
        [sys.executable, "-m", "app.cli", "serve", "--port", str(port)],
        env=env,
        cwd=PROJECT_ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        health = _wait_for(f"{base}/health", server)
        services = httpx.get(f"{base}/api/v1/services", timeout=10)
        logins = [
            httpx.post(
                f"{base}/api/v1/auth/token",
                data={"username": f"nobody{n}@example.fr", "password": "wrong-password"},
                headers={"X-Forwarded-For": f"198.51.100.{n + 1}"},
                timeout=10,
            ).status_code
            for n in range(3)
        ]
    finally:
        server.send_signal(signal.SIGTERM)
        output, _ = server.communicate(timeout=60)

    assert health.status_code == 200, output
    assert services.status_code == 200, output
    if os.environ.get("REDIS_URL"):  # the two workers share the counters only through Redis
        assert logins == [401, 401, 429], output
    assert server.returncode == 0, output
    assert "with 2 worker process(es)" in output
    assert "2 API workers x (" in output
    assert "fits max_connections" in output
    assert output.count("Application startup complete") == 2
    assert output.count("Application shutdown complete") == 2
    assert "Traceback" not in output


def test_serve_refuses_to_start_when_its_pools_exceed_max_connections(migrated: str) -> None:
    done = cli(migrated, "serve", "--workers", "4", DATABASE_POOL_SIZE="40")

    assert done.returncode == 1, done.stdout + done.stderr
    assert "4 API workers x (40 pool + 10 overflow)" in done.stderr
    assert "EXCEEDS max_connections" in done.stderr
    assert "serving on" not in done.stdout


def test_make_load_runs_the_harness_against_serve_with_no_error(
    fresh_database: str, tmp_path: Path
) -> None:
    assert cli(fresh_database, "migrate").returncode == 0
    assert cli(fresh_database, "seed").returncode == 0
    port = _free_port()
    server = subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
        [sys.executable, "-m", "app.cli", "serve", "--port", str(port), "--workers", "1"],
        env=_env(fresh_database),
        cwd=PROJECT_ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    out = tmp_path / "run"
    try:
        _wait_for(f"http://127.0.0.1:{port}/health", server)
        load = ["make", "-s", "load", f"LOAD_HOST=http://127.0.0.1:{port}", "USERS=5"]
        done = subprocess.run(  # noqa: S603 - make, as the README says
            [*load, "DURATION=5s", f"LOAD_OUT={out}"],
            cwd=PROJECT_ROOT,
            env=_env(fresh_database),
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=60)

    assert done.returncode == 0, done.stdout + done.stderr
    assert "GET /api/v1/services" in done.stdout
    assert "GET /health" in done.stdout
    assert "mix p95 / health p95 =" in done.stdout
    assert "errors 0" in done.stdout
    mix = json.loads((tmp_path / "run_mix.json").read_text(encoding="utf-8"))
    assert mix["mix"]["requests"] > 0
    assert mix["health"]["requests"] > 0
    assert mix["mix"]["failures"] == mix["health"]["failures"] == 0


def _wait_for(url: str, server: subprocess.Popen[str]) -> httpx.Response:
    """The first answer of the server, once it listens (it migrates and seeds first)."""
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline:
        assert server.poll() is None, "the server stopped"
        try:
            return httpx.get(url, timeout=5)
        except httpx.TransportError:
            time.sleep(0.5)
    raise AssertionError("the server never answered")
