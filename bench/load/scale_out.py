"""Scale-out shown on one machine (issue 18, docs/scaling.md): two API processes on two ports,
two Celery workers and one beat on one PostgreSQL and one Redis, the load harness against both
ports at once; then, in the database, reminders, outbox deliveries and hold expiries each done
exactly once. Exits 1 when a check fails.

    .venv/bin/python bench/load/scale_out.py --users 50 --duration 60s

A fresh database with the demo salon; its own Redis database (REDIS_SCALE_URL, default
redis://127.0.0.1:6379/7) as broker, so no other Celery on the machine takes its tasks. Holds
last one minute (booking_rules.hold_minutes = 1) and reminders go 7 days ahead
(NOTIFICATIONS_REMINDER_HOURS=168; the bookings are then aged by a month, as if booked long
ago, so their reminders fall due), so a few minutes show all three kinds of work.
"""

from __future__ import annotations

import argparse
import os
import secrets
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import psycopg

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(Path(__file__).resolve().parent))
from summary import summarise  # noqa: E402

BIN = Path(sys.executable).parent
ADMIN_URL = os.environ.get("TEST_PG_URL") or "postgresql://postgres@127.0.0.1:5432/postgres"

CHECKS = {
    "each expired hold has one hold_expired event": """
        SELECT count(*) FROM (
          SELECT b.id FROM bookings b LEFT JOIN booking_events e
            ON e.booking_id = b.id AND e.kind = 'hold_expired'
          WHERE b.cancellation_reason = 'hold_expired' GROUP BY b.id HAVING count(e.id) <> 1
        ) wrong""",
    "no hold left past its expiry": """
        SELECT count(*) FROM bookings
        WHERE status = 'pending_payment' AND hold_expires_at < now() - interval '5 seconds'""",
    "one reminder per booking and channel": """
        SELECT count(*) FROM (
          SELECT booking_id, channel FROM messages WHERE template = 'booking_reminder'
          GROUP BY booking_id, channel HAVING count(*) > 1
        ) wrong""",
    "every message sent once (one attempt)": """
        SELECT count(*) FROM messages WHERE status = 'sent' AND attempts <> 1""",
    "every outbox event handled once (one attempt, done)": """
        SELECT count(*) FROM outbox_events WHERE status <> 'done' OR attempts <> 1""",
}
COUNTS = {
    "bookings made": "SELECT count(*) FROM bookings WHERE source = 'online'",
    "holds expired": "SELECT count(*) FROM bookings WHERE cancellation_reason = 'hold_expired'",
    "confirmed bookings in the next 7 days": """
        SELECT count(*) FROM bookings
        WHERE status = 'confirmed' AND start_at BETWEEN now() AND now() + interval '7 days'""",
    "reminders written": "SELECT count(*) FROM messages WHERE template = 'booking_reminder'",
    "messages sent": "SELECT count(*) FROM messages WHERE status = 'sent'",
    "outbox events done": "SELECT count(*) FROM outbox_events WHERE status = 'done'",
}
SETTLED = """
    SELECT (SELECT count(*) FROM bookings WHERE status = 'pending_payment')
         + (SELECT count(*) FROM outbox_events WHERE status = 'pending')
         + (SELECT count(*) FROM messages WHERE status = 'queued')"""


def scalar(url: str, sql: str) -> int:
    with psycopg.connect(url) as connection:
        row = connection.execute(sql).fetchone()  # type: ignore[arg-type]
        return int(row[0]) if row else 0


