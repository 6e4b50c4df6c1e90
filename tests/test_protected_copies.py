"""Protected copies (CJIS 5.10.1.2.2): the encrypted backup format (AES-256-GCM in chunks,
key by argon2id) written and read again, every kind of damage refused, the passphrase
rules, `backup --encrypt` and `restore` of it end to end, and the litigation export as an
AES-256 ZIP that 7-Zip opens, whose manifest still verifies after decryption."""

from __future__ import annotations

import io
import json
import os
import shutil
import sqlite3
import subprocess
import zipfile
from pathlib import Path

import pytest

from detainer_desk.adapters import protect
from detainer_desk.adapters.security import is_common_password
from detainer_desk.domain.protection import new_passphrase, passphrase_problems

from .helpers import JUDICIAL_WARRANT_POLICY, request_json

PASSWORDS = {"chief": "admin passphrase one", "officer.a": "officer passphrase one"}
PASSPHRASE = "Harbour-7-lantern-Quiet"


# -- the format -----------------------------------------------------------------------------


@pytest.mark.parametrize("size", [0, 1, 999, 1000, 1001, 10_500])
def test_a_protected_copy_reads_back_byte_for_byte(size: int) -> None:
    plain = os.urandom(size)
    sealed = io.BytesIO()
    protect.encrypt_stream(io.BytesIO(plain), sealed, PASSPHRASE, chunk_size=1000)
    data = sealed.getvalue()
    assert data.startswith(protect.MAGIC)
    chunks = max(1, -(-size // 1000))
    assert len(data) == protect.HEADER_SIZE + size + chunks * protect.TAG_SIZE
    opened = io.BytesIO()
    assert protect.decrypt_stream(io.BytesIO(data), opened, PASSPHRASE) == size
    assert opened.getvalue() == plain


def _sealed(plain: bytes) -> bytes:
    out = io.BytesIO()
    protect.encrypt_stream(io.BytesIO(plain), out, PASSPHRASE, chunk_size=1000)
    return out.getvalue()


def _opens(data: bytes, passphrase: str = PASSPHRASE) -> bytes:
    out = io.BytesIO()
    protect.decrypt_stream(io.BytesIO(data), out, passphrase)
    return out.getvalue()


def test_every_kind_of_damage_is_refused() -> None:
    plain = os.urandom(4500)
    data = _sealed(plain)
    size = 1000 + protect.TAG_SIZE
    body = data[protect.HEADER_SIZE :]
    header = data[: protect.HEADER_SIZE]
    with pytest.raises(protect.ProtectedCopyError, match="passphrase is not right"):
        _opens(data, PASSPHRASE + "x")
    flipped = bytearray(data)
    flipped[protect.HEADER_SIZE + 2 * size + 5] ^= 1
    with pytest.raises(protect.ProtectedCopyError, match="after byte 2,000"):
        _opens(bytes(flipped))
    with pytest.raises(protect.ProtectedCopyError):  # the last chunk dropped: cut short
        _opens(header + body[: 4 * size])
    with pytest.raises(protect.ProtectedCopyError):  # cut inside a chunk
        _opens(data[:-7])
    swapped = header + body[size : 2 * size] + body[:size] + body[2 * size :]
    with pytest.raises(protect.ProtectedCopyError):
        _opens(swapped)
    weaker = bytearray(data)
    weaker[8 + 1 + 16 + 3] ^= 1  # the time cost in the header
    with pytest.raises(protect.ProtectedCopyError):
        _opens(bytes(weaker))
    with pytest.raises(protect.ProtectedCopyError, match="not a protected"):
        _opens(b"SQLite format 3\x00" + b"\x00" * 100)
    assert _opens(data) == plain


def test_the_passphrase_rules_of_cjis_5_10_1_2_2() -> None:
    def problems(text: str) -> str:
        return "; ".join(passphrase_problems(text, is_common_password))

    assert "at least 10 characters" in problems("Ab1!")
    assert "an upper case letter" in problems("harbour-7-lantern")
    assert "a lower case letter" in problems("HARBOUR-7-LANTERN")
    assert "a number" in problems("Harbour-lantern")
    assert "a special character" in problems("Harbour7lantern")
    assert "dictionary word" in problems("Password123!")
    assert problems(PASSPHRASE) == ""
    for _ in range(20):
        assert problems(new_passphrase()) == ""


# -- backup --encrypt and restore -----------------------------------------------------------


@pytest.fixture
def home(tmp_path: Path, run_cli) -> Path:
    data = str(tmp_path / "data")
    run_cli(
        "--data-dir", data, "users", "add", "chief", "--role", "admin", "--without-second-factor",
        "--password-stdin", stdin=PASSWORDS["chief"] + "\n",
    )  # fmt: skip
    run_cli(
        "--data-dir", data, "users", "add", "officer.a", "--role", "officer", "--user", "chief",
        "--password-stdin", stdin=f"{PASSWORDS['chief']}\n{PASSWORDS['officer.a']}\n",
    )  # fmt: skip
    policy = tmp_path / "policy.toml"
    policy.write_bytes(JUDICIAL_WARRANT_POLICY)
    assert _cli(run_cli, tmp_path, "policy", "activate", str(policy), user="chief").code == 0
    return tmp_path


def _cli(run_cli, home: Path, *args: str, user: str = "officer.a", more: str = ""):
    return run_cli(
        "--data-dir", str(home / "data"), *args, "--user", user, "--password-stdin",
        stdin=PASSWORDS[user] + "\n" + more,
    )  # fmt: skip


def _record(run_cli, home: Path, name: str) -> None:
    request = home / f"{name}.json"
    request.write_text(request_json(**{"subject.booking_number": name, "subject.name": name}))
    result = _cli(run_cli, home, "record", str(request))
    assert result.code == 0, result.err


def _decisions(home: Path) -> int:
    conn = sqlite3.connect(home / "data" / "detainer-desk.sqlite3")
    try:
        return int(conn.execute("SELECT count(*) FROM decisions").fetchone()[0])
    finally:
        conn.close()


def test_an_encrypted_backup_is_restored_with_its_passphrase(home: Path, run_cli) -> None:
    _record(run_cli, home, "SMITH-BEFORE")
    target = home / "stick" / "records.ddprot"
    target.parent.mkdir()
    weak = _cli(run_cli, home, "backup", str(target), "--encrypt", "--passphrase-stdin",
                user="chief", more="password1\n")  # fmt: skip
    assert weak.code == 2 and "5.10.1.2.2" in weak.err and "For example:" in weak.err
    assert not target.exists()
    made = _cli(run_cli, home, "backup", str(target), "--encrypt", "--passphrase-stdin",
                user="chief", more=PASSPHRASE + "\n")  # fmt: skip
    assert made.code == 0, made.err
    assert "encrypted (AES-256-GCM" in made.out
    data = target.read_bytes()
    assert data.startswith(protect.MAGIC)
    assert b"SQLite format 3" not in data and b"SMITH-BEFORE" not in data
    assert target.stat().st_mode & 0o777 == 0o600
    # No plain copy is left behind in the data folder's scratch space.
    assert not list((home / "data").glob(".detainer-desk.partial-*"))

    trail = _cli(run_cli, home, "audit", "--action", "store.backup", "--json", user="chief")
    details = [json.loads(line)["details"] for line in trail.out.splitlines()]
    assert any(d.get("encrypted") == "AES-256-GCM" for d in details)
    _record(run_cli, home, "SMITH-AFTER")
    assert _decisions(home) == 2
    wrong = run_cli(
        "--data-dir", str(home / "data"), "restore", str(target), "--yes", "--user", "chief",
        "--passphrase-stdin", "--password-stdin", stdin=f"{PASSPHRASE}x\n{PASSWORDS['chief']}\n",
    )  # fmt: skip
    assert wrong.code == 2 and "passphrase is not right" in wrong.err
    assert _decisions(home) == 2
    restored = run_cli(
        "--data-dir", str(home / "data"), "restore", str(target), "--yes", "--user", "chief",
        "--passphrase-stdin", "--password-stdin", stdin=f"{PASSPHRASE}\n{PASSWORDS['chief']}\n",
    )  # fmt: skip
    assert restored.code == 0, restored.err
    assert _decisions(home) == 1


def test_force_replaces_only_an_encrypted_backup(home: Path, run_cli) -> None:
    other = home / "notes.ddprot"
    other.write_text("not a backup")
    refused = _cli(run_cli, home, "backup", str(other), "--encrypt", "--force",
                   "--passphrase-stdin", user="chief", more=PASSPHRASE + "\n")  # fmt: skip
    assert refused.code == 2
    assert other.read_text() == "not a backup"


# -- the litigation export as an encrypted ZIP ----------------------------------------------


def test_the_zip_export_is_aes_256_and_7zip_opens_it(home: Path, run_cli, tmp_path: Path) -> None:
    seven_zip = shutil.which("7z")
    if seven_zip is None:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("7z (p7zip-full) is required in CI")
        pytest.skip("7z is not installed (apt-get install p7zip-full)")
    run_cli(
        "--data-dir", str(home / "data"), "users", "add", "counsel.d", "--role", "counsel",
        "--user", "chief", "--password-stdin",
        stdin=f"{PASSWORDS['chief']}\ncounsel passphrase one\n",
    )  # fmt: skip
    PASSWORDS["counsel.d"] = "counsel passphrase one"
    _record(run_cli, home, "RIVERA-ZIP")
    bundle = tmp_path / "out" / "bundle.zip"
    done = _cli(run_cli, home, "export", "-o", str(bundle), "--recipient", "Smith & Jones LLP",
                "--quiet", user="counsel.d")  # fmt: skip
    assert done.code == 0, done.err
    passphrase = done.out.split("kept nowhere:\n\n    ")[1].split("\n")[0]
    assert passphrase_problems(passphrase, is_common_password) == []
    with zipfile.ZipFile(bundle) as archive:
        names = archive.namelist()
        assert "manifest.sha256" in names
        assert all(info.flag_bits & 0x1 for info in archive.infolist())  # every entry encrypted
        with pytest.raises(RuntimeError):  # the standard library cannot read it
            archive.read("decisions.csv")
    assert b"RIVERA-ZIP" not in bundle.read_bytes()

    wrong = subprocess.run(
        [seven_zip, "x", "-y", "-pnot-the-passphrase", f"-o{tmp_path / 'wrong'}", str(bundle)],
        capture_output=True, text=True, check=False, timeout=120,
    )  # fmt: skip
    assert wrong.returncode != 0
    listing = subprocess.run(
        [seven_zip, "l", "-slt", f"-p{passphrase}", str(bundle)],
        capture_output=True, text=True, check=True, timeout=120,
    )  # fmt: skip
    assert "AES-256" in listing.stdout
    opened = tmp_path / "opened"
    subprocess.run(
        [seven_zip, "x", "-y", f"-p{passphrase}", f"-o{opened}", str(bundle)],
        capture_output=True, text=True, check=True, timeout=120,
    )  # fmt: skip
    assert "RIVERA-ZIP" in (opened / "decisions.csv").read_text()
    checked = subprocess.run(
        ["sha256sum", "-c", "manifest.sha256"],
        cwd=opened, capture_output=True, text=True, check=False, timeout=120,
    )  # fmt: skip
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert checked.stdout.count(": OK") == len(names) - 1
    trail = _cli(run_cli, home, "audit", "--action", "records.export", "--json", user="chief")
    details = [json.loads(line)["details"] for line in trail.out.splitlines()]
    assert details[0]["encrypted"] == "AES-256 ZIP"
    assert passphrase not in json.dumps(details)  # shown once, kept nowhere

    folder = _cli(run_cli, home, "export", "-o", str(tmp_path / "plain"), "--recipient", "Court",
                  "--quiet", user="counsel.d")  # fmt: skip
    assert folder.code == 0 and "NOT encrypted" in folder.out
