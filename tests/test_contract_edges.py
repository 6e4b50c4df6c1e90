"""Adversarial edge tests of the decision contract (docs: shared/spec/decision-contract.md).

Every expected value below was worked out by hand from the contract text (the arithmetic is in
the comments), never copied from the engine's output. The tests drive the real ``check``
command in-process: ``detainer_desk.cli.main([...], out=..., err=...)``.

Calendar facts used (verified against a calendar, not against the engine):
  2026-02-05 Thu, 2026-02-06 Fri, 2026-02-07 Sat, 2026-02-09 Mon, 2026-02-10 Tue.
  America/Los_Angeles: DST starts Sun 2026-03-08 02:00 PST -> 03:00 PDT;
                       DST ends   Sun 2026-11-01 02:00 PDT -> 01:00 PST.
  2026-07-04 is a Saturday; 2027-07-04 a Sunday; 2028-01-01 a Saturday;
  Thanksgiving 2026 is Thu 2026-11-26.
"""

from __future__ import annotations

import copy
import datetime as dt
import hashlib
import io
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

import pytest

from detainer_desk.cli import main

LA = "America/Los_Angeles"
NY = "America/New_York"

# -- helpers ----------------------------------------------------------------------------


def policy_text(body: str = "", *, tz: str = LA, header: str | None = None) -> str:
    """A policy with the required top-level keys, then ``body`` (sections)."""
    if header is None:
        header = (
            "schema = 1\n"
            'name = "Edge test policy"\n'
            'jurisdiction = "Test County"\n'
            f'timezone = "{tz}"\n'
            'citation = "Test Code 1.1"\n'
        )
    return header + "\n" + body


ALL_ALWAYS = """
[hold]
when = [ { always = true } ]
max_hours = 48

[transfer]
when = [ { always = true } ]

[notify]
when = [ { always = true } ]
"""

# hold needs a judicial warrant; transfer never; notify always: outcome hold vs notify
JW_HOLD = """
[hold]
when = [ { judicial_warrant = true } ]

[notify]
when = [ { always = true } ]
"""


# transfer when the criterion holds, notify always, no [hold]: outcome transfer vs notify
def transfer_when(criterion: str, extra: str = "") -> str:
    return f"""
{extra}
[transfer]
when = [ {{ {criterion} }} ]

[notify]
when = [ {{ always = true }} ]
"""


def hold_when(criterion: str, extra: str = "") -> str:
    return f"""
{extra}
[hold]
when = [ {{ {criterion} }} ]

[notify]
when = [ {{ always = true }} ]
"""


BASE_REQUEST: dict[str, Any] = {
    "schema": 1,
    "received_at": "2026-02-10T08:30:00-08:00",  # Tue 10 Feb 2026, LA local date 2026-02-10
    "subject": {
        "name": "DOE, Jane",
        "dob": "1990-04-02",
        "booking_number": "B26-000001",
    },
    "detainer": {
        "form": "I-247A",
        "requested": ["notify", "hold"],
        "probable_cause_basis": ["removal_proceedings"],
    },
    "documents": [],
    "history": [],
    "flags": [],
    "release_eligible_at": None,
}


def request(
    *,
    subject: dict[str, Any] | None = None,
    detainer: dict[str, Any] | None = None,
    drop: tuple[str, ...] = (),
    **top: Any,
) -> dict[str, Any]:
    """BASE_REQUEST with top-level keys replaced, subject/detainer keys merged, keys dropped.

    ``drop`` takes dotted paths ("subject.name", "received_at").
    """
    r = copy.deepcopy(BASE_REQUEST)
    r.update(top)
    if subject:
        r["subject"].update(subject)
    if detainer:
        r["detainer"].update(detainer)
    for path in drop:
        *parents, last = path.split(".")
        node = r
        for p in parents:
            node = node[p]
        del node[last]
    return r


JUDGE_WARRANT: dict[str, Any] = {
    "kind": "judicial_warrant",
    "signed": True,
    "signer_role": "judge",
    "court": "Superior Court of Example County",
    "court_system": "state",
    "names_subject": True,
    "issued_on": "2026-02-01",
    "expires_on": "2026-03-01",
}


def doc(base: dict[str, Any], **changes: Any) -> dict[str, Any]:
    d = dict(base)
    for k, v in changes.items():
        if v is _DROP:
            d.pop(k, None)
        else:
            d[k] = v
    return d


_DROP = object()


@dataclass
class Run:
    rc: int
    out: str
    err: str
    policy_path: Path
    request_path: Path

    @property
    def decision(self) -> dict[str, Any]:
        assert self.rc == 0, f"expected a decision, got exit {self.rc}: {self.err}"
        return json.loads(self.out)


@pytest.fixture
def run(tmp_path: Path):
    def _run(
        policy: str | bytes,
        req: dict[str, Any] | str | bytes,
        *,
        at: str | None = None,
        as_json: bool = True,
    ) -> Run:
        pp = tmp_path / "policy.toml"
        rp = tmp_path / "request.json"
        pp.write_bytes(policy if isinstance(policy, bytes) else policy.encode("utf-8"))
        if isinstance(req, dict):
            rp.write_text(json.dumps(req), encoding="utf-8")
        elif isinstance(req, str):
            rp.write_text(req, encoding="utf-8")
        else:
            rp.write_bytes(req)
        argv = ["check", "--policy", str(pp), str(rp)]
        if at is not None:
            argv += ["--at", at]
        if as_json:
            argv.append("--json")
        out, err = io.StringIO(), io.StringIO()
        rc = main(argv, out=out, err=err)
        return Run(rc, out.getvalue(), err.getvalue(), pp, rp)

    return _run


def assert_instant(actual: str | None, expected: str) -> None:
    """Same instant AND printed with the same offset (i.e. in the policy's timezone)."""
    assert actual is not None, f"hold_until is null, expected {expected}"
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(Z|[+-]\d{2}:\d{2})", actual), actual
    a = dt.datetime.fromisoformat(actual)
    e = dt.datetime.fromisoformat(expected)
    assert a == e, f"hold_until {actual} is not the instant {expected}"
    assert a.utcoffset() == e.utcoffset(), (
        f"hold_until {actual} not printed with offset of {expected}"
    )


def assert_bad(r: Run, *needles: str, file: str | None = None) -> None:
    """Exit 2, no decision, no traceback, each needle named on stderr."""
    assert r.rc == 2, f"expected exit 2, got {r.rc}; out={r.out!r} err={r.err!r}"
    assert r.out.strip() == "", f"invalid input must never be a decision: {r.out!r}"
    assert r.err.strip(), "no message on stderr"
    assert "Traceback" not in r.err
    for n in needles:
        assert n in r.err, f"{n!r} not named in: {r.err!r}"
    if file is not None:
        path = r.policy_path if file == "policy" else r.request_path
        assert path.name in r.err, f"the {file} file is not named in {r.err!r}"


def reasons_for(d: dict[str, Any], action: str) -> list[dict[str, Any]]:
    return [x for x in d["reasons"] if x.get("action") == action]


# ======================================================================================
# 1. Times: DST, wall clock, offsets
# ======================================================================================


