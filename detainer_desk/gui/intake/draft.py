"""What the officer has typed, as plain values, and its conversion to and from the request
file of the decision contract (section 2).

Text is kept exactly as typed: the contract's own parser (``domain.request``) judges it, so
the form and ``detainer-desk check`` can never disagree about what is valid. Converting a
file into a draft keeps everything the form can hold, even invalid text (the field then
shows its problem), and lists what it had to leave out (values the form has no place for).
No Qt here: the tests use it without a window.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from detainer_desk.domain import vocabulary as v
from detainer_desk.domain.errors import Problem
from detainer_desk.domain.reader import join_key
from detainer_desk.domain.text import shortened, visible

from .entry import normalise_a_number, normalise_date, normalise_instant

SOURCE = "the intake form"


def _shown(value: object) -> str:
    """A value from the file as a note quotes it: escaped and shortened (a file may hold a
    value of a megabyte)."""
    return shortened(visible(repr(value)), 80)


@dataclass
class DocumentDraft:
    kind: str = ""  # "" until chosen
    signed: bool = False
    signer_role: str = ""
    court: str = ""
    court_system: str = ""
    names_subject: bool = False
    issued_on: str = ""
    expires_on: str = ""
    final: bool = False


@dataclass
class HistoryDraft:
    offense: str = ""
    statute: str = ""
    offense_class: str = ""
    status: str = ""
    date: str = ""
    released_on: str = ""
    probable_cause_found: bool = False


@dataclass
class RequestDraft:
    received_at: str = ""
    name: str = ""
    dob: str = ""
    booking_number: str = ""
    a_number: str = ""
    fbi_number: str = ""
    citizenship_claim: bool = False
    citizenship_indicators: list[str] = field(default_factory=list)
    form: str = ""
    issued_at: str = ""
    issuing_office: str = ""
    officer: str = ""
    requested: list[str] = field(default_factory=list)
    probable_cause_basis: list[str] = field(default_factory=list)
    documents: list[DocumentDraft] = field(default_factory=list)
    history: list[HistoryDraft] = field(default_factory=list)
    flags: list[str] = field(default_factory=list)
    release_eligible_at: str = ""

    def copy(self) -> RequestDraft:
        return dataclasses.replace(
            self,
            citizenship_indicators=list(self.citizenship_indicators),
            requested=list(self.requested),
            probable_cause_basis=list(self.probable_cause_basis),
            documents=[dataclasses.replace(d) for d in self.documents],
            history=[dataclasses.replace(h) for h in self.history],
            flags=list(self.flags),
        )


# -- draft -> contract --------------------------------------------------------------------


def _put_text(target: dict[str, Any], key: str, value: str) -> None:
    if value.strip():
        target[key] = value.strip()


def _in_vocabulary_order(values: Sequence[str], vocabulary: Sequence[str]) -> list[str]:
    chosen = set(values)
    return [item for item in vocabulary if item in chosen]


def document_to_contract(doc: DocumentDraft) -> dict[str, Any]:
    out: dict[str, Any] = {}
    _put_text(out, "kind", doc.kind)
    out["signed"] = doc.signed
    _put_text(out, "signer_role", doc.signer_role)
    _put_text(out, "court", doc.court)
    _put_text(out, "court_system", doc.court_system)
    if doc.names_subject:
        out["names_subject"] = True
    _put_text(out, "issued_on", normalise_date(doc.issued_on))
    _put_text(out, "expires_on", normalise_date(doc.expires_on))
    if doc.final:
        out["final"] = True
    return out


def history_to_contract(entry: HistoryDraft) -> dict[str, Any]:
    out: dict[str, Any] = {}
    _put_text(out, "offense", entry.offense)
    _put_text(out, "statute", entry.statute)
    _put_text(out, "class", entry.offense_class)
    _put_text(out, "status", entry.status)
    _put_text(out, "date", normalise_date(entry.date))
    _put_text(out, "released_on", normalise_date(entry.released_on))
    if entry.probable_cause_found:
        out["probable_cause_found"] = True
    return out


def to_contract(draft: RequestDraft) -> dict[str, Any]:
    """The request file (contract section 2) for what is typed; empty optional fields are
    left out, so the contract's parser reports a missing required one as missing. Dates and
    A-numbers typed as printed on the paperwork are put in the contract's form (``entry``)."""
    subject: dict[str, Any] = {}
    _put_text(subject, "name", draft.name)
    _put_text(subject, "dob", normalise_date(draft.dob))
    _put_text(subject, "booking_number", draft.booking_number)
    _put_text(subject, "a_number", normalise_a_number(draft.a_number))
    _put_text(subject, "fbi_number", draft.fbi_number)
    if draft.citizenship_claim:
        subject["citizenship_claim"] = True
    indicators = _in_vocabulary_order(draft.citizenship_indicators, v.CITIZENSHIP_INDICATORS)
    if indicators:
        subject["us_citizenship_indicators"] = indicators

    detainer: dict[str, Any] = {}
    _put_text(detainer, "form", draft.form)
    _put_text(detainer, "issued_at", normalise_instant(draft.issued_at))
    _put_text(detainer, "issuing_office", draft.issuing_office)
    _put_text(detainer, "officer", draft.officer)
    # Always present: an empty list reads "must list at least one of 'notify' or 'hold'",
    # which says more than "is required but missing".
    detainer["requested"] = _in_vocabulary_order(draft.requested, v.REQUESTED_ACTIONS)
    basis = _in_vocabulary_order(draft.probable_cause_basis, v.PROBABLE_CAUSE_BASES)
    if basis:
        detainer["probable_cause_basis"] = basis

    document: dict[str, Any] = {"schema": v.SCHEMA_VERSION}
    _put_text(document, "received_at", normalise_instant(draft.received_at))
    document["subject"] = subject
    document["detainer"] = detainer
    document["documents"] = [document_to_contract(d) for d in draft.documents]
    document["history"] = [history_to_contract(h) for h in draft.history]
    document["flags"] = _in_vocabulary_order(draft.flags, v.FLAGS)
    # Written even when unknown: "not known yet" is itself a fact of the intake.
    document["release_eligible_at"] = normalise_instant(draft.release_eligible_at).strip() or None
    return document


