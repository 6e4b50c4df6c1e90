"""Bounded work for any input (issue 14): every length and count has a limit far above
anything real, refused in plain words naming it; the name's word pairs grow linearly with
the name; statute patterns are matched in linear time with the contract's meaning; policy
numbers are bounded and the hold window is computed in bounded steps; files are read within
a bound whatever the path names; bad values are quoted shortened."""

from __future__ import annotations

import copy
import json
import os
import re
import threading
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from detainer_desk.adapters.reading import FileRefused, read_limited
from detainer_desk.domain import limits
from detainer_desk.domain.clock import HoldWindowRule, HoldWindowTooLong, hold_until
from detainer_desk.domain.errors import InvalidInput
from detainer_desk.domain.names import LONG_NAME, PAIRED_WORDS, name_index
from detainer_desk.domain.policy import OffenseList, StatutePattern, normalize_statute, parse_policy
from detainer_desk.domain.request import parse_request, request_from_mapping

from .helpers import (
    BASE_REQUEST,
    JUDICIAL_WARRANT_POLICY,
    as_user,
    cli_home,
    evidence_counts,
    request_json,
)

# -- statute patterns: linear, with the contract's meaning ---------------------------------


def regex_reference(pattern: str, statute: str) -> bool:
    """The matcher before issue 14, a regular expression (right, but backtracking)."""
    pieces = normalize_statute(pattern).split("*")
    regex = re.compile(".*".join(re.escape(p) for p in pieces), re.DOTALL)
    return regex.fullmatch(normalize_statute(statute)) is not None


def table_reference(pattern: str, statute: str) -> bool:
    """The textbook dynamic programme over (pattern position, statute position)."""
    p, s = normalize_statute(pattern), normalize_statute(statute)
    reachable = [True] + [False] * len(s)  # the empty pattern matches the empty prefix
    for ch in p:
        if ch == "*":
            for j in range(1, len(s) + 1):
                reachable[j] = reachable[j] or reachable[j - 1]
        else:
            reachable = [False] + [
                reachable[j - 1] and s[j - 1] == ch for j in range(1, len(s) + 1)
            ]
    return reachable[len(s)]


def matches(pattern: str, statute: str) -> bool:
    return OffenseList.build("list", (pattern,)).matching_pattern(statute) == pattern


ALPHABET = "aAbB*  .9§ß\t"
patterns = st.text(alphabet=ALPHABET, min_size=1, max_size=12).filter(lambda p: p.strip())
statutes = st.text(alphabet=ALPHABET.replace("*", ""), max_size=16)


@settings(max_examples=3000)
@given(pattern=patterns, statute=statutes)
def test_statute_patterns_match_as_the_contract_says(pattern: str, statute: str) -> None:
    expected = regex_reference(pattern, statute)
    assert table_reference(pattern, statute) == expected
    assert matches(pattern, statute) == expected


@settings(max_examples=500)
@given(
    pattern=st.text(alphabet="aAbB*.9§ß", min_size=1, max_size=12),
    noise=st.text(alphabet="ab.", max_size=8),
)
def test_a_pattern_matches_the_statute_it_was_made_from(pattern: str, noise: str) -> None:
    """Every '*' replaced by the same text: the statute so made always matches."""
    made = noise.join(pattern.split("*"))
    assert matches(pattern, made) is True
    assert regex_reference(pattern, made) is True


@settings(max_examples=1500)
@given(patterns=st.lists(patterns, min_size=1, max_size=6), statute=statutes)
def test_a_list_names_its_first_matching_pattern(patterns: list[str], statute: str) -> None:
    """Whole statutes and beginnings are looked up, the rest scanned; the answer is still
    the first pattern in the list's order that matches, as a scan of them all would say
    (asked twice: the second answer is the one kept)."""
    offense_list = OffenseList.build("list", tuple(patterns))
    expected = next((p for p in patterns if regex_reference(p, statute)), None)
    assert offense_list.matching_pattern(statute) == expected
    assert offense_list.matching_pattern(statute) == expected


def test_contract_examples_of_statute_patterns() -> None:
    assert matches("RCW 9A.36.*", "rcw   9a.36.021")
    assert matches("PC 245(a)(1)", "pc 245(A)(1)")
    assert not matches("PC 245(a)(1)", "PC 245(a)(1)(b)")  # no '*': the whole statute
    assert matches("*", "")
    assert matches("**", "anything")
    assert not matches("a*a", "a")  # the two pieces may not overlap
    assert matches("Straße*", "STRASSE 1")  # case folded as the contract's "ignores case"


