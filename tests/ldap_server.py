"""A throwaway OpenLDAP server (Debian's ``slapd``) for the directory sign-in tests.

The session starts one ``slapd`` in a folder of pytest's own temporary space, listening on
127.0.0.1 only, on free ports: LDAPS, plain LDAP (for StartTLS, and to show that a plain
bind is refused by the program before it is sent) and a Unix socket for the test's own
changes. Its certificates are made by the test with ``cryptography``: a certificate
authority and a server certificate for the address 127.0.0.1 only (so ``localhost`` is the
wrong name). The configuration is a ``slapd.conf`` with the mdb backend and the password
policy overlay (``ppolicy``: ``pwdAccountLockedTime`` of 000001010000Z is an account an
administrator disabled, OpenLDAP's equivalent of Active Directory's disabled flag). People
and groups are loaded with ``slapadd`` before the server starts. The server is stopped and
its folder removed at the end of the session; a system ``slapd`` (Debian starts one when
the package is installed) is neither used nor disturbed: other ports, other folder.

Run as root, slapd runs as root (it is given no ``-u``): it only binds ports above 1024 on
127.0.0.1 and reads and writes its own temporary folder.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import shutil
import signal
import socket
import subprocess
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

SUFFIX = "dc=county,dc=example"
ROOT_DN = f"cn=admin,{SUFFIX}"
ROOT_PASSWORD = "not-a-secret-test-only"
PEOPLE = f"ou=people,{SUFFIX}"
GROUPS = f"ou=groups,{SUFFIX}"
OFFICERS = f"cn=dd-officers,{GROUPS}"
SUPERVISORS = f"cn=dd-supervisors,{GROUPS}"
COUNSEL = f"cn=dd-counsel,{GROUPS}"
OTHERS = f"cn=canteen,{GROUPS}"
# People: uid -> (password, groups)
PEOPLE_IN_DIRECTORY = {
    "j.smith": ("Directory pass phrase 1", (OFFICERS,)),
    "sgt.lee": ("Sergeant's pass phrase 2", (OFFICERS, SUPERVISORS)),
    "r.gone": ("Leaver pass phrase 3", (OFFICERS,)),
    "cook": ("Canteen pass phrase 4", (OTHERS,)),
    "counsel.ray": ("Counsel pass phrase 5", (COUNSEL,)),
    "sgt.kim": ("Sergeant pass phrase 6", (SUPERVISORS,)),
}


class LdapUnavailable(Exception):
    """No slapd could be started; the message says why."""


@dataclass
class LdapServer:
    folder: Path
    ldaps_port: int
    ldap_port: int
    ca_pem: str
    process_id: int

    @property
    def ldaps_url(self) -> str:
        return f"ldaps://127.0.0.1:{self.ldaps_port}"

    @property
    def starttls_url(self) -> str:
        return f"ldap://127.0.0.1:{self.ldap_port}"

    @property
    def socket_url(self) -> str:
        return "ldapi://" + urllib.parse.quote(str(self.folder / "ldapi"), safe="")

    def modify(self, ldif: str) -> None:
        """Change the directory as its administrator (ldapmodify over the Unix socket)."""
        result = subprocess.run(
            [
                _tool("ldapmodify"),
                "-H",
                self.socket_url,
                "-x",
                "-D",
                ROOT_DN,
                "-w",
                ROOT_PASSWORD,
            ],
            input=ldif,
            capture_output=True,
            text=True,
            check=False,
            timeout=30,
        )
        if result.returncode != 0:
            raise AssertionError(f"ldapmodify failed: {result.stderr}")


def _tool(name: str) -> str:
    for candidate in (shutil.which(name), f"/usr/sbin/{name}", f"/usr/bin/{name}"):
        if candidate and Path(candidate).is_file():
            return candidate
    raise LdapUnavailable(
        f"{name} is not installed: apt-get install slapd ldap-utils (Debian/Ubuntu)"
    )


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def make_certificates(folder: Path) -> str:
    """A certificate authority and a server certificate for 127.0.0.1; the CA's PEM."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    now = dt.datetime.now(dt.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Test county CA")])
    ca = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(hours=1))
        .not_valid_after(now + dt.timedelta(days=2))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    import ipaddress

    server = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")]))
        .issuer_name(ca_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(hours=1))
        .not_valid_after(now + dt.timedelta(days=2))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    ca_pem = ca.public_bytes(serialization.Encoding.PEM)
    (folder / "ca.pem").write_bytes(ca_pem)
    (folder / "server.pem").write_bytes(server.public_bytes(serialization.Encoding.PEM))
    (folder / "server.key").write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.TraditionalOpenSSL,
            serialization.NoEncryption(),
        )
    )
    os.chmod(folder / "server.key", 0o600)
    return ca_pem.decode("ascii")


