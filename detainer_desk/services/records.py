"""Use cases of the record store: activate a policy, record a decision, amend it, find
decisions, load one with its history. Each takes a unit of work and plain values."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from detainer_desk import presets
from detainer_desk.domain import accounts as acc
from detainer_desk.domain import amendments as rules
from detainer_desk.domain import lifecycle as lc
from detainer_desk.domain import limits
from detainer_desk.domain.clock import to_aware
from detainer_desk.domain.decision import Decision
from detainer_desk.domain.engine import evaluate
from detainer_desk.domain.errors import InvalidInput, Problem
from detainer_desk.domain.names import name_index
from detainer_desk.domain.policy import Policy, parse_policy
from detainer_desk.domain.policy_zone import ZoneNotWritable, ZoneRewrite, in_zone
from detainer_desk.domain.reader import text_problem
from detainer_desk.domain.request import Request, load_json, request_from_mapping
from detainer_desk.domain.text import shortened, visible
from detainer_desk.domain.timeline import fact_time_problem, request_time_problems

from .access import (
    NotFoundError,
    PermissionDenied,  # noqa: F401 - part of this module's interface
    RecordError,
    audit,
    authorize,
    canonical_json,
    check_page_query,
    check_text,
)
from .county_clock import SETTING, UNSET, read_county_zone
from .index import build_index, decision_state, index_for_row
from .policies import load_policy
from .ports import (
    Actor,
    AttachmentIn,
    AttachmentInfo,
    DecisionQuery,
    DecisionRow,
    DecisionSummary,
    NewAmendment,
    NewDecision,
    NewRequest,
    PolicyActivation,
    Stamp,
    StoredPolicy,
    UnitOfWork,
)

MEDIA_TYPES = {
    ".pdf": "application/pdf",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".tif": "image/tiff",
    ".tiff": "image/tiff",
}
MAX_ATTACHMENT_BYTES = limits.ATTACHMENT_BYTES
MEDIA_WORDS = {
    "application/pdf": "a PDF document",
    "image/png": "a PNG image",
    "image/jpeg": "a JPEG image",
    "image/tiff": "a TIFF image",
}


def _stamp(actor: Actor, now: dt.datetime) -> Stamp:
    return Stamp(now.astimezone(dt.UTC), actor.user, actor.workstation)


# -- policies -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ActivationResult:
    activation: PolicyActivation
    already_active: bool
    # The policy's timezone line, when it was changed to the county's zone to activate it.
    zone_rewrite: ZoneRewrite | None = None
    # The county's timezone is not set in Settings: it is this policy's (county_clock).
    county_zone_unset: bool = False


class PolicyZoneMismatch(RecordError):
    """A policy file whose timezone is not the county's: refused, naming both zones and the
    one line that would change (``rewrite``; None when it cannot be changed automatically)."""

    def __init__(
        self, source: str, policy_zone: str, county_zone: str, rewrite: ZoneRewrite | None
    ) -> None:
        self.source = source
        self.policy_zone = policy_zone
        self.county_zone = county_zone
        self.rewrite = rewrite
        change = (
            f"change line {rewrite.line_number} from '{rewrite.old_line.strip()}' to "
            f"'{rewrite.new_line.strip()}', or activate it with the county's timezone instead"
            if rewrite is not None
            else f'its timezone line cannot be changed here: write timezone = "{county_zone}" '
            "in the file"
        )
        super().__init__(
            f"{source}: this policy's timezone is {policy_zone}, but the county's timezone is "
            f"{county_zone}. The policy in force must read times in the county's timezone, so "
            f"it was not activated: {change}"
        )


def activate_policy(
    uow: UnitOfWork,
    policy_bytes: bytes,
    source_name: str,
    actor: Actor,
    now: dt.datetime,
    reason: str | None = None,
    *,
    preset: bool = False,
    in_county_zone: bool = False,
) -> ActivationResult:
    """Store the policy text (once per distinct text) and make it the active policy.

    The policy in force reads times in the county's timezone. A ``preset`` is a template:
    its shipped timezone is only a default, and the county's is written into the text that
    is stored and hashed. A policy file in another zone is refused (PolicyZoneMismatch)
    unless ``in_county_zone`` asks for the same rewrite. While the county's timezone is not
    set, it is the zone of the policy in force (``county_clock``); with no policy in force
    either, this policy's zone becomes it."""
    policy = parse_policy(policy_bytes, source_name)  # InvalidInput: nothing is stored
    check_text(reason, "the reason")
    check_text(source_name, "the policy file's name", limits.FILE_NAME_CHARACTERS * 4)
    # A shipped preset's exact text is a template, however it came (a name, a saved copy).
    preset = preset or presets.is_preset_text(policy_bytes)
    with uow:
        actor = authorize(uow, actor, acc.MANAGE_POLICIES, "policy.activate", policy.name, now)
        stamp = _stamp(actor, now)
        county = read_county_zone(uow)
        # Not set yet and no policy in force (a new store set up by commands): the policy's.
        zone = county.name if county.source != UNSET else policy.timezone
        rewrite = None
        if policy.timezone != zone:
            try:
                rewrite = in_zone(policy, zone)
            except ZoneNotWritable:
                rewrite = None
            if not (preset or in_county_zone) or rewrite is None:
                raise PolicyZoneMismatch(source_name, policy.timezone, zone, rewrite)
            policy = rewrite.policy
        unset = county.source != SETTING
        active = uow.records.active_policy()
        if active is not None and active.policy.sha256 == policy.sha256:
            return ActivationResult(active, True, rewrite, unset)
        stored = uow.records.policy_by_sha256(policy.sha256)
        if stored is None:
            stored = uow.records.add_policy_version(
                policy.text, policy.sha256, policy.name, source_name, stamp
            )
        activation = uow.records.add_policy_activation(stored, reason, stamp)
        details: dict[str, Any] = {"name": stored.name, "sha256": stored.sha256, "reason": reason}
        if rewrite is not None:
            details["timezone"] = {
                "as_written": rewrite.old_line.strip(),
                "activated_as": rewrite.new_line.strip(),
            }
        audit(
            uow,
            actor,
            "policy.activate",
            f"policy version {stored.id}",
            now,
            details=details,
        )
        uow.commit()
        return ActivationResult(activation, False, rewrite, unset)


