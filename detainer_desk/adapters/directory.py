"""Signing in against an LDAP directory (OpenLDAP, Active Directory) with ``ldap3``.

ldap3 is pure Python: it installs from a wheel on every platform and freezes into the
bundle as it is, where python-ldap needs the OpenLDAP and SASL headers and a compiler (and
has no Windows wheels on PyPI). Its last release is from 2021; what is used here (a simple
bind over TLS, two searches, one request control) is the stable core of LDAPv3.

A sign-in is: connect with TLS (LDAPS, or StartTLS before anything else is sent), the
server's certificate checked against the saved authority and its name against the
address; bind as the person (simple bind: over TLS this is what Active Directory's "LDAP
signing required" accepts, see the README); read their entry and groups as themselves;
unbind. Nothing is kept open between sign-ins.
"""

from __future__ import annotations

import contextlib
import ssl
import urllib.parse
from typing import TYPE_CHECKING, Any

from detainer_desk.services.directory import (
    LDAPS,
    DirectoryConfig,
    DirectoryDisabled,
    DirectoryPerson,
    DirectoryRefused,
    DirectoryUnavailable,
)

if TYPE_CHECKING:
    from ldap3 import Connection, Server

# draft-behera-ldap-password-policy: the request control, and its response's error values.
PPOLICY_OID = "1.3.6.1.4.1.42.2.27.8.5.1"
_PPOLICY_ERRORS = {0: "password expired", 1: "disabled or locked", 2: "must change password first"}
# Active Directory's reasons in a refused bind's diagnostic message ("data 533").
_AD_REASONS = {
    "530": "not allowed to sign in at this time",
    "531": "not allowed to sign in from this workstation",
    "532": "password expired",
    "533": "disabled",
    "701": "expired",
    "773": "must change password first",
    "775": "locked",
}
_AD_DISABLED = 0x2  # userAccountControl ACCOUNTDISABLE
INVALID_CREDENTIALS = 49


class LdapDirectory:
    """``services.directory.DirectoryConnector`` over ldap3."""

    def authenticate(
        self, config: DirectoryConfig, user_name: str, password: str
    ) -> DirectoryPerson:
        if not password:  # an unauthenticated bind (RFC 4513 5.1.2) is never a sign-in
            raise DirectoryRefused("Wrong user name or password.")
        # Imported here: a sign-in with a local account never loads the LDAP client.
        from ldap3 import Connection
        from ldap3.core.exceptions import LDAPException

        bound_as = config.bind.replace("{user}", _bind_value(config.bind, user_name))
        server = _server(config)
        connection = Connection(
            server,
            user=bound_as,
            password=password,
            auto_bind=False,
            raise_exceptions=False,
            read_only=True,
            receive_timeout=max(1, int(config.timeout_seconds)),
        )
        where = _where(config)
        try:
            try:
                connection.open()
                if config.tls != LDAPS and not connection.start_tls():
                    raise DirectoryUnavailable(
                        f"The directory {where} refused StartTLS; nothing was sent without "
                        "encryption. Ask IT, or use LDAPS."
                    )
                bound = connection.bind(controls=[(PPOLICY_OID, False, None)])
            except LDAPException as exc:
                raise DirectoryUnavailable(_unreachable(where, exc)) from None
            if not bound:
                raise _refusal(connection.result, where)
            try:
                return _person(connection, config, user_name, bound_as)
            except LDAPException as exc:
                raise DirectoryUnavailable(_unreachable(where, exc)) from None
        finally:
            with contextlib.suppress(LDAPException):  # closing a connection that broke
                connection.unbind()
            # A connection that never opened keeps its socket (ldap3 does not close it).
            leftover = getattr(connection, "socket", None)
            if leftover is not None:
                with contextlib.suppress(OSError):
                    leftover.close()


def _server(config: DirectoryConfig) -> Server:
    from ldap3 import Server, Tls

    class CheckedTls(Tls):  # type: ignore[misc]  # ldap3 is untyped
        """TLS as Python's ssl module does it by default: TLS 1.2 at least, the
        certificate checked against the authority, and the server's name (or address)
        checked by the ssl module itself (ldap3's own check uses ssl.match_hostname,
        deprecated since Python 3.7 and gone in 3.12)."""

        def wrap_socket(self, connection: Any, do_handshake: bool = False) -> None:
            context = ssl.create_default_context(cadata=ca_pem or None)
            connection.socket = context.wrap_socket(
                connection.socket,
                server_hostname=host,
                do_handshake_on_connect=do_handshake,
            )

    parsed = urllib.parse.urlsplit(config.url.strip())
    scheme = parsed.scheme.lower()
    if scheme not in ("ldap", "ldaps") or not parsed.hostname:
        raise DirectoryUnavailable(f"{config.url!r} is not an ldaps:// or ldap:// address")
    if (scheme == "ldap" and config.tls == LDAPS) or (scheme == "ldaps" and config.tls != LDAPS):
        raise DirectoryUnavailable("the directory settings do not agree on LDAPS or StartTLS")
    host, ca_pem = parsed.hostname, config.ca_pem.strip()
    tls = CheckedTls(validate=ssl.CERT_REQUIRED)
    port = parsed.port or (636 if scheme == "ldaps" else 389)
    return Server(
        parsed.hostname,
        port=port,
        use_ssl=scheme == "ldaps",
        tls=tls,
        get_info="NO_INFO",
        connect_timeout=config.timeout_seconds,
    )


