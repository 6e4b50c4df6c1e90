"""What the intake screen asks the desktop for: files to open, save and attach, a printer;
and the list of recently used request files.

The questions go through ``IntakeDialogs`` so that the tests can answer them without a
native dialog (which would block the event loop); the program uses the real dialogs. The
recent list lives in ``QSettings`` (per user, per workstation): it is a convenience, never
a record.
"""

from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtCore import QSettings
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import QDialog, QFileDialog, QWidget

REQUEST_FILTER = "Request files (*.json);;All files (*)"
SCAN_FILTER = "Scans (*.pdf *.png *.jpg *.jpeg *.tif *.tiff);;All files (*)"
PDF_FILTER = "PDF documents (*.pdf)"


def reason_of(exc: OSError) -> str:
    """Why a file could not be read or written, in the words of the system, lower case."""
    return exc.strerror.lower() if exc.strerror else str(exc)


class IntakeDialogs:
    """The real dialogs. Each returns None (or nothing) when the officer cancels."""

    def request_to_open(self, parent: QWidget, folder: str) -> str | None:
        path, _ = QFileDialog.getOpenFileName(parent, "Open a request file", folder, REQUEST_FILTER)
        return path or None

    def request_to_save(self, parent: QWidget, suggested: str) -> str | None:
        path, _ = QFileDialog.getSaveFileName(
            parent, "Save the request as a file", suggested, REQUEST_FILTER
        )
        return path or None

    def scans_to_attach(self, parent: QWidget, folder: str) -> list[str]:
        paths, _ = QFileDialog.getOpenFileNames(parent, "Attach scans", folder, SCAN_FILTER)
        return list(paths)

    def pdf_to_save(self, parent: QWidget, title: str, suggested: str) -> str | None:
        path, _ = QFileDialog.getSaveFileName(parent, title, suggested, PDF_FILTER)
        return path or None

    def printer(self, parent: QWidget, title: str) -> QPrinter | None:
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        dialog = QPrintDialog(printer, parent)
        dialog.setWindowTitle(title)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return None
        return printer


class RecentRequests:
    """The request files opened or saved lately, newest first: each user's own (their file
    names carry booking numbers, which the next person at the workstation must not see)."""

    KEY = "intake/recentRequests"
    LIMIT = 8

    def __init__(self, settings: QSettings | None = None) -> None:
        self._settings = settings
        self._user: str | None = None  # nobody signed in: no list

    def set_user(self, user: str | None) -> None:
        self._user = user

    def _key(self) -> str | None:
        if self._user is None:
            return None
        safe = "".join(c if c.isalnum() or c in "._-" else "_" for c in self._user)
        return f"{self.KEY}/{safe}"

    @property
    def settings(self) -> QSettings:
        # Made on first use, not at start-up: the application's name must be set first.
        if self._settings is None:
            self._settings = QSettings()
        return self._settings

    def use(self, settings: QSettings) -> None:
        self._settings = settings

    def paths(self) -> list[str]:
        key = self._key()
        if key is None:
            return []
        value = self.settings.value(key, [])
        if isinstance(value, str):  # a one-item list comes back as a string from INI files
            value = [value]
        if not isinstance(value, list):
            return []
        return [str(item) for item in value if str(item).strip()][: self.LIMIT]

    def add(self, path: str) -> None:
        path = os.path.abspath(path)
        paths = [p for p in self.paths() if p != path]
        self._store([path, *paths][: self.LIMIT])

    def remove(self, path: str) -> None:
        self._store([p for p in self.paths() if p != path])

    def clear(self) -> None:
        self._store([])

    def folder(self) -> str:
        """Where the file dialogs start: the folder of the newest file, else the home folder."""
        for path in self.paths():
            parent = Path(path).parent
            if parent.is_dir():
                return str(parent)
        return str(Path.home())

    def _store(self, paths: list[str]) -> None:
        key = self._key()
        if key is None:
            return
        self.settings.setValue(key, paths)
        self.settings.sync()