def reactivate_in_zone(
    uow: UnitOfWork, actor: Actor, zone: str, now: dt.datetime, why: str
) -> ActivationResult | None:
    """The policy in force again, with ``zone`` as its timezone (joins the caller's
    transaction: the county's zone changes in the same step). None when it is in that zone
    already, or no policy is in force."""
    with uow:
        active = uow.records.active_policy()
        if active is None or load_policy(active.policy).timezone == zone:
            return None
        result = activate_policy(
            uow,
            active.policy.text.encode("utf-8"),
            active.policy.source_name,
            actor,
            now,
            why,
            in_county_zone=True,
        )
        uow.commit()  # joined to a caller's transaction, only the caller's commit counts
        return result


def zone_rewrite_of_active(uow: UnitOfWork, zone: str) -> tuple[str, ZoneRewrite] | None:
    """What making ``zone`` the county's would change in the policy in force: its name and
    the line that changes (None: nothing to change)."""
    with uow:
        active = uow.records.active_policy()
    if active is None:
        return None
    policy = load_policy(active.policy)
    if policy.timezone == zone:
        return None
    try:
        return policy.name, in_zone(policy, zone)
    except ZoneNotWritable as unwritable:
        raise RecordError(
            f"the policy in force, {policy.name}, cannot be put in the timezone {zone} by "
            f"changing its timezone line ({unwritable}): activate a policy file written in "
            "that timezone first"
        ) from None


def active_policy(uow: UnitOfWork) -> PolicyActivation | None:
    """The policy in force (shown to everyone, signed in or not: it is public law)."""
    with uow:
        return uow.records.active_policy()


# -- recording ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RecordedDecision:
    decision_id: int
    request_id: int
    decision: Decision
    policy: StoredPolicy
    attachments: tuple[AttachmentInfo, ...]
    earlier_decisions: tuple[int, ...]  # same booking number and form, recorded before


def name_tokens(name: str) -> list[str]:
    """Words of a name for searching: 'DOE, John' -> ['doe', 'john'] (case and accents
    folded). With the word pairs, ``name_index`` (the one function that computes both)."""
    return list(name_index(name).tokens)


def media_type_for(file_name: str) -> str | None:
    lowered = file_name.lower()
    for suffix, media_type in MEDIA_TYPES.items():
        if lowered.endswith(suffix):
            return media_type
    return None


def media_type_of_content(content: bytes) -> str | None:
    """What the bytes themselves say the file is (its signature, the "magic number"), or
    None. A PDF's ``%PDF`` may follow up to 1,024 bytes of anything (as PDF readers accept)."""
    if content.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if content.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if content.startswith((b"II*\x00", b"MM\x00*", b"II+\x00", b"MM\x00+")):
        return "image/tiff"
    if b"%PDF" in content[:1024]:
        return "application/pdf"
    return None


