"""Checking the derived tables against the evidence, in this process or in worker processes.

The decision index (each decision's current state and export facts) and the name words and
word pairs (search) are not evidence: the program derives them from the evidence rows in
the same transaction, and the log, the holds board, search and every export read them. So
verify recomputes every derived row from the evidence, with the very functions the program
writes them with (``services.index.derive_index``, ``services.records.name_tokens`` and
``name_pairs``), and names the first row that disagrees: an index row altered, missing or
planted, a name word deleted (a person hidden from search) or added (a person found under
another name). Only ``decision_index.updated_at``, the moment the row was written, is not
derived and not compared.

Work is split in ranges of ids, each read in a short transaction of its own. Imports no
SQLAlchemy: worker processes use it with the sqlite3 module, the program's own process
with any DB-API cursor (``fetch``).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import sqlite3
import struct
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, NamedTuple

from detainer_desk.domain import lifecycle as lc
from detainer_desk.services.ports import DecisionIndex

_UTC_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"

Fetch = Callable[[str], Iterable[Sequence[Any]]]

INDEX = "decision_index"
WORDS = "name words"  # name_tokens and name_pairs, checked together per request
RANGE = 20_000  # ids per task


def utc_text(moment: dt.datetime) -> str:
    if moment.tzinfo is None:
        raise ValueError("a naive datetime cannot be stored as an instant")
    return moment.astimezone(dt.UTC).strftime(_UTC_FORMAT)


def from_utc_text(text: str) -> dt.datetime:
    """An instant as stored (``utc_text``). (``fromisoformat`` reads exactly this form, and
    many times faster than ``strptime``; anything else is refused alike.)"""
    if len(text) != 27 or text[-1] != "Z":
        raise ValueError(f"{text!r} is not an instant as stored")
    return dt.datetime.fromisoformat(text)


def _maybe(text: str | None) -> dt.datetime | None:
    return from_utc_text(text) if text else None


# The compared columns of decision_index, in this order (decision_id and updated_at aside).
INDEX_COLUMNS = (
    "status",
    "outcome_in_force",
    "closed",
    "hold_until",
    "hold_until_utc",
    "release_eligible_at",
    "detainer_issued_at",
    "msc_charge",
    "msc_charge_code",
    "msc_conviction_date",
    "felon",
    "case_final_order",
    "biometric_match",
    "statements_made",
    "citizenship_claim",
    "lift_reason",
)


def index_columns(index: DecisionIndex) -> dict[str, Any]:
    """The stored values of an index row (the program writes exactly these)."""
    return {
        "status": index.status,
        "outcome_in_force": index.outcome_in_force,
        "closed": int(index.closed),
        "hold_until": index.hold_until.isoformat() if index.hold_until else None,
        "hold_until_utc": utc_text(index.hold_until) if index.hold_until else None,
        "release_eligible_at": utc_text(index.release_eligible_at)
        if index.release_eligible_at
        else None,
        "detainer_issued_at": index.detainer_issued_at,
        "msc_charge": index.msc_charge,
        "msc_charge_code": index.msc_charge_code,
        "msc_conviction_date": index.msc_conviction_date,
        "felon": int(index.felon),
        "case_final_order": int(index.case_final_order),
        "biometric_match": int(index.biometric_match),
        "statements_made": int(index.statements_made),
        "citizenship_claim": int(index.citizenship_claim),
        "lift_reason": index.lift_reason,
        "updated_at": utc_text(index.updated_at),
    }


class DerivedFault(NamedTuple):
    """The first derived row of a range that disagrees with the evidence."""

    kind: str  # INDEX or WORDS
    key: int  # the decision (INDEX) or request (WORDS) it belongs to
    problem: str  # a whole sentence


_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


def _expected_index(
    decision_id: int,
    decision: Sequence[Any],
    amendments: Sequence[Sequence[Any]],
) -> dict[str, Any]:
    from detainer_desk.services.index import decision_state_of, derive_index

    _, outcome, tentative, hold_until, request_json, release = decision
    state = decision_state_of(
        outcome,
        tentative,
        hold_until,
        _maybe(release),
        [
            (kind, _maybe(at), json.loads(details), from_utc_text(recorded))
            for kind, at, details, _, recorded in amendments
        ],
    )
    lifts = [reason for kind, _, _, reason, _ in amendments if kind == lc.LIFTED]
    return index_columns(derive_index(decision_id, json.loads(request_json), state, lifts, _EPOCH))


def _shown(value: Any) -> str:
    return "nothing" if value is None else repr(value)


Memo = dict[int, tuple[bytes, bytes]]


def _digest(*parts: Any) -> bytes:
    return hashlib.sha256(repr(parts).encode()).digest()[:16]


def check_index_range(
    fetch: Fetch, low: int, high: int, memo: Mapping[int, tuple[bytes, bytes]] | None = None
) -> tuple[DerivedFault | None, Memo]:
    """Decisions ``low`` .. ``high - 1``: is each one's index row what its evidence gives?

    ``memo`` (see ``IndexMemo``): for a decision whose evidence (by its entry hashes) is
    what it was when its index row was last derived here, the row must still have the
    digest derived then, and the derivation (and reading its request) is not repeated.
    Returns the first fault and the decisions derived afresh (for the memo)."""
    memo = memo or {}
    bounds = f"d.id >= {int(low)} AND d.id < {int(high)}"
    decisions = list(
        fetch(
            "SELECT d.id, d.outcome, d.tentative_outcome, d.hold_until, r.release_eligible_at, "
            "d.entry_hash, r.entry_hash, r.id "
            f"FROM decisions d LEFT JOIN requests r ON r.id = d.request_id WHERE {bounds} "
            "ORDER BY d.id"
        )
    )
    amendments: dict[int, list[Sequence[Any]]] = defaultdict(list)
    for decision_id, *rest in fetch(
        "SELECT decision_id, kind, effective_at, details_json, reason, recorded_at, entry_hash "
        f"FROM amendments WHERE decision_id >= {int(low)} AND decision_id < {int(high)} "
        "ORDER BY decision_id, seq"
    ):
        amendments[int(decision_id)].append(rest)
    stored: dict[Any, Sequence[Any]] = {}
    for decision_id, *values in fetch(
        f"SELECT decision_id, {', '.join(INDEX_COLUMNS)} FROM decision_index "
        f"WHERE decision_id >= {int(low)} AND decision_id < {int(high)}"
    ):
        stored[decision_id] = values
    faults: list[DerivedFault] = [
        DerivedFault(
            INDEX,
            _key(decision_id),
            f"the decision index has a row for decision {decision_id}, which does not exist",
        )
        for decision_id in stored.keys() - {decision[0] for decision in decisions}
    ]
    to_derive = []
    for decision in decisions:
        decision_id = int(decision[0])
        row = stored.get(decision_id)
        if row is None:
            faults.append(
                DerivedFault(
                    INDEX,
                    decision_id,
                    f"decision {decision_id} has no row in the decision index (the log, the "
                    "holds board and exports leave it out)",
                )
            )
            break
        if decision[7] is None:
            faults.append(
                DerivedFault(INDEX, decision_id, f"decision {decision_id}: its request is missing")
            )
            break
        its = amendments.get(decision_id, [])
        evidence = _digest(decision[5], decision[6], *(a[-1] for a in its))
        if memo.get(decision_id) != (evidence, _digest(*row)):
            to_derive.append((decision, its, row, evidence))
        # else: the same evidence, and the row derived from it then: unchanged
    learned: Memo = {}
    requests = _requests_of(fetch, [int(decision[7]) for decision, _, _, _ in to_derive])
    for decision, its, row, evidence in to_derive:
        decision_id = int(decision[0])
        if faults and decision_id > min(f.key for f in faults):
            break
        outcome, tentative, hold_until, release = decision[1:5]
        source = (decision_id, outcome, tentative, hold_until, requests[int(decision[7])], release)
        try:
            expected = _expected_index(decision_id, source, [a[:-1] for a in its])
        except Exception as exc:  # noqa: BLE001 - evidence the program cannot read is a finding
            faults.append(
                DerivedFault(
                    INDEX,
                    decision_id,
                    f"decision {decision_id}: its evidence cannot be read back ({exc})",
                )
            )
            break
        differing = [
            (name, value, expected[name])
            for name, value in zip(INDEX_COLUMNS, row, strict=True)
            if value != expected[name]
        ]
        if differing:
            said = ", ".join(f"{n.replace('_', ' ')} {_shown(v)}" for n, v, _ in differing)
            truth = ", ".join(f"{_shown(e)}" for _, _, e in differing)
            faults.append(
                DerivedFault(
                    INDEX,
                    decision_id,
                    f"the decision index of decision {decision_id} disagrees with the "
                    f"evidence: it says {said}; the evidence gives {truth}",
                )
            )
            break
        learned[decision_id] = (evidence, _digest(*(expected[c] for c in INDEX_COLUMNS)))
    return (min(faults, key=lambda f: f.key) if faults else None), learned


def _requests_of(fetch: Fetch, request_ids: list[int]) -> dict[int, str]:
    """The requests as recorded (their JSON), by id: only those to derive again."""
    found: dict[int, str] = {}
    for start in range(0, len(request_ids), 500):
        chunk = ", ".join(str(int(i)) for i in request_ids[start : start + 500])
        for request_id, request_json in fetch(
            f"SELECT id, request_json FROM requests WHERE id IN ({chunk})"
        ):
            found[int(request_id)] = request_json
    return found


def _key(value: Any) -> int:
    return value if type(value) is int else -(2**62)


def check_words_range(fetch: Fetch, low: int, high: int) -> DerivedFault | None:
    """Requests ``low`` .. ``high - 1``: are their name words and word pairs exactly those
    of their names (and none of a request that does not exist)?"""
    from detainer_desk.domain.names import name_index

    names = {
        int(request_id): (str(name), str(received_at))
        for request_id, name, received_at in fetch(
            "SELECT id, subject_name, received_at FROM requests "
            f"WHERE id >= {int(low)} AND id < {int(high)}"
        )
    }
    bounds = f"request_id >= {int(low)} AND request_id < {int(high)}"
    words: dict[Any, list[tuple[Any, ...]]] = defaultdict(list)
    for request_id, token, received_at in fetch(
        f"SELECT request_id, token, received_at FROM name_tokens WHERE {bounds}"
    ):
        words[request_id].append((token, received_at))
    pairs: dict[Any, list[tuple[Any, ...]]] = defaultdict(list)
    for request_id, token, other, received_at in fetch(
        f"SELECT request_id, token, other, received_at FROM name_pairs WHERE {bounds}"
    ):
        pairs[request_id].append((token, other, received_at))
    faults = []
    for request_id in sorted(names.keys() | words.keys() | pairs.keys(), key=_key):
        name, received_at = names.get(request_id, (None, None))
        if name is None:
            faults.append(
                DerivedFault(
                    WORDS,
                    _key(request_id),
                    f"name words are kept for request {request_id}, which does not exist",
                )
            )
            break
        index = name_index(name)
        expected_words = sorted((token, received_at) for token in index.tokens)
        expected_pairs = sorted((a, b, received_at) for a, b in index.pairs)
        problem = _words_problem(expected_words, sorted(words.get(request_id, [])), "word")
        problem = problem or _words_problem(
            expected_pairs, sorted(pairs.get(request_id, [])), "word pair"
        )
        if problem:
            faults.append(
                DerivedFault(
                    WORDS,
                    request_id,
                    f"the search words of request {request_id} ({name!r}) disagree with its "
                    f"name: {problem}",
                )
            )
            break
    return faults[0] if faults else None


def _words_problem(
    expected: list[tuple[Any, ...]], stored: list[tuple[Any, ...]], what: str
) -> str | None:
    if expected == stored:
        return None
    missing = [e for e in expected if e not in stored]
    extra = [s for s in stored if s not in expected]
    if missing:
        return f"the {what} {_words(missing[0])} is missing (the search cannot find it)"
    if extra:
        return f"the {what} {_words(extra[0])} is not in the name"
    return f"a {what} is kept twice"


def _words(entry: tuple[Any, ...]) -> str:
    return repr(" ".join(str(part) for part in entry[:-1]))


def check_outside(fetch: Fetch) -> DerivedFault | None:
    """Derived rows of no decision or request: ids below 1, above the last, or none. Each
    test is one statement, so the last id it compares with is the one committed with the
    rows it sees (a workstation may be recording meanwhile)."""
    for table, column, owner, kind in (
        ("decision_index", "decision_id", "decisions", INDEX),
        ("name_tokens", "request_id", "requests", WORDS),
        ("name_pairs", "request_id", "requests", WORDS),
    ):
        for (value,) in fetch(
            f"SELECT {column} FROM {table} WHERE {column} IS NULL OR {column} < 1 "
            f"OR {column} > (SELECT coalesce(max(id), 0) FROM {owner}) LIMIT 1"
        ):
            return DerivedFault(
                kind,
                _key(value),
                f"{table} has a row for {owner[:-1]} {value}, which does not exist",
            )
    return None


def ranges(last: int, size: int = RANGE) -> list[tuple[int, int]]:
    return [(low, min(low + size, last + 1)) for low in range(1, last + 1, size)]


def first_fault(faults: Iterable[DerivedFault | None]) -> DerivedFault | None:
    """The fault to report: the decision index before the name words, lowest id first."""
    found = [f for f in faults if f is not None]
    order = {INDEX: 0, WORDS: 1}
    return min(found, key=lambda f: (order[f.kind], f.key)) if found else None


# -- worker processes ---------------------------------------------------------------------

_OPEN: dict[str, sqlite3.Connection] = {}


def check_sqlite_range(
    path: str, kind: str, low: int, high: int, memo: Memo | None = None
) -> tuple[DerivedFault | None, Memo]:
    """In a worker process: check one range of a SQLite store's derived rows."""
    conn = _OPEN.get(path)
    if conn is None:
        conn = sqlite3.connect(path, timeout=30)
        conn.execute("PRAGMA query_only = ON")
        conn.text_factory = lambda value: value.decode("utf-8", "replace")
        _OPEN[path] = conn
    conn.execute("BEGIN")
    try:
        if kind == INDEX:
            return check_index_range(conn.execute, low, high, memo)
        return check_words_range(conn.execute, low, high), {}
    finally:
        conn.rollback()


