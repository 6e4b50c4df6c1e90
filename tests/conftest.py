"""Shared test set-up. Qt runs offscreen: no display is needed, here or in CI."""

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import io
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from detainer_desk.cli import main as cli_main

REPO_ROOT = Path(__file__).resolve().parents[1]


@dataclass
class CliResult:
    code: int
    out: str
    err: str


@pytest.fixture
def run_cli() -> Callable[..., CliResult]:
    """Run ``detainer-desk ARGS`` in this process, capturing its output."""

    def run(*args: str, stdin: str = "") -> CliResult:
        out, err = io.StringIO(), io.StringIO()
        code = cli_main(list(args), out=out, err=err, stdin=io.StringIO(stdin))
        return CliResult(code, out.getvalue(), err.getvalue())

    return run


@pytest.fixture
def runtime(tmp_path: Path):
    """A real record store in a SQLite file under tmp_path, migrated to head."""
    from detainer_desk.paths import resolve_paths
    from detainer_desk.runtime import open_runtime

    opened = open_runtime(resolve_paths(tmp_path / "data"))
    yield opened
    opened.close()


# -- the two databases: SQLite and PostgreSQL ---------------------------------------------


@pytest.fixture(scope="session")
def pg_server():
    """The session's PostgreSQL server (tests/pg.py). Skipped when none can be started,
    except in CI (CI=true), where that is a failure: those tests must run there."""
    import contextlib

    from .pg import PostgresUnavailable, session_server

    with contextlib.ExitStack() as stack:
        try:
            server = stack.enter_context(session_server())
        except PostgresUnavailable as exc:
            if os.environ.get("CI", "").lower() == "true":
                pytest.fail(f"PostgreSQL is required in CI and could not be started: {exc}")
            pytest.skip(f"no PostgreSQL server for the tests: {exc}")
        yield server


@pytest.fixture
def own_pg_server(pg_server):
    """The suite's own PostgreSQL server, which a test may stop and start again."""
    if not pg_server.owned:
        pytest.skip(
            "stopping the server needs the suite's own cluster, not DETAINER_DESK_TEST_PG_URL"
        )
    yield pg_server
    if pg_server.pg_ctl("status", check=False).returncode != 0:
        pg_server.start()  # a test that stopped it and failed must not take the rest down


@pytest.fixture
def pg_url(pg_server):
    """A fresh, empty PostgreSQL database for one test."""
    url = pg_server.create_database()
    yield url
    pg_server.drop_database(url)


BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgresql)]


@pytest.fixture(params=BACKENDS)
def db_url(request, tmp_path: Path) -> str:
    """A fresh, empty database on each backend in turn (a SQLite file; a PostgreSQL database)."""
    if request.param == "sqlite":
        from detainer_desk.adapters.db.probe import sqlite_url

        (tmp_path / "data").mkdir(exist_ok=True)
        return sqlite_url(tmp_path / "data" / "detainer-desk.sqlite3")
    return request.getfixturevalue("pg_url")


@pytest.fixture
def db_runtime(tmp_path: Path, db_url: str):
    """A real record store, migrated to head, on each backend in turn."""
    from detainer_desk.paths import resolve_paths
    from detainer_desk.runtime import open_runtime

    opened = open_runtime(resolve_paths(tmp_path / "data"), db_url)
    yield opened
    opened.close()


# -- a directory server (OpenLDAP's slapd) --------------------------------------------------


@pytest.fixture(scope="session")
def ldap_server(tmp_path_factory: pytest.TempPathFactory):
    """The session's OpenLDAP server (tests/ldap_server.py). Skipped when slapd cannot be
    started, except in CI (CI=true), where that is a failure, as for PostgreSQL."""
    import contextlib

    from .ldap_server import LdapUnavailable, session_ldap_server

    with contextlib.ExitStack() as stack:
        try:
            server = stack.enter_context(session_ldap_server(tmp_path_factory.mktemp("slapd")))
        except LdapUnavailable as exc:
            if os.environ.get("CI", "").lower() == "true":
                pytest.fail(f"slapd is required in CI and could not be started: {exc}")
            pytest.skip(f"no LDAP server for the tests: {exc}")
        yield server


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # Every test that touches the PostgreSQL server carries the marker, so that
    # `-m 'not postgresql'` runs the rest without starting one.
    for item in items:
        if "pg_server" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.postgresql)
        if "ldap_server" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.ldap)
