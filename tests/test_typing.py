"""The program and its tests pass mypy as configured in pyproject.toml ([tool.mypy]): strict
for the program; for the tests every body checked, annotations optional."""

from __future__ import annotations

import subprocess
import sys

import pytest

from .conftest import REPO_ROOT

pytestmark = pytest.mark.slow  # a first run, with no cache yet, takes about a minute


def test_mypy_finds_nothing_in_the_program_or_its_tests() -> None:
    checked = subprocess.run(
        [sys.executable, "-m", "mypy"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr
