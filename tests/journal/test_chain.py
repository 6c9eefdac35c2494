"""The journal on the real PostgreSQL: append-only tables, one chain under concurrency, and
every kind of tampering found in one verification run."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from app.core import clock
from app.core.db import unit_of_work
from app.journal import public as journal
from app.journal.public import Chain, ClosingLevel, EventKind, Problem, RecordKind
from tests.builders import settings_changed
from tests.journal.builders import ticket

TILL = uuid.uuid4()
DAY = datetime(2026, 11, 17, 9, 0, tzinfo=UTC)


async def sell(number: str, at: datetime, **kwargs: object) -> journal.RecordRef:
    with clock.frozen_at(at):
        async with unit_of_work() as session:
            payload = ticket(number, at, **kwargs)  # type: ignore[arg-type]
            return await journal.append(session, RecordKind.ticket, payload, register_id=TILL)


async def sql(statement: str, *, replica: bool = False) -> None:
    """Run SQL as the test database's superuser (with triggers off when `replica`)."""
    async with unit_of_work() as session:
        if replica:
            await session.execute(text("SET LOCAL session_replication_role = replica"))
        await session.execute(text(statement))


async def verify() -> journal.VerificationReport:
    async with unit_of_work() as session:
        return await journal.verify(session)


async def test_postgresql_refuses_update_and_delete_on_the_journal() -> None:
    await sell("T-1", DAY)

    for statement in (
        "UPDATE journal_records SET payload = '{}'",
        "DELETE FROM journal_records",
        "TRUNCATE journal_records",
        "DELETE FROM journal_heads",
    ):
        with pytest.raises(DBAPIError, match="append-only"):
            await sql(statement)
    assert (await verify()).ok


@pytest.mark.race
async def test_two_tills_at_once_get_consecutive_sequences_and_one_valid_chain() -> None:
    async def till(n: int) -> list[int]:
        sequences = []
        for k in range(5):
            async with unit_of_work() as session:
                ref = await journal.append(
                    session, RecordKind.ticket, ticket(f"T{n}-{k}", DAY), register_id=uuid.uuid4()
                )
                await asyncio.sleep(0.01)  # hold the lock while the other till waits
            sequences.append(ref.sequence)
        return sequences

    first, second = await asyncio.gather(till(1), till(2))

    assert sorted(first + second) == list(range(1, 11))
    report = await verify()
    assert report.ok, report.issues
    sales = next(chain for chain in report.chains if chain.chain == Chain.sales)
    assert (sales.records, sales.head_sequence) == (10, 10)


async def test_every_tampering_is_found_in_one_verification_run() -> None:
    for n in range(1, 9):
        await sell(f"T-{n}", DAY + timedelta(minutes=n))
    with clock.frozen_at(DAY + timedelta(hours=12)):
        async with unit_of_work() as session:
            await journal.close(session, ClosingLevel.day, DAY.date())  # sequence 9
    for n in range(10, 15):
        await sell(f"T-{n}", DAY + timedelta(days=1, minutes=n))

    label = "payload = jsonb_set(payload, '{lines,0,label}', '\"Rien\"')"
    total = "payload = jsonb_set(payload, '{totals,total_incl_vat_cents}', '1')"
    for change in (
        f"UPDATE journal_records SET {label} WHERE sequence = 2",  # noqa: S608 - a value changed
        "DELETE FROM journal_records WHERE sequence = 5",  # a record deleted in the middle
        f"UPDATE journal_records SET {total} WHERE sequence = 9",  # noqa: S608 - the Z total
        "UPDATE journal_records SET sequence = -1 WHERE sequence = 11",  # 11 and 12 swapped
        "UPDATE journal_records SET sequence = 11 WHERE sequence = 12",
        "UPDATE journal_records SET sequence = 12 WHERE sequence = -1",
        "DELETE FROM journal_records WHERE sequence >= 13",  # the last records deleted
    ):
        await sql(change.replace("WHERE", "WHERE chain = 'sales' AND"), replica=True)

    report = await verify()

    found = {(i.sequence, i.problem) for i in report.issues if i.chain == Chain.sales}
    assert {
        (2, Problem.signature_mismatch),  # changed by a superuser
        (6, Problem.sequence_gap),  # 5 deleted in the middle
        (6, Problem.link_broken),
        (9, Problem.signature_mismatch),  # the closing's total changed
        (9, Problem.closing_totals_mismatch),
        (11, Problem.signature_mismatch),  # 11 and 12 swapped
        (12, Problem.signature_mismatch),
        (None, Problem.head_mismatch),  # 13 and 14 deleted
    } <= found
    assert not report.ok
    sales = next(chain for chain in report.chains if chain.chain == Chain.sales)
    assert sales.first is not None
    assert sales.last is not None
    assert (sales.first.sequence, sales.last.sequence) == (1, 12)
    async with unit_of_work() as session:
        kinds = await session.scalars(text("SELECT kind FROM journal_records WHERE chain='jet'"))
        assert EventKind.verification_failed in set(kinds)