class TestTimes:
    def test_48h_across_spring_forward_ends_11_local(self, run):
        # Sat 2026-03-07 10:00 PST (-08:00) = 18:00Z; + 48 real hours = Mon 2026-03-09 18:00Z
        # = 11:00 PDT (-07:00). Contract sec. 1 says exactly "11:00 local on Monday, not 10:00".
        r = run(
            policy_text(ALL_ALWAYS),
            request(
                received_at="2026-03-06T09:00:00-08:00",
                release_eligible_at="2026-03-07T10:00:00-08:00",
            ),
        )
        d = r.decision
        assert d["outcome"] == "hold"
        assert_instant(d["hold_until"], "2026-03-09T11:00:00-07:00")

    def test_48h_across_fall_back(self, run):
        # Sat 2026-10-31 10:00 PDT (-07:00) = 17:00Z; +48h = Mon 2026-11-02 17:00Z = 09:00 PST.
        r = run(
            policy_text(ALL_ALWAYS),
            request(
                received_at="2026-10-30T09:00:00-07:00",
                release_eligible_at="2026-10-31T10:00:00-07:00",
            ),
        )
        d = r.decision
        assert d["outcome"] == "hold"
        assert_instant(d["hold_until"], "2026-11-02T09:00:00-08:00")

    def test_naive_wall_clock_is_policy_local(self, run):
        # "2026-03-07T10:00:00" without offset = 10:00 PST in the policy zone -> same as above.
        r = run(
            policy_text(ALL_ALWAYS),
            request(received_at="2026-03-06T09:00:00", release_eligible_at="2026-03-07T10:00:00"),
        )
        assert_instant(r.decision["hold_until"], "2026-03-09T11:00:00-07:00")

    def test_naive_wall_clock_in_new_york_policy(self, run):
        # Policy in New York: naive 2026-02-11T15:00 = 15:00 EST (-05:00) = 20:00Z; +48h
        # = 2026-02-13T15:00-05:00.
        r = run(
            policy_text(ALL_ALWAYS, tz=NY),
            request(received_at="2026-02-10T08:00:00", release_eligible_at="2026-02-11T15:00:00"),
        )
        assert_instant(r.decision["hold_until"], "2026-02-13T15:00:00-05:00")

    def test_ambiguous_wall_clock_is_first_occurrence_1h(self, run):
        # 2026-11-01T01:30 occurs twice in LA; first occurrence is PDT (-07:00) = 08:30Z.
        # max_hours = 1 -> 09:30Z = 01:30 PST (-08:00): the second 01:30, printed -08:00.
        # (Taking the second occurrence would give 10:30Z = 02:30 PST.)
        body = ALL_ALWAYS.replace("max_hours = 48", "max_hours = 1")
        r = run(
            policy_text(body),
            request(
                received_at="2026-10-30T09:00:00-07:00", release_eligible_at="2026-11-01T01:30:00"
            ),
        )
        assert_instant(r.decision["hold_until"], "2026-11-01T01:30:00-08:00")

    def test_ambiguous_wall_clock_is_first_occurrence_48h(self, run):
        # 08:30Z + 48h = 2026-11-03T08:30Z = 00:30 PST.
        r = run(
            policy_text(ALL_ALWAYS),
            request(
                received_at="2026-10-30T09:00:00-07:00", release_eligible_at="2026-11-01T01:30:00"
            ),
        )
        assert_instant(r.decision["hold_until"], "2026-11-03T00:30:00-08:00")

    def test_nonexistent_wall_clock_uses_offset_before_change(self, run):
        # 2026-03-08T02:30 does not exist in LA; read with -08:00 -> 10:30Z = 03:30 PDT.
        # +48h = 2026-03-10T10:30Z = 03:30 PDT (-07:00).
        r = run(
            policy_text(ALL_ALWAYS),
            request(
                received_at="2026-03-06T09:00:00-08:00", release_eligible_at="2026-03-08T02:30:00"
            ),
        )
        assert_instant(r.decision["hold_until"], "2026-03-10T03:30:00-07:00")

    def test_nonexistent_wall_clock_1h(self, run):
        # 02:30 (gap) -> 03:30 PDT = 10:30Z; + 1h = 11:30Z = 04:30 PDT.
        body = ALL_ALWAYS.replace("max_hours = 48", "max_hours = 1")
        r = run(
            policy_text(body),
            request(
                received_at="2026-03-06T09:00:00-08:00", release_eligible_at="2026-03-08T02:30:00"
            ),
        )
        assert_instant(r.decision["hold_until"], "2026-03-08T04:30:00-07:00")

    def test_other_offset_printed_in_policy_zone(self, run):
        # 2026-02-11T18:00-05:00 = 23:00Z = 15:00 PST; +48h = 2026-02-13T23:00Z
        # printed in the policy's zone: 2026-02-13T15:00:00-08:00.
        r = run(
            policy_text(ALL_ALWAYS),
            request(release_eligible_at="2026-02-11T18:00:00-05:00"),
        )
        assert_instant(r.decision["hold_until"], "2026-02-13T15:00:00-08:00")

    def test_utc_offset_printed_in_policy_zone_summer(self, run):
        # 2026-07-01T12:00+00:00 = 05:00 PDT; +48h = 2026-07-03T05:00-07:00.
        r = run(
            policy_text(ALL_ALWAYS),
            request(
                received_at="2026-06-30T12:00:00+00:00",
                release_eligible_at="2026-07-01T12:00:00+00:00",
            ),
        )
        assert_instant(r.decision["hold_until"], "2026-07-03T05:00:00-07:00")

    def test_default_max_hours_is_48(self, run):
        # [hold] without max_hours -> 48h: 2026-02-11T15:00-08:00 -> 2026-02-13T15:00-08:00
        body = ALL_ALWAYS.replace("max_hours = 48\n", "")
        r = run(policy_text(body), request(release_eligible_at="2026-02-11T15:00:00-08:00"))
        assert_instant(r.decision["hold_until"], "2026-02-13T15:00:00-08:00")

    def test_at_naive_in_ambiguous_hour_is_first_occurrence(self, run):
        # release 2026-10-30T02:30-07:00 = 09:30Z; +48h = 2026-11-01T09:30Z = 01:30 PST
        # (the SECOND 01:30). --at "2026-11-01T01:30:00" naive = first occurrence = 08:30Z,
        # one hour before hold_until -> window still open -> hold.
        r = run(
            policy_text(ALL_ALWAYS),
            request(
                received_at="2026-10-29T09:00:00-07:00",
                release_eligible_at="2026-10-30T02:30:00-07:00",
            ),
            at="2026-11-01T01:30:00",
        )
        d = r.decision
        assert d["outcome"] == "hold"
        assert_instant(d["hold_until"], "2026-11-01T01:30:00-08:00")

    def test_at_with_offset_before_second_occurrence_deadline(self, run):
        # Same deadline 2026-11-01T09:30Z (01:30 PST). --at 01:30 PDT given WITH its offset
        # (-07:00) = 08:30Z: one real hour before the deadline -> hold.
        r = run(
            policy_text(ALL_ALWAYS),
            request(
                received_at="2026-10-29T09:00:00-07:00",
                release_eligible_at="2026-10-30T02:30:00-07:00",
            ),
            at="2026-11-01T01:30:00-07:00",
        )
        assert r.decision["outcome"] == "hold"

    @pytest.mark.parametrize("at", ["2026-11-01T01:10:00-08:00", "2026-11-01T09:10:00+00:00"])
    def test_window_closed_in_repeated_hour(self, run, at):
        # release 2026-10-30T01:30-07:00 = 08:30Z; +48h = 2026-11-01T08:30Z = 01:30 PDT (the
        # FIRST 01:30). --at 01:10 PST = 09:10Z is 40 real minutes AFTER hold_until: the
        # window has closed (a hold now would be past the lawful limit) -> transfer.
        r = run(
            policy_text(ALL_ALWAYS),
            request(
                received_at="2026-10-29T09:00:00-07:00",
                release_eligible_at="2026-10-30T01:30:00-07:00",
            ),
            at=at,
        )
        d = r.decision
        assert d["outcome"] == "transfer"
        assert d["hold_until"] is None

    def test_at_naive_in_spring_gap_reaches_hold_until(self, run):
        # release 2026-03-06T02:30-08:00 = 10:30Z; +48h = 2026-03-08T10:30Z = 03:30 PDT.
        # --at "2026-03-08T02:30:00" (gap) = 03:30 PDT = hold_until -> closed -> transfer.
        r = run(
            policy_text(ALL_ALWAYS),
            request(
                received_at="2026-03-05T09:00:00-08:00",
                release_eligible_at="2026-03-06T02:30:00-08:00",
            ),
            at="2026-03-08T02:30:00",
        )
        d = r.decision
        assert d["outcome"] == "transfer"
        assert d["hold_until"] is None

    def test_at_one_second_before_spring_gap_hold_until(self, run):
        # --at 01:59:59 PST = 09:59:59Z < 10:30Z -> hold.
        r = run(
            policy_text(ALL_ALWAYS),
            request(
                received_at="2026-03-05T09:00:00-08:00",
                release_eligible_at="2026-03-06T02:30:00-08:00",
            ),
            at="2026-03-08T01:59:59",
        )
        assert r.decision["outcome"] == "hold"
        assert_instant(r.decision["hold_until"], "2026-03-08T03:30:00-07:00")

    def test_malformed_at_is_bad_input(self, run):
        r = run(policy_text(ALL_ALWAYS), request(), at="2026-02-30T10:00:00")
        assert r.rc == 2
        assert "Traceback" not in r.err


# ======================================================================================
# 3.3 The hold window: weekends, holidays, end of release day
# ======================================================================================


def window_policy(extra: str, *, max_hours: int | None = 48, tz: str = LA) -> str:
    mh = f"max_hours = {max_hours}\n" if max_hours is not None else ""
    return policy_text(
        f"""
[hold]
when = [ {{ always = true }} ]
{mh}{extra}

[transfer]
when = [ {{ always = true }} ]

[notify]
when = [ {{ always = true }} ]
""",
        tz=tz,
    )


class TestHoldWindow:
    def _hold_until(self, run, extra: str, release: str, received: str, **kw: Any) -> str:
        r = run(
            window_policy(extra, **kw), request(received_at=received, release_eligible_at=release)
        )
        d = r.decision
        assert d["outcome"] == "hold"
        return d["hold_until"]

    def test_thursday_excluding_weekends_ends_monday(self, run):
        # Thu 2026-02-05 10:00: Thu 14h, Fri 24h (38), Sat+Sun skipped, Mon 10h -> Mon 10:00.
        hu = self._hold_until(
            run, "exclude_weekends = true", "2026-02-05T10:00:00-08:00", "2026-02-04T09:00:00-08:00"
        )
        assert_instant(hu, "2026-02-09T10:00:00-08:00")

    @pytest.mark.parametrize("holidays", ["[2026-02-09]", '["2026-02-09"]'])
    def test_thursday_monday_holiday_ends_tuesday(self, run, holidays):
        # Same, Mon 02-09 is also skipped -> Tue 2026-02-10 10:00.
        extra = f"exclude_weekends = true\nexclude_holidays = true\nholidays = {holidays}"
        hu = self._hold_until(run, extra, "2026-02-05T10:00:00-08:00", "2026-02-04T09:00:00-08:00")
        assert_instant(hu, "2026-02-10T10:00:00-08:00")

    def test_holidays_ignored_without_exclude_holidays(self, run):
        # holidays listed but exclude_holidays not set -> Monday counts -> Mon 10:00.
        extra = 'exclude_weekends = true\nholidays = ["2026-02-09"]'
        hu = self._hold_until(run, extra, "2026-02-05T10:00:00-08:00", "2026-02-04T09:00:00-08:00")
        assert_instant(hu, "2026-02-09T10:00:00-08:00")

    def test_holidays_ignored_with_exclude_holidays_false(self, run):
        extra = "exclude_weekends = true\nexclude_holidays = false\nholidays = [2026-02-09]"
        hu = self._hold_until(run, extra, "2026-02-05T10:00:00-08:00", "2026-02-04T09:00:00-08:00")
        assert_instant(hu, "2026-02-09T10:00:00-08:00")

    def test_holiday_without_weekend_exclusion(self, run):
        # exclude_holidays only, Fri 02-06 a holiday: Thu 14h, Fri skip, Sat 24h (38),
        # Sun 10h -> Sun 2026-02-08 10:00.
        extra = "exclude_holidays = true\nholidays = [2026-02-06]"
        hu = self._hold_until(run, extra, "2026-02-05T10:00:00-08:00", "2026-02-04T09:00:00-08:00")
        assert_instant(hu, "2026-02-08T10:00:00-08:00")

    def test_weekend_exclusion_off_is_plain_48h(self, run):
        # Thu 10:00 + 48h -> Sat 10:00.
        hu = self._hold_until(
            run,
            "exclude_weekends = false",
            "2026-02-05T10:00:00-08:00",
            "2026-02-04T09:00:00-08:00",
        )
        assert_instant(hu, "2026-02-07T10:00:00-08:00")

    def test_release_on_excluded_day(self, run):
        # Released Sat 2026-02-07 10:00, weekends excluded: nothing counts until Mon 00:00;
        # Mon 24h + Tue 24h -> end of Tue = Wed 2026-02-11 00:00 PST.
        hu = self._hold_until(
            run, "exclude_weekends = true", "2026-02-07T10:00:00-08:00", "2026-02-06T09:00:00-08:00"
        )
        assert_instant(hu, "2026-02-11T00:00:00-08:00")

    def test_release_on_listed_holiday(self, run):
        # Released on a listed holiday Mon 2026-02-09 10:00 (weekends counted): nothing counts
        # on Monday; Tue 24h + Wed 24h -> Thu 2026-02-12 00:00.
        extra = "exclude_holidays = true\nholidays = [2026-02-09]"
        hu = self._hold_until(run, extra, "2026-02-09T10:00:00-08:00", "2026-02-08T09:00:00-08:00")
        assert_instant(hu, "2026-02-12T00:00:00-08:00")

    def test_counted_day_that_is_23_hours_long(self, run):
        # Holiday Fri 2026-03-06 only (weekends count). Thu 03-05 10:00 PST: Thu 14h, Fri skip,
        # Sat 03-07 24h (38), Sun 03-08 (23-hour day) starts 00:00 PST = 08:00Z, +10 real
        # hours = 18:00Z = 11:00 PDT.
        extra = "exclude_holidays = true\nholidays = [2026-03-06]"
        hu = self._hold_until(run, extra, "2026-03-05T10:00:00-08:00", "2026-03-04T09:00:00-08:00")
        assert_instant(hu, "2026-03-08T11:00:00-07:00")

    def test_us_saturday_holiday_observed_friday(self, run):
        # July 4 2026 is a Saturday -> observed Fri July 3. Release Thu 07-02 10:00 PDT:
        # Thu 14h, Fri skip (holiday), Sat/Sun skip, Mon 07-06 24h (38), Tue 10h
        # -> Tue 2026-07-07 10:00 PDT.
        extra = 'exclude_weekends = true\nexclude_holidays = true\nholidays = "US"'
        hu = self._hold_until(run, extra, "2026-07-02T10:00:00-07:00", "2026-07-01T09:00:00-07:00")
        assert_instant(hu, "2026-07-07T10:00:00-07:00")

    def test_us_new_year_2028_observed_on_friday_2027_12_31(self, run):
        # 2028-01-01 is a Saturday -> observed Fri 2027-12-31 (a date in the previous year).
        # Release Thu 2027-12-30 10:00 PST: Thu 14h, Fri skip, Sat/Sun skip, Mon 01-03 24h,
        # Tue 01-04 10h -> 2028-01-04T10:00-08:00.
        extra = 'exclude_weekends = true\nexclude_holidays = true\nholidays = "US"'
        hu = self._hold_until(run, extra, "2027-12-30T10:00:00-08:00", "2027-12-29T09:00:00-08:00")
        assert_instant(hu, "2028-01-04T10:00:00-08:00")

    def test_us_sunday_holiday_observed_monday(self, run):
        # July 4 2027 is a Sunday -> observed Mon July 5. Release Fri 2027-07-02 10:00 PDT:
        # Fri 14h, Sat/Sun skip, Mon skip (holiday), Tue 24h (38), Wed 10h
        # -> Wed 2027-07-07 10:00 PDT.
        extra = 'exclude_weekends = true\nexclude_holidays = true\nholidays = "US"'
        hu = self._hold_until(run, extra, "2027-07-02T10:00:00-07:00", "2027-07-01T09:00:00-07:00")
        assert_instant(hu, "2027-07-07T10:00:00-07:00")

    def test_us_presidents_day(self, run):
        # Presidents' Day 2026 = third Monday of February = 02-16. Release Fri 02-13 10:00 PST:
        # Fri 14h, Sat/Sun/Mon skip, Tue 24h (38), Wed 10h -> Wed 2026-02-18 10:00.
        extra = 'exclude_weekends = true\nexclude_holidays = true\nholidays = "US"'
        hu = self._hold_until(run, extra, "2026-02-13T10:00:00-08:00", "2026-02-12T09:00:00-08:00")
        assert_instant(hu, "2026-02-18T10:00:00-08:00")

    def test_us_thanksgiving_but_not_black_friday(self, run):
        # Thanksgiving 2026 = Thu 11-26; Friday after is NOT a federal holiday.
        # Release Wed 11-25 10:00 PST: Wed 14h, Thu skip, Fri 24h (38), Sat/Sun skip,
        # Mon 11-30 10h -> 2026-11-30T10:00-08:00.
        extra = 'exclude_weekends = true\nexclude_holidays = true\nholidays = "US"'
        hu = self._hold_until(run, extra, "2026-11-25T10:00:00-08:00", "2026-11-24T09:00:00-08:00")
        assert_instant(hu, "2026-11-30T10:00:00-08:00")

    def test_us_calendar_ignored_without_exclude_holidays(self, run):
        # holidays = "US" but exclude_holidays unset: Fri 07-03 counts.
        # Thu 07-02 10:00: Thu 14h, Fri 24h (38), Sat/Sun skip, Mon 10h -> Mon 07-06 10:00.
        extra = 'exclude_weekends = true\nholidays = "US"'
        hu = self._hold_until(run, extra, "2026-07-02T10:00:00-07:00", "2026-07-01T09:00:00-07:00")
        assert_instant(hu, "2026-07-06T10:00:00-07:00")

    def test_end_of_release_day(self, run):
        # released 2026-02-11 13:20 PST -> 00:00 of 02-12 (earlier than +48h).
        hu = self._hold_until(
            run,
            "end_of_release_day = true",
            "2026-02-11T13:20:00-08:00",
            "2026-02-10T08:30:00-08:00",
        )
        assert_instant(hu, "2026-02-12T00:00:00-08:00")

    def test_end_of_release_day_uses_local_day_not_offset_day(self, run):
        # 2026-02-12T05:00+00:00 = 2026-02-11 21:00 PST: local release day is 02-11
        # -> midnight 2026-02-12T00:00-08:00 (not 2026-02-13 UTC midnight).
        hu = self._hold_until(
            run,
            "end_of_release_day = true",
            "2026-02-12T05:00:00+00:00",
            "2026-02-10T08:30:00-08:00",
        )
        assert_instant(hu, "2026-02-12T00:00:00-08:00")

    def test_end_of_release_day_earliest_with_max_hours_2_at_23h(self, run):
        # 23:00 + 2h = 01:00 next day; midnight is earlier -> 00:00.
        hu = self._hold_until(
            run,
            "end_of_release_day = true",
            "2026-02-11T23:00:00-08:00",
            "2026-02-10T08:30:00-08:00",
            max_hours=2,
        )
        assert_instant(hu, "2026-02-12T00:00:00-08:00")

    def test_max_hours_2_earlier_than_end_of_day(self, run):
        # 10:00 + 2h = 12:00, earlier than midnight -> 12:00.
        hu = self._hold_until(
            run,
            "end_of_release_day = true",
            "2026-02-11T10:00:00-08:00",
            "2026-02-10T08:30:00-08:00",
            max_hours=2,
        )
        assert_instant(hu, "2026-02-11T12:00:00-08:00")

    def test_end_of_release_day_on_spring_forward_day(self, run):
        # released Sun 2026-03-08 10:00 PDT -> midnight ending that day = 03-09 00:00 PDT.
        hu = self._hold_until(
            run,
            "end_of_release_day = true",
            "2026-03-08T10:00:00-07:00",
            "2026-03-07T08:30:00-08:00",
        )
        assert_instant(hu, "2026-03-09T00:00:00-07:00")

    def test_end_of_release_day_when_midnight_does_not_exist(self, run):
        # America/Santiago: DST starts Sun 2026-09-06, 00:00 -04:00 -> 01:00 -03:00, so local
        # midnight ending Sat 09-05 does not exist. Sec. 1: read with the offset in force just
        # before the change: 00:00-04:00 = 04:00Z = 2026-09-06T01:00-03:00.
        hu = self._hold_until(
            run,
            "end_of_release_day = true",
            "2026-09-05T10:00:00-04:00",
            "2026-09-04T08:30:00-04:00",
            tz="America/Santiago",
        )
        assert_instant(hu, "2026-09-06T01:00:00-03:00")

    def test_end_of_release_day_false_is_plain(self, run):
        hu = self._hold_until(
            run,
            "end_of_release_day = false",
            "2026-02-11T13:20:00-08:00",
            "2026-02-10T08:30:00-08:00",
        )
        assert_instant(hu, "2026-02-13T13:20:00-08:00")

    def test_end_of_release_day_earlier_than_weekend_extended(self, run):
        # Thu 02-05 10:00 excl. weekends -> Mon 10:00; end of release day Fri 02-06 00:00.
        extra = "exclude_weekends = true\nend_of_release_day = true"
        hu = self._hold_until(run, extra, "2026-02-05T10:00:00-08:00", "2026-02-04T09:00:00-08:00")
        assert_instant(hu, "2026-02-06T00:00:00-08:00")


