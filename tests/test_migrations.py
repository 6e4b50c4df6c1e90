"""Migrations, on both databases: one head, in step with the code, matching the models,
reversible, and an older store full of records upgrades with its chain intact."""

from __future__ import annotations

import datetime as dt
import shutil
import sqlite3
import time
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, func, insert, inspect, select, update

from detainer_desk.adapters.db import chain
from detainer_desk.adapters.db.engine import make_engine
from detainer_desk.adapters.db.ledger import verify_store
from detainer_desk.adapters.db.migrate import (
    HEAD_REVISION,
    KNOWN_REVISIONS,
    alembic_config,
    current_revision,
    downgrade_to,
    upgrade_to,
)
from detainer_desk.adapters.db.probe import sqlite_url
from detainer_desk.adapters.db.schema import (
    EVIDENCE_TABLES,
    chain_head,
    decisions,
    metadata,
    policy_versions,
    requests,
)
from detainer_desk.adapters.db.unit_of_work import SqlUnitOfWork
from detainer_desk.paths import resolve_paths
from detainer_desk.runtime import open_runtime
from detainer_desk.services.index import rebuild_missing_index
from detainer_desk.services.records import name_tokens as words_of

from .conftest import REPO_ROOT
from .helpers import request_json

FIXTURE_DB = REPO_ROOT / "tests" / "fixtures" / "db" / "rev0001-demo-60.sqlite3"
FIRST_EVIDENCE = ("policy_versions", "policy_activations", "requests", "attachments")


@pytest.fixture
def engine(db_url: str):
    made = make_engine(db_url)
    yield made
    made.dispose()


def _triggers(engine: Engine) -> set[str]:
    with engine.connect() as conn:
        if engine.dialect.name == "postgresql":
            query = "SELECT tgname FROM pg_trigger WHERE NOT tgisinternal"
        else:
            query = "SELECT name FROM sqlite_master WHERE type = 'trigger'"
        return set(conn.exec_driver_sql(query).scalars())


def _expected_triggers(engine: Engine) -> set[str]:
    """Append-only evidence, added only as the chain's next entry; a head that only moves
    forward (revision 0006)."""
    if engine.dialect.name == "postgresql":
        kinds = ("append_only", "no_truncate", "in_chain")
        head = {"chain_head_moves_forward", "chain_head_no_truncate"}
    else:
        kinds = ("no_update", "no_delete", "in_chain")
        head = {"chain_head_moves_forward", "chain_head_no_insert", "chain_head_no_delete"}
    return {f"{t.name}_{kind}" for t in EVIDENCE_TABLES for kind in kinds} | head


def test_single_head_matches_the_code(tmp_path: Path) -> None:
    script = ScriptDirectory.from_config(alembic_config(make_engine(sqlite_url(tmp_path / "m"))))
    assert script.get_heads() == [HEAD_REVISION]
    assert {rev.revision for rev in script.walk_revisions()} == set(KNOWN_REVISIONS)


def test_upgrade_from_empty_creates_every_table_and_protects_evidence(engine) -> None:
    assert current_revision(engine) is None
    upgrade_to(engine)
    assert current_revision(engine) == HEAD_REVISION
    with engine.connect() as conn:
        tables = set(inspect(conn).get_table_names())
        head = conn.execute(select(chain_head)).one()
    assert set(metadata.tables) <= tables
    assert (head.last_seq, head.last_hash) == (0, chain.GENESIS_HASH)
    assert _triggers(engine) == _expected_triggers(engine)


def test_models_match_the_migrations(engine) -> None:
    upgrade_to(engine)
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), metadata)
    assert diff == []


def test_downgrade_and_upgrade_round_trip(engine) -> None:
    upgrade_to(engine)
    downgrade_to(engine, "base")
    with engine.connect() as conn:
        assert set(inspect(conn).get_table_names()) <= {"alembic_version"}
    assert _triggers(engine) == set()
    if engine.dialect.name == "postgresql":
        with engine.connect() as conn:
            functions = conn.exec_driver_sql(
                "SELECT count(*) FROM pg_proc WHERE proname = 'detainer_desk_append_only'"
            ).scalar()
        assert functions == 0
    upgrade_to(engine)
    assert current_revision(engine) == HEAD_REVISION
    assert _triggers(engine) == _expected_triggers(engine)


def test_every_step_goes_down_and_up_again(engine) -> None:
    upgrade_to(engine)
    for revision in reversed(KNOWN_REVISIONS[:-1]):
        downgrade_to(engine, revision)
        assert current_revision(engine) == revision
    for revision in KNOWN_REVISIONS[1:]:
        upgrade_to(engine, revision)
        assert current_revision(engine) == revision


