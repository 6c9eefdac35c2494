"""The journal's two tables. `journal_records` is append-only: PostgreSQL refuses UPDATE,
DELETE and TRUNCATE on it (triggers of migration 0026). `journal_heads` keeps, apart from the
chain, each chain's last sequence and signature, itself signed: deleting the latest records
leaves a head that no longer matches."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import BigInteger, Index, String, Text, UniqueConstraint
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from app.core.db import Base
from app.core.ids import new_id
from app.journal.payloads import Chain

__all__ = ["Chain", "JournalHead", "JournalRecord"]


class JournalRecord(Base):
    __tablename__ = "journal_records"
    # Tests empty these with triggers off (tests/conftest.py reads the flag).
    __table_args__ = (
        UniqueConstraint("chain", "sequence"),
        # The reports read a chain by date (sale_records).
        Index("ix_journal_records_chain_recorded", "chain", "recorded_at"),
        {"info": {"append_only": True}},
    )

    id: Mapped[UUID] = mapped_column(primary_key=True, default=new_id)
    chain: Mapped[str] = mapped_column(String(16))
    sequence: Mapped[int] = mapped_column(BigInteger)
    kind: Mapped[str] = mapped_column(String(32))
    register_id: Mapped[UUID | None]
    recorded_at: Mapped[datetime]
    schema_version: Mapped[int]
    key_id: Mapped[str] = mapped_column(String(64))
    payload: Mapped[dict[str, Any]] = mapped_column(JSONB)
    previous_signature: Mapped[str] = mapped_column(String(64))
    signature: Mapped[str] = mapped_column(String(64))


class JournalHead(Base):
    __tablename__ = "journal_heads"
    __table_args__ = {"info": {"append_only": True}}

    chain: Mapped[str] = mapped_column(String(16), primary_key=True)
    sequence: Mapped[int] = mapped_column(BigInteger)
    signature: Mapped[str] = mapped_column(String(64))
    key_id: Mapped[str] = mapped_column(String(64))
    head_signature: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime]
