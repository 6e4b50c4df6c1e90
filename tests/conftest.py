"""Shared test set-up. Qt runs offscreen: no display is needed, here or in CI."""

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import io
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from detainer_desk.cli import main as cli_main

REPO_ROOT = Path(__file__).resolve().parents[1]


@dataclass
class CliResult:
    code: int
    out: str
    err: str


@pytest.fixture
def run_cli() -> Callable[..., CliResult]:
    """Run ``detainer-desk ARGS`` in this process, capturing its output."""

    def run(*args: str, stdin: str = "") -> CliResult:
        out, err = io.StringIO(), io.StringIO()
        code = cli_main(list(args), out=out, err=err, stdin=io.StringIO(stdin))
        return CliResult(code, out.getvalue(), err.getvalue())

    return run


@pytest.fixture
def runtime(tmp_path: Path):
    """A real record store in a SQLite file under tmp_path, migrated to head."""
    from detainer_desk.paths import resolve_paths
    from detainer_desk.runtime import open_runtime

    opened = open_runtime(resolve_paths(tmp_path / "data"))
    yield opened
    opened.close()
