"""The decision engine: contract section 4, step by step.

Read this file top to bottom: ``evaluate`` is the whole procedure; the functions below it
answer one question each ("does this document count as a judicial warrant?", "does this
clause hold?") and say why in words a jail officer understands.
"""

from __future__ import annotations

import datetime as dt
from functools import cached_property
from zoneinfo import ZoneInfo

from . import vocabulary as v
from .clock import UTC, is_younger_than, local_date, to_aware, years_before
from .clock import hold_until as compute_hold_until
from .decision import (
    NOT_PERMITTED,
    NOT_REQUESTED,
    PERMITTED,
    REVIEW_REQUIRED,
    WINDOW_CLOSED,
    Decision,
    Reason,
    format_instant_for_people,
)
from .errors import InvalidInput, Problem
from .policy import (
    ActionRule,
    AdminWarrant,
    AgeUnder,
    Always,
    Basis,
    Clause,
    Criterion,
    Flag,
    HistoryCriterion,
    JudicialProbableCause,
    JudicialWarrant,
    Policy,
    RemovalOrder,
)
from .request import Document, HistoryEntry, Request
from .timetext import day_text


def evaluate(policy: Policy, request: Request, at: dt.datetime | None = None) -> Decision:
    """Decide what ``policy`` permits for ``request`` at the evaluation instant.

    ``at`` defaults to the request's ``received_at``; the engine never reads the clock.
    Raises InvalidInput when the request contradicts itself under this policy's timezone.
    """
    facts = Facts(policy, request, at)
    facts.check_consistency()
    citation = policy.citation
    reasons: list[Reason] = []

    # Step 2: what the policy permits.
    permitted: dict[str, bool] = {}
    for action in v.ACTIONS:
        allowed, texts = decide_action(policy.rule_for(action), action, facts)
        permitted[action] = allowed
        reasons.extend(
            Reason(action, PERMITTED if allowed else NOT_PERMITTED, t, citation) for t in texts
        )

    # Steps 3 to 6: the outcome.
    hold_requested = request.hold_requested
    window_closed = False
    hold_deadline: dt.datetime | None = None
    outcome = "decline"
    if hold_requested and permitted["hold"]:
        if facts.release_eligible_at is not None:
            hold_deadline = _hold_deadline(facts)
            # Compare instants in UTC: two times in the same zone compare by wall clock,
            # which is wrong inside the repeated hour when clocks fall back.
            if facts.evaluated_at.astimezone(UTC) >= hold_deadline.astimezone(UTC):
                window_closed = True
                reasons.append(
                    Reason(
                        "hold", WINDOW_CLOSED, _window_closed_text(hold_deadline, facts), citation
                    )
                )
        if not window_closed:
            outcome = "hold"
    elif permitted["hold"] and not hold_requested:
        reasons.append(
            Reason(
                "hold",
                NOT_REQUESTED,
                "ICE did not ask the jail to hold this person; no hold.",
                citation,
            )
        )
    if outcome != "hold":
        hold_deadline = None
        if hold_requested and permitted["transfer"]:
            outcome = "transfer"
        elif permitted["notify"]:
            outcome = "notify"
        if permitted["transfer"] and not hold_requested:
            reasons.append(
                Reason(
                    "transfer",
                    NOT_REQUESTED,
                    "ICE asked only for notification, not for custody, so there is no transfer.",
                    citation,
                )
            )

    # Step 7: review triggers never change what is permitted; they stop anything being done
    # until a supervisor has looked.
    fired = [trigger for trigger in policy.review_triggers if trigger_fires(trigger, facts)]
    tentative: str | None = None
    if fired:
        tentative, outcome = outcome, "review"
        reasons.extend(
            Reason("review", REVIEW_REQUIRED, review_text(t, facts), citation) for t in fired
        )

    return Decision(
        outcome=outcome,
        tentative_outcome=tentative,
        hold_until=hold_deadline,
        permitted=permitted,
        review_triggers=tuple(fired),
        reasons=tuple(reasons),
        policy_name=policy.name,
        policy_sha256=policy.sha256,
        evaluated_at=facts.evaluated_at,
        window_closed=window_closed,
    )


def _hold_deadline(facts: Facts) -> dt.datetime:
    assert facts.release_eligible_at is not None
    try:
        return compute_hold_until(facts.release_eligible_at, facts.policy.hold_window, facts.zone)
    except OverflowError:
        raise InvalidInput(
            [
                Problem(
                    facts.policy.source,
                    "hold.max_hours",
                    "the hold window would end after the year 9999: max_hours is far too large",
                )
            ]
        ) from None


