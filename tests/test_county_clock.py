"""One county clock: the county's timezone is one setting, read through one service; the
policy in force reads times in it. Presets are activated in it, a policy file of another
zone is refused (or, when asked, activated with the county's zone: one line changes), a
new county zone activates the policy in force again in it, in the same audited step.
Commands on a real SQLite file, as an administrator would run them."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from detainer_desk import presets
from detainer_desk.domain.policy import parse_policy, policy_sha256
from detainer_desk.domain.policy_zone import in_zone

from .helpers import JUDICIAL_WARRANT_POLICY, request_json

PASSWORDS = {"chief": "admin passphrase one", "officer.a": "officer passphrase one"}
NEW_YORK_POLICY = JUDICIAL_WARRANT_POLICY.replace(b"America/Los_Angeles", b"America/New_York")


def _cli(run_cli, home: Path, *args: str, user: str = "chief", extra_stdin: str = ""):
    return run_cli(
        "--data-dir",
        str(home / "data"),
        *args,
        "--user",
        user,
        "--password-stdin",
        stdin=PASSWORDS[user] + "\n" + extra_stdin,
    )


@pytest.fixture
def home(tmp_path: Path, run_cli) -> Path:
    """An installation set up by commands: the first administrator, an officer, and the
    county's timezone (Los Angeles) chosen before any policy."""
    data = str(tmp_path / "data")
    first = run_cli(
        "--data-dir", data, "users", "add", "chief", "--role", "admin", "--without-second-factor", "--password-stdin",
        stdin=PASSWORDS["chief"] + "\n",
    )  # fmt: skip
    assert first.code == 0, first.err
    officer = _cli(
        run_cli, tmp_path, "users", "add", "officer.a", "--role", "officer",
        extra_stdin=PASSWORDS["officer.a"] + "\n",
    )  # fmt: skip
    assert officer.code == 0, officer.err
    zone = _cli(run_cli, tmp_path, "settings", "--timezone", "America/Los_Angeles")
    assert zone.code == 0 and "Timezone:     America/Los_Angeles" in zone.out, zone.err
    return tmp_path


def _history(run_cli, home: Path) -> list[str]:
    result = _cli(run_cli, home, "policy", "history")
    assert result.code == 0, result.err
    return [line for line in result.out.splitlines() if line.strip()]


def _active_text(home: Path) -> str:
    from detainer_desk.paths import resolve_paths
    from detainer_desk.runtime import open_runtime
    from detainer_desk.services.records import active_policy

    runtime = open_runtime(resolve_paths(home / "data", environ={}))
    try:
        activation = active_policy(runtime.uow())
        assert activation is not None
        return activation.policy.text
    finally:
        runtime.close()


def test_a_preset_is_activated_in_the_countys_timezone(home: Path, run_cli) -> None:
    shipped = presets.preset_bytes("judicial-warrant-only")
    assert b'timezone = "America/New_York"' in shipped  # the preset's default
    result = _cli(run_cli, home, "policy", "activate", "judicial-warrant-only", "--reason", "r")
    assert result.code == 0, result.err
    assert (
        "In the county's timezone: line 4 reads 'timezone = \"America/Los_Angeles\"' "
        "(was 'timezone = \"America/New_York\"', the preset's default)."
    ) in result.out
    text = _active_text(home)
    # The stored, hashed text is the preset with exactly one line changed.
    changed = [
        (a, b)
        for a, b in zip(shipped.decode().splitlines(), text.splitlines(), strict=True)
        if a != b
    ]
    assert changed == [('timezone = "America/New_York"', 'timezone = "America/Los_Angeles"')]
    sha = re.search(r"sha256 ([0-9a-f]{64})", result.out)
    assert sha and sha[1] == policy_sha256(text.encode()) != policy_sha256(shipped)


