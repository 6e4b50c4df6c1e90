"""Every contact with immigration enforcement, not only detainers.

The laws that limit what a jail may do for ICE also make it record and report every
contact: an interview request (Cal. Gov. Code 7283.1(a); Colorado HB19-1124), a request
for information, a notification of a release date given (7283.1(b)), a transfer to ICE
custody, a judicial warrant or subpoena served (ORS 181A.826(3) excepts a judicial subpoena
from the duty to decline), a database hit that 5 ILCS 805/10 counts as a "civil immigration
warrant" (NCIC Immigration Violator File), and a request declined and why (ORS
181A.826(3)(a): "decline the request and document the communication or request").

A contact is evidence like a decision: recorded once with who and when, never changed, only
amended. This module holds the rules: the kinds, what each must say, and what the county's
policy answers where it speaks to the kind. Pure: no storage, no clock.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

INTERVIEW_REQUEST: Final = "interview_request"
INFORMATION_REQUEST: Final = "information_request"
RELEASE_NOTIFICATION: Final = "release_notification"
TRANSFER: Final = "transfer_to_ice"
JUDICIAL_PROCESS: Final = "judicial_process"
DATABASE_HIT: Final = "database_hit"
DECLINED: Final = "request_declined"

CONTACT_KINDS: Final = (
    INTERVIEW_REQUEST,
    INFORMATION_REQUEST,
    RELEASE_NOTIFICATION,
    TRANSFER,
    JUDICIAL_PROCESS,
    DATABASE_HIT,
    DECLINED,
)

CONTACT_WORDS: Final = {
    INTERVIEW_REQUEST: "Interview request",
    INFORMATION_REQUEST: "Request for information",
    RELEASE_NOTIFICATION: "Release date given to ICE",
    TRANSFER: "Transfer to ICE custody",
    JUDICIAL_PROCESS: "Judicial warrant or subpoena served",
    DATABASE_HIT: "NCIC/IAQ immigration hit",
    DECLINED: "Request declined",
}

# Who asked. The Oregon definition of "federal immigration authority" (ORS 181A.822) and
# the federal agencies the Illinois report names (5 ILCS 805/25(a)(1): DHS, "including, but
# not limited to," ICE).
AGENCIES: Final = ("ICE", "CBP", "USCIS", "DHS (other)", "other federal agency")

# Answers the record keeps, per kind (the key of the detail that holds it, and its values).
INTERVIEW_ANSWERS: Final = ("consented", "consented_with_attorney", "declined", "not_asked")
INFORMATION_ANSWERS: Final = ("provided", "declined")
JUDICIAL_KINDS: Final = ("judicial_warrant", "judicial_subpoena")
NOTIFICATION_MEANS: Final = ("phone", "fax", "email", "in_person", "data_system", "letter")
HIT_SYSTEMS: Final = ("NCIC Immigration Violator File", "IAQ/LESC", "other")

# Details each kind must give, beyond the common facts (when, which agency).
REQUIRED_DETAILS: Final[Mapping[str, tuple[str, ...]]] = {
    INTERVIEW_REQUEST: ("consent_form_given", "language", "answer"),
    INFORMATION_REQUEST: ("asked_for", "answer"),
    RELEASE_NOTIFICATION: ("sent_to", "means"),
    TRANSFER: ("receiving_agency",),
    JUDICIAL_PROCESS: ("process", "court"),
    DATABASE_HIT: ("system",),
    DECLINED: ("asked_for",),
}
# Details each kind may give (validated when present).
OPTIONAL_DETAILS: Final[Mapping[str, tuple[str, ...]]] = {
    INTERVIEW_REQUEST: ("interview_at",),
    INFORMATION_REQUEST: (),
    RELEASE_NOTIFICATION: ("person_told_at", "contact_name", "contact_told_at"),
    TRANSFER: (),
    JUDICIAL_PROCESS: ("complied",),
    DATABASE_HIT: ("reference",),
    DECLINED: (),
}
# A written reason is required: a declined request must say why (ORS 181A.826(3)).
REASON_REQUIRED: Final = frozenset({DECLINED})

# The seven languages the TRUTH Act names for the interview consent form (7283.1(a):
# "English, Spanish, Chinese, Tagalog, Vietnamese, and Korean"; Chinese in both scripts).
LANGUAGES: Final = {
    "en": "English",
    "es": "Spanish",
    "zh-Hans": "Chinese (Simplified)",
    "zh-Hant": "Chinese (Traditional)",
    "tl": "Tagalog",
    "vi": "Vietnamese",
    "ko": "Korean",
}

MAX_TEXT = 2000


@dataclass(frozen=True, slots=True)
class ContactFact:
    """One contact as the reports and screens read it (an amendment already applied)."""

    contact_id: int
    kind: str
    occurred_at: dt.datetime  # aware
    agency: str
    decision_id: int | None
    details: Mapping[str, Any]
    reason: str | None = None
    recorded_by: str = ""
    policy_answer: str | None = None

    @property
    def answer(self) -> str | None:
        value = self.details.get("answer")
        return str(value) if value is not None else None


def contact_problems(
    kind: str, agency: str, details: Mapping[str, Any], reason: str | None
) -> list[str]:
    """What is wrong with a contact, one line per problem; empty when it can be recorded."""
    if kind not in CONTACT_KINDS:
        return [f"'{kind}' is not a kind of contact (one of: {', '.join(CONTACT_KINDS)})"]
    problems: list[str] = []
    if agency not in AGENCIES:
        problems.append(f"agency: '{agency}' is not one of {', '.join(AGENCIES)}")
    allowed = set(REQUIRED_DETAILS[kind]) | set(OPTIONAL_DETAILS[kind])
    for key in sorted(set(details) - allowed):
        problems.append(f"{key}: not a detail of a {CONTACT_WORDS[kind].lower()}")
    for key in REQUIRED_DETAILS[kind]:
        value = details.get(key)
        if value is None or (isinstance(value, str) and not value.strip()):
            problems.append(f"{key}: required for a {CONTACT_WORDS[kind].lower()}")
    for key, value in details.items():
        if isinstance(value, str) and len(value) > MAX_TEXT:
            problems.append(f"{key}: at most {MAX_TEXT} characters")
        if isinstance(value, str) and control_character(value):
            problems.append(f"{key}: contains a control character (U+{control_character(value)})")
    if reason and control_character(reason):
        problems.append(f"reason: contains a control character (U+{control_character(reason)})")
    problems += _value_problems(kind, details)
    if kind in REASON_REQUIRED and not (reason or "").strip():
        problems.append("reason: a declined request must say why it was declined")
    return problems


def control_character(text: str) -> str | None:
    """The first control character in ``text`` (tabs and line ends allowed), as hex."""
    for char in text:
        if (ord(char) < 32 and char not in "\t\n\r") or 127 <= ord(char) < 160:
            return f"{ord(char):04X}"
    return None


def _value_problems(kind: str, details: Mapping[str, Any]) -> list[str]:
    problems: list[str] = []

    def one_of(key: str, values: tuple[str, ...]) -> None:
        value = details.get(key)
        if value is not None and value not in values:
            problems.append(f"{key}: '{value}' is not one of {', '.join(values)}")

    if kind == INTERVIEW_REQUEST:
        one_of("answer", INTERVIEW_ANSWERS)
        one_of("language", tuple(LANGUAGES))
        if "consent_form_given" in details and not isinstance(details["consent_form_given"], bool):
            problems.append("consent_form_given: yes or no")
    elif kind == INFORMATION_REQUEST:
        one_of("answer", INFORMATION_ANSWERS)
    elif kind == RELEASE_NOTIFICATION:
        one_of("means", NOTIFICATION_MEANS)
    elif kind == JUDICIAL_PROCESS:
        one_of("process", JUDICIAL_KINDS)
        if "complied" in details and not isinstance(details["complied"], bool):
            problems.append("complied: yes or no")
    elif kind == DATABASE_HIT:
        one_of("system", HIT_SYSTEMS)
    return problems


def policy_answer(kind: str, permitted: Mapping[str, bool] | None, jurisdiction: str) -> str:
    """What the county's policy (and, where the law itself answers, the state's law) says
    about a contact of this kind, in words for the record.

    ``permitted`` is what the decision's policy permits for the person the contact is about
    (hold, transfer, notify), or None when the contact is about no recorded decision."""
    if jurisdiction == "OR" and kind != JUDICIAL_PROCESS:
        return (
            "ORS 181A.826(3)(a): decline and document every request relating to immigration "
            "enforcement other than a judicial subpoena"
        )
    if kind == RELEASE_NOTIFICATION:
        if permitted is None:
            return "the policy speaks to notification only for a recorded detainer decision"
        allowed = permitted.get("notify", False)
        return (
            "the policy permits notification"
            if allowed
            else "the policy does not permit notification"
        )
    if kind == TRANSFER:
        if permitted is None:
            return "the policy speaks to transfer only for a recorded detainer decision"
        allowed = permitted.get("transfer", False) or permitted.get("hold", False)
        return "the policy permits transfer" if allowed else "the policy does not permit transfer"
    if kind == INTERVIEW_REQUEST:
        if jurisdiction == "CA":
            return (
                "Gov. Code 7283.1(a): written consent form before any ICE interview; the "
                "interview is voluntary"
            )
        if jurisdiction == "CO":
            return (
                "HB19-1124: advise the person of the right to decline, to remain silent and "
                "to speak to an attorney first"
            )
        return "the policy does not speak to interviews"
    if kind == JUDICIAL_PROCESS:
        return "a judicial warrant or subpoena is a court's order, not a request"
    return "the policy does not speak to this kind of contact"


# -- what the reports count as what ---------------------------------------------------------


def is_assistance_request(kind: str) -> bool:
    """A request for "participation, support, or assistance" in civil immigration
    enforcement (5 ILCS 805/25(a)(1); N.Y.C. Admin. Code 10-178(d))."""
    return kind in (INTERVIEW_REQUEST, INFORMATION_REQUEST, DECLINED)


def gave_access(contact: ContactFact) -> str | None:
    """The means of "ICE access" (Cal. Gov. Code 7283(d)) this contact gave, or None:
    an interview allowed, information provided, a release date given, a transfer."""
    if contact.kind == INTERVIEW_REQUEST and contact.answer in (
        "consented",
        "consented_with_attorney",
    ):
        return "interview"
    if contact.kind == INFORMATION_REQUEST and contact.answer == "provided":
        return "information"
    if contact.kind == RELEASE_NOTIFICATION:
        return "notification"
    if contact.kind == TRANSFER:
        return "transfer"
    return None


def how_addressed(contact: ContactFact) -> str:
    """How a request was addressed, in the report's words."""
    if contact.kind == INTERVIEW_REQUEST:
        return {
            "consented": "interview allowed with the person's written consent",
            "consented_with_attorney": "interview allowed, with the person's attorney present",
            "declined": "the person declined the interview",
            "not_asked": "interview not held",
        }.get(contact.answer or "", "recorded")
    if contact.kind == INFORMATION_REQUEST:
        return "information provided" if contact.answer == "provided" else "declined"
    if contact.kind == DECLINED:
        return f"declined: {contact.reason}" if contact.reason else "declined"
    if contact.kind == RELEASE_NOTIFICATION:
        return "release date given"
    if contact.kind == TRANSFER:
        return "transferred to ICE custody"
    if contact.kind == JUDICIAL_PROCESS:
        complied = contact.details.get("complied")
        return "complied with the court's process" if complied else "court's process recorded"
    return "recorded"
