"""Check a request against a policy: the use case behind ``detainer-desk check`` and the
intake screen's Check button. It touches no record."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from detainer_desk.domain.clock import to_aware
from detainer_desk.domain.decision import Decision
from detainer_desk.domain.engine import evaluate
from detainer_desk.domain.errors import InvalidInput, Problem
from detainer_desk.domain.policy import Policy, parse_policy
from detainer_desk.domain.reader import parse_instant_text
from detainer_desk.domain.request import Request, parse_request


@dataclass(frozen=True, slots=True)
class CheckResult:
    policy: Policy
    request: Request
    decision: Decision


def check(
    policy_data: bytes,
    policy_source: str,
    request_data: bytes,
    request_source: str,
    at: str | None = None,
) -> CheckResult:
    """Parse both files, then evaluate. Raises InvalidInput with the problems of both files."""
    problems: list[Problem] = []
    policy: Policy | None = None
    request: Request | None = None
    try:
        policy = parse_policy(policy_data, policy_source)
    except InvalidInput as exc:
        problems.extend(exc.problems)
    try:
        request = parse_request(request_data, request_source)
    except InvalidInput as exc:
        problems.extend(exc.problems)
    at_instant: dt.datetime | None = None
    if at is not None:
        at_instant, error = parse_instant_text(at)
        if error:
            problems.append(Problem("command line", "--at", error))
    if problems or policy is None or request is None:
        raise InvalidInput(problems)
    if at_instant is not None:
        at_instant = to_aware(at_instant, policy.zone)
    return CheckResult(policy, request, evaluate(policy, request, at_instant))