def _fill_at_first_revision(engine: Engine, decisions_wanted: int) -> str:
    """Write DECISIONS_WANTED requests and decisions straight into the tables of revision
    0001, chained exactly as chain.append chains them (but in bulk, so it is quick).
    Returns the chain head's hash."""
    stamp = {
        "recorded_at": "2025-06-01T12:00:00.000000Z",
        "recorded_by": "officer.old",
        "workstation": "INTAKE-OLD",
    }
    previous = chain.GENESIS_HASH
    seq = 0

    def chained(table, row: dict[str, object]) -> dict[str, object]:
        nonlocal previous, seq
        seq += 1
        full = {column.name: None for column in table.c} | row | {"seq": seq}
        full.pop("entry_hash")
        full["entry_hash"] = chain.chain_hash(previous, table.name, full)
        previous = str(full["entry_hash"])
        return full

    policy = chained(
        policy_versions,
        {
            "id": 1,
            "sha256": "ab" * 32,
            "name": "An older policy",
            "source_name": "policy.toml",
            "text": "schema = 1\n",
            **stamp,
        },
    )
    request_rows, decision_rows = [], []
    for n in range(1, decisions_wanted + 1):
        request_rows.append(
            chained(
                requests,
                {
                    "id": n,
                    "request_json": request_json(
                        **{
                            "subject.name": f"PERSON, Number {n}",
                            "subject.booking_number": f"OLD-{n:06d}",
                        }
                    ),
                    "subject_name": f"PERSON, Number {n}",
                    "dob": "1980-01-01",
                    "booking_number": f"OLD-{n:06d}",
                    "a_number": None,
                    "form": "I-247A",
                    "received_at": "2025-06-01T11:00:00.000000Z",
                    "release_eligible_at": None,
                    **stamp,
                },
            )
        )
        decision_rows.append(
            chained(
                decisions,
                {
                    "id": n,
                    "request_id": n,
                    "policy_version_id": 1,
                    "outcome": "notify",
                    "tentative_outcome": None,
                    "hold_until": None,
                    "evaluated_at": "2025-06-01T12:00:00.000000Z",
                    "decision_json": f'{{"outcome": "notify", "n": {n}}}',
                    **stamp,
                },
            )
        )
    with engine.begin() as conn:
        conn.execute(insert(policy_versions), [policy])
        conn.execute(insert(requests), request_rows)
        conn.execute(insert(decisions), decision_rows)
        conn.execute(  # the name words, as revision 0001 kept them
            sa.text("INSERT INTO name_tokens (token, request_id) VALUES (:token, :request_id)"),
            [
                {"token": token, "request_id": row["id"]}
                for row in request_rows
                for token in words_of(str(row["subject_name"]))
            ],
        )
        conn.execute(
            update(chain_head).where(chain_head.c.id == 1).values(last_seq=seq, last_hash=previous)
        )
    return previous


def test_ten_thousand_decisions_at_the_first_revision_upgrade_with_the_chain_intact(
    engine,
) -> None:
    started = time.monotonic()
    upgrade_to(engine, KNOWN_REVISIONS[0])
    head_hash = _fill_at_first_revision(engine, 10_000)
    upgrade_to(engine)
    assert current_revision(engine) == HEAD_REVISION
    # What the program does when it opens the store: the decision index (revision 0003) is
    # derived from the evidence, so it is filled then.
    for _ in rebuild_missing_index(lambda: SqlUnitOfWork(engine), dt.datetime.now(dt.UTC)):
        pass
    result = list(verify_store(engine))[-1]
    assert result.fault is None, str(result.fault)
    assert (result.checked, result.last_hash) == (1 + 2 * 10_000, head_hash)
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(decisions)).scalar_one() == 10_000
    print(f"\n10,000 decisions at 0001 -> {HEAD_REVISION}: {time.monotonic() - started:.1f} s")


def test_store_of_the_first_revision_is_backed_up_then_upgraded(tmp_path: Path) -> None:
    paths = resolve_paths(tmp_path / "data")
    paths.data_dir.mkdir(parents=True)
    shutil.copy(FIXTURE_DB, paths.database_file)
    before = sqlite3.connect(paths.database_file)
    old_entries = before.execute("SELECT last_seq FROM chain_head").fetchone()[0]
    before.close()
    now = dt.datetime(2026, 3, 2, 7, 30, tzinfo=dt.UTC)

    opened = open_runtime(paths, now=now)
    try:
        assert current_revision(opened.engine) == HEAD_REVISION
        assert list(verify_store(opened.engine))[-1].fault is None
    finally:
        opened.close()

    backup = paths.backups_dir / "detainer-desk-20260302T073000Z-before-migration-from-0001.sqlite3"
    assert backup.is_file()
    conn = sqlite3.connect(backup)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert conn.execute("SELECT version_num FROM alembic_version").fetchone()[0] == "0001"
        assert conn.execute("SELECT last_seq FROM chain_head").fetchone()[0] == old_entries
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    finally:
        conn.close()
    assert set(FIRST_EVIDENCE) <= tables and "audit_events" not in tables
    copy = make_engine(sqlite_url(backup))
    try:
        assert current_revision(copy) == "0001"  # the backup itself is left as it was
    finally:
        copy.dispose()