def check_attachments(attachments: Sequence[AttachmentIn], request: Request) -> list[Problem]:
    problems = []
    if len(attachments) > limits.ATTACHMENTS:
        problems.append(
            Problem(
                "attachments",
                "",
                f"{len(attachments):,} files; at most {limits.ATTACHMENTS} can be attached "
                "to one request",
            )
        )
    for number, attachment in enumerate(attachments, start=1):
        label = f"attachment {number} ({shortened(visible(attachment.file_name), 80)})"
        name_problem = text_problem(attachment.file_name, limits.FILE_NAME_CHARACTERS)
        if name_problem is not None:
            problems.append(Problem(label, "file_name", f"the file's name {name_problem}"))
        if attachment.media_type not in MEDIA_TYPES.values():
            problems.append(
                Problem(label, "media_type", "only PDF, PNG, JPEG and TIFF scans can be attached")
            )
        if not attachment.content:
            problems.append(Problem(label, "content", "the file is empty"))
        elif len(attachment.content) > MAX_ATTACHMENT_BYTES:
            problems.append(
                Problem(
                    label,
                    "content",
                    f"the file is larger than {limits.size_words(MAX_ATTACHMENT_BYTES)}",
                )
            )
        elif attachment.media_type in MEDIA_WORDS:
            found = media_type_of_content(attachment.content)
            if found != attachment.media_type:
                what = MEDIA_WORDS[found] if found else "none of PDF, PNG, JPEG or TIFF"
                problems.append(
                    Problem(
                        label,
                        "content",
                        f"the file is named as {MEDIA_WORDS[attachment.media_type]}, but its "
                        f"bytes are {what}: attach the scan itself (or name it for what it is)",
                    )
                )
        index = attachment.document_index
        if index is not None and not 0 <= index < len(request.documents):
            problems.append(
                Problem(label, "document_index", f"the request has no document {index + 1}")
            )
    return problems


def out_of_zone(policy_zone: str, county_zone: str) -> str:
    """Why nothing can be checked or recorded under a policy of another timezone (an
    installation upgraded with such a policy in force, until it is activated again)."""
    return (
        f"the policy in force reads times in {policy_zone}, but the county's timezone is "
        f"{county_zone}: an administrator must activate the policy again in the county's "
        "timezone (Policy › Activate a policy) before decisions can be recorded"
    )


def record_decision(
    uow: UnitOfWork,
    request_data: bytes | str,
    source: str,
    attachments: Sequence[AttachmentIn],
    actor: Actor,
    now: dt.datetime,
) -> RecordedDecision:
    """Evaluate the request under the active policy at ``now`` and store the request, its
    attachments and the decision in one transaction: all of it, or nothing."""
    document = load_json(request_data, source)
    request = request_from_mapping(document, source)
    # (A NUL character or a lone surrogate in any text is refused by request_from_mapping,
    # as ``check`` refuses it: neither can be stored.)
    problems = check_attachments(attachments, request)
    if problems:
        raise InvalidInput(problems)
    booking_number = request.subject.booking_number
    with uow:
        actor = authorize(uow, actor, acc.RECORD_DECISION, "decision.record", booking_number, now)
        stamp = _stamp(actor, now)
        activation, policy = _active_policy_in_county_zone(uow)
        zone = policy.zone
        timeline = request_time_problems(request, zone, now, source)
        if timeline:
            raise InvalidInput(timeline)
        decision = evaluate(policy, request, at=now)
        earlier = tuple(uow.records.decisions_for_booking(booking_number, request.detainer.form))
        request_id = _store_request(uow, document, request, zone, stamp)
        stored_attachments = tuple(
            uow.records.add_attachment(request_id, attachment, stamp) for attachment in attachments
        )
        decision_id = _store_decision(uow, request_id, activation, decision, stamp)
        _index_new_decision(uow, decision_id, request, decision, zone, now)
        details = {
            "outcome": decision.outcome,
            "booking_number": booking_number,
            "attachments": len(stored_attachments),
        }
        audit(uow, actor, "decision.record", f"decision {decision_id}", now, details=details)
        uow.commit()
    return RecordedDecision(
        decision_id, request_id, decision, activation.policy, stored_attachments, earlier
    )