@pytest.mark.parametrize("length", [800, 5_000, 200_000])
def test_a_pathological_pattern_costs_time_linear_in_the_statute(length: int) -> None:
    """``*a*a*a*b`` against a run of a's: the regular expression took 13.8 s at 800
    characters and over 20 s at 5,000 (issue 14); the leftmost-piece matcher answers at
    once at any length (a regression to backtracking would never finish here)."""
    pattern = StatutePattern.build("*a*a*a*b")
    assert not pattern.matches_normalized("a" * length)
    assert pattern.matches_normalized("a" * length + "b")
    many = StatutePattern.build("*" + "a*" * 40 + "b")
    assert not many.matches_normalized("a" * length)


# -- the name's words and pairs: linear in the name -----------------------------------------


@pytest.mark.parametrize("words", [1, 2, 5, PAIRED_WORDS, PAIRED_WORDS + 1, 30, 3_000])
def test_word_pairs_grow_linearly_with_the_name(words: int) -> None:
    index = name_index(" ".join(f"w{n}" for n in range(words)))
    assert len(index.tokens) == words
    assert len(index.pairs) <= (PAIRED_WORDS - 1) * words
    if words <= PAIRED_WORDS:  # every ordered pair, for the fastest two-word search
        assert len(index.pairs) == words * (words - 1)
    else:  # one row per word, marked as a long name
        assert index.pairs == tuple((t, LONG_NAME) for t in index.tokens)


def test_a_name_of_3000_words_is_refused_by_check_and_record(tmp_path: Path, run_cli) -> None:
    """Recorded before issue 14: 144 s, 5.4 GB of memory and +960 MB of database."""
    home = cli_home(run_cli, tmp_path)
    name = " ".join(f"w{n}" for n in range(3_000))
    request = tmp_path / "long.json"
    request.write_text(request_json(**{"subject.name": name}), encoding="utf-8")
    checked = run_cli("check", "--policy", str(home / "policy.toml"), str(request))
    assert checked.code == 2 and "subject.name" in checked.err and checked.out == ""
    assert "at most 300 are accepted" in checked.err
    before = evidence_counts(home)
    recorded = as_user(run_cli, home, "record", str(request))
    assert recorded.code == 2 and "Nothing was recorded." in recorded.err
    assert "Traceback" not in recorded.err and len(recorded.err) < 1_000
    assert evidence_counts(home) == before


def test_at_most_30_name_words(tmp_path: Path) -> None:
    thirty = " ".join(f"w{n}" for n in range(30))
    parse_request(request_json(**{"subject.name": thirty}).encode(), "r.json")
    with pytest.raises(InvalidInput, match="has 31 words; at most 30 are accepted"):
        parse_request(request_json(**{"subject.name": thirty + " w30"}).encode(), "r.json")


# -- a request's lengths and counts ------------------------------------------------------------


def _entry(n: int) -> dict[str, object]:
    return {"class": "felony", "status": "convicted", "date": "2020-01-01", "statute": f"S {n}"}


@pytest.mark.parametrize(
    ("changes", "key", "words"),
    [
        ({"subject.booking_number": "B" * 101}, "subject.booking_number", "at most 100"),
        ({"subject.fbi_number": "F" * 101}, "subject.fbi_number", "at most 100"),
        ({"detainer.officer": "x" * 1_001}, "detainer.officer", "at most 1,000"),
        ({"history": [_entry(n) for n in range(501)]}, "history", "at most 500"),
        ({"documents": [{"kind": "I-200"}] * 101}, "documents", "at most 100"),
        ({"flags": ["watch_list"] * 51}, "flags", "at most 50"),
        ({"history": [{**_entry(1), "statute": "S" * 201}]}, "history[0].statute", "at most 200"),
    ],
)
def test_each_list_and_text_of_a_request_is_bounded(changes, key, words) -> None:
    with pytest.raises(InvalidInput) as refused:
        parse_request(request_json(**changes).encode(), "r.json")
    assert [p.key for p in refused.value.problems] == [key]
    assert words in str(refused.value)


