"""The reports the law asks of a county, computed from plain facts of the record.

Each report names the sections it answers, the text of each as it could be read when this
was written (``LegalSource.read``), and what is left for county counsel to confirm. Where a
text could not be read, the report is built from what is publicly known of it and says so;
no statutory field is invented.

Every report is anonymised: no names, booking numbers, A-numbers or dates of birth leave
the jail through it (5 ILCS 805/25(b); Cal. Gov. Code 7283.1(d): "personally identifiable
information shall be redacted"; N.Y.C. Admin. Code 10-178(d): "anonymized").

Pure: the service gathers ``CaseFacts`` and ``ContactFact`` from the verified record and
passes them here; nothing here reads a clock or a database.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Final
from zoneinfo import ZoneInfo

from . import contacts as ct
from . import timetext
from .outcomes import HONOURING

ICE: Final = "U.S. Immigration and Customs Enforcement"


@dataclass(frozen=True, slots=True)
class LegalSource:
    citation: str
    address: str  # where the text was read (or looked for)
    read: str  # "read in full", "read in part: ...", "not read: ..."

    @property
    def fully_read(self) -> bool:
        return self.read.startswith("read in full")


@dataclass(frozen=True, slots=True)
class CaseFacts:
    """One detainer (a recorded decision) with the facts the reports read."""

    decision_id: int
    form: str
    received_at: dt.datetime
    outcome: str  # the outcome in force
    requested: tuple[str, ...] = ()
    documents: tuple[str, ...] = ()  # kinds of the documents that came with it
    release_eligible_at: dt.datetime | None = None
    bail_posted_at: dt.datetime | None = None
    released_at: dt.datetime | None = None
    transferred_at: dt.datetime | None = None  # into ICE custody
    transferred_to: str | None = None
    lifted_at: dt.datetime | None = None
    sex: str | None = None
    race: str | None = None
    ethnicity: str | None = None
    preferred_language: str | None = None
    dob: dt.date | None = None

    @property
    def ended_at(self) -> dt.datetime | None:
        moments = [m for m in (self.released_at, self.transferred_at, self.lifted_at) if m]
        return min(moments) if moments else None

    @property
    def held_past_release(self) -> bool:
        """Kept in custody past the time the person would otherwise have been released."""
        if self.release_eligible_at is None or self.outcome != "hold":
            return False
        end = self.transferred_at or self.released_at
        return end is not None and end > self.release_eligible_at


@dataclass(frozen=True, slots=True)
class Period:
    start: dt.datetime  # inclusive, aware
    end: dt.datetime  # exclusive, aware
    zone: ZoneInfo

    def holds(self, moment: dt.datetime | None) -> bool:
        return moment is not None and self.start <= moment < self.end

    @classmethod
    def of_days(cls, first: dt.date, last: dt.date, zone: ZoneInfo) -> Period:
        """The county's days ``first`` to ``last``, both whole."""
        start = dt.datetime.combine(first, dt.time(0), zone)
        end = dt.datetime.combine(last + dt.timedelta(days=1), dt.time(0), zone)
        return cls(start.astimezone(dt.UTC), end.astimezone(dt.UTC), zone)


@dataclass(frozen=True, slots=True)
class ReportOptions:
    daily_cost: float | None = None  # Texas: the average daily cost of housing a prisoner


@dataclass(frozen=True, slots=True)
class ReportResult:
    key: str
    title: str
    law: str  # the section(s) it answers, for the heading
    recipient: str
    period: Period
    summary: tuple[tuple[str, str], ...]
    columns: tuple[str, ...]  # the CSV's header: the statute's fields
    rows: tuple[tuple[str, ...], ...]
    certifications: tuple[str, ...]
    notes: tuple[str, ...]
    sources: tuple[LegalSource, ...]
    counsel_to_confirm: tuple[str, ...] = field(default=())


@dataclass(frozen=True, slots=True)
class ReportDefinition:
    key: str
    title: str
    jurisdiction: str
    law: str
    recipient: str
    cadence: str
    sources: tuple[LegalSource, ...]
    compute: Callable[
        [Sequence[CaseFacts], Sequence[ct.ContactFact], Period, ReportOptions], ReportResult
    ]


def _day(moment: dt.datetime | None, zone: ZoneInfo) -> str:
    return moment.astimezone(zone).date().isoformat() if moment else ""


