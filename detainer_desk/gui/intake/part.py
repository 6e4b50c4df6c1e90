"""What every part of the intake controller works with: the screen, the session, the task
runner, the shared state and the display. The controller makes one ``Shared`` and hands it
to each part; a part adds only the collaborators its own concern needs."""

from __future__ import annotations

from dataclasses import dataclass

from ..session import Session
from ..tasks import TaskRunner
from .display import IntakeDisplay
from .screen import IntakeScreen
from .state import IntakeState


@dataclass(frozen=True)
class Shared:
    screen: IntakeScreen
    session: Session
    tasks: TaskRunner
    state: IntakeState
    display: IntakeDisplay


class IntakePart:
    def __init__(self, shared: Shared) -> None:
        self.screen = shared.screen
        self.session = shared.session
        self.tasks = shared.tasks
        self.state = shared.state
        self.display = shared.display
