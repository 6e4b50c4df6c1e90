"""What a write changed, announced once to every screen (after Anki's ``OpChanges`` and
``operation_did_execute``).

A write started from a widget runs as a background operation (``tasks.run_in_background``)
and declares the kinds of records it changed; when it has succeeded, the window's one
``Changes`` broadcaster emits them on the GUI thread, and each screen that shows one of
those kinds reads its list again. Screens learn of changes made at this workstation at
once; their timers stay for changes made at other workstations.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from enum import StrEnum

from PySide6.QtCore import QObject, Signal


class Change(StrEnum):
    """The kinds of records a write can change (what screens refresh on)."""

    DECISIONS = "decisions"  # a decision recorded, or its state changed by an amendment
    HOLDS = "holds"  # who is held and until when (the holds board)
    REVIEWS = "reviews"  # what waits for a supervisor (the review queue)
    CONTACTS = "contacts"  # contacts with immigration authorities
    USERS = "users"  # accounts and their roles
    SETTINGS = "settings"  # the installation's settings (county, alert times, notices)
    POLICY = "policy"  # the active policy
    EVIDENCE = "evidence"  # checkpoints, exports, backups


Kinds = frozenset[Change]

# What each kind of write changes, named once for every screen that makes one.
DECISION_RECORDED: Kinds = frozenset({Change.DECISIONS, Change.HOLDS, Change.REVIEWS})
DECISION_AMENDED: Kinds = frozenset({Change.DECISIONS, Change.HOLDS, Change.REVIEWS})
NOTHING: Kinds = frozenset()


class Changes(QObject):
    """The window's one broadcaster: ``happened`` carries the kinds that changed."""

    happened = Signal(object)  # a frozenset of Change

    def announce(self, kinds: Iterable[Change]) -> None:
        changed = frozenset(kinds)
        if changed:
            self.happened.emit(changed)

    def when(self, kinds: Iterable[Change], react: Callable[[Kinds], None]) -> None:
        """Call ``react(changed)`` whenever one of ``kinds`` changed.

        ``react`` should be a bound method of a QObject: the connection then ends with it."""
        wanted = frozenset(kinds)
        receiver = getattr(react, "__self__", None)

        def filtered(changed: Kinds) -> None:
            if changed & wanted:
                react(changed)

        if isinstance(receiver, QObject):
            # A helper object owned by the receiver carries the slot, so a closed screen is
            # never called (Qt disconnects a destroyed receiver).
            relay = _Relay(filtered, receiver)
            self.happened.connect(relay.relay)
        else:
            self.happened.connect(filtered)


class _Relay(QObject):
    def __init__(self, call: Callable[[Kinds], None], parent: QObject) -> None:
        super().__init__(parent)
        self._call = call

    def relay(self, changed: Kinds) -> None:
        self._call(changed)
