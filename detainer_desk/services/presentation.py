"""A decision as text for a person to read (``check`` without ``--json``), and an
amendment as JSON for a machine (``show --json`` and the export's decisions.jsonl)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from detainer_desk.domain.decision import Decision, format_instant_for_people
from detainer_desk.domain.outcomes import Outcome
from detainer_desk.domain.request import Request
from detainer_desk.domain.text import visible
from detainer_desk.domain.vocabulary import ACTIONS, OUTCOME_WORDS

from .ports import AmendmentRecord

_ACTION_WORDS = {"hold": "Hold", "transfer": "Transfer", "notify": "Notify", "review": "Review"}


def decision_as_text(decision: Decision, request: Request) -> str:
    subject = request.subject
    ids = [f"booking {subject.booking_number}"]
    if subject.a_number:
        ids.append(subject.a_number)
    lines = [
        f"DECISION: {decision.headline()}",
        f"Subject:  {subject.name} ({', '.join(ids)})",
        f"Request:  {request.detainer.form} asking to {' and '.join(request.detainer.requested)}",
        f"Policy:   {decision.policy_name}",
        f"          SHA-256 {decision.policy_sha256}",
        f"Evaluated at {format_instant_for_people(decision.evaluated_at)}",
    ]
    if decision.tentative_outcome and decision.hold_until is not None:
        lines.append(f"Hold would end: {format_instant_for_people(decision.hold_until)}")
    if decision.outcome == Outcome.REVIEW:
        lines.append(
            f"Nothing may be done until a supervisor reviews it; tentatively: "
            f"{OUTCOME_WORDS[decision.tentative_outcome or Outcome.DECLINE]}."
        )
    lines.append(
        "Permitted by the policy: "
        + ", ".join(f"{a} {'yes' if decision.permitted[a] else 'no'}" for a in ACTIONS)
    )
    lines.append("")
    lines.append("Reasons:")
    for reason in decision.reasons:
        lines.append(f"  - {_ACTION_WORDS[reason.action]} ({reason.result}): {reason.text}")
        lines.append(f"    [{reason.citation}]")
    # Names, courts and statutes come from the request: each line is shown escaped, so that
    # no control character in them forges another line or drives the terminal.
    return "\n".join(visible(line) for line in lines)


def amendment_json(amendment: AmendmentRecord, zone: dt.tzinfo) -> dict[str, Any]:
    """One amendment of a decision for machines: instants in full ISO 8601 with the
    county's offset (``zone``), so that their dates are the county's dates."""

    def iso(moment: dt.datetime | None) -> str | None:
        return moment.astimezone(zone).isoformat() if moment is not None else None

    return {
        "id": amendment.id,
        "kind": amendment.kind,
        "seq": amendment.seq,
        "entry_hash": amendment.entry_hash,
        "effective_at": iso(amendment.effective_at),
        "reason": amendment.reason,
        "details": amendment.details,
        "recorded_at": iso(amendment.stamp.recorded_at),
        "recorded_by": amendment.stamp.recorded_by,
        "workstation": amendment.stamp.workstation,
    }
