"""Migrations: one head, in step with the code, matching the models, reversible."""

from __future__ import annotations

from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect

from detainer_desk.adapters.db.engine import make_engine, sqlite_url
from detainer_desk.adapters.db.migrate import (
    HEAD_REVISION,
    KNOWN_REVISIONS,
    alembic_config,
    current_revision,
    downgrade_to,
    upgrade_to,
)
from detainer_desk.adapters.db.schema import EVIDENCE_TABLES, metadata


def _engine(tmp_path: Path):
    return make_engine(sqlite_url(tmp_path / "m.sqlite3"))


def test_single_head_matches_the_code(tmp_path: Path) -> None:
    script = ScriptDirectory.from_config(alembic_config(_engine(tmp_path)))
    assert script.get_heads() == [HEAD_REVISION]
    assert {rev.revision for rev in script.walk_revisions()} == set(KNOWN_REVISIONS)


def test_models_match_the_migrations(tmp_path: Path) -> None:
    engine = _engine(tmp_path)
    upgrade_to(engine)
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), metadata)
    assert diff == []


def test_downgrade_and_upgrade_round_trip(tmp_path: Path) -> None:
    engine = _engine(tmp_path)
    upgrade_to(engine)
    downgrade_to(engine, "base")
    with engine.connect() as conn:
        assert set(inspect(conn).get_table_names()) <= {"alembic_version"}
    upgrade_to(engine)
    assert current_revision(engine) == HEAD_REVISION
    with engine.connect() as conn:
        triggers = {
            row[0]
            for row in conn.exec_driver_sql("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        }
    assert triggers == {f"{t.name}_no_{a}" for t in EVIDENCE_TABLES for a in ("update", "delete")}