def _instant(moment: dt.datetime | None, zone: ZoneInfo) -> str:
    """Machine form for the CSV: ISO 8601 with the county's offset, whole minutes."""
    return moment.astimezone(zone).isoformat(timespec="minutes") if moment else ""


def _is_civil_warrant_case(case: CaseFacts) -> bool:
    """An immigration detainer (any I-247 form) or a civil immigration warrant (an I-200 or
    I-205 with it): 5 ILCS 805/10."""
    return case.form.startswith("I-247") or any(d in ("I-200", "I-205") for d in case.documents)


def _released_or_transferred(case: CaseFacts) -> tuple[str, dt.datetime | None, str]:
    if case.transferred_at is not None and (
        case.released_at is None or case.transferred_at <= case.released_at
    ):
        return "transferred", case.transferred_at, case.transferred_to or ICE
    if case.released_at is not None:
        return "released", case.released_at, ""
    return "still in custody at the end of the period", None, ""


# -- Illinois ---------------------------------------------------------------------------------

ILLINOIS_SOURCES: Final = (
    LegalSource(
        "5 ILCS 805/25 (Illinois TRUST Act, reporting requirements; P.A. 102-234)",
        "https://ilga.gov/legislation/ilcs/fulltext.asp?DocName=000508050K25",
        "read in full",
    ),
    LegalSource(
        "5 ILCS 805/10 (definitions: 'immigration detainer', 'civil immigration warrant')",
        "https://legiscan.com/IL/text/SB1881/2025 (the section as quoted in a 2025 bill)",
        "read in part: the definitions of immigration detainer and civil immigration warrant",
    ),
)


def illinois_annual(
    cases: Sequence[CaseFacts],
    contacts: Sequence[ct.ContactFact],
    period: Period,
    options: ReportOptions,
) -> ReportResult:
    zone = period.zone
    requests = [
        c for c in contacts if period.holds(c.occurred_at) and ct.is_assistance_request(c.kind)
    ]
    detainers = [c for c in cases if period.holds(c.received_at) and _is_civil_warrant_case(c)]
    hits = [c for c in contacts if period.holds(c.occurred_at) and c.kind == ct.DATABASE_HIT]
    rows: list[tuple[str, ...]] = []
    for number, contact in enumerate(sorted(requests, key=lambda c: c.occurred_at), start=1):
        rows.append(
            (
                "(a)(1) request for assistance",
                str(number),
                _day(contact.occurred_at, zone),
                ct.CONTACT_WORDS[contact.kind],
                contact.agency,
                ct.how_addressed(contact),
                "",
                "",
                "",
                "",
            )
        )
    entries: list[tuple[dt.datetime, tuple[str, ...]]] = []
    for case in detainers:
        what, when, agency = _released_or_transferred(case)
        entries.append(
            (
                case.received_at,
                (
                    f"(a)(2) {case.form}",
                    _day(case.received_at, zone),
                    _instant(case.bail_posted_at, zone) or "not applicable",
                    what,
                    _instant(when, zone),
                    agency,
                ),
            )
        )
    for hit in hits:
        entries.append(
            (
                hit.occurred_at,
                (
                    "(a)(2) NCIC Immigration Violator File hit",
                    _day(hit.occurred_at, zone),
                    "not recorded with the hit",
                    "see the detainer, if one followed",
                    "",
                    "",
                ),
            )
        )
    for number, (_, entry) in enumerate(sorted(entries, key=lambda e: e[0]), start=1):
        part, received, bail, what, at, agency = entry
        rows.append((part, str(number), received, "", "", "", bail, what, at, agency))
    certifications = []
    if not requests:
        certifications.append(
            "The agency certifies that it received no requests from the U.S. Department of "
            "Homeland Security for participation, support, or assistance in any immigration "
            "agent's civil enforcement operation during this reporting period "
            "(5 ILCS 805/25(a)(1))."
        )
    if not entries:
        certifications.append(
            "The agency certifies that it received no immigration detainers or civil "
            "immigration warrants during this reporting period (5 ILCS 805/25(a)(2))."
        )
    transferred = sum(1 for c in detainers if _released_or_transferred(c)[0] == "transferred")
    released = sum(1 for c in detainers if _released_or_transferred(c)[0] == "released")
    return ReportResult(
        key="illinois-annual",
        title="Illinois TRUST Act annual report",
        law="5 ILCS 805/25",
        recipient="Illinois Attorney General",
        period=period,
        summary=(
            ("Requests for assistance (a)(1)", str(len(requests))),
            ("Immigration detainers and civil immigration warrants (a)(2)", str(len(entries))),
            ("  of which detainers (I-247 forms)", str(len(detainers))),
            ("  of which NCIC Immigration Violator File hits", str(len(hits))),
            ("Transferred", str(transferred)),
            ("Released", str(released)),
        ),
        columns=(
            "part",
            "entry",
            "date_received",
            "request",
            "requesting_agency",
            "how_addressed",
            "bail_posted_at",
            "released_or_transferred",
            "released_or_transferred_at",
            "receiving_agency",
        ),
        rows=tuple(rows),
        certifications=tuple(certifications),
        notes=(
            "Fields (A) to (E) of 5 ILCS 805/25(a)(2): date received, date and time bail was "
            "posted, released or transferred, date and time of that, and the receiving "
            "agency. Entries are numbered in order of receipt; no names or other personally "
            "identifying information (805/25(b)).",
            "The statute asks for 'any documentation regarding how the request was "
            "addressed' (a)(1): the column how_addressed summarises it; the documents "
            "themselves are in the litigation export.",
        ),
        sources=ILLINOIS_SOURCES,
        counsel_to_confirm=(
            "Whether an NCIC hit that led to a detainer is reported once or twice.",
        ),
    )


