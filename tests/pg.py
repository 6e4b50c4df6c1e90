"""A throwaway PostgreSQL server for the test suite.

The session starts one cluster (``initdb`` + ``pg_ctl``) in a temporary folder, listening
on 127.0.0.1 on a free port and on a Unix socket in that folder, and removes it at the end.
When the tests run as root, the server runs as the ``postgres`` operating-system user
(PostgreSQL refuses to run as root). Each test gets a database of its own.

``DETAINER_DESK_TEST_PG_URL`` (for example
``postgresql+psycopg://me:secret@127.0.0.1:5432/postgres``) points the tests at a server
of your own instead; its role must be allowed to create databases. Tests that stop and
start the server need the suite's own cluster and are skipped then.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import psycopg
from sqlalchemy.engine import URL, make_url

URL_ENV_VAR = "DETAINER_DESK_TEST_PG_URL"
TEST_ROLE = "detainer_test"
TEST_PASSWORD = "not-a-secret-test-only"
SERVER_OS_USER = "postgres"


class PostgresUnavailable(Exception):
    """No PostgreSQL server could be started or reached; the message says why."""


def find_bindir() -> Path:
    """The folder of initdb/pg_ctl: the newest /usr/lib/postgresql/N/bin, else PATH."""
    candidates = sorted(
        Path("/usr/lib/postgresql").glob("*/bin"),
        key=lambda p: int(p.parent.name) if p.parent.name.isdigit() else 0,
    )
    for candidate in reversed(candidates):
        if (candidate / "initdb").is_file():
            return candidate
    on_path = shutil.which("initdb")
    if on_path:
        return Path(on_path).resolve().parent
    raise PostgresUnavailable(
        "the PostgreSQL server programs (initdb, pg_ctl) are not installed: "
        "apt-get install postgresql (Debian/Ubuntu), or set "
        f"{URL_ENV_VAR} to a server of your own"
    )


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def libpq_url(url: str | URL) -> str:
    """postgresql+psycopg://... as libpq (psql, pg_dump, psycopg) spells it."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


