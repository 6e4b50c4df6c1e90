"""The installable bundle: PyInstaller builds it on this platform and it starts offscreen.

This is the slowest test (about a minute): it runs the real build into a temporary folder,
then the frozen program's ``smoke`` and ``check`` commands.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

import detainer_desk

from .conftest import REPO_ROOT

EXAMPLE = (
    REPO_ROOT / "tests" / "fixtures" / "examples" / "07-california-style-transfer" / "request.json"
)


def test_version_comes_from_pyproject() -> None:
    project = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())["project"]
    assert detainer_desk.__version__ == project["version"]
    assert (
        f"FileVersion', '{project['version']}'"
        in (REPO_ROOT / "packaging/windows/version-info.txt").read_text()
    )
    assert (
        f'#define AppVersion "{project["version"]}"'
        in (REPO_ROOT / "packaging/windows/detainer-desk.iss").read_text()
    )


@pytest.mark.skipif(
    sys.platform == "win32", reason="the Linux build is checked here; Windows builds on Windows"
)
def test_pyinstaller_bundle_builds_and_starts(tmp_path: Path) -> None:
    build = subprocess.run(
        [
            sys.executable,
            "-m",
            "PyInstaller",
            str(REPO_ROOT / "packaging" / "detainer-desk.spec"),
            "--noconfirm",
            "--distpath",
            str(tmp_path / "dist"),
            "--workpath",
            str(tmp_path / "build"),
            "--log-level",
            "ERROR",
        ],
        capture_output=True,
        text=True,
        timeout=1200,
        check=False,
        cwd=REPO_ROOT,
    )
    assert build.returncode == 0, build.stderr[-3000:]
    program = tmp_path / "dist" / "detainer-desk" / "detainer-desk"
    assert program.is_file()
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    smoke = subprocess.run(
        [str(program), "smoke", "--data-dir", str(tmp_path / "home")],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        check=False,
    )
    assert smoke.returncode == 0, smoke.stderr
    assert (tmp_path / "home" / "detainer-desk.sqlite3").is_file()  # migrations ran from the bundle
    check = subprocess.run(
        [str(program), "check", "--policy", "california-sb54", str(EXAMPLE), "--json"],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        check=False,
    )
    assert check.returncode == 0, check.stderr
    assert '"outcome": "transfer"' in check.stdout  # presets and the engine are inside

    # Worker processes in the frozen program (forced for a small store): verification and
    # the export's audit PDFs.
    home = str(tmp_path / "demo")
    demo = subprocess.run(
        [str(program), "--data-dir", home, "demo", "--decisions", "15", "--quiet"],
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
        check=False,
    )
    assert demo.returncode == 0, demo.stderr
    workers = {**env, "DETAINER_DESK_WORKERS": "2"}
    verify = subprocess.run(
        [str(program), "--data-dir", home, "verify"],
        capture_output=True,
        text=True,
        timeout=300,
        env=workers,
        check=False,
    )
    assert verify.returncode == 0 and "entries verified" in verify.stdout, verify.stderr
    bundle = tmp_path / "bundle"
    export = subprocess.run(
        [
            str(program),
            "--data-dir",
            home,
            "export",
            "--user",
            "counsel.demo",
            "--password-stdin",
            "--recipient",
            "packaging test",
            "-o",
            str(bundle),
            "--quiet",
        ],
        input="demo passphrase for trials\n",
        capture_output=True,
        text=True,
        timeout=300,
        env=workers,
        check=False,
    )
    assert export.returncode == 0, export.stderr
    assert len(list((bundle / "PDF").glob("*.pdf"))) == 15
    logged = "".join(p.read_text() for p in (tmp_path / "demo" / "logs").glob("*.log*"))
    assert "without worker processes" not in logged and "worker process ended" not in logged

    # A second export copies the audit PDFs the first one kept (the frozen program knows
    # its own code for the cache's key): the same bytes.
    kept = sorted((tmp_path / "demo" / "cache" / "audit-pdfs").rglob("*.pdf"))
    assert len(kept) == 15
    files_kept = [p.stat().st_ino for p in kept]
    again = tmp_path / "bundle-again"
    second = subprocess.run(
        [
            str(program), "--data-dir", home, "export", "--user", "counsel.demo",
            "--password-stdin", "--recipient", "packaging test", "-o", str(again), "--quiet",
        ],
        input="demo passphrase for trials\n", capture_output=True, text=True, timeout=300,
        env=workers, check=False,
    )  # fmt: skip
    assert second.returncode == 0, second.stderr
    assert {p.name: p.read_bytes() for p in (again / "PDF").glob("*.pdf")} == {
        p.name: p.read_bytes() for p in (bundle / "PDF").glob("*.pdf")
    }
    # Read, not made and written again (a kept PDF is replaced by a new file when made).
    assert [p.stat().st_ino for p in kept] == files_kept