async def test_a_z_closing_adds_up_its_tickets_per_vat_rate_and_tender() -> None:
    await sell("T-1", DAY, price_cents=6000)
    await sell("T-2", DAY + timedelta(hours=1), price_cents=1250, quantity=2, cash=True)
    await sell("T-3", DAY + timedelta(hours=2), price_cents=1100, rate="5.5")
    with clock.frozen_at(DAY + timedelta(hours=11)):
        async with unit_of_work() as session:
            credit = ticket("A-1", DAY, price_cents=-1250).model_copy(
                update={"corrects": journal.CorrectedTicket(number="T-2")}
            )
            await journal.append(session, RecordKind.credit_ticket, credit, register_id=TILL)
    await sell("T-5", DAY + timedelta(days=1), price_cents=999)  # the next day
    with clock.frozen_at(DAY + timedelta(days=1, hours=23)):
        async with unit_of_work() as session:
            refs = await journal.close_day(session, DAY.date())
            z = await session.scalar(
                text("SELECT payload FROM journal_records WHERE id = :id"), {"id": refs[0].id}
            )

    totals = z["totals"]
    assert (z["level"], z["first_sequence"], z["last_sequence"]) == ("day", 1, 4)
    assert totals["ticket_count"] == 4
    assert totals["total_incl_vat_cents"] == 6000 + 2500 + 1100 - 1250
    assert totals["by_vat"] == [
        {"rate": "5.50", "base_cents": 1043, "vat_cents": 57},
        {"rate": "20.00", "base_cents": 5000 + 2083 - 1042, "vat_cents": 1000 + 417 - 208},
    ]
    assert totals["by_tender"] == [
        {"method": "card", "amount_cents": 6000 + 1100 - 1250},
        {"method": "cash", "amount_cents": 2500},
    ]
    assert z["perpetual_total_cents"] == totals["total_incl_vat_cents"]
    report = await verify()
    assert report.ok, report.issues
    assert [c.matches for c in report.closings] == [True]


async def test_a_day_left_open_is_closed_at_the_set_hour_then_its_month(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    settings_changed(monkeypatch, JOURNAL_AUTO_CLOSE_HOUR="22")
    await sell("T-1", datetime(2026, 11, 30, 10, tzinfo=UTC))
    async with unit_of_work() as session:
        before = await journal.close_due(session, now=datetime(2026, 11, 30, 20, tzinfo=UTC))
        made = await journal.close_due(session, now=datetime(2026, 11, 30, 21, 30, tzinfo=UTC))
        again = await journal.close_due(session, now=datetime(2026, 12, 1, 9, tzinfo=UTC))

    assert before == []  # 21:00 in Paris
    assert [ref.kind for ref in made] == ["closing_day", "closing_month"]
    assert again == []
    assert (await verify()).ok


async def test_a_month_closes_its_open_days_first_and_nothing_closes_twice() -> None:
    await sell("T-1", DAY)
    async with unit_of_work() as session:
        month = await journal.close(session, ClosingLevel.month, date(2026, 11, 1))
    async with unit_of_work() as session:
        with pytest.raises(journal.PeriodAlreadyClosed, match="in a closed month"):
            await journal.close(session, ClosingLevel.day, date(2026, 11, 20))
    assert month.sequence == 3  # after the Z of the day still open in it
    async with unit_of_work() as session:
        await journal.close(session, ClosingLevel.day, date(2026, 12, 1))
        with pytest.raises(journal.PeriodAlreadyClosed, match="is closed"):
            await journal.close(session, ClosingLevel.day, date(2026, 12, 1))


async def test_training_tickets_stay_out_of_the_real_chain_and_totals() -> None:
    await sell("T-1", DAY)
    async with unit_of_work() as session:
        ref = await journal.append(
            session, RecordKind.ticket, ticket("F-1", DAY), register_id=TILL, training=True
        )
        x = await journal.x_report(session)

    assert (ref.training, ref.chain, ref.sequence) == (True, Chain.training, 1)
    assert (x.totals.ticket_count, x.totals.total_incl_vat_cents) == (1, 6000)
    assert (await verify()).ok


async def test_a_new_key_is_a_journaled_rotation_and_old_records_still_verify(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    await sell("T-1", DAY)
    settings_changed(
        monkeypatch,
        JOURNAL_SIGNING_KEYS='{"2026-12": "a-new-long-secret-for-the-journal"}',
        JOURNAL_SIGNING_KEY_ID="2026-12",
    )
    await sell("T-2", DAY)

    report = await verify()
    assert report.ok, report.issues
    async with unit_of_work() as session:
        rows = await session.execute(
            text("SELECT kind, key_id FROM journal_records ORDER BY chain, sequence")
        )
        assert ("key_rotated", "2026-12") in {tuple(row) for row in rows}
    settings_changed(monkeypatch, JOURNAL_SIGNING_KEYS='{"2026-12": "another"}')
    problems = {issue.problem for issue in (await verify()).issues}
    assert Problem.signature_mismatch in problems


async def test_a_payload_of_another_kind_or_a_credit_without_its_ticket_is_refused() -> None:
    async with unit_of_work() as session:
        with pytest.raises(journal.PayloadDoesNotFit):
            await journal.append(
                session, RecordKind.credit_ticket, ticket("A", DAY), register_id=TILL
            )
        opened = journal.RegisterOpenedPayload(float_cents=5000, at=DAY)
        with pytest.raises(journal.PayloadDoesNotFit):
            await journal.append(session, RecordKind.ticket, opened, register_id=TILL)  # type: ignore[arg-type]