# -- California -------------------------------------------------------------------------------

CALIFORNIA_SOURCES: Final = (
    LegalSource(
        "Cal. Gov. Code 7283 (definitions: hold, notification and transfer request, 'ICE access')",
        "https://codes.findlaw.com/ca/government-code/gov-sect-7283/",
        "read in full",
    ),
    LegalSource(
        "Cal. Gov. Code 7283.1 (TRUTH Act: consent form, notices, community forum data)",
        "https://self-law.org/code/ca/government-code/7283-1 ; subdivision (d) as quoted in "
        "full in https://eldorado.legistar.com/LegislationDetail.aspx?ID=4694182",
        "read in full: subdivisions (a), (b) and (d); (c) in part",
    ),
)


def _age(dob: dt.date | None, on: dt.date) -> str:
    if dob is None:
        return "unknown"
    years = on.year - dob.year - ((on.month, on.day) < (dob.month, dob.day))
    for low, high in ((0, 17), (18, 24), (25, 34), (35, 44), (45, 54), (55, 64)):
        if low <= years <= high:
            return f"{low}-{high}"
    return "65 and over"


def california_forum(
    cases: Sequence[CaseFacts],
    contacts: Sequence[ct.ContactFact],
    period: Period,
    options: ReportOptions,
) -> ReportResult:
    zone = period.zone
    by_decision = {c.decision_id: c for c in cases}
    accesses: list[tuple[dt.datetime, str, CaseFacts | None]] = []
    for case in cases:
        if case.outcome == "hold" and period.holds(case.received_at):
            accesses.append((case.received_at, "hold request", case))
        if case.transferred_at is not None and period.holds(case.transferred_at):
            accesses.append((case.transferred_at, "transfer request", case))
    for contact in contacts:
        means = ct.gave_access(contact)
        if means is None or means == "transfer" or not period.holds(contact.occurred_at):
            continue  # a transfer is counted from the decision's ICE custody fact
        person = by_decision.get(contact.decision_id) if contact.decision_id else None
        label = {
            "notification": "notification request",
            "interview": "other means: interview",
            "information": "other means: information provided",
        }[means]
        accesses.append((contact.occurred_at, label, person))
    accesses.sort(key=lambda a: a[0])
    rows = []
    for number, (when, means, person) in enumerate(accesses, start=1):
        day = when.astimezone(zone).date()
        rows.append(
            (
                str(number),
                day.isoformat(),
                means,
                (person.sex if person else None) or "unknown",
                (person.race if person else None) or "unknown",
                (person.ethnicity if person else None) or "unknown",
                _age(person.dob if person else None, day),
                (person.preferred_language if person else None) or "unknown",
            )
        )
    people = {id(p) for _, _, p in accesses if p is not None}
    unlinked = sum(1 for _, _, p in accesses if p is None)
    by_means = Counter(means for _, means, _ in accesses)
    sexes = Counter(row[3] for row in rows)
    interviews = [
        c for c in contacts if c.kind == ct.INTERVIEW_REQUEST and period.holds(c.occurred_at)
    ]
    consent_forms = sum(1 for c in interviews if c.details.get("consent_form_given") is True)
    summary: list[tuple[str, str]] = [
        ("Instances of ICE access", str(len(accesses))),
        ("Individuals given ICE access (recorded detainers)", str(len(people))),
        ("Instances not tied to a recorded detainer", str(unlinked)),
    ]
    for means in (
        "hold request",
        "transfer request",
        "notification request",
        "other means: interview",
        "other means: information provided",
    ):
        summary.append((f"  through {means}", str(by_means.get(means, 0))))
    for sex in sorted(sexes):
        summary.append((f"  sex: {sex}", str(sexes[sex])))
    summary.append(("ICE interview requests", str(len(interviews))))
    summary.append(("  with the written consent form given (7283.1(a))", str(consent_forms)))
    return ReportResult(
        key="california-forum",
        title="California TRUTH Act: data on ICE access for the annual community forum",
        law="Cal. Gov. Code 7283.1(d)",
        recipient="County board of supervisors (community forum)",
        period=period,
        summary=tuple(summary),
        columns=(
            "instance",
            "date_ice_access_provided",
            "means",
            "sex",
            "race",
            "ethnicity",
            "age_group",
            "preferred_language",
        ),
        rows=tuple(rows),
        certifications=(),
        notes=(
            "7283.1(d): data on 'the number and demographic characteristics of individuals "
            "to whom the agency has provided ICE access, the date ICE access was provided, "
            "and whether the ICE access was provided through a hold, transfer, or "
            "notification request or through other means'; personally identifiable "
            "information redacted (ages in groups, no names or numbers).",
            "Counted as ICE access: a detainer whose outcome in force is a hold; a transfer "
            "into ICE custody; a release date given to ICE; an interview the person agreed "
            "to; information provided (7283(d)(1)-(4)).",
        ),
        sources=CALIFORNIA_SOURCES,
        counsel_to_confirm=(
            "Whether 'responding to' a request (7283(d)(1)) includes a declined request; this "
            "report counts only access actually given.",
        ),
    )