def test_everything_at_its_limit_is_accepted() -> None:
    document = copy.deepcopy(BASE_REQUEST)
    document["subject"].update(name="N" * 300, booking_number="B" * 100, fbi_number="F" * 100)
    document["history"] = [
        {**_entry(n), "offense": "o" * 1_000, "statute": "S" * 200} for n in range(500)
    ]
    document["documents"] = document["documents"] * 50
    document["flags"] = ["watch_list"] * 50
    request = parse_request(json.dumps(document).encode(), "r.json")
    assert len(request.history) == 500 and len(request.documents) == 100


def test_a_request_file_over_one_megabyte_is_refused_by_its_size() -> None:
    padded = request_json(**{"subject.fbi_number": " " * limits.REQUEST_FILE_BYTES})
    with pytest.raises(InvalidInput, match="a request file may be at most 1 MB"):
        parse_request(padded.encode(), "r.json")


def test_stored_requests_are_read_again_without_the_limits() -> None:
    """A request kept before the limits (or under other ones) stays readable, amendable and
    exportable: the evidence is never refused."""
    document = json.loads(request_json(history=[_entry(n) for n in range(600)]))
    with pytest.raises(InvalidInput):
        request_from_mapping(document, "r.json")
    assert len(request_from_mapping(document, "decision 1", bounded=False).history) == 600


# -- a policy's numbers, lengths and counts ----------------------------------------------------


def _policy(hold: str = "", extra: str = "") -> bytes:
    return (
        JUDICIAL_WARRANT_POLICY.decode().replace("max_hours = 48\n", hold) + "\n" + extra
    ).encode()


