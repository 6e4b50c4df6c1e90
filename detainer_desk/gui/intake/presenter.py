"""The intake screen's presenter: everything the screen shows that takes a rule to work out.

The widgets only lay out and display; the law is the domain's. This module asks the domain
(the contract parser, the engine, ``judicial_warrant_failures``) and turns the answers into
words for an officer: which field a problem belongs to and how to say it, whether a document
counts as a judicial warrant and why not, the decision's headline, meaning and reasons, the
countdown to ``hold_until``. No Qt, no storage.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from detainer_desk.domain import timetext
from detainer_desk.domain import vocabulary as v
from detainer_desk.domain.alerts import (
    DEFAULT_WARNINGS,
    Warnings,
    alert_level,
    countdown_text,
    level_words,
)
from detainer_desk.domain.clock import local_date, to_aware
from detainer_desk.domain.decision import Decision
from detainer_desk.domain.engine import evaluate, judicial_warrant_failures
from detainer_desk.domain.errors import InvalidInput, Problem
from detainer_desk.domain.headline import headline
from detainer_desk.domain.outcomes import Outcome
from detainer_desk.domain.policy import Policy
from detainer_desk.domain.reader import parse_instant_text
from detainer_desk.domain.request import Document, Request, request_from_mapping
from detainer_desk.domain.timeline import request_time_problems
from detainer_desk.services.intake import EarlierDecisions
from detainer_desk.services.records import out_of_zone

from ..widgets import plain_sentence
from .draft import SOURCE, DocumentDraft, RequestDraft, to_contract
from .entry import normalise_date, normalise_instant

# -- where a problem belongs, and how to say it -------------------------------------------

REQUEST_LABELS = {
    "received_at": "Received at",
    "release_eligible_at": "Release-eligible time",
    "flags": "Flags",
    "subject.name": "Name",
    "subject.dob": "Date of birth",
    "subject.booking_number": "Booking number",
    "subject.a_number": "A-number",
    "subject.fbi_number": "FBI number",
    "subject.citizenship_claim": "Citizenship claim",
    "subject.us_citizenship_indicators": "Citizenship indicators",
    "detainer.form": "Form",
    "detainer.issued_at": "Issued at",
    "detainer.issuing_office": "Issuing office",
    "detainer.officer": "Officer",
    "detainer.requested": "What ICE asks",
    "detainer.probable_cause_basis": "Probable-cause basis",
}
DOCUMENT_LABELS = {
    "kind": "Kind",
    "signed": "Signed",
    "signer_role": "Signed by",
    "court": "Court",
    "court_system": "Court system",
    "names_subject": "Names this person",
    "issued_on": "Issued on",
    "expires_on": "Expires on",
    "final": "Final",
}
HISTORY_LABELS = {
    "offense": "Offense",
    "statute": "Statute",
    "class": "Class",
    "status": "Status",
    "date": "Date",
    "released_on": "Released on",
    "probable_cause_found": "Probable cause found",
}
# Problems about one item of a list of choices ("detainer.requested[2]") belong to the list.
_CHOICE_LISTS = (
    "detainer.requested",
    "detainer.probable_cause_basis",
    "flags",
    "subject.us_citizenship_indicators",
)
_ITEM_RE = re.compile(r"(documents|history)\[(\d+)\](?:\.([a-z_]+))?")

REQUEST, DOCUMENT, HISTORY, GENERAL = "request", "document", "history", "general"


@dataclass(frozen=True)
class Place:
    """Where a problem is shown: a request field, a document's or history row's field, or
    (for what the form has no field for) the general list."""

    area: str
    field: str = ""  # a REQUEST_LABELS key, a DOCUMENT_LABELS / HISTORY_LABELS key, or ""
    index: int | None = None

    @property
    def label(self) -> str:
        if self.area == REQUEST:
            return REQUEST_LABELS[self.field]
        if self.area == DOCUMENT:
            return DOCUMENT_LABELS.get(self.field, "")
        if self.area == HISTORY:
            return HISTORY_LABELS.get(self.field, "")
        return ""

    @property
    def where(self) -> str:
        """Where to look, for the summary list: "Document 2", "History row 1", ""."""
        if self.area == DOCUMENT:
            return f"Document {self.index + 1}" if self.index is not None else "Documents"
        if self.area == HISTORY:
            return f"History row {self.index + 1}" if self.index is not None else "History"
        return ""


def place_of(key: str) -> Place:
    match = _ITEM_RE.fullmatch(key)
    if match:
        area = DOCUMENT if match[1] == "documents" else HISTORY
        labels = DOCUMENT_LABELS if area == DOCUMENT else HISTORY_LABELS
        name = match[3] or ""
        return Place(area, name if name in labels else "", int(match[2]))
    if key == "documents":
        return Place(DOCUMENT)
    if key == "history":
        return Place(HISTORY)
    for choice_list in _CHOICE_LISTS:
        if key.startswith(choice_list + "["):
            return Place(REQUEST, choice_list)
    if key in REQUEST_LABELS:
        return Place(REQUEST, key)
    return Place(GENERAL)


def message_for(problem: Problem) -> str:
    """The problem as a sentence to show beside its field."""
    label = place_of(problem.key).label
    message = problem.message
    if message == "is required but missing":
        return f"{label} is required." if label else "Required."
    if label and message.startswith(("is ", "must ")):
        return plain_sentence(f"{label} {message}")
    return plain_sentence(message)


def summary_of(problem: Problem) -> str:
    """The problem for the list of everything still to fix, saying where it is."""
    place = place_of(problem.key)
    if place.area == GENERAL:
        key = f"{problem.key}: " if problem.key else ""
        return plain_sentence(f"{key}{problem.message}")
    text = message_for(problem)
    if place.label and not text.startswith(place.label):
        text = f"{place.label}: {text}"
    if place.area == REQUEST or not place.where:
        return text
    return f"{place.where}, {text[0].lower()}{text[1:]}"


# The order of the fields on the form, so problems are listed (and the first one found) as
# the officer reads the page, not in the order the parser met them.
FORM_ORDER = (
    "subject.name",
    "subject.dob",
    "subject.booking_number",
    "subject.a_number",
    "subject.fbi_number",
    "subject.citizenship_claim",
    "subject.us_citizenship_indicators",
    "flags",
    "detainer.form",
    "detainer.issued_at",
    "received_at",
    "detainer.issuing_office",
    "detainer.officer",
    "detainer.requested",
    "detainer.probable_cause_basis",
    "release_eligible_at",
)
_AREA_ORDER = (GENERAL, REQUEST, DOCUMENT, HISTORY)


def form_order(problem: Problem) -> tuple[int, int, int]:
    place = place_of(problem.key)
    if place.area == REQUEST:
        field = FORM_ORDER.index(place.field)
    else:
        labels = list(DOCUMENT_LABELS if place.area == DOCUMENT else HISTORY_LABELS)
        field = labels.index(place.field) if place.field in labels else -1
    index = place.index if place.index is not None else -1
    return _AREA_ORDER.index(place.area), index, field


# -- checking what is typed ----------------------------------------------------------------


@dataclass(frozen=True)
class Assessment:
    """What the form amounts to right now: its problems, or the request and its decision."""

    problems: tuple[Problem, ...]
    request: Request | None = None
    decision: Decision | None = None  # only with a policy and no problems

    @property
    def valid(self) -> bool:
        return self.request is not None and not self.problems


def assess(
    draft: RequestDraft, policy: Policy | None, now: dt.datetime, county_zone: str | None = None
) -> Assessment:
    """Parse the draft as a request file and, with a policy, evaluate it at ``now``, exactly
    as ``records.record_decision`` will when it is recorded (its time-line rules first: a
    received time before the detainer was issued, a date of birth in the future, seconds).
    ``county_zone``: the county's; a policy in another zone checks nothing (as recording
    refuses it)."""
    try:
        request = request_from_mapping(to_contract(draft), SOURCE)
    except InvalidInput as invalid:
        return Assessment(tuple(sorted(invalid.problems, key=form_order)))
    if policy is None:
        return Assessment((), request)
    if county_zone is not None and policy.timezone != county_zone:
        return Assessment((Problem(SOURCE, "", out_of_zone(policy.timezone, county_zone)),))
    # record_decision refuses these too; say so, beside the field, before recording.
    problems = request_time_problems(request, policy.zone, now, SOURCE)
    if not problems:
        try:
            decision = evaluate(policy, request, at=now)
        except InvalidInput as invalid:
            problems.extend(invalid.problems)
    if problems:
        return Assessment(tuple(sorted(problems, key=form_order)))
    return Assessment((), request, decision)


def instant_reading(text: str, zone: ZoneInfo | None) -> str | None:
    """How a typed date and time is read ("Tue 10 Feb 2026, 08:30 PST (UTC-08:00)"), so the
    officer sees at once which zone a time without an offset was read in (the county's)."""
    if not text.strip() or zone is None:
        return None
    parsed, error = parse_instant_text(normalise_instant(text))
    if error or parsed is None:
        return None
    moment = to_aware(parsed, zone)
    return f"Read as {timetext.long_time(moment, zone)}"


def local_input_text(moment: dt.datetime, zone: ZoneInfo) -> str:
    """An instant as an officer would type it in the county's timezone (no offset)."""
    return timetext.as_typed(moment, zone)


# -- the judicial-warrant checklist (contract 2.1) -----------------------------------------


@dataclass(frozen=True)
class Verdict:
    counts: bool | None  # None: not enough is filled in to say
    headline: str
    reasons: tuple[str, ...]
    judicial_kind: bool = True  # False: the paper does not claim to be a judicial warrant


def _date_or_none(text: str) -> tuple[dt.date | None, bool]:
    """The date typed, and whether what was typed is usable (empty counts as usable)."""
    if not text.strip():
        return None, True
    try:
        return dt.date.fromisoformat(normalise_date(text).strip()), True
    except ValueError:
        return None, False


def evaluation_date(now: dt.datetime, policy: Policy | None) -> dt.date:
    """The date the engine judges expiry on: the local date of ``now`` in the policy's zone."""
    if policy is None:
        return now.astimezone(dt.UTC).date()
    return local_date(now, policy.zone)


def warrant_verdict(doc: DocumentDraft, on: dt.date) -> Verdict:
    """Whether ``doc`` counts as a judicial warrant on ``on``, and why not, in plain words
    (the engine's own test: ``judicial_warrant_failures``)."""
    if not doc.kind:
        return Verdict(None, "Choose what kind of document this is.", ())
    expires_on, expiry_readable = _date_or_none(doc.expires_on)
    issued_on, _ = _date_or_none(doc.issued_on)
    document = Document(
        kind=doc.kind,
        signed=doc.signed,
        signer_role=doc.signer_role or None,
        court=doc.court.strip() or None,
        court_system=doc.court_system or None,
        names_subject=doc.names_subject,
        issued_on=issued_on,
        expires_on=expires_on,
        final=doc.final,
    )
    failures = [plain_sentence(f) for f in judicial_warrant_failures(document, on)]
    if doc.kind not in v.JUDICIAL_WARRANT_KINDS:
        # Not a failed judicial warrant, just another kind of paper: say so without alarm.
        return Verdict(False, "Not a judicial warrant", tuple(failures), judicial_kind=False)
    if not expiry_readable:
        failures.append("The expiry date cannot be read: type it as YYYY-MM-DD.")
    if failures:
        return Verdict(False, "Does NOT count as a judicial warrant", tuple(failures))
    signer = v.SIGNER_ROLE_WORDS[doc.signer_role]
    reasons = [f"Signed by {signer} of {doc.court.strip()}, and names this person."]
    reasons.append(
        f"Valid on {timetext.day_text(on)}"
        + (f" (expires {timetext.day_text(expires_on)})." if expires_on else " (no expiry date).")
    )
    if doc.court_system == "federal":
        reasons.append("From a federal court.")
    else:
        system = "a state court" if doc.court_system == "state" else "a court not marked federal"
        reasons.append(
            f"From {system}: a policy that accepts only federal judicial warrants will not "
            "count it."
        )
    return Verdict(True, "COUNTS as a judicial warrant", tuple(reasons))


def document_title(number: int, doc: DocumentDraft) -> str:
    kind = v.DOCUMENT_KIND_WORDS.get(doc.kind, "kind not chosen yet")
    return f"{number}. {kind[0].upper()}{kind[1:]}"


# -- the decision ----------------------------------------------------------------------------

OUTCOME_MEANING: dict[str, str] = {
    Outcome.HOLD: "The jail may keep the person in custody for ICE past the time they would "
    "otherwise be released, but never past the deadline shown.",
    Outcome.TRANSFER: "Do not keep the person past their release time. ICE may take custody at "
    "the moment of release.",
    Outcome.NOTIFY: "Do not hold and do not hand over. The jail may tell ICE the release date and time.",
    Outcome.DECLINE: "Do not hold, hand over or tell ICE the release date: the policy permits none "
    "of them.",
    Outcome.REVIEW: "Do nothing yet. A supervisor must review this request before anything is done.",
}
ACTION_TITLES = {
    "hold": "Hold past release",
    "transfer": "Transfer to ICE at release",
    "notify": "Notify ICE of the release",
    "review": "Supervisor review",
}


@dataclass(frozen=True)
class ReasonLine:
    result: str
    text: str
    citation: str


@dataclass(frozen=True)
class ReasonGroup:
    action: str
    title: str
    verdict: str  # "PERMITTED", "NOT PERMITTED", "REVIEW REQUIRED"
    reasons: tuple[ReasonLine, ...]


@dataclass(frozen=True)
class DecisionView:
    outcome: str
    words: str  # HOLD, TRANSFER AT RELEASE, ...
    headline: str  # Decision.headline(): HOLD until Fri 13 Feb 2026, 15:00 PST (UTC-08:00)
    detail: str  # the line under the big words
    meaning: str
    hold_until: dt.datetime | None
    deadline_note: str | None  # why there is no countdown, when a hold has no deadline yet
    supervisor_items: tuple[str, ...]
    groups: tuple[ReasonGroup, ...]
    policy_line: str
    checked_line: str


def decision_view(
    decision: Decision, request: Request, policy_citation: str, zone: dt.tzinfo | None = None
) -> DecisionView:
    """What the decision panel shows; times in ``zone`` (the county's), else the policy's."""
    zone = zone or decision.evaluated_at.tzinfo or dt.UTC
    shown = headline(
        decision.outcome,
        decision.tentative_outcome,
        decision.hold_until,
        lambda moment: timetext.long_time(moment, zone),
    )
    detail = ""
    if shown.deadline is not None:
        detail = f"until {shown.deadline}"
    elif shown.tentative is not None:
        detail = f"If a supervisor agrees: {shown.tentative}"
        if shown.tentative_deadline is not None:
            detail += f" until {shown.tentative_deadline}"
    deadline_note = None
    if decision.effective_outcome == Outcome.HOLD and decision.hold_until is None:
        deadline_note = (
            "No deadline yet: the release-eligible time is not known. The hold clock starts "
            "when the person would otherwise be released; enter that time when it is known."
        )
    groups = []
    for action in (*v.ACTIONS, "review"):
        reasons = tuple(
            ReasonLine(r.result, plain_sentence(r.text), r.citation)
            for r in decision.reasons
            if r.action == action
        )
        if not reasons:
            continue
        if action == "review":
            verdict = "REVIEW REQUIRED"
        else:
            verdict = "PERMITTED" if decision.permitted[action] else "NOT PERMITTED"
        groups.append(ReasonGroup(action, ACTION_TITLES[action], verdict, reasons))
    supervisor = tuple(plain_sentence(r.text) for r in decision.reasons if r.action == "review")
    if decision.window_closed:
        closing = [r.text for r in decision.reasons if r.result == "window closed"]
        meaning = OUTCOME_MEANING[decision.outcome] + " " + plain_sentence(closing[0])
    else:
        meaning = OUTCOME_MEANING[decision.outcome]
    return DecisionView(
        outcome=decision.outcome,
        words=shown.words,
        headline=shown.text,
        detail=detail,
        meaning=meaning,
        hold_until=decision.hold_until,
        deadline_note=deadline_note,
        supervisor_items=supervisor,
        groups=tuple(groups),
        policy_line=f"{decision.policy_name} — {policy_citation} "
        f"(policy text SHA-256 {decision.policy_sha256[:12]}…)",
        checked_line=checked_line(decision, request, zone),
    )


def checked_line(decision: Decision, request: Request, zone: dt.tzinfo | None = None) -> str:
    shown = timetext.long_time(
        decision.evaluated_at, zone or decision.evaluated_at.tzinfo or dt.UTC
    )
    return (
        f"Checked at {shown} for {request.subject.name}, booking {request.subject.booking_number}"
    )


@dataclass(frozen=True)
class Countdown:
    text: str  # "43 h 00 min left"
    level: str  # alerts.OK, SOON, URGENT, EXPIRED, UNKNOWN
    words: str  # "more than 4 hours left", "DEADLINE PASSED: release now"


def countdown(
    hold_until: dt.datetime | None, now: dt.datetime, warnings: Warnings = DEFAULT_WARNINGS
) -> Countdown:
    """The time left, and how urgent it is at the alert times in force (the settings')."""
    level = alert_level(hold_until, now, warnings)
    return Countdown(countdown_text(hold_until, now), level, level_words(level, warnings))


def earlier_text(earlier: EarlierDecisions, zone: ZoneInfo | None) -> str | None:
    """The duplicate warning, or None when nothing was recorded for this booking and form."""
    if earlier.total == 0:
        return None
    items = []
    for found in earlier.latest:
        when = timetext.long_time(found.recorded_at, zone or dt.UTC)
        outcome = v.OUTCOME_WORDS.get(found.outcome, found.outcome)
        items.append(
            f"decision {found.decision_id} ({outcome}, recorded {when} by {found.recorded_by})"
        )
    more = earlier.total - len(earlier.latest)
    listed = "; ".join(items) + (f"; and {more} earlier" if more > 0 else "")
    count = "once" if earlier.total == 1 else f"{earlier.total} times"
    return (
        f"Already recorded: a request for booking {earlier.booking_number} on form "
        f"{earlier.form} was recorded {count}: {listed}. Record again only if this is a new "
        "detainer, not the same one entered twice."
    )


def recorded_duplicates_text(decision_ids: tuple[int, ...], booking: str, form: str) -> str | None:
    if not decision_ids:
        return None
    listed = ", ".join(str(i) for i in decision_ids)
    return (
        f"Note: booking {booking} on form {form} had already been recorded (decision "
        f"{listed}). Tell a supervisor, so that the log does not hold the same detainer twice."
    )
