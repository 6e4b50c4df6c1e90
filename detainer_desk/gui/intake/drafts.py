"""Drafts: a request being typed is never lost, and never shown to the wrong person.

What an officer types on the intake screen is saved as they type (a moment after the last
keystroke, and at once when the screen locks or they sign out) to a file of their own in the
data folder: ``drafts/<digest of the user name>.json``, mode 0600 in a 0700 folder, written
to a temporary file and renamed over the old one, so a crash or ``kill -9`` leaves the last
complete draft. When the request is recorded, saved as a request file, or thrown away (New,
Open, Discard), the draft file goes. At the next sign-in on this workstation (after a
crash, a forced close, or "Keep the draft") the same user, and only they, is offered it
back. The scans are not copied into the draft (they are files the officer chose, already on
this computer): the draft keeps their paths and SHA-256, and a scan changed since is not
attached again without the officer's say.

Who may read a draft: it holds criminal-justice information, like the record store. The file
is readable only by the operating-system account that runs the program, exactly like the
SQLite store beside it; the program offers it to nobody but the user who typed it (another
user signing in on the same workstation neither sees it nor learns there is one).

``DraftStore`` is the file, without Qt; ``DraftKeeper`` wires it to the intake screen: it
decides when to save, and asks (offer back; keep, discard or cancel when leaving). The
controller's ``DraftControl`` only says what is on the form (``has_unsaved_work`` ...).
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import hashlib
import json
import logging
import os
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import QMessageBox, QWidget

from detainer_desk.domain.decision import format_instant_for_people
from detainer_desk.services.access import RecordError

from ..confirm import lock_works_in
from ..session import Session, SessionState
from .draft import DocumentDraft, HistoryDraft, RequestDraft

if TYPE_CHECKING:
    from .draft_control import DraftControl

log = logging.getLogger(__name__)

FOLDER_NAME = "drafts"
FORMAT = "detainer-desk intake draft"
VERSION = 1
SAVE_DELAY_MS = 600  # after the last keystroke: a crash loses at most this much typing
MAX_DRAFT_BYTES = 16 << 20  # a draft is a few kilobytes; anything this large is not ours
STALE_PART_SECONDS = 60  # a half-written draft older than this was left by a killed program

KEEP_BUTTON, DISCARD_BUTTON, CANCEL_BUTTON = "keepDraftButton", "discardDraftButton", "cancelButton"
RESTORE_BUTTON = "restoreDraftButton"


class DraftUnreadable(Exception):
    """A draft file is there but cannot be read back; the message says why."""


@dataclass(frozen=True)
class ScanRef:
    """A scan of a draft: where it was attached from, what it shows, what it held."""

    path: str
    document_index: int | None
    sha256: str


@dataclass(frozen=True)
class SavedDraft:
    user: str
    saved_at: dt.datetime  # aware, UTC
    draft: RequestDraft
    request_file: str | None = None  # the request file it was opened from or saved to
    scans: tuple[ScanRef, ...] = ()

    def title(self) -> str:
        name = self.draft.name.strip() or "name not entered"
        booking = self.draft.booking_number.strip() or "not entered"
        return f"{name} — booking {booking}"


# -- the file -------------------------------------------------------------------------------


def _digest(user: str) -> str:
    return hashlib.sha256(user.encode("utf-8")).hexdigest()[:32]


def _to_json(saved: SavedDraft) -> bytes:
    document = {
        "format": FORMAT,
        "version": VERSION,
        "user": saved.user,
        "saved_at": saved.saved_at.astimezone(dt.UTC).isoformat(),
        "request_file": saved.request_file,
        "form": dataclasses.asdict(saved.draft),
        "scans": [dataclasses.asdict(scan) for scan in saved.scans],
    }
    return json.dumps(document, ensure_ascii=False, indent=1).encode("utf-8")


def _texts(table: Mapping[str, Any], cls: type[Any]) -> dict[str, Any]:
    """The fields of dataclass ``cls`` from ``table``, each of the type its default has."""
    values: dict[str, Any] = {}
    for field in dataclasses.fields(cls):
        if field.name not in table:
            continue
        value = table[field.name]
        default = getattr(cls(), field.name)
        if isinstance(default, bool):
            ok = isinstance(value, bool)
        elif isinstance(default, str):
            ok = isinstance(value, str)
        elif isinstance(default, list) and field.name not in ("documents", "history"):
            ok = isinstance(value, list) and all(isinstance(item, str) for item in value)
        else:
            continue  # documents and history: below
        if not ok:
            raise DraftUnreadable(f"the field {field.name!r} holds {type(value).__name__}")
        values[field.name] = value
    return values


def _from_json(data: bytes, user: str) -> SavedDraft:
    try:
        document = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise DraftUnreadable(f"it is not a draft file ({exc})") from None
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise DraftUnreadable("it is not a draft file")
    if document.get("version") != VERSION:
        raise DraftUnreadable(f"it was written by another version ({document.get('version')!r})")
    if document.get("user") != user:
        raise DraftUnreadable("it belongs to another user")
    form = document.get("form")
    if not isinstance(form, dict):
        raise DraftUnreadable("it holds no form")
    draft = RequestDraft(**_texts(form, RequestDraft))
    for key, cls in (("documents", DocumentDraft), ("history", HistoryDraft)):
        items = form.get(key, [])
        if not isinstance(items, list) or not all(isinstance(item, dict) for item in items):
            raise DraftUnreadable(f"its {key} are not a list of tables")
        setattr(draft, key, [cls(**_texts(item, cls)) for item in items])
    scans = []
    for item in document.get("scans") or []:
        if not (
            isinstance(item, dict)
            and isinstance(item.get("path"), str)
            and isinstance(item.get("sha256"), str)
            and (item.get("document_index") is None or isinstance(item["document_index"], int))
        ):
            raise DraftUnreadable("its list of scans is damaged")
        scans.append(ScanRef(item["path"], item.get("document_index"), item["sha256"]))
    try:
        saved_at = dt.datetime.fromisoformat(str(document.get("saved_at")))
    except ValueError:
        raise DraftUnreadable("it has no time of saving") from None
    if saved_at.tzinfo is None:
        raise DraftUnreadable("its time of saving has no UTC offset")
    request_file = document.get("request_file")
    return SavedDraft(
        user,
        saved_at,
        draft,
        request_file if isinstance(request_file, str) else None,
        tuple(scans),
    )


class DraftStore:
    """One draft per user in ``folder`` (created 0700 when first needed)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def path_for(self, user: str) -> Path:
        # A digest, not the name: a folder listing does not say who has a draft.
        return self.folder / f"{_digest(user)}.json"

    def _ensure_folder(self) -> None:
        if self.folder.is_symlink():
            raise OSError(f"{self.folder} is a symbolic link; drafts are not written through one")
        self.folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        os.chmod(self.folder, 0o700)

    def save(self, saved: SavedDraft) -> None:
        """Write the draft whole, or leave the previous one (OSError says why not)."""
        self._ensure_folder()
        data = _to_json(saved)
        handle, temporary = tempfile.mkstemp(prefix=".draft-", suffix=".part", dir=self.folder)
        try:
            with os.fdopen(handle, "wb") as stream:  # mkstemp: mode 0600
                stream.write(data)
                stream.flush()
                os.fsync(stream.fileno())
            os.replace(temporary, self.path_for(saved.user))
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(temporary)
            raise
        _sync_folder(self.folder)

    def load(self, user: str) -> SavedDraft | None:
        """The user's draft, None when there is none; DraftUnreadable when it is damaged."""
        self._forget_half_written()
        path = self.path_for(user)
        try:
            descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise DraftUnreadable(exc.strerror or str(exc)) from None
        with os.fdopen(descriptor, "rb") as stream:
            data = stream.read(MAX_DRAFT_BYTES + 1)
        if len(data) > MAX_DRAFT_BYTES:
            raise DraftUnreadable("it is far too large to be a draft")
        return _from_json(data, user)

    def _forget_half_written(self) -> None:
        """Temporary files a killed program left (the draft before them is intact)."""
        if not self.folder.is_dir() or self.folder.is_symlink():
            return
        stale = dt.datetime.now(dt.UTC).timestamp() - STALE_PART_SECONDS
        for part in self.folder.glob(".draft-*.part"):
            with contextlib.suppress(OSError):
                if part.lstat().st_mtime < stale:
                    part.unlink()

    def remove(self, user: str) -> None:
        with contextlib.suppress(FileNotFoundError):
            self.path_for(user).unlink()

    def set_aside(self, user: str) -> Path | None:
        """Move a damaged draft out of the way (kept, never deleted: it may hold work)."""
        path = self.path_for(user)
        stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
        target = path.with_name(f"{path.stem}-unreadable-{stamp}.json")
        try:
            os.replace(path, target)
        except OSError:
            return None
        return target


