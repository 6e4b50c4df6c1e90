"""The working state (accounts, settings) kept as evidence.

Accounts and settings change, so they cannot be append-only rows themselves. Instead every
change the program makes appends the row *as it became* to ``state_changes``, in the hash
chain, in the same transaction; verify then compares each working row with its latest
state there, so an account or a setting edited behind the program's back (an officer made
an administrator, a password hash swapped, a lock lifted, a second factor removed) is named.
A password hash, a sealed second-factor secret and the recovery codes' hashes enter only by
their SHA-256: the chain keeps none of them for ever.

The state of a row is its non-null columns as canonical JSON (sorted keys, no spaces): a
later migration that adds a nullable column leaves every state as it was; one that adds a
column with a value must take a new baseline (``baseline``). Stdlib only.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from typing import Any

ACCOUNT = "account"
SETTING = "setting"
TRUSTED_KEY = "trusted_key"
KINDS = (ACCOUNT, SETTING, TRUSTED_KEY)

_ENCODER = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def _canonical(values: Mapping[Any, Any]) -> str:
    return _ENCODER.encode({key: value for key, value in values.items() if value is not None})


def account_state(row: Mapping[Any, Any]) -> str:
    """The evidence of one ``users`` row."""
    values = dict(row)
    for secret in _BY_DIGEST:
        kept = values.pop(secret, None)
        if kept is not None:
            values[f"{secret}_sha256"] = hashlib.sha256(str(kept).encode()).hexdigest()
    return _canonical(values)


# Columns whose value the chain keeps only as a SHA-256 (what verify needs to see a change).
_BY_DIGEST = ("password_hash", "second_factor", "recovery_codes")


def setting_state(row: Mapping[Any, Any]) -> str:
    """The evidence of one ``settings`` row."""
    return _canonical(row)


def state_of(kind: str, row: Mapping[Any, Any]) -> str:
    return account_state(row) if kind == ACCOUNT else setting_state(row)


def key_of(kind: str, row: Mapping[Any, Any]) -> str:
    return str(row["name"] if kind == ACCOUNT else row["key"])


def differences(
    kind: str, rows: Iterable[Mapping[Any, Any]], latest: Mapping[str, str | None]
) -> list[tuple[str, str]]:
    """Where the working rows and their latest evidence disagree, as (key, what is wrong in
    plain words), in key order. ``latest``: key -> the latest state (None: removed)."""
    what = "account" if kind == ACCOUNT else "setting"
    found: dict[str, str] = {}
    seen = set()
    for row in rows:
        key = key_of(kind, row)
        seen.add(key)
        if key not in latest:
            found[key] = (
                f"the {what} {key!r} is in no entry of the chain (added outside the program)"
            )
            continue
        kept = latest[key]
        if kept is None:
            found[key] = (
                f"the {what} {key!r} was removed, yet it is back (added outside the program)"
            )
        elif kept != state_of(kind, row):
            changed = _changed_fields(kept, state_of(kind, row))
            found[key] = (
                f"the {what} {key!r} differs from its latest entry in the chain "
                f"({changed} changed outside the program)"
            )
    for key, kept in latest.items():
        if key not in seen and kept is not None:
            found[key] = f"the {what} {key!r} is missing (removed outside the program)"
    return sorted(found.items())


def _changed_fields(kept: str, now: str) -> str:
    try:
        before, after = json.loads(kept), json.loads(now)
    except ValueError:
        return "its contents"
    if not isinstance(before, dict) or not isinstance(after, dict):
        return "its contents"
    names = sorted(k for k in before.keys() | after.keys() if before.get(k) != after.get(k))
    words = [name.replace("_sha256", "").replace("_", " ") for name in names]
    return ", ".join(words) or "its contents"