@pytest.mark.parametrize("hours", ["1e8", "721", "720.5", "inf", "nan", "0", "-1"])
def test_max_hours_is_bounded_in_plain_words(hours: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        parse_policy(_policy(f"max_hours = {hours}\n"), "p.toml")
    message = str(refused.value)
    assert "hold.max_hours" in message and "at most 720" in message
    assert "8 CFR 287.7(d)" in message


def test_the_longest_hold_with_weekends_and_holidays_is_computed_in_bounded_steps() -> None:
    """720 hours counted only on working days, U.S. federal holidays excluded: about six
    calendar weeks, computed one day at a time (1e8 hours took 19 s to fail before)."""
    policy = parse_policy(
        _policy(
            'max_hours = 720\nexclude_weekends = true\nexclude_holidays = true\nholidays = "US"\n'
        ),
        "p.toml",
    )
    start = dt_utc(2026, 12, 1)
    end = hold_until(start, policy.hold_window, policy.zone)
    assert 40 < (end - start).days < 50


def dt_utc(*parts: Any):
    import datetime as dt

    return dt.datetime(*parts).replace(tzinfo=dt.UTC)


def test_a_window_that_never_ends_is_refused_not_computed_for_ever() -> None:
    """A rule no parsed policy can give (every day excluded for 60 years): the hold window
    stops after a bounded number of days with a plain error instead of looping."""
    import datetime as dt

    every_day = frozenset(dt.date(2025, 12, 1) + dt.timedelta(days=n) for n in range(22_000))
    rule = HoldWindowRule(max_hours=1, exclude_holidays=True, holiday_dates=every_day)
    with pytest.raises(HoldWindowTooLong, match="does not end within 20,000 days"):
        hold_until(dt_utc(2026, 1, 1), rule, parse_policy(JUDICIAL_WARRANT_POLICY, "p").zone)


def test_two_thousand_listed_holidays_still_end_the_window() -> None:
    import datetime as dt

    weekdays = [
        dt.date(2026, 1, 1) + dt.timedelta(days=n)
        for n in range(3_000)
        if (dt.date(2026, 1, 1) + dt.timedelta(days=n)).weekday() < 5
    ][:2_000]
    listed = ", ".join(d.isoformat() for d in weekdays)
    policy = parse_policy(
        _policy(
            "max_hours = 48\nexclude_weekends = true\nexclude_holidays = true\n"
            f"holidays = [{listed}]\n"
        ),
        "p.toml",
    )
    end = hold_until(dt_utc(2026, 1, 1, 18), policy.hold_window, policy.zone)
    assert end.date() > weekdays[-1]
    with pytest.raises(InvalidInput, match="lists 2,001 dates; at most 2,000"):
        parse_policy(_policy(f"holidays = [{listed}, 2040-01-02]\n"), "p.toml")


@pytest.mark.parametrize(
    ("extra", "words"),
    [
        ("[offense_lists]\nbig = [" + ", ".join(['"S *"'] * 5_001) + "]\n", "5,001 statute"),
        ('[offense_lists]\nlong = ["' + "S" * 201 + '"]\n', "at most 200"),
        (
            "[offense_lists]\n" + "".join(f'l{n} = ["S"]\n' for n in range(501)),
            "501 offense lists",
        ),
        ("[transfer]\nwhen = [" + ", ".join(["{ always = true }"] * 501) + "]\n", "501 clauses"),
        (
            '[offense_lists]\nstars = ["*a*b*c*d*e*f"]\n',
            "has 6 '*'; a statute pattern may have at most 5",
        ),
        (
            "[offense_lists]\nmiddle = [" + ", ".join(['"RCW *.021"'] * 501) + "]\n",
            "501 patterns with a '*' elsewhere than at the end",
        ),
    ],
)
def test_each_count_and_length_of_a_policy_is_bounded(extra: str, words: str) -> None:
    text = (
        _policy("max_hours = 48\n")
        .decode()
        .replace("[transfer]\nwhen = [ { judicial_warrant = true } ]\n", "")
    )
    with pytest.raises(InvalidInput, match=re.escape(words)):
        parse_policy((text + extra).encode(), "p.toml")


def test_a_policy_file_over_one_megabyte_is_refused_by_its_size() -> None:
    padded = JUDICIAL_WARRANT_POLICY + b"#" * limits.POLICY_FILE_BYTES
    with pytest.raises(InvalidInput, match="a policy file may be at most 1 MB"):
        parse_policy(padded, "p.toml")


def test_a_policy_over_the_limits_is_not_activated(tmp_path: Path, run_cli) -> None:
    home = cli_home(run_cli, tmp_path)
    huge = tmp_path / "huge.toml"
    huge.write_bytes(_policy('max_hours = 1e8\nexclude_holidays = true\nholidays = "US"\n'))
    refused = as_user(run_cli, home, "policy", "activate", str(huge), user="chief")
    assert refused.code == 2 and "hold.max_hours" in refused.err
    history = as_user(run_cli, home, "policy", "history", user="chief")
    assert history.out.count("by chief") == 1  # only the first policy was ever activated
    recorded = as_user(run_cli, home, "record", str(_write(tmp_path, request_json())))
    assert recorded.code == 0, recorded.err  # and recording still works


def _write(folder: Path, text: str, name: str = "r.json") -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


# -- files read within a bound -----------------------------------------------------------------


def test_a_device_is_refused_before_it_is_read() -> None:
    for device in ("/dev/zero", "/dev/urandom"):
        if os.path.exists(device):
            with pytest.raises(FileRefused, match="a device or another special file"):
                read_limited(device, 1 << 20, "policy")


def test_a_folder_and_a_missing_file_are_refused(tmp_path: Path) -> None:
    with pytest.raises(FileRefused, match="is a folder, not a policy file"):
        read_limited(tmp_path, 1 << 20, "policy")
    with pytest.raises(FileRefused, match="does not exist"):
        read_limited(tmp_path / "none.toml", 1 << 20, "policy")


def test_a_large_file_is_refused_by_its_size_unread(tmp_path: Path) -> None:
    sparse = tmp_path / "sparse.toml"
    with sparse.open("wb") as handle:
        handle.truncate(5 << 30)  # 5 GB that take no room
    with pytest.raises(FileRefused, match="is 5,368,709,120 bytes; a policy file may be"):
        read_limited(sparse, 1 << 20, "policy")


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are POSIX")
def test_a_pipe_is_read_up_to_the_limit(tmp_path: Path) -> None:
    import contextlib

    fifo = tmp_path / "pipe.json"
    os.mkfifo(fifo)
    assert read_limited(fifo, 1 << 20, "request") == b""  # nobody writes: no hang

    # A writer that would send 4 MB, more than the limit. (A reader end is held open first,
    # so that the writer's open does not wait for read_limited's.)
    holder = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)
    opened = threading.Event()

    def flood() -> None:
        with fifo.open("wb") as handle, contextlib.suppress(BrokenPipeError):
            opened.set()
            for _ in range(64):
                handle.write(b"x" * 65_536)

    writer = threading.Thread(target=flood)
    writer.start()
    try:
        assert opened.wait(30)
        with pytest.raises(FileRefused, match="holds more than 1 MB"):
            read_limited(fifo, 1 << 20, "request")
    finally:
        os.close(holder)
        writer.join()