# ======================================================================================
# Step 3: the window closes exactly at hold_until
# ======================================================================================

EX1_POLICY = policy_text(
    """
[hold]
when = [ { judicial_warrant = true } ]
max_hours = 48

[transfer]
when = [ { judicial_warrant = true } ]

[notify]
when = [ { always = true } ]
"""
)


class TestWindowClosed:
    def _req(self) -> dict[str, Any]:
        # release 2026-02-11T15:00-08:00 -> hold_until 2026-02-13T15:00-08:00
        return request(documents=[JUDGE_WARRANT], release_eligible_at="2026-02-11T15:00:00-08:00")

    def test_at_exactly_hold_until_is_closed(self, run):
        r = run(EX1_POLICY, self._req(), at="2026-02-13T15:00:00-08:00")
        d = r.decision
        assert d["outcome"] == "transfer"
        assert d["hold_until"] is None  # outcome is not hold
        assert d["tentative_outcome"] is None

    def test_at_exactly_hold_until_other_offset_is_closed(self, run):
        # 2026-02-13T23:00Z == 15:00 PST
        r = run(EX1_POLICY, self._req(), at="2026-02-13T23:00:00+00:00")
        assert r.decision["outcome"] == "transfer"

    def test_at_exactly_hold_until_naive_is_closed(self, run):
        r = run(EX1_POLICY, self._req(), at="2026-02-13T15:00:00")
        assert r.decision["outcome"] == "transfer"

    def test_at_one_second_before_is_hold(self, run):
        r = run(EX1_POLICY, self._req(), at="2026-02-13T14:59:59-08:00")
        d = r.decision
        assert d["outcome"] == "hold"
        assert_instant(d["hold_until"], "2026-02-13T15:00:00-08:00")

    def test_closed_window_says_so_in_hold_reasons(self, run):
        r = run(EX1_POLICY, self._req(), at="2026-02-13T15:00:00-08:00")
        assert reasons_for(r.decision, "hold"), "the decision must say the hold window closed"

    def test_closed_window_without_transfer_falls_to_notify(self, run):
        r = run(policy_text(JW_HOLD), self._req(), at="2026-02-14T09:00:00-08:00")
        d = r.decision
        assert d["outcome"] == "notify"
        assert d["hold_until"] is None

    def test_unknown_release_never_closes(self, run):
        req = request(documents=[JUDGE_WARRANT], release_eligible_at=None)
        r = run(EX1_POLICY, req, at="2026-02-28T15:00:00-08:00")
        d = r.decision
        assert d["outcome"] == "hold"
        assert d["hold_until"] is None

    def test_end_of_release_day_closed_at_midnight(self, run):
        # release 02-11 13:20 -> hold_until 02-12 00:00; --at exactly then -> closed -> transfer
        pol = window_policy("end_of_release_day = true")
        req = request(release_eligible_at="2026-02-11T13:20:00-08:00")
        assert run(pol, req, at="2026-02-12T00:00:00-08:00").decision["outcome"] == "transfer"
        assert run(pol, req, at="2026-02-11T23:59:59-08:00").decision["outcome"] == "hold"

    def test_closed_window_under_review_keeps_transfer(self, run):
        pol = EX1_POLICY + '\n[review]\ntriggers = ["citizenship_claim"]\n'
        req = self._req()
        req["subject"]["citizenship_claim"] = True
        d = run(pol, req, at="2026-02-13T15:00:00-08:00").decision
        assert d["outcome"] == "review"
        assert d["tentative_outcome"] == "transfer"
        assert d["hold_until"] is None


# ======================================================================================
# 3.2 Lookbacks and ages
# ======================================================================================


def conviction(date: str, **kw: Any) -> dict[str, Any]:
    e = {
        "offense": "Robbery",
        "statute": "PC 211",
        "class": "felony",
        "status": "convicted",
        "date": date,
    }
    e.update(kw)
    return e


class TestLookbacks:
    POL10 = policy_text(transfer_when("conviction = { within_years = 10 }"))

    @pytest.mark.parametrize(
        ("date", "expected"),
        [
            ("2016-02-10", "transfer"),  # exactly 10 years before 2026-02-10: counts
            ("2016-02-09", "notify"),  # one day earlier: does not
            ("2016-02-11", "transfer"),
            ("2026-02-10", "transfer"),
        ],
    )
    def test_within_years_boundary(self, run, date, expected):
        r = run(self.POL10, request(history=[conviction(date)]))
        assert r.decision["outcome"] == expected

    @pytest.mark.parametrize(
        ("years", "date", "expected"),
        [
            # evaluation date 2028-02-29; 1 year back = 2027-02-28
            (1, "2027-02-28", "transfer"),
            (1, "2027-02-27", "notify"),
            # 4 years back lands on a leap year: the boundary is 2024-02-29 (same month and
            # day) or 2024-02-28 (if Feb 29 always becomes Feb 28): the contract can be read
            # both ways, so only dates that agree under both readings are tested.
            (4, "2024-02-29", "transfer"),
            (4, "2024-02-27", "notify"),
            # 10 years back: 2018 has no Feb 29 -> boundary 2018-02-28 (counts), 02-27 not.
            (10, "2018-02-28", "transfer"),
            (10, "2018-02-27", "notify"),
            (10, "2018-03-01", "transfer"),
        ],
    )
    def test_feb_29_evaluation_date(self, run, years, date, expected):
        pol = policy_text(transfer_when(f"conviction = {{ within_years = {years} }}"))
        req = request(received_at="2028-02-29T10:00:00-08:00", history=[conviction(date)])
        assert run(pol, req).decision["outcome"] == expected

    @pytest.mark.parametrize(
        ("released_on", "expected"),
        [
            ("2016-02-10", "transfer"),  # released exactly 10 years back: counts
            ("2016-02-09", "notify"),
            (None, "notify"),  # no released_on: does not match with from = "release"
        ],
    )
    def test_from_release(self, run, released_on, expected):
        pol = policy_text(transfer_when('conviction = { within_years = 10, from = "release" }'))
        entry = conviction("2000-01-01")
        if released_on:
            entry["released_on"] = released_on
        assert run(pol, request(history=[entry])).decision["outcome"] == expected

    def test_without_from_release_uses_conviction_date(self, run):
        # conviction 2000 (outside 10 years) but released 2020: default measures from `date`.
        entry = conviction("2000-01-01", released_on="2020-01-01")
        assert run(self.POL10, request(history=[entry])).decision["outcome"] == "notify"

    def test_evaluation_date_is_local_date_west(self, run):
        # received 2026-02-11T05:00Z = 2026-02-10 21:00 PST -> evaluation date 2026-02-10,
        # 10 years back = 2016-02-10 -> a 2016-02-10 conviction counts (a UTC date would
        # give 2016-02-11 and exclude it).
        req = request(received_at="2026-02-11T05:00:00+00:00", history=[conviction("2016-02-10")])
        assert run(self.POL10, req).decision["outcome"] == "transfer"

    def test_evaluation_date_is_local_date_east(self, run):
        # New York policy; received 2026-02-10T22:30-08:00 = 02-11 06:30Z = 02-11 01:30 EST
        # -> evaluation date 2026-02-11, boundary 2016-02-11 -> 2016-02-10 does NOT count.
        pol = policy_text(transfer_when("conviction = { within_years = 10 }"), tz=NY)
        req = request(received_at="2026-02-10T22:30:00-08:00", history=[conviction("2016-02-10")])
        assert run(pol, req).decision["outcome"] == "notify"

    def test_at_moves_evaluation_date(self, run):
        # --at 2026-02-11 00:00 PST -> evaluation date 02-11 -> 2016-02-10 no longer counts.
        req = request(history=[conviction("2016-02-10")])
        assert run(self.POL10, req, at="2026-02-11T00:00:00-08:00").decision["outcome"] == "notify"
        assert (
            run(self.POL10, req, at="2026-02-10T23:59:59-08:00").decision["outcome"] == "transfer"
        )


