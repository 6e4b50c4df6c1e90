"""Benchmark (outside the default run: ``uv run pytest -m bench -s``): evaluations per second.

Goal (issue 2): at least 20,000 evaluations/s on a realistic request, so the intake screen
can re-check on every keystroke. The figure is printed, not asserted.
"""

from __future__ import annotations

import time

import pytest

from detainer_desk import presets
from detainer_desk.domain.engine import evaluate
from detainer_desk.domain.policy import parse_policy
from detainer_desk.domain.request import parse_request

from .conftest import REPO_ROOT

pytestmark = pytest.mark.bench


@pytest.mark.parametrize(
    "policy_name",
    ["california-sb54", "new-jersey-2018-6", "48-hour-cap-excluding-weekends-holidays"],
)
def test_evaluations_per_second(policy_name: str) -> None:
    policy = parse_policy(presets.preset_bytes(policy_name), policy_name)
    example = REPO_ROOT / "tests/fixtures/examples/01-judicial-warrant-hold/request.json"
    request = parse_request(example.read_bytes(), "request.json")
    for _ in range(200):
        evaluate(policy, request)
    rounds = []
    for _ in range(5):
        n = 5000
        start = time.perf_counter()
        for _ in range(n):
            evaluate(policy, request)
        rounds.append(n / (time.perf_counter() - start))
    best, median = max(rounds), sorted(rounds)[len(rounds) // 2]
    print(f"\n{policy_name}: median {median:,.0f} evaluations/s (best {best:,.0f})")


def test_parse_and_evaluate_per_second() -> None:
    policy_bytes = presets.preset_bytes("california-sb54")
    example = REPO_ROOT / "tests/fixtures/examples/07-california-style-transfer/request.json"
    request_bytes = example.read_bytes()
    n = 3000
    start = time.perf_counter()
    for _ in range(n):
        request = parse_request(request_bytes, "request.json")
        evaluate(parse_policy(policy_bytes, "p"), request)
    print(f"\nparse policy + request + evaluate: {n / (time.perf_counter() - start):,.0f}/s")
