"""Fuzzing the command line with random and mutated request and policy files (issue 14).

Valid files are mutated (a value replaced by anything JSON or TOML can hold, a key removed
or added, a list made long, bytes flipped, cut or inserted) and fed to the real commands in
this process: ``check`` (request and policy), ``policy activate`` and ``record``. Whatever
the input: exit 0 or 2, never an unexpected error or a traceback, nothing on standard output
with a refusal, and nothing stored when refused.

Bounded in time in the default run (a few hundred examples); more with
``DETAINER_DESK_FUZZ_EXAMPLES=N`` (the number for ``check``; activation and recording get a
fifth of it, as each signs in with a real password hash).
"""

from __future__ import annotations

import copy
import io
import json
import math
import os
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from detainer_desk import presets
from detainer_desk.cli import main

from .helpers import BASE_REQUEST, JUDICIAL_WARRANT_POLICY, as_user, cli_home, evidence_counts

EXAMPLES = int(os.environ.get("DETAINER_DESK_FUZZ_EXAMPLES", "200"))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
STORE_FUZZ = settings(FUZZ, max_examples=max(20, EXAMPLES // 5))

REQUESTS: list[dict[str, Any]] = [
    BASE_REQUEST,
    {
        **BASE_REQUEST,
        "subject": {**BASE_REQUEST["subject"], "citizenship_claim": True, "fbi_number": "1A"},
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
                "date": "2026-02-01",
                "probable_cause_found": True,
            },
        ],
        "flags": ["watch_list"],
        "release_eligible_at": "2026-02-11T15:00:00-08:00",
    },
]
POLICIES = [
    JUDICIAL_WARRANT_POLICY,
    presets.preset_bytes("california-sb54"),
    presets.preset_bytes("48-hour-cap-excluding-weekends-holidays"),
    presets.preset_bytes("new-york-city"),
]

ODD_TEXT = st.sampled_from(
    [
        "",
        " ",
        "\x00",
        "\ud800",
        "x\udfff",
        "\x1b[2J\nforged",
        "\u202eevil",
        "\x9b",
        "N" * 301,
        "9" * 40,
        "A12345678",
        "2026-02-30",
        "2026-02-10T25:00",
        "0001-01-01T00:00:00+01:00",
        "9999-12-31T23:59:59-12:00",
        "2026-02-10T08:30:00Z",
        "I-247G",
        "I-247A",
        "hold",
        "notify",
        "judicial_warrant",
        "judge",
        "felony",
        "convicted",
        "pending",
        "*a*a*a*b",
        "RCW *",
        "US",
        "America/Los_Angeles",
        "localtime",
        "w " * 40,
    ]
)
TEXT = st.one_of(ODD_TEXT, st.text(max_size=30), st.text(alphabet="*a b.9", max_size=60))
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**25), 10**25),
    st.floats(allow_nan=True, allow_infinity=True),
    TEXT,
)
JSON_VALUES = st.recursive(
    SCALARS,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(TEXT, children, max_size=4),
    max_leaves=8,
)


