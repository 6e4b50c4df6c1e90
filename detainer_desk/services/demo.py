"""Synthetic, realistic requests and decisions for trials and benchmarks, recorded through
the real use cases (``detainer-desk demo --decisions N``). Every name is made up."""

from __future__ import annotations

import datetime as dt
import json
import random
from collections.abc import Callable, Iterator
from typing import Any

from detainer_desk import presets
from detainer_desk.domain import accounts as acc
from detainer_desk.domain import lifecycle as lc

from .access import RecordError
from .ports import Actor, UnitOfWork
from .records import activate_policy, amend_decision, record_decision

LAST_NAMES = [
    "GARCIA",
    "RODRIGUEZ",
    "MARTINEZ",
    "HERNANDEZ",
    "LOPEZ",
    "GONZALEZ",
    "PEREZ",
    "SANCHEZ",
    "RAMIREZ",
    "TORRES",
    "FLORES",
    "RIVERA",
    "GOMEZ",
    "DIAZ",
    "REYES",
    "MORALES",
    "CRUZ",
    "ORTIZ",
    "GUTIERREZ",
    "CHAVEZ",
    "RAMOS",
    "RUIZ",
    "MENDOZA",
    "CASTILLO",
    "NGUYEN",
    "TRAN",
    "LE",
    "PHAM",
    "KIM",
    "PARK",
    "LEE",
    "SMITH",
    "JOHNSON",
    "WILLIAMS",
    "BROWN",
    "JONES",
    "MILLER",
    "DAVIS",
    "WILSON",
    "ANDERSON",
    "THOMAS",
    "TAYLOR",
    "MOORE",
    "JACKSON",
    "OKAFOR",
    "MENSAH",
    "HAILE",
    "SINGH",
    "PATEL",
    "KHAN",
    "ALI",
    "SANTOS",
    "SILVA",
]
FIRST_NAMES = [
    "Jose",
    "Juan",
    "Luis",
    "Carlos",
    "Miguel",
    "Ana",
    "Maria",
    "Rosa",
    "Lucia",
    "Sofia",
    "Pedro",
    "Jorge",
    "Elena",
    "Carmen",
    "Diego",
    "Daniel",
    "David",
    "Samuel",
    "Grace",
    "Esther",
    "Minh",
    "Thanh",
    "Linh",
    "Hoa",
    "Ji-woo",
    "Min-jun",
    "Seo-yeon",
    "Wei",
    "Li",
    "Chen",
    "John",
    "Michael",
    "Sarah",
    "Emily",
    "Chinedu",
    "Ama",
    "Kofi",
    "Abebe",
    "Tigist",
    "Arjun",
    "Priya",
    "Fatima",
    "Omar",
    "Joao",
    "Tiago",
]
OFFENSES = (
    ("Robbery", "PC 211", "felony"),
    ("Assault with a deadly weapon", "PC 245(a)(1)", "felony"),
    ("Burglary", "PC 459", "felony"),
    ("Domestic battery", "PC 273.5(a)", "wobbler"),
    ("DUI", "VC 23152(a)", "misdemeanor"),
    ("Petty theft", "PC 484", "misdemeanor"),
    ("Driving without a license", "VC 12500", "infraction"),
    ("Possession for sale", "HS 11351", "felony"),
    ("Vandalism", "PC 594", "wobbler"),
)
DEMO_POLICIES = (
    "california-sb54",
    "judicial-warrant-only",
    "48-hour-cap-excluding-weekends-holidays",
)
OFFICERS = ("officer.alvarez", "officer.brooks", "officer.chen", "officer.diallo", "officer.evans")
SUPERVISORS = ("sgt.fischer", "sgt.garza")
WORKSTATIONS = ("INTAKE-1", "INTAKE-2", "BOOKING-3")
ADMIN_NAME = "admin.demo"


def _request(rng: random.Random, number: int, received_at: dt.datetime) -> dict[str, Any]:
    form = rng.choices(("I-247A", "I-247G", "I-247N", "I-247D", "I-247"), (80, 8, 6, 4, 2))[0]
    requested = ["notify"] if form in ("I-247G", "I-247N") else ["notify", "hold"]
    documents: list[dict[str, Any]] = []
    if form == "I-247A" and rng.random() < 0.93:
        documents.append(
            {
                "kind": rng.choice(("I-200", "I-205")),
                "signed": True,
                "signer_role": "immigration_officer",
            }
        )
    if rng.random() < 0.07:
        documents.append(
            {
                "kind": "judicial_warrant",
                "signed": True,
                "signer_role": rng.choice(("judge", "magistrate")),
                "court": "U.S. District Court for the Central District of California",
                "court_system": "federal",
                "names_subject": True,
            }
        )
    history = []
    for _ in range(rng.choices((0, 1, 2, 3), (30, 40, 20, 10))[0]):
        offense, statute, offense_class = rng.choice(OFFENSES)
        status = rng.choice(("convicted", "pending", "dismissed"))
        entry: dict[str, Any] = {
            "offense": offense,
            "statute": statute,
            "class": offense_class,
            "status": status,
            "date": (received_at.date() - dt.timedelta(days=rng.randint(1, 6000))).isoformat(),
        }
        if status == "pending":
            entry["probable_cause_found"] = rng.random() < 0.7
        history.append(entry)
    dob = dt.date(1950, 1, 1) + dt.timedelta(days=rng.randint(0, 365 * 56))
    release = None
    if rng.random() < 0.5:
        release = (received_at + dt.timedelta(hours=rng.randint(2, 24 * 20))).isoformat()
    return {
        "schema": 1,
        "received_at": received_at.isoformat(),
        "subject": {
            "name": f"{rng.choice(LAST_NAMES)}, {rng.choice(FIRST_NAMES)}",
            "dob": dob.isoformat(),
            "booking_number": f"B{received_at.year % 100:02d}-{number:07d}",
            "a_number": f"A{rng.randint(10_000_000, 299_999_999):09d}",
            "citizenship_claim": rng.random() < 0.02,
        },
        "detainer": {
            "form": form,
            "issued_at": (received_at - dt.timedelta(minutes=rng.randint(10, 600))).isoformat(),
            "issuing_office": rng.choice(
                ("ICE ERO Los Angeles", "ICE ERO San Francisco", "ICE ERO San Diego")
            ),
            "officer": "SDDO " + rng.choice(LAST_NAMES),
            "requested": requested,
            "probable_cause_basis": rng.sample(
                ("final_order", "removal_proceedings", "biometric_match", "statements"),
                rng.randint(1, 2),
            ),
        },
        "documents": documents,
        "history": history,
        "release_eligible_at": release,
    }


