"""Protected copies: the rules for the passphrase that locks a copy of the records taken
outside the jail (an encrypted backup, an encrypted litigation ZIP).

FBI CJIS Security Policy 5.10.1.2.2 (Encryption for CJI at Rest): criminal-justice
information stored outside the physically secure location is encrypted, with a FIPS 140
validated module or with AES at 256 bits; and the passphrase that unlocks the cipher

  a. is at least 10 characters,
  b. is not a dictionary word,
  c. includes at least one upper case letter, one lower case letter, one number and one
     special character,
  d. is changed when previously authorized personnel no longer require access

(d is the county's practice: a new backup or export takes a new passphrase; the program
never reuses one). 5.10.1.2.2 also asks that files kept in the same unencrypted folder have
separate passphrases: each export gets a passphrase of its own.
"""

from __future__ import annotations

import secrets
import string
import unicodedata
from collections.abc import Callable
from typing import Final

MIN_PASSPHRASE_LENGTH: Final = 10  # CJIS 5.10.1.2.2 a.
MAX_PASSPHRASE_LENGTH: Final = 1024

# Generated passphrases: four groups of five characters from letters and digits that read
# unambiguously over a telephone, joined by dashes (the special character): about 114 bits.
_GENERATED_ALPHABET: Final = "23456789abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ"


def normalize_passphrase(passphrase: str) -> str:
    # The same passphrase typed on two keyboards is the same key (as for passwords).
    return unicodedata.normalize("NFKC", passphrase)


def passphrase_problems(passphrase: str, is_dictionary_word: Callable[[str], bool]) -> list[str]:
    """Why a passphrase cannot lock a protected copy (empty: it can), in plain words."""
    text = normalize_passphrase(passphrase)
    problems = []
    if len(text) < MIN_PASSPHRASE_LENGTH:
        problems.append(f"it must have at least {MIN_PASSPHRASE_LENGTH} characters")
    if len(text) > MAX_PASSPHRASE_LENGTH:
        problems.append(f"it must have at most {MAX_PASSPHRASE_LENGTH} characters")
    missing = []
    if not any(ch.isupper() for ch in text):
        missing.append("an upper case letter")
    if not any(ch.islower() for ch in text):
        missing.append("a lower case letter")
    if not any(ch.isdigit() for ch in text):
        missing.append("a number")
    if not any(not ch.isalnum() and not ch.isspace() for ch in text):
        missing.append("a special character (like - ! # or %)")
    if missing:
        problems.append("it must include " + _listed(missing))
    # "Not a dictionary word": neither the whole, nor the whole without its digits and
    # special characters (Password1! is the word "password" dressed up).
    letters = "".join(ch for ch in text if ch.isalpha())
    if is_dictionary_word(text) or (letters and is_dictionary_word(letters)):
        problems.append("it is a dictionary word or a commonly used password")
    return problems


def new_passphrase() -> str:
    """A random passphrase that meets CJIS 5.10.1.2.2 (shown once, for another channel)."""
    while True:
        groups = ["".join(secrets.choice(_GENERATED_ALPHABET) for _ in range(5)) for _ in range(4)]
        candidate = "-".join(groups)
        if (
            any(ch in string.ascii_uppercase for ch in candidate)
            and any(ch in string.ascii_lowercase for ch in candidate)
            and any(ch in string.digits for ch in candidate)
        ):
            return candidate


def _listed(items: list[str]) -> str:
    if len(items) == 1:
        return items[0]
    return ", ".join(items[:-1]) + " and " + items[-1]
