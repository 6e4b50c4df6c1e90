"""Benchmark (outside the default run: ``uv run pytest -m bench -s``): how long a sign-in
takes to be refused, for an account that exists (wrong password), one that does not, and a
name that is no user name, on a real store with the real argon2id hasher.

Goal (issue 14): the same time for all three (within the noise, a few per cent), so the
time does not tell which user names exist; the refusal of an existing account is the
baseline, measured in the same run. Before, a missing account was refused in ~3 ms and an
existing one in ~30 ms. The figures are printed, not asserted.
"""

from __future__ import annotations

import datetime as dt
import statistics
import time
from pathlib import Path

import pytest

from detainer_desk.paths import resolve_paths
from detainer_desk.runtime import open_runtime
from detainer_desk.services import accounts as svc
from detainer_desk.services.ports import Actor

pytestmark = pytest.mark.bench
NOW = dt.datetime(2026, 2, 10, 17, 0, tzinfo=dt.UTC)
PASSWORD = "a long enough passphrase"


def test_refusal_takes_the_same_time_whether_the_account_exists(tmp_path: Path) -> None:
    store = open_runtime(resolve_paths(tmp_path / "data"))
    try:
        security = store.security()
        svc.create_first_admin(
            store.uow(), security, "chief", "Chief", PASSWORD, "W", NOW, require_second_factor=False
        )
        svc.add_user(
            store.uow(), security, Actor("chief", "W"), "j.smith", "J", ["officer"], PASSWORD, NOW
        )
        names = {"existing": "j.smith", "missing": "no.such.person", "not a name": "\x1b[2J"}
        times: dict[str, list[float]] = {label: [] for label in names}
        # Interleaved rounds, spread out in time so that no lock is reached (4 per account
        # per 15 minutes is below the 5 that lock).
        for round_number in range(12):
            when = NOW + dt.timedelta(minutes=16 * round_number)
            for label, name in names.items():
                start = time.perf_counter()
                with pytest.raises(svc.SignInError):
                    svc.sign_in(store.uow(), security, name, "wrong guess", "W", when)
                times[label].append((time.perf_counter() - start) * 1000)
        baseline = statistics.median(times["existing"])
        print("\nrefusing a sign-in (median of 12; goal: the same for all three)")
        for label, measured in times.items():
            median = statistics.median(measured)
            print(
                f"  {label:12} {median:6.1f} ms  ({median / baseline:4.2f}x the existing account)"
            )
    finally:
        store.close()
