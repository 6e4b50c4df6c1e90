"""The decision's headline, composed once in the domain: its words for every outcome, with
the deadline in whatever words the caller's formatter gives."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from detainer_desk.domain.headline import headline, outcome_words
from detainer_desk.domain.outcomes import Outcome
from detainer_desk.domain.timetext import long_time

ZONE = ZoneInfo("America/Los_Angeles")
UNTIL = dt.datetime(2026, 2, 13, 15, 0, tzinfo=ZONE)


def words(moment: dt.datetime) -> str:
    return long_time(moment, ZONE)


def test_a_hold_with_a_deadline() -> None:
    shown = headline(Outcome.HOLD, None, UNTIL, words)
    assert shown.text == "HOLD until Fri 13 Feb 2026, 15:00 PST (UTC-08:00)"
    assert (shown.words, shown.deadline) == ("HOLD", "Fri 13 Feb 2026, 15:00 PST (UTC-08:00)")
    assert shown.tentative is None and shown.tentative_deadline is None


def test_a_hold_whose_clock_has_not_started() -> None:
    shown = headline("hold", None, None, words)
    assert (shown.text, shown.deadline) == ("HOLD", None)


def test_the_other_outcomes_are_their_words() -> None:
    assert headline("transfer", None, None, words).text == "TRANSFER AT RELEASE"
    assert headline("notify", None, None, words).text == "NOTIFY ONLY"
    assert headline("decline", None, None, words).text == "DECLINE"
    assert headline("review", None, None, words).text == "SUPERVISOR REVIEW"


def test_under_review_the_tentative_outcome_and_its_deadline() -> None:
    shown = headline("review", "hold", UNTIL, words)
    assert shown.text == "SUPERVISOR REVIEW (tentatively HOLD)"
    assert shown.deadline is None  # nothing is held until a supervisor agrees
    assert shown.tentative_deadline == "Fri 13 Feb 2026, 15:00 PST (UTC-08:00)"
    notify = headline("review", "notify", None, words)
    assert (notify.text, notify.tentative_deadline) == (
        "SUPERVISOR REVIEW (tentatively NOTIFY ONLY)",
        None,
    )


def test_the_formatter_is_the_callers() -> None:
    assert headline("hold", None, UNTIL, lambda m: m.isoformat()).text == (
        "HOLD until 2026-02-13T15:00:00-08:00"
    )


def test_a_word_the_contract_does_not_know_is_shown_in_capitals() -> None:
    assert outcome_words("hold") == "HOLD"
    assert outcome_words("released") == "RELEASED"