DEMO_PASSWORD = "demo passphrase for trials"


class DemoRefused(RecordError):
    pass


def create_demo_accounts(uow: UnitOfWork, password_hash: str, now: dt.datetime) -> None:
    """The demo's made-up staff, all with DEMO_PASSWORD; only on a store without accounts."""
    with uow:
        if uow.accounts.count_users() > 0:
            raise DemoRefused(
                "demo data goes only into a new, empty store (this one has accounts): "
                "use --data-dir with a new folder"
            )
        staff = [(ADMIN_NAME, frozenset({acc.ADMIN}))]
        staff += [(name, frozenset({acc.OFFICER})) for name in OFFICERS]
        staff += [(name, frozenset({acc.SUPERVISOR})) for name in SUPERVISORS]
        staff += [("counsel.demo", frozenset({acc.COUNSEL}))]
        for name, roles in staff:
            uow.accounts.add_user(name, name, password_hash, roles, now)
        uow.commit()


def fill_demo(
    uow_factory: Callable[[], UnitOfWork], count: int, seed: int = 1, batch: int = 500
) -> Iterator[int]:
    """Record ``count`` synthetic decisions (with amendments) through the real use cases;
    yields the number done. Run create_demo_accounts first."""
    rng = random.Random(seed)
    span = dt.timedelta(days=max(30, min(3 * 365, count // 50)))
    start = dt.datetime(2026, 11, 1, tzinfo=dt.UTC) - span
    step = span / max(count, 1)
    admin = Actor(ADMIN_NAME, WORKSTATIONS[0])
    policy_switch = {
        0: DEMO_POLICIES[0],
        count // 3: DEMO_POLICIES[1],
        2 * count // 3: DEMO_POLICIES[2],
    }
    done = 0
    while done < count:
        uow = uow_factory()
        with uow:
            for number in range(done, min(count, done + batch)):
                # Whole minutes, as people type them (intake refuses hidden seconds).
                received_at = (start + step * number).replace(second=0, microsecond=0)
                if number in policy_switch:
                    name = policy_switch[number]
                    activate_policy(
                        uow, presets.preset_bytes(name), name, admin, received_at, preset=True
                    )
                officer = Actor(rng.choice(OFFICERS), rng.choice(WORKSTATIONS))
                recorded_at = received_at + dt.timedelta(minutes=rng.randint(1, 30))
                document = _request(rng, number + 1, received_at)
                recorded = record_decision(
                    uow, json.dumps(document), f"demo-{number + 1}", [], officer, recorded_at
                )
                _maybe_amend(
                    rng, uow, recorded.decision_id, recorded.decision.outcome, document, recorded_at
                )
            uow.commit()
        done = min(count, done + batch)
        yield done


def _maybe_amend(
    rng: random.Random,
    uow: UnitOfWork,
    decision_id: int,
    outcome: str,
    document: dict[str, Any],
    at: dt.datetime,
) -> None:
    supervisor = Actor(rng.choice(SUPERVISORS), WORKSTATIONS[2])
    roll = rng.random()
    later = at + dt.timedelta(hours=rng.randint(1, 30))
    if outcome == "review" and roll < 0.8:
        if rng.random() < 0.5:
            amend_decision(uow, decision_id, lc.COUNTERSIGN, supervisor, later)
        else:
            amend_decision(
                uow,
                decision_id,
                lc.OVERRIDE,
                supervisor,
                later,
                reason="U.S. birth certificate found in the jail file",
                details={"outcome": "decline"},
            )
        return
    if roll < 0.3:
        amend_decision(uow, decision_id, lc.COUNTERSIGN, supervisor, later)
    if outcome == "hold" and document["release_eligible_at"] is None and roll < 0.6:
        amend_decision(uow, decision_id, lc.RELEASE_ELIGIBLE, supervisor, later, effective_at=later)
    if roll < 0.15:
        amend_decision(
            uow,
            decision_id,
            lc.ICE_CUSTODY,
            supervisor,
            later + dt.timedelta(hours=1),
            effective_at=later + dt.timedelta(hours=1),
        )
    elif roll < 0.25:
        amend_decision(
            uow,
            decision_id,
            lc.RELEASED,
            supervisor,
            later + dt.timedelta(hours=2),
            effective_at=later + dt.timedelta(hours=2),
        )