# -- contract -> draft --------------------------------------------------------------------


@dataclass(frozen=True)
class LoadedDraft:
    draft: RequestDraft
    left_out: tuple[Problem, ...]  # what the file holds that the form has no place for


class _Loader:
    """Takes from a parsed request file what fits the form, noting values it has no place
    for. (Unknown keys are the contract parser's to report: ``request_from_mapping``.)"""

    def __init__(self, source: str) -> None:
        self.source = source
        self.left_out: list[Problem] = []

    def note(self, key: str, message: str) -> None:
        self.left_out.append(Problem(self.source, key, message))

    def table(self, value: object, key: str) -> Mapping[str, Any]:
        if value is None:
            return {}
        if isinstance(value, dict):
            return value
        self.note(key, "is not a table of keys, so nothing in it could be read")
        return {}

    def text(self, table: Mapping[str, Any], name: str, key: str) -> str:
        value = table.get(name)
        if value is None:
            return ""
        if isinstance(value, str):
            return value
        self.note(join_key(key, name), f"{_shown(value)} is not text")
        return ""

    def flag(self, table: Mapping[str, Any], name: str, key: str) -> bool:
        value = table.get(name)
        if value is None:
            return False
        if isinstance(value, bool):
            return value
        self.note(join_key(key, name), f"{_shown(value)} is not true or false")
        return False

    def choice(self, table: Mapping[str, Any], name: str, key: str, choices: Sequence[str]) -> str:
        value = table.get(name)
        if value is None:
            return ""
        if isinstance(value, str) and value in choices:
            return value
        self.note(join_key(key, name), f"{_shown(value)} is not one of the choices the form offers")
        return ""

    def choices(
        self, table: Mapping[str, Any], name: str, key: str, choices: Sequence[str]
    ) -> list[str]:
        value = table.get(name)
        path = join_key(key, name)
        if value is None:
            return []
        if not isinstance(value, list):
            self.note(path, f"{_shown(value)} is not a list")
            return []
        kept = []
        for index, item in enumerate(value):
            if isinstance(item, str) and item in choices:
                if item not in kept:
                    kept.append(item)
            else:
                self.note(join_key(path, index), f"{_shown(item)} is not one the form offers")
        return kept

    def items(self, table: Mapping[str, Any], name: str) -> list[tuple[str, Mapping[str, Any]]]:
        value = table.get(name)
        if value is None:
            return []
        if not isinstance(value, list):
            self.note(name, "is not a list, so nothing in it could be read")
            return []
        found: list[tuple[str, Mapping[str, Any]]] = []
        for index, item in enumerate(value):
            key = join_key(name, index)
            if isinstance(item, dict):
                found.append((key, item))
            else:
                self.note(key, "is not a table of keys, so it was left out")
        return found


