"""Small builders shared by the tests."""

from __future__ import annotations

import contextlib
import copy
import datetime as dt
import json
from typing import Any

BASE_REQUEST: dict[str, Any] = {
    "schema": 1,
    "received_at": "2026-02-10T08:30:00-08:00",
    "subject": {
        "name": "RIVERA, Ana",
        "dob": "1988-07-14",
        "booking_number": "B26-000311",
        "a_number": "A098765432",
    },
    "detainer": {
        "form": "I-247A",
        "issued_at": "2026-02-10T07:55:00-08:00",
        "requested": ["notify", "hold"],
        "probable_cause_basis": ["removal_proceedings"],
    },
    "documents": [
        {"kind": "I-200", "signed": True, "signer_role": "immigration_officer"},
        {
            "kind": "judicial_warrant",
            "signed": True,
            "signer_role": "magistrate",
            "court": "U.S. District Court for the District of Oregon",
            "court_system": "federal",
            "names_subject": True,
        },
    ],
    "history": [],
    "flags": [],
    "release_eligible_at": None,
}

JUDICIAL_WARRANT_POLICY = b"""schema = 1
name = "Judicial warrant only, 48-hour cap"
jurisdiction = "Example County, OR"
timezone = "America/Los_Angeles"
citation = "Example: Miranda-Olivares v. Clackamas County (D. Or. 2014)"

[hold]
when = [ { judicial_warrant = true } ]
max_hours = 48

[transfer]
when = [ { judicial_warrant = true } ]

[notify]
when = [ { always = true } ]

[review]
triggers = ["citizenship_claim"]
"""


def request_json(**changes: Any) -> str:
    """BASE_REQUEST with dotted-key changes: request_json(**{"subject.name": "X"}).

    A new ``received_at`` moves the detainer's ``issued_at`` with it (35 minutes before, as
    in BASE_REQUEST), unless that is given too: a request cannot reach the jail before ICE
    issued it, and recording refuses one that does."""
    received = changes.get("received_at")
    if isinstance(received, str) and "detainer.issued_at" not in changes:
        with contextlib.suppress(ValueError):
            issued = dt.datetime.fromisoformat(received) - dt.timedelta(minutes=35)
            changes = {**changes, "detainer.issued_at": issued.isoformat()}
    document = copy.deepcopy(BASE_REQUEST)
    for dotted, value in changes.items():
        target = document
        *parents, last = dotted.split(".")
        for part in parents:
            target = target[part]
        target[last] = value
    return json.dumps(document)


STAFF = {
    "admin": frozenset({"admin"}),
    "officer.a": frozenset({"officer"}),
    "officer.b": frozenset({"officer"}),
    "sgt.b": frozenset({"supervisor"}),
    "sgt.c": frozenset({"supervisor"}),
    "counsel.d": frozenset({"counsel"}),
}


def seed_accounts(uow: Any, now: Any) -> None:
    """Accounts for the staff above, straight into the store (no password checks needed by
    the use cases under test, which authorize by current role)."""
    with uow:
        for name, roles in STAFF.items():
            if uow.accounts.user(name) is None:
                uow.accounts.add_user(name, name, "not-a-real-hash", roles, now)
        uow.commit()


def drop_triggers(conn: Any) -> None:
    """What an attacker with the database file (or the PostgreSQL role that owns the
    tables) does first: every trigger protecting the evidence goes."""
    if conn.dialect.name == "postgresql":
        found = conn.exec_driver_sql(
            "SELECT tgname, relname FROM pg_trigger JOIN pg_class ON pg_class.oid = tgrelid "
            "WHERE NOT tgisinternal"
        )
        for trigger, table in list(found):
            conn.exec_driver_sql(f'DROP TRIGGER "{trigger}" ON "{table}"')
        return
    triggers = conn.exec_driver_sql("SELECT name FROM sqlite_master WHERE type = 'trigger'")
    for trigger in list(triggers.scalars()):
        conn.exec_driver_sql(f"DROP TRIGGER {trigger}")


