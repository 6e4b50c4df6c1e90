"""A PostgreSQL server that is not durable (fsync, full_page_writes or synchronous_commit
off) or reached without TLS is used with a plain warning: on standard error once per
command, in the window's banner (the runtime's notices), and in Admin › Database…'s test.
Against the suite's real server: its own cluster runs with fsync=off and
full_page_writes=off (tests/pg.py), synchronous_commit is set per session (in the URL)
and per database, and TLS is switched on for one test with a certificate made here."""

from __future__ import annotations

import datetime as dt
import os
import pwd
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from sqlalchemy.engine import make_url

from detainer_desk.gui.backend import Backend
from detainer_desk.paths import resolve_paths
from detainer_desk.runtime import check_database_url, open_runtime

from .pg import PgServer, libpq_url

pytestmark = pytest.mark.postgresql


def _notices(tmp_path: Path, url: str) -> tuple[str, ...]:
    opened = open_runtime(resolve_paths(tmp_path / "data"), url)
    try:
        return opened.notices
    finally:
        opened.close()


def _with_query(url: str, **query: str) -> str:
    return make_url(url).update_query_dict(query).render_as_string(hide_password=False)


def _session_setting(url: str, name: str, **connect: Any) -> str:
    with psycopg.connect(libpq_url(url), **connect) as conn:
        row = conn.execute(f"SHOW {name}").fetchone()
    assert row is not None
    return str(row[0])


def test_a_server_without_fsync_is_named_in_plain_words(
    tmp_path: Path, own_pg_server: PgServer, pg_url: str, run_cli
) -> None:
    # The suite's own cluster is started with fsync=off and full_page_writes=off.
    assert _session_setting(pg_url, "fsync") == "off"
    notices = _notices(tmp_path, pg_url)
    [durability] = [n for n in notices if "fsync" in n]
    assert "fsync=off, full_page_writes=off" in durability
    assert "loses power or crashes" in durability and "can be lost" in durability
    result = run_cli("--data-dir", str(tmp_path / "data"), "--db", pg_url, "verify")
    assert result.code == 0, result.err
    assert result.err.count("runs with fsync=off") == 1  # once per command


def test_synchronous_commit_off_per_session_or_per_database_is_named(
    tmp_path: Path, pg_server: PgServer, pg_url: str
) -> None:
    assert not any("synchronous_commit" in n for n in _notices(tmp_path, pg_url))
    in_the_url = _with_query(pg_url, options="-c synchronous_commit=off")
    assert make_url(in_the_url).query["options"] == "-c synchronous_commit=off"
    assert (
        _session_setting(pg_url, "synchronous_commit", options="-c synchronous_commit=off") == "off"
    )
    assert any("synchronous_commit=off" in n for n in _notices(tmp_path, in_the_url))
    database = make_url(pg_url).database
    pg_server.execute(f'ALTER DATABASE "{database}" SET synchronous_commit = off')
    [said] = [n for n in _notices(tmp_path, pg_url) if "synchronous_commit=off" in n]
    assert "decisions already reported as recorded can be lost" in said
    pg_server.execute(f'ALTER DATABASE "{database}" SET synchronous_commit = local')
    assert not any("synchronous_commit" in n for n in _notices(tmp_path, pg_url))


def test_a_connection_without_tls_is_named_and_a_local_socket_is_not(
    tmp_path: Path, own_pg_server: PgServer, pg_url: str, qtbot
) -> None:
    over_tcp = _with_query(pg_url, sslmode="disable")
    [unencrypted] = [n for n in _notices(tmp_path, over_tcp) if "TLS" in n]
    assert "not encrypted" in unencrypted and "sslmode=verify-full" in unencrypted
    assert "127.0.0.1" in unencrypted
    # The same server through its Unix socket: nothing crosses a network.
    assert own_pg_server.socket_dir is not None and own_pg_server.port is not None
    database = make_url(pg_url).database
    local = (
        f"postgresql+psycopg://detainer_test@/{database}"
        f"?host={own_pg_server.socket_dir}&port={own_pg_server.port}"
    )
    notices = _notices(tmp_path, local)
    assert notices and not any("TLS" in n for n in notices)
    # Admin › Database… says it when the connection is tested; the banner carries it.
    assert "not encrypted (no TLS)" in check_database_url(over_tcp)
    opened = open_runtime(resolve_paths(tmp_path / "data"), over_tcp)
    try:
        backend = Backend.from_runtime(opened, "W", clock=lambda: dt.datetime.now(dt.UTC))
        assert any("not encrypted" in n for n in backend.notices)
    finally:
        opened.close()


@pytest.fixture
def tls_on(own_pg_server: PgServer, tmp_path: Path) -> Iterator[None]:
    """The suite's server with TLS switched on (a self-signed certificate made here), and
    off again afterwards."""
    assert own_pg_server.data_dir is not None
    _write_certificate(own_pg_server.data_dir)
    own_pg_server.execute("ALTER SYSTEM SET ssl = on")
    own_pg_server.execute("SELECT pg_reload_conf()")
    try:
        _wait_for_tls(own_pg_server, wanted=True)
        yield
    finally:
        own_pg_server.execute("ALTER SYSTEM RESET ssl")
        own_pg_server.execute("SELECT pg_reload_conf()")
        _wait_for_tls(own_pg_server, wanted=False)


def test_a_tls_connection_is_not_named(tmp_path: Path, tls_on: None, pg_url: str) -> None:
    encrypted = _with_query(pg_url, sslmode="require")
    with psycopg.connect(libpq_url(encrypted)) as conn:
        assert conn.pgconn.ssl_in_use
    notices = _notices(tmp_path, encrypted)
    assert not any("TLS" in n for n in notices)
    assert any("fsync=off" in n for n in notices)  # the rest is still said


def _write_certificate(data_dir: Path) -> None:
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = dt.datetime.now(dt.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .sign(key, hashes.SHA256())
    )
    files = {
        "server.crt": certificate.public_bytes(serialization.Encoding.PEM),
        "server.key": key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ),
    }
    owner = data_dir.stat()
    for file_name, data in files.items():
        path = data_dir / file_name
        path.write_bytes(data)
        path.chmod(0o600)
        if os.geteuid() == 0:  # the server runs as its own account and must read them
            os.chown(path, owner.st_uid, owner.st_gid)
    assert pwd.getpwuid(owner.st_uid)  # an account that exists


def _wait_for_tls(server: PgServer, *, wanted: bool) -> None:
    """Until new connections see the reloaded configuration (the reload is asynchronous):
    asks the server itself, a connection at a time, for at most 30 seconds."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        with psycopg.connect(libpq_url(server.admin_url)) as conn:
            row = conn.execute("SHOW ssl").fetchone()
        if row is not None and (row[0] == "on") == wanted:
            return
    raise AssertionError(f"the server did not turn TLS {'on' if wanted else 'off'}")
