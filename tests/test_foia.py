"""FOIA-aligned facts of a request."""

from __future__ import annotations

import datetime as dt

from detainer_desk.domain.foia import foia_facts
from detainer_desk.domain.request import parse_request

from .helpers import request_json


def test_most_serious_conviction_and_flags() -> None:
    history = [
        {
            "offense": "Petty theft",
            "statute": "PC 484",
            "class": "misdemeanor",
            "status": "convicted",
            "date": "2024-01-01",
        },
        {
            "offense": "Robbery",
            "statute": "PC 211",
            "class": "felony",
            "status": "convicted",
            "date": "2015-09-30",
        },
        {
            "offense": "Burglary",
            "statute": "PC 459",
            "class": "felony",
            "status": "pending",
            "date": "2026-01-01",
        },
    ]
    request = parse_request(
        request_json(
            history=history, **{"detainer.probable_cause_basis": ["final_order", "statements"]}
        ).encode(),
        "r",
    )
    facts = foia_facts(request)
    assert (facts.msc_charge, facts.msc_charge_code) == ("Robbery", "PC 211")
    assert facts.msc_conviction_date == dt.date(2015, 9, 30)
    assert (
        facts.felon
        and facts.case_final_order
        and facts.statements_made
        and not facts.biometric_match
    )


def test_no_convictions() -> None:
    facts = foia_facts(parse_request(request_json().encode(), "r"))
    assert facts.msc_charge is None and not facts.felon
