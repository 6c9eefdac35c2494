"""Celery tasks and beat entries are declared in each domain's tasks.py and discovered: the
worker's schedule holds every declared entry, names only tasks that exist, and is the one the
salon has always run."""

from __future__ import annotations

import importlib
from pathlib import Path
from types import SimpleNamespace

import pytest
from celery.schedules import crontab

import app
from app.core import jobs
from app.worker import beat_schedule, celery_app

# The schedule as app/worker.py listed it by hand before the domains declared it.
SCHEDULE = {
    "dispatch-outbox": ("core.dispatch_outbox", 15.0),
    "deliver-messages": ("notifications.deliver", 15.0),
    "scan-reminders": ("notifications.scan_reminders", 60.0),
    "gift-cards-expire": ("giftcards.expire", crontab(hour=0, minute=20)),
    "gift-cards-remind": ("giftcards.remind_expiring", crontab(hour=10, minute=0)),
    "sync-sms-stops": ("notifications.sync_sms_stops", crontab(minute=5)),
    "expire-holds": ("bookings.expire_holds", 60.0),
    "poll-terminal": ("payments.poll_terminal", 60.0),
    "purge-expired": ("core.purge_expired", crontab(minute=17)),
    "retention-review": ("clients.flag_inactive", crontab(hour=3, minute=40)),
    # Added since: the till's days left open get their Z (docs/till.md).
    "journal-close-due": ("journal.close_due", crontab(minute=5)),
    # Invoices sold on account gone overdue get one reminder (docs/invoicing.md).
    "invoices-remind-overdue": ("invoicing.remind_overdue", crontab(hour=9, minute=30)),
    # Loyalty (docs/loyalty.md): expiry, the reminder before it, tiers.
    "loyalty-expire-points": ("loyalty.expire_points", crontab(hour=0, minute=40)),
    "loyalty-remind-expiring": ("loyalty.remind_expiring", crontab(hour=10, minute=10)),
    "loyalty-apply-tiers": ("loyalty.apply_tiers", crontab(hour=1, minute=10)),
    "loyalty-grant-birthdays": ("loyalty.grant_birthdays", crontab(hour=7, minute=30)),
    # Added since: SumUp's payouts are read every morning (docs/payments.md, "Payouts").
    "sync-payouts": ("payments.sync_payouts", crontab(hour=7, minute=5)),
    # Packages past their validity end, and clients hear before (docs/packages.md).
    "packages-expire": ("packages.expire", crontab(hour=0, minute=25)),
    "packages-remind": ("packages.remind_expiring", crontab(hour=10, minute=5)),
    # Failed membership renewals: retries, reminders, suspension (docs/subscriptions.md).
    "dunning-scan": ("subscriptions.dunning_scan", 900.0),
    # Prepaid memberships' revenue, month by month (docs/subscriptions.md, "Accounting").
    "memberships-recognise": ("accounting.recognise_memberships", crontab(hour=0, minute=30)),
}


def test_the_beat_schedule_is_the_one_the_salon_always_ran() -> None:
    schedule = celery_app.conf.beat_schedule
    assert {key: (e["task"], e["schedule"]) for key, e in schedule.items()} == SCHEDULE


def declared_beat() -> dict[str, jobs.Beat]:
    """Every BEAT entry of every tasks.py on disk, found without the registry."""
    root = Path(app.__file__).parent
    entries = {}
    for path in sorted(root.glob("*/tasks.py")):
        module = importlib.import_module(f"app.{path.parent.name}.tasks")
        entries |= {entry.key: entry for entry in getattr(module, "BEAT", [])}
    return entries


def test_every_periodic_task_a_tasks_module_declares_is_in_the_schedule() -> None:
    declared = declared_beat()
    assert declared
    assert declared == beat_schedule
    schedule = celery_app.conf.beat_schedule
    assert {k: (e.task, e.schedule) for k, e in declared.items()} == {
        k: (e["task"], e["schedule"]) for k, e in schedule.items()
    }


def test_the_schedule_names_only_tasks_that_exist_and_every_task_is_registered() -> None:
    scheduled = {entry["task"] for entry in celery_app.conf.beat_schedule.values()}
    declared = {task.name for task in jobs.tasks()}
    assert scheduled <= set(celery_app.tasks)
    assert declared <= set(celery_app.tasks)
    assert scheduled <= declared


def test_tasks_are_declared_in_a_tasks_module() -> None:
    elsewhere = [t.name for t in jobs.tasks() if not t.run.__module__.endswith(".tasks")]
    assert elsewhere == []
    assert all(task.doc for task in jobs.tasks())


def test_a_beat_entry_for_an_undeclared_task_is_refused() -> None:
    async def undeclared() -> int:
        return 0

    with pytest.raises(ValueError, match="not declared"):
        jobs.beat("nightly", undeclared, every=60.0)


def test_a_schedule_naming_a_missing_task_or_a_key_twice_is_refused() -> None:
    ghost = SimpleNamespace(BEAT=[jobs.Beat("ghost", "nobody.ghost", 60.0)])
    with pytest.raises(ValueError, match="names no task"):
        jobs.schedule([ghost])  # type: ignore[list-item]
    twice = SimpleNamespace(BEAT=[jobs.Beat("twice", "core.dispatch_outbox", 15.0)] * 2)
    with pytest.raises(ValueError, match="twice"):
        jobs.schedule([twice])  # type: ignore[list-item]


def test_a_task_name_declared_twice_is_refused() -> None:
    async def another() -> int:
        return 0

    with pytest.raises(ValueError, match="twice"):
        jobs.task("core.dispatch_outbox")(another)