# -- New York City ----------------------------------------------------------------------------

NYC_ANNUAL_SOURCES: Final = (
    LegalSource(
        "N.Y.C. Admin. Code 9-131 (persons not to be detained; Department of Correction)",
        "http://law.onecle.com/new-york/new-york-city-administrative-code-new-/"
        "ADC09-131_9-131.html",
        "read in part: the definitions in subdivision (a); the reporting subdivision was "
        "not available",
    ),
    LegalSource(
        "The City's annual civil immigration detainer report (its four counts)",
        "https://www.nyc.gov/site/nypd/stats/reports-analysis/civil-immigration-detainers.page",
        "read in full (the published description of the annual report's contents)",
    ),
)
NYC_QUARTERLY_SOURCES: Final = (
    LegalSource(
        "N.Y.C. Admin. Code 10-178 (immigration enforcement; Local Law 228 of 2017)",
        "http://legistar.council.nyc.gov/LegislationDetail.aspx?ID=3022098 (Int. No. 1568-A)",
        "read in part: subdivisions (a) to (d) up to 'disaggregated by'; the list of "
        "categories that follows was not available",
    ),
)


def nyc_annual(
    cases: Sequence[CaseFacts],
    contacts: Sequence[ct.ContactFact],
    period: Period,
    options: ReportOptions,
) -> ReportResult:
    received = [c for c in cases if period.holds(c.received_at)]
    held = [c for c in received if c.held_past_release]
    transferred = [c for c in cases if period.holds(c.transferred_at)]
    not_honored = [c for c in received if c.outcome not in HONOURING]
    counts = (
        ("civil_immigration_detainers_received", len(received)),
        ("held_beyond_release_time", len(held)),
        ("transferred_to_ice_custody", len(transferred)),
        ("detainers_not_honored", len(not_honored)),
    )
    return ReportResult(
        key="nyc-annual",
        title="New York City annual report on civil immigration detainers",
        law="N.Y.C. Admin. Code 9-131",
        recipient="New York City Council (and publication)",
        period=period,
        summary=(
            ("Civil immigration detainers received", str(len(received))),
            ("Individuals held beyond the time they would otherwise be released", str(len(held))),
            ("Individuals transferred to ICE custody", str(len(transferred))),
            ("Individuals for whom the detainer was not honored", str(len(not_honored))),
        ),
        columns=("measure", "count"),
        rows=tuple((name, str(count)) for name, count in counts),
        certifications=(),
        notes=(
            "Not honored: a detainer received in the period whose outcome in force is "
            "neither a hold nor a transfer (notification only, declined, or awaiting "
            "review at the end of the period).",
        ),
        sources=NYC_ANNUAL_SOURCES,
        counsel_to_confirm=(
            "The four measures follow the City's published description of the report; the "
            "reporting subdivision of 9-131 itself could not be read. Confirm the measures "
            "and the reporting period (calendar or fiscal year).",
        ),
    )