def _active_policy_in_county_zone(uow: UnitOfWork) -> tuple[PolicyActivation, Policy]:
    """The active policy (as stored, and read), refused when there is none or when it reads
    times in another zone than the county's."""
    activation = uow.records.active_policy()
    if activation is None:
        raise RecordError(
            "no policy is active: an administrator must activate the county's policy "
            "before decisions can be recorded"
        )
    policy = load_policy(activation.policy)
    county = read_county_zone(uow)
    if policy.timezone != county.name:
        raise RecordError(out_of_zone(policy.timezone, county.name))
    return activation, policy


def _store_request(
    uow: UnitOfWork, document: object, request: Request, zone: ZoneInfo, stamp: Stamp
) -> int:
    """The request as received (canonical JSON), with its times read in the county's zone
    and its name indexed for searching: its id."""
    release = request.release_eligible_at
    return uow.records.add_request(
        NewRequest(
            request_json=canonical_json(document),
            subject_name=request.subject.name,
            dob=request.subject.dob.isoformat(),
            booking_number=request.subject.booking_number,
            a_number=request.subject.a_number,
            form=request.detainer.form,
            received_at=to_aware(request.received_at, zone),
            release_eligible_at=to_aware(release, zone) if release else None,
        ),
        name_index(request.subject.name),
        stamp,
    )


def _store_decision(
    uow: UnitOfWork,
    request_id: int,
    activation: PolicyActivation,
    decision: Decision,
    stamp: Stamp,
) -> int:
    return uow.records.add_decision(
        NewDecision(
            request_id=request_id,
            policy_version_id=activation.policy.id,
            outcome=decision.outcome,
            tentative_outcome=decision.tentative_outcome,
            hold_until=decision.hold_until,
            evaluated_at=decision.evaluated_at,
            decision_json=canonical_json(decision.to_contract()),
        ),
        stamp,
    )


def _index_new_decision(
    uow: UnitOfWork,
    decision_id: int,
    request: Request,
    decision: Decision,
    zone: ZoneInfo,
    now: dt.datetime,
) -> None:
    """The search index's row for a decision with no later facts yet."""
    release = request.release_eligible_at
    initial = lc.current_state(
        decision.outcome,
        decision.tentative_outcome,
        decision.hold_until,
        to_aware(release, zone) if release else None,
        [],
    )
    uow.records.upsert_index(build_index(decision_id, request, initial, None, now))


# -- amending -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AmendmentResult:
    amendment_id: int
    kind: str
    state: lc.DecisionState
    hold_until: dt.datetime | None
    window_closed: bool
    # The fact lies after the hold deadline: recorded, and marked by how much (None: in time).
    past_deadline: dt.timedelta | None = None


def amend_decision(
    uow: UnitOfWork,
    decision_id: int,
    kind: str,
    actor: Actor,
    now: dt.datetime,
    *,
    effective_at: dt.datetime | None = None,
    reason: str | None = None,
    details: dict[str, Any] | None = None,
) -> AmendmentResult:
    """Add a later fact to a decision. The decision itself is never changed: the rules of
    what may be added, by whom, are the domain's (``domain.amendments``); here they are
    asked in order, around loading the decision and storing the fact."""
    reason, details = _checked_fact(kind, effective_at, reason, details)
    target = f"decision {decision_id}"
    with uow:
        actor = authorize(uow, actor, rules.permission_for(kind), f"decision.{kind}", target, now)
        stamp = _stamp(actor, now)
        row = uow.records.decision(decision_id)
        if row is None:
            raise NotFoundError(f"there is no decision {decision_id}")
        policy = load_policy(row.policy)
        county = read_county_zone(uow).zone
        if effective_at is not None:
            # A time typed without an offset is the county's wall clock.
            effective_at = to_aware(effective_at, county)
        state = decision_state(row)
        _refuse(rules.closed_problem(decision_id, state, kind))
        _refuse_fact_time(kind, effective_at, row, now, county)
        window = _new_hold_window(kind, effective_at, details, state, row, policy, now)
        if window is not None:
            details.update(window.details())
        _refuse(rules.four_eyes_problem(kind, actor.user, row.summary.recorded_by))
        fact = NewAmendment(decision_id, kind, effective_at, reason, canonical_json(details))
        amendment_id = uow.records.add_amendment(fact, stamp)
        new_state = _reindex(uow, decision_id, now)
        entry = {"amendment": amendment_id, "reason": reason, **details}
        audit(uow, actor, f"decision.{kind}", target, now, details=entry)
        uow.commit()
    past = new_state.past_deadline if kind in lc.CLOSING_KINDS else None
    window_closed = window.window_closed if window is not None else False
    return AmendmentResult(amendment_id, kind, new_state, new_state.hold_until, window_closed, past)


