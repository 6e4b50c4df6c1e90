"""Contract codes in the words the documents print, and safe reads of the request JSON."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from detainer_desk.domain.vocabulary import DOCUMENT_KIND_WORDS, OUTCOME_WORDS
from detainer_desk.services.evidence_model import DecisionRecord

REQUESTED_WORDS = {
    "notify": "notify ICE before release",
    "hold": "hold past the release time",
}
BASIS_WORDS = {
    "final_order": "final order of removal",
    "removal_proceedings": "pending removal proceedings",
    "biometric_match": "biometric confirmation with records checks",
    "statements": "statements to an immigration officer",
}
INDICATOR_WORDS = {
    "us_birthplace": "U.S. birthplace",
    "us_passport": "U.S. passport",
    "ssn_verified": "verified SSN",
    "naturalization_record": "naturalization record",
}
FLAG_WORDS = {
    "watch_list": "watch-list match",
    "sex_arson_registry": "sex or arson registry",
    "gang_database": "gang database",
}
ACTION_WORDS = {"hold": "Hold", "transfer": "Transfer", "notify": "Notify", "review": "Review"}


def section(request: Mapping[str, Any], key: str) -> Mapping[str, Any]:
    value = request.get(key)
    return value if isinstance(value, Mapping) else {}


def items(request: Mapping[str, Any], key: str) -> Sequence[Any]:
    value = request.get(key)
    return value if isinstance(value, list | tuple) else ()


def name_and_booking(record: DecisionRecord) -> tuple[str, str]:
    """The person's name and booking number as the request gave them (else as logged)."""
    summary = record.row.summary
    subject = section(record.request, "subject")
    return (
        text_of(subject.get("name"), summary.subject_name),
        text_of(subject.get("booking_number"), summary.booking_number),
    )


def text_of(value: object, none: str = "not stated") -> str:
    if value is None or (isinstance(value, str) and not value.strip()):
        return none
    return str(value)


def coded(values: object, words: Mapping[str, str], none: str = "none") -> str:
    """``["hold", "notify"]`` as ``hold past the release time; notify ICE before release``."""
    if not isinstance(values, list | tuple) or not values:
        return none
    return "; ".join(words.get(str(v), str(v).replace("_", " ")) for v in values)


def outcome_words(outcome: object) -> str:
    return OUTCOME_WORDS.get(str(outcome), str(outcome).upper()) if outcome else "none"


def document_words(kind: object) -> str:
    return DOCUMENT_KIND_WORDS.get(str(kind), str(kind))


def load_details(details_json: str | Mapping[str, Any]) -> Mapping[str, Any] | None:
    if isinstance(details_json, Mapping):  # already read by the store
        return details_json
    try:
        value = json.loads(details_json or "{}")
    except ValueError:
        return None
    return value if isinstance(value, dict) else None
