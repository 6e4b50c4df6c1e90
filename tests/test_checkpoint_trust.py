"""Checkpoints prove something only under a key the installation trusts: another key's
checkpoint fails verification (exit 1) until an administrator trusts it; trust entries live
in the chain, signed by a trusted installation key, so the database alone cannot add one;
only a supervisor or an administrator signs a checkpoint, and never over a record that
contradicts the last one this installation made (kept beside its key, both private);
restore refuses a backup that contradicts it."""

from __future__ import annotations

import sqlite3
import stat
import sys
from pathlib import Path

import pytest

from detainer_desk.adapters.db.chain import GENESIS_HASH, chain_hash
from detainer_desk.adapters.db.schema import EVIDENCE_TABLES
from detainer_desk.adapters.signing import InstallationKey, signature_is_valid
from detainer_desk.paths import resolve_paths
from detainer_desk.runtime import open_runtime
from detainer_desk.services.trust import TrustEntry

from .helpers import JUDICIAL_WARRANT_POLICY, request_json

PASSWORDS = {
    "chief": "admin passphrase one",
    "sgt.lee": "supervisor passphrase one",
    "officer.a": "officer passphrase one",
    "counsel.ray": "counsel passphrase one",
}
ROLES = {"sgt.lee": "supervisor", "officer.a": "officer", "counsel.ray": "counsel"}


def _cli(run_cli, data: Path, *args: str, user: str):
    return run_cli(
        "--data-dir", str(data), *args, "--user", user, "--password-stdin",
        stdin=PASSWORDS[user] + "\n",
    )  # fmt: skip


def _make_home(run_cli, data: Path) -> Path:
    first = run_cli(
        "--data-dir", str(data), "users", "add", "chief", "--role", "admin", "--without-second-factor",
        "--password-stdin",
        stdin=PASSWORDS["chief"] + "\n",
    )  # fmt: skip
    assert first.code == 0, first.err
    for name, role in ROLES.items():
        added = run_cli(
            "--data-dir", str(data), "users", "add", name, "--role", role, "--user", "chief",
            "--password-stdin", stdin=f"{PASSWORDS['chief']}\n{PASSWORDS[name]}\n",
        )  # fmt: skip
        assert added.code == 0, added.err
    policy = data.parent / "policy.toml"
    policy.write_bytes(JUDICIAL_WARRANT_POLICY)
    assert _cli(run_cli, data, "policy", "activate", str(policy), user="chief").code == 0
    for n in range(3):
        request = data.parent / f"r{n}.json"
        request.write_text(request_json(**{"subject.booking_number": f"B{n}"}))
        assert _cli(run_cli, data, "record", str(request), user="officer.a").code == 0
    return data


@pytest.fixture
def home(tmp_path: Path, run_cli) -> Path:
    return _make_home(run_cli, tmp_path / "data")


def _checkpoint(run_cli, data: Path, out: Path, user: str = "sgt.lee") -> Path:
    made = _cli(run_cli, data, "checkpoint", "--out", str(out), user=user)
    assert made.code == 0, made.err
    return sorted(out.glob("checkpoint-*.json"))[-1]


def _key(data: Path) -> str:
    return InstallationKey(data / "keys").public_key_hex