def _config(folder: Path) -> str:
    modules = "/usr/lib/ldap"
    return f"""\
include /etc/ldap/schema/core.schema
include /etc/ldap/schema/cosine.schema
include /etc/ldap/schema/inetorgperson.schema
include /etc/ldap/schema/nis.schema
include /etc/ldap/schema/msuser.schema
modulepath {modules}
moduleload back_mdb
moduleload ppolicy
pidfile {folder}/slapd.pid
argsfile {folder}/slapd.args
TLSCACertificateFile {folder}/ca.pem
TLSCertificateFile {folder}/server.pem
TLSCertificateKeyFile {folder}/server.key
# A simple bind (a password) only over TLS, or the local socket (ssf 71).
security simple_bind=64
database mdb
maxsize 16777216
suffix "{SUFFIX}"
rootdn "{ROOT_DN}"
rootpw {ROOT_PASSWORD}
directory {folder}/db
overlay ppolicy
ppolicy_default "cn=default,ou=policies,{SUFFIX}"
ppolicy_use_lockout
access to attrs=userPassword by anonymous auth by self auth by * none
access to * by users read by * none
"""


def _entries() -> str:
    parts = [
        f"dn: {SUFFIX}\nobjectClass: dcObject\nobjectClass: organization\no: Test county\ndc: county\n",
        f"dn: {PEOPLE}\nobjectClass: organizationalUnit\nou: people\n",
        f"dn: {GROUPS}\nobjectClass: organizationalUnit\nou: groups\n",
        f"dn: ou=policies,{SUFFIX}\nobjectClass: organizationalUnit\nou: policies\n",
        f"dn: cn=default,ou=policies,{SUFFIX}\nobjectClass: organizationalRole\nobjectClass: pwdPolicy\n"
        "cn: default\npwdAttribute: userPassword\npwdLockout: TRUE\npwdMaxFailure: 0\n",
    ]
    members: dict[str, list[str]] = {}
    for uid, (password, groups) in PEOPLE_IN_DIRECTORY.items():
        dn = f"uid={uid},{PEOPLE}"
        parts.append(
            f"dn: {dn}\nobjectClass: inetOrgPerson\nuid: {uid}\ncn: {uid.title()}\n"
            f"sn: {uid.split('.')[-1].title()}\ndisplayName: {uid.title()} (directory)\n"
            f"userPassword: {password}\n"
        )
        for group in groups:
            members.setdefault(group, []).append(dn)
    for group, dns in members.items():
        cn = group.split(",")[0].split("=")[1]
        lines = "".join(f"member: {dn}\n" for dn in dns)
        parts.append(f"dn: {group}\nobjectClass: groupOfNames\ncn: {cn}\n{lines}")
    return "\n".join(parts)


@contextlib.contextmanager
def session_ldap_server(folder: Path) -> Iterator[LdapServer]:
    """Start slapd in ``folder`` (a fresh pytest temporary folder); stop it afterwards."""
    slapd, slapadd = _tool("slapd"), _tool("slapadd")
    _tool("ldapmodify")
    if not Path("/usr/lib/ldap/back_mdb.so").exists():
        raise LdapUnavailable("slapd's mdb backend module is missing (/usr/lib/ldap)")
    (folder / "db").mkdir()
    ca_pem = make_certificates(folder)
    (folder / "slapd.conf").write_text(_config(folder))
    (folder / "entries.ldif").write_text(_entries())
    loaded = subprocess.run(
        [slapadd, "-f", str(folder / "slapd.conf"), "-l", str(folder / "entries.ldif")],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    if loaded.returncode != 0:
        raise LdapUnavailable(f"slapadd failed: {loaded.stderr.strip()}")
    process_id = None
    for attempt in range(5):
        ldaps_port, ldap_port = free_port(), free_port()
        socket_path = urllib.parse.quote(str(folder / "ldapi"), safe="")
        urls = (
            f"ldaps://127.0.0.1:{ldaps_port}/ ldap://127.0.0.1:{ldap_port}/ ldapi://{socket_path}"
        )
        # slapd detaches once it listens (2.5: the parent waits for the child to be ready).
        started = subprocess.run(
            [slapd, "-f", str(folder / "slapd.conf"), "-h", urls],
            capture_output=True,
            text=True,
            check=False,
            timeout=60,
        )
        if started.returncode == 0 and (folder / "slapd.pid").exists():
            process_id = int((folder / "slapd.pid").read_text().split()[0])
            _wait_listening(process_id, (ldaps_port, ldap_port))
            break
        if attempt == 4:
            raise LdapUnavailable(f"slapd did not start: {started.stderr.strip()}")
    assert process_id is not None
    server = LdapServer(folder, ldaps_port, ldap_port, ca_pem, process_id)
    try:
        yield server
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.kill(process_id, signal.SIGTERM)
        _wait_gone(process_id)


def _wait_listening(process_id: int, ports: tuple[int, ...]) -> None:
    """Until slapd accepts connections on every port (its parent may return a moment
    before the listeners are open), at most 30 s."""
    import time

    deadline = time.monotonic() + 30
    waiting = list(ports)
    while waiting and time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", waiting[0]), timeout=5).close()
            waiting.pop(0)
        except OSError:
            os.kill(process_id, 0)  # still running (ProcessLookupError if it died)
            time.sleep(0.02)
    if waiting:
        raise LdapUnavailable("slapd did not open its ports within 30 seconds")


def _wait_gone(process_id: int) -> None:
    """Until slapd has exited (it was sent SIGTERM), at most 30 s."""
    import time

    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            os.kill(process_id, 0)
        except ProcessLookupError:
            return
        time.sleep(0.02)
    with contextlib.suppress(ProcessLookupError):
        os.kill(process_id, signal.SIGKILL)