def _paths(document: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every place in the document a mutation can touch (the whole document included)."""
    found = [prefix]
    if isinstance(document, dict):
        for key, value in document.items():
            found += _paths(value, (*prefix, key))
    elif isinstance(document, list):
        for index, value in enumerate(document):
            found += _paths(value, (*prefix, index))
    return found


def _mutated_document(data: st.DataObject) -> Any:
    document = copy.deepcopy(data.draw(st.sampled_from(REQUESTS)))
    for _ in range(data.draw(st.integers(0, 4))):
        path = data.draw(st.sampled_from(_paths(document)))
        action = data.draw(st.sampled_from(["set", "set", "delete", "add", "grow"]))
        if not path:
            if action == "set":
                document = data.draw(JSON_VALUES)
            continue
        *parent_path, last = path
        parent: Any = document
        for step in parent_path:
            parent = parent[step]
        if action == "set":
            parent[last] = data.draw(JSON_VALUES)
        elif action == "delete":
            del parent[last]
        elif action == "add" and isinstance(parent[last], dict):
            parent[last][data.draw(TEXT)] = data.draw(JSON_VALUES)
        elif action == "grow":
            parent[last] = [parent[last]] * data.draw(st.sampled_from([2, 51, 101, 501, 2_000]))
    return document


def _bytes_mutated(data: st.DataObject, raw: bytes) -> bytes:
    for _ in range(data.draw(st.integers(0, 2))):
        if not raw:
            break
        at = data.draw(st.integers(0, len(raw) - 1))
        action = data.draw(st.sampled_from(["flip", "cut", "insert"]))
        if action == "flip":
            raw = raw[:at] + bytes([raw[at] ^ data.draw(st.integers(1, 255))]) + raw[at + 1 :]
        elif action == "cut":
            raw = raw[:at]
        else:
            raw = raw[:at] + data.draw(st.binary(min_size=1, max_size=8)) + raw[at:]
    return raw


def request_bytes(data: st.DataObject) -> bytes:
    document = _mutated_document(data)
    try:
        text = json.dumps(document, ensure_ascii=data.draw(st.booleans()))
        raw = text.encode("utf-8", "surrogatepass")
    except (ValueError, TypeError):
        raw = b"{}"
    return _bytes_mutated(data, raw) if data.draw(st.booleans()) else raw


def _toml_value(value: Any) -> str:
    if value is None:
        return '""'
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value)  # a TOML basic string (JSON escapes are TOML's too)
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(item) for item in value) + "]"
    return "{ " + ", ".join(f"{json.dumps(k)} = {_toml_value(v)}" for k, v in value.items()) + " }"


POLICY_KEYS = st.sampled_from(
    [
        "max_hours", "holidays", "exclude_weekends", "exclude_holidays", "end_of_release_day",
        "when", "unless", "triggers", "timezone", "name", "citation", "schema", "effective_from",
        "serious_violent", "notes", "caution", "jurisdiction", "unknown_key",
    ]
)  # fmt: skip
CRITERIA = st.sampled_from(
    [
        "{ always = true }",
        "{ judicial_warrant = true }",
        '{ judicial_warrant = "federal" }',
        "{ admin_warrant = true }",
        '{ removal_order = ["judge"] }',
        '{ conviction = { class = "felony", within_years = 10 } }',
        '{ charge = { list = "nothing_defined", probable_cause_found = true } }',
        "{ age_under = 18 }",
        "{ age_under = 3000 }",
        '{ flag = "watch_list" }',
        "{ }",
    ]
)


def policy_bytes(data: st.DataObject) -> bytes:
    lines = data.draw(st.sampled_from(POLICIES)).decode("utf-8").split("\n")
    for _ in range(data.draw(st.integers(0, 4))):
        at = data.draw(st.integers(0, len(lines) - 1))
        action = data.draw(st.sampled_from(["value", "value", "criteria", "delete", "insert"]))
        if action == "value":
            lines[at] = f"{data.draw(POLICY_KEYS)} = {_toml_value(data.draw(JSON_VALUES))}"
        elif action == "criteria":
            lines[at] = (
                f"{data.draw(st.sampled_from(['when', 'unless']))} = [ {data.draw(CRITERIA)} ]"
            )
        elif action == "delete":
            del lines[at]
        else:
            section = data.draw(st.sampled_from(["[hold]", "[offense_lists]", "[review]", "[x]"]))
            lines.insert(at, section)
        if not lines:
            lines = [""]
    raw = "\n".join(lines).encode("utf-8", "surrogatepass")
    return _bytes_mutated(data, raw) if data.draw(st.booleans()) else raw


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("fuzz")


def _assert_plain(code: int, out: str, err: str) -> None:
    assert code in (0, 2), (code, err[-2_000:])
    assert "Unexpected error" not in err and "Traceback" not in err, err[-2_000:]
    if code == 2:
        assert err.strip() and out == "", (out[:500], err[:500])
    assert len(err) < 20_000  # problems are listed shortened, at most 50 of them


def _run(*args: str, stdin: str = "") -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(args), out=out, err=err, stdin=io.StringIO(stdin))
    return code, out.getvalue(), err.getvalue()


@FUZZ
@given(data=st.data())
def test_check_decides_or_refuses_in_plain_words(folder: Path, data: st.DataObject) -> None:
    policy, request = folder / "policy.toml", folder / "request.json"
    policy.write_bytes(policy_bytes(data) if data.draw(st.booleans()) else POLICIES[0])
    request.write_bytes(request_bytes(data))
    at = data.draw(st.one_of(st.none(), TEXT))
    args = ["check", "--policy", str(policy), str(request), "--json"]
    if at is not None and "\x00" not in at and not any("\ud800" <= c <= "\udfff" for c in at):
        args += ["--at", at]
    code, out, err = _run(*args)
    _assert_plain(code, out, err)
    if code == 0:
        decision = json.loads(out)
        assert decision["outcome"] in ("hold", "transfer", "notify", "decline", "review")


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from .conftest import CliResult

    def run_cli(*args: str, stdin: str = "") -> CliResult:
        return CliResult(*_run(*args, stdin=stdin))

    return cli_home(run_cli, tmp_path_factory.mktemp("fuzz-store"))


def _as(home: Path, *args: str, user: str = "officer.a") -> tuple[int, str, str]:
    from .conftest import CliResult

    def run_cli(*args: str, stdin: str = "") -> CliResult:
        return CliResult(*_run(*args, stdin=stdin))

    result = as_user(run_cli, home, *args, user=user)
    return result.code, result.out, result.err


def _policy_counts(home: Path) -> tuple[int, int]:
    import sqlite3

    conn = sqlite3.connect(home / "data" / "detainer-desk.sqlite3")
    try:
        return (
            conn.execute("SELECT count(*) FROM policy_versions").fetchone()[0],
            conn.execute("SELECT count(*) FROM policy_activations").fetchone()[0],
        )
    finally:
        conn.close()


@STORE_FUZZ
@given(data=st.data())
def test_activate_and_record_store_all_or_nothing(store: Path, data: st.DataObject) -> None:
    policy, request = store / "fuzz-policy.toml", store / "fuzz-request.json"
    if data.draw(st.booleans()):
        policy.write_bytes(policy_bytes(data))
        before = _policy_counts(store)
        code, out, err = _as(store, "policy", "activate", str(policy), user="chief")
        _assert_plain(code, out, err)
        if code == 2:
            assert _policy_counts(store) == before
    request.write_bytes(request_bytes(data))
    before_records = evidence_counts(store)
    code, out, err = _as(store, "record", str(request), "--json")
    _assert_plain(code, out, err)
    after = evidence_counts(store)
    if code == 2:
        assert after == before_records
    else:
        assert after[:2] == (before_records[0] + 1, before_records[1] + 1)
        assert json.loads(out)["decision_id"] == after[1]