def tamper(runtime: Any, *statements: str) -> None:
    """Change a store's rows by plain SQL (SQLite or PostgreSQL), the triggers dropped
    first."""
    with runtime.engine.begin() as conn:
        drop_triggers(conn)
        for statement in statements:
            conn.exec_driver_sql(statement)


CLI_PASSWORDS = {
    "chief": "admin passphrase one",
    "officer.a": "officer passphrase one",
    "sgt.b": "supervisor passphrase one",
    "counsel.c": "counsel passphrase one",
}
CLI_ROLES = {"officer.a": "officer", "sgt.b": "supervisor", "counsel.c": "counsel"}


def cli_home(run_cli: Any, home: Any, policy: bytes = JUDICIAL_WARRANT_POLICY) -> Any:
    """A data folder under ``home`` with an administrator (chief), an officer, a supervisor
    and counsel (CLI_PASSWORDS), and ``policy`` active: made through the command line."""
    data = str(home / "data")
    first = run_cli(
        "--data-dir", data, "users", "add", "chief", "--role", "admin", "--without-second-factor",
        "--password-stdin",
        stdin=CLI_PASSWORDS["chief"] + "\n",
    )  # fmt: skip
    assert first.code == 0, first.err
    for name, role in CLI_ROLES.items():
        added = run_cli(
            "--data-dir", data, "users", "add", name, "--role", role,
            "--user", "chief", "--password-stdin",
            stdin=f"{CLI_PASSWORDS['chief']}\n{CLI_PASSWORDS[name]}\n",
        )  # fmt: skip
        assert added.code == 0, added.err
    (home / "policy.toml").write_bytes(policy)
    activated = as_user(
        run_cli, home, "policy", "activate", str(home / "policy.toml"), user="chief"
    )
    assert activated.code == 0, activated.err
    return home


def as_user(run_cli: Any, home: Any, *args: str, user: str = "officer.a") -> Any:
    """``detainer-desk --data-dir HOME/data ARGS --user USER`` with the password on stdin."""
    return run_cli(
        "--data-dir", str(home / "data"), *args, "--user", user, "--password-stdin",
        stdin=CLI_PASSWORDS[user] + "\n",
    )  # fmt: skip


def evidence_counts(home: Any) -> tuple[int, int, int, int]:
    """(requests, decisions, attachments, amendments) in HOME's SQLite store."""
    import sqlite3

    conn = sqlite3.connect(home / "data" / "detainer-desk.sqlite3")
    try:
        return tuple(
            conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
            for table in ("requests", "decisions", "attachments", "amendments")
        )
    finally:
        conn.close()


def _proc_stat() -> dict[int, list[str]]:
    """Each process's /proc/PID/stat fields after the command name (state, ppid, pgrp, ...)."""
    from pathlib import Path

    stats: dict[int, list[str]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stats[int(entry.name)] = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
    return stats


def descendants(pid: int) -> list[int]:
    """Every process below ``pid`` (from /proc)."""
    children: dict[int, list[int]] = {}
    for child, fields in _proc_stat().items():
        children.setdefault(int(fields[1]), []).append(child)
    found, pending = [], [pid]
    while pending:
        for child in children.get(pending.pop(), []):
            found.append(child)
            pending.append(child)
    return found


def processes_in_group(pgid: int) -> list[int]:
    """Every live process of process group ``pgid`` (from /proc; orphans included)."""
    return [pid for pid, fields in _proc_stat().items() if int(fields[2]) == pgid]


def wait_for_exits(pids: list[int], timeout_s: float) -> list[int]:
    """Wait (on pidfds: no polling) until each process has ended; those still running."""
    import contextlib
    import os
    import select
    import time

    fds: dict[int, int] = {}
    for pid in pids:
        with contextlib.suppress(ProcessLookupError):
            fds[os.pidfd_open(pid)] = pid
    deadline = time.monotonic() + timeout_s
    try:
        while fds:
            left = deadline - time.monotonic()
            if left <= 0:
                break
            ready, _, _ = select.select(list(fds), [], [], left)
            for fd in ready:
                os.close(fd)
                del fds[fd]
        return list(fds.values())
    finally:
        for fd in fds:
            os.close(fd)
