"""Entry numbers under concurrency, on real commits: twenty events written at once in one
journal get 1 to 20, no gap and no double; a rolled-back entry gives its number back."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import select

from app.accounting import service
from app.accounting.models import Entry, JournalCode, SourceKind
from app.accounting.postings import Draft
from app.core import clock
from app.core.db import unit_of_work
from tests.factories.core import paris

pytestmark = pytest.mark.commits


class Abandoned(Exception):
    pass


def _sale(n: int) -> Draft:
    draft = Draft(
        journal=JournalCode.cash,
        at=paris(2027, 3, 22, 10),
        label="Vente carte cadeau",
        document_ref=f"P{n}",
        source_kind=SourceKind.payment,
        source_key=f"payment:race-{n}",
    )
    draft.add("cash", 1000 + n)
    draft.add("gift_cards", -(1000 + n))
    return draft


async def _post(n: int) -> None:
    async with unit_of_work() as session:
        await service.post(session, _sale(n))


async def _post_then_fail() -> None:
    async with unit_of_work() as session:
        await service.post(session, _sale(0))
        raise Abandoned


async def _numbers() -> list[int]:
    async with unit_of_work() as session:
        found = await session.scalars(
            select(Entry.number).where(Entry.journal_code == "CA").order_by(Entry.number)
        )
        return list(found)


async def test_twenty_entries_at_once_are_numbered_without_gap_or_double() -> None:
    clock.pin(paris(2027, 3, 22, 10))
    with pytest.raises(Abandoned):
        await _post_then_fail()

    await asyncio.gather(*(_post(n) for n in range(1, 21)))

    assert await _numbers() == list(range(1, 21))
