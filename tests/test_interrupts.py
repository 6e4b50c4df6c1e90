"""Ctrl+C during the jobs that run worker processes: the program stops promptly, leaves no
worker behind and no half-written file, and says so (the export is audited as cancelled).
Real processes on a real store; the signal goes to the whole process group, as a terminal
sends it, twice in quick succession (as impatient people and `uv run` do)."""

from __future__ import annotations

import contextlib
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from .helpers import processes_in_group, wait_for_exits

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX process groups")

DEMO_PASSWORD = "demo passphrase for trials\n"


@pytest.fixture(scope="module")
def demo_home(tmp_path_factory) -> Path:
    home = tmp_path_factory.mktemp("interrupts") / "home"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "detainer_desk",
            "--data-dir",
            str(home),
            "demo",
            "--decisions",
            "120",
            "--quiet",
        ],
        check=True,
        capture_output=True,
        timeout=600,
    )
    return home


def _read_until(stream, text: str, seen: bytes, deadline: float) -> bytes:
    """Read the program's error output, byte by byte and unbuffered (so that nothing read
    ahead is lost to ``communicate``), until ``text`` appears."""
    wanted = text.encode()
    while wanted not in seen and time.monotonic() < deadline:
        byte = stream.read(1)
        if not byte:
            break
        seen += byte
    return seen


def _interrupt_twice(command: list[str], wait_for: str, env: dict[str, str], stdin: str = ""):
    """Start ``command`` in its own process group; once ``wait_for`` appears on its error
    output, send SIGINT to the group; once the program says it is stopping, send it again
    (landing in the clean-up, the moment a second press used to break). Returns (exit code,
    output), after checking that no process of the group is left."""
    process = subprocess.Popen(
        command,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        bufsize=0,
        env=env,
        start_new_session=True,
    )
    assert process.stdin is not None and process.stderr is not None
    process.stdin.write(stdin.encode())
    process.stdin.close()
    process.stdin = None  # written and closed: communicate() must not flush it
    deadline = time.monotonic() + 120
    seen = _read_until(process.stderr, wait_for, b"", deadline)
    assert wait_for.encode() in seen, seen
    group = processes_in_group(process.pid)
    os.killpg(process.pid, signal.SIGINT)
    seen = _read_until(process.stderr, "Stopping", seen, deadline)
    assert b"Stopping" in seen, seen
    with contextlib.suppress(ProcessLookupError):  # it may have finished stopping already
        os.killpg(process.pid, signal.SIGINT)
    try:
        out, err = process.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        pytest.fail("the program hung after Ctrl+C")
    left = wait_for_exits(group + processes_in_group(process.pid), timeout_s=30)
    if left:
        listing = subprocess.run(
            ["ps", "-o", "pid,stat,args", "-p", ",".join(map(str, left))],
            check=False,
            capture_output=True,
            text=True,
        ).stdout
        pytest.fail(f"processes left after Ctrl+C:\n{listing}")
    return process.returncode, (out + seen + err).decode("utf-8", "replace")


def test_ctrl_c_stops_a_verification_run_by_workers(demo_home: Path) -> None:
    script = (
        "import sys\n"
        "from detainer_desk.adapters.db import chain\n"
        "from detainer_desk.cli import main\n"
        "chain.SPAN = 1\n"  # one entry per task: the workers are busy when Ctrl+C comes
        "walk = chain.walk_chain\n"
        "def announced(*args, **kwargs):\n"
        "    for number, span in enumerate(walk(*args, **kwargs)):\n"
        "        if number == 5:\n"
        "            sys.stderr.write('checking\\n'); sys.stderr.flush()\n"
        "        yield span\n"
        "chain.walk_chain = announced\n"
        "if __name__ == '__main__':\n"
        f"    sys.exit(main(['--data-dir', {str(demo_home)!r}, 'verify']))\n"
    )
    env = {**os.environ, "DETAINER_DESK_WORKERS": "2"}
    code, output = _interrupt_twice([sys.executable, "-c", script], "checking", env)
    assert code == 130 and "Interrupted." in output, output
    assert "Traceback" not in output  # the workers ignore Ctrl+C; the program answers it


def test_ctrl_c_cancels_an_export_and_leaves_nothing(demo_home: Path, tmp_path: Path) -> None:
    bundle = tmp_path / "bundle"
    env = {**os.environ, "DETAINER_DESK_WORKERS": "2"}
    command = [
        sys.executable,
        "-m",
        "detainer_desk",
        "--data-dir",
        str(demo_home),
        "export",
        "--user",
        "counsel.demo",
        "--password-stdin",
        "--recipient",
        "interrupt test",
        "-o",
        str(bundle),
    ]
    code, output = _interrupt_twice(command, "writing decisions", env, DEMO_PASSWORD)
    assert code == 130, output
    assert "Export cancelled" in output and "Traceback" not in output
    assert not bundle.exists()
    conn = sqlite3.connect(demo_home / "detainer-desk.sqlite3")
    outcome = conn.execute(
        "SELECT outcome FROM audit_events WHERE action = 'records.export' ORDER BY seq DESC"
    ).fetchone()
    conn.close()
    assert outcome == ("failure",)


def test_ctrl_c_during_a_csv_export_leaves_no_half_file(demo_home: Path, tmp_path: Path) -> None:
    target = tmp_path / "decisions.csv"
    script = (
        "import sys\n"
        "from detainer_desk.adapters.db import export_table\n"
        "from detainer_desk.cli import main\n"
        "export_table.CSV_RANGE = 1\n"  # one row per task
        "pieces = export_table._in_workers\n"
        "def announced(*args, **kwargs):\n"
        "    for number, piece in enumerate(pieces(*args, **kwargs)):\n"
        "        if number == 5:\n"
        "            sys.stderr.write('writing\\n'); sys.stderr.flush()\n"
        "        yield piece\n"
        "export_table._in_workers = announced\n"
        "if __name__ == '__main__':\n"
        f"    sys.exit(main(['--data-dir', {str(demo_home)!r}, 'export', '--user', "
        f"'counsel.demo', '--password-stdin', '--csv-only', '-o', {str(target)!r}]))\n"
    )
    env = {**os.environ, "DETAINER_DESK_WORKERS": "2"}
    code, output = _interrupt_twice([sys.executable, "-c", script], "writing", env, DEMO_PASSWORD)
    assert code == 130 and "Interrupted." in output, output
    assert not target.exists() and "Traceback" not in output
