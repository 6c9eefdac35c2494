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
from sqlalchemy import ColumnElement, Select, TypeDecorator, literal, tuple_
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from app.core.errors import BadRequest

T = TypeVar("T")


class InvalidCursor(BadRequest):
    code, title = "invalid_cursor", "The pagination cursor is not valid"


class PageParams(BaseModel):
    limit: int = 50
    cursor: str | None = None


def page_params(
    limit: Annotated[int, Query(ge=1, le=200, description="Items per page")] = 50,
    cursor: Annotated[
        str | None, Query(max_length=1024, description="`next_cursor` of the previous page")
    ] = None,
) -> PageParams:
    return PageParams(limit=limit, cursor=cursor)


Pagination = Annotated[PageParams, Depends(page_params)]


class Page(BaseModel, Generic[T]):
    items: list[T]
    next_cursor: str | None = Field(default=None, description="Pass as `cursor` for the next page")


SortKey = ColumnElement[Any] | InstrumentedAttribute[Any]


def _python_type(key: SortKey) -> type[Any] | None:
    """The Python type a sort key's values come back as. A TypeDecorator (our `timestamptz`
    that refuses naive values) says `object`: ask the type it decorates."""
    sql_type = key.type
    if isinstance(sql_type, TypeDecorator):
        sql_type = sql_type.impl_instance
    try:
        return sql_type.python_type
    except NotImplementedError:
        return None


def _encode(values: Sequence[Any]) -> str:
    if any(v is None for v in values):
        # A NULL never compares: the rows after it would be skipped. Sort on coalesce().
        raise ValueError("a pagination sort key is NULL")
    plain = [
        v.isoformat() if isinstance(v, datetime) else str(v) if isinstance(v, UUID) else v
        for v in values
    ]
    return base64.urlsafe_b64encode(json.dumps(plain).encode()).decode()


def _decode_value(value: Any, python_type: type[Any] | None) -> Any:
    if python_type is datetime:
        instant = datetime.fromisoformat(value)
        if instant.tzinfo is None:
            raise ValueError("naive instant in a cursor")
        return instant
    if python_type is UUID:
        return UUID(value)
    if python_type in (int, str, bool) and type(value) is not python_type:
        raise ValueError("cursor value of the wrong type")
    return value


def _decode(cursor: str, keys: Sequence[SortKey]) -> list[Any]:
    try:
        raw = json.loads(base64.urlsafe_b64decode(cursor.encode()))
        if not isinstance(raw, list) or len(raw) != len(keys):
            raise ValueError("wrong shape")
        return [
            _decode_value(value, _python_type(key)) for value, key in zip(raw, keys, strict=True)
        ]
    except (ValueError, TypeError) as exc:
        raise InvalidCursor() from exc


async def paginate(
    session: AsyncSession,
    statement: Select[Any],
    *,
    order_by: Sequence[SortKey],
    params: PageParams,
    descending: bool = False,
    to_item: Callable[[Any], T],
) -> Page[T]:
    """Run `statement` (one entity selected) one page at a time, ordered by `order_by`:
    columns or expressions that are never NULL and unique together, e.g. `(created_at, id)`.
    Each cursor parameter is bound with its key's SQL type (a `timestamptz` stays one)."""
    if params.cursor:
        values = _decode(params.cursor, order_by)
        after = tuple_(
            *(literal(value, type_=key.type) for value, key in zip(values, order_by, strict=True))
        )
        key = tuple_(*order_by)
        statement = statement.where(key < after if descending else key > after)
    ordering = [k.desc() for k in order_by] if descending else list(order_by)
    labelled = [k.label(f"_page_key_{n}") for n, k in enumerate(order_by)]
    found = await session.execute(
        statement.add_columns(*labelled).order_by(*ordering).limit(params.limit + 1)
    )
    rows = list(found.all())
    next_cursor = None
    if len(rows) > params.limit:
        rows = rows[: params.limit]
        next_cursor = _encode(list(rows[-1][1:]))
    return Page[T](items=[to_item(row[0]) for row in rows], next_cursor=next_cursor)