def _checked_fact(
    kind: str,
    effective_at: dt.datetime | None,
    reason: str | None,
    details: dict[str, Any] | None,
) -> tuple[str | None, dict[str, Any]]:
    """The fact's reason (trimmed, None when blank) and a copy of its details, once the
    domain accepts them as written (before anything is read)."""
    _refuse(rules.kind_problem(kind))
    reason = (reason or "").strip() or None
    check_text(reason, "the reason")
    for key, value in (details or {}).items():
        if isinstance(value, str):
            check_text(value, f"the {key}")
    _refuse(rules.missing_problem(kind, reason, effective_at))
    details = dict(details or {})
    problems = lc.report_fact_problems(kind, effective_at, details)
    if problems:
        raise RecordError("; ".join(problems))
    return reason, details


def _refuse_fact_time(
    kind: str,
    effective_at: dt.datetime | None,
    row: DecisionRow,
    now: dt.datetime,
    county: ZoneInfo,
) -> None:
    """A fact's time that cannot be (before the request, in the future, or a bail posted
    at a time it could not have been)."""
    if effective_at is not None:
        _refuse(fact_time_problem(kind, effective_at, row.summary.received_at, now, county))
        if kind == lc.BAIL_POSTED:
            _refuse(rules.bail_time_problem(effective_at, now, county))


def _new_hold_window(
    kind: str,
    effective_at: dt.datetime | None,
    details: dict[str, Any],
    state: lc.DecisionState,
    row: DecisionRow,
    policy: Policy,
    now: dt.datetime,
) -> rules.NewHoldWindow | None:
    """The hold's end worked out again, for a fact that moves it (the release eligibility
    learnt, or an override, refused unless it may be made): None for any other fact."""
    zone = policy.zone
    if kind == lc.RELEASE_ELIGIBLE:
        assert effective_at is not None
        return rules.hold_after_release_eligible(
            state, row.summary.tentative_outcome, effective_at, policy.hold_window, zone, now
        )
    if kind == lc.OVERRIDE:
        outcome = details.get("outcome")
        _refuse(rules.override_problem(state, outcome))
        return rules.hold_after_override(state, str(outcome), policy.hold_window, zone)
    return None


def _reindex(uow: UnitOfWork, decision_id: int, now: dt.datetime) -> lc.DecisionState:
    """The decision's state with its new fact, written to the search index."""
    after = uow.records.decision(decision_id)
    assert after is not None
    new_state = decision_state(after)
    uow.records.upsert_index(index_for_row(after, new_state, now))
    return new_state


def _refuse(problem: str | None) -> None:
    """A rule's refusal, in its own words, as the error of the store."""
    if problem is not None:
        raise RecordError(problem)


# -- reading ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DecisionPage:
    items: tuple[DecisionSummary, ...]
    next_after: tuple[str, int] | None  # the query's ``after`` for the next page


def find_decisions(
    uow: UnitOfWork, query: DecisionQuery, actor: Actor, now: dt.datetime
) -> DecisionPage:
    check_page_query(query)
    with uow:
        actor = authorize(uow, actor, acc.VIEW_RECORDS, "records.search", query.search, now)
        items = tuple(uow.records.find_decisions(query))
        searching = query.search or query.outcome or query.received_from or query.received_to
        if acc.COUNSEL in actor.roles and searching and query.after is None:
            # Every search by counsel is on the record (the first page of it).
            audit(uow, actor, "records.search", query.search, now, details=_query_details(query))
            uow.commit()
    next_after = (items[-1].sort_value, items[-1].request_id) if len(items) == query.limit else None
    return DecisionPage(items, next_after)


def _query_details(query: DecisionQuery) -> dict[str, Any]:
    return {
        "search": query.search,
        "outcome": query.outcome,
        "from": query.received_from.isoformat() if query.received_from else None,
        "to": query.received_to.isoformat() if query.received_to else None,
        "officer": query.recorded_by,
    }


def load_decision(
    uow: UnitOfWork, decision_id: int, actor: Actor, now: dt.datetime
) -> tuple[DecisionRow, lc.DecisionState]:
    with uow:
        authorize(uow, actor, acc.VIEW_RECORDS, "decision.view", f"decision {decision_id}", now)
        row = uow.records.decision(decision_id)
    if row is None:
        raise NotFoundError(f"there is no decision {decision_id}")
    return row, decision_state(row)


def attachment_sha256(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()
