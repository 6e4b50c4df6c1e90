"""Name words for searching the record: how a subject's name is cut into words, and how a
search is, so that the two always meet.

Both are folded the same way: case and accents do not count, so "rodríguez" finds
RODRIGUEZ and "rodriguez" finds RODRÍGUEZ. The words of a request's name and the pairs of
them (``name_index``) are derived data, kept beside the evidence to make searching fast and
rebuilt from the stored names whenever needed; this module is the one place that computes
them.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

# A name's words are separated by spaces, commas, full stops and semicolons: "DOE, John Q."
# is doe, john, q.
_SEPARATORS = re.compile(r"[\s,.;]+")

# A name of at most this many different words keeps every ordered pair of them, so that any
# two-word search reads its newest matches straight off the pairs' index. A longer name (rare:
# real names have fewer than 12 words) keeps one row per word instead, marked LONG_NAME, and
# a two-word search checks its other word through the words' index: the rows stored grow
# linearly with the name, at most (PAIRED_WORDS - 1) per word.
PAIRED_WORDS = 12
LONG_NAME = ""  # the "other word" of a long name's rows; never a word itself


def fold(text: str) -> str:
    """``text`` without case or accents: 'RODRÍGUEZ' -> 'rodriguez', 'Straße' -> 'strasse',
    'Ｇａｒｃｉａ' -> 'garcia'. (Compatibility decomposition, combining marks dropped,
    case folded.)"""
    if text.isascii():
        return text.lower()
    decomposed = unicodedata.normalize("NFKD", text)
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()
    if bare.isascii():  # most names with accents: nothing more to do
        return bare
    # Case folding can itself decompose ('İ' -> 'i̇'): once more, then composed again.
    again = unicodedata.normalize("NFKD", bare)
    return unicodedata.normalize(
        "NFC", "".join(ch for ch in again if not unicodedata.combining(ch))
    )


def name_words(text: str) -> list[str]:
    """The folded words of a name or of a search, in order (repeats kept)."""
    return [word for word in _SEPARATORS.split(fold(text)) if word]


@dataclass(frozen=True, slots=True)
class NameIndex:
    """What the record keeps to find a request by its subject's name."""

    tokens: tuple[str, ...]  # the name's different words, sorted
    pairs: tuple[tuple[str, str], ...]  # (word, other word), or (word, LONG_NAME)


def name_index(name: str) -> NameIndex:
    """The words and word pairs of a request's name: 'DOE, John' -> tokens (doe, john),
    pairs (doe, john) and (john, doe)."""
    tokens = tuple(sorted(set(name_words(name))))
    if len(tokens) <= PAIRED_WORDS:
        pairs = tuple((a, b) for a in tokens for b in tokens if a != b)
    else:
        pairs = tuple((a, LONG_NAME) for a in tokens)
    return NameIndex(tokens, pairs)
