"""A policy in plain English (``detainer-desk policy show``, the GUI's policy screen)."""

from __future__ import annotations

from . import vocabulary as v
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
from .text import visible
from .timetext import day_text

TRIGGER_WORDS = {
    "citizenship_claim": "the person says they are a U.S. citizen, or the jail's own records "
    "suggest it (U.S. birthplace, passport, verified SSN, naturalization record)",
    "missing_admin_warrant": "an I-247A arrives without a signed I-200 or I-205",
    "database_only_basis": "ICE's only stated basis is a biometric database match",
    "immigration_judge_order": "a removal order signed by an immigration judge is attached",
    "juvenile": "the person is under 18",
    "no_probable_cause": "an I-247A states no probable-cause basis",
}

_ACTION_TITLES = {
    "hold": "HOLD past the release time",
    "transfer": "TRANSFER to ICE at release (no extra time)",
    "notify": "NOTIFY ICE of the release date and time",
}


def describe_criterion(criterion: Criterion) -> str:
    match criterion:
        case Always():
            return "always"
        case JudicialWarrant(federal_only=federal_only):
            court = "a federal court" if federal_only else "a court"
            return (
                f"a judicial warrant or court order from {court}, signed by a judge or "
                "magistrate and naming the person, is attached"
            )
        case JudicialProbableCause():
            return "a judge or magistrate has signed a probable-cause finding"
        case AdminWarrant():
            return "a signed I-200 or I-205 administrative warrant is attached"
        case RemovalOrder(signer_roles=roles):
            by = (
                ""
                if roles is None
                else " signed by " + " or ".join(v.SIGNER_ROLE_WORDS[r] for r in roles)
            )
            return f"a final, signed removal order{by} is attached"
        case Basis(basis=basis):
            return f"ICE's stated probable-cause basis includes {basis.replace('_', ' ')}"
        case Flag(flag=flag):
            return f"the request is flagged {flag.replace('_', ' ')}"
        case HistoryCriterion():
            return _describe_history(criterion)
        case AgeUnder(years=years):
            return f"the person is under {years}"
    raise AssertionError(f"unhandled criterion {criterion!r}")  # pragma: no cover


def _describe_history(c: HistoryCriterion) -> str:
    words = ["a conviction" if c.status == "convicted" else "a pending charge"]
    if c.classes:
        words.append("for a " + " or ".join(c.classes))
    if c.offense_list is not None:
        words.append(f"on the list '{c.offense_list.name}'")
    if c.probable_cause_found:
        words.append("on which a magistrate found probable cause")
    if c.within_years is not None:
        if c.from_release:
            words.append(f"with release from custody within the last {c.within_years} years")
        elif c.status == "convicted":
            words.append(f"within the last {c.within_years} years")
        else:
            words.append(f"dated within the last {c.within_years} years")
    return " ".join(words)


def describe_clause(clause: Clause) -> str:
    return ", and ".join(describe_criterion(c) for c in clause)


def _describe_rule(rule: ActionRule | None, action: str) -> list[str]:
    title = _ACTION_TITLES[action]
    if rule is None or not rule.when:
        return [f"{title}: never."]
    if len(rule.when) == 1 and rule.when[0] == (Always(),) and not rule.unless:
        return [f"{title}: always."]
    lines = [f"{title}: permitted when any of these holds:"]
    lines += [f"  {n}. {describe_clause(clause)}" for n, clause in enumerate(rule.when, start=1)]
    if rule.unless:
        lines.append("  but never when:")
        lines += [
            f"  {n}. {describe_clause(clause)}" for n, clause in enumerate(rule.unless, start=1)
        ]
    return lines


def describe_hold_limit(policy: Policy) -> str:
    window = policy.hold_window
    hours = f"{window.max_hours:g}"
    text = f"at most {hours} hours after the person would otherwise be released"
    skipped = []
    if window.exclude_weekends:
        skipped.append("Saturdays and Sundays")
    if window.exclude_holidays:
        if window.us_holiday_calendar:
            skipped.append("U.S. federal holidays (as observed)")
        if window.holiday_dates:
            skipped.append(
                "these holidays: " + ", ".join(day_text(d) for d in sorted(window.holiday_dates))
            )
        if not window.us_holiday_calendar and not window.holiday_dates:
            skipped.append("holidays (none are listed)")
    if skipped:
        text += ", not counting " + " or ".join(skipped)
    if window.end_of_release_day:
        text += (
            ", and never past midnight at the end of the day the person became eligible for release"
        )
    return text + "."


def describe_policy(policy: Policy) -> str:
    lines = [
        f"Policy: {policy.name}",
        f"Jurisdiction: {policy.jurisdiction}",
        f"Citation: {policy.citation}",
    ]
    if policy.caution:
        lines.append(f"Caution: {policy.caution}")
    lines.append(f"Timezone: {policy.timezone}")
    if policy.effective_from:
        lines.append(f"Effective from: {day_text(policy.effective_from)}")
    lines.append(f"SHA-256: {policy.sha256}")
    lines.append("")
    lines += _describe_rule(policy.hold, "hold")
    if policy.hold is not None and policy.hold.when:
        lines.append(f"  Hold limit: {describe_hold_limit(policy)}")
    lines += _describe_rule(policy.transfer, "transfer")
    lines += _describe_rule(policy.notify, "notify")
    lines.append("")
    if policy.review_triggers:
        lines.append("A supervisor must review before anything is done when:")
        lines += [f"  - {TRIGGER_WORDS[t]}" for t in policy.review_triggers]
    else:
        lines.append("No review triggers: decisions take effect without a supervisor's review.")
    if policy.offense_lists:
        lines.append("")
        lines.append("Offense lists (statute patterns; * matches anything):")
        for name, offense_list in policy.offense_lists.items():
            lines.append(f"  {name}: {', '.join(offense_list.patterns)}")
    if policy.notes:
        lines.append("")
        lines.append("Notes: " + " ".join(policy.notes.split()))
    # A policy's own words may hold control characters (TOML escapes): each line is shown
    # escaped, so that none forges another line or drives a terminal.
    return "\n".join(visible(line) for line in lines)