def _sync_folder(folder: Path) -> None:
    """Make the rename itself durable (POSIX); a no-op where folders cannot be opened."""
    try:
        descriptor = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(descriptor)
    except OSError:
        pass
    finally:
        os.close(descriptor)


def sha256_of(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


# -- the keeper -------------------------------------------------------------------------------


class DraftKeeper(QObject):
    """Saves the form as its owner types, offers it back at their next sign-in, and asks
    before signing out or closing throws it away.

    Built before the rest of the intake controller (which ``attach``-es the form's
    ``DraftControl`` last), so that it hears of a sign-out first and saves the form while
    it still holds the owner's work.
    """

    saved = Signal()  # a draft file was written
    removed = Signal()  # the owner's draft file was removed
    problem = Signal(str)  # it could not be saved or read back: plain words
    offered = Signal(QMessageBox)  # the offer to take a draft back is open
    looked = Signal(bool)  # at sign-in: whether this user had a draft to offer

    def __init__(self, session: Session, store: DraftStore | None, parent: QWidget) -> None:
        super().__init__(parent)
        self.session = session
        self.store = store
        self.window_parent = parent
        self.form: DraftControl | None = None
        self._owner: str | None = None  # whose work is on the form
        self._pending = False  # the form changed since it was last saved
        self._offer_answered = True
        self._offer_open = False
        self._said_problem: str | None = None
        self._timer = QTimer(self)
        self._timer.setObjectName("draftSaveTimer")
        self._timer.setSingleShot(True)
        self._timer.setInterval(SAVE_DELAY_MS)
        self._timer.timeout.connect(self.flush)
        session.changed.connect(self._session_changed)

    def attach(self, form: DraftControl) -> None:
        self.form = form
        self._session_changed()

    @property
    def owner(self) -> str | None:
        return self._owner

    def has_unsaved_work(self) -> bool:
        return self.form is not None and self.form.has_unsaved_work()

    # -- saving ----------------------------------------------------------------------------
    def work_changed(self) -> None:
        """The form changed (typed, attached, recorded, saved, cleared): save in a moment.
        A change while nobody owns the form (it is cleared after a sign-out) is nobody's: it
        must not later remove the next person's draft."""
        if self._owner is None:
            return
        self._pending = True
        self._timer.start()

    def flush(self) -> bool:
        """Save now what changed (or remove the draft, when nothing unsaved is left);
        False when it could not be written (it is tried again at the next flush)."""
        self._timer.stop()
        if not self._pending:
            return True
        self._pending = False
        owner, form, store = self._owner, self.form, self.store
        if owner is None or form is None or store is None:
            return True
        try:
            if form.has_unsaved_work():
                store.save(self._snapshot(owner, form))
                self.saved.emit()
            else:
                store.remove(owner)
                self.removed.emit()
        except OSError as exc:
            reason = exc.strerror.lower() if exc.strerror else str(exc)
            message = (
                f"The draft could not be saved on this computer ({reason}). What is on the "
                "screen is still here: record it, or save it as a file."
            )
            log.warning("Draft not saved: %s", exc)
            self._pending = True
            if message != self._said_problem:  # once, not at every keystroke
                self._said_problem = message
                self.problem.emit(message)
            return False
        self._said_problem = None
        return True

    def _snapshot(self, owner: str, form: DraftControl) -> SavedDraft:
        scans = tuple(
            ScanRef(scan.path, scan.document_index, sha256_of(scan.content))
            for scan in form.screen.documents.scans()
        )
        return SavedDraft(
            owner,
            self.session.now().astimezone(dt.UTC),  # the program's one clock
            form.draft(),
            form.source_path,
            scans,
        )

    def discard(self) -> None:
        """Throw the work on the form away, and its draft."""
        if self.form is not None:
            self.form.discard()  # clears the form: work_changed removes the file
        self.flush()

    # -- who is at the keyboard --------------------------------------------------------------
    def _session_changed(self) -> None:
        if self.form is None:
            return
        actor, state = self.session.actor, self.session.state
        user = actor.user if actor is not None else None
        if self._owner is not None and user != self._owner:
            self.flush()  # the owner's work, while the form still holds it
            self._owner = None
            self._pending = False
            self._said_problem = None
        elif state is SessionState.LOCKED:
            self.flush()  # an unattended screen: the work is safe on disk at once
        if state is not SessionState.SIGNED_IN or user is None:
            return
        if self._owner is None:
            self._owner = user
            self._offer_answered = False
        if not self._offer_answered:
            # After the other screens have settled (the start screen is chosen).
            QTimer.singleShot(0, self._offer)

    # -- offering it back --------------------------------------------------------------------
    def _offer(self) -> QMessageBox | None:
        if self._offer_answered or self._offer_open:
            return None
        box = self._offer_if_any()
        if box is not None or self._offer_answered:  # looked, and found one or none
            self.looked.emit(box is not None)
        return box

    def _offer_if_any(self) -> QMessageBox | None:
        owner, form, store = self._owner, self.form, self.store
        if (
            self._offer_answered
            or owner is None
            or form is None
            or store is None
            or self.session.state is not SessionState.SIGNED_IN
        ):
            return None
        if form.has_unsaved_work():
            self._offer_answered = True
            return None
        try:
            saved = store.load(owner)
        except DraftUnreadable as unreadable:
            self._offer_answered = True
            kept = store.set_aside(owner)
            where = f" It was kept as {kept} for an administrator." if kept else ""
            self.problem.emit(
                f"A request you were entering could not be read back: {unreadable}.{where}"
            )
            return None
        if saved is None:
            self._offer_answered = True
            return None
        return self._ask_to_restore(saved)

    def _ask_to_restore(self, saved: SavedDraft) -> QMessageBox:
        box = QMessageBox(self.window_parent)
        box.setObjectName("restoreDraftQuestion")
        box.setWindowTitle("Continue the request you were entering?")
        box.setAccessibleName(box.windowTitle())
        box.setIcon(QMessageBox.Icon.Question)
        box.setTextFormat(Qt.TextFormat.PlainText)
        when = format_instant_for_people(saved.saved_at.astimezone(self._zone()))
        scans = len(saved.scans)
        with_scans = f", with {scans} scan{'s' if scans != 1 else ''}" if scans else ""
        box.setText(
            f"You were entering a request that was not recorded: {saved.title()}{with_scans}."
        )
        box.setInformativeText(
            f"Last saved {when}. Continue it, or discard it for good? (It was kept because "
            "the program closed, or you signed out, before it was recorded.)"
        )
        restore = box.addButton("Continue it", QMessageBox.ButtonRole.AcceptRole)
        restore.setObjectName(RESTORE_BUTTON)
        discard = box.addButton("Discard it", QMessageBox.ButtonRole.DestructiveRole)
        discard.setObjectName(DISCARD_BUTTON)
        box.setDefaultButton(restore)
        box.setEscapeButton(restore)  # Escape loses nothing
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

        def answered(_result: int) -> None:
            self._offer_open = False
            clicked = box.clickedButton()
            if clicked is None:  # closed unanswered (the screen locked): asked again later
                return
            self._offer_answered = True
            if self._owner != saved.user or self.form is None or self.store is None:
                return
            if clicked is discard:
                self.store.remove(saved.user)
                self.removed.emit()
            else:
                self.form.restore(saved)

        box.finished.connect(answered)
        lock_works_in(box)
        box.open()
        self._offer_open = True
        self.offered.emit(box)
        return box

    def _zone(self) -> dt.tzinfo:
        from ..records.common import county_zone

        try:
            return county_zone(self.session)
        except RecordError:
            return dt.UTC

    # -- leaving -----------------------------------------------------------------------------
    def ask_before_leaving(self, leaving: str, then: Callable[[], None]) -> QMessageBox | None:
        """If there is unsaved work, ask whether to keep it as a draft, discard it, or stay
        (``leaving``: "Sign out", "Close Detainer Desk"); ``then`` runs after Keep or
        Discard. None when there was nothing to ask (``then`` has not run: the caller goes
        on)."""
        form = self.form
        if (
            form is None
            or self._owner is None
            or self.session.state is not SessionState.SIGNED_IN
            or not form.has_unsaved_work()
        ):
            return None
        draft = form.draft()
        title = SavedDraft(self._owner, self.session.now(), draft).title()
        scans = len(form.screen.documents.scans())
        with_scans = f" and {scans} scan{'s' if scans != 1 else ''}" if scans else ""
        box = QMessageBox(self.window_parent)
        box.setObjectName("leaveWithDraftQuestion")
        box.setWindowTitle(f"{leaving}? The request is not recorded")
        box.setAccessibleName(box.windowTitle())
        box.setIcon(QMessageBox.Icon.Warning)
        box.setTextFormat(Qt.TextFormat.PlainText)
        box.setText(f"The request on screen ({title}{with_scans}) has not been recorded.")
        box.setInformativeText(
            "Keep it as a draft on this computer: it is offered to you, and only to you, the "
            "next time you sign in here. Or discard it for good. Or cancel, and go on with it."
        )
        keep = box.addButton("Keep the draft", QMessageBox.ButtonRole.AcceptRole)
        keep.setObjectName(KEEP_BUTTON)
        discard = box.addButton("Discard", QMessageBox.ButtonRole.DestructiveRole)
        discard.setObjectName(DISCARD_BUTTON)
        cancel = box.addButton("Cancel", QMessageBox.ButtonRole.RejectRole)
        cancel.setObjectName(CANCEL_BUTTON)
        box.setDefaultButton(keep)
        box.setEscapeButton(cancel)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

        def answered(_result: int) -> None:
            clicked = box.clickedButton()
            if clicked is keep:
                self._pending = True
                if self.flush():
                    then()
                # Not written: stay (the banner says why), rather than lose the work.
            elif clicked is discard:
                self.discard()
                then()

        box.finished.connect(answered)
        lock_works_in(box)
        box.open()
        return box
