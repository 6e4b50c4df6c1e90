"""Start-up benchmark (outside the default run): ``uv run pytest -m bench -s tests/test_bench_startup.py``.

Time from launch to the main window painted (``detainer-desk smoke``), from source and
from the PyInstaller bundle (set DETAINER_DESK_BUNDLE to dist/detainer-desk/detainer-desk),
against a bare PySide6 window on the same machine. Goal (issue 9): within 2x of the bare
window. The figures are printed, not asserted.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.bench

BARE = """
import sys
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QMainWindow
app = QApplication(sys.argv[:1])
window = QMainWindow()
window.setWindowTitle("bare")
window.resize(1100, 720)
window.show()
QTest.qWaitForWindowExposed(window, 10000)
app.processEvents()
"""
RUNS = 5


def _median_seconds(command: list[str], env: dict[str, str]) -> float:
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        subprocess.run(command, check=True, env=env, capture_output=True, timeout=120)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def test_start_up_against_a_bare_window(tmp_path: Path) -> None:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    home = tmp_path / "home"
    subprocess.run(
        [sys.executable, "-m", "detainer_desk", "smoke", "--data-dir", str(home)],
        check=True,
        env=env,
        capture_output=True,
    )  # first start creates and migrates the store
    bare = _median_seconds([sys.executable, "-c", BARE], env)
    source = _median_seconds(
        [sys.executable, "-m", "detainer_desk", "smoke", "--data-dir", str(home)], env
    )
    print(f"\nbare PySide6 window: {bare * 1000:.0f} ms (median of {RUNS})")
    print(f"detainer-desk smoke from source: {source * 1000:.0f} ms = {source / bare:.2f}x bare")
    bundle = os.environ.get("DETAINER_DESK_BUNDLE")
    if bundle:
        frozen = _median_seconds([bundle, "smoke", "--data-dir", str(home)], env)
        print(
            f"detainer-desk smoke from the bundle: {frozen * 1000:.0f} ms = {frozen / bare:.2f}x bare"
        )