def test_name_search_works_on_an_upgraded_store(tmp_path: Path) -> None:
    """Revision 0005 rebuilds the name words with their received times and adds the word
    pairs: a store of the first revision finds every decision by name words after it."""
    from detainer_desk.services.ports import DecisionQuery
    from detainer_desk.services.records import name_tokens as words_of

    paths = resolve_paths(tmp_path / "data")
    paths.data_dir.mkdir(parents=True)
    shutil.copy(FIXTURE_DB, paths.database_file)
    opened = open_runtime(paths)
    try:
        with opened.engine.connect() as conn:
            names: dict[int, str] = dict(
                conn.exec_driver_sql("SELECT id, subject_name FROM requests").fetchall()
            )
            by_request: dict[int, int] = dict(
                conn.exec_driver_sql("SELECT request_id, id FROM decisions").fetchall()
            )
        assert len(names) == 60
        for request_id, name in list(names.items())[:12]:
            words = words_of(name)
            search = " ".join(reversed(words))  # every word, in another order
            expected = {
                by_request[r] for r, other in names.items() if set(words) <= set(words_of(other))
            }
            with opened.uow() as uow:
                found = {
                    d.decision_id
                    for d in uow.records.find_decisions(DecisionQuery(search=search, limit=100))
                }
            assert by_request[request_id] in found and found == expected, search
    finally:
        opened.close()


def _name_rows(engine: Engine) -> tuple[dict[int, set[str]], dict[int, set[tuple[str, str]]]]:
    tokens: dict[int, set[str]] = {}
    pairs: dict[int, set[tuple[str, str]]] = {}
    with engine.connect() as conn:
        for token, request_id in conn.exec_driver_sql("SELECT token, request_id FROM name_tokens"):
            tokens.setdefault(request_id, set()).add(token)
        for token, other, request_id in conn.exec_driver_sql(
            "SELECT token, other, request_id FROM name_pairs"
        ):
            pairs.setdefault(request_id, set()).add((token, other))
    return tokens, pairs


def test_revision_0007_folds_the_name_words_and_keeps_pairs_linear(db_runtime) -> None:
    """A store whose name words were made as revision 0005 made them (case folded only,
    every pair of a long name) gets them rebuilt by the program's one function: accents
    folded, a long name one row per word. Downgrading gives the 0005 words back."""
    from detainer_desk.domain.names import name_index
    from detainer_desk.services.ports import Actor, DecisionQuery
    from detainer_desk.services.records import activate_policy, record_decision

    from .helpers import JUDICIAL_WARRANT_POLICY, request_json, seed_accounts

    now = dt.datetime(2026, 2, 10, 17, 0, tzinfo=dt.UTC)
    seed_accounts(db_runtime.uow(), now)
    activate_policy(db_runtime.uow(), JUDICIAL_WARRANT_POLICY, "p.toml", Actor("admin", "W"), now)
    names: dict[str, Any] = {
        "RODRÍGUEZ, Ana": None,
        "Rodriguez, Luis": None,
        "GARCÍA LÓPEZ DE LA VEGA Y MARTÍNEZ, María José Ana Luisa Carmen Rosa Isabel": None,
    }
    for n, name in enumerate(names):
        recorded = record_decision(
            db_runtime.uow(),
            request_json(**{"subject.name": name, "subject.booking_number": f"B{n}"}),
            "r.json",
            [],
            Actor("officer.a", "W"),
            now,
        )
        names[name] = recorded.request_id
    engine = db_runtime.engine

    downgrade_to(engine, "0005")
    tokens, pairs = _name_rows(engine)
    assert tokens[names["RODRÍGUEZ, Ana"]] == {"rodríguez", "ana"}
    long_name = names["GARCÍA LÓPEZ DE LA VEGA Y MARTÍNEZ, María José Ana Luisa Carmen Rosa Isabel"]
    assert len(pairs[long_name]) == 14 * 13  # every ordered pair, as 0005 kept them

    upgrade_to(engine)
    tokens, pairs = _name_rows(engine)
    for name, request_id in names.items():
        index = name_index(name)
        assert tokens[request_id] == set(index.tokens)
        assert pairs[request_id] == set(index.pairs)
    assert len(pairs[long_name]) == 14  # one row per word
    with db_runtime.uow() as uow:
        for search in ("rodríguez", "RODRIGUEZ", "rodriguez"):
            found = uow.records.find_decisions(DecisionQuery(search=search))
            assert {item.subject_name for item in found} == {"RODRÍGUEZ, Ana", "Rodriguez, Luis"}
        found = uow.records.find_decisions(DecisionQuery(search="josé isabel"))
        assert [item.request_id for item in found] == [long_name]
