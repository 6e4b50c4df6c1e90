"""Signing in with the county's directory (LDAP / Active Directory), when an administrator
has set it up.

* Only over TLS: LDAPS (``ldaps://``, port 636) or StartTLS on ``ldap://`` (port 389); a
  plain connection is refused, when the settings are saved and again at every sign-in.
  The server's certificate is checked against the certificate authority saved in the
  settings (or the system's own trusted authorities when none is saved), and its name.
* The person's own name and password are what binds: no service account's password is
  kept anywhere.
* At every sign-in the directory is asked again: an account disabled or locked there,
  or taken out of every group that gives a role here, is refused at once. Its roles here
  are those its directory groups give (the mapping below), updated at every sign-in, and
  each change is in the audit trail.
* Local accounts stay local, for break-glass: a name that is a local account is never sent
  to the directory.

The settings live in the store (shared by every workstation), each change audited:
``directory_url``, ``directory_tls`` ("ldaps" or "starttls"), ``directory_ca`` (PEM text;
empty: the system's trusted authorities), ``directory_bind`` (how a user name becomes the
name to bind as: ``{user}@county.example`` for Active Directory's UPN, or
``uid={user},ou=people,dc=county,dc=example``), ``directory_base`` (where people and groups
are looked up) and ``directory_groups`` (JSON: [[group, role], ...]; a group is its
distinguished name or its common name).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

from detainer_desk.domain import accounts as acc

from .access import RecordError, audit, authorize
from .ports import Actor, UnitOfWork, UserRecord

if TYPE_CHECKING:
    from .accounts import Security

URL_KEY = "directory_url"
TLS_KEY = "directory_tls"
CA_KEY = "directory_ca"
BIND_KEY = "directory_bind"
BASE_KEY = "directory_base"
GROUPS_KEY = "directory_groups"
KEYS = (URL_KEY, TLS_KEY, CA_KEY, BIND_KEY, BASE_KEY, GROUPS_KEY)
LDAPS, STARTTLS = "ldaps", "starttls"
# The password hash of an account the directory signs in: not an argon2 hash, so no
# password typed into the local check can ever match it.
DIRECTORY_PASSWORD = "!directory"
DIRECTORY_ACTOR = "directory"


@dataclass(frozen=True, slots=True)
class DirectoryConfig:
    url: str = ""
    tls: str = LDAPS
    ca_pem: str = ""
    bind: str = ""
    base: str = ""
    group_roles: tuple[tuple[str, str], ...] = ()
    timeout_seconds: float = 5.0

    @property
    def enabled(self) -> bool:
        return bool(self.url.strip())


@dataclass(frozen=True, slots=True)
class DirectoryPerson:
    """Who the directory says signed in."""

    bound_as: str
    dn: str
    display_name: str
    groups: frozenset[str] = field(default_factory=frozenset)


class DirectoryError(RecordError):
    """The directory refused or could not be asked; the message says which, in plain words."""


class DirectoryRefused(DirectoryError):
    """Wrong password, or no such person (the directory does not say which)."""


class DirectoryDisabled(DirectoryError):
    """The person's account is disabled, locked or expired in the directory."""


class DirectoryUnavailable(DirectoryError):
    """The server cannot be reached, its certificate is not trusted, or it refused TLS."""


class DirectoryConnector(Protocol):
    def authenticate(
        self, config: DirectoryConfig, user_name: str, password: str
    ) -> DirectoryPerson: ...


# -- the settings ---------------------------------------------------------------------------


def read_config(uow: UnitOfWork) -> DirectoryConfig:
    """The directory settings (call inside ``with uow``)."""
    values = {key: uow.accounts.setting(key) for key in KEYS}
    return DirectoryConfig(
        url=values[URL_KEY] or "",
        tls=values[TLS_KEY] or LDAPS,
        ca_pem=values[CA_KEY] or "",
        bind=values[BIND_KEY] or "",
        base=values[BASE_KEY] or "",
        group_roles=_groups_from_text(values[GROUPS_KEY]),
    )


def directory_config(uow: UnitOfWork) -> DirectoryConfig:
    with uow:
        return read_config(uow)


