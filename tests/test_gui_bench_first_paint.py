"""Start-up, stage by stage (outside the default run):
``uv run pytest -m bench -s tests/test_gui_bench_first_paint.py``.

``tests/test_bench_startup.py`` times the whole ``detainer-desk smoke`` process. This one
says when, after launch, the first window (``Opening the records…``) and the main window
(with the set-up or sign-in page) were first painted, against a bare PySide6 window
painted in a process of its own. Wall-clock times, medians of several runs; the figures
are printed, not asserted (the machine may be busy with other work).
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

RUNS = 7

# Runs `detainer-desk smoke` in the child process and prints when each window was painted.
STAGES = """
import sys, time
from PySide6.QtCore import QEvent, QObject
import detainer_desk.gui.app as gui_app

painted = {}

class Watch(QObject):
    def eventFilter(self, obj, event):
        if event.type() == QEvent.Type.Paint and obj.isWidgetType() and obj.isWindow():
            painted.setdefault(type(obj).__name__, time.time())
        return False

watch = Watch()
make_application = gui_app._application

def application(argv):
    app = make_application(argv)
    app.installEventFilter(watch)
    return app

gui_app._application = application
from detainer_desk.cli import main
code = main(["smoke", "--data-dir", sys.argv[1]])
print(painted["OpeningWindow"], painted["MainWindow"], code)
"""

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


def _after_launch(script: str, *args: str, env: dict[str, str]) -> list[float]:
    """Seconds from launch to each time the child prints (one line of wall-clock times)."""
    launched = time.time()
    done = subprocess.run(
        [sys.executable, "-c", script, *args],
        check=True,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    fields = done.stdout.split()
    return [float(field) - launched for field in fields[:2] if "." in field]


def test_first_paint_and_main_window_against_a_bare_window(tmp_path: Path) -> None:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    home = tmp_path / "home"
    subprocess.run(
        [sys.executable, "-m", "detainer_desk", "smoke", "--data-dir", str(home)],
        check=True,
        env=env,
        capture_output=True,
    )  # the first start creates and migrates the store
    bare, first, main = [], [], []
    for _ in range(RUNS):
        bare.append(_after_launch(BARE, env=env)[0])
        opening, main_window = _after_launch(STAGES, str(home), env=env)
        first.append(opening)
        main.append(main_window)
    bare_ms = statistics.median(bare) * 1000
    first_ms = statistics.median(first) * 1000
    main_ms = statistics.median(main) * 1000
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"\nload average {load:.2f} on {os.cpu_count()} CPUs; medians of {RUNS} runs")
    print(f"bare PySide6 window painted: {bare_ms:.0f} ms")
    print(
        f"Detainer Desk window painted (Opening the records…): {first_ms:.0f} ms = "
        f"{first_ms / bare_ms:.2f}x bare"
    )
    print(f"main window painted (records open): {main_ms:.0f} ms = {main_ms / bare_ms:.2f}x bare")
