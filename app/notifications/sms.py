"""How many SMS a text costs. A text that fits the GSM 03.38 alphabet is 7-bit: 160
characters in one SMS, 153 per part when split (the rest carries the join header); the
characters of the extension table (€, [, ], {, }, ~, ^, |, \\ and the form feed) take two.
Anything else (œ, emoji, most accented capitals) makes the whole text UCS-2: 70 characters,
67 per part, and characters outside the BMP take two."""

from __future__ import annotations

from dataclasses import dataclass

GSM_BASIC = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞ\x1bÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM_EXTENDED = set("\f^{}\\[~]|€")
MAX_SEGMENTS = 2


@dataclass(frozen=True, slots=True)
class SmsLength:
    encoding: str  # "GSM-7" or "UCS-2"
    units: int  # septets or UTF-16 code units
    segments: int


def measure(text: str) -> SmsLength:
    if all(c in GSM_BASIC or c in GSM_EXTENDED for c in text):
        units = sum(2 if c in GSM_EXTENDED else 1 for c in text)
        single, part, encoding = 160, 153, "GSM-7"
    else:
        units = len(text.encode("utf-16-le")) // 2
        single, part, encoding = 70, 67, "UCS-2"
    segments = 1 if units <= single else -(-units // part)
    return SmsLength(encoding, units, segments)


# French letters missing from GSM 03.38 and their closest GSM spelling: one accent lost keeps
# a text at 160 characters per SMS instead of 70 (é, è, à, ù and É are in the alphabet).
_TO_GSM = str.maketrans(
    {
        "â": "a",
        "ê": "e",
        "ë": "e",
        "î": "i",
        "ï": "i",
        "ô": "o",
        "û": "u",
        "ç": "c",
        "ÿ": "y",
        "À": "A",
        "Â": "A",
        "È": "E",
        "Ê": "E",
        "Ë": "E",
        "Î": "I",
        "Ï": "I",
        "Ô": "O",
        "Ù": "U",
        "Û": "U",
        "œ": "oe",
        "Œ": "OE",
        "\u2019": "'",
        "\u2018": "'",
        "«": '"',
        "»": '"',
        "\u201c": '"',
        "\u201d": '"',
        "\u2013": "-",
        "\u2014": "-",
        "\u2026": "...",
        "\u00a0": " ",
        "\u202f": " ",
    }
)


def to_gsm(text: str) -> str:
    """The text with French typography folded into the GSM alphabet where it can be."""
    return text.translate(_TO_GSM)