def _groups_from_text(text: str | None) -> tuple[tuple[str, str], ...]:
    if not text:
        return ()
    try:
        pairs = json.loads(text)
    except ValueError:
        return ()
    return tuple(
        (str(pair[0]), str(pair[1])) for pair in pairs if isinstance(pair, list) and len(pair) == 2
    )


def config_problems(config: DirectoryConfig) -> dict[str, str]:
    """What is wrong with directory settings, by setting, in plain words (empty: none; a
    config without a server address switches directory sign-in off)."""
    if not config.enabled:
        return {}
    problems: dict[str, str] = {}
    url = config.url.strip()
    scheme, _, rest = url.partition("://")
    host = rest.split("/")[0]
    if scheme.lower() not in ("ldaps", "ldap") or not host:
        problems[URL_KEY] = (
            "the server address must look like ldaps://dc1.county.example or "
            "ldap://dc1.county.example (with StartTLS)"
        )
    elif config.tls not in (LDAPS, STARTTLS):
        problems[TLS_KEY] = "choose LDAPS or StartTLS: a connection without TLS is refused"
    elif scheme.lower() == "ldap" and config.tls != STARTTLS:
        problems[URL_KEY] = (
            "ldap:// is a plain connection: passwords would cross the network readable. Use "
            "ldaps:// or StartTLS"
        )
    elif scheme.lower() == "ldaps" and config.tls != LDAPS:
        problems[TLS_KEY] = "an ldaps:// address is LDAPS: choose LDAPS"
    if "{user}" not in config.bind:
        problems[BIND_KEY] = (
            "say how a user name becomes the name to bind as, with {user} where the name "
            "goes: {user}@county.example (Active Directory) or uid={user},ou=people,dc=..."
        )
    if config.ca_pem.strip() and "-----BEGIN CERTIFICATE-----" not in config.ca_pem:
        problems[CA_KEY] = "the certificate authority must be a PEM certificate (BEGIN CERTIFICATE)"
    if not config.group_roles:
        problems[GROUPS_KEY] = (
            "give at least one directory group and the role it gives (nobody could sign in "
            "otherwise)"
        )
    for group, role in config.group_roles:
        if role not in acc.ROLES:
            problems[GROUPS_KEY] = f"{role!r} is not a role: the roles are {', '.join(acc.ROLES)}"
        elif not group.strip():
            problems[GROUPS_KEY] = "a group name is empty"
    return problems


def save_config(uow: UnitOfWork, actor: Actor, config: DirectoryConfig, now: dt.datetime) -> None:
    """Save (or, with no server address, switch off) directory sign-in. Admin; audited."""
    problems = config_problems(config)
    if problems:
        raise RecordError("; ".join(problems.values()))
    values = {
        URL_KEY: config.url.strip(),
        TLS_KEY: config.tls,
        CA_KEY: config.ca_pem.strip(),
        BIND_KEY: config.bind.strip(),
        BASE_KEY: config.base.strip(),
        GROUPS_KEY: json.dumps([list(pair) for pair in config.group_roles]),
    }
    with uow:
        actor = authorize(uow, actor, acc.MANAGE_SETTINGS, "settings.change", "directory", now)
        changed = {}
        for key, value in values.items():
            before = uow.accounts.setting(key)
            if (before or "") != value and not (before is None and value == ""):
                uow.accounts.set_setting(key, value, now, actor.user)
                # The certificate itself is long: the audit keeps that it changed.
                changed[key] = (
                    {"changed": True} if key == CA_KEY else {"before": before, "after": value}
                )
        if changed:
            audit(uow, actor, "settings.change", "directory", now, details=changed)
        uow.commit()


def roles_from_groups(groups: Iterable[str], mapping: Sequence[tuple[str, str]]) -> frozenset[str]:
    """The roles the directory groups give. A mapping's group is matched by its
    distinguished name (case and spaces after commas ignored) or by its common name."""
    names = set()
    for group in groups:
        names.add(normalize_dn(group))
        first = group.split(",", 1)[0]
        if "=" in first:
            names.add(first.split("=", 1)[1].strip().casefold())
    return frozenset(role for group, role in mapping if normalize_dn(group) in names)


def normalize_dn(dn: str) -> str:
    parts = [part.strip() for part in dn.split(",")]
    return ",".join(
        "=".join(side.strip() for side in part.split("=", 1)) for part in parts
    ).casefold()