def test_a_checkpoint_signed_by_another_key_fails_until_it_is_trusted(
    home: Path, run_cli, tmp_path: Path
) -> None:
    """Workstation B, with its own data folder and key, checkpoints the same record (as a
    second desk on a shared server does): A refuses B's checkpoint, with exit status 1,
    until A's administrator trusts B's key."""
    desk_b = tmp_path / "desk-b"
    shared = ("--db", f"sqlite:///{home / 'detainer-desk.sqlite3'}")
    made = _cli(run_cli, desk_b, *shared, "checkpoint", "--out", str(tmp_path / "cp-b"),
                user="sgt.lee")  # fmt: skip
    assert made.code == 0, made.err
    theirs = next((tmp_path / "cp-b").glob("checkpoint-*.json"))
    key = _key(desk_b)
    assert key != _key(home)
    refused = run_cli("--data-dir", str(home), "verify", "--checkpoint", str(theirs))
    assert refused.code == 1, refused.out + refused.err
    assert "VERIFY FAILED" in refused.out and "does not trust" in refused.out
    assert f"keys trust {key}" in refused.out
    assert "Traceback" not in refused.err
    # Only an administrator trusts a key, with a label; then B's checkpoint verifies on A.
    denied = _cli(run_cli, home, "keys", "trust", key, "--label", "Desk B", user="sgt.lee")
    assert denied.code == 2 and "may not trust checkpoint keys" in denied.err
    trusted = _cli(run_cli, home, "keys", "trust", key, "--label", "Desk B", user="chief")
    assert trusted.code == 0, trusted.err
    ok = run_cli("--data-dir", str(home), "verify", "--checkpoint", str(theirs))
    assert ok.code == 0 and "trusted key of Desk B" in ok.out and "OK:" in ok.out, ok.out
    shown = run_cli("--data-dir", str(home), "keys")
    assert shown.code == 0 and key in shown.out and "Desk B" in shown.out
    assert run_cli("--data-dir", str(home), "verify").code == 0  # trust entries verify
    untrusted = _cli(run_cli, home, "keys", "untrust", key, user="chief")
    assert untrusted.code == 0, untrusted.err
    again = run_cli("--data-dir", str(home), "verify", "--checkpoint", str(theirs))
    assert again.code == 1 and "does not trust" in again.out


def test_the_database_alone_cannot_add_a_trusted_key(home: Path, run_cli, tmp_path: Path) -> None:
    """Whoever can write the database appends a properly chained trust entry for their own
    key, signed by that key (they hold no installation's key): it is ignored. One whose
    signature does not hold makes verify fail."""
    copy = tmp_path / "copy" / "data"
    copy.mkdir(parents=True)
    (copy / "detainer-desk.sqlite3").write_bytes((home / "detainer-desk.sqlite3").read_bytes())
    intruder = InstallationKey(copy / "keys")  # the intruder's own key signs their checkpoint
    theirs = _checkpoint(run_cli, copy, tmp_path / "forged", user="chief")
    entry = TrustEntry(
        intruder.public_key_hex,
        True,
        "me",
        "2026-01-01T00:00:00+00:00",
        intruder.public_key_hex,
        "",
    )
    signed = _with_signature(entry, intruder.sign(entry.payload()))
    _append_entry(home / "detainer-desk.sqlite3", "trusted_key", signed.key, signed.to_state())
    assert run_cli("--data-dir", str(home), "verify").code == 0  # a valid entry, but ...
    refused = run_cli("--data-dir", str(home), "verify", "--checkpoint", str(theirs))
    assert refused.code == 1 and "does not trust" in refused.out  # ... signed by no trusted key
    bad = _with_signature(entry, "00" * 64)
    _append_entry(home / "detainer-desk.sqlite3", "trusted_key", bad.key, bad.to_state())
    broken = run_cli("--data-dir", str(home), "verify")
    assert broken.code == 1 and "its signature is not valid" in broken.out


def _as_dict(entry: TrustEntry) -> dict[str, object]:
    return {name: getattr(entry, name) for name in TrustEntry.__dataclass_fields__}


def _with_signature(entry: TrustEntry, signature: str) -> TrustEntry:
    return TrustEntry(**{**_as_dict(entry), "signature": signature})  # type: ignore[arg-type]


def _append_entry(path: Path, kind: str, key: str, state: str) -> None:
    """Append a state_changes entry at the chain's head, chained and hashed exactly as the
    program does (the triggers allow it: it is the next entry)."""
    conn = sqlite3.connect(path)
    try:
        seq, head = conn.execute("SELECT last_seq, last_hash FROM chain_head").fetchone()
        row_id = conn.execute("SELECT coalesce(max(id), 0) + 1 FROM state_changes").fetchone()[0]
        row = {"id": row_id, "seq": seq + 1, "kind": kind, "key": key, "state": state}
        row["entry_hash"] = chain_hash(head, "state_changes", row)
        conn.execute(
            "INSERT INTO state_changes (id, seq, entry_hash, kind, key, state) "
            "VALUES (:id, :seq, :entry_hash, :kind, :key, :state)",
            row,
        )
        conn.execute(
            "UPDATE chain_head SET last_seq = ?, last_hash = ?", (seq + 1, row["entry_hash"])
        )
        conn.commit()
    finally:
        conn.close()


