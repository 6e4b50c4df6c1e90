"""Start-up benchmark (outside the default run): ``uv run pytest -m bench -s tests/test_bench_startup.py``.

Goals: the main window painted within 2x of a bare PySide6 window on the same machine (issue
9), the sign-in page within 2.5x (issue 19), from source and from the bundle. ``detainer-desk smoke`` is run from source and from the PyInstaller bundle (set
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

RUNS = 7
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


def test_a_large_store_due_for_its_daily_backup_does_not_delay_the_sign_in_page(
    tmp_path: Path,
) -> None:
    """Goal (issue 19): today's automatic backup never delays the sign-in page, whatever
    the size of the store. A store made large (``DETAINER_DESK_BENCH_LARGE_MB`` of filler
    pages, default 1024: copying pages is what a backup costs) whose daily backup is due at
    every launch: the sign-in page against a bare window, and the copy's own time."""
    import datetime as dt
    import sqlite3

    from detainer_desk.adapters.db.backups import daily_backups
    from detainer_desk.paths import resolve_paths
    from detainer_desk.runtime import open_runtime

    home = tmp_path / "home"
    store_with_an_administrator(home)
    paths = resolve_paths(home, environ={})
    megabytes = int(os.environ.get("DETAINER_DESK_BENCH_LARGE_MB", "1024"))
    conn = sqlite3.connect(paths.database_file)
    with conn:
        conn.execute("CREATE TABLE bench_filler (b BLOB)")
        for _ in range(megabytes):
            conn.execute("INSERT INTO bench_filler VALUES (randomblob(1048576))")
    conn.close()

    def no_backup_today() -> None:
        for made in daily_backups(paths.backups_dir):
            made.unlink()

    no_backup_today()
    runtime = open_runtime(paths, daily_backup_later=True, now=dt.datetime.now(dt.UTC))
    try:
        start = time.perf_counter()
        assert runtime.make_daily_backup() is None
        copy_s = time.perf_counter() - start
    finally:
        runtime.close()
    size_mb = paths.database_file.stat().st_size / 1e6
    env = bytecode_modes(tmp_path)["bytecode cached"]
    command = [sys.executable, "-m", "detainer_desk", "smoke", "--data-dir", str(home)]
    subprocess.run(command, check=True, env=env, capture_output=True, timeout=300)  # warm up
    bare: list[float] = []
    runs: list[dict[str, float]] = []
    for _ in range(RUNS):
        no_backup_today()
        bare.append(bare_window_painted(env))
        runs.append(stages_after_launch(command, env))
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(
        f"\nload average {load:.2f}; a store of {size_mb:,.0f} MB, its daily backup due at each "
        f"launch (copying it alone: {copy_s:.1f} s, in steps, in the background)"
    )
    report("from source, bytecode cached", bare, runs, STAGES)
