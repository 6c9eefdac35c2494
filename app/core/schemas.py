"""Helpers for request bodies shared by every domain.

A PATCH body lists every field as optional, so that a field left out stays as it is. For a
column that cannot be empty, an explicit `null` must then be refused (422), not written (a
NOT NULL violation, answered 500). Type such a field `int | Absent = None`: `null` is left out
of the OpenAPI document, and `refuse_null(...)` in the PATCH model turns it down.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import AfterValidator, Field, field_validator
from pydantic.json_schema import SkipJsonSchema
from stdnum import ean

Absent = SkipJsonSchema[None]


def _ean13(code: str) -> str:
    """The 13 digits of a valid EAN-13 (spaces and dashes dropped), its check digit right."""
    compact = ean.compact(code)
    if len(compact) != 13 or not ean.is_valid(compact):
        raise ValueError("not a valid EAN-13 barcode (13 digits, the last one the check digit)")
    return compact


Ean13 = Annotated[
    str, Field(min_length=13, max_length=17, examples=["3600523614516"]), AfterValidator(_ean13)
]


def refuse_null(*fields: str) -> Any:
    """A validator for these fields of a PATCH model: they may be left out, not set to null.
    Use as `_no_null = refuse_null("name", "price_cents")` in the class body."""

    def check(cls: Any, value: object) -> object:
        if value is None:
            raise ValueError("may be left out, but not set to null")
        return value

    return field_validator(*fields)(classmethod(check))
