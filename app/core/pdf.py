"""PDFs the clients read (fpdf2): text set in Source Sans Pro, a Unicode TrueType font shipped
in the `font-source-sans-pro` package (never fetched at run time), so €, typographic quotes
and dashes, œ print as they are. A character the font cannot draw (an emoji) is replaced by
its compatibility form when the font has that ("ﬁ" → "fi"), otherwise left out, never
printed as "?"."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Container
from functools import lru_cache
from importlib.resources import files
from pathlib import Path
from typing import Any

from fpdf import FPDF
from fpdf.fonts import TTFFont

FAMILY = "SourceSans"
_STYLES = {"": "Regular", "B": "Bold", "I": "It"}
_DOUBLED = re.compile(r"[ \u00a0]{2,}")
_BEFORE_STOP = re.compile(r" +(?=[,.])")


@lru_cache(maxsize=1)
def font_files() -> dict[str, Path]:
    """The TrueType files by fpdf2 style, from the installed font package."""
    folder = files("font_source_sans_pro") / "files"
    return {
        style: Path(str(folder / f"SourceSansPro-{name}.ttf")) for style, name in _STYLES.items()
    }


def drawable(text: str, glyphs: Container[int]) -> str:
    """`text` with only what the font draws: a missing character becomes its compatibility
    form when the font has it, else nothing; the spaces it leaves behind are closed up."""
    kept = []
    for char in text:
        if ord(char) in glyphs or char == "\n":
            kept.append(char)
            continue
        folded = unicodedata.normalize("NFKD", char)
        kept += [c for c in folded if ord(c) in glyphs and not unicodedata.combining(c)]
    return _BEFORE_STOP.sub("", _DOUBLED.sub(" ", "".join(kept))).strip()


class UnicodePdf(FPDF):
    """fpdf2 with the Unicode font, and every text made drawable before it is placed."""

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        for style, path in font_files().items():
            self.add_font(FAMILY, style, str(path))

    def text_of(self, text: str) -> str:
        font = self.current_font
        if not isinstance(font, TTFFont):
            raise TypeError("set the TrueType font first")
        return drawable(text, font.cmap)