def from_contract(document: object, source: str) -> LoadedDraft:
    """A draft holding everything of ``document`` (a parsed request file) that fits the form."""
    load = _Loader(source)
    if not isinstance(document, dict):
        load.note("", "the file is not a request (a table of keys): nothing could be read")
        return LoadedDraft(RequestDraft(), tuple(load.left_out))
    subject = load.table(document.get("subject"), "subject")
    detainer = load.table(document.get("detainer"), "detainer")

    documents = []
    for key, item in load.items(document, "documents"):
        documents.append(
            DocumentDraft(
                kind=load.choice(item, "kind", key, v.DOCUMENT_KINDS),
                signed=load.flag(item, "signed", key),
                signer_role=load.choice(item, "signer_role", key, v.SIGNER_ROLES),
                court=load.text(item, "court", key),
                court_system=load.choice(item, "court_system", key, v.COURT_SYSTEMS),
                names_subject=load.flag(item, "names_subject", key),
                issued_on=load.text(item, "issued_on", key),
                expires_on=load.text(item, "expires_on", key),
                final=load.flag(item, "final", key),
            )
        )
    history = []
    for key, item in load.items(document, "history"):
        history.append(
            HistoryDraft(
                offense=load.text(item, "offense", key),
                statute=load.text(item, "statute", key),
                offense_class=load.choice(item, "class", key, v.OFFENSE_CLASSES),
                status=load.choice(item, "status", key, v.HISTORY_STATUSES),
                date=load.text(item, "date", key),
                released_on=load.text(item, "released_on", key),
                probable_cause_found=load.flag(item, "probable_cause_found", key),
            )
        )
    draft = RequestDraft(
        received_at=load.text(document, "received_at", ""),
        name=load.text(subject, "name", "subject"),
        dob=load.text(subject, "dob", "subject"),
        booking_number=load.text(subject, "booking_number", "subject"),
        a_number=load.text(subject, "a_number", "subject"),
        fbi_number=load.text(subject, "fbi_number", "subject"),
        citizenship_claim=load.flag(subject, "citizenship_claim", "subject"),
        citizenship_indicators=load.choices(
            subject, "us_citizenship_indicators", "subject", v.CITIZENSHIP_INDICATORS
        ),
        form=load.choice(detainer, "form", "detainer", v.FORMS),
        issued_at=load.text(detainer, "issued_at", "detainer"),
        issuing_office=load.text(detainer, "issuing_office", "detainer"),
        officer=load.text(detainer, "officer", "detainer"),
        requested=load.choices(detainer, "requested", "detainer", v.REQUESTED_ACTIONS),
        probable_cause_basis=load.choices(
            detainer, "probable_cause_basis", "detainer", v.PROBABLE_CAUSE_BASES
        ),
        documents=documents,
        history=history,
        flags=load.choices(document, "flags", "", v.FLAGS),
        release_eligible_at=load.text(document, "release_eligible_at", ""),
    )
    return LoadedDraft(draft, tuple(load.left_out))