def _locust(
    port: int, users: int, duration: str, out: Path, env: dict[str, str]
) -> subprocess.Popen[bytes]:
    command = [
        str(BIN / "locust"), "-f", str(ROOT / "bench/load/locustfile.py"),
        "--headless", "--host", f"http://127.0.0.1:{port}",
        "-u", str(2 * users), "-r", str(max(1, users // 2)), "-t", duration,
        "--csv", str(out / f"scale-{port}"), "--only-summary", "--loglevel", "WARNING",
    ]  # fmt: skip
    return subprocess.Popen(  # noqa: S603 - our own locust
        command,
        env=env | {"USERS": str(users), "STAFF_USERS": "0"},
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--users", type=int, default=50, help="site visitors per API process")
    parser.add_argument("--duration", default="60s")
    parser.add_argument("--settle", type=int, default=240, help="seconds to wait for the work")
    args = parser.parse_args()
    database = f"salon_scale_{secrets.token_hex(3)}"
    url = f"{ADMIN_URL.rsplit('/', 1)[0]}/{database}"
    out = ROOT / "var" / "load"
    out.mkdir(parents=True, exist_ok=True)
    env = os.environ | {
        "DATABASE_URL": url,
        "REDIS_URL": os.environ.get("REDIS_SCALE_URL", "redis://127.0.0.1:6379/7"),
        "REDIS_KEY_PREFIX": f"salon-{database}",
        "NOTIFICATIONS_REMINDER_HOURS": "168",
        "APP_LOG_LEVEL": "WARNING",
        "ADMIN_EMAIL": "scale@serenaia.example",
        "ADMIN_PASSWORD": "scale-password-1",
    }
    with psycopg.connect(ADMIN_URL, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{database}"')
    processes: list[subprocess.Popen[bytes]] = []

    def start(name: str, *command: str) -> None:
        log = (out / f"scale-{name}.log").open("wb")
        processes.append(
            subprocess.Popen(command, env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)  # noqa: S603
        )

    try:
        cli = [sys.executable, "-m", "app.cli"]
        subprocess.run([*cli, "migrate"], env=env, cwd=ROOT, check=True, capture_output=True)  # noqa: S603
        subprocess.run([*cli, "seed"], env=env, cwd=ROOT, check=True, capture_output=True)  # noqa: S603
        with psycopg.connect(url, autocommit=True) as connection:
            connection.execute("UPDATE booking_rules SET hold_minutes = 1")
        ports = (8891, 8892)
        for port in ports:
            start(f"api-{port}", *cli, "serve", "--port", str(port), "--workers", "1")
        celery = [str(BIN / "celery"), "-A", "app.worker:celery_app"]
        for n in (1, 2):
            start(
                f"worker-{n}", *celery, "worker", "--loglevel=WARNING", "--pool=threads",
                "--concurrency=2", f"--hostname=scale{n}@%h",
            )  # fmt: skip
        start("beat", *celery, "beat", "--loglevel=WARNING", f"--schedule={out}/scale-beat")
        for port in ports:
            for _ in range(120):
                try:
                    if httpx.get(f"http://127.0.0.1:{port}/health", timeout=2).is_success:
                        break
                except httpx.TransportError:
                    time.sleep(0.5)
        print(f"2 API processes {ports}, 2 Celery workers, 1 beat on {database}", flush=True)
        loads = [_locust(port, args.users, args.duration, out, env) for port in ports]
        for load in loads:
            load.wait()
        for port in ports:
            figures: dict[str, Any] = summarise(str(out / f"scale-{port}"))
            mix = figures["mix"]
            print(
                f"port {port}: {figures['requests']} requests, {figures['failures']} errors, "
                f"mix p50 {mix['p50']:.0f} / p95 {mix['p95']:.0f} ms, {figures['rps']:.1f} req/s"
            )
        # As if the bookings had been made a month ago: their reminders fall due now (a booking
        # made inside its reminder window gets none: it just had its confirmation).
        with psycopg.connect(url, autocommit=True) as connection:
            connection.execute(
                "UPDATE bookings SET created_at = created_at - interval '30 days'"
                " WHERE status = 'confirmed'"
            )
        time.sleep(65)  # one reminder scan at least, on whichever worker takes it
        deadline = time.monotonic() + args.settle
        while scalar(url, SETTLED) and time.monotonic() < deadline:
            time.sleep(5)
        for label, sql in COUNTS.items():
            print(f"{label}: {scalar(url, sql)}")
        failed = 0
        for label, sql in CHECKS.items():
            wrong = scalar(url, sql)
            failed += wrong > 0
            verdict = "ok  " if not wrong else "FAIL"
            print(f"{verdict} {label}" + (f": {wrong} wrong" if wrong else ""))
        return 1 if failed else 0
    finally:
        for process in processes:
            process.send_signal(signal.SIGTERM)
        for process in processes:
            try:
                process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                process.kill()
        with psycopg.connect(ADMIN_URL, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')


if __name__ == "__main__":
    sys.exit(main())
