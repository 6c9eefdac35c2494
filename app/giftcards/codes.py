"""Gift card codes: 15 random characters and a check character, from an alphabet without the
look-alikes (no 0/O, 1/I), read aloud easily and typed in groups of four: `K7PQ-3MXA-W9TE-HR4C`.

The check character is Luhn mod 32: it catches every single mistyped character and every swap
of two neighbours, so a typo is refused before any lookup. Only a SHA-256 of the code is
stored; 15 random characters (75 bits) make that hash impossible to reverse by guessing.
"""

from __future__ import annotations

import hashlib
import secrets

from app.core import sealing

ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # 32 characters: no 0, O, 1, I
BODY_LENGTH = 15
_INDEX = {c: i for i, c in enumerate(ALPHABET)}
N = len(ALPHABET)


class InvalidCode(ValueError):
    pass


def check_character(body: str) -> str:
    total, factor = 0, 2
    for char in reversed(body):
        addend = factor * _INDEX[char]
        total += addend // N + addend % N
        factor = 1 if factor == 2 else 2
    return ALPHABET[(N - total % N) % N]


def new_code() -> str:
    body = "".join(secrets.choice(ALPHABET) for _ in range(BODY_LENGTH))
    return body + check_character(body)


def normalize(typed: str) -> str:
    """What was typed or read aloud, without spaces and dashes, in capitals; raises
    InvalidCode when it cannot be a code or its check character is wrong."""
    code = "".join(typed.split()).replace("-", "").upper()
    if len(code) != BODY_LENGTH + 1 or any(c not in _INDEX for c in code):
        raise InvalidCode("A gift card code has 16 letters and digits (no 0, O, 1 or I).")
    if check_character(code[:-1]) != code[-1]:
        raise InvalidCode("This code has a typo: check each character.")
    return code


def display(code: str) -> str:
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))


def code_hash(code: str) -> str:
    return hashlib.sha256(code.encode()).hexdigest()


_SEALED_FOR = "gift-card-codes"


def seal(code: str) -> str:
    """The code encrypted (AES-GCM) so the PDF can be generated again; lookups never use it."""
    return sealing.seal(_SEALED_FOR, code, bound_to=b"gift-card")


def unseal(sealed: str) -> str:
    return sealing.unseal(_SEALED_FOR, sealed, bound_to=b"gift-card").decode()