# -- facts about the request, resolved in the policy's timezone ---------------------------


class Facts:
    """The request as the engine sees it: instants resolved in the policy's timezone, the
    evaluation date, and which documents count as what (contract 2.1)."""

    def __init__(self, policy: Policy, request: Request, at: dt.datetime | None) -> None:
        self.policy = policy
        self.request = request
        self.zone: ZoneInfo = policy.zone
        self.received_at = to_aware(request.received_at, self.zone).astimezone(self.zone)
        self.evaluated_at = (
            to_aware(at, self.zone).astimezone(self.zone) if at is not None else self.received_at
        )
        self.evaluation_date = local_date(self.evaluated_at, self.zone)
        self.release_eligible_at = (
            to_aware(request.release_eligible_at, self.zone).astimezone(self.zone)
            if request.release_eligible_at is not None
            else None
        )

    def check_consistency(self) -> None:
        dob = self.request.subject.dob
        if dob > self.evaluation_date:
            raise InvalidInput(
                [
                    Problem(
                        self.request.source,
                        "subject.dob",
                        f"the date of birth {day_text(dob)} is after the date the request "
                        f"is evaluated on ({day_text(self.evaluation_date)}: the local date "
                        "of received_at, unless another instant was given)",
                    )
                ]
            )

    @cached_property
    def documents(self) -> list[tuple[int, Document]]:
        return list(enumerate(self.request.documents, start=1))

    @cached_property
    def judicial_warrants(self) -> list[tuple[int, Document]]:
        return [
            (n, d)
            for n, d in self.documents
            if not judicial_warrant_failures(d, self.evaluation_date)
        ]

    @cached_property
    def admin_warrants(self) -> list[tuple[int, Document]]:
        return [
            (n, d)
            for n, d in self.documents
            if d.kind in v.ADMINISTRATIVE_WARRANT_KINDS and d.signed
        ]

    @cached_property
    def age(self) -> int:
        dob, today = self.request.subject.dob, self.evaluation_date
        return today.year - dob.year - ((today.month, today.day) < (dob.month, dob.day))


def judicial_warrant_failures(doc: Document, on: dt.date) -> list[str]:
    """Why ``doc`` does not count as a judicial warrant on ``on`` (empty: it counts)."""
    if doc.kind not in v.JUDICIAL_WARRANT_KINDS:
        return [f"it is a {v.DOCUMENT_KIND_WORDS[doc.kind]}, not a judicial warrant or court order"]
    failures = []
    if not doc.signed:
        failures.append("it is not signed")
    if doc.signer_role not in v.JUDICIAL_SIGNERS:
        signer = v.SIGNER_ROLE_WORDS.get(doc.signer_role or "", "nobody the form names")
        failures.append(f"it is signed by {signer}, not a judge or magistrate")
    if not (doc.court or "").strip():
        failures.append("it does not name the court that issued it")
    if not doc.names_subject:
        failures.append("it does not name this person")
    if doc.expires_on is not None and on > doc.expires_on:
        failures.append(f"it expired on {day_text(doc.expires_on)}")
    return failures


def _doc_label(number: int, doc: Document) -> str:
    return f"document {number} ({v.DOCUMENT_KIND_WORDS[doc.kind]})"


def _entry_label(entry: HistoryEntry) -> str:
    what = entry.offense or "an offense"
    details = ", ".join(
        part
        for part in (
            entry.statute,
            entry.offense_class,
            day_text(entry.date) if entry.date else None,
        )
        if part
    )
    return f"{what} ({details})" if details else what


# -- actions, clauses, criteria -----------------------------------------------------------


def decide_action(rule: ActionRule | None, action: str, facts: Facts) -> tuple[bool, list[str]]:
    """Whether ``rule`` permits ``action``, with the reasons (first the deciding one)."""
    if rule is None:
        return False, [f"the policy has no [{action}] section, so it never permits this"]
    if not rule.when:
        return False, [
            f"the policy's [{action}] section lists no `when` clause, so it never permits this"
        ]
    holding = None
    failures = []
    for number, clause in enumerate(rule.when, start=1):
        holds, text = clause_holds(clause, facts)
        if holds:
            holding = f"clause {number}: {text}"
            break
        failures.append(f"clause {number}: {text}")
    if holding is None:
        if len(failures) == 1:
            return False, [f"the only clause does not hold: {failures[0].split(': ', 1)[1]}"]
        return False, ["no clause holds: " + "; ".join(failures)]
    for number, clause in enumerate(rule.unless, start=1):
        holds, text = clause_holds(clause, facts)
        if holds:
            return False, [f"{holding}, but `unless` clause {number} applies: {text}"]
    return True, [holding]


