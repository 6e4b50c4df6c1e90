"""Every screen and table dialog on a 1366x768 laptop screen at 100, 125, 150 and 200 %.

Qt takes the scale factor and the screen's size when the application starts, so each
scale runs tests/screens_at_scale.py in a process of its own, over a real SQLite store of
demo data, on an offscreen screen of 1366x768. That script opens the window as the
program does, signs in as each role, visits each screen and dialog, saves a PNG of each
(under this test's tmp_path) and reports what it measured; this test reads the report.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from detainer_desk.paths import resolve_paths
from detainer_desk.runtime import open_runtime
from detainer_desk.services.demo import create_demo_accounts, fill_demo

from .conftest import REPO_ROOT

SCALES = ("1", "1.25", "1.5", "2")
LAPTOP = {"width": 1366, "height": 768}
VIEWS = (
    "sign-in",
    "intake-1",
    "intake-2",
    "intake-3",
    "home-officer",
    "decision-log",
    "review-queue",
    "active-holds",
    "statistics",
    "decision-detail",
    "overdue-report",
    "users",
    "audit-trail",
    "policy-what-if",
    "verify",
    "restore",
    "database",
)


@pytest.fixture(scope="module")
def demo_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("demo") / "data"
    runtime = open_runtime(resolve_paths(folder, environ={}))
    try:
        from detainer_desk.adapters.security import Argon2Passwords
        from detainer_desk.services.demo import DEMO_PASSWORD

        create_demo_accounts(runtime.uow(), Argon2Passwords().hash(DEMO_PASSWORD), runtime.clock())
        for _done in fill_demo(runtime.uow, 300):
            pass
    finally:
        runtime.close()
    return folder


@pytest.mark.parametrize("scale", SCALES)
def test_every_screen_fits_a_1366_by_768_screen(
    demo_store: Path, tmp_path: Path, scale: str
) -> None:
    screen = tmp_path / "screen.json"
    screen.write_text(
        json.dumps({"screens": [{"name": "Laptop", "x": 0, "y": 0, **LAPTOP, "dpr": 1}]}),
        encoding="utf-8",
    )
    out = tmp_path / f"at-{scale}"
    env = {
        **os.environ,
        "QT_QPA_PLATFORM": f"offscreen:configfile={screen}",
        "QT_SCALE_FACTOR": scale,
    }
    done = subprocess.run(
        [sys.executable, "-m", "tests.screens_at_scale", str(demo_store), str(out)],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))

    # The screen as the program saw it: 1366x768 divided by the scale factor.
    area = report["area"]
    assert area[2] == round(LAPTOP["width"] / float(scale))
    assert area[3] == round(LAPTOP["height"] / float(scale))
    # The first window is within the screen (maximised: a laptop is smaller than 1280x800).
    frame = report["first_window"]["frame"]
    assert report["first_window"]["maximised"]
    assert frame[2] <= area[2] + 1 and frame[3] <= area[3] + 1  # +1: rounding at 125 %

    # Every view was looked at, saved as a picture, and fits: no window or dialog larger
    # than the screen, no button narrower than its words, no column narrower than its
    # heading.
    assert list(report["views"]) == list(VIEWS)
    for name, view in report["views"].items():
        assert (out / view["png"]).stat().st_size > 1000, name
    assert report["problems"] == []