class TestAges:
    POL = policy_text(
        """
[hold]
when = [ { always = true } ]
unless = [ { age_under = 18 } ]

[notify]
when = [ { always = true } ]
"""
    )

    @pytest.mark.parametrize(
        ("dob", "expected"),
        [
            ("2008-02-10", "hold"),  # 18th birthday is the evaluation date: not younger
            ("2008-02-11", "notify"),  # 18 tomorrow: younger than 18 -> unless fires
            ("2008-02-09", "hold"),
        ],
    )
    def test_age_under_18_birthday(self, run, dob, expected):
        r = run(self.POL, request(subject={"dob": dob}))
        assert r.decision["outcome"] == expected

    def test_age_under_as_when_criterion(self, run):
        pol = policy_text(transfer_when("age_under = 18"))
        assert run(pol, request(subject={"dob": "2008-02-11"})).decision["outcome"] == "transfer"
        assert run(pol, request(subject={"dob": "2008-02-10"})).decision["outcome"] == "notify"

    @pytest.mark.parametrize(("dob", "fires"), [("2008-02-10", False), ("2008-02-11", True)])
    def test_juvenile_trigger_on_birthday(self, run, dob, fires):
        pol = policy_text(ALL_ALWAYS + '\n[review]\ntriggers = ["juvenile"]\n')
        d = run(pol, request(subject={"dob": dob})).decision
        assert ("juvenile" in d["review_triggers"]) is fires
        assert d["outcome"] == ("review" if fires else "hold")

    def test_juvenile_uses_local_evaluation_date(self, run):
        # received 2026-02-11T07:00Z = 02-10 23:00 PST -> still 17 (birthday 02-11).
        pol = policy_text(ALL_ALWAYS + '\n[review]\ntriggers = ["juvenile"]\n')
        req = request(received_at="2026-02-11T07:00:00+00:00", subject={"dob": "2008-02-11"})
        assert run(pol, req).decision["review_triggers"] == ["juvenile"]

    def test_juvenile_uses_at(self, run):
        pol = policy_text(ALL_ALWAYS + '\n[review]\ntriggers = ["juvenile"]\n')
        req = request(subject={"dob": "2008-02-11"})
        d = run(pol, req, at="2026-02-11T00:00:00-08:00").decision
        assert d["review_triggers"] == []
        assert d["outcome"] == "hold"


# ======================================================================================
# 2.1 Documents
# ======================================================================================


class TestJudicialWarrant:
    POL = policy_text(JW_HOLD)

    def _outcome(self, run, document: dict[str, Any], **kw: Any) -> dict[str, Any]:
        return run(self.POL, request(documents=[document]), **kw).decision

    def test_valid_judge_warrant_holds(self, run):
        assert self._outcome(run, JUDGE_WARRANT)["outcome"] == "hold"

    @pytest.mark.parametrize("role", ["judge", "magistrate"])
    def test_judge_or_magistrate(self, run, role):
        assert self._outcome(run, doc(JUDGE_WARRANT, signer_role=role))["outcome"] == "hold"

    @pytest.mark.parametrize(
        ("changes", "keyword"),
        [
            ({"signed": False}, r"sign"),
            ({"signer_role": "immigration_officer"}, r"immigration.officer"),
            ({"signer_role": "immigration_judge"}, r"immigration.judge|judge"),
            ({"signer_role": "other"}, r"sign"),
            ({"court": ""}, r"court"),
            ({"court": _DROP}, r"court"),
            ({"names_subject": False}, r"name"),
            ({"names_subject": _DROP}, r"name"),
            ({"expires_on": "2026-02-09"}, r"expir"),  # expired the day before evaluation
        ],
    )
    def test_each_failing_test_does_not_count_and_is_said(self, run, changes, keyword):
        d = self._outcome(run, doc(JUDGE_WARRANT, **changes))
        assert d["outcome"] == "notify"
        assert d["permitted"]["hold"] is False
        texts = " ".join(x["text"] for x in reasons_for(d, "hold"))
        assert re.search(keyword, texts, re.I), f"hold reasons do not say why: {texts!r}"

    def test_valid_on_expires_on(self, run):
        # evaluation date 2026-02-10 == expires_on -> still valid
        assert self._outcome(run, doc(JUDGE_WARRANT, expires_on="2026-02-10"))["outcome"] == "hold"

    def test_invalid_day_after_expires_on_via_at(self, run):
        d = self._outcome(
            run, doc(JUDGE_WARRANT, expires_on="2026-02-10"), at="2026-02-11T00:00:00-08:00"
        )
        assert d["outcome"] == "notify"

    def test_still_valid_at_last_second_of_expiry_day(self, run):
        d = self._outcome(
            run, doc(JUDGE_WARRANT, expires_on="2026-02-10"), at="2026-02-10T23:59:59-08:00"
        )
        assert d["outcome"] == "hold"

    def test_expiry_uses_local_evaluation_date(self, run):
        # received 2026-02-11T05:00Z = 02-10 21:00 PST: evaluation date 02-10 = expires_on.
        req = request(
            received_at="2026-02-11T05:00:00+00:00",
            documents=[doc(JUDGE_WARRANT, expires_on="2026-02-10")],
        )
        assert run(self.POL, req).decision["outcome"] == "hold"

    def test_no_expiry_counts(self, run):
        assert self._outcome(run, doc(JUDGE_WARRANT, expires_on=_DROP))["outcome"] == "hold"

    def test_court_order_counts(self, run):
        assert self._outcome(run, doc(JUDGE_WARRANT, kind="court_order"))["outcome"] == "hold"

    @pytest.mark.parametrize("kind", ["I-200", "I-205", "judicial_probable_cause", "removal_order"])
    def test_other_kinds_are_not_judicial_warrants(self, run, kind):
        d = {"kind": kind, "signed": True, "signer_role": "judge"}
        if kind == "removal_order":
            d["final"] = True
        assert self._outcome(run, d)["outcome"] == "notify"

    def test_one_good_among_bad_counts(self, run):
        docs = [doc(JUDGE_WARRANT, signer_role="immigration_officer"), JUDGE_WARRANT]
        assert run(self.POL, request(documents=docs)).decision["outcome"] == "hold"

    @pytest.mark.parametrize(
        ("system", "expected"), [("state", "notify"), ("federal", "hold"), (_DROP, "notify")]
    )
    def test_federal_variant(self, run, system, expected):
        pol = policy_text(hold_when('judicial_warrant = "federal"'))
        req = request(documents=[doc(JUDGE_WARRANT, court_system=system)])
        assert run(pol, req).decision["outcome"] == expected

    def test_federal_variant_still_needs_all_tests(self, run):
        pol = policy_text(hold_when('judicial_warrant = "federal"'))
        req = request(documents=[doc(JUDGE_WARRANT, court_system="federal", signed=False)])
        assert run(pol, req).decision["outcome"] == "notify"

    def test_federal_court_order(self, run):
        pol = policy_text(hold_when('judicial_warrant = "federal"'))
        req = request(documents=[doc(JUDGE_WARRANT, kind="court_order", court_system="federal")])
        assert run(pol, req).decision["outcome"] == "hold"


class TestOtherDocuments:
    @pytest.mark.parametrize(
        ("document", "expected"),
        [
            ({"kind": "I-200", "signed": True, "signer_role": "immigration_officer"}, "transfer"),
            ({"kind": "I-205", "signed": True, "signer_role": "immigration_officer"}, "transfer"),
            ({"kind": "I-205", "signed": False, "signer_role": "immigration_officer"}, "notify"),
            ({"kind": "I-200", "signed": False}, "notify"),
        ],
    )
    def test_admin_warrant(self, run, document, expected):
        pol = policy_text(transfer_when("admin_warrant = true"))
        assert run(pol, request(documents=[document])).decision["outcome"] == expected

    @pytest.mark.parametrize(
        ("document", "expected"),
        [
            (
                {
                    "kind": "removal_order",
                    "signed": True,
                    "final": True,
                    "signer_role": "immigration_judge",
                },
                "transfer",
            ),
            (
                {
                    "kind": "removal_order",
                    "signed": True,
                    "final": False,
                    "signer_role": "immigration_judge",
                },
                "notify",
            ),
            (
                {
                    "kind": "removal_order",
                    "signed": False,
                    "final": True,
                    "signer_role": "immigration_judge",
                },
                "notify",
            ),
            (
                {"kind": "removal_order", "signed": True, "signer_role": "immigration_judge"},
                "notify",
            ),  # `final` not given: not final
        ],
    )
    def test_removal_order_true(self, run, document, expected):
        pol = policy_text(transfer_when("removal_order = true"))
        assert run(pol, request(documents=[document])).decision["outcome"] == expected

    @pytest.mark.parametrize(
        ("roles", "signer", "expected"),
        [
            ('["judge"]', "immigration_judge", "notify"),
            ('["immigration_judge"]', "immigration_judge", "transfer"),
            ('["judge", "magistrate"]', "magistrate", "transfer"),
            ('["judge", "magistrate"]', "immigration_officer", "notify"),
        ],
    )
    def test_removal_order_roles(self, run, roles, signer, expected):
        pol = policy_text(transfer_when(f"removal_order = {roles}"))
        document = {"kind": "removal_order", "signed": True, "final": True, "signer_role": signer}
        assert run(pol, request(documents=[document])).decision["outcome"] == expected

    def test_removal_order_roles_still_needs_final(self, run):
        pol = policy_text(transfer_when('removal_order = ["immigration_judge"]'))
        document = {
            "kind": "removal_order",
            "signed": True,
            "final": False,
            "signer_role": "immigration_judge",
        }
        assert run(pol, request(documents=[document])).decision["outcome"] == "notify"

    @pytest.mark.parametrize(
        ("signed", "role", "expected"),
        [
            (True, "judge", "transfer"),
            (True, "magistrate", "transfer"),
            (False, "judge", "notify"),
            (True, "immigration_officer", "notify"),
            (True, "immigration_judge", "notify"),
        ],
    )
    def test_judicial_probable_cause(self, run, signed, role, expected):
        pol = policy_text(transfer_when("judicial_probable_cause = true"))
        document = {
            "kind": "judicial_probable_cause",
            "signed": signed,
            "signer_role": role,
            "court": "Superior Court",
            "court_system": "state",
            "names_subject": True,
        }
        assert run(pol, request(documents=[document])).decision["outcome"] == expected

    def test_judicial_warrant_is_not_judicial_probable_cause(self, run):
        pol = policy_text(transfer_when("judicial_probable_cause = true"))
        assert run(pol, request(documents=[JUDGE_WARRANT])).decision["outcome"] == "notify"


