"""Benchmarks (outside the default run: ``uv run pytest -m bench -s``) for issue 17.

* Sign-in with argon2id and a TOTP code, beside a password-only sign-in in the same run
  (the baseline). Goal: the code adds little to the password's argon2 check (under 20 %),
  so the second factor costs no noticeable time at the desk.
* An encrypted backup (copy, check, AES-256-GCM in chunks) beside a plain backup of the
  same store in the same run (the baseline), in MB/s of database. Goal: at least half the
  plain backup's speed; the argon2id key (64 MiB, t=3) is a fixed cost per backup.

The figures are printed, not asserted.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import statistics
import struct
import time
from pathlib import Path

import pytest

from detainer_desk.paths import resolve_paths
from detainer_desk.runtime import open_runtime
from detainer_desk.services import accounts as svc
from detainer_desk.services import second_factor as factors
from detainer_desk.services.ports import Actor

pytestmark = pytest.mark.bench
T0 = dt.datetime(2026, 3, 2, 8, 0, 10, tzinfo=dt.UTC)
PASSWORD = "a long enough passphrase"


def _code(secret: bytes, moment: dt.datetime) -> str:
    mac = hmac.new(secret, struct.pack(">Q", int(moment.timestamp()) // 30), hashlib.sha1).digest()
    offset = mac[-1] & 0x0F
    return str((struct.unpack(">I", mac[offset : offset + 4])[0] & 0x7FFFFFFF) % 10**6).zfill(6)


def test_sign_in_with_a_code_beside_a_password_alone(tmp_path: Path) -> None:
    store = open_runtime(resolve_paths(tmp_path / "data", environ={}))
    try:
        security = store.security()
        admin = svc.create_first_admin(
            store.uow(), security, "chief", "Chief", PASSWORD, "W", T0, require_second_factor=False
        )
        svc.add_user(store.uow(), security, admin, "j.smith", "J", ["officer"], PASSWORD, T0)
        enrolment = factors.new_enrolment(security, "j.smith")
        svc.enrol_at_sign_in(
            store.uow(), security, "j.smith", PASSWORD, enrolment, _code(enrolment.secret, T0),
            "W", T0,
        )  # fmt: skip
        times: dict[str, list[float]] = {"password only": [], "password + code": []}
        for round_number in range(1, 16):
            when = T0 + dt.timedelta(minutes=round_number)  # a new step each time: no replay
            start = time.perf_counter()
            svc.sign_in(store.uow(), security, "chief", PASSWORD, "W", when)
            times["password only"].append((time.perf_counter() - start) * 1000)
            start = time.perf_counter()
            svc.sign_in(
                store.uow(), security, "j.smith", PASSWORD, "W", when, _code(enrolment.secret, when)
            )
            times["password + code"].append((time.perf_counter() - start) * 1000)
        baseline = statistics.median(times["password only"])
        print("\nsigning in (median of 15; goal: the code adds under 20 %)")
        for label, measured in times.items():
            median = statistics.median(measured)
            print(f"  {label:16} {median:6.1f} ms  ({median / baseline:4.2f}x password only)")
    finally:
        store.close()


def test_encrypted_backup_speed_beside_a_plain_one(tmp_path: Path) -> None:
    from detainer_desk.adapters.protect import decrypt_file
    from detainer_desk.services.records import activate_policy, record_decision

    from .helpers import JUDICIAL_WARRANT_POLICY, request_json, seed_accounts

    store = open_runtime(resolve_paths(tmp_path / "data", environ={}), keep_daily_backups=0)
    try:
        seed_accounts(store.uow(), T0)
        officer = Actor("officer.a", "W")
        activate_policy(store.uow(), JUDICIAL_WARRANT_POLICY, "p.toml", Actor("admin", "W"), T0)
        scan = bytes(range(256)) * 4096  # 1 MiB attachment per decision: a store of some size
        from detainer_desk.services.ports import AttachmentIn

        for n in range(60):
            record_decision(
                store.uow(),
                request_json(**{"subject.booking_number": f"B{n}"}),
                "r.json",
                [AttachmentIn(f"scan{n}.pdf", "application/pdf", b"%PDF-1.4\n" + scan)],
                officer,
                T0,
            )
        size = Path(str(store.engine.url.database)).stat().st_size / 1e6
        plain, sealed = [], []
        for n in range(3):
            start = time.perf_counter()
            store.backup_to(tmp_path / f"plain{n}.sqlite3")
            plain.append(time.perf_counter() - start)
            start = time.perf_counter()
            store.protected_backup_to(tmp_path / f"copy{n}.ddprot", "Harbour-7-lantern-Quiet")
            sealed.append(time.perf_counter() - start)
        start = time.perf_counter()
        decrypt_file(
            tmp_path / "copy0.ddprot", tmp_path / "opened.sqlite3", "Harbour-7-lantern-Quiet"
        )
        opened = time.perf_counter() - start
        p, s = statistics.median(plain), statistics.median(sealed)
        print(
            f"\nbackup of a {size:.0f} MB store (median of 3; goal: encrypted at least 0.5x plain)"
        )
        print(f"  plain (copy + check)               {size / p:6.1f} MB/s  ({p:.2f} s)")
        print(
            f"  encrypted (copy + check + AES-GCM) {size / s:6.1f} MB/s  ({s:.2f} s, {p / s:.2f}x plain)"
        )
        print(f"  decrypting it again                {size / opened:6.1f} MB/s  ({opened:.2f} s)")
    finally:
        store.close()