def _where(config: DirectoryConfig) -> str:
    return config.url.strip()


def _bind_value(pattern: str, user_name: str) -> str:
    from ldap3.utils.dn import escape_rdn

    # A distinguished name gets the name escaped as a DN value; a UPN (user@domain) as it is
    # (user names are letters, digits, dots, dashes and underscores already).
    return escape_rdn(user_name) if "=" in pattern else user_name


def _unreachable(where: str, exc: Exception) -> str:
    text = str(exc)
    if "CERTIFICATE_VERIFY_FAILED" in text or "certificate" in text.lower():
        return (
            f"The directory {where} did not show a certificate this program trusts for that "
            "address (wrong certificate authority, or another name). Nothing was sent."
        )
    if "refused" in text.lower():
        return f"The directory {where} cannot be reached (connection refused). Local accounts can still sign in."
    if "timed out" in text.lower() or "timeout" in text.lower():
        return f"The directory {where} did not answer in time. Local accounts can still sign in."
    return (
        f"The directory {where} cannot be reached ({text.splitlines()[0][:120]}). Local "
        "accounts can still sign in."
    )


def _refusal(result: dict[str, Any], where: str) -> Exception:
    code = result.get("result")
    message = str(result.get("message") or "")
    locked = _ppolicy_error(result.get("controls") or {})
    if locked is not None:
        return DirectoryDisabled(
            f"Your directory account is {locked} ({where}): ask IT. Nothing here changed."
        )
    for number, reason in _AD_REASONS.items():
        if f"data {number}" in message:
            return DirectoryDisabled(
                f"Your directory account is {reason} ({where}): ask IT. Nothing here changed."
            )
    if code == INVALID_CREDENTIALS:
        return DirectoryRefused("Wrong user name or password.")
    return DirectoryUnavailable(
        f"The directory {where} refused the sign-in ({result.get('description')}: {message[:120]})."
    )


def _ppolicy_error(controls: dict[str, Any]) -> str | None:
    control = controls.get(PPOLICY_OID)
    if not control:
        return None
    value = control.get("value") if isinstance(control, dict) else None
    if not isinstance(value, bytes | bytearray) or len(value) < 2 or value[0] != 0x30:
        return None
    # PasswordPolicyResponseValue ::= SEQUENCE { warning [0] ... OPTIONAL,
    #                                            error [1] ENUMERATED OPTIONAL }
    position, end = _skip_header(value, 0)
    while position < end:
        tag = value[position]
        start, stop = _skip_header(value, position)
        if tag == 0x81 and stop - start == 1:
            return _PPOLICY_ERRORS.get(value[start], "refused by its password policy")
        position = stop
    return None


def _skip_header(data: bytes | bytearray, position: int) -> tuple[int, int]:
    """(where the value of the TLV at ``position`` starts, where it ends)."""
    length = data[position + 1]
    start = position + 2
    if length & 0x80:
        count = length & 0x7F
        length = int.from_bytes(data[start : start + count], "big")
        start += count
    return start, min(start + length, len(data))


def _person(
    connection: Connection, config: DirectoryConfig, user_name: str, bound_as: str
) -> DirectoryPerson:
    from ldap3 import BASE, SUBTREE
    from ldap3.utils.conv import escape_filter_chars

    attributes = ["cn", "displayName", "memberOf", "userAccountControl", "pwdAccountLockedTime"]
    if "=" in config.bind:
        connection.search(bound_as, "(objectClass=*)", BASE, attributes=attributes)
    else:
        name = escape_filter_chars(user_name)
        upn = escape_filter_chars(bound_as)
        connection.search(
            config.base,
            f"(|(userPrincipalName={upn})(sAMAccountName={name})(uid={name}))",
            SUBTREE,
            attributes=attributes,
            size_limit=2,
        )
    entries = [e for e in connection.response or [] if e.get("type") == "searchResEntry"]
    if len(entries) != 1:
        raise DirectoryRefused(
            "The directory accepted the password but does not show your entry: ask IT."
        )
    entry = entries[0]
    dn = str(entry["dn"])
    values = entry.get("attributes", {})
    control = _first(values.get("userAccountControl"))
    if control is not None and int(control) & _AD_DISABLED:
        raise DirectoryDisabled("Your directory account is disabled: ask IT.")
    if values.get("pwdAccountLockedTime"):
        raise DirectoryDisabled("Your directory account is locked: ask IT.")
    groups = {str(group) for group in values.get("memberOf") or []}
    if config.base:
        dn_value = escape_filter_chars(dn)
        connection.search(
            config.base,
            f"(|(member={dn_value})(uniqueMember={dn_value})"
            f"(memberUid={escape_filter_chars(user_name)}))",
            SUBTREE,
            attributes=["cn"],
        )
        groups.update(
            str(e["dn"]) for e in connection.response or [] if e.get("type") == "searchResEntry"
        )
    display = _first(values.get("displayName")) or _first(values.get("cn")) or user_name
    return DirectoryPerson(bound_as, dn, str(display), frozenset(groups))


def _first(value: Any) -> Any:
    if isinstance(value, list):
        return value[0] if value else None
    return value