# -- the memo of derivations ------------------------------------------------------------------


class IndexMemo:
    """What this installation derived last time verify passed: per decision, a digest of
    the evidence it was derived from (the entry hashes of the decision, its request and its
    amendments) and of the index row derived from it. Verify then re-derives only the
    decisions whose evidence changed (or whose row no longer has that digest), which spares
    it reading every request again, the bulk of its work on a large store.

    It is kept beside the installation's key (owner only), and only after a verify that
    found nothing: then every entry hash is the hash of its entry, so the evidence digest
    says exactly what was derived from. A memo written by other code (another version of
    the program derives otherwise) is not used: its name carries a digest of the code that
    derives the index. A memo that cannot be read is ignored (everything is re-derived)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    @property
    def path(self) -> Path:
        return self.folder / f"verified-index-{_code_digest()}.memo"

    def load(self) -> Memo:
        try:
            data = self.path.read_bytes()
        except OSError:
            return {}
        if len(data) % _RECORD.size:
            return {}
        return {
            decision_id: (evidence, row) for decision_id, evidence, row in _RECORD.iter_unpack(data)
        }

    def save(self, memo: Memo) -> None:
        self.folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        for old in self.folder.glob("verified-index-*.memo"):
            if old != self.path:
                old.unlink(missing_ok=True)  # another version's: of no more use
        data = b"".join(
            _RECORD.pack(decision_id, evidence, row)
            for decision_id, (evidence, row) in sorted(memo.items())
        )
        partial = self.path.with_name(f".{self.path.name}.partial-{os.getpid()}")
        descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)
        os.replace(partial, self.path)


_RECORD = struct.Struct("<q16s16s")


def _code_digest() -> str:
    """A digest of the code the index is derived with: the domain (the request as read,
    FOIA facts, the decision's state), the index builder and this module."""
    import detainer_desk
    from detainer_desk import domain
    from detainer_desk.services import index

    files = sorted(Path(domain.__file__).parent.glob("*.py"))
    files += [Path(index.__file__), Path(__file__)]
    digest = hashlib.sha256(detainer_desk.__version__.encode())  # for a bundle, too
    for path in files:
        try:
            digest.update(path.read_bytes())
        except OSError:  # a bundle without sources: the file's name at least
            digest.update(path.name.encode())
    return digest.hexdigest()[:16]
