"""Locking the screen and ending a session.

The screen locks after a period without keyboard or mouse activity (CJIS Security Policy
5.5.5 asks for a session lock after at most 30 minutes), or at once with File › Lock.
Signing out, quitting or closing the window with a request that is not recorded asks first
(keep it as a draft, discard it, or stay). Built by the main window when the records open.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, QEvent, QObject, QTimer

from detainer_desk.services.access import RecordError

from .errors import show_bug
from .widgets import plain_sentence

if TYPE_CHECKING:
    from .main_window import MainWindow
    from .session import Session

log = logging.getLogger(__name__)

ACTIVITY_GRAIN_MS = 1_000
REPLACED_AT_LOCK_SCREEN = "replaced at the lock screen"
CLOSING_WAIT_MS = 10_000  # how long closing waits for the sign-out to be recorded


class ActivityFilter(QObject):
    """Sees every input event of the application; says when someone is at the keyboard.

    It calls ``on_activity`` directly rather than emitting a signal: this runs for every
    mouse movement, so it must stay as cheap as possible.
    """

    INPUT_EVENTS = frozenset(
        {
            QEvent.Type.KeyPress,
            QEvent.Type.MouseButtonPress,
            QEvent.Type.MouseButtonDblClick,
            QEvent.Type.MouseMove,
            QEvent.Type.Wheel,
            QEvent.Type.TouchBegin,
            QEvent.Type.TabletPress,
        }
    )

    def __init__(self, on_activity: Callable[[], None], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._on_activity = on_activity
        self.watching = False

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if self.watching and event.type() in self.INPUT_EVENTS:
            self._on_activity()
        return False


class SessionLock:
    """``idle_interval_ms`` overrides the stored session-lock setting (tests use it; the
    program reads the setting from the record store at each sign-in)."""

    def __init__(self, window: MainWindow, session: Session, idle_interval_ms: int | None) -> None:
        self.window = window
        self.session = session
        self._idle_interval_ms = idle_interval_ms
        self.idle_timer = QTimer(window)
        self.idle_timer.setObjectName("idleTimer")
        self.idle_timer.setSingleShot(True)
        self.idle_timer.timeout.connect(lambda: self.lock(idle=True))
        self._activity_filter = ActivityFilter(self._note_activity, window)

    # -- someone at the keyboard ----------------------------------------------------------------
    def watch(self) -> None:
        # Installed while the window is open (installing twice keeps one filter), and only
        # once the records are: a Python filter on every event slows the first paint.
        app = QCoreApplication.instance()
        if app is not None:
            app.installEventFilter(self._activity_filter)

    def follow(self, working: bool) -> None:
        """Someone is signed in and the screen is not locked (``working``), or not."""
        self._activity_filter.watching = working
        if not working:
            self.idle_timer.stop()

    def arm(self, *, read_again: bool = True) -> None:
        """Start the countdown with the timeout the session keeps; with ``read_again`` (the
        settings were saved) the timeout is read again in the background, and the countdown
        restarts with it if it changed (``rearm``)."""
        if self._idle_interval_ms is not None:
            interval = self._idle_interval_ms
        else:
            interval = self.session.timeout_minutes() * 60_000
            if read_again:
                self.session.read_standing_again()
        self.idle_timer.setInterval(interval)
        self.idle_timer.start()

    def rearm(self) -> None:
        """The timeout was read again: a running countdown starts over with it."""
        if self.window.working and self._idle_interval_ms is None:
            self.arm(read_again=False)

    def _note_activity(self) -> None:
        if not self.window.working:
            return
        # Restart the countdown, but not for every pixel the mouse moves: once a second
        # of activity is as good, and far cheaper.
        timer = self.idle_timer
        if not timer.isActive() or timer.interval() - timer.remainingTime() >= ACTIVITY_GRAIN_MS:
            timer.start()

    def stop(self) -> None:
        """The window closes: no more lock, no more watching."""
        self.idle_timer.stop()
        app = QCoreApplication.instance()
        if app is not None:
            app.removeEventFilter(self._activity_filter)
        self._activity_filter.watching = False

    # -- locking and leaving ------------------------------------------------------------------
    def lock(self, idle: bool = True) -> bool:
        """Lock the screen (audited in the background); False when nobody is signed in."""
        return self.session.lock(idle, self._lock_unrecorded)

    def _lock_unrecorded(self, error: BaseException) -> None:
        # The screen is locked all the same; only the audit entry is missing.
        if not isinstance(error, RecordError):
            show_bug(self.window, type(error), error, error.__traceback__)
            return
        self.window.sign_in_page.show_error(
            f"The lock could not be recorded: {plain_sentence(str(error))}"
        )

    def asked_before_leaving(self, leaving: str, then: Callable[[], None]) -> bool:
        """True when a question about unsaved work was opened (``then`` runs once answered
        with Keep or Discard); False when there was nothing to ask."""
        if not self.window.workspace_built:
            return False
        return self.window.intake.drafts.ask_before_leaving(leaving, then) is not None

    def sign_out(self) -> None:
        """File › Sign out: with a request on screen that is not recorded, ask first (keep
        it as a draft, discard it, or stay)."""
        if not self.asked_before_leaving("Sign out", self._sign_out_now):
            self._sign_out_now()

    def _sign_out_now(self) -> None:
        self.end_session("signed out", "{user} signed out.")

    def switch_user(self) -> None:
        self.end_session(REPLACED_AT_LOCK_SCREEN, "{user} was signed out.")

    def end_session(self, reason: str, note: str) -> None:
        """Signed out at once (the note says so); the audit entry is written in the
        background, and if it cannot be, the note says that instead."""
        actor = self.session.actor
        if actor is None:
            return
        user = actor.user

        def unrecorded(error: BaseException) -> None:
            if not isinstance(error, RecordError):
                show_bug(self.window, type(error), error, error.__traceback__)
                return
            # Signed out all the same; only the audit entry is missing.
            self.window.sign_in_page.show_error(
                f"{user} was signed out, but it could not be recorded: {plain_sentence(str(error))}"
            )

        self.session.sign_out(reason, unrecorded)
        self.window.sign_in_page.show_note(note.format(user=user))

    def sign_out_on_closing(self) -> None:
        """The program closes: the sign-out's entry is written in the background, and the
        window waits for it (a few seconds at most) before the records close."""
        if self.session.actor is None:
            return
        self.session.sign_out("closed the program", _closing_unrecorded, wait_ms=CLOSING_WAIT_MS)


def _closing_unrecorded(error: BaseException) -> None:
    # Closing must not be stopped by a store that cannot be written.
    log.warning("The sign-out on closing could not be recorded", exc_info=error)