def test_policy_activate_refuses_a_file_in_another_timezone(home: Path, run_cli) -> None:
    policy = home / "new-york.toml"
    policy.write_bytes(NEW_YORK_POLICY)
    result = _cli(run_cli, home, "policy", "activate", str(policy))
    assert result.code == 2 and result.out == ""
    assert result.err.splitlines()[-1] + "\n" == (
        f"{policy}: this policy's timezone is America/New_York, but the county's timezone is "
        "America/Los_Angeles. The policy in force must read times in the county's timezone, "
        "so it was not activated: change line 4 from 'timezone = \"America/New_York\"' to "
        "'timezone = \"America/Los_Angeles\"', or activate it with the county's timezone "
        "instead\n"
    )
    assert _history(run_cli, home) == ["No policy has been activated yet."]


def test_a_file_may_be_activated_with_the_countys_timezone_when_asked(home: Path, run_cli) -> None:
    policy = home / "new-york.toml"
    policy.write_bytes(NEW_YORK_POLICY)
    result = _cli(run_cli, home, "policy", "activate", str(policy), "--county-timezone")
    assert result.code == 0, result.err
    assert "(was 'timezone = \"America/New_York\"', the file's)" in result.out
    assert _active_text(home) == JUDICIAL_WARRANT_POLICY.decode()  # the LA text, exactly


def test_a_new_county_zone_activates_the_policy_again_in_the_same_step(home: Path, run_cli) -> None:
    policy = home / "policy.toml"
    policy.write_bytes(JUDICIAL_WARRANT_POLICY)
    assert _cli(run_cli, home, "policy", "activate", str(policy)).code == 0
    request = home / "r.json"
    request.write_text(request_json())
    recorded = _cli(run_cli, home, "record", str(request), "--json", user="officer.a")
    assert recorded.code == 0, recorded.err
    before = json.loads(recorded.out)["policy"]["sha256"]
    # Machine formats keep full instants with an offset: the county's, so their dates are
    # the county's dates; the text for people is the county's wall clock with its name.
    listed = _cli(run_cli, home, "log", "--json", user="officer.a")
    assert json.loads(listed.out)["received_at"] == "2026-02-10T08:30:00-08:00"
    text = _cli(run_cli, home, "log", user="officer.a").out.splitlines()
    assert "RECEIVED" in text[0] and "(UTC)" not in text[0]
    assert "2026-02-10 08:30 PST" in text[1]

    moved = _cli(run_cli, home, "settings", "--timezone", "America/Chicago")
    assert moved.code == 0, moved.err
    assert "activated again in America/Chicago" in moved.out
    assert "Decisions already recorded keep the text they were made under." in moved.out
    assert 'timezone = "America/Chicago"' in _active_text(home)
    history = _history(run_cli, home)
    assert history[0].startswith("ACTIVE") and "version 2" in history[0]
    assert "The county's timezone is America/Chicago (Settings)" in history[0]
    assert "CST by chief" in history[0] and "PST by chief" not in history[0]

    # One audited step: the settings change and the activation, in that order.
    trail = _cli(run_cli, home, "audit", "--json", "--limit", "8")
    actions = [json.loads(line)["action"] for line in trail.out.splitlines()]
    newest = actions.index("policy.activate")
    assert actions[newest : newest + 3] == ["policy.activate", "settings.change", "sign_in"]
    # The decision recorded before keeps the exact policy text it was made under.
    shown = _cli(run_cli, home, "show", "1", "--json", user="officer.a")
    assert json.loads(shown.out)["policy_version"]["sha256"] == before
    assert run_cli("--data-dir", str(home / "data"), "verify").code == 0


def test_the_county_zone_of_an_installation_without_the_setting(runtime) -> None:
    """Upgraded from a version without the setting: the zone is the policy in force's,
    and a policy activated later is put in that zone; nothing recorded changes."""
    import datetime as dt

    from detainer_desk.services.county_clock import ACTIVE_POLICY, UNSET, read_county_zone
    from detainer_desk.services.ports import Actor
    from detainer_desk.services.records import activate_policy
    from detainer_desk.services.settings import read_settings

    from .helpers import seed_accounts

    now = dt.datetime(2026, 2, 10, 17, 0, tzinfo=dt.UTC)
    seed_accounts(runtime.uow(), now)
    assert read_county_zone(runtime.uow()).source == UNSET
    assert read_county_zone(runtime.uow()).name == "UTC"
    result = activate_policy(runtime.uow(), NEW_YORK_POLICY, "p.toml", Actor("admin", "W"), now)
    assert result.county_zone_unset and result.zone_rewrite is None
    zone = read_county_zone(runtime.uow())
    assert (zone.name, zone.source) == ("America/New_York", ACTIVE_POLICY)
    assert read_settings(runtime.uow()).timezone == "America/New_York"
    preset = activate_policy(
        runtime.uow(),
        presets.preset_bytes("california-sb54"),
        "california-sb54",
        Actor("admin", "W"),
        now,
        preset=True,
    )
    assert preset.zone_rewrite is not None
    assert preset.zone_rewrite.new_line == 'timezone = "America/New_York"'


