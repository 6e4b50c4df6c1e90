"""Earlier decisions for the same booking number and form, looked for in the background a
moment after the request reads as one, and once more before it is recorded: the officer
must see a likely duplicate before recording it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import QWidget

from detainer_desk.services import intake
from detainer_desk.services.access import RecordError
from detainer_desk.services.intake import EarlierDecisions

from ..errors import show_bug
from ..session import Session
from ..tasks import TaskRunner
from ..widgets import plain_sentence
from .decision_panel import DecisionPanel
from .state import IntakeState

LOOKUP_DELAY_MS = 300  # after the last keystroke, before looking for earlier decisions

Key = tuple[str, str]  # booking number, form


class EarlierLookup(QObject):
    """Looks once per booking number and form (kept until the next recording), never on
    the GUI thread; ``known`` says that what was found concerns the request on the form."""

    known = Signal()

    def __init__(
        self,
        state: IntakeState,
        session: Session,
        tasks: TaskRunner,
        panel: DecisionPanel,
        parent: QWidget,
    ) -> None:
        super().__init__(parent)
        self.state = state
        self.session = session
        self.tasks = tasks
        self.panel = panel
        self.window_parent = parent
        self._found: dict[Key, EarlierDecisions | None] = {}
        self._running: set[Key] = set()
        self._then: Callable[[], None] | None = None
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(LOOKUP_DELAY_MS)
        self._timer.timeout.connect(self.look)

    def found(self) -> EarlierDecisions | None:
        """What was found for the request on the form (None: nothing, or not looked yet)."""
        key = self.state.booking_key()
        return self._found.get(key) if key else None

    def look_soon(self) -> None:
        """Look a moment from now, unless it is known or being looked for already."""
        key = self.state.booking_key()
        if key and key not in self._found and key not in self._running:
            self._timer.start()

    def forget_pending(self) -> None:
        """A new request: no look is due, and nothing waits for one."""
        self._then = None
        self._timer.stop()

    def forget_found(self) -> None:
        """A decision was recorded: what was found before may have changed."""
        self._found.clear()

    def look(self, then: Callable[[], None] | None = None) -> None:
        """Look now (``then`` runs once it is known, even when it was known already)."""
        key = self.state.booking_key()
        actor = self.session.actor
        if key is None or actor is None:
            return
        if then is not None:
            self._then = then
        if key in self._found:
            self._known(key)
            return
        if key in self._running:
            return
        self._running.add(key)
        uow, now = self.session.backend.uow, self.session.now()

        def work(handle: Any) -> Any:
            yield "looking"
            return intake.earlier_decisions(uow(), key[0], key[1], actor, now)

        self.tasks.start(
            work,
            on_finished=lambda found: self._done(key, found),
            on_failed=lambda exc, _tb: self._failed(key, exc),
        )

    def _done(self, key: Key, found: EarlierDecisions) -> None:
        self._running.discard(key)
        self._found[key] = found
        self._known(key)

    def _failed(self, key: Key, exc: BaseException) -> None:
        self._running.discard(key)
        if not isinstance(exc, RecordError):
            show_bug(self.window_parent, type(exc), exc, exc.__traceback__)
            return
        self._found[key] = None
        self.panel.show_message(
            f"Earlier records could not be searched: {plain_sentence(str(exc))}", problem=True
        )
        self._known(key)

    def _known(self, key: Key) -> None:
        if key != self.state.booking_key():
            return
        if self.state.recorded is None:
            self.known.emit()
        then, self._then = self._then, None
        if then is not None:
            then()
