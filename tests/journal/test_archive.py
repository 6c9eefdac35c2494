"""Yearly archives: written from the journal, checked offline, refused after any change."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from app.core import clock
from app.core.db import unit_of_work
from app.journal import public as journal
from app.journal.public import Problem, RecordKind
from tests.journal.builders import ticket

TILL = uuid.uuid4()
DAY = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


async def _a_closed_year() -> None:
    for n in range(6):
        at = DAY + timedelta(days=n // 2, hours=n)
        with clock.frozen_at(at):
            async with unit_of_work() as session:
                await journal.append(
                    session, RecordKind.ticket, ticket(f"T-{n}", at), register_id=TILL
                )
    at = datetime(2026, 12, 31, 22, 30, tzinfo=UTC)  # 23:30 in Paris: the year closes
    with clock.frozen_at(at):
        async with unit_of_work() as session:
            await journal.close_due(session, now=at)


async def test_an_archive_verifies_offline_and_fails_after_one_byte_changes(
    tmp_path: Path,
) -> None:
    await _a_closed_year()
    with clock.frozen_at(datetime(2027, 1, 2, 9, tzinfo=UTC)):
        async with unit_of_work() as session:
            written = await journal.write_archive(session, 2026, tmp_path)

    check = journal.verify_archive(written.path)
    assert check.ok, check.issues
    assert (check.year, check.complete) == (2026, True)
    assert check.records == written.records
    levels = [c.level for c in check.closings]
    assert levels == [*["day"] * 3, *["month"] * 10, "year"]
    assert all(c.matches for c in check.closings)
    assert check.closings[-1].recomputed_total_cents == 6 * 6000

    raw = bytearray(written.path.read_bytes())
    for offset in (10, len(raw) // 2, len(raw) - 20):
        changed = tmp_path / f"changed-{offset}.jsonl"
        flipped = raw.copy()
        flipped[offset] ^= 0x01
        changed.write_bytes(bytes(flipped))
        problems = {issue.problem for issue in journal.verify_archive(changed).issues}
        # Whatever the byte broke (a record, the manifest, the seal), the seal says so.
        assert Problem.archive_seal_invalid in problems, (offset, problems)


async def test_a_year_is_purged_only_after_its_archive_and_the_journal_still_verifies(
    tmp_path: Path,
) -> None:
    await _a_closed_year()
    refused = []
    async with unit_of_work() as session:
        made = await journal.write_archive(session, 2026, tmp_path)
    forged = tmp_path / "forged.jsonl"
    forged.write_bytes(made.path.read_bytes().replace(b"Soin visage", b"Soin visagE", 1))
    for path in (forged, made.path):
        try:
            async with unit_of_work() as session:
                if path is forged:
                    await journal.purge_year(session, 2026, path)
                else:
                    await journal.purge_year(session, 2025, path)
        except journal.PurgeRefused as exc:
            refused.append(exc.detail)
    async with unit_of_work() as session:
        done = await journal.purge_year(session, 2026, made.path)
    at = datetime(2027, 1, 4, 9, tzinfo=UTC)
    with clock.frozen_at(at):
        async with unit_of_work() as session:
            await journal.append(session, RecordKind.ticket, ticket("T-9", at), register_id=TILL)
            await journal.close_day(session, at.date())

    assert len(refused) == 2
    assert (done.first_sequence, done.deleted) == (1, done.last_sequence)
    async with unit_of_work() as session:
        report = await journal.verify(session)
        with pytest.raises(journal.PurgeRefused):
            await journal.purge_year(session, 2026, made.path)
    assert report.ok, report.issues
    z = report.closings[-1]
    assert z.matches
    assert z.recomputed_perpetual_cents == 7 * 6000


@pytest.mark.parametrize(
    "key",
    [
        b'"total_incl_vat_cents"',
        b'"first_sequence"',
        b'"perpetual_total_cents"',
        b'"totals"',
        b'"tenders"',
        b'"vat"',
    ],
)
async def test_an_archive_whose_records_lost_a_key_is_reported_not_a_crash(
    tmp_path: Path, key: bytes
) -> None:
    """A hand-edited archive may lack any key a ticket or a closing holds: every record is
    still checked and the change reported (a crash would hide the rest of the report)."""
    await _a_closed_year()
    with clock.frozen_at(datetime(2027, 1, 2, 9, tzinfo=UTC)):
        async with unit_of_work() as session:
            written = await journal.write_archive(session, 2026, tmp_path)
    raw = written.path.read_bytes()
    assert raw.count(key) > 1
    edited = tmp_path / "edited.jsonl"
    edited.write_bytes(raw.replace(key, key[:-2] + b'X"'))

    check = journal.verify_archive(edited)

    assert not check.ok
    problems = {issue.problem for issue in check.issues}
    assert Problem.payload_malformed in problems, problems
    assert Problem.archive_seal_invalid in problems