# ======================================================================================
# 3.2 Offense lists, classes, charges
# ======================================================================================


class TestOffenseLists:
    def _pol(self, patterns: str, key: str = "conviction") -> str:
        return policy_text(
            transfer_when(f'{key} = {{ list = "l" }}', extra=f"[offense_lists]\nl = {patterns}\n")
        )

    @pytest.mark.parametrize(
        ("patterns", "statute", "matches"),
        [
            ('["PC 211"]', "PC 211", True),
            ('["PC 211"]', "pc 211", True),  # case ignored
            ('["pc 211"]', "PC 211", True),
            ('["PC 211"]', "PC   211", True),  # runs of spaces ignored
            ('["PC    211"]', "PC 211", True),
            ('["PC 211"]', "PC 2110", False),  # no '*': whole statute
            ('["PC 211"]', "PC 211.5", False),
            ('["PC 211"]', "XPC 211", False),
            ('["PC 211"]', "PC 21", False),
            ('["RCW 9A.36.*"]', "RCW 9A.36.021", True),
            ('["RCW 9A.36.*"]', "rcw 9a.36.011", True),
            ('["RCW 9A.36.*"]', "RCW 9AX36.021", False),  # '.' is a literal dot
            ('["RCW 9A.36.*"]', "RCW 9A.361", False),
            ('["RCW 9A.36.*"]', "RCW 9A.37.010", False),
            ('["PC 245(a)(1)"]', "PC 245(a)(1)", True),  # brackets are literal
            ('["PC 245(a)(1)"]', "PC 245a1", False),
            ('["PC 245(a)(1)"]', "pc 245(A)(1)", True),
            ('["PC 187*"]', "PC 187(a)", True),
            ('["PC *.5"]', "PC 273.5", True),
            ('["PC *.5"]', "PC 273.6", False),
            ('["NJSA 2C:12-1b*"]', "NJSA 2C:12-1b(1)", True),
            ('["NJSA 2C:12-1b*"]', "NJSA 2C:12-1a(1)", False),
            ('["PC 1+1"]', "PC 11", False),  # '+' literal
            ('["PC 211", "PC 245*"]', "PC 245(a)(4)", True),
            ('["PC 211", "PC 245*"]', "PC 246", False),
        ],
    )
    def test_matching(self, run, patterns, statute, matches):
        req = request(history=[conviction("2020-01-01", statute=statute)])
        d = run(self._pol(patterns), req).decision
        assert d["outcome"] == ("transfer" if matches else "notify")

    def test_list_on_charge(self, run):
        pol = self._pol('["PC 211"]', key="charge")
        entry = {
            "offense": "Robbery",
            "statute": "pc  211",
            "class": "felony",
            "status": "pending",
            "date": "2026-02-01",
        }
        assert run(pol, request(history=[entry])).decision["outcome"] == "transfer"


class TestHistoryCriteria:
    @pytest.mark.parametrize(
        ("cls", "expected"),
        [
            ("wobbler", "transfer"),
            ("felony", "transfer"),
            ("misdemeanor", "notify"),
            ("infraction", "notify"),
        ],
    )
    def test_class_list(self, run, cls, expected):
        pol = policy_text(transfer_when('conviction = { class = ["felony", "wobbler"] }'))
        req = request(history=[conviction("2020-01-01", **{"class": cls})])
        assert run(pol, req).decision["outcome"] == expected

    def test_class_single(self, run):
        pol = policy_text(transfer_when('conviction = { class = "indictable" }'))
        req = request(history=[conviction("2020-01-01", **{"class": "indictable"})])
        assert run(pol, req).decision["outcome"] == "transfer"

    @pytest.mark.parametrize("status", ["pending", "dismissed", "acquitted"])
    def test_conviction_only_matches_convicted(self, run, status):
        pol = policy_text(transfer_when('conviction = { class = "felony" }'))
        req = request(history=[conviction("2020-01-01", status=status)])
        assert run(pol, req).decision["outcome"] == "notify"

    @pytest.mark.parametrize(
        ("status", "pc", "expected"),
        [
            ("pending", True, "transfer"),
            ("pending", False, "notify"),
            ("pending", None, "notify"),
            ("dismissed", True, "notify"),
            ("convicted", True, "notify"),
        ],
    )
    def test_charge_probable_cause_found(self, run, status, pc, expected):
        pol = policy_text(
            transfer_when('charge = { class = "felony", probable_cause_found = true }')
        )
        entry = {
            "offense": "Burglary",
            "statute": "PC 459",
            "class": "felony",
            "status": status,
            "date": "2026-02-01",
        }
        if pc is not None:
            entry["probable_cause_found"] = pc
        assert run(pol, request(history=[entry])).decision["outcome"] == expected

    def test_all_keys_must_match_the_same_entry(self, run):
        # felony (not listed) + listed misdemeanor: no single entry is a listed felony.
        pol = policy_text(
            transfer_when(
                'conviction = { class = "felony", list = "l" }',
                extra='[offense_lists]\nl = ["PC 211"]\n',
            )
        )
        hist = [
            conviction("2020-01-01", statute="PC 459"),
            conviction("2020-01-01", statute="PC 211", **{"class": "misdemeanor"}),
        ]
        assert run(pol, request(history=hist)).decision["outcome"] == "notify"

    def test_conviction_all_keys_within_years_and_class(self, run):
        pol = policy_text(transfer_when('conviction = { class = "felony", within_years = 5 }'))
        hist = [
            conviction("2010-01-01"),  # felony, too old
            conviction("2025-01-01", **{"class": "misdemeanor"}),
        ]  # recent, not felony
        assert run(pol, request(history=hist)).decision["outcome"] == "notify"


# ======================================================================================
# 3.1 Sections, clauses, unless
# ======================================================================================


class TestSections:
    def test_missing_hold_section(self, run):
        pol = policy_text(
            "[transfer]\nwhen = [ { always = true } ]\n[notify]\nwhen = [ { always = true } ]\n"
        )
        d = run(pol, request()).decision
        assert d["permitted"] == {"hold": False, "transfer": True, "notify": True}
        assert d["outcome"] == "transfer"

    def test_hold_section_without_when(self, run):
        pol = policy_text("[hold]\nmax_hours = 48\n[notify]\nwhen = [ { always = true } ]\n")
        d = run(pol, request(release_eligible_at="2026-02-11T15:00:00-08:00")).decision
        assert d["permitted"]["hold"] is False
        assert d["outcome"] == "notify"
        assert d["hold_until"] is None

    def test_no_sections_at_all_declines(self, run):
        d = run(policy_text(""), request()).decision
        assert d["permitted"] == {"hold": False, "transfer": False, "notify": False}
        assert d["outcome"] == "decline"

    def test_notify_without_when_declines(self, run):
        d = run(policy_text("[notify]\n"), request()).decision
        assert d["outcome"] == "decline"

    def test_empty_when_list_never_permits(self, run):
        d = run(policy_text("[notify]\nwhen = []\n"), request()).decision
        assert d["outcome"] == "decline"

    def test_when_any_clause(self, run):
        pol = policy_text(
            '[transfer]\nwhen = [ { flag = "watch_list" }, { basis = "final_order" } ]\n'
        )
        req = request(detainer={"probable_cause_basis": ["final_order"]})
        assert run(pol, req).decision["outcome"] == "transfer"

    def test_clause_all_criteria(self, run):
        pol = policy_text(
            '[transfer]\nwhen = [ { flag = "watch_list", basis = "final_order" } ]\n'
            "[notify]\nwhen = [ { always = true } ]\n"
        )
        only_basis = request(detainer={"probable_cause_basis": ["final_order"]})
        assert run(pol, only_basis).decision["outcome"] == "notify"
        both = request(detainer={"probable_cause_basis": ["final_order"]}, flags=["watch_list"])
        assert run(pol, both).decision["outcome"] == "transfer"

    @pytest.mark.parametrize(("flags", "expected"), [(["gang_database"], "transfer"), ([], "hold")])
    def test_unless_blocks_hold(self, run, flags, expected):
        pol = policy_text(
            '[hold]\nwhen = [ { always = true } ]\nunless = [ { flag = "gang_database" } ]\n'
            "[transfer]\nwhen = [ { always = true } ]\n"
        )
        d = run(pol, request(flags=flags)).decision
        assert d["outcome"] == expected

    def test_unless_any_clause(self, run):
        pol = policy_text(
            "[notify]\nwhen = [ { always = true } ]\n"
            'unless = [ { flag = "watch_list" }, { basis = "statements" } ]\n'
        )
        req = request(detainer={"probable_cause_basis": ["statements"]})
        assert run(pol, req).decision["outcome"] == "decline"

    def test_unless_clause_needs_all_criteria(self, run):
        pol = policy_text(
            "[notify]\nwhen = [ { always = true } ]\n"
            'unless = [ { flag = "watch_list", basis = "statements" } ]\n'
        )
        req = request(detainer={"probable_cause_basis": ["statements"]})
        assert run(pol, req).decision["outcome"] == "notify"

    def test_basis_criterion(self, run):
        pol = policy_text(transfer_when('basis = "biometric_match"'))
        yes = request(detainer={"probable_cause_basis": ["statements", "biometric_match"]})
        no = request(detainer={"probable_cause_basis": ["statements"]})
        assert run(pol, yes).decision["outcome"] == "transfer"
        assert run(pol, no).decision["outcome"] == "notify"


# ======================================================================================
# 4. The steps
# ======================================================================================


class TestSteps:
    def test_hold_requested_and_permitted(self, run):
        d = run(
            policy_text(ALL_ALWAYS), request(release_eligible_at="2026-02-11T15:00:00-08:00")
        ).decision
        assert d["outcome"] == "hold"
        assert d["tentative_outcome"] is None
        assert_instant(d["hold_until"], "2026-02-13T15:00:00-08:00")

    def test_release_unknown_hold_until_null(self, run):
        d = run(policy_text(ALL_ALWAYS), request(release_eligible_at=None)).decision
        assert d["outcome"] == "hold"
        assert d["hold_until"] is None

    def test_release_key_absent_is_unknown(self, run):
        d = run(policy_text(ALL_ALWAYS), request(drop=("release_eligible_at",))).decision
        assert d["outcome"] == "hold"
        assert d["hold_until"] is None

    def test_hold_not_requested_is_notify_even_if_transfer_permitted(self, run):
        req = request(
            detainer={"requested": ["notify"]}, release_eligible_at="2026-02-11T15:00:00-08:00"
        )
        d = run(policy_text(ALL_ALWAYS), req).decision
        assert d["outcome"] == "notify"
        assert d["hold_until"] is None  # outcome is not hold
        assert d["permitted"] == {"hold": True, "transfer": True, "notify": True}

    def test_hold_not_requested_transfer_only_declines(self, run):
        # transfer counts only when hold was requested; notify not permitted -> decline
        pol = policy_text("[transfer]\nwhen = [ { always = true } ]\n")
        d = run(pol, request(detainer={"requested": ["notify"]})).decision
        assert d["outcome"] == "decline"

    def test_hold_only_requested_but_only_notify_permitted(self, run):
        pol = policy_text("[notify]\nwhen = [ { always = true } ]\n")
        d = run(pol, request(detainer={"requested": ["hold"]})).decision
        assert d["outcome"] == "notify"

    def test_hold_requested_not_permitted_transfer_permitted(self, run):
        pol = policy_text(
            "[transfer]\nwhen = [ { always = true } ]\n[notify]\nwhen = [ { always = true } ]\n"
        )
        assert run(pol, request()).decision["outcome"] == "transfer"

    def test_nothing_permitted_declines(self, run):
        pol = policy_text("[hold]\nwhen = [ { judicial_warrant = true } ]\n")
        d = run(pol, request()).decision
        assert d["outcome"] == "decline"
        assert d["tentative_outcome"] is None
        assert d["hold_until"] is None

    def test_i247d_hold_is_allowed(self, run):
        req = request(detainer={"form": "I-247D"})
        assert run(policy_text(ALL_ALWAYS), req).decision["outcome"] == "hold"

    @pytest.mark.parametrize("form", ["I-247G", "I-247N"])
    def test_notification_forms_notify(self, run, form):
        req = request(detainer={"form": form, "requested": ["notify"]})
        assert run(policy_text(ALL_ALWAYS), req).decision["outcome"] == "notify"


