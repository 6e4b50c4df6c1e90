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
from detainer_desk.domain.outcomes import Outcome

from .access import RecordError
from .index import decision_state
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
        # Most people booked on a charge are released within days; some serve a sentence.
        hours = rng.randint(2, 72) if rng.random() < 0.8 else rng.randint(73, 24 * 20)
        release = (received_at + dt.timedelta(hours=hours)).isoformat()
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


# A new demo's holds board shows what a jail's would: about this many people held, or to
# be held, on a detainer (those received lately), none past the deadline.
OPEN_HOLDS_WANTED = 10
# The share of requests that end as a hold under the demo's policies, roughly.
HOLD_SHARE = 0.8
MIN_OPEN_WINDOW = dt.timedelta(hours=6)
MAX_OPEN_WINDOW = dt.timedelta(hours=96)
OPEN_HOLD_OUTCOMES = (Outcome.HOLD,)


def demo_period(count: int, now: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
    """The requests' received times: (first, end), ending with the hour ``now`` is in."""
    end = now.astimezone(dt.UTC).replace(minute=0, second=0, microsecond=0)
    span = dt.timedelta(days=max(30, min(3 * 365, count // 50)))
    return end - span, end


def open_window(count: int, span: dt.timedelta) -> dt.timedelta:
    """How far back holds are still open, for about OPEN_HOLDS_WANTED of them."""
    holds_per_hour = max(count, 1) * HOLD_SHARE / (span / dt.timedelta(hours=1))
    window = dt.timedelta(hours=OPEN_HOLDS_WANTED / max(holds_per_hour, 1e-9))
    return max(MIN_OPEN_WINDOW, min(MAX_OPEN_WINDOW, window))


def fill_demo(
    uow_factory: Callable[[], UnitOfWork],
    count: int,
    seed: int = 1,
    batch: int = 500,
    now: dt.datetime | None = None,
) -> Iterator[int]:
    """Record ``count`` synthetic decisions (with amendments) through the real use cases;
    yields the number done. Run create_demo_accounts first.

    The requests run up to the present hour (``now``; the clock by default), and nothing is
    recorded after ``now``. Holds end the way holds do (ICE takes the person, the jail
    releases them, ICE lifts the detainer), except those received in the last hours: a
    new demo opens on a handful of active holds, none overdue. The same ``seed`` and
    ``now`` give the same records."""
    rng = random.Random(seed)
    limit = now or dt.datetime.now(dt.UTC)
    start, end = demo_period(count, limit)
    span = end - start
    step = span / max(count, 1)
    open_since = end - open_window(count, span)
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
                # The last in the present hour; whole minutes, as people type them (intake
                # refuses hidden seconds).
                received_at = (start + step * (number + 1)).replace(second=0, microsecond=0)
                if number in policy_switch:
                    name = policy_switch[number]
                    activate_policy(
                        uow, presets.preset_bytes(name), name, admin, received_at, preset=True
                    )
                officer = Actor(rng.choice(OFFICERS), rng.choice(WORKSTATIONS))
                recorded_at = min(received_at + dt.timedelta(minutes=rng.randint(1, 30)), limit)
                document = _request(rng, number + 1, received_at)
                recorded = record_decision(
                    uow, json.dumps(document), f"demo-{number + 1}", [], officer, recorded_at
                )
                story = _Story(rng, uow, recorded.decision_id, recorded_at, limit)
                state = story.review_and_release(recorded.decision.outcome, document)
                if state is not None and not state.closed and _held(state):
                    deadline = state.hold_until
                    if received_at < open_since or (deadline is not None and deadline <= limit):
                        story.end_the_hold(state)
            uow.commit()
        done = min(count, done + batch)
        yield done


def _held(state: lc.DecisionState) -> bool:
    return state.outcome in OPEN_HOLD_OUTCOMES


class _Story:
    """What happens to one decision after it is recorded, never later than ``limit``."""

    def __init__(
        self,
        rng: random.Random,
        uow: UnitOfWork,
        decision_id: int,
        recorded_at: dt.datetime,
        limit: dt.datetime,
    ) -> None:
        self.rng = rng
        self.uow = uow
        self.decision_id = decision_id
        self.last = recorded_at  # amendments come one after another
        self.limit = limit
        self.supervisor = Actor(rng.choice(SUPERVISORS), WORKSTATIONS[2])
        self.state: lc.DecisionState | None = None

    def amend(self, kind: str, at: dt.datetime, **options: Any) -> lc.DecisionState | None:
        """Record the amendment at ``at``, unless that is still to come."""
        at = max(at, self.last + dt.timedelta(minutes=1))
        if at > self.limit:
            return None
        if options.get("effective_at") is not None:  # typed times are whole minutes
            options["effective_at"] = options["effective_at"].replace(second=0, microsecond=0)
        self.state = amend_decision(
            self.uow, self.decision_id, kind, self.supervisor, at, **options
        ).state
        self.last = at
        return self.state

    def review_and_release(self, outcome: str, document: dict[str, Any]) -> lc.DecisionState | None:
        """A supervisor's review, and when the person could be released; the state after
        them (None when nothing happened yet: the decision as recorded stands)."""
        rng = self.rng
        roll = rng.random()
        later = self.last + dt.timedelta(hours=rng.randint(1, 30))
        if outcome == Outcome.REVIEW:  # a supervisor decides each one (unless it is too recent)
            if rng.random() < 0.5:
                self.amend(lc.COUNTERSIGN, later)
            else:
                self.amend(
                    lc.OVERRIDE,
                    later,
                    reason="U.S. birth certificate found in the jail file",
                    details={"outcome": Outcome.DECLINE.value},
                )
            return self.state
        if roll < 0.9:  # supervisors countersign within the day; the newest still wait
            self.amend(lc.COUNTERSIGN, later)
        release = document["release_eligible_at"]
        if outcome == Outcome.HOLD and release is None and roll < 0.6:
            self.amend(lc.RELEASE_ELIGIBLE, later, effective_at=min(later, self.limit))
        if self.state is None and outcome == Outcome.HOLD:
            # Nothing amended yet: the state as recorded (its release time from the request).
            with self.uow:
                row = self.uow.records.decision(self.decision_id)
            self.state = decision_state(row) if row is not None else None
        return self.state

    def end_the_hold(self, state: lc.DecisionState) -> None:
        """The person leaves the jail: ICE takes them or they are released before the
        deadline; without a release time ICE may lift the detainer."""
        rng = self.rng
        release = state.release_eligible_at
        deadline = state.hold_until
        if release is not None and release <= self.limit:
            latest = deadline if deadline is not None else release + dt.timedelta(hours=48)
            latest = max(release, min(latest, self.limit))  # before the deadline, and by now
            gone = release + (latest - release) * rng.uniform(0.05, 0.9)
            kind = lc.ICE_CUSTODY if rng.random() < 0.65 else lc.RELEASED
            told = min(gone + dt.timedelta(minutes=rng.randint(5, 90)), self.limit)
            self.amend(kind, told, effective_at=gone)
            return
        at = min(self.last + dt.timedelta(hours=rng.randint(2, 72)), self.limit)
        if rng.random() < 0.5:
            self.amend(lc.LIFTED, at, reason="ICE cancelled the detainer (Form I-247X received)")
        else:
            self.amend(lc.RELEASED, at, effective_at=min(at, self.limit))