def nyc_quarterly(
    cases: Sequence[CaseFacts],
    contacts: Sequence[ct.ContactFact],
    period: Period,
    options: ReportOptions,
) -> ReportResult:
    requests = [
        c
        for c in contacts
        if period.holds(c.occurred_at) and c.kind not in (ct.DATABASE_HIT, ct.JUDICIAL_PROCESS)
    ]
    detainers = [c for c in cases if period.holds(c.received_at)]
    groups: Counter[tuple[str, str, str]] = Counter()
    for contact in requests:
        groups[(contact.agency, ct.CONTACT_WORDS[contact.kind], ct.how_addressed(contact))] += 1
    for case in detainers:
        response = {
            "hold": "held",
            "transfer": "transferred at release",
            "notify": "release date may be given",
            "decline": "declined",
        }.get(case.outcome, "awaiting review")
        groups[("ICE", f"Detainer ({case.form})", response)] += 1
    rows = tuple(
        (agency, kind, response, str(count))
        for (agency, kind, response), count in sorted(groups.items())
    )
    return ReportResult(
        key="nyc-quarterly",
        title="New York City quarterly report on requests to assist immigration enforcement",
        law="N.Y.C. Admin. Code 10-178(d)",
        recipient="Speaker of the New York City Council (through the office the Mayor names)",
        period=period,
        summary=(
            ("Requests for support or assistance recorded", str(len(requests) + len(detainers))),
            ("  of which detainers", str(len(detainers))),
            ("  of which other requests", str(len(requests))),
        ),
        columns=("requesting_agency", "request", "action_taken", "count"),
        rows=rows,
        certifications=(),
        notes=(
            "10-178(d): 'an anonymized compilation or summary of such requests and actions "
            "taken in response'. This compilation counts requests by requesting agency, "
            "kind of request and action taken; no person is named.",
        ),
        sources=NYC_QUARTERLY_SOURCES,
        counsel_to_confirm=(
            "The categories by which 10-178(d) disaggregates the compilation (the text after "
            "'disaggregated by' could not be read); this report uses agency, kind of request "
            "and action taken.",
        ),
    )


# -- New Jersey -------------------------------------------------------------------------------

NEW_JERSEY_SOURCES: Final = (
    LegalSource(
        "N.J. Attorney General Law Enforcement Directive No. 2018-6 (Immigrant Trust "
        "Directive), as revised in 2019",
        "https://www.njoag.gov/attorney-general-grewal-releases-immigrant-trust-directive-"
        "annual-reporting-data-for-2019/ (the Attorney General's release on the annual "
        "reports)",
        "not read: the directive's text was not available; its annual reporting of 'all "
        "instances of assistance' is known from the Attorney General's release",
    ),
)


