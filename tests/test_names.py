"""Name words for searching (issue 16): case and accents folded both ways, names and
searches cut into words the same way, by one function the store and verification share."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from detainer_desk.domain.names import fold, name_index, name_words
from detainer_desk.services.records import name_tokens


@pytest.mark.parametrize(
    ("written", "folded"),
    [
        ("RODRÍGUEZ", "rodriguez"),
        ("rodríguez", "rodriguez"),
        ("Rodriguez", "rodriguez"),
        ("NGUYỄN", "nguyen"),
        ("Nguyễn", "nguyen"),  # decomposed: e, circumflex, tilde
        ("Straße", "strasse"),
        ("İSTANBUL", "istanbul"),
        ("Ｇａｒｃｉａ", "garcia"),  # full-width, as some keyboards type
        ("ØRSTED", "ørsted"),  # a letter of its own, not an accented o
        ("ΆΝΝΑ", "αννα"),
        ("Ян", "ян"),
        ("王", "王"),
    ],
)
def test_case_and_accents_are_folded(written: str, folded: str) -> None:
    assert fold(written) == folded


def test_names_and_searches_are_cut_alike() -> None:
    assert name_words("DOE, John Q.; Jr") == ["doe", "john", "q", "jr"]
    assert name_words("doe, j.") == ["doe", "j"]  # a search as it is typed
    assert name_tokens("GARCÍA, María  María") == ["garcia", "maria"]


@given(st.text(max_size=40))
def test_folding_is_idempotent_and_every_word_is_kept_folded(text: str) -> None:
    assert fold(fold(text)) == fold(text)
    index = name_index(text)
    assert all(word == fold(word) and word for word in index.tokens)
    assert set(index.tokens) == set(name_words(text))