def test_an_upgraded_policy_of_another_zone_stops_recording_until_activated_again(
    runtime,
) -> None:
    """An installation that had Los Angeles in Settings and a New York policy in force (as
    the wizard left it before): nothing can be recorded under that policy, in words; once
    it is activated again in the county's zone, recording works, and the earlier decision
    and its hashes are untouched."""
    import datetime as dt

    from detainer_desk.adapters.db.ledger import verify_store
    from detainer_desk.services.access import RecordError
    from detainer_desk.services.ports import Actor
    from detainer_desk.services.records import (
        activate_policy,
        reactivate_in_zone,
        record_decision,
    )

    from .helpers import seed_accounts

    now = dt.datetime(2026, 2, 10, 17, 0, tzinfo=dt.UTC)
    seed_accounts(runtime.uow(), now)
    admin = Actor("admin", "W")
    activate_policy(runtime.uow(), NEW_YORK_POLICY, "p.toml", admin, now)
    earlier = record_decision(runtime.uow(), request_json(), "r", [], Actor("officer.a", "W"), now)
    # What an older version left behind: the setting written beside a policy of another zone.
    with runtime.uow() as uow:
        uow.accounts.set_setting("county_timezone", "America/Los_Angeles", now, "admin")
        uow.commit()
    booking = {"subject.booking_number": "B-2"}
    with pytest.raises(RecordError, match="reads times in America/New_York, but the county's"):
        record_decision(
            runtime.uow(), request_json(**booking), "r", [], Actor("officer.a", "W"), now
        )
    reactivated = reactivate_in_zone(runtime.uow(), admin, "America/Los_Angeles", now, "upgrade")
    assert reactivated is not None and reactivated.activation.policy.id == 2
    record_decision(runtime.uow(), request_json(**booking), "r", [], Actor("officer.a", "W"), now)
    with runtime.uow() as uow:
        row = uow.records.decision(earlier.decision_id)
    assert row is not None and row.policy.id == 1 and row.entry_hash
    assert list(verify_store(runtime.engine))[-1].fault is None


def test_in_zone_changes_one_line_of_every_preset_and_nothing_else() -> None:
    for name in presets.preset_names():
        policy = parse_policy(presets.preset_bytes(name), name)
        rewrite = in_zone(policy, "Pacific/Honolulu")
        before, after = policy.text.splitlines(), rewrite.text.splitlines()
        differing = [i for i, (a, b) in enumerate(zip(before, after, strict=True)) if a != b]
        assert differing == (
            [] if policy.timezone == "Pacific/Honolulu" else [rewrite.line_number - 1]
        )
        assert rewrite.policy.timezone == "Pacific/Honolulu"
        assert rewrite.policy.hold_window == policy.hold_window


def test_in_zone_keeps_a_comment_and_refuses_what_it_cannot_change() -> None:
    from detainer_desk.domain.policy_zone import ZoneNotWritable

    commented = JUDICIAL_WARRANT_POLICY.replace(
        b'timezone = "America/Los_Angeles"', b"timezone='America/Los_Angeles'  # the county's"
    )
    rewrite = in_zone(parse_policy(commented, "p"), "America/Denver")
    assert rewrite.new_line == 'timezone="America/Denver"  # the county\'s'
    # A multi-line string is valid TOML but not a line this changes: refused, not guessed.
    odd = JUDICIAL_WARRANT_POLICY.replace(
        b'timezone = "America/Los_Angeles"', b'timezone = """America/Los_Angeles"""'
    )
    with pytest.raises(ZoneNotWritable):
        in_zone(parse_policy(odd, "p"), "America/Denver")
