"""Phone numbers in E.164, read as French numbers when they carry no country code."""

from __future__ import annotations

import phonenumbers

DEFAULT_REGION = "FR"


def to_e164(raw: str, region: str = DEFAULT_REGION) -> str | None:
    """`06 12 34 56 78` → `+33612345678`; None when it is not a possible number."""
    try:
        number = phonenumbers.parse(raw, region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