@pytest.mark.parametrize("user", ["officer.a", "counsel.ray"])
def test_only_a_supervisor_or_an_administrator_signs_a_checkpoint(
    home: Path, run_cli, tmp_path: Path, user: str
) -> None:
    refused = _cli(run_cli, home, "checkpoint", "--out", str(tmp_path / "cp"), user=user)
    assert refused.code == 2 and "may not sign checkpoints of the record" in refused.err
    assert not (tmp_path / "cp").exists() or not list((tmp_path / "cp").iterdir())
    _checkpoint(run_cli, home, tmp_path / "cp-admin", user="chief")
    # Counsel's export carries a checkpoint made under the export's own right.
    bundle = tmp_path / "bundle"
    exported = _cli(
        run_cli, home, "export", "-o", str(bundle), "--recipient", "Court", "--quiet",
        user="counsel.ray",
    )  # fmt: skip
    assert exported.code == 0, exported.err
    assert (bundle / "checkpoint" / "checkpoint.json").is_file()


def _rewrite_history(path: Path, statement: str) -> None:
    """Alter a row and recompute every entry hash after it and the head (an attacker with
    the file, who drops the triggers first)."""
    conn = sqlite3.connect(path)
    conn.row_factory = sqlite3.Row
    for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'").fetchall():
        conn.execute(f"DROP TRIGGER {name}")
    conn.execute(statement)
    rows = []
    for table in EVIDENCE_TABLES:
        for row in conn.execute(f"SELECT * FROM {table.name}"):
            rows.append((row["seq"], table.name, dict(row)))
    previous = GENESIS_HASH
    for _, table_name, row in sorted(rows, key=lambda item: item[0]):
        new_hash = chain_hash(previous, table_name, row)
        conn.execute(f"UPDATE {table_name} SET entry_hash = ? WHERE id = ?", (new_hash, row["id"]))
        previous = new_hash
    conn.execute("UPDATE chain_head SET last_seq = ?, last_hash = ?", (len(rows), previous))
    conn.commit()
    conn.close()


def test_no_checkpoint_over_a_record_recomputed_after_the_last_one(
    home: Path, run_cli, tmp_path: Path
) -> None:
    _checkpoint(run_cli, home, tmp_path / "cp")
    kept = list((home / "keys" / "checkpoints").glob("checkpoint-*.json"))
    assert len(kept) == 1
    _rewrite_history(
        home / "detainer-desk.sqlite3", "UPDATE decisions SET workstation = 'X' WHERE id = 2"
    )
    refused = _cli(run_cli, home, "checkpoint", "--out", str(tmp_path / "cp2"), user="chief")
    assert refused.code == 2, refused.out
    assert "No checkpoint was made" in refused.err and "(decisions #2) is not what it was" in (
        refused.err
    )
    assert not list((tmp_path / "cp2").glob("*.json")) if (tmp_path / "cp2").exists() else True
    plain = run_cli("--data-dir", str(home), "verify")
    assert plain.code == 1 and "(decisions #2) is not what it was at the checkpoint" in plain.out


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX permissions")
def test_the_key_and_the_kept_checkpoints_are_private(home: Path, run_cli, tmp_path) -> None:
    _checkpoint(run_cli, home, tmp_path / "cp")
    keys = home / "keys"
    assert stat.S_IMODE(keys.stat().st_mode) == 0o700
    for path in [keys / "checkpoint-ed25519.pem", keys / "installation-id"]:
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
    for path in (keys / "checkpoints").iterdir():
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
    assert stat.S_IMODE((keys / "checkpoints").stat().st_mode) == 0o700
    # A key that other users of the computer can read proves nothing: refused, plainly.
    # (Each start makes the data folder private again, and says so; the key refuses to
    # sign while it is not.)
    from detainer_desk.services.checkpoints import CheckpointError

    (keys / "checkpoint-ed25519.pem").chmod(0o644)
    with pytest.raises(CheckpointError, match="can be read or changed by other users"):
        InstallationKey(keys).sign(b"a checkpoint")
    made = _cli(run_cli, home, "checkpoint", "--out", str(tmp_path / "cp3"), user="chief")
    assert made.code == 0 and "it is now private" in made.err, made.err
    assert stat.S_IMODE((keys / "checkpoint-ed25519.pem").stat().st_mode) == 0o600


