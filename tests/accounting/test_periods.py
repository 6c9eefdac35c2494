"""Periods: a locked month takes no entry (what happens in it later is written on the first
day of the next open one, its own date in the label); an unbalanced entry never commits; the
mapping is the accountant's."""

from __future__ import annotations

import pytest
from httpx import AsyncClient
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from app.accounting import service
from app.accounting.models import Entry, EntryLine, JournalCode, SourceKind
from app.accounting.postings import Draft
from app.auth.models import Role
from app.core import clock
from app.core.clock import utcnow
from app.core.db import unit_of_work
from app.core.ids import new_id
from tests.accounting.helpers import entries, postings
from tests.builders import AuthHeaders
from tests.factories.core import count, paris, run_outbox
from tests.factories.giftcards import sell_gift_card


@pytest.fixture(autouse=True)
def _in_march() -> None:
    clock.pin(paris(2027, 3, 31, 18))


async def test_a_locked_month_sends_its_late_entries_to_the_next_open_one(
    client: AsyncClient, auth_headers: AuthHeaders
) -> None:
    manager = await auth_headers(Role.manager)
    await sell_gift_card(client, manager, 3000)  # its entry waits in the outbox
    await run_outbox()
    await sell_gift_card(client, manager, 4000)  # the same evening, written after the lock

    locked = await client.post("/api/v1/accounting/periods/2027/3/lock", headers=manager)
    april = await client.post("/api/v1/accounting/periods/2027/4/lock", headers=manager)
    await run_outbox()

    assert locked.status_code == 200, locked.text
    assert (locked.json()["locked"], april.json()["locked"]) == (True, True)
    first, late = await entries(client, manager, journal="CA")
    assert (first["entry_date"], first["number"]) == ("2027-03-31", "CA000001")
    # March and April are locked: May 1st, its own date in its label and the document's.
    assert (late["entry_date"], late["number"]) == ("2027-05-01", "CA000002")
    assert late["document_date"] == "2027-03-31"
    assert late["label"] == "Vente carte cadeau (opération du 31/03/2027)"
    assert {line["label"] for line in late["lines"]} == {late["label"]}
    periods = await client.get("/api/v1/accounting/periods/2027", headers=manager)
    assert [p["month"] for p in periods.json()["periods"] if p["locked"]] == [3, 4]


async def test_locking_is_for_managers_and_a_month_must_exist(
    client: AsyncClient, auth_headers: AuthHeaders
) -> None:
    desk = await auth_headers(Role.receptionist)
    manager = await auth_headers(Role.manager)

    refused = await client.post("/api/v1/accounting/periods/2027/3/lock", headers=desk)
    thirteenth = await client.post("/api/v1/accounting/periods/2027/13/lock", headers=manager)
    periods = await client.get("/api/v1/accounting/periods/2027", headers=manager)

    assert refused.status_code == 403
    assert thirteenth.status_code == 422
    assert not any(p["locked"] for p in periods.json()["periods"])


async def test_an_unbalanced_entry_is_refused_by_the_database() -> None:
    with pytest.raises(IntegrityError, match="not balanced"):
        await _write_unbalanced()
    async with unit_of_work() as session:
        assert await count(session, Entry) == 0


async def _write_unbalanced() -> None:
    async with unit_of_work() as session:
        await _unbalanced(session)
        await session.flush()  # deferred: nothing is checked yet
        await session.execute(text("SET CONSTRAINTS accounting_entry_balanced IMMEDIATE"))


async def _unbalanced(session: AsyncSession) -> None:
    await session.execute(
        text(
            "INSERT INTO accounting_fiscal_years (year, start_date, end_date)"
            " VALUES (2027, '2027-01-01', '2027-12-31')"
        )
    )
    entry = Entry(
        id=new_id(),
        journal_code="OD",
        fiscal_year=2027,
        number=1,
        entry_date=utcnow().date(),
        label="Déséquilibrée",
        document_ref="X",
        document_date=utcnow().date(),
        source_kind="payment",
        source_key="test:unbalanced",
        created_at=utcnow(),
    )
    session.add(entry)
    for position, (debit, credit) in enumerate([(1000, 0), (0, 999)], start=1):
        session.add(
            EntryLine(
                id=new_id(),
                entry_id=entry.id,
                position=position,
                account_key="cash",
                account_number="530000",
                account_label="Caisse",
                label="Déséquilibrée",
                debit_cents=debit,
                credit_cents=credit,
            )
        )


async def test_the_accountant_maps_a_role_to_another_account_for_new_entries(
    client: AsyncClient, auth_headers: AuthHeaders
) -> None:
    manager = await auth_headers(Role.manager)
    await sell_gift_card(client, manager, 3000)
    await run_outbox()

    changed = await client.patch(
        "/api/v1/accounting/accounts/cash",
        json={"number": "531000", "label": "Caisse accueil"},
        headers=manager,
    )
    wrong = await client.patch(
        "/api/v1/accounting/accounts/cash", json={"number": "53-1"}, headers=manager
    )
    missing = await client.patch(
        "/api/v1/accounting/accounts/nothing", json={"label": "Rien"}, headers=manager
    )
    await sell_gift_card(client, manager, 4000)
    await run_outbox()

    assert changed.status_code == 200, changed.text
    assert (wrong.status_code, wrong.json()["code"]) == (422, "validation_error")
    assert (missing.status_code, missing.json()["code"]) == (404, "account_not_found")
    mapping = await client.get("/api/v1/accounting/accounts", headers=manager)
    cash = next(a for a in mapping.json()["accounts"] if a["key"] == "cash")
    assert (cash["number"], cash["label"]) == ("531000", "Caisse accueil")
    before, after = await entries(client, manager, journal="CA")
    assert postings(before)[0][0] == "530000"  # written before: unchanged
    assert postings(after)[0][0] == "531000"


async def test_the_same_event_twice_writes_one_entry(session: AsyncSession) -> None:
    def draft() -> Draft:
        made = Draft(
            journal=JournalCode.cash,
            at=utcnow(),
            label="Vente carte cadeau",
            document_ref="P1",
            source_kind=SourceKind.payment,
            source_key="payment:replayed",
        )
        made.add("cash", 3000)
        made.add("gift_cards", -3000)
        return made

    first = await service.post(session, draft())
    again = await service.post(session, draft())

    assert again.id == first.id
    assert await count(session, Entry) == 1
    assert await count(session, EntryLine) == 2