def new_jersey_annual(
    cases: Sequence[CaseFacts],
    contacts: Sequence[ct.ContactFact],
    period: Period,
    options: ReportOptions,
) -> ReportResult:
    zone = period.zone
    instances: list[tuple[dt.datetime, str, str]] = []
    for case in cases:
        if case.outcome == "hold" and period.holds(case.received_at):
            instances.append((case.received_at, "detainer honored (held)", "ICE"))
        if period.holds(case.transferred_at):
            assert case.transferred_at is not None
            instances.append(
                (case.transferred_at, "transfer to ICE custody", case.transferred_to or "ICE")
            )
    for contact in contacts:
        means = ct.gave_access(contact)
        if means in (None, "transfer") or not period.holds(contact.occurred_at):
            continue
        kind = {
            "notification": "notice of release given",
            "interview": "interview allowed",
            "information": "information provided",
        }[str(means)]
        instances.append((contact.occurred_at, kind, contact.agency))
    for contact in contacts:
        if (
            contact.kind == ct.JUDICIAL_PROCESS
            and period.holds(contact.occurred_at)
            and contact.details.get("complied")
        ):
            instances.append(
                (contact.occurred_at, "judicial warrant complied with", contact.agency)
            )
    instances.sort(key=lambda i: i[0])
    rows = tuple(
        (str(n), _day(when, zone), kind, agency)
        for n, (when, kind, agency) in enumerate(instances, start=1)
    )
    kinds = Counter(kind for _, kind, _ in instances)
    return ReportResult(
        key="new-jersey-annual",
        title="New Jersey Immigrant Trust Directive: annual report of assistance",
        law="N.J. AG Directive 2018-6",
        recipient="New Jersey Attorney General (Division of Criminal Justice)",
        period=period,
        summary=(
            ("Instances of assistance to federal civil immigration authorities", str(len(rows))),
            *((f"  {kind}", str(count)) for kind, count in sorted(kinds.items())),
        ),
        columns=("instance", "date", "type_of_assistance", "federal_agency"),
        rows=rows,
        certifications=(),
        notes=(
            "Every instance of assistance recorded in Detainer Desk in the period; no person "
            "is named.",
        ),
        sources=NEW_JERSEY_SOURCES,
        counsel_to_confirm=(
            "The fields of the Attorney General's annual reporting form (the directive and "
            "its form could not be read); this report gives date, type of assistance and "
            "agency for each instance.",
        ),
    )


# -- Oregon -----------------------------------------------------------------------------------

OREGON_SOURCES: Final = (
    LegalSource(
        "ORS 181A.826 (HB 3265, 2021): decline and document every request relating to "
        "immigration enforcement; report to the Criminal Justice Commission",
        "https://www.lawserver.com/law/state/oregon/or-statutes/oregon_statutes_181a-826",
        "read in part: subsections (1), (2) and (3)(a) up to the documentation's recipient",
    ),
    LegalSource(
        "Oregon Criminal Justice Commission, Sanctuary Promise reporting (how often to report)",
        "https://www.oregon.gov/cjc/Pages/sanctuary-promise-violation.aspx",
        "read in full (its FAQ: report at least monthly when a request was received)",
    ),
)


def oregon(
    cases: Sequence[CaseFacts],
    contacts: Sequence[ct.ContactFact],
    period: Period,
    options: ReportOptions,
) -> ReportResult:
    zone = period.zone
    entries: list[tuple[dt.datetime, str, str, str, str]] = []
    for contact in contacts:
        if not period.holds(contact.occurred_at) or contact.kind == ct.DATABASE_HIT:
            continue
        if contact.kind == ct.JUDICIAL_PROCESS and contact.details.get("process") == (
            "judicial_subpoena"
        ):
            continue  # excepted by 181A.826(3)(a)
        declined = contact.kind == ct.DECLINED or contact.answer in ("declined", "not_asked")
        entries.append(
            (
                contact.occurred_at,
                contact.agency,
                ct.CONTACT_WORDS[contact.kind],
                "yes" if declined else "NO",
                contact.reason or ct.how_addressed(contact),
            )
        )
    for case in cases:
        if not period.holds(case.received_at):
            continue
        declined = case.outcome == "decline"
        entries.append(
            (
                case.received_at,
                "ICE",
                f"Detainer ({case.form})",
                "yes" if declined else "NO",
                "declined under the county's policy" if declined else f"outcome: {case.outcome}",
            )
        )
    entries.sort(key=lambda e: e[0])
    rows = tuple(
        (str(n), _day(when, zone), agency, what, declined, how)
        for n, (when, agency, what, declined, how) in enumerate(entries, start=1)
    )
    not_declined = sum(1 for row in rows if row[4] == "NO")
    return ReportResult(
        key="oregon",
        title="Oregon: federal immigration requests declined and documented",
        law="ORS 181A.826(3)",
        recipient="Oregon Criminal Justice Commission",
        period=period,
        summary=(
            ("Communications or requests received", str(len(rows))),
            ("Declined", str(len(rows) - not_declined)),
            ("NOT declined (review with counsel)", str(not_declined)),
        ),
        columns=(
            "entry",
            "date_received",
            "federal_agency",
            "request",
            "declined",
            "how_addressed",
        ),
        rows=rows,
        certifications=(),
        notes=(
            "181A.826(3)(a): a public body that receives a communication or request from a "
            "federal agency that relates to immigration enforcement, other than a judicial "
            "subpoena, shall decline the request and document it. Judicial subpoenas are "
            "left out; entries marked NO were not declined and need counsel's review.",
            "The Criminal Justice Commission asks for a report at least monthly when a "
            "request was received, and none when there was none.",
        ),
        sources=OREGON_SOURCES,
        counsel_to_confirm=(
            "The fields of the Commission's reporting form (not read); this report gives "
            "date, agency, request, whether declined, and how it was addressed.",
        ),
    )


