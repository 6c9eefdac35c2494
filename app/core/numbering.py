"""Numbers on continuous sequences without gaps (tickets, credit tickets, later invoices):
one counter row per series, incremented under its row lock inside the issuing transaction.
A rollback gives the number back with everything else; two issuers queue on the row, so
neither shares nor skips a number. A PostgreSQL sequence would leave holes on rollback."""

from __future__ import annotations

from sqlalchemy import BigInteger, CheckConstraint, String
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from app.core.db import Base


class DocumentCounter(Base):
    __tablename__ = "document_counters"

    series: Mapped[str] = mapped_column(String(40), primary_key=True)
    last_value: Mapped[int] = mapped_column(BigInteger)

    __table_args__ = (CheckConstraint("last_value >= 0", name="last_value_valid"),)


async def next_number(session: AsyncSession, series: str) -> int:
    """The next number of `series` (1 for a new series). The row stays locked until the
    caller's transaction ends: take it as late as possible."""
    statement = (
        insert(DocumentCounter)
        .values(series=series, last_value=1)
        .on_conflict_do_update(
            index_elements=[DocumentCounter.series],
            set_={"last_value": DocumentCounter.last_value + 1},
        )
        .returning(DocumentCounter.last_value)
    )
    return int((await session.execute(statement)).scalar_one())
