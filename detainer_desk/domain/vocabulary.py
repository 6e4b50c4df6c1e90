"""The closed vocabularies of decision-contract schema 1.

Within schema 1 an unknown value is an error: a silently ignored typo in a request or policy
can hold someone unlawfully. New values come with a new schema number.
"""

from __future__ import annotations

from typing import Final

from .outcomes import Outcome

SCHEMA_VERSION: Final = 1

FORMS: Final = ("I-247A", "I-247G", "I-247N", "I-247D", "I-247X", "I-247")
# I-247G (after the Gonzalez settlement) and I-247N ask only for notification.
NOTIFICATION_ONLY_FORMS: Final = frozenset({"I-247G", "I-247N"})
REQUESTED_ACTIONS: Final = ("notify", "hold")
PROBABLE_CAUSE_BASES: Final = (
    "final_order",
    "removal_proceedings",
    "biometric_match",
    "statements",
)
CITIZENSHIP_INDICATORS: Final = (
    "us_birthplace",
    "us_passport",
    "ssn_verified",
    "naturalization_record",
)
FLAGS: Final = ("watch_list", "sex_arson_registry", "gang_database")

DOCUMENT_KINDS: Final = (
    "I-200",
    "I-205",
    "judicial_warrant",
    "court_order",
    "judicial_probable_cause",
    "removal_order",
)
ADMINISTRATIVE_WARRANT_KINDS: Final = frozenset({"I-200", "I-205"})
JUDICIAL_WARRANT_KINDS: Final = frozenset({"judicial_warrant", "court_order"})
SIGNER_ROLES: Final = ("judge", "magistrate", "immigration_judge", "immigration_officer", "other")
# Immigration judges are executive-branch officials: only Article III / state judges and
# magistrates make a warrant judicial.
JUDICIAL_SIGNERS: Final = frozenset({"judge", "magistrate"})
COURT_SYSTEMS: Final = ("federal", "state")

OFFENSE_CLASSES: Final = ("felony", "misdemeanor", "wobbler", "indictable", "infraction")
HISTORY_STATUSES: Final = ("pending", "convicted", "dismissed", "acquitted")

ACTIONS: Final = ("hold", "transfer", "notify")
# The outcomes' words, as stored (one enum: ``outcomes.Outcome``).
OUTCOMES: Final = tuple(outcome.value for outcome in Outcome)

REVIEW_TRIGGERS: Final = (
    "citizenship_claim",
    "missing_admin_warrant",
    "database_only_basis",
    "immigration_judge_order",
    "juvenile",
    "no_probable_cause",
)

# Plain words for an officer reading a reason or a form.
SIGNER_ROLE_WORDS: Final = {
    "judge": "a judge",
    "magistrate": "a magistrate",
    "immigration_judge": "an immigration judge",
    "immigration_officer": "an immigration officer",
    "other": "someone other than a judge",
}
DOCUMENT_KIND_WORDS: Final = {
    "I-200": "I-200 administrative arrest warrant",
    "I-205": "I-205 administrative removal warrant",
    "judicial_warrant": "judicial warrant",
    "court_order": "court order",
    "judicial_probable_cause": "judicial probable-cause finding",
    "removal_order": "removal order",
}
OUTCOME_WORDS: Final = {
    "hold": "HOLD",
    "transfer": "TRANSFER AT RELEASE",
    "notify": "NOTIFY ONLY",
    "decline": "DECLINE",
    "review": "SUPERVISOR REVIEW",
}
# The same in sentence case, for the cells of a table (the what-if comparison).
OUTCOME_CELL_WORDS: Final[dict[str, str]] = {
    Outcome.HOLD: "Hold",
    Outcome.TRANSFER: "Transfer at release",
    Outcome.NOTIFY: "Notify only",
    Outcome.DECLINE: "Decline",
    Outcome.REVIEW: "Supervisor review",
}