def _review_policy(triggers: str, body: str = ALL_ALWAYS) -> str:
    return policy_text(body + f"\n[review]\ntriggers = {triggers}\n")


class TestReview:
    ALL = (
        '["citizenship_claim", "missing_admin_warrant", "database_only_basis", '
        '"immigration_judge_order", "juvenile", "no_probable_cause"]'
    )
    I200: ClassVar[dict[str, Any]] = {
        "kind": "I-200",
        "signed": True,
        "signer_role": "immigration_officer",
    }

    def _d(self, run, req, triggers=None) -> dict[str, Any]:
        return run(_review_policy(triggers or self.ALL), req).decision

    def test_quiet_baseline(self, run):
        d = self._d(run, request(documents=[self.I200]))
        assert d["review_triggers"] == []
        assert d["outcome"] == "hold"
        assert d["tentative_outcome"] is None

    @pytest.mark.parametrize(
        ("changes", "trigger"),
        [
            ({"subject": {"citizenship_claim": True}}, "citizenship_claim"),
            ({"subject": {"us_citizenship_indicators": ["us_passport"]}}, "citizenship_claim"),
            ({"subject": {"us_citizenship_indicators": ["ssn_verified"]}}, "citizenship_claim"),
            ({"detainer": {"probable_cause_basis": ["biometric_match"]}}, "database_only_basis"),
            ({"subject": {"dob": "2008-02-11"}}, "juvenile"),
            ({"detainer": {"probable_cause_basis": []}}, "no_probable_cause"),
        ],
    )
    def test_each_trigger(self, run, changes, trigger):
        req = request(documents=[self.I200], **changes)
        d = self._d(run, req)
        assert d["review_triggers"] == [trigger]
        assert d["outcome"] == "review"
        assert d["tentative_outcome"] == "hold"

    def test_no_probable_cause_when_basis_absent(self, run):
        req = request(documents=[self.I200])
        del req["detainer"]["probable_cause_basis"]
        assert self._d(run, req)["review_triggers"] == ["no_probable_cause"]

    def test_no_probable_cause_only_on_i247a(self, run):
        req = request(
            documents=[self.I200], detainer={"form": "I-247D", "probable_cause_basis": []}
        )
        assert self._d(run, req)["review_triggers"] == []

    def test_database_only_basis_must_be_exactly(self, run):
        req = request(
            documents=[self.I200],
            detainer={"probable_cause_basis": ["biometric_match", "statements"]},
        )
        assert self._d(run, req)["review_triggers"] == []

    def test_missing_admin_warrant(self, run):
        d = self._d(run, request(documents=[]))
        assert d["review_triggers"] == ["missing_admin_warrant"]

    def test_missing_admin_warrant_unsigned_i200(self, run):
        d = self._d(run, request(documents=[dict(self.I200, signed=False)]))
        assert d["review_triggers"] == ["missing_admin_warrant"]

    def test_missing_admin_warrant_satisfied_by_i205(self, run):
        i205 = {"kind": "I-205", "signed": True, "signer_role": "immigration_officer"}
        assert self._d(run, request(documents=[i205]))["review_triggers"] == []

    def test_missing_admin_warrant_only_on_i247a(self, run):
        req = request(documents=[], detainer={"form": "I-247D"})
        assert self._d(run, req)["review_triggers"] == []

    def test_immigration_judge_order(self, run):
        ro = {
            "kind": "removal_order",
            "signed": True,
            "final": True,
            "signer_role": "immigration_judge",
        }
        d = self._d(run, request(documents=[self.I200, ro]))
        assert d["review_triggers"] == ["immigration_judge_order"]
        assert d["outcome"] == "review"

    def test_removal_order_by_judge_is_not_immigration_judge_order(self, run):
        ro = {"kind": "removal_order", "signed": True, "final": True, "signer_role": "judge"}
        assert self._d(run, request(documents=[self.I200, ro]))["review_triggers"] == []

    def test_several_triggers(self, run):
        req = request(documents=[], subject={"citizenship_claim": True, "dob": "2010-01-01"})
        d = self._d(run, req)
        assert set(d["review_triggers"]) == {
            "citizenship_claim",
            "missing_admin_warrant",
            "juvenile",
        }
        assert d["outcome"] == "review"

    def test_unlisted_trigger_never_fires(self, run):
        req = request(
            documents=[],
            subject={"citizenship_claim": True, "dob": "2010-01-01"},
            detainer={"probable_cause_basis": []},
        )
        d = run(_review_policy('["immigration_judge_order"]'), req).decision
        assert d["review_triggers"] == []
        assert d["outcome"] == "hold"
        assert d["tentative_outcome"] is None

    def test_no_review_section_never_fires(self, run):
        req = request(documents=[], subject={"citizenship_claim": True})
        d = run(policy_text(ALL_ALWAYS), req).decision
        assert d["review_triggers"] == []
        assert d["outcome"] == "hold"

    def test_review_keeps_hold_until(self, run):
        req = request(
            subject={"citizenship_claim": True}, release_eligible_at="2026-02-11T15:00:00-08:00"
        )
        d = run(_review_policy('["citizenship_claim"]'), req).decision
        assert d["outcome"] == "review"
        assert d["tentative_outcome"] == "hold"
        assert_instant(d["hold_until"], "2026-02-13T15:00:00-08:00")

    def test_review_does_not_change_permitted(self, run):
        req = request(subject={"citizenship_claim": True})
        d = run(_review_policy('["citizenship_claim"]'), req).decision
        assert d["permitted"] == {"hold": True, "transfer": True, "notify": True}

    @pytest.mark.parametrize(
        ("body", "requested", "tentative"),
        [
            ("[notify]\nwhen = [ { always = true } ]\n", ["notify", "hold"], "notify"),
            ("", ["notify", "hold"], "decline"),
            ("[transfer]\nwhen = [ { always = true } ]\n", ["hold"], "transfer"),
        ],
    )
    def test_review_keeps_any_tentative(self, run, body, requested, tentative):
        req = request(
            subject={"citizenship_claim": True},
            detainer={"requested": requested},
            release_eligible_at="2026-02-11T15:00:00-08:00",
        )
        d = run(_review_policy('["citizenship_claim"]', body=body), req).decision
        assert d["outcome"] == "review"
        assert d["tentative_outcome"] == tentative
        assert d["hold_until"] is None


# ======================================================================================
# 4. The output shape
# ======================================================================================


class TestOutputShape:
    def test_keys_exactly(self, run):
        d = run(policy_text(ALL_ALWAYS), request()).decision
        assert set(d) == {
            "outcome",
            "tentative_outcome",
            "hold_until",
            "permitted",
            "review_triggers",
            "reasons",
            "policy",
        }
        assert set(d["permitted"]) == {"hold", "transfer", "notify"}
        assert set(d["policy"]) >= {"name", "sha256"}
        assert d["policy"]["name"] == "Edge test policy"

    @pytest.mark.parametrize(
        "body",
        [
            ALL_ALWAYS,
            "",
            JW_HOLD,
            "[hold]\nmax_hours = 4\n",
            '[transfer]\nwhen = [ { flag = "watch_list" } ]\n',
        ],
    )
    def test_reason_per_action(self, run, body):
        d = run(policy_text(body), request()).decision
        actions = {r["action"] for r in d["reasons"]}
        assert {"hold", "transfer", "notify"} <= actions
        for reason in d["reasons"]:
            assert isinstance(reason["text"], str)
            assert reason["text"].strip()
            assert "result" in reason

    def test_reason_names_the_clause(self, run):
        pol = policy_text('[transfer]\nwhen = [ { flag = "watch_list" }, { always = true } ]\n')
        d = run(pol, request()).decision
        texts = " ".join(r["text"] for r in reasons_for(d, "transfer"))
        assert re.search(r"clause\s*2", texts, re.I), texts

    def test_reason_per_action_when_hold_not_requested(self, run):
        d = run(policy_text(ALL_ALWAYS), request(detainer={"requested": ["notify"]})).decision
        assert {"hold", "transfer", "notify"} <= {r["action"] for r in d["reasons"]}

    def test_sha256_of_file_bytes(self, run):
        text = policy_text(ALL_ALWAYS)
        r = run(text, request())
        assert r.decision["policy"]["sha256"] == hashlib.sha256(text.encode()).hexdigest()

    def test_sha256_of_crlf_and_unicode_bytes(self, run):
        # exact bytes, not a normalized text: CRLF line ends, non-ASCII, trailing comment
        text = policy_text(ALL_ALWAYS).replace(
            'name = "Edge test policy"', 'name = "Condado de Peña — política"'
        )
        raw = (text + "# fin\n").replace("\n", "\r\n").encode("utf-8")
        r = run(raw, request())
        d = r.decision
        assert d["policy"]["sha256"] == hashlib.sha256(raw).hexdigest()
        assert d["policy"]["name"] == "Condado de Peña — política"

    def test_sha256_changes_with_a_comment(self, run):
        a = policy_text(ALL_ALWAYS)
        b = a + "# a comment\n"
        sa = run(a, request()).decision["policy"]["sha256"]
        sb = run(b, request()).decision["policy"]["sha256"]
        assert sa != sb
        assert sb == hashlib.sha256(b.encode()).hexdigest()

    def test_text_output_exit_0(self, run):
        r = run(policy_text(ALL_ALWAYS), request(), as_json=False)
        assert r.rc == 0
        assert r.out.strip()
        assert r.err == ""

    def test_json_output_is_one_object(self, run):
        r = run(policy_text(ALL_ALWAYS), request())
        assert r.rc == 0
        assert isinstance(json.loads(r.out), dict)
        assert r.err == ""


# ======================================================================================
# 2. Request details that are accepted
# ======================================================================================


