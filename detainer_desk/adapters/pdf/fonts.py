"""The fonts every Detainer Desk PDF embeds, and text made safe for reportlab paragraphs.

The fonts ship inside the package (``fonts/``) so that a workstation running Windows prints the
same letters as the machine the tests ran on, and so that every font in the PDF is embedded
(e-filing systems refuse PDFs with fonts that are not). DejaVu Sans covers Latin (Spanish,
Vietnamese), Greek and Cyrillic; a name in Chinese, Japanese or Korean falls back, character by
character, to Droid Sans Fallback, and Korean (Hangul syllables, which the shipped Droid Sans
Fallback lacks) to NanumGothic. Nothing is registered at import time: ``ensure_fonts`` does
it once, on the first document.
"""

from __future__ import annotations

import io
import threading
import unicodedata
from importlib import resources

from reportlab import rl_config
from reportlab.lib.fonts import addMapping
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

from detainer_desk.domain.text import visible

SANS = "DetainerDeskSans"
SANS_BOLD = "DetainerDeskSans-Bold"
MONO = "DetainerDeskMono"
FALLBACK = "DetainerDeskFallback"
HANGUL = "DetainerDeskHangul"

_FILES = {
    SANS: "DejaVuSans.ttf",
    SANS_BOLD: "DejaVuSans-Bold.ttf",
    MONO: "DejaVuSansMono.ttf",
}
_FALLBACK_FILE = "DroidSansFallbackFull.ttf"
_HANGUL_FILE = "NanumGothic.ttf"
_REPLACEMENT = "\ufffd"

_lock = threading.Lock()
# Characters each registered font can draw, filled on first use: "main" for DejaVu Sans (both
# weights), "fallback" for Droid Sans Fallback.
_coverage: dict[str, frozenset[str]] = {}


def _load(name: str, file_name: str) -> TTFont:
    data = resources.files("detainer_desk.adapters.pdf").joinpath("fonts", file_name).read_bytes()
    return TTFont(name, io.BytesIO(data))


def ensure_fonts() -> frozenset[str]:
    """Register the shipped fonts with reportlab (once per process, thread-safe); return the
    characters the main font draws."""
    covered = _coverage.get("main")
    if covered is not None:
        return covered
    with _lock:
        if "main" not in _coverage:
            # Images as binary streams, not ASCII85 text: a quarter smaller, and without
            # reportlab's C accelerator the pure-Python ASCII85 encoder costs ~20 ms a document.
            rl_config.useA85 = 0
            fonts = {name: _load(name, file_name) for name, file_name in _FILES.items()}
            for font in fonts.values():
                pdfmetrics.registerFont(font)
            # <b> inside a paragraph switches to the bold face; there is no italic face.
            for is_bold, italic, face in (
                (0, 0, SANS),
                (1, 0, SANS_BOLD),
                (0, 1, SANS),
                (1, 1, SANS_BOLD),
            ):
                addMapping(SANS, is_bold, italic, face)
            regular = set(fonts[SANS].face.charToGlyph)
            bold = set(fonts[SANS_BOLD].face.charToGlyph)
            _coverage["main"] = frozenset(chr(code) for code in regular & bold)
        return _coverage["main"]


def _ensure_fallback() -> frozenset[str]:
    """Register Droid Sans Fallback the first time a character needs it (about 50 ms)."""
    return _ensure_extra("fallback", FALLBACK, _FALLBACK_FILE)


def _ensure_hangul() -> frozenset[str]:
    """Register NanumGothic the first time a Korean character needs it."""
    return _ensure_extra("hangul", HANGUL, _HANGUL_FILE)


def _ensure_extra(key: str, name: str, file_name: str) -> frozenset[str]:
    """Register the face ``name`` once; the characters it draws."""
    covered = _coverage.get(key)
    if covered is not None:
        return covered
    with _lock:
        if key not in _coverage:
            font = _load(name, file_name)
            pdfmetrics.registerFont(font)
            _coverage[key] = frozenset(chr(code) for code in font.face.charToGlyph)
        return _coverage[key]


def _clean(value: object) -> str:
    """NFC (so a decomposed 'ễ' prints as one letter), tabs as spaces, line breaks kept, and
    every other control character, bidirectional override or lone surrogate printed as its
    escape (``\\u001b``), as the terminal shows it: a name cannot reorder or hide what the
    page says."""
    text = unicodedata.normalize("NFC", str(value))
    if text.isprintable():
        return text
    return visible(text.replace("\t", " "), keep_line_breaks=True)


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def markup(value: object) -> str:
    """Any text as paragraph markup: escaped, line breaks kept, and every character the main
    font lacks (Chinese, Japanese, Korean) set in the fallback font so it is never dropped."""
    covered = ensure_fonts()
    text = _clean(value)
    if covered.issuperset(text.replace("\n", "")):
        return _escape(text).replace("\n", "<br/>")
    fallback = _ensure_fallback()
    parts: list[str] = []
    run: list[str] = []
    run_font = FALLBACK
    for ch in text:
        font: str | None = None
        if ch != "\n" and ch not in covered:
            if ch in fallback:
                font = FALLBACK
            elif ch in _ensure_hangul():
                font = HANGUL
        if font is not None:
            if font != run_font:
                _flush(parts, run, run_font)
                run_font = font
            run.append(ch)
            continue
        _flush(parts, run, run_font)
        parts.append("<br/>" if ch == "\n" else _escape(ch))
    _flush(parts, run, run_font)
    return "".join(parts)


def plain_line(value: object) -> str | None:
    """The text as it prints on one plain line, when it can be drawn directly rather than
    as a paragraph: every character in the main font, no line break, single spaces. None
    otherwise (a paragraph, with markup(), must lay it out)."""
    covered = ensure_fonts()
    text = _clean(value)
    if not covered.issuperset(text) or text != " ".join(text.split()):
        return None
    return text


def _flush(parts: list[str], run: list[str], font: str = FALLBACK) -> None:
    if run:
        parts.append(f'<font name="{font}">{_escape("".join(run))}</font>')
        run.clear()
