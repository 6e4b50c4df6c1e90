"""The name search's plans find the same decisions in the same order: the newest matches
read off the (word[, other word], received time) indexes, and the general plan (every match gathered, or
the received-time index walked), for one to three words, prefixes short and long, names
whose words share a prefix, equal received times, both directions, keyset pages, periods
and the booking and A-number matches beside them; on both databases (three and more words:
a pair walked and the rest checked; a word that starts another word adds nothing). Names of
more than 12 words (one row per word, not every pair) and names and searches with accents
and capitals, folded both ways, are among them."""

from __future__ import annotations

import dataclasses
import datetime as dt
import random
from typing import Any

import pytest
from sqlalchemy import func, select

from detainer_desk.adapters.db import search as search_planner
from detainer_desk.adapters.db.schema import name_pairs, requests
from detainer_desk.domain.names import name_index
from detainer_desk.services.ports import Actor, DecisionQuery
from detainer_desk.services.records import activate_policy, record_decision

from .helpers import JUDICIAL_WARRANT_POLICY, request_json, seed_accounts

NOW = dt.datetime(2026, 2, 10, 17, 0, tzinfo=dt.UTC)
SURNAMES = [
    "NGUYEN",
    "NGUYEN-LE",
    "GARCIA",
    "GARCÍA",
    "MIN",
    "MINH",
    "SMITH",
    "SMYTHE",
    "LE",
    "RODRÍGUEZ",
    "Rodriguez",
]
GIVEN = ["Minh", "Min-Jun", "Maria", "Mar", "John", "Le", "Nguyen", "Ana Maria", "José", "JOSE"]
# Names of more than 12 different words: kept as one row per word, not every pair.
LONG_NAMES = [
    "GARCÍA LÓPEZ DE LA VEGA Y MARTÍNEZ, María José Ana Luisa Carmen Rosa Isabel",
    "NGUYEN THI MINH KHAI TRAN LE VAN HOA PHAM DUC ANH BAO CHAU LONG, Min",
    "SMITH JONES BROWN TAYLOR WILSON DAVIES EVANS THOMAS JOHNSON ROBERTS WALKER WRIGHT, Le",
]
SEARCHES = [
    "nguyen",
    "ngu",
    "n",
    "garcia",
    "garcí",
    "min",
    "minh",
    "m",
    "smith",
    "sm",
    "nguyen min",
    "min nguyen",
    "le",
    "le le",
    "mar ana",
    "garcia maria",
    "min min",
    "nguyen le minh",
    "garcia ana maria",
    "m j n",
    "minh min nguyen",
    "nobody",
    "nguyen nobody",
    "B7",
    "A000000007",
    "s j",
    "NGUYEN, Minh",
    "rodríguez",
    "rodriguez",
    "RODRIGUEZ",
    "rodri jose",
    "josé garcía",
    "JOSÉ",
    "vega isabel",
    "isabel vega",
    "martinez rosa luisa",
    "lopez min",
    "khai long",
    "wright le",
    "taylor walker jones",
    "maria vega",
]


@pytest.fixture
def store(db_runtime):
    seed_accounts(db_runtime.uow(), NOW)
    activate_policy(db_runtime.uow(), JUDICIAL_WARRANT_POLICY, "p.toml", Actor("admin", "W"), NOW)
    rng = random.Random(7)
    for n in range(66):
        name = (
            LONG_NAMES[n % len(LONG_NAMES)]
            if n >= 60
            else f"{rng.choice(SURNAMES)}, {rng.choice(GIVEN)}"
        )
        day, hour = 1 + rng.randrange(5), rng.choice([8, 8, 9, 13])  # many equal times
        record_decision(
            db_runtime.uow(),
            request_json(
                **{
                    "subject.name": name,
                    "subject.booking_number": f"B{n}",
                    "subject.a_number": f"{n:09d}" if n % 3 else None,
                    "received_at": f"2026-02-{day:02d}T{hour:02d}:00:00-08:00",
                }
            ),
            "r.json",
            [],
            Actor("officer.a", "W"),
            NOW,
        )
    return db_runtime


def _log(store, query: DecisionQuery) -> list[int]:
    """Every decision of the log, page after page of three."""
    seen, after = [], None
    while True:
        with store.uow() as uow:
            rows = uow.records.log_page(dataclasses.replace(query, limit=3, after=after))
        seen += [row.decision_id for row in rows]
        if len(rows) < 3:
            return seen
        after = (rows[-1].sort_value, rows[-1].request_id)


def _find(store, query: DecisionQuery) -> list[int]:
    seen, after = [], None
    while True:
        with store.uow() as uow:
            items = uow.records.find_decisions(dataclasses.replace(query, limit=4, after=after))
        seen += [item.decision_id for item in items]
        if len(items) < 4:
            return seen
        after = (items[-1].sort_value, items[-1].request_id)