class TestAccepted:
    @pytest.mark.parametrize(
        ("raw", "stored"),
        [
            ("A12345678", "A012345678"),
            ("12345678", "A012345678"),
            ("A123456789", "A123456789"),
            ("123456789", "A123456789"),
        ],
    )
    def test_a_number_accepted_and_normalized(self, run, raw, stored):
        req = request(subject={"a_number": raw})
        assert run(policy_text(ALL_ALWAYS), req).rc == 0
        from detainer_desk.domain.request import parse_request

        parsed = parse_request(json.dumps(req).encode(), "request.json")
        assert parsed.subject.a_number == stored

    def test_dob_on_received_date_is_fine(self, run):
        assert run(policy_text(ALL_ALWAYS), request(subject={"dob": "2026-02-10"})).rc == 0

    def test_dob_compared_with_local_date_east(self, run):
        # NY policy; received 2026-02-10T22:30-08:00 = 2026-02-11 01:30 EST: evaluation date
        # is 02-11, so a dob of 02-11 is not after it.
        pol = policy_text(ALL_ALWAYS, tz=NY)
        req = request(received_at="2026-02-10T22:30:00-08:00", subject={"dob": "2026-02-11"})
        assert run(pol, req).rc == 0

    def test_optional_keys_absent(self, run):
        req = request(
            drop=(
                "documents",
                "history",
                "flags",
                "release_eligible_at",
                "detainer.probable_cause_basis",
            )
        )
        assert run(policy_text(ALL_ALWAYS), req).rc == 0

    def test_full_contract_example_request_is_valid(self, run):
        req = {
            "schema": 1,
            "received_at": "2026-03-05T09:15:00-08:00",
            "subject": {
                "name": "DOE, John",
                "dob": "1990-04-02",
                "booking_number": "B26-001234",
                "a_number": "A123456789",
                "fbi_number": "123456AB7",
                "citizenship_claim": False,
                "us_citizenship_indicators": [],
            },
            "detainer": {
                "form": "I-247A",
                "issued_at": "2026-03-05T08:00:00-05:00",
                "issuing_office": "ICE ERO Seattle",
                "officer": "J. SMITH, SDDO",
                "requested": ["notify", "hold"],
                "probable_cause_basis": ["biometric_match"],
            },
            "documents": [{"kind": "I-200", "signed": True, "signer_role": "immigration_officer"}],
            "history": [
                {
                    "offense": "Assault 2",
                    "statute": "RCW 9A.36.021",
                    "class": "felony",
                    "status": "convicted",
                    "date": "2019-06-01",
                    "released_on": "2020-01-10",
                },
                {
                    "offense": "DUI",
                    "statute": "RCW 46.61.502",
                    "class": "misdemeanor",
                    "status": "pending",
                    "date": "2026-03-04",
                    "probable_cause_found": True,
                },
            ],
            "flags": [],
            "release_eligible_at": "2026-03-06T14:00:00-08:00",
        }
        # Contract sample policy (sec. 3): hold needs a judicial warrant (none) -> no hold;
        # transfer: felony RCW 9A.36.021 within 10 years of 2026-03-05 (2019) -> transfer.
        # review: missing_admin_warrant: I-200 signed counts -> no; citizenship: no.
        pol = """schema = 1
name = "Judicial warrant only, 48-hour cap"
jurisdiction = "Example County"
timezone = "America/Los_Angeles"
effective_from = 2014-09-01
citation = "Example County Code 2.15.010"
caution = "Confirm with county counsel before use."
notes = "Optional free text shown with the policy."

[offense_lists]
serious_violent = ["RCW 9A.32.*", "RCW 9A.36.011", "RCW 9A.36.021"]

[hold]
when = [ { judicial_warrant = true } ]
unless = [ { age_under = 18 } ]
max_hours = 48
exclude_weekends = false
exclude_holidays = false
holidays = []
end_of_release_day = false

[transfer]
when = [ { conviction = { class = "felony", list = "serious_violent", within_years = 10 } } ]

[notify]
when = [ { always = true } ]

[review]
triggers = ["citizenship_claim", "missing_admin_warrant"]
"""
        d = run(pol, req).decision
        assert d["outcome"] == "transfer"
        assert d["permitted"] == {"hold": False, "transfer": True, "notify": True}
        assert d["hold_until"] is None
        assert d["review_triggers"] == []


# ======================================================================================
# 5. Bad input
# ======================================================================================


class TestBadRequest:
    POL = policy_text(ALL_ALWAYS)

    @pytest.mark.parametrize(
        ("path", "needle"),
        [
            ("schema", "schema"),
            ("received_at", "received_at"),
            ("subject", "subject"),
            ("subject.name", "name"),
            ("subject.dob", "dob"),
            ("subject.booking_number", "booking_number"),
            ("detainer", "detainer"),
            ("detainer.form", "form"),
            ("detainer.requested", "requested"),
        ],
    )
    def test_missing_required(self, run, path, needle):
        assert_bad(run(self.POL, request(drop=(path,))), needle, file="request")

    @pytest.mark.parametrize(
        ("changes", "needle"),
        [
            ({"subject": {"name": "   "}}, "name"),
            ({"subject": {"name": ""}}, "name"),
            ({"subject": {"booking_number": ""}}, "booking_number"),
        ],
    )
    def test_empty_required_text(self, run, changes, needle):
        assert_bad(run(self.POL, request(**changes)), needle, file="request")

    @pytest.mark.parametrize(
        ("where", "key"),
        [
            ("top", "recieved"),
            ("subject", "nickname"),
            ("detainer", "reqested"),
            ("document", "signed_by"),
            ("history", "sentence"),
        ],
    )
    def test_unknown_keys(self, run, where, key):
        req = request(
            documents=[{"kind": "I-200", "signed": True}], history=[conviction("2020-01-01")]
        )
        target = {
            "top": req,
            "subject": req["subject"],
            "detainer": req["detainer"],
            "document": req["documents"][0],
            "history": req["history"][0],
        }[where]
        target[key] = "x"
        assert_bad(run(self.POL, req), key, file="request")

    @pytest.mark.parametrize(
        ("mutate", "needle"),
        [
            (lambda r: r["detainer"].update(form="I-999"), "form"),
            (lambda r: r["detainer"].update(requested=["notify", "transfer"]), "requested"),
            (
                lambda r: r["detainer"].update(probable_cause_basis=["hunch"]),
                "probable_cause_basis",
            ),
            (
                lambda r: r["subject"].update(us_citizenship_indicators=["accent"]),
                "us_citizenship_indicators",
            ),
            (lambda r: r.update(flags=["gang"]), "flags"),
            (lambda r: r.update(documents=[{"kind": "I-201", "signed": True}]), "kind"),
            (
                lambda r: r.update(
                    documents=[{"kind": "I-200", "signed": True, "signer_role": "clerk"}]
                ),
                "signer_role",
            ),
            (
                lambda r: r.update(documents=[dict(JUDGE_WARRANT, court_system="tribal")]),
                "court_system",
            ),
            (lambda r: r.update(documents=[{"kind": "I-200", "signed": "yes"}]), "signed"),
            (lambda r: r.update(history=[conviction("2020-01-01", **{"class": "felon"})]), "class"),
            (lambda r: r.update(history=[conviction("2020-01-01", status="charged")]), "status"),
        ],
    )
    def test_unknown_values(self, run, mutate, needle):
        req = request()
        mutate(req)
        assert_bad(run(self.POL, req), needle, file="request")

    @pytest.mark.parametrize(
        ("mutate", "needle"),
        [
            (lambda r: r["subject"].update(dob="2026-02-30"), "dob"),
            (lambda r: r["subject"].update(dob="1990/04/02"), "dob"),
            (lambda r: r["subject"].update(dob="19900402"), "dob"),
            (lambda r: r["subject"].update(dob="1990-4-2"), "dob"),
            (lambda r: r.update(received_at="2026-02-30T08:30:00-08:00"), "received_at"),
            (lambda r: r.update(received_at="yesterday"), "received_at"),
            (
                lambda r: r.update(release_eligible_at="2026-13-01T10:00:00-08:00"),
                "release_eligible_at",
            ),
            (lambda r: r.update(history=[conviction("2019-02-29")]), "date"),
            (
                lambda r: r.update(history=[conviction("2010-01-01", released_on="2011-04-31")]),
                "released_on",
            ),
            (
                lambda r: r.update(documents=[dict(JUDGE_WARRANT, expires_on="2026-02-30")]),
                "expires_on",
            ),
            (
                lambda r: r.update(documents=[dict(JUDGE_WARRANT, issued_on="02/01/2026")]),
                "issued_on",
            ),
        ],
    )
    def test_bad_dates(self, run, mutate, needle):
        req = request()
        mutate(req)
        assert_bad(run(self.POL, req), needle, file="request")

    def test_dob_after_received_at(self, run):
        assert_bad(run(self.POL, request(subject={"dob": "2026-02-11"})), "dob", file="request")

    def test_dob_after_local_evaluation_date(self, run):
        # received 2026-02-11T05:00Z = 2026-02-10 21:00 PST: evaluation date 02-10 (sec. 1 says
        # the dob check uses it), so a dob of 02-11 is after it.
        req = request(received_at="2026-02-11T05:00:00+00:00", subject={"dob": "2026-02-11"})
        assert_bad(run(self.POL, req), "dob", file="request")

    @pytest.mark.parametrize(
        "a",
        [
            "A1234567",
            "1234567",
            "A1234567890",
            "1234567890",
            "A12345678X",
            "B12345678",
            "A",
            "A 1234567",
        ],
    )
    def test_a_number_wrong(self, run, a):
        assert_bad(run(self.POL, request(subject={"a_number": a})), "a_number", file="request")

    def test_empty_requested(self, run):
        assert_bad(run(self.POL, request(detainer={"requested": []})), "requested", file="request")

    @pytest.mark.parametrize("form", ["I-247G", "I-247N"])
    @pytest.mark.parametrize("requested", [["notify", "hold"], ["hold"]])
    def test_hold_on_notification_form(self, run, form, requested):
        req = request(detainer={"form": form, "requested": requested})
        assert_bad(run(self.POL, req), "requested", file="request")

    @pytest.mark.parametrize("schema", [2, 0, "1", None, True])
    def test_schema_not_1(self, run, schema):
        assert_bad(run(self.POL, request(schema=schema)), "schema", file="request")

    @pytest.mark.parametrize("text", ["{not json", "", "[]", '"x"', "null"])
    def test_invalid_json(self, run, text):
        r = run(self.POL, text)
        assert_bad(r, file="request")

    def test_several_problems_several_lines(self, run):
        req = request(drop=("subject.name", "subject.dob"), detainer={"form": "I-999"})
        r = run(self.POL, req)
        assert_bad(r, "name", "dob", "form")
        assert len([ln for ln in r.err.splitlines() if ln.strip()]) >= 3

    def test_problems_in_both_files_reported(self, run):
        pol = self.POL.replace('timezone = "America/Los_Angeles"', 'timezone = "Mars/Olympus"')
        r = run(pol, request(drop=("subject.dob",)))
        assert_bad(r, "timezone", "dob")


