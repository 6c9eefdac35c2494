"""What staff may read of a message: its text with every link and every secret-looking value
masked. The rule is by shape, not by template, so a template added later is covered too:

- a link keeps its site (`https://www.serenaia-beaute.fr`) and loses its path and query,
  which is where tokens travel (`/rendez-vous/<token>`, `?token=`);
- a run of 20 or more letters, digits and `-_.=` mixing at least two of lower case, upper
  case and digits (a token, a signature, an id) is masked;
- a gift card code, grouped by four or not, is masked.
"""

from __future__ import annotations

import re

LINK_MASK = "[lien masqué]"
VALUE_MASK = "[masqué]"

_LINK = re.compile(r"(?P<site>https?://[^/\s?#<>\"']+)(?P<rest>[/?#][^\s<>\"']*)?")
_LONG_RUN = re.compile(r"[A-Za-z0-9_\-.=+/~]{20,}")
_CODE_CHAR = "[A-HJ-NP-Z2-9]"
_GIFT_CODE = re.compile(
    rf"(?<![A-Za-z0-9])(?:{_CODE_CHAR}{{4}}-?){{3}}{_CODE_CHAR}{{4}}(?![A-Za-z0-9])"
)


def _link(match: re.Match[str]) -> str:
    rest = match.group("rest") or ""
    trail = rest[len(rest.rstrip(".,;:!?)")) :]  # the sentence's punctuation, not the link's
    rest = rest[: len(rest) - len(trail)]
    return match.group("site") + ("/" + LINK_MASK if rest not in {"", "/"} else rest) + trail


def _run(match: re.Match[str]) -> str:
    run = match.group(0)
    kinds = sum(bool(re.search(p, run)) for p in ("[a-z]", "[A-Z]", "[0-9]"))
    return VALUE_MASK if kinds >= 2 else run


def redact(text: str | None) -> str | None:
    """The text with its links and secret-looking values masked (None stays None)."""
    if text is None:
        return None
    masked = _LINK.sub(_link, text)
    masked = _GIFT_CODE.sub(VALUE_MASK, masked)
    return _LONG_RUN.sub(_run, masked)
