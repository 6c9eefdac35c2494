"""One pagination convention for every list: keyset, `?limit=&cursor=`, answering `items` and
`next_cursor`. The cursor is opaque to clients (base64 of the last row's sort key)."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Annotated, Any, Generic, TypeVar
from uuid import UUID

from fastapi import Depends, Query
from pydantic import BaseModel, Field
from sqlalchemy import Select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from app.core.errors import BadRequest

T = TypeVar("T")
Row = TypeVar("Row")


class InvalidCursor(BadRequest):
    code, title = "invalid_cursor", "The pagination cursor is not valid"


class PageParams(BaseModel):
    limit: int = 50
    cursor: str | None = None


def page_params(
    limit: Annotated[int, Query(ge=1, le=200, description="Items per page")] = 50,
    cursor: Annotated[str | None, Query(description="`next_cursor` of the previous page")] = None,
) -> PageParams:
    return PageParams(limit=limit, cursor=cursor)


Pagination = Annotated[PageParams, Depends(page_params)]


class Page(BaseModel, Generic[T]):
    items: list[T]
    next_cursor: str | None = Field(default=None, description="Pass as `cursor` for the next page")


def _encode(values: Sequence[Any]) -> str:
    plain = [
        v.isoformat() if isinstance(v, datetime) else str(v) if isinstance(v, UUID) else v
        for v in values
    ]
    return base64.urlsafe_b64encode(json.dumps(plain).encode()).decode()


def _decode(cursor: str, columns: Sequence[InstrumentedAttribute[Any]]) -> list[Any]:
    try:
        raw = json.loads(base64.urlsafe_b64decode(cursor.encode()))
        if not isinstance(raw, list) or len(raw) != len(columns):
            raise ValueError("wrong shape")
        values: list[Any] = []
        for value, column in zip(raw, columns, strict=True):
            python_type = column.type.python_type
            if python_type is datetime:
                values.append(datetime.fromisoformat(value))
            elif python_type is UUID:
                values.append(UUID(value))
            else:
                values.append(value)
        return values
    except (ValueError, TypeError, NotImplementedError) as exc:
        raise InvalidCursor() from exc


async def paginate(
    session: AsyncSession,
    statement: Select[Row],
    *,
    order_by: Sequence[InstrumentedAttribute[Any]],
    params: PageParams,
    descending: bool = False,
    to_item: Callable[[Row], T],
) -> Page[T]:
    """Run `statement` one page at a time, ordered by `order_by` (which must be unique together,
    e.g. `(created_at, id)`)."""
    key = tuple_(*order_by)
    if params.cursor:
        after = tuple_(*_decode(params.cursor, order_by))
        statement = statement.where(key < after if descending else key > after)
    ordering = [c.desc() for c in order_by] if descending else list(order_by)
    rows = (await session.scalars(statement.order_by(*ordering).limit(params.limit + 1))).all()
    next_cursor = None
    if len(rows) > params.limit:
        rows = rows[: params.limit]
        last = rows[-1]
        next_cursor = _encode([getattr(last, column.key) for column in order_by])
    return Page[T](items=[to_item(row) for row in rows], next_cursor=next_cursor)