class TestBadPolicy:
    @pytest.mark.parametrize("key", ["schema", "name", "jurisdiction", "timezone", "citation"])
    def test_missing_required(self, run, key):
        lines = [ln for ln in policy_text(ALL_ALWAYS).splitlines() if not ln.startswith(f"{key} =")]
        assert_bad(run("\n".join(lines) + "\n", request()), key, file="policy")

    def test_schema_2(self, run):
        pol = policy_text(ALL_ALWAYS).replace("schema = 1", "schema = 2")
        assert_bad(run(pol, request()), "schema", file="policy")

    @pytest.mark.parametrize(
        ("snippet", "needle"),
        [
            ('nmae = "x"\n', "nmae"),
            ("[hold]\nwhen = [ { always = true } ]\nmax_hour = 48\n", "max_hour"),
            ("[hold]\nwhen = [ { always = true } ]\nexclude_weekend = true\n", "exclude_weekend"),
            ("[holdd]\nwhen = [ { always = true } ]\n", "holdd"),
            ("[notify]\nwhen = [ { always = true } ]\nunles = []\n", "unles"),
            (
                '[transfer]\nwhen = [ { conviction = { class = "felony", within_year = 5 } } ]\n',
                "within_year",
            ),
            ('[transfer]\nwhen = [ { charge = { clas = "felony" } } ]\n', "clas"),
            ('[review]\ntriggers = ["juvenile"]\nextra = 1\n', "extra"),
        ],
    )
    def test_unknown_keys(self, run, snippet, needle):
        if snippet.startswith("nmae"):
            pol = policy_text("", header=policy_text("")[:-1] + snippet)
        else:
            pol = policy_text(snippet)
        assert_bad(run(pol, request()), needle, file="policy")

    @pytest.mark.parametrize(
        ("snippet", "needle"),
        [
            ("[transfer]\nwhen = [ { judical_warrant = true } ]\n", "judical_warrant"),
            ("[transfer]\nwhen = [ { warrant = true } ]\n", "warrant"),
            ("[hold]\nwhen = [ { always = true } ]\nunless = [ { age_over = 18 } ]\n", "age_over"),
        ],
    )
    def test_unknown_criterion(self, run, snippet, needle):
        assert_bad(run(policy_text(snippet), request()), needle, file="policy")

    @pytest.mark.parametrize(
        ("snippet", "needle"),
        [
            ('[transfer]\nwhen = [ { conviction = { class = "felon" } } ]\n', "class"),
            ('[transfer]\nwhen = [ { conviction = { class = ["felony", "petty"] } } ]\n', "class"),
            ('[transfer]\nwhen = [ { flag = "gang" } ]\n', "flag"),
            ('[transfer]\nwhen = [ { basis = "hunch" } ]\n', "basis"),
            ('[review]\ntriggers = ["juvenil"]\n', "juvenil"),
            ('[transfer]\nwhen = [ { removal_order = ["judge", "clerk"] } ]\n', "clerk"),
            ('[transfer]\nwhen = [ { judicial_warrant = "tribal" } ]\n', "judicial_warrant"),
            ('[hold]\nwhen = [ { always = true } ]\nholidays = "UK"\n', "holidays"),
            ('[hold]\nwhen = [ { always = true } ]\nholidays = ["2026-02-30"]\n', "holidays"),
            ('[hold]\nwhen = [ { always = true } ]\nholidays = ["next monday"]\n', "holidays"),
        ],
    )
    def test_unknown_values(self, run, snippet, needle):
        assert_bad(run(policy_text(snippet), request()), needle, file="policy")

    def test_undefined_offense_list(self, run):
        pol = policy_text(transfer_when('conviction = { list = "nosuchlist" }'))
        assert_bad(run(pol, request()), "nosuchlist", file="policy")

    def test_undefined_offense_list_with_other_lists_defined(self, run):
        pol = policy_text(
            transfer_when(
                'charge = { list = "violent" }', extra='[offense_lists]\nviolnet = ["PC 187*"]\n'
            )
        )
        assert_bad(run(pol, request()), "violent", file="policy")

    @pytest.mark.parametrize("tz", ["America/Nowhere", "PST8PDTX", "", "Los Angeles"])
    def test_unknown_timezone(self, run, tz):
        pol = policy_text(ALL_ALWAYS, tz=tz)
        assert_bad(run(pol, request()), "timezone", file="policy")

    @pytest.mark.parametrize("value", ["0", "-1", "-48"])
    def test_max_hours_not_positive(self, run, value):
        pol = policy_text(ALL_ALWAYS.replace("max_hours = 48", f"max_hours = {value}"))
        assert_bad(run(pol, request()), "max_hours", file="policy")

    def test_line_number_for_max_hours(self, run):
        pol = (
            "schema = 1\n"  # 1
            'name = "P"\n'  # 2
            'jurisdiction = "J"\n'  # 3
            'timezone = "America/Los_Angeles"\n'  # 4
            'citation = "C"\n'  # 5
            "\n"  # 6
            "[hold]\n"  # 7
            "when = [ { always = true } ]\n"  # 8
            "max_hours = 0\n"  # 9
        )
        r = run(pol, request())
        assert_bad(r, "max_hours", file="policy")
        assert re.search(r"(?i)(line\s*9\b|:9\b)", r.err), r.err

    def test_line_number_for_unknown_timezone(self, run):
        pol = policy_text(ALL_ALWAYS, tz="Europe/Atlantis")  # timezone is on line 4
        r = run(pol, request())
        assert_bad(r, "timezone", file="policy")
        assert re.search(r"(?i)(line\s*4\b|:4\b)", r.err), r.err

    def test_line_number_for_unknown_key(self, run):
        pol = (
            "schema = 1\n"  # 1
            'name = "P"\n'  # 2
            'jurisdiction = "J"\n'  # 3
            'timezone = "America/Los_Angeles"\n'  # 4
            'citation = "C"\n'  # 5
            "[notify]\n"  # 6
            "when = [ { always = true } ]\n"  # 7
            "[hold]\n"  # 8
            "when = [ { always = true } ]\n"  # 9
            "exclude_weekend = true\n"  # 10
        )
        r = run(pol, request())
        assert_bad(r, "exclude_weekend", file="policy")
        assert re.search(r"(?i)(line\s*10\b|:10\b)", r.err), r.err

    def test_line_number_for_undefined_list(self, run):
        pol = (
            "schema = 1\n"  # 1
            'name = "P"\n'  # 2
            'jurisdiction = "J"\n'  # 3
            'timezone = "America/Los_Angeles"\n'  # 4
            'citation = "C"\n'  # 5
            "\n"  # 6
            "[transfer]\n"  # 7
            'when = [ { conviction = { list = "nope" } } ]\n'  # 8
        )
        r = run(pol, request())
        assert_bad(r, "nope", file="policy")
        assert re.search(r"(?i)(line\s*8\b|:8\b)", r.err), r.err

    @pytest.mark.parametrize(
        "text",
        ['schema = 1\nname = "unterminated\n', "schema = 1\nschema = 1\n", "[hold\n", "= 3\n"],
    )
    def test_invalid_toml(self, run, text):
        assert_bad(run(text, request()), file="policy")

    def test_invalid_toml_line_number(self, run):
        text = policy_text(ALL_ALWAYS) + "\nthis is not toml\n"
        n = text.splitlines().index("this is not toml") + 1
        r = run(text, request())
        assert_bad(r, file="policy")
        assert re.search(rf"(?i)(line\s*{n}\b|:{n}\b)", r.err), r.err

    def test_bad_policy_never_decides(self, run):
        pol = policy_text(
            "[hold]\nwhen = [ { always = true } ]\nmax_hours = 0\n"
            "[notify]\nwhen = [ { always = true } ]\n"
        )
        r = run(pol, request())
        assert r.rc == 2
        assert r.out == ""


# ======================================================================================
# More on reasons and the text output
# ======================================================================================


class TestReasonContent:
    def test_conviction_reason_names_the_entry(self, run):
        # "naming the clause and the document or history entry that decided it"
        pol = policy_text(
            transfer_when('conviction = { list = "l" }', extra='[offense_lists]\nl = ["PC 211"]\n')
        )
        d = run(pol, request(history=[conviction("2020-01-01")])).decision
        texts = " ".join(r["text"] for r in reasons_for(d, "transfer"))
        assert "PC 211" in texts or "Robbery" in texts, texts
        assert re.search(r"clause\s*1", texts, re.I), texts

    def test_judicial_warrant_reason_names_the_court(self, run):
        d = run(policy_text(JW_HOLD), request(documents=[JUDGE_WARRANT])).decision
        texts = " ".join(r["text"] for r in reasons_for(d, "hold"))
        assert "Superior Court of Example County" in texts, texts

    def test_every_reason_has_contract_keys(self, run):
        d = run(policy_text(ALL_ALWAYS), request()).decision
        for reason in d["reasons"]:
            assert {"action", "result", "text", "citation"} <= set(reason)

    @pytest.mark.parametrize(
        ("body", "req", "at"),
        [
            (ALL_ALWAYS, request(release_eligible_at="2026-02-11T15:00:00-08:00"), None),
            (
                ALL_ALWAYS,
                request(release_eligible_at="2026-02-11T15:00:00-08:00"),
                "2026-02-20T00:00:00-08:00",
            ),
            ("", request(), None),
            (
                ALL_ALWAYS + '\n[review]\ntriggers = ["citizenship_claim"]\n',
                request(
                    subject={"citizenship_claim": True},
                    release_eligible_at="2026-02-11T15:00:00-08:00",
                ),
                None,
            ),
        ],
    )
    def test_text_output_for_people(self, run, body, req, at):
        r = run(policy_text(body), req, at=at, as_json=False)
        assert r.rc == 0
        assert r.out.strip()
        assert "Traceback" not in r.err


# ======================================================================================
# Never a traceback (sec. 5): absurd but well-formed values
# ======================================================================================


def _no_crash(r: Run) -> None:
    # main() returning at all (no exception) is half the test; then a decision or a refusal.
    assert r.rc in (0, 2), (r.rc, r.err)
    assert "Traceback" not in r.err
    if r.rc == 2:
        assert r.err.strip()
        assert r.out.strip() == ""


class TestNeverATraceback:
    @pytest.mark.parametrize("mh", ["100000000", "1e15"])
    def test_huge_max_hours(self, run, mh):
        pol = policy_text(ALL_ALWAYS.replace("max_hours = 48", f"max_hours = {mh}"))
        _no_crash(run(pol, request(release_eligible_at="2026-02-11T15:00:00-08:00")))

    @pytest.mark.parametrize("release", ["9999-12-31T20:00:00-08:00", "0001-01-01T00:00:00+01:00"])
    def test_extreme_release_instants(self, run, release):
        _no_crash(run(policy_text(ALL_ALWAYS), request(release_eligible_at=release)))

    @pytest.mark.parametrize("received", ["9999-12-31T23:00:00-08:00", "0001-01-01T00:00:00+01:00"])
    def test_extreme_received_at(self, run, received):
        req = request(received_at=received, subject={"dob": "0001-01-01"})
        _no_crash(run(policy_text(ALL_ALWAYS), req))

    def test_extreme_at(self, run):
        _no_crash(run(policy_text(ALL_ALWAYS), request(), at="0001-01-01T00:00:00+01:00"))

    @pytest.mark.parametrize(
        "criterion", ["conviction = { within_years = 3000 }", "age_under = 3000"]
    )
    def test_huge_year_counts(self, run, criterion):
        # 3000 years back from 2026 reaches before year 1: every conviction / every person
        # qualifies, so if the engine decides at all it must say transfer.
        r = run(policy_text(transfer_when(criterion)), request(history=[conviction("2020-01-01")]))
        _no_crash(r)
        if r.rc == 0:
            assert r.decision["outcome"] == "transfer"

    def test_deeply_nested_json(self, run):
        r = run(policy_text(ALL_ALWAYS), "[" * 100_000 + "]" * 100_000)
        _no_crash(r)
        assert r.rc == 2

    def test_localtime_is_not_an_iana_zone(self, run):
        # "timezone (an IANA name)": 'localtime' is the computer's own setting, not an IANA
        # zone; accepting it would make decisions depend on the machine they run on.
        assert_bad(
            run(policy_text(ALL_ALWAYS, tz="localtime"), request()), "timezone", file="policy"
        )

    def test_several_policy_problems_several_lines(self, run):
        pol = policy_text("[notify]\nwhen = [ { always = true } ]\nfoo = 1\nbar = 2\n")
        r = run(pol, request())
        assert_bad(r, "foo", "bar", file="policy")
        assert len([ln for ln in r.err.splitlines() if ln.strip()]) >= 2


# ======================================================================================
# The published samples (expected.json written by the contract's authors)
# ======================================================================================

EXAMPLES = Path(__file__).parent / "fixtures" / "examples"


@pytest.mark.parametrize("case", sorted(p.name for p in EXAMPLES.iterdir() if p.is_dir()))
def test_published_examples(run, case):
    folder = EXAMPLES / case
    expected = json.loads((folder / "expected.json").read_text(encoding="utf-8"))
    r = run((folder / "policy.toml").read_bytes(), (folder / "request.json").read_bytes())
    if expected.get("error"):
        assert_bad(r, expected["about"], file="request")
        return
    d = r.decision
    assert d["outcome"] == expected["outcome"]
    assert d["tentative_outcome"] == expected["tentative_outcome"]
    assert d["review_triggers"] == expected["review_triggers"]
    if expected["hold_until"] is None:
        assert d["hold_until"] is None
    else:
        assert_instant(d["hold_until"], expected["hold_until"])
