"""The texts of the notices and forms, one data file per language (``<code>.json``).

English is the source; every other file is a draft translation that names itself as such
(``source``) and must be confirmed by a qualified translator before a county uses it. Each
file has the same notices with the same shape: a title, paragraphs, and optional choices to
mark and blank fields to fill in.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

__all__ = ["LanguageTexts", "NoticeText", "language_codes", "language_texts"]


@dataclass(frozen=True, slots=True)
class NoticeText:
    title: str
    paragraphs: tuple[str, ...]
    choices: tuple[str, ...] = ()
    fields: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class LanguageTexts:
    code: str
    language: str  # its English name
    native: str  # its own name
    source: str  # where the text comes from, and whether it is confirmed
    labels: dict[str, str]
    notices: dict[str, NoticeText]


def language_codes() -> list[str]:
    root = resources.files(__name__)
    return sorted(e.name[:-5] for e in root.iterdir() if e.name.endswith(".json"))


@cache
def language_texts(code: str) -> LanguageTexts:
    """The texts of one language; KeyError for a language not shipped."""
    entry = resources.files(__name__).joinpath(f"{code}.json")
    if not entry.is_file():
        raise KeyError(code)
    data: dict[str, Any] = json.loads(entry.read_text(encoding="utf-8"))
    notices = {
        key: NoticeText(
            value["title"],
            tuple(value["paragraphs"]),
            tuple(value.get("choices", ())),
            tuple(value.get("fields", ())),
        )
        for key, value in data["notices"].items()
    }
    return LanguageTexts(
        data["code"], data["language"], data["native"], data["source"], data["labels"], notices
    )