def test_check_refuses_dev_zero_as_a_policy_in_plain_words(tmp_path: Path, run_cli) -> None:
    """Read 4.5 GB in 7 s before issue 14."""
    request = _write(tmp_path, request_json())
    result = run_cli("check", "--policy", "/dev/zero", str(request))
    assert result.code == 2 and result.out == ""
    assert result.err == "/dev/zero: is a device or another special file, not a policy file\n"


def test_verify_refuses_dev_urandom_as_a_checkpoint(tmp_path: Path, run_cli) -> None:
    """Gave no answer in 120 s before issue 14."""
    result = run_cli("--data-dir", str(tmp_path / "data"), "verify", "--checkpoint", "/dev/urandom")
    assert result.code == 2
    assert "/dev/urandom: is a device or another special file, not a checkpoint file" in result.err


# -- bad values quoted shortened -------------------------------------------------------------


def test_a_huge_bad_value_is_quoted_shortened(tmp_path: Path, run_cli) -> None:
    """An 11.5 MB value was echoed whole on standard error before issue 14."""
    home_policy = _write(tmp_path, JUDICIAL_WARRANT_POLICY.decode(), "p.toml")
    for changes in (
        {"subject.a_number": "A" * 900_000},
        {"detainer.form": "I" * 900_000},
        {"received_at": "2" * 900_000},
        {"schema": "s" * 900_000},
    ):
        result = run_cli(
            "check", "--policy", str(home_policy), str(_write(tmp_path, request_json(**changes)))
        )
        assert result.code == 2 and "Traceback" not in result.err
        assert len(result.err) < 1_000, result.err[:300]
        assert "(900,000 characters)" in result.err or "at most" in result.err


def test_sixty_thousand_problems_are_summed_up(tmp_path: Path, run_cli) -> None:
    document = json.loads(request_json())
    document["subject"].update({f"k{n}": 1 for n in range(60_000)})  # 0.8 MB
    policy = _write(tmp_path, JUDICIAL_WARRANT_POLICY.decode(), "p.toml")
    result = run_cli("check", "--policy", str(policy), str(_write(tmp_path, json.dumps(document))))
    assert result.code == 2
    lines = result.err.splitlines()
    assert len(lines) == 51 and lines[-1] == "... and 59,950 more problems of the same input"


def test_a_huge_invalid_choice_on_the_command_line_is_shortened(tmp_path: Path, run_cli) -> None:
    result = run_cli("--data-dir", str(tmp_path), "log", "--outcome", "x" * 100_000)
    assert result.code == 2 and "invalid choice" in result.err
    assert len(result.err) < 1_500


def test_a_huge_number_is_described_not_written_out(tmp_path: Path, run_cli) -> None:
    """Python refuses to write an integer of more than 4,300 digits as text: a message
    quoting one must not fail."""
    policy = _policy("max_hours = " + "9" * 4_000 + "\n")
    with pytest.raises(InvalidInput, match="not a number of 4,000 digits"):
        parse_policy(policy, "p.toml")


@pytest.mark.parametrize("digits", ["9" * 5_000, "-" + "9" * 5_000])
def test_a_number_too_long_to_read_is_refused_in_plain_words(digits: str) -> None:
    """tomllib itself fails (ValueError) on an integer of more than 4,300 digits."""
    with pytest.raises(InvalidInput, match="a number thousands of digits long"):
        parse_policy(_policy(f"max_hours = {digits}\n"), "p.toml")


def test_the_window_refuses_a_device_as_a_policy_file() -> None:
    """Admin › Policy › "Open a policy file…" read /dev/zero without end (its size is 0)."""
    from detainer_desk.gui.policy_choice import PolicyFileProblem, read_policy_file

    with pytest.raises(PolicyFileProblem) as refused:
        read_policy_file("/dev/zero")
    assert refused.value.lines == ["Is a device or another special file, not a policy file."]