def clause_holds(clause: Clause, facts: Facts) -> tuple[bool, str]:
    """A clause holds when all its criteria hold; the text names each (or the first failure)."""
    texts = []
    for criterion in clause:
        holds, text = criterion_holds(criterion, facts)
        if not holds:
            return False, text
        texts.append(text)
    return True, " and ".join(texts)


def criterion_holds(criterion: Criterion, facts: Facts) -> tuple[bool, str]:
    match criterion:
        case Always():
            return True, "the policy always permits this"
        case JudicialWarrant(federal_only=federal_only):
            return _judicial_warrant(federal_only, facts)
        case JudicialProbableCause():
            for number, doc in facts.documents:
                if (
                    doc.kind == "judicial_probable_cause"
                    and doc.signed
                    and doc.signer_role in v.JUDICIAL_SIGNERS
                ):
                    return (
                        True,
                        f"{_doc_label(number, doc)} is signed by "
                        f"{v.SIGNER_ROLE_WORDS[doc.signer_role or '']}",
                    )
            return (
                False,
                "no judicial probable-cause finding signed by a judge or magistrate is attached",
            )
        case AdminWarrant():
            if facts.admin_warrants:
                number, doc = facts.admin_warrants[0]
                return (
                    True,
                    f"a signed {v.DOCUMENT_KIND_WORDS[doc.kind]} is attached (document {number})",
                )
            return False, "no signed I-200 or I-205 administrative warrant is attached"
        case RemovalOrder(signer_roles=roles):
            return _removal_order(roles, facts)
        case Basis(basis=basis):
            words = basis.replace("_", " ")
            if basis in facts.request.detainer.probable_cause_basis:
                return True, f"ICE's probable-cause basis on the detainer includes {words}"
            return False, f"ICE's probable-cause basis on the detainer does not include {words}"
        case Flag(flag=flag):
            words = flag.replace("_", " ")
            if flag in facts.request.flags:
                return True, f"the request is flagged: {words}"
            return False, f"the request is not flagged {words}"
        case HistoryCriterion():
            return _history(criterion, facts)
        case AgeUnder(years=years):
            if is_younger_than(facts.request.subject.dob, years, facts.evaluation_date):
                return True, f"the subject is {facts.age}, younger than {years}"
            return False, f"the subject is {facts.age}, not younger than {years}"
    raise AssertionError(f"unhandled criterion {criterion!r}")  # pragma: no cover


def _judicial_warrant(federal_only: bool, facts: Facts) -> tuple[bool, str]:
    counted = facts.judicial_warrants
    if federal_only:
        federal = [(n, d) for n, d in counted if d.court_system == "federal"]
        if federal:
            number, doc = federal[0]
            return (
                True,
                f"a federal judicial warrant from {doc.court} names the subject "
                f"(document {number})",
            )
        if counted:
            number, doc = counted[0]
            system = (
                f"a {doc.court_system} court" if doc.court_system else "a court not marked federal"
            )
            return (
                False,
                f"the judicial warrant from {doc.court} is from {system}, not a federal one",
            )
    elif counted:
        number, doc = counted[0]
        return True, f"a judicial warrant from {doc.court} names the subject (document {number})"
    failed = [
        f"{_doc_label(number, doc)} does not count: "
        + ", ".join(judicial_warrant_failures(doc, facts.evaluation_date))
        for number, doc in facts.documents
        if doc.kind in v.JUDICIAL_WARRANT_KINDS
    ]
    if failed:
        return False, "no document counts as a judicial warrant: " + "; ".join(failed)
    return False, "no judicial warrant or court order is attached"


def _removal_order(roles: tuple[str, ...] | None, facts: Facts) -> tuple[bool, str]:
    wanted = (
        "" if roles is None else " signed by " + " or ".join(v.SIGNER_ROLE_WORDS[r] for r in roles)
    )
    for number, doc in facts.documents:
        is_final_order = doc.kind == "removal_order" and doc.final and doc.signed
        if is_final_order and (roles is None or doc.signer_role in roles):
            return (
                True,
                f"a final, signed removal order{wanted} is attached (document {number})",
            )
    return False, f"no final, signed removal order{wanted} is attached"


