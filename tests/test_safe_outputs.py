"""Outputs are written safely: to a temporary file beside the target and renamed, never
through a link, replacing only a regular file of the same kind and only when asked; a
half-written output of a killed run is removed at the next run, and the export's worker
processes end with the program that started them (real kill -9, real processes)."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import stat
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from detainer_desk.adapters.export import open_destination
from detainer_desk.adapters.files import (
    OutputError,
    OutputExists,
    PartialJournal,
    PendingFile,
    PendingFolder,
    json_kind,
    pdf_kind,
    sqlite_kind,
    write_output,
)
from detainer_desk.services.ports import DestinationError

from .helpers import descendants, request_json, wait_for_exits
from .os_accounts import as_other_account, other_account

posix_only = pytest.mark.skipif(sys.platform == "win32", reason="POSIX links, FIFOs and modes")
PASSWORD = "a long enough passphrase"
DEMO_PASSWORD = "demo passphrase for trials\n"
DEMO_ARGS = ["demo", "--decisions", "60", "--quiet"]


def _mode(path: Path) -> int:
    return stat.S_IMODE(os.lstat(path).st_mode)


# -- the helper itself ---------------------------------------------------------------------


@posix_only
def test_a_new_output_is_private_whatever_the_umask(tmp_path: Path) -> None:
    previous = os.umask(0)
    try:
        written = write_output(tmp_path / "report.pdf", b"%PDF-1.4 test")
    finally:
        os.umask(previous)
    assert written == tmp_path / "report.pdf"
    assert _mode(written) == 0o600
    assert written.read_bytes() == b"%PDF-1.4 test"
    assert [p.name for p in tmp_path.iterdir()] == ["report.pdf"]  # no temporary left


@posix_only
def test_a_symbolic_link_is_never_written_through_even_when_replacing(tmp_path: Path) -> None:
    victim = tmp_path / "victim.pdf"
    victim.write_bytes(b"%PDF-1.4 someone else's")
    link = tmp_path / "report.pdf"
    link.symlink_to(victim)
    for replace in (False, True):
        with pytest.raises(OutputError, match="symbolic link"):
            write_output(link, b"%PDF-1.4 ours", replace=replace, kind=pdf_kind)
    dangling = tmp_path / "dangling.pdf"
    dangling.symlink_to(tmp_path / "not-yet-there.pdf")  # a link planted ahead of time
    with pytest.raises(OutputError, match="symbolic link"):
        write_output(dangling, b"%PDF-1.4 ours")
    assert victim.read_bytes() == b"%PDF-1.4 someone else's"
    assert not (tmp_path / "not-yet-there.pdf").exists()
    assert link.is_symlink() and dangling.is_symlink()


@posix_only
def test_a_fifo_or_a_device_is_never_replaced(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.sqlite3"
    os.mkfifo(fifo)
    with pytest.raises(OutputError, match="FIFO"):
        write_output(fifo, b"SQLite format 3\x00...", replace=True, kind=sqlite_kind)
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)
    device = tmp_path / "full"
    try:
        os.mknod(device, 0o666 | stat.S_IFCHR, os.makedev(1, 7))  # what /dev/full is
    except PermissionError:
        pytest.skip("this account may not make a device node to stand in for /dev/full")
    with pytest.raises(OutputError, match="device"):
        write_output(device, b"SQLite format 3\x00...", replace=True, kind=sqlite_kind)
    assert stat.S_ISCHR(os.lstat(device).st_mode)


def test_replacing_needs_asking_and_a_file_of_the_same_kind(tmp_path: Path) -> None:
    earlier = tmp_path / "report.pdf"
    earlier.write_bytes(b"%PDF-1.4 earlier")
    with pytest.raises(OutputExists):
        write_output(earlier, b"%PDF-1.4 new", kind=pdf_kind)
    assert earlier.read_bytes() == b"%PDF-1.4 earlier"
    write_output(earlier, b"%PDF-1.4 new", replace=True, kind=pdf_kind)
    assert earlier.read_bytes() == b"%PDF-1.4 new"
    passwd = tmp_path / "passwd"  # stands in for /etc/passwd
    passwd.write_text("root:x:0:0:root:/root:/bin/bash\n")
    for kind in (pdf_kind, sqlite_kind, json_kind):
        with pytest.raises(OutputError, match="is not"):
            write_output(passwd, b"anything", replace=True, kind=kind)
    assert passwd.read_text().startswith("root:x:0:0")
    folder = tmp_path / "folder.pdf"
    folder.mkdir()
    with pytest.raises(OutputError, match="folder"):
        write_output(folder, b"%PDF-1.4", replace=True, kind=pdf_kind)


@posix_only
def test_a_link_appearing_after_the_check_is_replaced_not_followed(tmp_path: Path) -> None:
    victim = tmp_path / "victim.pdf"
    victim.write_bytes(b"%PDF-1.4 victim")
    target = tmp_path / "out.pdf"
    target.write_bytes(b"%PDF-1.4 earlier")
    pending = PendingFile(target, replace=True, kind=pdf_kind)
    pending.handle.write(b"%PDF-1.4 ours")
    target.unlink()
    target.symlink_to(victim)  # swapped in between the check and the rename
    with pytest.raises(OutputError, match="symbolic link"):
        pending.commit()
    assert victim.read_bytes() == b"%PDF-1.4 victim"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.pdf", "victim.pdf"]
    # Without replacing, a link appearing meanwhile is never overwritten either.
    fresh = tmp_path / "fresh.pdf"
    pending = PendingFile(fresh)
    pending.handle.write(b"%PDF-1.4 ours")
    fresh.symlink_to(victim)
    with pytest.raises(OutputError):
        pending.commit()
    assert victim.read_bytes() == b"%PDF-1.4 victim" and fresh.is_symlink()


def test_a_failed_write_leaves_nothing_and_says_why(tmp_path: Path) -> None:
    missing = tmp_path / "no-such-folder" / "report.pdf"
    with pytest.raises(OutputError, match="folder does not exist"):
        write_output(missing, b"%PDF-1.4")
    with pytest.raises(RuntimeError), PendingFile(tmp_path / "x.pdf") as handle:
        handle.write(b"%PDF-1.4 half")
        raise RuntimeError("the renderer broke half-way")
    assert list(tmp_path.iterdir()) == []


@posix_only
def test_a_read_only_folder_is_refused_in_plain_words(tmp_path: Path) -> None:
    folder = tmp_path / "ro"
    folder.mkdir()
    words: list[str] = []

    def attempt() -> int:
        try:
            write_output(Path("ro") / "x.pdf", b"%PDF-1.4")
        except OutputError as exc:
            os.write(write_end, str(exc).encode())
            return 2
        return 0

    read_end, write_end = os.pipe()
    if os.geteuid() == 0:  # root writes anywhere: try it as an account the mode binds
        account = other_account()
        os.chown(folder, account.pw_uid, account.pw_gid)
        folder.chmod(0o500)  # its owner may read it, not write in it
        tmp_path.chmod(0o755)
        here = os.open(tmp_path, os.O_RDONLY)

        def as_owner_of_folder() -> int:
            os.fchdir(here)
            return attempt()

        code = as_other_account(as_owner_of_folder)
        os.close(here)
    else:
        folder.chmod(0o500)
        previous = Path.cwd()
        os.chdir(tmp_path)
        try:
            code = attempt()
        finally:
            os.chdir(previous)
    os.close(write_end)
    with os.fdopen(read_end, "rb") as said:
        words.append(said.read().decode())
    folder.chmod(0o700)
    assert code == 2, words
    assert words == ["ro/x.pdf cannot be written: permission denied"]
    assert list(folder.iterdir()) == []


@posix_only
def test_a_bundle_folder_is_private_and_appears_only_when_complete(tmp_path: Path) -> None:
    previous = os.umask(0)
    try:
        pending = PendingFolder(tmp_path / "bundle")
        pending.write("natives/decision-1.pdf", b"%PDF-1.4")
        pending.write("decisions.csv", b"a,b\r\n")
        assert not (tmp_path / "bundle").exists()  # only the hidden temporary so far
        pending.commit()
    finally:
        os.umask(previous)
    bundle = tmp_path / "bundle"
    assert _mode(bundle) == 0o700 and _mode(bundle / "natives") == 0o700
    assert _mode(bundle / "decisions.csv") == 0o600
    assert _mode(bundle / "natives" / "decision-1.pdf") == 0o600
    assert [p.name for p in tmp_path.iterdir()] == ["bundle"]


@posix_only
def test_export_destinations_refuse_links_and_zip_entries_unpack_private(tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (tmp_path / "linked").symlink_to(elsewhere)
    with pytest.raises(DestinationError, match="symbolic link"):
        open_destination(str(tmp_path / "linked"))
    (tmp_path / "linked.zip").symlink_to(tmp_path / "target.zip")
    with pytest.raises(DestinationError, match="symbolic link"):
        open_destination(str(tmp_path / "linked.zip"))
    assert not (tmp_path / "target.zip").exists()
    writer = open_destination(str(tmp_path / "bundle.zip"))
    writer.write("decisions.csv", b"a,b\r\n")
    writer.close()
    assert _mode(tmp_path / "bundle.zip") == 0o600
    with zipfile.ZipFile(tmp_path / "bundle.zip") as bundle:
        assert [stat.S_IMODE(i.external_attr >> 16) for i in bundle.infolist()] == [0o600]


# -- partial files of a killed run -----------------------------------------------------------


def test_the_journal_removes_only_what_a_gone_process_left(tmp_path: Path) -> None:
    journal = PartialJournal(tmp_path / "data" / "partial-outputs")
    alive = PendingFile(tmp_path / "alive.pdf", journal=journal)
    alive.handle.write(b"%PDF-1.4 being written")
    assert journal.clean() == []  # its writer (this process) holds the entry
    assert alive.partial.exists()
    alive.commit()
    assert journal.clean() == [] and list(journal.folder.iterdir()) == []
    # A process that is gone: its entry can be locked by anyone now.
    stranded = tmp_path / ".gone.zip.partial-0badc0de"
    stranded.write_bytes(b"PK half a bundle")
    entry = journal.folder / "999999-gone.json"
    entry.write_text(json.dumps({"path": str(stranded), "folder": False, "pid": 999999}))
    # An entry must never remove anything but a temporary file of ours.
    precious = tmp_path / "precious.pdf"
    precious.write_bytes(b"%PDF-1.4 keep")
    forged = journal.folder / "999998-forged.json"
    forged.write_text(json.dumps({"path": str(precious), "folder": False, "pid": 999998}))
    assert journal.clean() == [stranded]
    assert not stranded.exists() and precious.exists()
    assert list(journal.folder.iterdir()) == []


@pytest.fixture(scope="module")
def demo_home(tmp_path_factory) -> Path:
    home = tmp_path_factory.mktemp("outputs") / "home"
    subprocess.run(
        [sys.executable, "-m", "detainer_desk", "--data-dir", str(home), *DEMO_ARGS],
        check=True,
        capture_output=True,
        timeout=600,
    )
    return home


@contextlib.contextmanager
def _export_stopped_midway(home: Path, destination: Path) -> Iterator[subprocess.Popen[str]]:
    """An export of ``home`` to ``destination`` with two worker processes rendering the audit
    PDFs, held still (by this test's script) once a few decisions are written: the moment
    to kill it. Yields the process once it is there."""
    script = (
        "import sys, threading\n"
        "from detainer_desk.services import export\n"
        "from detainer_desk.cli import main\n"
        "real = export.Export.run\n"
        "def held(*args, **kwargs):\n"
        "    for step in real(*args, **kwargs):\n"
        "        yield step\n"
        "        if getattr(step, 'stage', '') == 'writing decisions' and step.done == 3:\n"
        "            sys.stderr.write('HELD\\n'); sys.stderr.flush()\n"
        "            threading.Event().wait()\n"
        "export.Export.run = held\n"
        "if __name__ == '__main__':\n"
        f"    sys.exit(main(['--data-dir', {str(home)!r}, 'export', '--user', 'counsel.demo',"
        f" '--password-stdin', '--recipient', 'kill test', '-o', {str(destination)!r}]))\n"
    )
    process = subprocess.Popen(
        [sys.executable, "-c", script],
        stdin=subprocess.PIPE,
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        text=True,
        env={**os.environ, "DETAINER_DESK_WORKERS": "2"},
        start_new_session=True,
    )
    assert process.stdin is not None and process.stderr is not None
    process.stdin.write(DEMO_PASSWORD)
    process.stdin.flush()
    left: list[int] = []
    try:
        seen = ""
        while "HELD" not in seen:
            line = process.stderr.readline()
            if not line:
                pytest.fail(f"the export ended before it was held: {seen}")
            seen += line
        left = descendants(process.pid)  # noted now: once it is killed they are not its
        yield process
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.kill(process.pid, signal.SIGKILL)
        process.wait(timeout=60)
        for pid in left:  # never leave a process of this test behind, whatever happened
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        process.stdin.close()
        process.stderr.close()


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="pidfds and /proc: Linux")
def test_kill_9_during_an_export_leaves_no_worker_and_the_half_zip_goes_next_run(
    demo_home: Path, tmp_path: Path, run_cli
) -> None:
    destination = tmp_path / "bundle.zip"
    with _export_stopped_midway(demo_home, destination) as process:
        workers = descendants(process.pid)
        assert len(workers) >= 2, workers  # the PDF workers (and multiprocessing's tracker)
        partials = list(tmp_path.glob(".bundle.zip.partial-*"))
        assert len(partials) == 1 and _mode(partials[0]) == 0o600
        os.kill(process.pid, signal.SIGKILL)
        process.wait(timeout=60)
        still_running = wait_for_exits(workers, timeout_s=60)
        assert still_running == [], f"worker processes outlived the program: {still_running}"
    # What the killed export left: a private half ZIP under a hidden name, not the bundle.
    assert not destination.exists()
    assert partials[0].exists()
    # The next run of the program (any command) removes it.
    verified = run_cli("--data-dir", str(demo_home), "verify")
    assert verified.code == 0, verified.err
    assert not partials[0].exists()
    assert list((demo_home / "partial-outputs").iterdir()) == []
    # And an export to the same name now works.
    again = run_cli(
        "--data-dir",
        str(demo_home),
        "export",
        "--user",
        "counsel.demo",
        "--password-stdin",
        "--recipient",
        "after the kill",
        "-o",
        str(destination),
        "--quiet",
        stdin=DEMO_PASSWORD,
    )
    assert again.code == 0, again.err
    # A ZIP export is encrypted since issue 17: it is checked with its passphrase.
    import pyzipper

    passphrase = again.out.split("kept nowhere:\n\n    ")[1].split("\n")[0]
    with pyzipper.AESZipFile(destination) as archive:
        archive.setpassword(passphrase.encode())
        assert archive.testzip() is None


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="/proc: Linux")
def test_kill_9_during_a_folder_export_leaves_only_a_hidden_private_folder(
    demo_home: Path, tmp_path: Path, run_cli
) -> None:
    destination = tmp_path / "bundle"
    with _export_stopped_midway(demo_home, destination) as process:
        os.kill(process.pid, signal.SIGKILL)
        process.wait(timeout=60)
    assert not destination.exists()
    (partial,) = tmp_path.glob(".bundle.partial-*")
    assert _mode(partial) == 0o700
    assert all(_mode(p) == 0o600 for p in partial.rglob("*") if p.is_file())
    run_cli("--data-dir", str(demo_home), "verify")
    assert not partial.exists()


# -- the commands ------------------------------------------------------------------------------


@pytest.fixture
def home(tmp_path: Path, run_cli) -> Path:
    home = tmp_path / "home"
    add = run_cli(
        "--data-dir", str(home), "users", "add", "chief", "--role", "admin", "--without-second-factor", "--password-stdin",
        stdin=PASSWORD + "\n",
    )  # fmt: skip
    assert add.code == 0, add.err
    officer = run_cli(
        "--data-dir", str(home), "users", "add", "j.smith", "--role", "officer",
        "--user", "chief", "--password-stdin", stdin=f"{PASSWORD}\n{PASSWORD}\n",
    )  # fmt: skip
    assert officer.code == 0, officer.err
    activate = run_cli(
        "--data-dir", str(home), "policy", "activate", "king-county-2014",
        "--user", "chief", "--password-stdin", stdin=PASSWORD + "\n",
    )  # fmt: skip
    assert activate.code == 0, activate.err
    request = tmp_path / "request.json"
    request.write_text(request_json())
    recorded = run_cli(
        "--data-dir", str(home), "record", str(request), "--user", "j.smith",
        "--password-stdin", stdin=PASSWORD + "\n",
    )  # fmt: skip
    assert recorded.code == 0, recorded.err
    return home


def _as(run_cli, home: Path, user: str, *args: str):
    return run_cli(
        "--data-dir", str(home), *args, "--user", user, "--password-stdin",
        stdin=PASSWORD + "\n",
    )  # fmt: skip


@posix_only
def test_report_never_follows_a_link_even_with_force(home: Path, tmp_path: Path, run_cli) -> None:
    victim = tmp_path / "victim.pdf"
    victim.write_bytes(b"%PDF-1.4 not ours")
    link = tmp_path / "decision.pdf"
    link.symlink_to(victim)
    for extra in ((), ("--force",)):
        result = _as(run_cli, home, "j.smith", "report", "1", "-o", str(link), *extra)
        assert result.code == 2 and "symbolic link" in result.err, result.err
        assert "Traceback" not in result.err
    assert victim.read_bytes() == b"%PDF-1.4 not ours" and link.is_symlink()
    dangling = tmp_path / "notice.pdf"
    dangling.symlink_to(tmp_path / "planted-target.pdf")
    result = _as(run_cli, home, "j.smith", "notice", "1", "-o", str(dangling))
    assert result.code == 2 and not (tmp_path / "planted-target.pdf").exists()


def test_report_force_replaces_only_a_pdf(home: Path, tmp_path: Path, run_cli) -> None:
    target = tmp_path / "decision.pdf"
    assert _as(run_cli, home, "j.smith", "report", "1", "-o", str(target)).code == 0
    again = _as(run_cli, home, "j.smith", "report", "1", "-o", str(target))
    assert again.code == 2 and "--force" in again.err
    forced = _as(run_cli, home, "j.smith", "report", "1", "-o", str(target), "--force")
    assert forced.code == 0, forced.err
    notes = tmp_path / "notes.txt"
    notes.write_text("the officer's own notes")
    refused = _as(run_cli, home, "j.smith", "notice", "1", "-o", str(notes), "--force")
    assert refused.code == 2 and "not a PDF" in refused.err
    assert notes.read_text() == "the officer's own notes"


@posix_only
def test_backup_force_never_replaces_a_system_file_or_a_device(
    home: Path, tmp_path: Path, run_cli
) -> None:
    passwd = tmp_path / "passwd"  # stands in for /etc/passwd
    passwd.write_text("root:x:0:0:root:/root:/bin/bash\n")
    result = _as(run_cli, home, "chief", "backup", str(passwd), "--force")
    assert result.code == 2 and "not a Detainer Desk backup" in result.err, result.err
    assert passwd.read_text().startswith("root:x:0:0")
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    result = _as(run_cli, home, "chief", "backup", str(fifo), "--force")
    assert result.code == 2 and "FIFO" in result.err and stat.S_ISFIFO(os.lstat(fifo).st_mode)
    device = tmp_path / "full"  # stands in for /dev/full
    try:
        os.mknod(device, 0o666 | stat.S_IFCHR, os.makedev(1, 7))
    except PermissionError:
        return  # the FIFO above stands for every node that is not a regular file
    result = _as(run_cli, home, "chief", "backup", str(device), "--force")
    assert result.code == 2 and "device" in result.err
    assert stat.S_ISCHR(os.lstat(device).st_mode)


@posix_only
def test_every_command_output_is_private_whatever_the_umask(
    home: Path, tmp_path: Path, run_cli
) -> None:
    out = tmp_path / "out"
    out.mkdir()
    previous = os.umask(0)
    try:
        commands = [
            ("j.smith", "report", "1", "-o", str(out / "audit.pdf")),
            ("j.smith", "notice", "1", "-o", str(out / "notice.pdf")),
            ("j.smith", "stats", "--from", "2026-01-01", "--to", "2026-12-31", "-o",
             str(out / "stats.pdf")),
            ("chief", "checkpoint", "--out", str(out / "checkpoints")),
            ("chief", "backup", str(out / "backup.sqlite3")),
        ]  # fmt: skip
        for user, *args in commands:
            result = _as(run_cli, home, user, *args)
            assert result.code == 0, (args, result.err)
        counsel = run_cli(
            "--data-dir", str(home), "users", "add", "counsel.ray", "--role", "counsel",
            "--user", "chief", "--password-stdin", stdin=f"{PASSWORD}\n{PASSWORD}\n",
        )  # fmt: skip
        assert counsel.code == 0, counsel.err
        for options in (
            ("-o", str(out / "bundle.zip")),
            ("-o", str(out / "bundle")),
            ("--csv-only", "-o", str(out / "decisions.csv")),
        ):
            result = _as(run_cli, home, "counsel.ray", "export", "--recipient", "court", *options)
            assert result.code == 0, (options, result.err)
    finally:
        os.umask(previous)
    made = sorted(out.rglob("*"))
    assert {p.name for p in made} >= {
        "audit.pdf", "notice.pdf", "stats.pdf", "checkpoints", "backup.sqlite3", "bundle.zip",
        "bundle", "decisions.csv", "manifest.sha256",
    }  # fmt: skip
    wrong = {
        str(p.relative_to(out)): oct(_mode(p))
        for p in made
        if _mode(p) != (0o700 if p.is_dir() else 0o600)
    }
    assert wrong == {}
    assert not [p for p in made if ".partial-" in p.name]
