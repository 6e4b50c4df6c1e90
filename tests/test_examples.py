"""The shared contract examples: every one must give its expected decision.

They are read from ../shared/examples when that folder is beside the checkout (so a new
example is tested at once) and from the copy in tests/fixtures/examples otherwise.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from .conftest import REPO_ROOT

SHARED = REPO_ROOT.parent / "shared" / "examples"
COPY = REPO_ROOT / "tests" / "fixtures" / "examples"
EXAMPLES_DIR = SHARED if SHARED.is_dir() else COPY
CASES = sorted(p for p in EXAMPLES_DIR.iterdir() if (p / "expected.json").is_file())


def test_examples_are_found() -> None:
    assert len(CASES) >= 10


def test_fixture_copy_matches_shared_examples() -> None:
    if not SHARED.is_dir():
        pytest.skip("../shared/examples is not beside this checkout")
    for case in sorted(p for p in SHARED.iterdir() if p.is_dir()):
        for file in case.iterdir():
            copy = COPY / case.name / file.name
            assert copy.is_file(), f"tests/fixtures/examples lacks {case.name}/{file.name}"
            assert copy.read_bytes() == file.read_bytes(), f"{case.name}/{file.name} differs"


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_example(case: Path, run_cli) -> None:
    expected = json.loads((case / "expected.json").read_text())
    result = run_cli(
        "check", "--policy", str(case / "policy.toml"), str(case / "request.json"), "--json"
    )
    if expected.get("error"):
        assert result.code == 2
        assert result.out == ""
        assert expected["about"] in result.err
        assert "Traceback" not in result.err
        return
    assert result.code == 0, result.err
    decision = json.loads(result.out)
    assert decision["outcome"] == expected["outcome"]
    assert decision["tentative_outcome"] == expected["tentative_outcome"]
    assert decision["review_triggers"] == expected["review_triggers"]
    if expected["hold_until"] is None:
        assert decision["hold_until"] is None
    else:
        got = dt.datetime.fromisoformat(decision["hold_until"])
        assert got == dt.datetime.fromisoformat(expected["hold_until"])
        policy_text = (case / "policy.toml").read_text()
        # hold_until is given in the policy's timezone (its offset matches that zone's).
        assert got.utcoffset() == dt.datetime.fromisoformat(expected["hold_until"]).utcoffset(), (
            policy_text
        )