def _history(criterion: HistoryCriterion, facts: Facts) -> tuple[bool, str]:
    description = _describe_history_criterion(criterion)
    for entry in facts.request.history:
        matched = _history_entry_matches(criterion, entry, facts.evaluation_date)
        if matched is not None:
            return True, f"{criterion.keyword} for {_entry_label(entry)} is {description}{matched}"
    noun = "conviction" if criterion.status == "convicted" else "pending charge"
    return False, f"no {noun} is {description}"


def _describe_history_criterion(c: HistoryCriterion) -> str:
    parts = []
    if c.classes:
        parts.append("a " + " or ".join(c.classes))
    else:
        parts.append("any class")
    if c.offense_list is not None:
        parts.append(f"on the list '{c.offense_list.name}'")
    if c.probable_cause_found:
        parts.append("with a magistrate's probable-cause finding")
    if c.within_years is not None:
        since = (
            "release"
            if c.from_release
            else ("conviction" if c.status == "convicted" else "the offense")
        )
        parts.append(f"within {c.within_years} years of {since}")
    return " ".join(parts)


def _history_entry_matches(c: HistoryCriterion, entry: HistoryEntry, on: dt.date) -> str | None:
    """None when ``entry`` does not match; otherwise extra words (the matching pattern)."""
    if entry.status != c.status:
        return None
    if c.classes is not None and entry.offense_class not in c.classes:
        return None
    if c.probable_cause_found and not entry.probable_cause_found:
        return None
    if c.within_years is not None:
        since = entry.released_on if c.from_release else entry.date
        # A conviction exactly N years back counts (contract 3.2).
        if since is None or since < years_before(on, c.within_years):
            return None
    if c.offense_list is not None:
        pattern = c.offense_list.matching_pattern(entry.statute)
        if pattern is None:
            return None
        return f" (statute matches {pattern})"
    return ""


# -- the hold window and review triggers --------------------------------------------------


def _window_closed_text(deadline: dt.datetime, facts: Facts) -> str:
    return (
        f"the hold window closed at {format_instant_for_people(deadline)}, before this "
        f"evaluation at {format_instant_for_people(facts.evaluated_at)}: the person may not be held"
    )


def trigger_fires(trigger: str, facts: Facts) -> bool:
    request = facts.request
    if trigger == "citizenship_claim":
        return request.subject.citizenship_claim or bool(request.subject.us_citizenship_indicators)
    if trigger == "missing_admin_warrant":
        return request.detainer.form == "I-247A" and not facts.admin_warrants
    if trigger == "database_only_basis":
        return request.detainer.probable_cause_basis == ("biometric_match",)
    if trigger == "immigration_judge_order":
        return any(
            d.kind == "removal_order" and d.signer_role == "immigration_judge"
            for d in request.documents
        )
    if trigger == "juvenile":
        return is_younger_than(request.subject.dob, 18, facts.evaluation_date)
    if trigger == "no_probable_cause":
        return request.detainer.form == "I-247A" and not request.detainer.probable_cause_basis
    raise AssertionError(f"unknown review trigger {trigger!r}")  # pragma: no cover


def review_text(trigger: str, facts: Facts) -> str:
    subject = facts.request.subject
    if trigger == "citizenship_claim":
        found = []
        if subject.citizenship_claim:
            found.append("the person says they are a U.S. citizen")
        found.extend(
            "the jail's records show "
            + i.replace("_", " ").replace("us ", "U.S. ").replace("ssn", "SSN")
            for i in subject.us_citizenship_indicators
        )
        return (
            "possible U.S. citizen: " + "; ".join(found) + ". A supervisor must check citizenship "
            "before anything is done; U.S. citizens may not be held on a detainer"
        )
    if trigger == "missing_admin_warrant":
        return (
            "the I-247A came without a signed I-200 or I-205 administrative warrant, which ICE "
            "policy requires; a supervisor must check the paperwork"
        )
    if trigger == "database_only_basis":
        return (
            "ICE's only stated basis is a biometric database match; a supervisor must confirm "
            "identity and the records behind it"
        )
    if trigger == "immigration_judge_order":
        return (
            "a removal order signed by an immigration judge (an executive-branch official, not a "
            "court) is attached; a supervisor must decide what weight it has under this policy"
        )
    if trigger == "juvenile":
        return f"the subject is {facts.age}, under 18; a supervisor must review any action"
    if trigger == "no_probable_cause":
        return (
            "the I-247A states no probable-cause basis (box 1 is empty); a supervisor must review"
        )
    raise AssertionError(f"unknown review trigger {trigger!r}")  # pragma: no cover
