"""What the intake works under: the policy in force, the county's timezone and the
hold-alert times of the settings.

They are read in the background, never on the GUI thread: at sign-in, whenever a write at
this workstation announces that the policy or the settings changed (``Change.POLICY``,
``Change.SETTINGS``), and again at every check, so that a policy activated at another desk
meanwhile is the one applied. The check itself (the domain's evaluation) runs on the GUI
thread once they are in memory. Recording reads the active policy once more, in its own
transaction (``records.record_decision``), and the screen says so when the decision
recorded differs from the one shown (``recording.py``).
"""

from __future__ import annotations

from collections.abc import Callable, Generator
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from detainer_desk.domain.alerts import Warnings
from detainer_desk.domain.policy import Policy
from detainer_desk.services import policies, records
from detainer_desk.services.access import RecordError
from detainer_desk.services.county_clock import county_zone
from detainer_desk.services.ports import UnitOfWork
from detainer_desk.services.settings import read_settings

from ..errors import show_bug
from ..session import Session
from ..tasks import TaskHandle, TaskRunner, still_alive
from ..widgets import plain_sentence
from .screen import IntakeScreen
from .state import IntakeState


@dataclass(frozen=True, slots=True)
class InForce:
    policy: Policy | None
    policy_version: int | None  # the stored version's id
    warnings: Warnings
    county_zone: ZoneInfo


def read_in_force(uow: UnitOfWork) -> InForce:
    """On the pool: the three in one transaction, the policy parsed once per stored
    version (``policies.load_policy`` caches)."""
    with uow:
        activation = records.active_policy(uow)
        warnings = read_settings(uow).warnings
        zone = county_zone(uow)
    if activation is None:
        return InForce(None, None, warnings, zone)
    return InForce(policies.load_policy(activation.policy), activation.policy.id, warnings, zone)


class InForceReader:
    """Reads what is in force into the intake's state, in the background."""

    def __init__(
        self, screen: IntakeScreen, session: Session, tasks: TaskRunner, state: IntakeState
    ) -> None:
        self.screen = screen
        self.session = session
        self.tasks = tasks
        self.state = state
        self._asked = 0  # reads started
        self._applied = 0  # the latest read whose result is in the state

    def read(self, then: Callable[[], None]) -> None:
        """Read now; ``then()`` on the GUI thread once it is in the state (or could not be
        read: the refusal is shown in words, and what was known before stays)."""
        self._asked += 1
        asked = self._asked
        uow = self.session.backend.uow

        def work(_handle: TaskHandle) -> Generator[Any, None, InForce]:
            yield "reading the policy in force"
            return read_in_force(uow())

        self.tasks.start(
            work,
            on_finished=lambda found: self._read(asked, found, then),
            on_failed=lambda error, _trace: self._refused(error, then),
        )

    def _read(self, asked: int, found: InForce, then: Callable[[], None]) -> None:
        if not still_alive(self.screen):
            return
        state = self.state
        if asked > self._applied:  # an older read landing late changes nothing
            self._applied = asked
            state.policy, state.policy_version = found.policy, found.policy_version
            state.warnings, state.county_zone = found.warnings, found.county_zone
        state.in_force_known = True
        then()

    def _refused(self, error: BaseException, then: Callable[[], None]) -> None:
        if not still_alive(self.screen):
            return
        if not isinstance(error, RecordError):
            show_bug(self.screen, type(error), error, error.__traceback__)
            return
        self.state.in_force_known = True
        self.screen.panel.show_message(plain_sentence(str(error)), problem=True)
        then()
