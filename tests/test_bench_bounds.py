"""Benchmarks of bounded work (outside the default run: ``uv run pytest -m bench -s``).

Goals (issue 14): a statute pattern is matched in time linear in the statute (the regular
expression took 13.8 s for ``*a*a*a*b`` against 800 characters); recording the longest name
allowed costs about what a two-word name does (a 3,000-word name took 144 s and 5.4 GB);
the worst request and policy within every limit are checked in under 2 s. Figures are
printed beside their baseline in the same run, never asserted.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import re
import statistics
import time
from pathlib import Path

import pytest

from detainer_desk.domain.engine import evaluate
from detainer_desk.domain.policy import StatutePattern, normalize_statute, parse_policy
from detainer_desk.domain.request import parse_request
from detainer_desk.paths import resolve_paths
from detainer_desk.runtime import open_runtime
from detainer_desk.services.ports import Actor
from detainer_desk.services.records import activate_policy, record_decision

from .helpers import BASE_REQUEST, JUDICIAL_WARRANT_POLICY, request_json, seed_accounts

pytestmark = pytest.mark.bench


def _seconds(work, rounds: int = 5) -> float:
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def test_statute_pattern_against_a_run_of_letters() -> None:
    pattern = "*a*a*a*b"
    regex = re.compile(".*".join(re.escape(p) for p in normalize_statute(pattern).split("*")))
    baseline = _seconds(lambda: regex.fullmatch("a" * 200), rounds=3)
    print(f"\nregular expression (before issue 14), 200 characters: {baseline * 1000:,.1f} ms")
    for text in (pattern, "*x*a", "*a*a*a*a*a"):
        linear = StatutePattern.build(text)
        for length in (200, 800, 5_000, 200_000):
            statute = "a" * length
            took = _seconds(lambda s=statute, p=linear: p.matches_normalized(s))
            print(
                f"linear matcher, {text:10} against {length:>7,} characters: "
                f"{took * 1000:8.3f} ms (goal: linear)"
            )


def test_recording_long_names(tmp_path: Path) -> None:
    now = dt.datetime(2026, 2, 10, 17, 0, tzinfo=dt.UTC)
    runtime = open_runtime(resolve_paths(tmp_path / "data"), keep_daily_backups=0)
    try:
        seed_accounts(runtime.uow(), now)
        activate_policy(runtime.uow(), JUDICIAL_WARRANT_POLICY, "p.toml", Actor("admin", "W"), now)
        counter = iter(range(1_000_000))

        def record(words: int) -> None:
            name = " ".join(f"w{n}" for n in range(words))
            record_decision(
                runtime.uow(),
                request_json(
                    **{"subject.name": name, "subject.booking_number": f"B{next(counter)}"}
                ),
                "r.json",
                [],
                Actor("officer.a", "W"),
                now,
            )

        baseline = _seconds(lambda: record(2), rounds=15)
        print(f"\nrecord a 2-word name (baseline): {baseline * 1000:.1f} ms")
        for words in (12, 13, 30):
            took = _seconds(lambda words=words: record(words), rounds=15)
            print(
                f"record a {words}-word name: {took * 1000:.1f} ms, "
                f"{took / baseline:.2f}x the baseline (goal: about 1x)"
            )
    finally:
        runtime.close()


def test_the_worst_check_within_every_limit() -> None:
    """A 0.5 MB policy of 500 clauses over lists of 2,500 patterns (250 with five '*' each,
    the rest statute beginnings of every length), against 500 convictions of 200-character
    statutes, none matching: every pattern asked about every statute."""
    other = "*" + "a" * 38 + "*a*a*a*c"
    patterns = [json.dumps((str(i) + other)[:200]) for i in range(250)]
    patterns += [json.dumps("a" * (1 + i % 199) + "*") for i in range(2_250)]
    listed = ", ".join(patterns)
    clauses = ", ".join(
        f'{{ conviction = {{ list = "l{i % 2}", class = "felony" }} }}' for i in range(500)
    )
    policy_text = (
        'schema = 1\nname = "worst"\njurisdiction = "x"\ntimezone = "America/Los_Angeles"\n'
        f'citation = "c"\n[offense_lists]\nl0 = [{listed}]\nl1 = [{listed}]\n'
        f"[transfer]\nwhen = [{clauses}]\n[notify]\nwhen = [{{ always = true }}]\n"
    ).encode()
    document = copy.deepcopy(BASE_REQUEST)
    document["history"] = [
        {
            "class": "felony",
            "status": "convicted",
            "date": "2020-01-01",
            "statute": f"b{i:03d}" + "a" * 196,
        }
        for i in range(500)
    ]
    request_bytes = json.dumps(document).encode()
    plain = BASE_REQUEST

    def check(policy_bytes: bytes, request: bytes) -> None:
        evaluate(parse_policy(policy_bytes, "p"), parse_request(request, "r"))

    baseline = _seconds(lambda: check(JUDICIAL_WARRANT_POLICY, json.dumps(plain).encode()))
    worst = _seconds(lambda: check(policy_text, request_bytes), rounds=3)
    print(
        f"\ncheck a real request and policy (baseline): {baseline * 1000:.1f} ms"
        f"\nthe worst check within every limit ({len(policy_text):,}-byte policy): "
        f"{worst:.2f} s (goal: under 2 s)"
    )