# -- at sign-in -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Verdict:
    """What the directory said about a sign-in (None from ask_if_directory_account: the
    name is a local account, or no directory is set up)."""

    found: DirectoryPerson | None = None
    roles: frozenset[str] = frozenset()
    why: str | None = None  # for the audit trail, when refused
    message: str | None = None  # for the person, when refused
    unavailable: bool = False  # not the person's doing: not counted towards a lockout


def ask_if_directory_account(
    uow: UnitOfWork, security: Security, user_name: str, password: str
) -> Verdict | None:
    """Bind to the directory as ``user_name`` when that name is not a local account and a
    directory is set up (or the account was made by the directory)."""
    with uow:
        config = read_config(uow)
        account = uow.accounts.user(user_name)
    if account is not None and account.directory is None:
        return None  # a local account: never sent to the directory
    if not config.enabled:
        if account is not None:  # made by a directory that is no longer set up
            return Verdict(
                why="directory sign-in is switched off",
                message="This account signs in with the county's directory, which is not "
                "set up here any more. Ask an administrator.",
                unavailable=True,
            )
        return None
    if security.directory is None:
        return Verdict(why="no directory client", message="Directory sign-in is not available.")
    if not password:
        # An empty password is an "unauthenticated bind" that many servers accept as
        # anonymous (RFC 4513 5.1.2): never a sign-in.
        return Verdict(why="wrong password", message=None)
    try:
        person = security.directory.authenticate(config, user_name, password)
    except DirectoryDisabled as exc:
        return Verdict(why="disabled in the directory", message=str(exc))
    except DirectoryUnavailable as exc:
        return Verdict(why="directory unavailable", message=str(exc), unavailable=True)
    except DirectoryRefused:
        return Verdict(why="wrong password (directory)")
    roles = roles_from_groups(person.groups, config.group_roles)
    if not roles:
        return Verdict(
            why="no directory group gives a role here",
            message="The directory knows you, but none of your directory groups gives a role "
            "in Detainer Desk. Ask IT to add you to the right group.",
        )
    return Verdict(found=person, roles=roles)


def local_account_for(
    uow: UnitOfWork, verdict: Verdict, user_name: str, workstation: str, now: dt.datetime
) -> UserRecord:
    """The local record of a directory account (made at its first sign-in), with the roles
    its groups give now (each change audited). Inside the sign-in's transaction."""
    person = verdict.found
    assert person is not None
    who = Actor(DIRECTORY_ACTOR, workstation)
    account = uow.accounts.user(user_name)
    if account is None:
        uow.accounts.add_user(
            user_name, person.display_name or user_name, DIRECTORY_PASSWORD, verdict.roles, now
        )
        uow.accounts.update_user(user_name, directory=person.bound_as)
        audit(
            uow,
            who,
            "account.create",
            user_name,
            now,
            details={
                "roles": sorted(verdict.roles),
                "directory": person.bound_as,
                "groups": sorted(person.groups),
            },
        )
    else:
        if account.roles != verdict.roles:
            uow.accounts.update_user(account.name, roles=verdict.roles)
            audit(
                uow,
                who,
                "account.roles",
                account.name,
                now,
                details={
                    "before": sorted(account.roles),
                    "after": sorted(verdict.roles),
                    "why": "directory groups",
                },
            )
        if account.directory != person.bound_as:
            uow.accounts.update_user(account.name, directory=person.bound_as)
    found = uow.accounts.user(user_name)
    assert found is not None
    return found


def try_settings(
    security: Security, config: DirectoryConfig, user_name: str, password: str
) -> tuple[DirectoryPerson, frozenset[str]]:
    """Try settings before saving them (Admin › Directory, 'Test'): who the directory
    says this is, and the roles they would have. DirectoryError in plain words."""
    problems = config_problems(config)
    if problems:
        raise RecordError("; ".join(problems.values()))
    if security.directory is None:
        raise DirectoryUnavailable("Directory sign-in is not available in this program.")
    if not password:
        raise DirectoryRefused("Type the password of the account to test with.")
    name = acc.normalize_user_name(user_name)
    person = security.directory.authenticate(config, name, password)
    return person, roles_from_groups(person.groups, config.group_roles)