@dataclass
class PgServer:
    """A PostgreSQL server the tests may create databases on."""

    admin_url: URL  # a role that may CREATE DATABASE, connected to an existing database
    bindir: Path | None = None
    data_dir: Path | None = None
    socket_dir: Path | None = None
    port: int | None = None
    _created: list[str] = field(default_factory=list)

    @property
    def owned(self) -> bool:
        """True when this suite started the server (and so may stop and start it)."""
        return self.data_dir is not None

    def url_for(self, database: str) -> str:
        return self.admin_url.set(database=database).render_as_string(hide_password=False)

    def create_database(self, template: str | None = None) -> str:
        """A new, empty database; returns its SQLAlchemy URL."""
        name = f"dd_{uuid.uuid4().hex[:16]}"
        statement = f'CREATE DATABASE "{name}"'
        if template:
            statement += f' TEMPLATE "{template}"'
        self.execute(statement)
        self._created.append(name)
        return self.url_for(name)

    def drop_database(self, url: str) -> None:
        name = make_url(url).database
        self.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def execute(self, statement: str) -> None:
        with psycopg.connect(libpq_url(self.admin_url), autocommit=True, connect_timeout=10) as c:
            c.execute(statement)

    # -- the suite's own cluster ---------------------------------------------------------

    def pg_ctl(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        assert self.bindir and self.data_dir, "only the suite's own server can be controlled"
        command = [str(self.bindir / "pg_ctl"), "-D", str(self.data_dir), *args]
        return _run_as_server_user(command, check=check)

    def stop(self, mode: str = "fast") -> None:
        self.pg_ctl("-m", mode, "-w", "stop")

    def start(self) -> None:
        assert self.socket_dir and self.port
        options = (
            f"-k {self.socket_dir} -h 127.0.0.1 -p {self.port} "
            "-c fsync=off -c full_page_writes=off -c max_connections=60"
        )
        assert self.data_dir is not None
        log = self.data_dir.parent / "server.log"
        self.pg_ctl("-l", str(log), "-o", options, "-w", "-t", "60", "start")

    def wait_until_down(self, deadline_s: float = 30) -> None:
        deadline = time.monotonic() + deadline_s
        while time.monotonic() < deadline:
            status = self.pg_ctl("status", check=False)
            if status.returncode != 0:
                return
            time.sleep(0.05)
        raise PostgresUnavailable("the test server did not stop")


def _server_user() -> pwd.struct_passwd | None:
    """The account to run the server as: postgres when we are root, else ourselves."""
    if os.geteuid() != 0:
        return None
    try:
        return pwd.getpwnam(SERVER_OS_USER)
    except KeyError:
        raise PostgresUnavailable(
            "running as root, and there is no 'postgres' user to run the server as "
            "(PostgreSQL refuses to run as root); install the postgresql package"
        ) from None


def _run_as_server_user(
    command: Sequence[str], check: bool = True
) -> subprocess.CompletedProcess[str]:
    user = _server_user()
    full = list(command)
    if user is not None:
        runuser = shutil.which("runuser")
        if runuser:
            full = [runuser, "-u", user.pw_name, "--", *full]
        else:
            import shlex

            full = ["su", user.pw_name, "-s", "/bin/sh", "-c", shlex.join(full)]
    result = subprocess.run(full, capture_output=True, text=True, check=False, timeout=120)
    if check and result.returncode != 0:
        raise PostgresUnavailable(
            f"{' '.join(command)} failed ({result.returncode}): {result.stderr or result.stdout}"
        )
    return result


def _chown_to_server_user(path: Path) -> None:
    user = _server_user()
    if user is not None:
        os.chown(path, user.pw_uid, user.pw_gid)


def _psql(bindir: Path, socket_dir: Path, port: int, statement: str) -> None:
    psql = bindir / "psql"
    command = [str(psql) if psql.exists() else "psql", "-X", "-q", "-v", "ON_ERROR_STOP=1"]
    command += ["-h", str(socket_dir), "-p", str(port), "-U", "postgres", "-d", "postgres"]
    _run_as_server_user([*command, "-c", statement])


@contextlib.contextmanager
def own_cluster() -> Iterator[PgServer]:
    """Start a PostgreSQL cluster for this test session; stop and remove it afterwards."""
    bindir = find_bindir()
    # The server's own user must reach the folder: as root, use /tmp, whatever TMPDIR says.
    parent = "/tmp" if _server_user() is not None and Path("/tmp").is_dir() else None
    root = Path(tempfile.mkdtemp(prefix="detainer-desk-pg-", dir=parent))
    server: PgServer | None = None
    try:
        root.chmod(0o755)
        _chown_to_server_user(root)
        data_dir, socket_dir = root / "data", root / "socket"
        socket_dir.mkdir()
        _chown_to_server_user(socket_dir)
        _run_as_server_user(
            [
                str(bindir / "initdb"),
                "-D",
                str(data_dir),
                "-U",
                "postgres",
                "--auth-local=trust",
                "--auth-host=scram-sha-256",
                "--no-sync",
                "-E",
                "UTF8",
                "--locale=C",
            ]
        )
        for attempt in range(5):
            port = free_port()
            server = PgServer(
                URL.create(
                    "postgresql+psycopg",
                    username=TEST_ROLE,
                    password=TEST_PASSWORD,
                    host="127.0.0.1",
                    port=port,
                    database="postgres",
                ),
                bindir=bindir,
                data_dir=data_dir,
                socket_dir=socket_dir,
                port=port,
            )
            try:
                server.start()
                break
            except PostgresUnavailable:
                if attempt == 4:
                    raise
        assert server is not None and server.port is not None
        # Separate statements: psql -c runs several in one transaction, and CREATE DATABASE
        # may not run inside one.
        _psql(
            bindir,
            socket_dir,
            server.port,
            f"CREATE ROLE {TEST_ROLE} LOGIN CREATEDB SUPERUSER PASSWORD '{TEST_PASSWORD}'",
        )
        _psql(bindir, socket_dir, server.port, f"CREATE DATABASE {TEST_ROLE} OWNER {TEST_ROLE}")
        yield server
    finally:
        if server is not None and server.owned:
            with contextlib.suppress(PostgresUnavailable, subprocess.TimeoutExpired):
                server.stop("immediate")
        shutil.rmtree(root, ignore_errors=True)


@contextlib.contextmanager
def session_server() -> Iterator[PgServer]:
    """The server the tests use: DETAINER_DESK_TEST_PG_URL if set, else our own cluster."""
    given = os.environ.get(URL_ENV_VAR, "").strip()
    if given:
        server = PgServer(make_url(given))
        try:
            server.execute("SELECT 1")
        except psycopg.Error as exc:
            raise PostgresUnavailable(f"{URL_ENV_VAR} cannot be used: {exc}") from None
        yield server
        return
    with own_cluster() as server:
        yield server