# -- Texas ------------------------------------------------------------------------------------

TEXAS_SOURCES: Final = (
    LegalSource(
        "Tex. Gov't Code 511.0101 (monthly jail population report to the Commission on Jail "
        "Standards), subsections (a)(1)(M), (a)(4) and (a)(5)",
        "https://texas.public.law/statutes/tex._gov't_code_section_511.0101",
        "read in full",
    ),
)


def _months(period: Period) -> list[tuple[dt.datetime, dt.datetime]]:
    """The calendar months (in the county's zone) whose first day lies in the period."""
    zone = period.zone
    local = period.start.astimezone(zone)
    month = dt.date(local.year, local.month, 1)
    if local != dt.datetime.combine(month, dt.time(0), zone):
        month = (month + dt.timedelta(days=32)).replace(day=1)
    out = []
    while True:
        start = dt.datetime.combine(month, dt.time(0), zone).astimezone(dt.UTC)
        if start >= period.end:
            break
        following = (month + dt.timedelta(days=32)).replace(day=1)
        out.append((start, dt.datetime.combine(following, dt.time(0), zone).astimezone(dt.UTC)))
        month = following
    return out


def _lodged(case: CaseFacts, moment: dt.datetime) -> bool:
    """The person was held with the detainer lodged at ``moment``."""
    end = case.ended_at
    return case.received_at <= moment and (end is None or end > moment)


def texas_monthly(
    cases: Sequence[CaseFacts],
    contacts: Sequence[ct.ContactFact],
    period: Period,
    options: ReportOptions,
) -> ReportResult:
    zone = period.zone
    rows = []
    for month_start, _ in _months(period):
        on_first = sum(1 for c in cases if _lodged(c, month_start))
        # The preceding month: the cost the report of this month gives ((a)(4)).
        last_of_previous = month_start.astimezone(zone).date() - dt.timedelta(days=1)
        prev_first = dt.datetime.combine(
            last_of_previous.replace(day=1), dt.time(0), zone
        ).astimezone(dt.UTC)
        days = 0
        day = prev_first
        while day < month_start:
            days += sum(1 for c in cases if _lodged(c, day))
            day = dt.datetime.combine(
                day.astimezone(zone).date() + dt.timedelta(days=1), dt.time(0), zone
            ).astimezone(dt.UTC)
        cost = f"{days * options.daily_cost:.2f}" if options.daily_cost is not None else ""
        rows.append(
            (
                month_start.astimezone(zone).date().isoformat(),
                str(on_first),
                timetext.day_text(timetext.county_day(prev_first, zone))[:7],
                str(days),
                f"{options.daily_cost:.2f}" if options.daily_cost is not None else "",
                cost,
            )
        )
    notes = [
        "(a)(1)(M): prisoners for whom an immigration detainer has been issued by ICE, "
        "counted on the first day of the month (at 00:00 county time).",
        "(a)(4): the total cost during the preceding month of housing those prisoners, "
        "'calculated based on the average daily cost of housing a prisoner in the county "
        "jail': detainer-days (one for each prisoner held with a detainer at 00:00 of each "
        "day) times that daily cost.",
        "(a)(5): the reporting official certifies that the information is accurate "
        "(signature below).",
    ]
    if options.daily_cost is None:
        notes.append("No average daily cost was given (--daily-cost): the cost column is empty.")
    return ReportResult(
        key="texas-monthly",
        title="Texas monthly report: prisoners with immigration detainers, days and cost",
        law="Tex. Gov't Code 511.0101(a)(1)(M), (a)(4)",
        recipient="Texas Commission on Jail Standards (by the 5th of each month)",
        period=period,
        summary=tuple((f"{row[0]}: prisoners with a detainer on the 1st", row[1]) for row in rows)
        + tuple((f"{row[2]}: detainer-days", row[3]) for row in rows),
        columns=(
            "report_month_first_day",
            "prisoners_with_immigration_detainer_on_first_day",
            "preceding_month",
            "detainer_days_in_preceding_month",
            "average_daily_cost",
            "cost_in_preceding_month",
        ),
        rows=tuple(rows),
        certifications=(
            "I certify that the information in this report is accurate "
            "(Tex. Gov't Code 511.0101(a)(5)).",
        ),
        notes=tuple(notes),
        sources=TEXAS_SOURCES,
        counsel_to_confirm=(
            "Detainer-days run from the time the detainer was received, which can be later "
            "than the booking; the Commission's form is filled from these figures.",
        ),
    )


