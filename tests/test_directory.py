"""Directory sign-in against a real OpenLDAP server (tests/ldap_server.py): binding as the
person over LDAPS and StartTLS, a wrong password, an account disabled in the directory
(refused at once, even after signing in before), groups as roles (and a group taken away),
a server that is down, the wrong certificate or name, plain LDAP refused, and local
accounts kept for break-glass."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

from detainer_desk.paths import resolve_paths
from detainer_desk.runtime import Runtime, open_runtime, utc_now
from detainer_desk.services import accounts as svc
from detainer_desk.services import directory as dirs
from detainer_desk.services.access import RecordError
from detainer_desk.services.ports import Actor, AuditQuery

from .ldap_server import (
    COUNSEL,
    OFFICERS,
    PEOPLE,
    PEOPLE_IN_DIRECTORY,
    SUFFIX,
    SUPERVISORS,
    LdapServer,
    free_port,
)

PASSWORD = "violet harbour lantern"


def password_of(uid: str) -> str:
    return PEOPLE_IN_DIRECTORY[uid][0]


def config_for(server: LdapServer, *, starttls: bool = False) -> dirs.DirectoryConfig:
    return dirs.DirectoryConfig(
        url=server.starttls_url if starttls else server.ldaps_url,
        tls=dirs.STARTTLS if starttls else dirs.LDAPS,
        ca_pem=server.ca_pem,
        bind=f"uid={{user}},{PEOPLE}",
        base=SUFFIX,
        group_roles=(
            (OFFICERS, "officer"),
            ("dd-supervisors", "supervisor"),  # by its common name
            (COUNSEL.upper().replace(",", ", "), "counsel"),  # case and spaces ignored
        ),
    )


@pytest.fixture
def store(tmp_path: Path, ldap_server: LdapServer):
    opened = open_runtime(resolve_paths(tmp_path / "data", environ={}))
    admin = svc.create_first_admin(
        opened.uow(), opened.security(), "chief", "Chief", PASSWORD, "W1", utc_now(),
        require_second_factor=False,
    )  # fmt: skip
    dirs.save_config(opened.uow(), admin, config_for(ldap_server), utc_now())
    yield opened
    opened.close()


def _sign_in(store: Runtime, name: str, password: str) -> Actor:
    return svc.sign_in(store.uow(), store.security(), name, password, "W1", utc_now())


def _trail(store: Runtime, action: str) -> list:
    with store.uow() as uow:
        return list(uow.audit.find(AuditQuery(action=action, limit=100)))


def test_a_directory_account_signs_in_with_its_groups_as_roles(store: Runtime) -> None:
    officer = _sign_in(store, "j.smith", password_of("j.smith"))
    assert officer.roles == frozenset({"officer"})
    sergeant = _sign_in(store, "SGT.Lee", password_of("sgt.lee"))
    assert sergeant.user == "sgt.lee" and sergeant.roles == frozenset({"officer", "supervisor"})
    assert _sign_in(store, "counsel.ray", password_of("counsel.ray")).roles == {"counsel"}
    with store.uow() as uow:
        account = uow.accounts.user("j.smith")
    assert account.directory == f"uid=j.smith,{PEOPLE}"
    assert account.display_name == "J.Smith (directory)"
    created = {e.target: e for e in _trail(store, "account.create")}
    assert created["j.smith"].user_name == dirs.DIRECTORY_ACTOR
    assert json.loads(created["j.smith"].details_json)["roles"] == ["officer"]
    # The directory's password is not kept: the local check can never match it.
    assert account.password_hash == dirs.DIRECTORY_PASSWORD
    signed = [
        json.loads(e.details_json) for e in _trail(store, "sign_in") if e.outcome == "success"
    ]
    assert all(details.get("directory") for details in signed if details)


def test_a_wrong_password_is_refused_and_counted(store: Runtime) -> None:
    with pytest.raises(svc.SignInError, match="Wrong user name or password"):
        _sign_in(store, "j.smith", "not the password")
    with pytest.raises(svc.SignInError, match="Wrong user name or password"):
        _sign_in(store, "nobody.here", "whatever it is")
    with pytest.raises(svc.SignInError):  # an empty password is never an anonymous bind
        _sign_in(store, "j.smith", "")
    with store.uow() as uow:
        assert uow.accounts.user("j.smith") is None  # made only by a successful bind
    failures = [e for e in _trail(store, "sign_in") if e.outcome == "failure"]
    assert {e.user_name for e in failures} == {"j.smith", "nobody.here"}


def test_an_account_disabled_in_the_directory_is_refused_at_once(
    store: Runtime, ldap_server: LdapServer
) -> None:
    assert _sign_in(store, "r.gone", password_of("r.gone")).roles == {"officer"}
    # They leave: IT disables the directory account (ppolicy's administrative lock, the
    # OpenLDAP equivalent of Active Directory's "account disabled").
    ldap_server.modify(
        f"dn: uid=r.gone,{PEOPLE}\nchangetype: modify\nadd: pwdAccountLockedTime\n"
        "pwdAccountLockedTime: 000001010000Z\n"
    )
    try:
        with pytest.raises(svc.SignInError, match="disabled or locked"):
            _sign_in(store, "r.gone", password_of("r.gone"))
        refused = next(e for e in _trail(store, "sign_in") if e.user_name == "r.gone")
        assert json.loads(refused.details_json)["why"] == "disabled in the directory"
    finally:
        ldap_server.modify(
            f"dn: uid=r.gone,{PEOPLE}\nchangetype: modify\ndelete: pwdAccountLockedTime\n"
        )
    assert _sign_in(store, "r.gone", password_of("r.gone")).roles == {"officer"}


def test_a_group_taken_away_changes_the_roles_on_the_record(
    store: Runtime, ldap_server: LdapServer
) -> None:
    assert _sign_in(store, "sgt.lee", password_of("sgt.lee")).roles == {"officer", "supervisor"}
    ldap_server.modify(
        f"dn: {SUPERVISORS}\nchangetype: modify\ndelete: member\nmember: uid=sgt.lee,{PEOPLE}\n"
    )
    try:
        assert _sign_in(store, "sgt.lee", password_of("sgt.lee")).roles == {"officer"}
    finally:
        ldap_server.modify(
            f"dn: {SUPERVISORS}\nchangetype: modify\nadd: member\nmember: uid=sgt.lee,{PEOPLE}\n"
        )
    change = next(e for e in _trail(store, "account.roles") if e.target == "sgt.lee")
    assert change.user_name == dirs.DIRECTORY_ACTOR
    details = json.loads(change.details_json)
    assert (details["before"], details["after"]) == (["officer", "supervisor"], ["officer"])


def test_someone_whose_groups_give_no_role_is_refused(store: Runtime) -> None:
    with pytest.raises(svc.SignInError, match="none of your directory groups"):
        _sign_in(store, "cook", password_of("cook"))
    with store.uow() as uow:
        assert uow.accounts.user("cook") is None


def test_starttls_works_and_the_wrong_name_or_authority_is_refused(
    store: Runtime, ldap_server: LdapServer
) -> None:
    directory = store.security().directory
    assert directory is not None
    starttls = config_for(ldap_server, starttls=True)
    person = directory.authenticate(starttls, "j.smith", password_of("j.smith"))
    assert person.dn == f"uid=j.smith,{PEOPLE}"
    for config in (
        dataclasses.replace(starttls, url=starttls.url.replace("127.0.0.1", "localhost")),
        dataclasses.replace(
            config_for(ldap_server), url=f"ldaps://localhost:{ldap_server.ldaps_port}"
        ),
        dataclasses.replace(config_for(ldap_server), ca_pem=""),  # the system's CAs: untrusted
    ):
        with pytest.raises(dirs.DirectoryUnavailable, match="certificate"):
            directory.authenticate(config, "j.smith", password_of("j.smith"))


def test_plain_ldap_is_refused_before_anything_is_sent(
    store: Runtime, ldap_server: LdapServer
) -> None:
    plain = dataclasses.replace(config_for(ldap_server), url=ldap_server.starttls_url, tls="ldaps")
    assert "plain connection" in " ".join(dirs.config_problems(plain).values())
    with pytest.raises(RecordError, match="plain connection"):
        dirs.save_config(store.uow(), Actor("chief", "W1"), plain, utc_now())
    # And the client itself will not bind on it, whatever the settings say.
    directory = store.security().directory
    assert directory is not None
    with pytest.raises(dirs.DirectoryUnavailable):
        directory.authenticate(plain, "j.smith", password_of("j.smith"))


def test_a_server_that_is_down_is_a_plain_message_and_locals_still_sign_in(
    store: Runtime, ldap_server: LdapServer
) -> None:
    admin = _sign_in(store, "chief", PASSWORD)
    down = dataclasses.replace(config_for(ldap_server), url=f"ldaps://127.0.0.1:{free_port()}")
    dirs.save_config(store.uow(), admin, down, utc_now())
    with pytest.raises(svc.SignInError, match="cannot be reached"):
        _sign_in(store, "j.smith", password_of("j.smith"))
    refused = next(e for e in _trail(store, "sign_in") if e.user_name == "j.smith")
    assert refused.outcome == "denied"  # not the person's doing: no step towards a lockout
    assert _sign_in(store, "chief", PASSWORD).user == "chief"  # break-glass still works


def test_a_local_account_is_never_sent_to_the_directory(
    store: Runtime, ldap_server: LdapServer
) -> None:
    admin = _sign_in(store, "chief", PASSWORD)
    # A local account with a directory person's name: the local password decides.
    svc.add_user(
        store.uow(), store.security(), admin, "j.smith", "J", ["officer"], PASSWORD, utc_now()
    )
    with pytest.raises(svc.SignInError):
        _sign_in(store, "j.smith", password_of("j.smith"))
    assert _sign_in(store, "j.smith", PASSWORD).roles == {"officer"}


def test_the_directory_commands(
    store: Runtime, ldap_server: LdapServer, run_cli, tmp_path: Path
) -> None:
    data = str(store.paths.data_dir)
    ca = tmp_path / "ca.pem"
    ca.write_text(ldap_server.ca_pem)
    auth = ("--user", "chief", "--password-stdin")
    changed = run_cli(
        "--data-dir", data, "directory", "set", "--url", ldap_server.starttls_url,
        "--ca-file", str(ca), "--group", f"{OFFICERS}=officer", "--group", "dd-supervisors=supervisor",
        *auth, stdin=PASSWORD + "\n",
    )  # fmt: skip
    assert changed.code == 0, changed.err
    assert "StartTLS" in changed.out and "dd-supervisors -> supervisor" in changed.out
    tested = run_cli(
        "--data-dir", data, "directory", "test", "sgt.lee", *auth,
        stdin=f"{PASSWORD}\n{password_of('sgt.lee')}\n",
    )  # fmt: skip
    assert tested.code == 0, tested.err
    assert "Roles here: officer, supervisor" in tested.out
    plain = run_cli(
        "--data-dir", data, "directory", "set", "--url", ldap_server.starttls_url,
        "--tls", "ldaps", *auth, stdin=PASSWORD + "\n",
    )  # fmt: skip
    assert plain.code == 2 and "plain connection" in plain.err
    # A directory account uses the command line like anyone.
    listed = run_cli(
        "--data-dir", data, "log", "--user", "j.smith", "--password-stdin",
        stdin=password_of("j.smith") + "\n",
    )  # fmt: skip
    assert listed.code == 0, listed.err
    off = run_cli("--data-dir", data, "directory", "off", *auth, stdin=PASSWORD + "\n")
    assert off.code == 0
    refused = run_cli(
        "--data-dir", data, "log", "--user", "j.smith", "--password-stdin",
        stdin=password_of("j.smith") + "\n",
    )  # fmt: skip
    assert refused.code == 2 and "not set up here any more" in refused.err


def test_a_name_that_could_inject_into_a_filter_never_reaches_the_directory(
    store: Runtime,
) -> None:
    for name in ("j.smith)(uid=*", "*", "j.smith,ou=people", "uid=j.smith"):
        with pytest.raises(svc.SignInError, match="Wrong user name or password"):
            _sign_in(store, name, password_of("j.smith"))
    refused = [e for e in _trail(store, "sign_in") if e.outcome == "failure"]
    assert {json.loads(e.details_json)["why"] for e in refused} == {"not a user name"}
