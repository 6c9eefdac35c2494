"""Gift card codes: 15 random characters and a check character, from an alphabet without the
look-alikes (no 0/O, 1/I), read aloud easily and typed in groups of four: `K7PQ-3MXA-W9TE-HR4C`.

The check character makes the weighted sum of the 16 characters zero in GF(32), the field of
32 elements: the character at position i from the end weighs a**i, where a generates the
field's multiplicative group (its order is 31). So, before any lookup, it catches:
- every single mistyped character (changing d to e adds a**i * (d - e), never zero);
- every swap of two different characters, neighbours or not (it adds
  (a**i - a**j) * (x - y), zero only when 31 divides i - j: impossible within 16);
- every doubled typo of neighbours (xx to yy adds a**i * (1 + a) * (x - y), never zero).
It is computed as Damm's scheme over the quasigroup r o d = a*r + d, one step a character.

Cards issued before December 2026 carry a Luhn mod 32 check, which misses some swaps (`9A`
and `A9`): their codes still pass `normalize` (docs/giftcards.md), so a typo in an old code
the old check misses is answered "no card has this code", never another card.

Only a SHA-256 of the code is stored; 15 random characters (75 bits) make that hash
impossible to reverse by guessing.
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


# a = x in GF(2)[x] / (x^5 + x^2 + 1), a primitive polynomial: a has order 31.
_REDUCE = 0b100101


def _times_alpha(value: int) -> int:
    value <<= 1
    return value ^ _REDUCE if value & 0b100000 else value


def check_character(body: str) -> str:
    """The character that makes `body + it` sum to zero (see the module's docstring)."""
    interim = 0
    for char in body:
        interim = _times_alpha(interim) ^ _INDEX[char]
    return ALPHABET[_times_alpha(interim)]


def legacy_check_character(body: str) -> str:
    """Luhn mod 32, the check of the codes issued before December 2026 (still accepted)."""
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
    if code[-1] not in {check_character(code[:-1]), legacy_check_character(code[:-1])}:
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
