"""``detainer-desk smoke`` in a real child process: the window opens on the data folder,
paints once, and the program exits 0; a broken data folder is explained, not a traceback."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def _run(*args: str, env_extra: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", **(env_extra or {})}
    return subprocess.run(
        [sys.executable, "-m", "detainer_desk", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )


def test_smoke_opens_the_window_and_creates_the_store(tmp_path: Path) -> None:
    result = _run("--data-dir", str(tmp_path / "home"), "smoke")
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "home" / "detainer-desk.sqlite3").is_file()


def test_smoke_honours_the_environment_variable(tmp_path: Path) -> None:
    result = _run("smoke", env_extra={"DETAINER_DESK_HOME": str(tmp_path / "env-home")})
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "env-home" / "detainer-desk.sqlite3").is_file()


def test_smoke_on_an_unusable_data_folder_explains(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    result = _run("smoke", "--data-dir", str(blocker))
    assert result.returncode == 2
    assert "cannot open its records" in result.stderr
    assert "Traceback" not in result.stderr


def test_check_from_a_child_process_exits_2_without_traceback(tmp_path: Path) -> None:
    policy = tmp_path / "p.toml"
    policy.write_text(
        'schema = 1\nname = "x"\njurisdiction = "y"\ntimezone = "Mars/Base"\ncitation = "z"\n'
    )
    request = tmp_path / "r.json"
    request.write_text("{}")
    result = _run("check", "--policy", str(policy), str(request))
    assert result.returncode == 2
    assert "p.toml:4: timezone:" in result.stderr
    assert "r.json: schema: is required" in result.stderr
    assert "Traceback" not in result.stderr
