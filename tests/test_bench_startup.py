"""Start-up benchmark (outside the default run): ``uv run pytest -m bench -s tests/test_bench_startup.py``.

Goal (issue 9): the main window painted within 2x of a bare PySide6 window on the same
machine. ``detainer-desk smoke`` is run from source and from the PyInstaller bundle (set
DETAINER_DESK_BUNDLE to dist/detainer-desk/detainer-desk), over a store with an
administrator, and says when its window was first painted and when the sign-in page was
(``DETAINER_DESK_STARTUP_TIMES``); the whole process is timed too, against a bare window's
process. ``tests/test_gui_bench_first_paint.py`` has the stages from source in more detail.
The figures are printed, not asserted.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

import pytest

from .test_gui_bench_first_paint import (
    BARE,
    bare_window_painted,
    bytecode_modes,
    report,
    stages_after_launch,
    store_with_an_administrator,
)

pytestmark = pytest.mark.bench

RUNS = 5
STAGES = ("window-painted", "records-shown", "exit")


def _median_process_seconds(command: list[str], env: dict[str, str]) -> float:
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        subprocess.run(command, check=True, env=env, capture_output=True, timeout=120)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def _measure(title: str, command: list[str], env: dict[str, str]) -> None:
    subprocess.run(command, check=True, env=env, capture_output=True, timeout=120)  # warm up
    bare: list[float] = []
    runs: list[dict[str, float]] = []
    for _ in range(RUNS):
        bare.append(bare_window_painted(env))
        runs.append(stages_after_launch(command, env))
    report(title, bare, runs, STAGES)
    bare_process = _median_process_seconds([sys.executable, "-c", BARE], env)
    ours = statistics.median(run["exit"] for run in runs)
    print(
        f"  whole process: bare {bare_process * 1000:.0f} ms, detainer-desk smoke "
        f"{ours * 1000:.0f} ms = {ours / bare_process:.2f}x"
    )


def test_start_up_against_a_bare_window(tmp_path: Path) -> None:
    home = tmp_path / "home"
    store_with_an_administrator(home)
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"\nload average {load:.2f} on {os.cpu_count()} CPUs; medians of {RUNS} runs")
    source = [sys.executable, "-m", "detainer_desk", "smoke", "--data-dir", str(home)]
    for mode, env in bytecode_modes(tmp_path).items():
        _measure(f"from source, {mode}", source, env)
    bundle = os.environ.get("DETAINER_DESK_BUNDLE")
    if bundle:
        env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
        _measure("from the bundle", [bundle, "smoke", "--data-dir", str(home)], env)
    else:
        print("from the bundle: not measured (set DETAINER_DESK_BUNDLE)")
