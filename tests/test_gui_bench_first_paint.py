"""Start-up, stage by stage (outside the default run):
``uv run pytest -m bench -s tests/test_gui_bench_first_paint.py``.

The goal (issue 9): the main window painted within 2x of a bare PySide6 window painted in
a process of its own on the same machine. ``detainer-desk smoke`` is launched over a store
with an administrator (so the sign-in page shows, as on any working day) and says when each
stage was reached (``DETAINER_DESK_STARTUP_TIMES``, gui/app.py):

1. the main window first painted ("Opening the records…"): the goal figure;
2. the sign-in page painted (issue 19: within 2.5x of the bare window): someone can type;
   the store is opened after it (a first look at the store, with the standard library,
   decides that it can show first);
3. the workspace built (every screen imported and made, the records open), which the smoke
   test waits for.

The figures are taken twice: with the modules' bytecode cached, as in an installed program
(and in the bundle), and with PYTHONDONTWRITEBYTECODE=1 (then whatever has no bytecode yet,
here the project and its libraries, SQLAlchemy too, is compiled at every launch).
``tests/test_bench_startup.py`` also times the whole process, and the bundle. Wall-clock
times, medians of several runs; the figures are printed, not asserted (the machine may be
busy with other work).
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

import pytest

from detainer_desk.gui.app import TIMES_ENV_VAR

from .test_gui_support import open_store, seed_admin

pytestmark = pytest.mark.bench

RUNS = 7
STAGES = ("window-painted", "records-shown", "workspace-ready")

BARE = """
import sys, time
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QMainWindow
app = QApplication(sys.argv[:1])
window = QMainWindow()
window.resize(1100, 720)
window.show()
QTest.qWaitForWindowExposed(window, 10000)
app.processEvents()
print(time.time())
"""


def bare_window_painted(env: dict[str, str]) -> float:
    """Seconds from launch to a bare PySide6 window painted."""
    launched = time.time()
    done = subprocess.run(
        [sys.executable, "-c", BARE], check=True, env=env, capture_output=True, text=True
    )
    return float(done.stdout.split()[0]) - launched


def stages_after_launch(command: list[str], env: dict[str, str]) -> dict[str, float]:
    """Seconds from launch to each start-up stage of ``command`` (a ``detainer-desk smoke``),
    and to its end ("exit")."""
    launched = time.time()
    done = subprocess.run(
        command, check=True, env={**env, TIMES_ENV_VAR: "1"}, capture_output=True, text=True
    )
    ended = time.time()
    times = {"exit": ended - launched}
    for line in done.stderr.splitlines():
        fields = line.split()
        if len(fields) == 3 and fields[0] == "startup-time":
            times[fields[1]] = float(fields[2]) - launched
    missing = [stage for stage in STAGES if stage not in times]
    assert not missing, f"no time for {missing}: {done.stderr}"
    return times


def store_with_an_administrator(home: Path) -> None:
    """A store that has been opened (created, migrated) and has an administrator."""
    runtime = open_store(home)
    try:
        seed_admin(runtime)
    finally:
        runtime.close()


def bytecode_modes(tmp_path: Path) -> dict[str, dict[str, str]]:
    """Environments for the source runs: with the modules' bytecode cached, as in an
    installed program (a cache of the benchmark's own, not in the source tree); and with
    none written (PYTHONDONTWRITEBYTECODE=1, which some shells set: every module that has
    no bytecode yet, the project's and perhaps its libraries', is compiled at each launch)."""
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    cached = {k: v for k, v in env.items() if k != "PYTHONDONTWRITEBYTECODE"}
    cached["PYTHONPYCACHEPREFIX"] = str(tmp_path / "pycache")
    return {
        "bytecode cached": cached,
        "PYTHONDONTWRITEBYTECODE=1": {**env, "PYTHONDONTWRITEBYTECODE": "1"},
    }


LABELS = (
    ("main window painted (Opening the records…)", "window-painted", "goal 2x"),
    ("sign-in page painted (before the records open)", "records-shown", "goal 2.5x"),
    ("workspace built (every screen, records open)", "workspace-ready", ""),
    ("detainer-desk smoke ended", "exit", ""),
)


def report(
    title: str, bare: list[float], runs: list[dict[str, float]], stages: tuple[str, ...]
) -> None:
    """Print the medians (and the spread of the runs), in ms and against the bare window
    painted in the same runs (each run of ours follows one of the bare window)."""
    bare_ms = statistics.median(bare) * 1000
    low, high = min(bare) * 1000, max(bare) * 1000
    print(f"{title}: bare PySide6 window painted {bare_ms:.0f} ms (runs {low:.0f}-{high:.0f})")
    for label, stage, goal in LABELS:
        if stage in stages:
            values = sorted(run[stage] * 1000 for run in runs)
            ms = statistics.median(values)
            ratios = sorted(run[stage] / b for run, b in zip(runs, bare, strict=True))
            print(
                f"  {label}: {ms:.0f} ms (runs {values[0]:.0f}-{values[-1]:.0f}) = "
                f"{ms / bare_ms:.2f}x bare{f' ({goal})' if goal else ''}; run by run "
                f"{ratios[0]:.2f}-{ratios[-1]:.2f}x, median {statistics.median(ratios):.2f}x"
            )


def test_first_paint_and_sign_in_page_against_a_bare_window(tmp_path: Path) -> None:
    home = tmp_path / "home"
    store_with_an_administrator(home)
    command = [sys.executable, "-m", "detainer_desk", "smoke", "--data-dir", str(home)]
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"\nload average {load:.2f} on {os.cpu_count()} CPUs; medians of {RUNS} runs")
    for mode, env in bytecode_modes(tmp_path).items():
        subprocess.run(command, check=True, env=env, capture_output=True)  # warm the caches
        bare_window_painted(env)
        bare: list[float] = []
        runs: list[dict[str, float]] = []
        for _ in range(RUNS):
            bare.append(bare_window_painted(env))
            runs.append(stages_after_launch(command, env))
        report(f"from source, {mode}", bare, runs, (*STAGES, "exit"))
        first = sorted(run["window-painted"] * 1000 for run in runs)
        print(f"  main window painted, every run: {', '.join(f'{ms:.0f}' for ms in first)} ms")
