"""The work on the form: what is typed and attached, kept as a draft while it is typed
(``drafts.py``), cleared for a new request, opened from and saved to a request file.

Nothing typed is thrown away without asking: New and Open ask first when the request on
screen is neither recorded nor saved.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from detainer_desk.adapters.reading import FileRefused, read_limited
from detainer_desk.domain import accounts as acc
from detainer_desk.domain.errors import InvalidInput, Problem
from detainer_desk.domain.limits import REQUEST_FILE_BYTES
from detainer_desk.domain.request import load_json, request_from_mapping
from detainer_desk.services.access import RecordError

from ..confirm import lock_works_in
from ..session import SessionState
from ..widgets import plain_sentence
from . import presenter as p
from .attaching import Attachments
from .draft import RequestDraft, from_contract, to_contract
from .drafts import FOLDER_NAME as DRAFTS_FOLDER
from .drafts import DraftKeeper, DraftStore, SavedDraft
from .earlier import EarlierLookup
from .files import reason_of
from .part import IntakePart, Shared
from .screen import REQUEST_PAGE

MAX_REQUEST_FILE_BYTES = REQUEST_FILE_BYTES  # a request file is a few kilobytes
BANNER_LINES = 8


class DraftControl(IntakePart):
    """The request on the form, as a draft: typed, kept, cleared, opened and saved.

    It builds the draft keeper first of all the controller's parts, so that the keeper
    hears of a sign-out before the form is cleared (``IntakeController``).
    """

    def __init__(self, shared: Shared, earlier: EarlierLookup, attachments: Attachments) -> None:
        super().__init__(shared)
        screen, session, tasks = shared.screen, shared.session, shared.tasks
        self.earlier = earlier
        self.attachments = attachments
        data_dir = session.backend.data_dir
        store = DraftStore(data_dir / DRAFTS_FOLDER) if data_dir is not None else None
        self.keeper = DraftKeeper(session, tasks, store, screen)
        self.keeper.problem.connect(screen.banner.show_problem)
        screen.work_changed.connect(self.keeper.work_changed)

    # -- what is typed --------------------------------------------------------------------
    def draft(self) -> RequestDraft:
        return self.screen.read_draft()

    def edited(self, key: str) -> None:
        state = self.state
        if state.recorded is not None:
            return
        state.touched.add(key)
        state.dirty = True
        self.display.refresh()
        self.screen.work_changed.emit()

    def scans_changed(self) -> None:
        self.state.dirty = True
        self.display.update_enabled()
        self.screen.work_changed.emit()

    def prefill_received_at(self) -> None:
        edit = self.screen.request_page.texts["received_at"]
        zone = self.state.county_zone
        if self.state.policy is not None and zone is not None and not edit.text():
            edit.setText(p.local_input_text(self.session.now(), zone))

    # -- what the draft keeper needs to know ------------------------------------------------
    def has_unsaved_work(self) -> bool:
        """Something typed or attached that is neither recorded nor saved as a file."""
        return self.state.has_unsaved_work()

    @property
    def source_path(self) -> str | None:
        """The request file the form was opened from or last saved to."""
        return self.state.path

    def discard(self) -> None:
        """Clear the form without asking (the caller asked)."""
        self.reset()

    def restore(self, saved: SavedDraft) -> None:
        """Show a kept draft again, as it was, with its scans read again from their files."""
        self.screen.wants_front.emit()
        self.reset(saved.draft)
        state = self.state
        state.path = saved.request_file
        state.reveal = True  # it was being filled in: every problem shows at once
        state.dirty = True
        self.screen.banner.show_remark(
            f"Continuing the request you were entering ({saved.title()}). It is not recorded yet."
        )
        self.display.refresh()
        self.screen.work_changed.emit()
        if saved.scans:
            self.attachments.load_scans(list(saved.scans))

    # -- new --------------------------------------------------------------------------------
    def _unless_unsaved(self, then: Callable[[], None]) -> None:
        """Run ``then``, after asking, if it would throw away a request being entered."""
        if not self.state.has_unsaved_work():
            then()
            return
        box = QMessageBox(self.screen)
        box.setObjectName("discardConfirmation")
        box.setAccessibleName("Discard the request being entered?")
        box.setWindowTitle("Discard the request being entered?")
        box.setIcon(QMessageBox.Icon.Warning)
        box.setText("The request on screen has not been recorded or saved. Discard what was typed?")
        discard = box.addButton("Discard", QMessageBox.ButtonRole.DestructiveRole)
        discard.setObjectName("confirmDiscardButton")
        keep = box.addButton("Keep it", QMessageBox.ButtonRole.RejectRole)
        box.setDefaultButton(keep)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        lock_works_in(box)
        box.finished.connect(lambda _r: then() if box.clickedButton() is discard else None)
        box.open()

    def new_request(self) -> None:
        self.screen.wants_front.emit()
        self._unless_unsaved(self.reset)

    def reset(self, draft: RequestDraft | None = None) -> None:
        self.state.start_over()
        self.earlier.forget_pending()
        screen = self.screen
        screen.documents.forget_loading()
        screen.set_read_only(False)
        screen.show_draft(draft or RequestDraft())
        screen.documents.set_scans([])
        screen.documents.scan_message.clear()
        screen.panel.set_recorded(None)
        screen.panel.set_duplicate(None)
        screen.banner.clear()
        screen.tabs.setCurrentIndex(REQUEST_PAGE)
        if draft is None:
            self.prefill_received_at()
        self.display.refresh()
        if screen.isVisible() and self.session.state is SessionState.SIGNED_IN:
            # Never into a hidden form: after signing out, what the next person types
            # would land in it (and wait there for the next user to see).
            screen.request_page.first_field().setFocus()
        screen.work_changed.emit()

    # -- open -------------------------------------------------------------------------------
    def open_request(self, path: str | None = None) -> None:
        self.screen.wants_front.emit()
        if not self.session.may(acc.VIEW_RECORDS) or self.state.busy is not None:
            return
        self._unless_unsaved(lambda: self._open(path))

    def _open(self, path: str | None) -> None:
        screen = self.screen
        if path is None:
            path = screen.dialogs.request_to_open(screen, screen.recent.folder())
            if not path:
                return
        name = Path(path).name
        try:
            if os.path.getsize(path) > MAX_REQUEST_FILE_BYTES:
                screen.banner.show_problem(f"{name} is far too large to be a request file.")
                return
            data = read_limited(path, MAX_REQUEST_FILE_BYTES, "request")
        except FileRefused as refused:  # a device, a pipe that never ends, a folder
            screen.banner.show_problem(f"{name} cannot be opened: {refused.reason}.")
            return
        except OSError as exc:
            screen.banner.show_problem(f"{name} cannot be opened: {reason_of(exc)}.")
            if not os.path.exists(path):
                screen.recent.remove(path)
            return
        try:
            document = load_json(data, name)
        except InvalidInput as invalid:
            reasons = "\n".join(f"• {problem.message}" for problem in invalid.problems)
            screen.banner.show_problem(
                f"{name} is not a request file, so nothing was opened:\n{reasons}"
            )
            return
        loaded = from_contract(document, name)
        try:
            request_from_mapping(document, name)
            problems: tuple[Problem, ...] = ()
        except InvalidInput as invalid:
            problems = invalid.problems
        self.reset(loaded.draft)
        self.state.path = path
        self.state.reveal = True
        screen.recent.add(path)
        if problems or loaded.left_out:
            lines = [f"• {problem.key or 'the file'}: {problem.message}" for problem in problems]
            lines.extend(
                f"• {problem.key}: {problem.message}; left out of the form"
                for problem in loaded.left_out
                if not any(problem.key == found.key for found in problems)
            )
            if len(lines) > BANNER_LINES:
                lines[BANNER_LINES - 1 :] = [f"• and {len(lines) - BANNER_LINES + 1} more"]
            screen.banner.show_problem(
                f"{name} has problems. Everything the form can hold was kept; fix what is "
                "marked before checking:\n" + "\n".join(lines)
            )
        else:
            screen.banner.show_remark(f"Opened {path}.")
        self.display.refresh()

    # -- save -------------------------------------------------------------------------------
    def save_request(self) -> None:
        screen = self.screen
        state = self.state
        if not self.session.may(acc.VIEW_RECORDS):
            return
        draft = screen.read_draft()
        if state.path:
            suggested = state.path
        else:
            booking = draft.booking_number.strip() or "request"
            safe = "".join(c if c.isalnum() or c in "-_" else "-" for c in booking)
            suggested = str(Path(screen.recent.folder()) / f"{safe}.json")
        target = screen.dialogs.request_to_save(screen, suggested)
        if not target:
            return
        if not Path(target).suffix:
            target += ".json"
        text = json.dumps(to_contract(draft), indent=2, ensure_ascii=False) + "\n"
        from detainer_desk.adapters.files import json_kind

        try:
            self.session.backend.save_file(target, text.encode("utf-8"), json_kind)
        except RecordError as exc:
            screen.banner.show_problem(
                f"The request could not be saved: {plain_sentence(str(exc))}"
            )
            return
        except OSError as exc:
            screen.banner.show_problem(f"The request could not be saved: {reason_of(exc)}.")
            return
        state.path = target
        if state.recorded is None:
            state.dirty = False
            screen.work_changed.emit()  # kept in the file now: the draft goes
        screen.recent.add(target)
        still = len(state.assessment.problems) if state.recorded is None else 0
        note = f" It still has {still} problem{'s' if still != 1 else ''} to fix." if still else ""
        screen.banner.show_remark(f"Saved the request to {target}.{note}")
        self.display.show_header()

    def fill_recent_menu(self) -> None:
        menu = self.screen.recent_menu
        menu.clear()
        paths = self.screen.recent.paths()
        if not paths:
            empty = menu.addAction("No request files yet")
            empty.setEnabled(False)
            return
        for number, path in enumerate(paths, start=1):
            action = menu.addAction(f"&{number} {Path(path).name}")
            action.setToolTip(path)
            action.setStatusTip(path)
            action.triggered.connect(lambda _checked=False, path=path: self.open_request(path))
        menu.addSeparator()
        clear = menu.addAction("&Clear the list")
        clear.triggered.connect(self.screen.recent.clear)
