"""Benchmark (outside the default run: ``uv run pytest -m bench -s``): evaluations per second.

Goal (issue 2): at least 20,000 evaluations/s on a realistic request, so the intake screen
can re-check on every keystroke. Beside it, in the same run, the naive way as the baseline:
parsing the policy and the request again before each evaluation. The figures are printed,
not asserted.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable

import pytest

from detainer_desk import presets
from detainer_desk.domain.engine import evaluate
from detainer_desk.domain.policy import parse_policy
from detainer_desk.domain.request import parse_request

from .conftest import REPO_ROOT

pytestmark = pytest.mark.bench
GOAL_PER_S = 20_000


def _per_second(work: Callable[[], object], n: int, rounds: int = 5) -> list[float]:
    for _ in range(n // 20):
        work()
    figures = []
    for _ in range(rounds):
        start = time.perf_counter()
        for _ in range(n):
            work()
        figures.append(n / (time.perf_counter() - start))
    return figures


@pytest.mark.parametrize(
    ("policy_name", "example"),
    [
        ("california-sb54", "01-judicial-warrant-hold"),
        ("new-jersey-2018-6", "01-judicial-warrant-hold"),
        ("48-hour-cap-excluding-weekends-holidays", "01-judicial-warrant-hold"),
        ("california-sb54", "07-california-style-transfer"),
    ],
)
def test_evaluations_per_second(policy_name: str, example: str) -> None:
    policy_bytes = presets.preset_bytes(policy_name)
    request_bytes = (REPO_ROOT / f"tests/fixtures/examples/{example}/request.json").read_bytes()
    policy = parse_policy(policy_bytes, policy_name)
    request = parse_request(request_bytes, "request.json")

    def naive() -> object:
        return evaluate(parse_policy(policy_bytes, "p"), parse_request(request_bytes, "r.json"))

    ours = _per_second(lambda: evaluate(policy, request), 5000)
    baseline = _per_second(naive, 100)
    median, best = statistics.median(ours), max(ours)
    base = statistics.median(baseline)
    print(
        f"\n{policy_name}, {example}: evaluate {median:,.0f}/s (best {best:,.0f}; goal at least "
        f"{GOAL_PER_S:,}/s: {'met' if median >= GOAL_PER_S else 'NOT met'}); baseline, "
        f"parsing policy and request before each: {base:,.0f}/s ({median / base:.1f}x)"
    )