def _general(monkeypatch):
    """Turn the index plan off: every search word 'starts too many name words'."""
    monkeypatch.setattr(search_planner, "NAME_WORDS_PER_SEARCH_WORD", -1)


@pytest.mark.parametrize("descending", [True, False])
def test_the_log_finds_the_same_in_the_same_order(store, monkeypatch, descending) -> None:
    period: dict[str, Any] = dict(
        received_from=dt.datetime(2026, 2, 2, tzinfo=dt.UTC),
        received_to=dt.datetime(2026, 2, 4, 20, tzinfo=dt.UTC),
    )
    queries = [DecisionQuery(search=s, descending=descending) for s in SEARCHES] + [
        DecisionQuery(search=s, descending=descending, **period)
        for s in ("nguyen", "min nguyen", "m")
    ]
    fast = [_log(store, q) for q in queries]
    _general(monkeypatch)
    general = [_log(store, q) for q in queries]
    assert fast == general
    assert sum(map(len, fast)) > 100  # the searches found things


def test_find_decisions_finds_the_same_in_the_same_order(store, monkeypatch) -> None:
    queries = [DecisionQuery(search=s) for s in SEARCHES] + [
        DecisionQuery(search="garcia", received_from=dt.datetime(2026, 2, 3, tzinfo=dt.UTC))
    ]
    fast = [_find(store, q) for q in queries]
    _general(monkeypatch)
    assert fast == [_find(store, q) for q in queries]


def test_the_index_plan_is_the_one_used(store) -> None:
    """(Otherwise the comparison above would compare the general plan with itself.)"""
    with store.uow() as uow:
        assert (
            uow.records.plan.newest_name_matches(
                ["nguyen", "min"],
                descending=True,
                after=None,
                received_from=None,
                received_to=None,
                limit=5,
            )
            is not None
        )
        assert uow.records.plan._name_words_starting("ngu", 17) == ["nguyen", "nguyen-le"]
        assert uow.records.plan._name_words_starting("rodr", 17) == ["rodriguez"]  # folded


def test_long_names_are_found_by_any_two_of_their_words(store) -> None:
    """A long name keeps no pairs, yet the pair plan finds it, as the general one does."""
    long_requests = select(requests.c.id).where(requests.c.subject_name.in_(LONG_NAMES))
    with store.engine.connect() as conn:
        rows = conn.execute(
            select(name_pairs.c.other, func.count())
            .where(name_pairs.c.request_id.in_(long_requests))
            .group_by(name_pairs.c.other)
        ).all()
    words = 2 * sum(len(name_index(name).tokens) for name in LONG_NAMES)  # each recorded twice
    assert rows == [("", words)]  # one row per different word, no pairs
    with store.uow() as uow:
        found = uow.records.find_decisions(DecisionQuery(search="isabel vega", limit=50))
    assert {item.subject_name for item in found} == {LONG_NAMES[0]}


@pytest.mark.parametrize("search", ["rodríguez", "RODRIGUEZ", "Rodriguez", "rodri"])
def test_accents_and_capitals_are_folded_both_ways(store, search) -> None:
    """Issue 16: "rodríguez" found nothing where "rodriguez" found 43, and the reverse."""
    with store.uow() as uow:
        found = uow.records.find_decisions(DecisionQuery(search=search, limit=100))
        everyone = uow.records.find_decisions(DecisionQuery(limit=100))
    expected = {i.decision_id for i in everyone if i.subject_name.casefold().startswith("rodr")}
    assert {i.decision_id for i in found} == expected
    assert {i.subject_name.split(",")[0] for i in found} == {"RODRÍGUEZ", "Rodriguez"}


def test_log_and_export_searches_fold_both_ways_from_the_command_line(tmp_path, run_cli) -> None:
    import csv
    import io

    from .helpers import as_user, cli_home

    home = cli_home(run_cli, tmp_path)
    for n, name in enumerate(("RODRÍGUEZ, Ana", "Rodriguez, Luis", "ROSS, Ann")):
        request = tmp_path / f"r{n}.json"
        request.write_text(
            request_json(**{"subject.name": name, "subject.booking_number": f"B{n}"})
        )
        assert as_user(run_cli, home, "record", str(request)).code == 0
    for search in ("rodríguez", "RODRIGUEZ"):
        listed = as_user(run_cli, home, "log", "--search", search, "--json", user="counsel.c")
        assert listed.code == 0, listed.err
        assert len(listed.out.splitlines()) == 2
        target = tmp_path / f"{search}.csv"
        exported = as_user(
            run_cli, home, "export", "--csv-only", "-o", str(target), "--search", search,
            "--recipient", "court", user="counsel.c",
        )  # fmt: skip
        assert exported.code == 0, exported.err
        rows = list(csv.reader(io.StringIO(target.read_text(encoding="utf-8"), newline="")))
        assert sorted(row[5] for row in rows[1:]) == ["RODRÍGUEZ, Ana", "Rodriguez, Luis"]
