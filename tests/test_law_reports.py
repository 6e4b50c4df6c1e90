"""The statutory reports computed from a hand-built record whose counts are known."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from detainer_desk.domain import contacts as ct
from detainer_desk.domain import law_notices as ln
from detainer_desk.domain import lawreports as lr

CHICAGO = ZoneInfo("America/Chicago")
YEAR = lr.Period.of_days(dt.date(2026, 1, 1), dt.date(2026, 12, 31), CHICAGO)


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=CHICAGO).astimezone(dt.UTC)


def case(n: int, received: str, outcome: str, **facts: Any) -> lr.CaseFacts:
    return lr.CaseFacts(
        decision_id=n, form="I-247A", received_at=at(received), outcome=outcome, **facts
    )


def contact(n: int, kind: str, when: str, **details: object) -> ct.ContactFact:
    reason = details.pop("reason", None)
    decision = details.pop("decision_id", None)
    return ct.ContactFact(n, kind, at(when), "ICE", decision, details, reason)  # type: ignore[arg-type]


# Five detainers: one transferred after bail, one released, one still held, one from the
# year before (outside the period), one notify-only that was declined for custody.
CASES = (
    case(
        1,
        "2026-02-03T09:00",
        "hold",
        documents=("I-200",),
        release_eligible_at=at("2026-02-04T10:00"),
        bail_posted_at=at("2026-02-04T09:30"),
        transferred_at=at("2026-02-05T08:00"),
        transferred_to="ICE ERO Chicago",
        sex="male",
        dob=dt.date(1990, 5, 1),
    ),
    case(
        2,
        "2026-03-10T14:00",
        "notify",
        released_at=at("2026-03-12T16:00"),
        sex="female",
        preferred_language="es",
        dob=dt.date(2001, 1, 1),
    ),
    case(3, "2026-11-30T23:00", "review"),
    case(4, "2025-12-20T10:00", "hold", transferred_at=at("2025-12-22T10:00")),
    case(5, "2026-06-01T10:00", "decline", released_at=at("2026-06-01T18:00")),
)
CONTACTS = (
    contact(
        1,
        ct.INTERVIEW_REQUEST,
        "2026-02-03T12:00",
        consent_form_given=True,
        language="es",
        answer="declined",
        decision_id=1,
    ),
    contact(
        2,
        ct.INTERVIEW_REQUEST,
        "2026-04-01T12:00",
        consent_form_given=True,
        language="en",
        answer="consented",
    ),
    contact(
        3, ct.INFORMATION_REQUEST, "2026-05-05T08:00", asked_for="home address", answer="declined"
    ),
    contact(
        4,
        ct.RELEASE_NOTIFICATION,
        "2026-03-11T09:00",
        sent_to="ICE ERO",
        means="phone",
        decision_id=2,
    ),
    contact(5, ct.DATABASE_HIT, "2026-07-07T07:00", system="NCIC Immigration Violator File"),
    contact(
        6, ct.DECLINED, "2026-08-08T08:00", asked_for="access to the booking area", reason="policy"
    ),
    contact(
        7, ct.JUDICIAL_PROCESS, "2026-09-09T09:00", process="judicial_subpoena", court="N.D. Ill."
    ),
)


def run(
    key: str, cases=CASES, contacts=CONTACTS, period=YEAR, **options: object
) -> lr.ReportResult:
    return lr.REPORTS[key].compute(cases, contacts, period, lr.ReportOptions(**options))  # type: ignore[arg-type]


def summary(result: lr.ReportResult) -> dict[str, str]:
    return dict(result.summary)


def test_illinois_counts_requests_detainers_and_hits_with_fields_a_to_e() -> None:
    result = run("illinois-annual")
    s = summary(result)
    # Requests: two interview requests, one information request, one declined request.
    assert s["Requests for assistance (a)(1)"] == "4"
    # Detainers 1, 2, 3, 5 (4 is from 2025) and the NCIC hit.
    assert s["  of which detainers (I-247 forms)"] == "4"
    assert s["  of which NCIC Immigration Violator File hits"] == "1"
    assert s["Transferred"] == "1" and s["Released"] == "2"
    assert result.certifications == ()
    part2 = [row for row in result.rows if row[0].startswith("(a)(2)")]
    first = part2[0]
    assert first[2] == "2026-02-03"
    assert first[6] == "2026-02-04T09:30-06:00"  # bail posted, county offset
    assert first[7] == "transferred" and first[8] == "2026-02-05T08:00-06:00"
    assert first[9] == "ICE ERO Chicago"
    assert [row[1] for row in part2] == ["1", "2", "3", "4", "5"]
    assert len(result.columns) == len(first)


def test_illinois_certifies_none_received_for_an_empty_period() -> None:
    empty = lr.Period.of_days(dt.date(2024, 1, 1), dt.date(2024, 12, 31), CHICAGO)
    result = run("illinois-annual", period=empty)
    assert result.rows == ()
    assert len(result.certifications) == 2
    assert "received no requests" in result.certifications[0]
    assert "no immigration detainers or civil immigration warrants" in result.certifications[1]


def test_reports_never_carry_a_name_or_a_decision_number() -> None:
    for key in lr.REPORTS:
        result = run(key, daily_cost=80.0)
        text = " ".join(" ".join(row) for row in result.rows)
        assert "DOE" not in text
        assert all(len(row) == len(result.columns) for row in result.rows), key


def test_california_counts_ice_access_by_means_and_demographics() -> None:
    result = run("california-forum")
    s = summary(result)
    # hold: decision 1 (hold, received in 2026); transfer: decision 1; notification:
    # contact 4; interview: contact 2 (consented). Decision 4's transfer was in 2025.
    assert s["Instances of ICE access"] == "4"
    assert s["  through hold request"] == "1"
    assert s["  through transfer request"] == "1"
    assert s["  through notification request"] == "1"
    assert s["  through other means: interview"] == "1"
    assert s["  through other means: information provided"] == "0"
    assert s["Individuals given ICE access (recorded detainers)"] == "2"
    assert s["Instances not tied to a recorded detainer"] == "1"
    assert s["  sex: male"] == "2" and s["  sex: female"] == "1"
    assert s["ICE interview requests"] == "2"
    row = next(r for r in result.rows if r[2] == "notification request")
    assert row[3:] == ("female", "unknown", "unknown", "25-34", "es")


def test_nyc_annual_four_counts() -> None:
    s = summary(run("nyc-annual"))
    assert s["Civil immigration detainers received"] == "4"
    assert s["Individuals held beyond the time they would otherwise be released"] == "1"
    assert s["Individuals transferred to ICE custody"] == "1"
    # 2 (notify), 3 (review), 5 (decline)
    assert s["Individuals for whom the detainer was not honored"] == "3"


def test_nyc_quarterly_compiles_requests_by_agency_kind_and_action() -> None:
    q1 = lr.Period.of_days(dt.date(2026, 1, 1), dt.date(2026, 3, 31), CHICAGO)
    result = run("nyc-quarterly", period=q1)
    # Contacts 1 (interview) and 4 (notification) and detainers 1 and 2.
    assert summary(result)["Requests for support or assistance recorded"] == "4"
    assert ("ICE", "Detainer (I-247A)", "held", "1") in result.rows
    assert ("ICE", "Interview request", "the person declined the interview", "1") in result.rows


def test_new_jersey_lists_each_instance_of_assistance() -> None:
    result = run("new-jersey-annual")
    kinds = [row[2] for row in result.rows]
    assert kinds == [
        "detainer honored (held)",
        "transfer to ICE custody",
        "notice of release given",
        "interview allowed",
    ]


def test_oregon_lists_every_request_and_marks_those_not_declined() -> None:
    result = run("oregon")
    s = summary(result)
    # Contacts 1,2,3,4,6 (the hit and the judicial subpoena are out) and detainers 1,2,3,5.
    assert s["Communications or requests received"] == "9"
    # Declined: contact 1 (person declined), 3 (declined), 6 (declined), detainer 5.
    assert s["Declined"] == "4"
    assert s["NOT declined (review with counsel)"] == "5"


def test_texas_counts_on_the_first_and_detainer_days_of_the_preceding_month() -> None:
    cases = (
        # Held with a detainer from 10 Jan to 3 Feb 12:00: lodged at 00:00 of 11-31 Jan
        # (21 days) and 1-3 Feb (3 days).
        case(1, "2026-01-10T08:00", "hold", transferred_at=at("2026-02-03T12:00")),
        # Received 31 Jan 23:00, still held: lodged on 1 Feb and every day after.
        case(2, "2026-01-31T23:00", "hold"),
    )
    feb_mar = lr.Period.of_days(dt.date(2026, 2, 1), dt.date(2026, 3, 31), CHICAGO)
    result = run("texas-monthly", cases=cases, contacts=(), period=feb_mar, daily_cost=75.5)
    feb, mar = result.rows
    assert feb[:4] == ("2026-02-01", "2", "2026-01", "21")
    assert feb[5] == f"{21 * 75.5:.2f}"
    # March 1st: case 1 ended, case 2 still held; February: 3 + 28 days.
    assert mar[:4] == ("2026-03-01", "1", "2026-02", "31")


def test_texas_without_a_daily_cost_leaves_the_cost_empty_and_says_so() -> None:
    result = run("texas-monthly", contacts=())
    assert all(row[5] == "" for row in result.rows)
    assert any("--daily-cost" in note for note in result.notes)


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("Illinois (all law enforcement agencies)", "IL"),
        ("New York City, NY (Department of Correction)", "NYC"),
        ("Clackamas County, OR (and other counties)", "OR"),
        ("Travis County, TX", "TX"),
        ("King County, WA", None),
    ],
)
def test_jurisdiction_from_the_policy(text: str, code: str | None) -> None:
    assert lr.jurisdiction_of(text) == code


def test_every_report_names_its_sources_and_what_was_read() -> None:
    for definition in lr.REPORTS.values():
        assert definition.sources
        for source in definition.sources:
            assert source.read.startswith(("read in full", "read in part", "not read"))
            assert source.address.startswith("http")


def test_notices_follow_jurisdiction_and_policy() -> None:
    everything = {"hold": True, "transfer": True, "notify": True}
    assert ln.notices_for("CA", everything) == (
        ln.INTERVIEW_CONSENT,
        ln.REQUEST_NOTICE,
        ln.RELEASE_DATE_NOTICE,
    )
    assert ln.notices_for("CA", {"notify": False}) == (ln.INTERVIEW_CONSENT, ln.REQUEST_NOTICE)
    assert ln.notices_for("TX", everything) == (ln.TEXAS_DETAINER_NOTICE,)
    assert ln.notices_for("CO", {}) == (ln.COLORADO_ADVISEMENT,)
    assert ln.notices_for(None, everything) == ()


def test_contact_problems_name_each_missing_or_wrong_detail() -> None:
    assert ct.contact_problems(ct.DECLINED, "ICE", {"asked_for": "x"}, None) == [
        "reason: a declined request must say why it was declined"
    ]
    problems = ct.contact_problems(
        ct.INTERVIEW_REQUEST, "FBI", {"language": "fr", "answer": "maybe", "colour": 1}, None
    )
    assert (
        "agency: 'FBI' is not one of ICE, CBP, USCIS, DHS (other), other federal agency" in problems
    )
    assert "colour: not a detail of a interview request" in problems
    assert "consent_form_given: required for a interview request" in problems
    assert (
        "answer: 'maybe' is not one of consented, consented_with_attorney, declined, not_asked"
        in problems
    )
    assert ct.contact_problems("visit", "ICE", {}, None)[0].startswith("'visit' is not a kind")


def test_policy_answer_where_the_policy_speaks() -> None:
    assert ct.policy_answer(ct.RELEASE_NOTIFICATION, {"notify": False}, "CA") == (
        "the policy does not permit notification"
    )
    assert ct.policy_answer(ct.TRANSFER, {"transfer": True}, "IL") == "the policy permits transfer"
    assert ct.policy_answer(ct.INFORMATION_REQUEST, None, "OR").startswith("ORS 181A.826(3)(a)")
    assert "7283.1(a)" in ct.policy_answer(ct.INTERVIEW_REQUEST, None, "CA")
