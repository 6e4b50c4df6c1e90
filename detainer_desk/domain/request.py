"""The request file (contract section 2): one incoming detainer, as the jail received it."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from . import limits
from . import vocabulary as v
from .errors import InvalidInput, Problem
from .names import name_words
from .reader import Reader, describe_value, join_key, utf8_text

_A_NUMBER_RE = re.compile(r"A?(\d{8,9})")


@dataclass(frozen=True, slots=True)
class Subject:
    name: str
    dob: dt.date
    booking_number: str
    a_number: str | None = None  # normalized: "A" + 9 digits
    fbi_number: str | None = None
    citizenship_claim: bool = False
    us_citizenship_indicators: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Detainer:
    form: str
    requested: tuple[str, ...]
    issued_at: dt.datetime | None = None  # naive = wall clock in the policy's timezone
    issuing_office: str | None = None
    officer: str | None = None
    probable_cause_basis: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Document:
    kind: str
    signed: bool = False
    signer_role: str | None = None
    court: str | None = None
    court_system: str | None = None
    names_subject: bool = False
    issued_on: dt.date | None = None
    expires_on: dt.date | None = None
    final: bool = False


@dataclass(frozen=True, slots=True)
class HistoryEntry:
    offense_class: str
    status: str
    offense: str | None = None
    statute: str | None = None
    date: dt.date | None = None
    released_on: dt.date | None = None
    probable_cause_found: bool = False


@dataclass(frozen=True, slots=True)
class Request:
    received_at: dt.datetime  # naive = wall clock in the policy's timezone
    subject: Subject
    detainer: Detainer
    documents: tuple[Document, ...] = ()
    history: tuple[HistoryEntry, ...] = ()
    flags: tuple[str, ...] = ()
    release_eligible_at: dt.datetime | None = None
    source: str = field(default="request", compare=False)

    @property
    def hold_requested(self) -> bool:
        return "hold" in self.detainer.requested


_TOP_KEYS = (
    "schema",
    "received_at",
    "subject",
    "detainer",
    "documents",
    "history",
    "flags",
    "release_eligible_at",
)
_SUBJECT_KEYS = (
    "name",
    "dob",
    "booking_number",
    "a_number",
    "fbi_number",
    "citizenship_claim",
    "us_citizenship_indicators",
)
_DETAINER_KEYS = (
    "form",
    "issued_at",
    "issuing_office",
    "officer",
    "requested",
    "probable_cause_basis",
)
_DOCUMENT_KEYS = (
    "kind",
    "signed",
    "signer_role",
    "court",
    "court_system",
    "names_subject",
    "issued_on",
    "expires_on",
    "final",
)
_HISTORY_KEYS = (
    "offense",
    "statute",
    "class",
    "status",
    "date",
    "released_on",
    "probable_cause_found",
)


def parse_request(data: bytes | str, source: str) -> Request:
    """Parse and validate a request file; raises InvalidInput listing every problem."""
    document = load_json(data, source)
    return request_from_mapping(document, source)


def load_json(data: bytes | str, source: str) -> object:
    size = len(data) if isinstance(data, bytes) else len(data.encode("utf-8", "surrogatepass"))
    if size > limits.REQUEST_FILE_BYTES:
        raise InvalidInput(
            [
                Problem(
                    source,
                    "",
                    f"is {size:,} bytes; a request file may be at most "
                    f"{limits.size_words(limits.REQUEST_FILE_BYTES)} (a real one is a few KB)",
                )
            ]
        )
    if isinstance(data, bytes):
        data = utf8_text(data, source, "utf-8-sig")

    def refuse_constant(name: str) -> object:
        raise ValueError(f"{name} is not a number JSON allows")

    def no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        seen: dict[str, Any] = {}
        for key, value in pairs:
            if key in seen:
                raise ValueError(f"the key '{key}' appears twice in one object")
            seen[key] = value
        return seen

    try:
        return json.loads(data, object_pairs_hook=no_duplicates, parse_constant=refuse_constant)
    except json.JSONDecodeError as exc:
        raise InvalidInput(
            [
                Problem(
                    source, "", f"line {exc.lineno}, column {exc.colno}: not valid JSON: {exc.msg}"
                )
            ]
        ) from None
    except ValueError as exc:
        raise InvalidInput([Problem(source, "", f"not a valid request: {exc}")]) from None
    except RecursionError:
        raise InvalidInput(
            [Problem(source, "", "not a valid request: nested far too deeply")]
        ) from None


def request_from_mapping(document: object, source: str, *, bounded: bool = True) -> Request:
    """The request in ``document`` (parsed JSON). ``bounded=False`` reads a stored request
    again without the input limits (see ``Reader``)."""
    r = Reader(source, bounded=bounded)
    top = r.table(document, "(the whole file)")
    if top is None:
        raise InvalidInput(r.problems)
    r.check_keys(top, "", _TOP_KEYS, ("schema", "received_at", "subject", "detainer"))
    r.check_schema(top)
    received_at = r.instant(top, "received_at", "")
    release_eligible_at = r.instant(top, "release_eligible_at", "")

    subject = _subject(r, top.get("subject"))
    detainer = _detainer(r, top.get("detainer"))
    documents = tuple(
        doc for doc in _list_of(r, top, "documents", _document, limits.DOCUMENTS) if doc is not None
    )
    history = tuple(
        entry
        for entry in _list_of(r, top, "history", _history, limits.HISTORY_ENTRIES)
        if entry is not None
    )
    flags = r.choice_list(top, "flags", "", v.FLAGS)

    if r.problems or received_at is None or subject is None or detainer is None:
        raise InvalidInput(r.problems)
    return Request(
        received_at=received_at,
        subject=subject,
        detainer=detainer,
        documents=documents,
        history=history,
        flags=flags,
        release_eligible_at=release_eligible_at,
        source=source,
    )


def _list_of(r: Reader, top: Mapping[str, Any], name: str, parse: Any, most: int) -> list[Any]:
    value = top.get(name)
    if value is None:
        return []
    if not isinstance(value, list):
        r.problem(name, "must be a list")
        return []
    if r.too_many(name, value, most, "entries"):
        return []
    return [parse(r, item, join_key(name, index)) for index, item in enumerate(value)]


def normalize_a_number(raw: str) -> str | None:
    """``A`` optional, then 8 or 9 digits; stored as ``A`` + 9 digits (zero-padded)."""
    match = _A_NUMBER_RE.fullmatch(raw.strip())
    return f"A{int(match[1]):09d}" if match else None


def _subject(r: Reader, value: object) -> Subject | None:
    if value is None:
        return None
    t = r.table(value, "subject")
    if t is None:
        return None
    k = "subject"
    r.check_keys(t, k, _SUBJECT_KEYS, ("name", "dob", "booking_number"))
    name = r.text(t, "name", k, required=True, limit=limits.NAME_CHARACTERS)
    if r.bounded and name is not None and len(name_words(name)) > limits.NAME_WORDS:
        r.problem(
            "subject.name",
            f"has {len(name_words(name)):,} words; at most {limits.NAME_WORDS} are accepted",
        )
        name = None
    dob = r.date(t, "dob", k)
    identifier = limits.IDENTIFIER_CHARACTERS
    booking = r.text(t, "booking_number", k, required=True, limit=identifier)
    a_number = None
    raw_a = r.text(t, "a_number", k, required=False, limit=identifier)
    if raw_a is not None and raw_a.strip():
        a_number = normalize_a_number(raw_a)
        if a_number is None:
            r.problem(
                "subject.a_number",
                f"{describe_value(raw_a)} is not an A-number: 'A' (optional) then 8 or 9 "
                "digits, e.g. A123456789",
            )
    fbi = r.text(t, "fbi_number", k, required=False, limit=identifier)
    claim = r.boolean(t, "citizenship_claim", k, False)
    indicators = r.choice_list(t, "us_citizenship_indicators", k, v.CITIZENSHIP_INDICATORS)
    if name is None or dob is None or booking is None:
        return None
    return Subject(
        name=name.strip(),
        dob=dob,
        booking_number=booking.strip(),
        a_number=a_number,
        fbi_number=fbi.strip() or None if fbi else None,
        citizenship_claim=claim,
        us_citizenship_indicators=indicators,
    )


def _detainer(r: Reader, value: object) -> Detainer | None:
    if value is None:
        return None
    t = r.table(value, "detainer")
    if t is None:
        return None
    k = "detainer"
    r.check_keys(t, k, _DETAINER_KEYS, ("form", "requested"))
    form = r.choice(t, "form", k, v.FORMS)
    issued_at = r.instant(t, "issued_at", k)
    office = r.text(t, "issuing_office", k, required=False)
    officer = r.text(t, "officer", k, required=False)
    requested: tuple[str, ...] = ()
    if "requested" in t and t["requested"] is not None:
        requested = r.choice_list(t, "requested", k, v.REQUESTED_ACTIONS)
        if isinstance(t["requested"], list) and not t["requested"]:
            r.problem("detainer.requested", "must list at least one of 'notify' or 'hold'")
    if form in v.NOTIFICATION_ONLY_FORMS and "hold" in requested:
        r.problem(
            "detainer.requested",
            f"'hold' cannot be requested on an {form}: it is a notification-only form "
            "(check the form number, or remove 'hold')",
        )
    basis = r.choice_list(t, "probable_cause_basis", k, v.PROBABLE_CAUSE_BASES)
    if form is None or not requested:
        return None
    return Detainer(
        form=form,
        requested=requested,
        issued_at=issued_at,
        issuing_office=office,
        officer=officer,
        probable_cause_basis=basis,
    )


def _document(r: Reader, value: object, k: str) -> Document | None:
    t = r.table(value, k)
    if t is None:
        return None
    r.check_keys(t, k, _DOCUMENT_KEYS, ("kind",))
    kind = r.choice(t, "kind", k, v.DOCUMENT_KINDS)
    signed = r.boolean(t, "signed", k, False)
    signer_role = r.choice(t, "signer_role", k, v.SIGNER_ROLES)
    court = r.text(t, "court", k, required=False)
    court_system = r.choice(t, "court_system", k, v.COURT_SYSTEMS)
    names_subject = r.boolean(t, "names_subject", k, False)
    issued_on = r.date(t, "issued_on", k)
    expires_on = r.date(t, "expires_on", k)
    final = r.boolean(t, "final", k, False)
    if kind is None:
        return None
    return Document(
        kind=kind,
        signed=signed,
        signer_role=signer_role,
        court=court,
        court_system=court_system,
        names_subject=names_subject,
        issued_on=issued_on,
        expires_on=expires_on,
        final=final,
    )


def _history(r: Reader, value: object, k: str) -> HistoryEntry | None:
    t = r.table(value, k)
    if t is None:
        return None
    r.check_keys(t, k, _HISTORY_KEYS, ("class", "status"))
    offense = r.text(t, "offense", k, required=False)
    statute = r.text(t, "statute", k, required=False, limit=limits.STATUTE_CHARACTERS)
    offense_class = r.choice(t, "class", k, v.OFFENSE_CLASSES)
    status = r.choice(t, "status", k, v.HISTORY_STATUSES)
    date = r.date(t, "date", k)
    released_on = r.date(t, "released_on", k)
    pc_found = r.boolean(t, "probable_cause_found", k, False)
    if offense_class is None or status is None:
        return None
    return HistoryEntry(
        offense_class=offense_class,
        status=status,
        offense=offense,
        statute=statute,
        date=date,
        released_on=released_on,
        probable_cause_found=pc_found,
    )
