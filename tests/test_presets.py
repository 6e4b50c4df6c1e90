"""The shipped policy presets: each parses, names its source, asks for counsel's review, and
permits and refuses what its law says (decision contract, schema 1).

Requests are built as contract section 2 dictionaries and serialized with json.dumps, so
these cases double as examples of the request file. Instants are written without an offset:
they are wall-clock times in each preset's own timezone (contract section 1).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import tomllib
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from detainer_desk.domain.engine import evaluate
from detainer_desk.domain.policy import parse_policy
from detainer_desk.domain.request import parse_request
from detainer_desk.presets import preset_bytes, preset_names

EXPECTED_PRESETS = {
    "48-hour-cap",
    "48-hour-cap-excluding-weekends-holidays",
    "boston-trust-act",
    "california-sb54",
    "connecticut-2013",
    "felony-only",
    "florida-sb168",
    "illinois-trust-act",
    "judicial-warrant-only",
    "king-county-2013",
    "king-county-2014",
    "new-jersey-2018-6",
    "new-york-city",
    "palm-beach-county-2014",
    "probable-cause-only",
    "texas-sb4",
    "travis-county-2017",
}

# Only the keys decision-contract schema 1 defines (an unknown key is an error).
TOP_KEYS = {
    "schema",
    "name",
    "jurisdiction",
    "timezone",
    "citation",
    "effective_from",
    "caution",
    "notes",
    "offense_lists",
    "hold",
    "transfer",
    "notify",
    "review",
}
HOLD_KEYS = {
    "when",
    "unless",
    "max_hours",
    "exclude_weekends",
    "exclude_holidays",
    "holidays",
    "end_of_release_day",
}
ACTION_KEYS = {"when", "unless"}

# Wednesday 4 March 2026, before the spring DST change (Sunday 8 March 2026).
RECEIVED = "2026-03-04T09:00:00"
# Thursday 5 March 2026, 10:00 local.
RELEASE = "2026-03-05T10:00:00"

# -- documents (contract 2.1) -------------------------------------------------------------

I200 = {"kind": "I-200", "signed": True, "signer_role": "immigration_officer"}
I205 = {"kind": "I-205", "signed": True, "signer_role": "immigration_officer"}
FEDERAL_WARRANT = {
    "kind": "judicial_warrant",
    "signed": True,
    "signer_role": "magistrate",
    "court": "United States District Court",
    "court_system": "federal",
    "names_subject": True,
    "issued_on": "2026-03-03",
}
STATE_WARRANT = {
    "kind": "judicial_warrant",
    "signed": True,
    "signer_role": "judge",
    "court": "Superior Court",
    "court_system": "state",
    "names_subject": True,
    "issued_on": "2026-03-02",
}
STATE_COURT_ORDER = {**STATE_WARRANT, "kind": "court_order"}
# Calls itself a warrant, but an immigration officer signed it: it does not count.
MISLABELLED_WARRANT = {
    "kind": "judicial_warrant",
    "signed": True,
    "signer_role": "immigration_officer",
    "court": "U.S. Department of Homeland Security",
    "names_subject": True,
}
EXPIRED_FEDERAL_WARRANT = {**FEDERAL_WARRANT, "expires_on": "2026-03-01"}
JUDICIAL_PC = {"kind": "judicial_probable_cause", "signed": True, "signer_role": "magistrate"}
IJ_REMOVAL_ORDER = {
    "kind": "removal_order",
    "signed": True,
    "signer_role": "immigration_judge",
    "final": True,
}
JUDGE_REMOVAL_ORDER = {**IJ_REMOVAL_ORDER, "signer_role": "judge"}
NON_FINAL_REMOVAL_ORDER = {**JUDGE_REMOVAL_ORDER, "final": False}


# -- history entries (contract 2.2) -------------------------------------------------------


def convicted(
    statute: str, cls: str, date: str, *, released_on: str | None = None, offense: str = "offense"
) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "offense": offense,
        "statute": statute,
        "class": cls,
        "status": "convicted",
        "date": date,
    }
    if released_on is not None:
        entry["released_on"] = released_on
    return entry


def charged(
    statute: str,
    cls: str,
    *,
    pc: bool | None = True,
    date: str = "2026-03-01",
    offense: str = "offense",
) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "offense": offense,
        "statute": statute,
        "class": cls,
        "status": "pending",
        "date": date,
    }
    if pc is not None:
        entry["probable_cause_found"] = pc
    return entry


def request_bytes(
    *,
    form: str = "I-247A",
    requested: tuple[str, ...] = ("notify", "hold"),
    basis: tuple[str, ...] = ("removal_proceedings",),
    documents: tuple[dict[str, Any], ...] = (),
    history: tuple[dict[str, Any], ...] = (),
    flags: tuple[str, ...] = (),
    dob: str = "1988-07-14",
    citizenship_claim: bool = False,
    indicators: tuple[str, ...] = (),
    received_at: str = RECEIVED,
    release_eligible_at: str | None = RELEASE,
) -> bytes:
    """A contract section 2 request, as the bytes of a JSON file."""
    data: dict[str, Any] = {
        "schema": 1,
        "received_at": received_at,
        "subject": {
            "name": "RIVERA, Ana",
            "dob": dob,
            "booking_number": "B26-000311",
            "a_number": "A098765432",
            "citizenship_claim": citizenship_claim,
            "us_citizenship_indicators": list(indicators),
        },
        "detainer": {
            "form": form,
            "issued_at": "2026-03-04T08:00:00",
            "issuing_office": "ICE ERO",
            "officer": "K. LEE, SDDO",
            "requested": list(requested),
            "probable_cause_basis": list(basis),
        },
        "documents": list(documents),
        "history": list(history),
        "flags": list(flags),
        "release_eligible_at": release_eligible_at,
    }
    return json.dumps(data, indent=2).encode("utf-8")


# -- the cases ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    preset: str
    kind: str  # "permits" or "refuses": what the case demonstrates about the preset
    about: str
    request: dict[str, Any]
    outcome: str
    permitted: dict[str, bool] = field(default_factory=dict)  # only the actions checked
    tentative: str | None = None
    hold_until: str | None = None  # an instant with its offset, compared as an instant
    triggers: tuple[str, ...] = ()
    at: str | None = None  # evaluation instant (--at), with offset


def case(preset: str, kind: str, about: str, outcome: str, **kw: Any) -> Any:
    request = kw.pop("request", {})
    c = Case(preset, kind, about, request, outcome, **kw)
    return pytest.param(c, id=f"{preset}:{kind}:{about}")


NO = {"hold": False, "transfer": False, "notify": False}
ALL = {"hold": True, "transfer": True, "notify": True}
NOTIFY_ONLY = {"hold": False, "transfer": False, "notify": True}

CASES = [
    # ---- generic: felony only --------------------------------------------------------
    case(
        "felony-only",
        "permits",
        "pending felony with probable cause and an I-200",
        "hold",
        request={"documents": (I200,), "history": (charged("IC 713.6A", "felony"),)},
        permitted=ALL,
        hold_until="2026-03-07T10:00:00-05:00",
    ),
    case(
        "felony-only",
        "permits",
        "felony conviction and an I-205",
        "hold",
        request={"documents": (I205,), "history": (convicted("IC 708.2", "felony", "2015-01-10"),)},
        permitted=ALL,
        hold_until="2026-03-07T10:00:00-05:00",
    ),
    case(
        "felony-only",
        "refuses",
        "misdemeanor history only",
        "notify",
        request={
            "documents": (I200,),
            "history": (convicted("IC 321J.2", "misdemeanor", "2024-05-01"),),
        },
        permitted=NOTIFY_ONLY,
    ),
    case(
        "felony-only",
        "refuses",
        "felony charge without a probable-cause finding",
        "notify",
        request={"documents": (I200,), "history": (charged("IC 713.6A", "felony", pc=None),)},
        permitted=NOTIFY_ONLY,
    ),
    case(
        "felony-only",
        "refuses",
        "felony conviction but no I-200 goes to review",
        "review",
        request={"history": (convicted("IC 708.2", "felony", "2015-01-10"),)},
        permitted=NOTIFY_ONLY,
        tentative="notify",
        triggers=("missing_admin_warrant",),
    ),
    # ---- generic: judicial warrant only ----------------------------------------------
    case(
        "judicial-warrant-only",
        "permits",
        "federal magistrate's warrant",
        "hold",
        request={"documents": (I200, FEDERAL_WARRANT)},
        permitted=ALL,
        hold_until="2026-03-07T10:00:00-05:00",
    ),
    case(
        "judicial-warrant-only",
        "permits",
        "state court order, window closed: transfer",
        "transfer",
        request={"documents": (STATE_COURT_ORDER,), "received_at": "2026-03-07T11:00:00"},
        permitted=ALL,
    ),
    case(
        "judicial-warrant-only",
        "refuses",
        "warrant signed by an immigration officer",
        "notify",
        request={"documents": (I200, MISLABELLED_WARRANT)},
        permitted=NOTIFY_ONLY,
    ),
    case(
        "judicial-warrant-only",
        "refuses",
        "expired federal warrant",
        "notify",
        request={"documents": (EXPIRED_FEDERAL_WARRANT,)},
        permitted=NOTIFY_ONLY,
    ),
    # ---- generic: plain 48-hour cap ---------------------------------------------------
    case(
        "48-hour-cap",
        "permits",
        "I-200 attached: 48 clock hours",
        "hold",
        request={"documents": (I200,)},
        permitted=ALL,
        hold_until="2026-03-07T10:00:00-05:00",
    ),
    case(
        "48-hour-cap",
        "permits",
        "48 hours over the DST change are real hours",
        "hold",
        request={"documents": (I200,), "release_eligible_at": "2026-03-07T10:00:00"},
        permitted=ALL,
        hold_until="2026-03-09T11:00:00-04:00",
    ),
    case(
        "48-hour-cap",
        "refuses",
        "legacy I-247D with no administrative warrant",
        "notify",
        request={"form": "I-247D"},
        permitted=NOTIFY_ONLY,
    ),
    case(
        "48-hour-cap",
        "refuses",
        "evaluated after the window closed: transfer",
        "transfer",
        request={"documents": (I200,)},
        at="2026-03-07T10:00:00-05:00",
        permitted=ALL,
    ),
    case(
        "48-hour-cap",
        "refuses",
        "biometric match only goes to review",
        "review",
        request={"documents": (I200,), "basis": ("biometric_match",)},
        permitted=ALL,
        tentative="hold",
        hold_until="2026-03-07T10:00:00-05:00",
        triggers=("database_only_basis",),
    ),
    # ---- 8 CFR 287.7(d): weekends and holidays excluded -------------------------------
    case(
        "48-hour-cap-excluding-weekends-holidays",
        "permits",
        "Thursday release ends Monday",
        "hold",
        request={"documents": (I200,)},
        permitted=ALL,
        hold_until="2026-03-09T10:00:00-04:00",
    ),
    case(
        "48-hour-cap-excluding-weekends-holidays",
        "permits",
        "Friday before Presidents' Day ends Wednesday",
        "hold",
        request={
            "documents": (I200,),
            "received_at": "2026-02-12T09:00:00",
            "release_eligible_at": "2026-02-13T16:00:00",
        },
        permitted=ALL,
        hold_until="2026-02-18T16:00:00-05:00",
    ),
    case(
        "48-hour-cap-excluding-weekends-holidays",
        "refuses",
        "no administrative warrant (I-247D)",
        "notify",
        request={"form": "I-247D"},
        permitted=NOTIFY_ONLY,
    ),
    case(
        "48-hour-cap-excluding-weekends-holidays",
        "refuses",
        "citizenship indicator",
        "review",
        request={"documents": (I200,), "indicators": ("us_birthplace",)},
        permitted=ALL,
        tentative="hold",
        hold_until="2026-03-09T10:00:00-04:00",
        triggers=("citizenship_claim",),
    ),
    # ---- King County 2014 ------------------------------------------------------------
    case(
        "king-county-2014",
        "permits",
        "federal judicial warrant",
        "hold",
        request={"documents": (I200, FEDERAL_WARRANT)},
        permitted=ALL,
        hold_until="2026-03-07T10:00:00-08:00",
    ),
    case(
        "king-county-2014",
        "refuses",
        "state judicial warrant is not federal",
        "notify",
        request={"documents": (I200, STATE_WARRANT)},
        permitted=NOTIFY_ONLY,
    ),
    case(
        "king-county-2014",
        "refuses",
        "administrative warrant only",
        "notify",
        request={"documents": (I200,)},
        permitted=NOTIFY_ONLY,
    ),
    # ---- King County 2013 ------------------------------------------------------------
    case(
        "king-county-2013",
        "permits",
        "assault 2 conviction within 10 years",
        "hold",
        request={
            "documents": (I200,),
            "history": (convicted("RCW 9A.36.021", "felony", "2019-06-01"),),
        },
        permitted=ALL,
        hold_until="2026-03-07T10:00:00-08:00",
    ),
    case(
        "king-county-2013",
        "permits",
        "conviction exactly 10 years back counts",
        "hold",
        request={
            "documents": (I200,),
            "history": (convicted("rcw  9a.32.050", "felony", "2016-03-04"),),
        },
        permitted=ALL,
    ),
    case(
        "king-county-2013",
        "refuses",
        "conviction 10 years and a day back",
        "notify",
        request={
            "documents": (I200,),
            "history": (convicted("RCW 9A.32.050", "felony", "2016-03-03"),),
        },
        permitted=NOTIFY_ONLY,
    ),
    case(
        "king-county-2013",
        "refuses",
        "never for anyone under 18",
        "notify",
        request={
            "documents": (I200,),
            "dob": "2009-05-01",
            "history": (convicted("RCW 9A.36.021", "felony", "2025-06-01"),),
        },
        permitted=NOTIFY_ONLY,
    ),
    case(
        "king-county-2013",
        "refuses",
        "offense not on the list",
        "notify",
        request={
            "documents": (I200,),
            "history": (convicted("RCW 69.50.401", "felony", "2022-06-01"),),
        },
        permitted=NOTIFY_ONLY,
    ),
    # ---- Palm Beach County 2014 ------------------------------------------------------
    case(
        "palm-beach-county-2014",
        "permits",
        "federal judicial warrant",
        "hold",
        request={"documents": (I200, FEDERAL_WARRANT)},
        permitted=ALL,
        hold_until="2026-03-07T10:00:00-05:00",
    ),
    case(
        "palm-beach-county-2014",
        "permits",
        "another court order (state)",
        "hold",
        request={"documents": (STATE_COURT_ORDER,)},
        permitted=ALL,
    ),
    case(
        "palm-beach-county-2014",
        "permits",
        "final removal order signed by a judge",
        "hold",
        request={"documents": (JUDGE_REMOVAL_ORDER,)},
        permitted=ALL,
    ),
    case(
        "palm-beach-county-2014",
        "refuses",
        "administrative warrant only",
        "notify",
        request={"documents": (I200,)},
        permitted=NOTIFY_ONLY,
    ),
    case(
        "palm-beach-county-2014",
        "refuses",
        "removal order that is not final",
        "notify",
        request={"documents": (NON_FINAL_REMOVAL_ORDER,)},
        permitted=NOTIFY_ONLY,
    ),
    case(
        "palm-beach-county-2014",
        "refuses",
        "immigration judge's order goes to review",
        "review",
        request={"documents": (IJ_REMOVAL_ORDER,)},
        permitted=ALL,
        tentative="hold",
        hold_until="2026-03-07T10:00:00-05:00",
        triggers=("immigration_judge_order",),
    ),
    # ---- probable cause only (Miranda-Olivares) --------------------------------------
    case(
        "probable-cause-only",
        "permits",
        "judicial probable-cause finding",
        "hold",
        request={"documents": (I200, JUDICIAL_PC)},
        permitted=ALL,
        hold_until="2026-03-07T10:00:00-08:00",
    ),
    case(
        "probable-cause-only",
        "permits",
        "judicial warrant",
        "hold",
        request={"documents": (STATE_WARRANT,)},
        permitted=ALL,
    ),
    case(
        "probable-cause-only",
        "refuses",
        "detainer with I-200 alone",
        "notify",
        request={"documents": (I200, MISLABELLED_WARRANT)},
        permitted=NOTIFY_ONLY,
    ),
    # ---- California SB 54 ------------------------------------------------------------
    case(
        "california-sb54",
        "permits",
        "robbery felony conviction, no time limit: transfer",
        "transfer",
        request={"history": (convicted("PC 211", "felony", "2001-02-01"),)},
        permitted={"hold": False, "transfer": True, "notify": True},
    ),
    case(
        "california-sb54",
        "permits",
        "wobbler (PC 273.5) within 5 years",
        "transfer",
        request={"history": (convicted("PC 273.5(a)", "wobbler", "2022-08-01"),)},
        permitted={"hold": False, "transfer": True, "notify": True},
    ),
    case(
        "california-sb54",
        "permits",
        "listed felony (HS 11351) within 15 years",
        "transfer",
        request={"history": (convicted("HS 11351", "felony", "2012-01-15"),)},
        permitted={"hold": False, "transfer": True, "notify": True},
    ),
    case(
        "california-sb54",
        "permits",
        "notification request on a qualifying conviction",
        "notify",
        request={
            "form": "I-247N",
            "requested": ("notify",),
            "history": (convicted("PC 187(a)", "felony", "1999-01-01"),),
        },
        permitted={"hold": False, "transfer": True, "notify": True},
    ),
    case(
        "california-sb54",
        "permits",
        "serious felony charge held to answer",
        "transfer",
        request={"history": (charged("PC 187(a)", "felony"),)},
        permitted={"hold": False, "transfer": True, "notify": True},
    ),
    case(
        "california-sb54",
        "permits",
        "federal judicial warrant permits transfer only",
        "transfer",
        request={"documents": (I200, FEDERAL_WARRANT)},
        permitted={"hold": False, "transfer": True, "notify": False},
    ),
    case(
        "california-sb54",
        "refuses",
        "never hold, even with a judicial warrant and a conviction",
        "transfer",
        request={
            "documents": (FEDERAL_WARRANT,),
            "history": (convicted("PC 211", "felony", "2020-01-01"),),
        },
        permitted={"hold": False, "transfer": True, "notify": True},
    ),
    case(
        "california-sb54",
        "refuses",
        "wobbler more than 5 years back",
        "decline",
        request={
            "documents": (I200,),
            "history": (convicted("PC 273.5(a)", "wobbler", "2020-08-01"),),
        },
        permitted=NO,
    ),
    case(
        "california-sb54",
        "refuses",
        "listed felony more than 15 years back",
        "decline",
        request={"history": (convicted("HS 11351", "felony", "2010-01-15"),)},
        permitted=NO,
    ),
    case(
        "california-sb54",
        "refuses",
        "petty theft misdemeanor",
        "decline",
        request={
            "documents": (I200,),
            "history": (convicted("PC 484", "misdemeanor", "2025-01-01"),),
        },
        permitted=NO,
    ),
    case(
        "california-sb54",
        "refuses",
        "hazing (PC 245.6) is not an assault on the list",
        "decline",
        request={"history": (convicted("PC 245.6(d)", "wobbler", "2025-01-01"),)},
        permitted=NO,
    ),
    case(
        "california-sb54",
        "refuses",
        "state warrant does not permit transfer",
        "decline",
        request={"documents": (STATE_WARRANT,)},
        permitted=NO,
    ),
    # ---- New York City ---------------------------------------------------------------
    case(
        "new-york-city",
        "permits",
        "federal warrant and robbery 1 within 5 years",
        "hold",
        request={
            "documents": (I200, FEDERAL_WARRANT),
            "history": (convicted("PL 160.15(4)", "felony", "2023-01-20"),),
        },
        permitted=ALL,
        hold_until="2026-03-07T10:00:00-05:00",
    ),
    case(
        "new-york-city",
        "permits",
        "federal warrant, 5 years counted from release",
        "hold",
        request={
            "documents": (FEDERAL_WARRANT,),
            "history": (convicted("PL 125.25", "felony", "2008-01-20", released_on="2024-06-01"),),
        },
        permitted=ALL,
    ),
    case(
        "new-york-city",
        "permits",
        "federal warrant and watch-list match",
        "hold",
        request={"documents": (FEDERAL_WARRANT,), "flags": ("watch_list",)},
        permitted=ALL,
    ),
    case(
        "new-york-city",
        "refuses",
        "listed conviction but only an I-200",
        "notify",
        request={
            "documents": (I200,),
            "history": (convicted("PL 160.15", "felony", "2023-01-20"),),
        },
        permitted=NOTIFY_ONLY,
    ),
    case(
        "new-york-city",
        "refuses",
        "federal warrant but conviction over 5 years back",
        "decline",
        request={
            "documents": (FEDERAL_WARRANT,),
            "history": (convicted("PL 160.15", "felony", "2019-01-20"),),
        },
        permitted=NO,
    ),
    case(
        "new-york-city",
        "refuses",
        "federal warrant but no listed crime",
        "decline",
        request={
            "documents": (FEDERAL_WARRANT,),
            "history": (convicted("PL 155.30", "felony", "2024-01-20"),),
        },
        permitted=NO,
    ),
    case(
        "new-york-city",
        "refuses",
        "state warrant is not a federal judge's",
        "notify",
        request={"documents": (STATE_WARRANT,), "flags": ("watch_list",)},
        permitted=NOTIFY_ONLY,
    ),
    # ---- New Jersey Directive 2018-6 -------------------------------------------------
    case(
        "new-jersey-2018-6",
        "permits",
        "robbery charge with probable cause: end of day",
        "hold",
        request={"history": (charged("NJSA 2C:15-1", "indictable"),)},
        permitted=ALL,
        hold_until="2026-03-06T00:00:00-05:00",
    ),
    case(
        "new-jersey-2018-6",
        "permits",
        "indictable conviction within 5 years",
        "hold",
        request={"history": (convicted("NJSA 2C:20-3", "indictable", "2023-04-01"),)},
        permitted=ALL,
        hold_until="2026-03-06T00:00:00-05:00",
    ),
    case(
        "new-jersey-2018-6",
        "permits",
        "final removal order signed by a federal judge",
        "hold",
        request={"documents": (JUDGE_REMOVAL_ORDER,)},
        permitted=ALL,
        hold_until="2026-03-06T00:00:00-05:00",
    ),
    case(
        "new-jersey-2018-6",
        "permits",
        "judicial warrant",
        "hold",
        request={"documents": (FEDERAL_WARRANT,)},
        permitted=ALL,
        hold_until="2026-03-06T00:00:00-05:00",
    ),
    case(
        "new-jersey-2018-6",
        "refuses",
        "after the release day ended: transfer only",
        "transfer",
        request={"history": (charged("NJSA 2C:15-1", "indictable"),)},
        at="2026-03-06T00:00:00-05:00",
        permitted=ALL,
    ),
    case(
        "new-jersey-2018-6",
        "refuses",
        "indictable conviction more than 5 years back",
        "decline",
        request={
            "documents": (I200,),
            "history": (convicted("NJSA 2C:20-3", "indictable", "2020-04-01"),),
        },
        permitted=NO,
    ),
    case(
        "new-jersey-2018-6",
        "refuses",
        "listed charge without probable cause",
        "decline",
        request={"history": (charged("NJSA 2C:15-1", "indictable", pc=False),)},
        permitted=NO,
    ),
    case(
        "new-jersey-2018-6",
        "refuses",
        "disorderly persons offense",
        "decline",
        request={
            "documents": (I200,),
            "history": (convicted("NJSA 2C:33-2", "misdemeanor", "2025-04-01"),),
        },
        permitted=NO,
    ),
    case(
        "new-jersey-2018-6",
        "refuses",
        "immigration judge's order: review, tentatively decline",
        "review",
        request={"documents": (I200, IJ_REMOVAL_ORDER)},
        permitted=NO,
        tentative="decline",
        triggers=("immigration_judge_order",),
    ),
    # ---- Illinois TRUST Act ----------------------------------------------------------
    case(
        "illinois-trust-act",
        "permits",
        "federal criminal warrant",
        "hold",
        request={"documents": (I200, FEDERAL_WARRANT)},
        permitted=ALL,
        hold_until="2026-03-07T10:00:00-06:00",
    ),
    case(
        "illinois-trust-act",
        "refuses",
        "detainer with I-200: no notice either",
        "decline",
        request={
            "documents": (I200,),
            "history": (convicted("720 ILCS 5/9-1", "felony", "2020-01-01"),),
        },
        permitted=NO,
    ),
    case(
        "illinois-trust-act",
        "refuses",
        "warrant signed by an immigration officer",
        "decline",
        request={"documents": (MISLABELLED_WARRANT,)},
        permitted=NO,
    ),
    case(
        "illinois-trust-act",
        "refuses",
        "state warrant is not a federal criminal warrant",
        "decline",
        request={"documents": (STATE_WARRANT,)},
        permitted=NO,
    ),
    # ---- Boston Trust Act ------------------------------------------------------------
    case(
        "boston-trust-act",
        "permits",
        "criminal warrant",
        "hold",
        request={"documents": (STATE_WARRANT,)},
        permitted=ALL,
        hold_until="2026-03-07T10:00:00-05:00",
    ),
    case(
        "boston-trust-act",
        "refuses",
        "detainer with I-200",
        "decline",
        request={"documents": (I200,)},
        permitted=NO,
    ),
    # ---- Connecticut 2013 ------------------------------------------------------------
    case(
        "connecticut-2013",
        "permits",
        "gang listing: 48 h excluding the weekend",
        "hold",
        request={"documents": (I200,), "flags": ("gang_database",)},
        permitted=ALL,
        hold_until="2026-03-09T10:00:00-04:00",
    ),
    case(
        "connecticut-2013",
        "permits",
        "felony conviction",
        "hold",
        request={"history": (convicted("CGS 53a-101", "felony", "2005-05-05"),)},
        permitted=ALL,
    ),
    case(
        "connecticut-2013",
        "permits",
        "watch-list match",
        "hold",
        request={"flags": ("watch_list",)},
        permitted=ALL,
    ),
    case(
        "connecticut-2013",
        "refuses",
        "misdemeanor history and an I-200",
        "notify",
        request={
            "documents": (I200,),
            "history": (convicted("CGS 53a-125b", "misdemeanor", "2025-01-01"),),
        },
        permitted=NOTIFY_ONLY,
    ),
    case(
        "connecticut-2013",
        "refuses",
        "immigration judge's order goes to review",
        "review",
        request={"documents": (IJ_REMOVAL_ORDER,)},
        permitted=ALL,
        tentative="hold",
        hold_until="2026-03-09T10:00:00-04:00",
        triggers=("immigration_judge_order",),
    ),
    # ---- Travis County 2017 ----------------------------------------------------------
    case(
        "travis-county-2017",
        "permits",
        "charged with murder",
        "hold",
        request={"documents": (I200,), "history": (charged("PC 19.02(b)(1)", "felony"),)},
        permitted=ALL,
        hold_until="2026-03-07T10:00:00-06:00",
    ),
    case(
        "travis-county-2017",
        "permits",
        "convicted of continuous trafficking",
        "hold",
        request={
            "documents": (I200,),
            "history": (convicted("PC 20A.03", "felony", "2011-01-01"),),
        },
        permitted=ALL,
    ),
    case(
        "travis-county-2017",
        "permits",
        "federal court order",
        "hold",
        request={"documents": (I200, FEDERAL_WARRANT)},
        permitted=ALL,
    ),
    case(
        "travis-county-2017",
        "refuses",
        "DWI charge",
        "notify",
        request={"documents": (I200,), "history": (charged("PC 49.04", "misdemeanor"),)},
        permitted=NOTIFY_ONLY,
    ),
    case(
        "travis-county-2017",
        "refuses",
        "aggravated assault is not on the list",
        "notify",
        request={"documents": (I200,), "history": (charged("PC 22.02", "felony"),)},
        permitted=NOTIFY_ONLY,
    ),
    # ---- Texas SB 4 ------------------------------------------------------------------
    case(
        "texas-sb4",
        "permits",
        "any detainer with its I-200",
        "hold",
        request={"documents": (I200,), "history": (charged("PC 49.04", "misdemeanor"),)},
        permitted=ALL,
        hold_until="2026-03-07T10:00:00-06:00",
    ),
    case(
        "texas-sb4",
        "refuses",
        "U.S. citizenship claim: supervisor first",
        "review",
        request={"documents": (I200,), "citizenship_claim": True},
        permitted=ALL,
        tentative="hold",
        hold_until="2026-03-07T10:00:00-06:00",
        triggers=("citizenship_claim",),
    ),
    case(
        "texas-sb4",
        "refuses",
        "I-247A without its I-200: supervisor first",
        "review",
        request={},
        permitted=ALL,
        tentative="hold",
        hold_until="2026-03-07T10:00:00-06:00",
        triggers=("missing_admin_warrant",),
    ),
    # ---- Florida SB 168 --------------------------------------------------------------
    case(
        "florida-sb168",
        "permits",
        "facially sufficient detainer with I-200",
        "hold",
        request={"documents": (I200,)},
        permitted=ALL,
        hold_until="2026-03-07T10:00:00-05:00",
    ),
    case(
        "florida-sb168",
        "refuses",
        "no accompanying warrant",
        "review",
        request={},
        permitted=NOTIFY_ONLY,
        tentative="notify",
        triggers=("missing_admin_warrant",),
    ),
    case(
        "florida-sb168",
        "refuses",
        "legacy form without a warrant: notify only",
        "notify",
        request={"form": "I-247D"},
        permitted=NOTIFY_ONLY,
    ),
    case(
        "florida-sb168",
        "refuses",
        "box 1 empty: review",
        "review",
        request={"documents": (I200,), "basis": ()},
        permitted=ALL,
        tentative="hold",
        hold_until="2026-03-07T10:00:00-05:00",
        triggers=("no_probable_cause",),
    ),
]


def _policy(name: str) -> Any:
    return parse_policy(preset_bytes(name), f"{name}.toml")


@pytest.mark.parametrize("c", CASES)
def test_preset_decision(c: Case) -> None:
    policy = _policy(c.preset)
    request = parse_request(request_bytes(**c.request), "request.json")
    at = dt.datetime.fromisoformat(c.at) if c.at else None
    decision = evaluate(policy, request, at)
    contract = decision.to_contract()

    assert decision.outcome == c.outcome, contract["reasons"]
    assert contract["outcome"] == c.outcome
    assert decision.tentative_outcome == c.tentative
    assert contract["tentative_outcome"] == c.tentative
    for action, allowed in c.permitted.items():
        assert decision.permitted[action] is allowed, (action, contract["reasons"])
        assert contract["permitted"][action] is allowed
    assert tuple(decision.review_triggers) == c.triggers
    assert contract["review_triggers"] == list(c.triggers)

    if c.hold_until is not None:
        expected = dt.datetime.fromisoformat(c.hold_until)
        assert decision.hold_until == expected, decision.hold_until
        printed = dt.datetime.fromisoformat(contract["hold_until"])
        assert printed == expected
        # hold_until is printed in the policy's timezone (contract section 4).
        local = expected.astimezone(ZoneInfo(policy.timezone))
        assert printed.utcoffset() == local.utcoffset()
    if (c.tentative or c.outcome) != "hold":
        assert contract["hold_until"] is None

    # Every action has at least one reason, and reasons cite the preset's source.
    actions_with_reasons = {r["action"] for r in contract["reasons"]}
    assert {"hold", "transfer", "notify"} <= actions_with_reasons
    assert all(r["citation"] == policy.citation for r in contract["reasons"])
    assert contract["policy"]["sha256"] == hashlib.sha256(preset_bytes(c.preset)).hexdigest()


def test_every_preset_has_a_permit_and_a_refusal_case() -> None:
    kinds: dict[str, set[str]] = {}
    for param in CASES:
        c = param.values[0]
        kinds.setdefault(c.preset, set()).add(c.kind)
    assert set(kinds) == set(preset_names())
    for name, seen in kinds.items():
        assert seen == {"permits", "refuses"}, name


# -- the files themselves -------------------------------------------------------------------


def test_preset_names_are_the_shipped_files() -> None:
    names = preset_names()
    assert names == sorted(names)
    assert set(names) == EXPECTED_PRESETS
    for name in names:
        assert name == name.lower()
        assert " " not in name and "_" not in name


def test_unknown_preset_raises_key_error() -> None:
    with pytest.raises(KeyError):
        preset_bytes("no-such-preset")
    with pytest.raises(KeyError):
        preset_bytes("../pyproject")


@pytest.mark.parametrize("name", sorted(EXPECTED_PRESETS))
def test_preset_parses_and_asks_for_counsel(name: str) -> None:
    data = preset_bytes(name)
    policy = _policy(name)  # raises InvalidInput with the problems if anything is wrong
    assert policy.name.strip()
    assert policy.jurisdiction.strip()
    assert len(policy.citation.strip()) > 10
    assert policy.caution is not None and "counsel" in policy.caution.lower()
    assert policy.notes is not None and "encodes" in policy.notes.lower()
    ZoneInfo(policy.timezone)
    assert policy.sha256 == hashlib.sha256(data).hexdigest()


@pytest.mark.parametrize("name", sorted(EXPECTED_PRESETS))
def test_preset_uses_only_schema_1_keys(name: str) -> None:
    document = tomllib.loads(preset_bytes(name).decode("utf-8"))
    assert document["schema"] == 1
    assert set(document) <= TOP_KEYS
    for key in ("name", "jurisdiction", "timezone", "citation", "caution", "notes"):
        assert isinstance(document[key], str) and document[key].strip(), key
    if "hold" in document:
        assert set(document["hold"]) <= HOLD_KEYS
    for section in ("transfer", "notify"):
        if section in document:
            assert set(document[section]) <= ACTION_KEYS
    assert set(document.get("review", {})) <= {"triggers"}
    if "offense_lists" in document:
        # Offense lists are a sample: the notes must say so.
        assert "sample" in document["notes"].lower()
        assert "not complete" in document["notes"].lower()


def test_generic_presets_tell_the_county_to_set_its_timezone() -> None:
    for name in (
        "felony-only",
        "judicial-warrant-only",
        "48-hour-cap",
        "48-hour-cap-excluding-weekends-holidays",
    ):
        policy = _policy(name)
        assert policy.timezone == "America/New_York"
        assert policy.notes is not None and "timezone" in policy.notes


def test_california_never_holds() -> None:
    document = tomllib.loads(preset_bytes("california-sb54").decode("utf-8"))
    assert "hold" not in document
