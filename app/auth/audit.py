"""The audit log: written in the same transaction as what it records."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from app.auth.models import AuditLogEntry
from app.core.clock import utcnow
from app.core.db import json_safe
from app.core.ids import new_id
from app.core.logging import request_id_var


async def record(
    session: AsyncSession,
    action: str,
    *,
    actor_user_id: UUID | None,
    subject_type: str | None = None,
    subject_id: UUID | str | None = None,
    ip: str | None = None,
    data: dict[str, Any] | None = None,
) -> None:
    session.add(
        AuditLogEntry(
            id=new_id(),
            at=utcnow(),
            actor_user_id=actor_user_id,
            action=action,
            subject_type=subject_type,
            subject_id=str(subject_id) if subject_id is not None else None,
            ip=ip,
            request_id=request_id_var.get(),
            data=json_safe(data or {}),
        )
    )
