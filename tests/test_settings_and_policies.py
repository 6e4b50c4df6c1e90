"""Installation settings, the preset catalogue, the policy history and the what-if."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from detainer_desk import presets
from detainer_desk.services.access import PermissionDenied, RecordError
from detainer_desk.services.documents import report_context
from detainer_desk.services.policies import WhatIfResult, policy_history, preset_catalog, what_if
from detainer_desk.services.ports import Actor, AuditQuery
from detainer_desk.services.records import activate_policy, record_decision
from detainer_desk.services.settings import read_settings, save_settings, settings_problems

from .helpers import JUDICIAL_WARRANT_POLICY, request_json, seed_accounts

NOW = dt.datetime(2026, 2, 10, 17, 0, tzinfo=dt.UTC)
ADMIN = Actor("admin", "W")


@pytest.fixture
def store(runtime):
    seed_accounts(runtime.uow(), NOW)
    activate_policy(runtime.uow(), JUDICIAL_WARRANT_POLICY, "p.toml", ADMIN, NOW)
    return runtime


def test_settings_round_trip_and_audit(store) -> None:
    from detainer_desk.services.accounts import audit_trail

    settings = dataclasses.replace(
        read_settings(store.uow()),
        county_name="Columbia River County",
        jail_name="CRC Jail",
        timezone="America/Los_Angeles",
        alert_first_minutes=180,
        alert_second_minutes=30,
    )
    save_settings(store.uow(), ADMIN, settings, NOW)
    assert read_settings(store.uow()) == settings
    assert report_context(store.uow(), ADMIN, NOW).county_name == "Columbia River County"
    events = audit_trail(store.uow(), ADMIN, AuditQuery(action="settings.change"), NOW)
    assert "county_name" in events[0].details_json


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"county_name": " "}, "county_name"),
        ({"timezone": "Mars/Olympus"}, "timezone"),
        ({"alert_first_minutes": 30, "alert_second_minutes": 60}, "alert_first_minutes"),
        ({"session_timeout_minutes": 90}, "session_timeout_minutes"),
    ],
)
def test_bad_settings_are_explained(store, changes, field) -> None:
    good = dataclasses.replace(read_settings(store.uow()), county_name="C", jail_name="J")
    bad = dataclasses.replace(good, **changes)
    assert field in settings_problems(bad)
    with pytest.raises(RecordError):
        save_settings(store.uow(), ADMIN, bad, NOW)


def test_only_admin_changes_settings(store) -> None:
    settings = dataclasses.replace(read_settings(store.uow()), county_name="C", jail_name="J")
    with pytest.raises(PermissionDenied):
        save_settings(store.uow(), Actor("sgt.b", "W"), settings, NOW)


def test_preset_catalog_in_plain_english() -> None:
    catalog = preset_catalog()
    assert [p.name for p in catalog] == presets.preset_names()
    assert all("HOLD past the release time" in p.plain_english and p.citation for p in catalog)


def test_policy_history_newest_first(store) -> None:
    activate_policy(
        store.uow(), presets.preset_bytes("california-sb54"), "california-sb54", ADMIN, NOW
    )
    history = policy_history(store.uow(), Actor("officer.a", "W"), NOW)
    assert [a.policy.source_name for a in history] == ["california-sb54", "p.toml"]


def test_what_if_lists_the_decisions_that_would_change(store) -> None:
    for n in range(3):
        record_decision(
            store.uow(),
            request_json(**{"subject.booking_number": f"B{n}"}),
            "r",
            [],
            Actor("officer.a", "W"),
            NOW,
        )
    steps = list(
        what_if(
            store.uow,
            ADMIN,
            presets.preset_bytes("california-sb54"),
            "california-sb54",
            NOW - dt.timedelta(days=30),
            NOW + dt.timedelta(days=1),
            NOW,
        )
    )
    result = steps[-1]
    assert isinstance(result, WhatIfResult) and result.examined == 3
    # A judicial warrant was attached: hold under the current policy; SB 54 never holds, but
    # a federal judicial warrant permits transfer.
    assert [(c.recorded_outcome, c.proposed_outcome) for c in result.changes] == [
        ("hold", "transfer")
    ] * 3
    same = list(
        what_if(
            store.uow,
            ADMIN,
            JUDICIAL_WARRANT_POLICY,
            "p.toml",
            NOW - dt.timedelta(days=30),
            NOW + dt.timedelta(days=1),
            NOW,
        )
    )[-1]
    assert isinstance(same, WhatIfResult) and same.changes == ()
