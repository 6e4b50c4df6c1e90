"""The policy screen's use cases: the presets in plain English, the history of activated
versions, and a what-if: how would a proposed policy have decided the requests of a period?
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from detainer_desk import presets
from detainer_desk.domain import accounts as acc
from detainer_desk.domain.describe import describe_policy
from detainer_desk.domain.engine import evaluate
from detainer_desk.domain.errors import InvalidInput
from detainer_desk.domain.policy import Policy, parse_policy
from detainer_desk.domain.request import request_from_mapping

from .access import audit, authorize
from .ports import Actor, DecisionQuery, DecisionSummary, PolicyActivation, StoredPolicy, UnitOfWork


def load_policy(stored: StoredPolicy) -> Policy:
    return _parse_stored_policy(stored.text, stored.id)


@lru_cache(maxsize=32)
def _parse_stored_policy(text: str, version_id: int) -> Policy:
    # Stored policy texts never change (append-only), so a parsed one can be reused.
    return parse_policy(text.encode("utf-8"), f"policy version {version_id}", bounded=False)


@dataclass(frozen=True, slots=True)
class PresetInfo:
    name: str
    title: str
    jurisdiction: str
    citation: str
    caution: str
    plain_english: str
    text: str


def preset_catalog() -> list[PresetInfo]:
    """Every shipped preset with its plain-English description."""
    catalog = []
    for name in presets.preset_names():
        data = presets.preset_bytes(name)
        policy = parse_policy(data, name)
        catalog.append(
            PresetInfo(
                name,
                policy.name,
                policy.jurisdiction,
                policy.citation,
                policy.caution or "",
                describe_policy(policy),
                data.decode("utf-8"),
            )
        )
    return catalog


def policy_history(uow: UnitOfWork, actor: Actor, now: dt.datetime) -> Sequence[PolicyActivation]:
    """Every activation, newest first: which text, who activated it, when, why."""
    with uow:
        authorize(uow, actor, acc.VIEW_POLICIES, "policy.history", None, now)
        return list(uow.records.policy_history())


@dataclass(frozen=True, slots=True)
class Change:
    decision_id: int
    subject_name: str
    booking_number: str
    received_at: dt.datetime
    recorded_outcome: str
    proposed_outcome: str
    recorded_hold_until: str | None
    proposed_hold_until: str | None


@dataclass(frozen=True, slots=True)
class WhatIfResult:
    policy_name: str
    policy_sha256: str
    examined: int
    changes: tuple[Change, ...]
    not_evaluable: tuple[tuple[int, str], ...]  # decisions whose request no longer parses


def what_if(
    uow_factory: Callable[[], UnitOfWork],
    actor: Actor,
    proposed: bytes,
    source: str,
    received_from: dt.datetime,
    received_to: dt.datetime,
    now: dt.datetime,
) -> Iterator[int | WhatIfResult]:
    """Re-evaluate every request received in the period under ``proposed``, at the instant
    its decision was evaluated, and list the decisions that would come out differently.
    Nothing is recorded but the audit event of the comparison."""
    policy = parse_policy(proposed, source)  # InvalidInput: the proposal is refused as written
    changes: list[Change] = []
    failures: list[tuple[int, str]] = []
    examined = 0
    after = None
    while True:
        uow = uow_factory()
        with uow:
            actor = authorize(uow, actor, acc.MANAGE_POLICIES, "policy.what_if", policy.name, now)
            rows = list(
                uow.records.log_page(
                    DecisionQuery(
                        received_from=received_from,
                        received_to=received_to,
                        sort="received_at",
                        descending=False,
                        limit=500,
                        after=after,
                    )
                )
            )
            details = [uow.records.decision(row.decision_id) for row in rows]
        for row, detail in zip(rows, details, strict=True):
            assert detail is not None
            examined += 1
            change = _compare(policy, detail.request, detail.decision, detail.evaluated_at, row)
            if isinstance(change, Change):
                changes.append(change)
            elif isinstance(change, str):
                failures.append((row.decision_id, change))
        yield examined
        if len(rows) < 500:
            break
        after = (rows[-1].sort_value, rows[-1].request_id)
    with uow_factory() as done:
        audit(
            done,
            actor,
            "policy.what_if",
            policy.name,
            now,
            details={
                "sha256": policy.sha256,
                "examined": examined,
                "would_change": len(changes),
                "from": received_from.isoformat(),
                "to": received_to.isoformat(),
            },
        )
        done.commit()
    yield WhatIfResult(policy.name, policy.sha256, examined, tuple(changes), tuple(failures))


def _compare(
    policy: Policy,
    request_as_entered: Mapping[str, Any],
    recorded: Mapping[str, Any],
    evaluated_at: dt.datetime,
    row: DecisionSummary,
) -> Change | str | None:
    try:
        request = request_from_mapping(
            request_as_entered, f"decision {row.decision_id}", bounded=False
        )
        proposed = evaluate(policy, request, at=evaluated_at)
    except InvalidInput as exc:
        return "; ".join(exc.lines())
    proposed_hold = proposed.hold_until.isoformat() if proposed.hold_until else None
    if proposed.outcome == recorded["outcome"] and _same_instant(
        proposed_hold, recorded["hold_until"]
    ):
        return None
    return Change(
        row.decision_id,
        row.subject_name,
        row.booking_number,
        row.received_at,
        recorded["outcome"],
        proposed.outcome,
        recorded["hold_until"],
        proposed_hold,
    )


def _same_instant(a: str | None, b: str | None) -> bool:
    if a is None or b is None:
        return a == b
    return dt.datetime.fromisoformat(a) == dt.datetime.fromisoformat(b)