REPORTS: Final[Mapping[str, ReportDefinition]] = {
    definition.key: definition
    for definition in (
        ReportDefinition(
            "illinois-annual",
            "Illinois TRUST Act annual report (incl. the 'none received' certification)",
            "IL",
            "5 ILCS 805/25",
            "Illinois Attorney General",
            "annual",
            ILLINOIS_SOURCES,
            illinois_annual,
        ),
        ReportDefinition(
            "california-forum",
            "California TRUTH Act community forum data",
            "CA",
            "Cal. Gov. Code 7283.1(d)",
            "County board of supervisors",
            "annual",
            CALIFORNIA_SOURCES,
            california_forum,
        ),
        ReportDefinition(
            "nyc-annual",
            "New York City annual detainer report",
            "NYC",
            "N.Y.C. Admin. Code 9-131",
            "New York City Council",
            "annual",
            NYC_ANNUAL_SOURCES,
            nyc_annual,
        ),
        ReportDefinition(
            "nyc-quarterly",
            "New York City quarterly report of requests and responses",
            "NYC",
            "N.Y.C. Admin. Code 10-178(d)",
            "Speaker of the City Council",
            "quarterly",
            NYC_QUARTERLY_SOURCES,
            nyc_quarterly,
        ),
        ReportDefinition(
            "new-jersey-annual",
            "New Jersey Immigrant Trust Directive annual report",
            "NJ",
            "N.J. AG Directive 2018-6",
            "New Jersey Attorney General",
            "annual",
            NEW_JERSEY_SOURCES,
            new_jersey_annual,
        ),
        ReportDefinition(
            "oregon",
            "Oregon report of federal immigration requests",
            "OR",
            "ORS 181A.826(3)",
            "Oregon Criminal Justice Commission",
            "monthly when a request was received",
            OREGON_SOURCES,
            oregon,
        ),
        ReportDefinition(
            "texas-monthly",
            "Texas monthly detainer population and cost",
            "TX",
            "Tex. Gov't Code 511.0101",
            "Texas Commission on Jail Standards",
            "monthly",
            TEXAS_SOURCES,
            texas_monthly,
        ),
    )
}

JURISDICTIONS: Final = {
    "IL": "Illinois",
    "CA": "California",
    "OR": "Oregon",
    "NYC": "New York City",
    "NJ": "New Jersey",
    "TX": "Texas",
    "CO": "Colorado",
}


def jurisdiction_of(policy_jurisdiction: str) -> str | None:
    """The reporting jurisdiction a policy's ``jurisdiction`` text names, if any."""
    text = policy_jurisdiction.lower()
    for code, words in (
        ("NYC", ("new york city",)),
        ("IL", ("illinois",)),
        ("CA", ("california",)),
        ("OR", ("oregon", ", or")),
        ("NJ", ("new jersey",)),
        ("TX", ("texas", ", tx")),
        ("CO", ("colorado",)),
    ):
        if any(word in text for word in words):
            return code
    return None


def reports_for(jurisdiction: str | None) -> tuple[ReportDefinition, ...]:
    return tuple(d for d in REPORTS.values() if d.jurisdiction == jurisdiction)


def csv_text(result: ReportResult) -> str:
    """The report's entries in the statute's fields, as CSV (RFC 4180, CRLF). A cell that a
    spreadsheet would run as a formula (``=``, ``+``, ``-``, ``@`` first) gets a leading
    apostrophe: the text came partly from people's typing."""
    import csv
    import io

    def safe(value: str) -> str:
        return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value

    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(result.columns)
    for row in result.rows:
        writer.writerow([safe(cell) for cell in row])
    return buffer.getvalue()