def test_restore_refuses_a_backup_that_contradicts_the_checkpoint(
    home: Path, run_cli, tmp_path: Path
) -> None:
    backup = tmp_path / "backup.sqlite3"
    assert _cli(run_cli, home, "backup", str(backup), user="chief").code == 0
    _checkpoint(run_cli, home, tmp_path / "cp")
    # The backup altered and recomputed: it verifies on its own, yet contradicts the
    # checkpoint this installation made after it was taken.
    _rewrite_history(backup, "UPDATE requests SET dob = '1970-01-01' WHERE id = 1")
    live = home / "detainer-desk.sqlite3"
    before = live.read_bytes()
    refused = _cli(run_cli, home, "restore", str(backup), "--yes", user="chief")
    assert refused.code == 2, refused.out
    assert "Nothing was changed: the backup contradicts this installation's checkpoint" in (
        refused.err
    )
    assert "(requests #1) is not what it was" in refused.err
    assert live.read_bytes() == before


def test_restore_of_an_older_backup_says_what_it_loses_and_sets_checkpoints_aside(
    home: Path, run_cli, tmp_path: Path
) -> None:
    backup = tmp_path / "backup.sqlite3"
    assert _cli(run_cli, home, "backup", str(backup), user="chief").code == 0
    request = tmp_path / "later.json"
    request.write_text(request_json(**{"subject.booking_number": "LATER"}))
    assert _cli(run_cli, home, "record", str(request), user="officer.a").code == 0
    _checkpoint(run_cli, home, tmp_path / "cp")
    restored = _cli(run_cli, home, "restore", str(backup), "--yes", user="chief")
    assert restored.code == 0, restored.err
    assert "The backup holds the first" in restored.out and "are not in it" in restored.out
    assert "moved aside" in restored.out
    assert not list((home / "keys" / "checkpoints").glob("checkpoint-*.json"))
    assert list((home / "keys" / "checkpoints" / "superseded").glob("checkpoint-*.json"))
    assert run_cli("--data-dir", str(home), "verify").code == 0
    _checkpoint(run_cli, home, tmp_path / "cp-new", user="chief")  # a new one can be made


def test_services_know_no_signature_code(home: Path) -> None:
    """read_checkpoint checks the signature with the function it is handed, nothing else;
    whose key signed it is check_trust's question."""
    from detainer_desk.services.checkpoints import (
        UntrustedCheckpoint,
        check_trust,
        create_checkpoint,
        read_checkpoint,
    )
    from detainer_desk.services.ports import Actor

    runtime = open_runtime(resolve_paths(home))
    try:
        signer = runtime.signer()
        made = list(
            create_checkpoint(
                runtime.uow(), runtime.ledger(), signer, Actor("chief", "W"), runtime.clock()
            )
        )[-1]
        text = made.to_json()
        with pytest.raises(UntrustedCheckpoint, match="signature is not valid"):
            read_checkpoint(text, "c.json", lambda *_: False)
        checkpoint = read_checkpoint(text, "c.json", signature_is_valid)
        with pytest.raises(UntrustedCheckpoint, match="does not trust"):
            check_trust(checkpoint, {"ab" * 32: "someone"}, "c.json")
        assert check_trust(checkpoint, {signer.public_key_hex: "here"}, "c.json") == "here"
    finally:
        runtime.close()
