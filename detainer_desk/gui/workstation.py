"""What this workstation remembers about its window, in its own data folder.

An INI file (``workstation.ini``, readable by its owner only) beside the database and the
logs: the main window's size, place and maximised state, and which notices about how the
records are kept an administrator has dismissed. It is per workstation on purpose: two
desks sharing one PostgreSQL server have different screens, and a notice about this
computer's SQLite library says nothing about another's.

The first start, or a start whose remembered screen is gone (a laptop undocked from its
second monitor, the scale changed from 100 to 150 %), sizes the window from the screen's
available area, so that its title bar and edges are always on a screen.

Qt only: the main window reads this before its first paint.
"""

from __future__ import annotations

import hashlib
import logging
import os
from pathlib import Path

from PySide6.QtCore import QByteArray, QRect, QSettings, QSize
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QWidget

from .fit import available_area, size_within

log = logging.getLogger(__name__)

FILE_NAME = "workstation.ini"
GEOMETRY_KEY = "window/geometry"
DISMISSED_KEY = "notices/dismissed"
# Roomy enough for the holds board beside its panel; below it (a 1366x768 laptop, any
# screen at 150 % or more) the window starts maximised.
PREFERRED_SIZE = QSize(1280, 800)
# Notices dismissed long ago are forgotten (a failed backup's notice has the day in it).
KEEP_DISMISSED = 64
# A window that does not start maximised keeps this share of the screen, at most.
WINDOW_SHARE = 0.9


def first_placement(area: QRect, preferred: QSize = PREFERRED_SIZE) -> tuple[QRect, bool]:
    """Where a window with nothing remembered goes: (its normal geometry, maximised?).

    Maximised when the preferred size does not fit the available area with a margin for
    the window frame; the normal geometry (used when the user restores it) is centred and
    never larger than the area."""
    maximised = (
        preferred.width() > area.width() * WINDOW_SHARE
        or preferred.height() > area.height() * WINDOW_SHARE
    )
    size = size_within(preferred, area, WINDOW_SHARE)
    rect = QRect(0, 0, size.width(), size.height())
    rect.moveCenter(area.center())
    return rect, maximised


def inside(rect: QRect, area: QRect) -> QRect:
    """``rect`` moved (and made smaller where needed) so that it lies within ``area``."""
    width = min(rect.width(), area.width())
    height = min(rect.height(), area.height())
    x = min(max(rect.x(), area.left()), area.left() + area.width() - width)
    y = min(max(rect.y(), area.top()), area.top() + area.height() - height)
    return QRect(x, y, width, height)


def screen_area_of(rect: QRect) -> QRect | None:
    """The available area of the screen showing the middle of ``rect``, if any does."""
    screen = QGuiApplication.screenAt(rect.center())
    return screen.availableGeometry() if screen is not None else None


class WorkstationSettings:
    """The workstation's INI file; ``folder`` None keeps nothing (tests, a missing folder)."""

    def __init__(self, folder: Path | None) -> None:
        self.folder = folder
        self._settings: QSettings | None = None
        self.restored = False  # the window was given a remembered geometry

    @property
    def path(self) -> Path | None:
        return self.folder / FILE_NAME if self.folder is not None else None

    def _store(self) -> QSettings | None:
        path = self.path
        if path is None:
            return None
        if self._settings is None:
            self._settings = QSettings(str(path), QSettings.Format.IniFormat)
        return self._settings

    def _save(self) -> None:
        store, path = self._store(), self.path
        if store is None or path is None or not path.parent.is_dir():
            return  # the data folder is made when the records open; nothing to keep before
        store.sync()
        if store.status() != QSettings.Status.NoError:
            log.warning("The workstation settings could not be written to %s", path)
            return
        try:
            os.chmod(path, 0o600)
        except OSError:
            log.warning("Could not make %s readable by its owner only", path, exc_info=True)

    # ------------------------------------------------------------------ window
    def place(self, window: QWidget) -> bool:
        """Give ``window`` its remembered geometry, or the first start's. True when it
        should be shown maximised and Qt has not been told so yet (the first start)."""
        store = self._store()
        saved = store.value(GEOMETRY_KEY) if store is not None else None
        if isinstance(saved, QByteArray | bytes) and saved and window.restoreGeometry(saved):
            self.restored = True
            self._keep_on_screen(window)
            return False
        rect, maximised = first_placement(available_area(window))
        window.setGeometry(rect)
        return maximised

    @staticmethod
    def _keep_on_screen(window: QWidget) -> None:
        """Qt puts a window whose screen is gone on another; this also makes sure it is
        no larger than that screen (a saved 1366-wide window on a screen now at 200 %)."""
        rect = window.normalGeometry() if window.isMaximized() else window.geometry()
        area = screen_area_of(rect) or available_area(None)
        placed = inside(rect, area)
        if placed != rect:
            window.setGeometry(placed)

    @staticmethod
    def keep_frame_on_screen(window: QWidget) -> None:
        """Once shown (the frame's size is known): the whole window, title bar and edges,
        on the screen showing its middle, or on the primary screen."""
        if window.isMaximized() or window.isFullScreen():
            return  # the window system fits it to its screen
        frame, client = window.frameGeometry(), window.geometry()
        area = screen_area_of(frame) or available_area(None)
        placed = inside(frame, area)
        if placed == frame:
            return
        window.setGeometry(
            placed.x() + client.x() - frame.x(),
            placed.y() + client.y() - frame.y(),
            placed.width() - (frame.width() - client.width()),
            placed.height() - (frame.height() - client.height()),
        )

    def remember(self, window: QWidget) -> None:
        store = self._store()
        if store is None:
            return
        store.setValue(GEOMETRY_KEY, window.saveGeometry())
        self._save()

    # ----------------------------------------------------------------- notices
    @staticmethod
    def notice_key(notice: str) -> str:
        """A notice is known by its words: when they change (another SQLite version,
        another day's failed backup), it is a new notice and shows again."""
        return hashlib.sha256(notice.encode("utf-8")).hexdigest()[:16]

    def dismissed(self) -> list[str]:
        """The keys of the notices dismissed here, oldest first."""
        store = self._store()
        if store is None:
            return []
        value = store.value(DISMISSED_KEY, [])
        if isinstance(value, str):  # a one-item list comes back as a string from INI files
            value = [value]
        return [str(item) for item in value] if isinstance(value, list) else []

    def is_dismissed(self, notice: str) -> bool:
        return self.notice_key(notice) in self.dismissed()

    def dismiss(self, notice: str) -> None:
        store = self._store()
        if store is None:
            return
        key = self.notice_key(notice)
        keys = [k for k in self.dismissed() if k != key] + [key]
        store.setValue(DISMISSED_KEY, keys[-KEEP_DISMISSED:])
        self._save()
