"""Several workstations recording at the same moment: the chain never forks, no entry is
lost or duplicated, and verification passes. Each workstation is its own process using
the real services, as the program would."""

from __future__ import annotations

import datetime as dt
import itertools
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select

from detainer_desk.adapters.db.ledger import verify_store
from detainer_desk.adapters.db.schema import audit_events, decisions, requests
from detainer_desk.paths import resolve_paths
from detainer_desk.runtime import open_runtime
from detainer_desk.services.ports import Actor
from detainer_desk.services.records import activate_policy

from .conftest import REPO_ROOT
from .helpers import JUDICIAL_WARRANT_POLICY, STAFF, seed_accounts

WORKSTATION = textwrap.dedent(
    """
    import datetime as dt, sys
    sys.path.insert(0, sys.argv[2])
    from detainer_desk.paths import resolve_paths
    from detainer_desk.runtime import open_runtime
    from detainer_desk.services.ports import Actor
    from detainer_desk.services.records import record_decision
    from tests.helpers import request_json

    data_dir, _, url, name, count = sys.argv[1:6]
    runtime = open_runtime(resolve_paths(data_dir), url, keep_daily_backups=0)
    officer = "officer.a" if int(name) % 2 else "officer.b"
    actor = Actor(officer, f"DESK-{name}")
    print("ready", flush=True)
    sys.stdin.readline()  # everyone starts at once
    for n in range(int(count)):
        recorded = record_decision(
            runtime.uow(),
            request_json(**{"subject.booking_number": f"W{name}-{n}"}),
            "r.json", [], actor, dt.datetime.now(dt.UTC),
        )
        print(recorded.decision_id, flush=True)
    runtime.close()
    """
)
# one entry per account seeded (accounts are evidence), the policy version, its activation,
# and the audit event of it
SETUP_ENTRIES = len(STAFF) + 3
PER_DECISION = 3  # the request, the decision, and the audit event of it


def _prepare(data_dir: Path, url: str) -> None:
    runtime = open_runtime(resolve_paths(data_dir), url)
    now = dt.datetime.now(dt.UTC)
    seed_accounts(runtime.uow(), now)
    activate_policy(runtime.uow(), JUDICIAL_WARRANT_POLICY, "p.toml", Actor("admin", "T"), now)
    runtime.close()


def run_workstations(data_dir: Path, url: str, workers: int, each: int) -> dict[str, float]:
    """WORKERS processes record EACH decisions at once; checks everything; returns timings."""
    _prepare(data_dir, url)
    children = [
        subprocess.Popen(
            [
                sys.executable,
                "-c",
                WORKSTATION,
                str(data_dir),
                str(REPO_ROOT),
                url,
                str(i),
                str(each),
            ],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for i in range(workers)
    ]
    try:
        for child in children:
            assert child.stdout is not None and child.stdout.readline().strip() == "ready"
        started = time.monotonic()
        for child in children:
            assert child.stdin is not None
            child.stdin.write("go\n")
            child.stdin.flush()
        outputs = [child.communicate(timeout=600) for child in children]
        elapsed = time.monotonic() - started
    finally:
        for child in children:
            if child.poll() is None:
                child.kill()
                child.wait()
    reported: list[int] = []
    for child, (out, err) in zip(children, outputs, strict=True):
        assert child.returncode == 0, err
        assert "Traceback" not in err, err
        reported += [int(line) for line in out.split()]

    total = workers * each
    assert len(reported) == total and len(set(reported)) == total, "a decision id was repeated"
    runtime = open_runtime(resolve_paths(data_dir), url, keep_daily_backups=0)
    try:
        with runtime.engine.connect() as conn:
            stored = set(conn.execute(select(decisions.c.id)).scalars())
            bookings = conn.execute(select(func.count(requests.c.booking_number.distinct())))
            n_bookings = bookings.scalar_one()
            workstations = list(
                conn.execute(select(decisions.c.workstation).order_by(decisions.c.seq)).scalars()
            )
            n_audit = conn.execute(select(func.count()).select_from(audit_events)).scalar_one()
        assert stored == set(reported) and len(stored) == total
        assert n_bookings == total
        assert n_audit == 1 + total
        result = list(verify_store(runtime.engine))[-1]
        assert result.fault is None, str(result.fault)
        assert result.checked == SETUP_ENTRIES + PER_DECISION * total
    finally:
        runtime.close()
    # They really did write at the same time: the chain interleaves the workstations.
    switches = sum(1 for a, b in itertools.pairwise(workstations) if a != b)
    assert switches >= workers - 1
    return {"seconds": elapsed, "per_second": total / elapsed, "switches": switches}


@pytest.mark.postgresql
def test_four_workstations_record_a_thousand_decisions_on_postgresql(
    tmp_path: Path, pg_url: str
) -> None:
    figures = run_workstations(tmp_path / "data", pg_url, workers=4, each=250)
    print(
        f"\nPostgreSQL, 4 x 250 at once: 1000 decisions in {figures['seconds']:.1f} s "
        f"({figures['per_second']:.0f}/s), {figures['switches']} workstation switches, "
        "chain verified"
    )


def test_two_workstations_record_at_once_on_sqlite(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'data' / 'detainer-desk.sqlite3'}"
    figures = run_workstations(tmp_path / "data", url, workers=2, each=100)
    print(
        f"\nSQLite, 2 x 100 at once: 200 decisions in {figures['seconds']:.1f} s, "
        f"{figures['switches']} workstation switches, chain verified"
    )


def test_two_workstations_saving_the_same_new_setting_take_turns(db_runtime) -> None:
    """Working state (accounts, settings) is written under the same writers' lock as the
    chain: the second writer waits, then updates the row the first inserted, instead of
    inserting it again."""
    import threading

    from sqlalchemy.exc import DBAPIError

    from detainer_desk.services.access import RecordError

    now = dt.datetime(2026, 2, 10, 17, 0, tzinfo=dt.UTC)
    first, second = db_runtime.uow(), db_runtime.uow()
    outcome: dict[str, object] = {}

    def other_workstation() -> None:
        try:
            with second:
                second.accounts.set_setting("session_timeout_minutes", "20", now, "admin.b")
                second.commit()
            outcome["saved"] = True
        except (DBAPIError, RecordError) as exc:  # reported to the test below
            outcome["error"] = exc

    with first:
        first.accounts.set_setting("session_timeout_minutes", "10", now, "admin.a")
        racer = threading.Thread(target=other_workstation)
        racer.start()
        racer.join(0.5)
        assert racer.is_alive(), "the second writer should wait for the first"
        first.commit()
    racer.join(30)
    assert outcome == {"saved": True}
    with db_runtime.uow() as uow:
        assert uow.accounts.setting("session_timeout_minutes") == "20"
