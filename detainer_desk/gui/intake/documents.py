"""The second page of the request form: the papers that came with the detainer, each with
its judicial-warrant checklist (forms/intake_document.ui), and the scans of them.

The checklist's verdict is worked out by the presenter (``presenter.warrant_verdict``, the
engine's own test); this page only shows it. Scans are read by the controller on a worker
thread; this page lists them, says what each shows, and previews the selected one.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QDragEnterEvent, QDropEvent, QFont, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from detainer_desk.domain import vocabulary as v
from detainer_desk.services.records import media_type_for

from ..widgets import bold, error_colour, note_colour
from .dates import DateEntry
from .draft import DocumentDraft
from .presenter import Verdict, document_title
from .scans import PickedScan, ScanPreview
from .ui import Note, child, freeze, load_form, push_button

DOCUMENT_TEXT = {
    "court": "documentCourt",
    "issued_on": "documentIssuedOn",
    "expires_on": "documentExpiresOn",
}
DOCUMENT_CHECKS = {
    "signed": "documentSigned",
    "names_subject": "documentNamesSubject",
    "final": "documentFinal",
}
DOCUMENT_COMBOS = {
    "kind": "documentKind",
    "signer_role": "documentSignerRole",
    "court_system": "documentCourtSystem",
}
SIGNER_WORDS = {
    "judge": "A judge",
    "magistrate": "A magistrate",
    "immigration_judge": "An immigration judge",
    "immigration_officer": "An immigration officer",
    "other": "Someone else",
}
DETAINER_ITSELF = "The detainer form itself"


def _heading(text: str, name: str) -> QLabel:
    label = QLabel(text)
    label.setObjectName(name)
    label.setAccessibleName(text)
    label.setFont(bold(label.font()))
    return label


def _column(
    name: str, margins: tuple[int, int, int, int], heading: str, heading_name: str
) -> tuple[QWidget, QVBoxLayout]:
    """One side of the splitter, its heading on top; the widget and its column."""
    widget = QWidget()
    widget.setObjectName(name)
    column = QVBoxLayout(widget)
    column.setContentsMargins(*margins)
    column.setSpacing(8)
    column.addWidget(_heading(heading, heading_name))
    return widget, column


def _button_row(*buttons: QPushButton) -> QHBoxLayout:
    """Buttons side by side from the left."""
    row = QHBoxLayout()
    for button in buttons:
        row.addWidget(button)
    row.addStretch(1)
    return row


class DocumentsPanel(QWidget):
    edited = Signal(str)  # "documents"
    submitted = Signal()  # Enter in a text field
    document_selected = Signal()
    attach_requested = Signal()
    files_dropped = Signal(list)  # local paths
    scans_changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("documentsPage")
        self.setAccessibleName("Documents and scans")
        self.setAcceptDrops(True)
        self._documents: list[DocumentDraft] = []
        self._scans: list[PickedScan] = []
        self._problems: dict[int, dict[str, str]] = {}
        self._read_only = False
        self._verdict: Verdict | None = None

        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.setObjectName("documentsSplitter")
        splitter.setChildrenCollapsible(False)
        outer = QHBoxLayout(self)
        outer.setContentsMargins(12, 12, 12, 12)
        outer.addWidget(splitter)

        # -- left: the documents and the checklist of the selected one --
        left, column = _column(
            "documentsColumn",
            (0, 0, 8, 0),
            "Papers that came with the detainer",
            "documentsHeading",
        )
        self.list = QListWidget()
        self.list.setObjectName("documentList")
        self.list.setAccessibleName("Documents that came with the request")
        self.list.setMaximumHeight(92)
        self.list.currentRowChanged.connect(self._select)
        column.addWidget(self.list)
        self.add_button = push_button("&Add document", "documentAdd", "Add a document")
        self.remove_button = push_button(
            "Remove document", "documentRemove", "Remove this document"
        )
        self.add_button.clicked.connect(self.add_document)
        self.remove_button.clicked.connect(self.remove_document)
        column.addLayout(_button_row(self.add_button, self.remove_button))
        self.list_problem = Note(QLabel(), "Problem with the documents")
        self.list_problem.label.setObjectName("documentsError")
        column.addWidget(self.list_problem.label)

        self.empty_note = QLabel(
            "No documents yet. Add one for each paper that came with the detainer "
            "(an I-200 or I-205, a warrant, a court order, a removal order), then fill in its "
            "checklist from the paper itself."
        )
        self.empty_note.setObjectName("documentsEmpty")
        self.empty_note.setAccessibleName("No documents yet")
        self.empty_note.setWordWrap(True)
        column.addWidget(self.empty_note)

        editor = load_form("intake_document.ui")
        self.editor = editor
        self.texts = {key: child(editor, QLineEdit, name) for key, name in DOCUMENT_TEXT.items()}
        self.checks = {key: child(editor, QCheckBox, name) for key, name in DOCUMENT_CHECKS.items()}
        self.combos = {key: child(editor, QComboBox, name) for key, name in DOCUMENT_COMBOS.items()}
        self.combos["kind"].addItem("Choose…", "")
        for kind in v.DOCUMENT_KINDS:
            words = v.DOCUMENT_KIND_WORDS[kind]
            self.combos["kind"].addItem(words[0].upper() + words[1:], kind)
        self.combos["signer_role"].addItem("Not stated", "")
        for role in v.SIGNER_ROLES:
            self.combos["signer_role"].addItem(SIGNER_WORDS[role], role)
        self.combos["court_system"].addItem("Not stated", "")
        self.combos["court_system"].addItem("Federal court", "federal")
        self.combos["court_system"].addItem("State court", "state")
        for combo in self.combos.values():
            # Wide enough to read, but never wider than the column: the column sets the width.
            combo.setSizeAdjustPolicy(
                QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
            )
            combo.setMinimumContentsLength(14)
        self.notes: dict[str, Note] = {}
        for key, name in {**DOCUMENT_TEXT, **DOCUMENT_CHECKS, **DOCUMENT_COMBOS}.items():
            self.notes[key] = Note(child(editor, QLabel, f"{name}Error"), f"Problem with {key}")
        for edit in self.texts.values():
            edit.textEdited.connect(self._editor_changed)
            edit.returnPressed.connect(self.submitted)
        self.date_entries = [DateEntry(self.texts[key]) for key in ("issued_on", "expires_on")]
        for box in self.checks.values():
            box.toggled.connect(self._editor_changed)
        for combo in self.combos.values():
            combo.currentIndexChanged.connect(self._editor_changed)

        self.verdict_frame = child(editor, QFrame, "documentVerdictFrame")
        self.verdict_frame.setFrameShape(QFrame.Shape.StyledPanel)
        self.verdict = child(editor, QLabel, "documentVerdict")
        self.verdict.setFont(bold(self.verdict.font()))
        font = QFont(self.verdict.font())
        font.setPointSizeF(font.pointSizeF() + 2)
        self.verdict.setFont(font)
        self.verdict_reasons = child(editor, QLabel, "documentVerdictReasons")
        self.verdict_reasons.setTextFormat(Qt.TextFormat.PlainText)
        self.verdict_heading = QLabel("Does it count as a judicial warrant?")
        self.verdict_heading.setObjectName("documentVerdictHeading")
        self.verdict_heading.setAccessibleName("Judicial-warrant checklist")
        verdict_box = self.verdict_frame.layout()
        assert isinstance(verdict_box, QVBoxLayout)
        verdict_box.insertWidget(0, self.verdict_heading)

        editor_scroll = QScrollArea()
        editor_scroll.setObjectName("documentEditorScroll")
        editor_scroll.setWidgetResizable(True)
        editor_scroll.setFrameShape(QFrame.Shape.NoFrame)
        editor_scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        editor_scroll.setWidget(editor)
        column.addWidget(editor_scroll, 1)
        splitter.addWidget(left)

        # -- right: the scans --
        right, scans = _column("scansColumn", (8, 0, 0, 0), "Scans", "scansHeading")
        self.scan_list = QListWidget()
        self.scan_list.setObjectName("scanList")
        self.scan_list.setAccessibleName("Attached scans")
        self.scan_list.setMaximumHeight(76)
        self.scan_list.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        self.scan_list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.scan_list.currentRowChanged.connect(self._select_scan)
        scans.addWidget(self.scan_list)
        self.attach_button = push_button("A&ttach scan…", "scanAttach", "Attach a scan")
        self.remove_scan_button = push_button("Remove scan", "scanRemove", "Remove this scan")
        self.attach_button.clicked.connect(self.attach_requested)
        self.remove_scan_button.clicked.connect(self.remove_scan)
        scans.addLayout(_button_row(self.attach_button, self.remove_scan_button))
        shows_row = QHBoxLayout()
        shows_label = QLabel("This scan &shows:")
        shows_label.setObjectName("scanShowsLabel")
        self.shows = QComboBox()
        self.shows.setObjectName("scanShows")
        self.shows.setAccessibleName("What this scan shows")
        self.shows.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        shows_label.setBuddy(self.shows)
        self.shows.currentIndexChanged.connect(self._shows_changed)
        shows_row.addWidget(shows_label)
        shows_row.addWidget(self.shows, 1)
        scans.addLayout(shows_row)
        self.scan_message = Note(QLabel(), "About the scans")
        self.scan_message.label.setObjectName("scanMessage")
        scans.addWidget(self.scan_message.label)
        self.preview = ScanPreview()
        scans.addLayout(self._zoom_bar(right))
        scans.addWidget(self.preview, 1)
        self._loading_names: list[str] = []  # scans being read, in the order asked for
        splitter.addWidget(right)
        splitter.setStretchFactor(0, 1)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([400, 400])

        self._refresh_list()
        self._refresh_scans()

    def _zoom_bar(self, column: QWidget) -> QHBoxLayout:
        """Zoom out, zoom in and fit, by button or key (Ctrl+-, Ctrl++, Ctrl+0 anywhere in
        the scans column; Ctrl with the wheel over the scan)."""
        row = QHBoxLayout()
        row.setSpacing(4)
        preview = self.preview
        self.zoom_out_button = push_button(
            "−", "scanZoomOut", "Zoom out", "Zoom out (Ctrl+minus, or Ctrl with the wheel)"
        )
        self.zoom_in_button = push_button(
            "+", "scanZoomIn", "Zoom in", "Zoom in (Ctrl+plus, or Ctrl with the wheel)"
        )
        self.fit_button = push_button(
            "&Fit width", "scanZoomFit", "Fit the scan to the width", "Fit the width (Ctrl+0)"
        )
        self.zoom_label = QLabel()
        self.zoom_label.setObjectName("scanZoom")
        self.zoom_label.setAccessibleName("Zoom")
        for button, act in (
            (self.zoom_out_button, preview.zoom_out),
            (self.zoom_in_button, preview.zoom_in),
            (self.fit_button, preview.fit),
        ):
            button.clicked.connect(act)
            row.addWidget(button)
        for keys, act in (
            (("Ctrl+-",), preview.zoom_out),
            (("Ctrl++", "Ctrl+="), preview.zoom_in),
            (("Ctrl+0",), preview.fit),
        ):
            for key in keys:
                shortcut = QShortcut(QKeySequence(key), column)
                shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
                shortcut.activated.connect(act)
        row.addWidget(self.zoom_label)
        row.addStretch(1)
        preview.zoom_changed.connect(self._show_zoom)
        self._show_zoom("")
        return row

    def _show_zoom(self, words: str) -> None:
        showing = bool(words)
        self.zoom_label.setText(words)
        self.zoom_label.setAccessibleDescription(words)
        for button in (self.zoom_out_button, self.zoom_in_button, self.fit_button):
            button.setEnabled(showing)

    # -- documents ---------------------------------------------------------------------------
    def documents(self) -> list[DocumentDraft]:
        return [dataclasses.replace(d) for d in self._documents]

    def set_documents(self, documents: list[DocumentDraft]) -> None:
        self._documents = [dataclasses.replace(d) for d in documents]
        self._problems = {}
        self._refresh_list()
        self.list.setCurrentRow(0 if self._documents else -1)
        self._select(self.list.currentRow())

    def current_index(self) -> int | None:
        row = self.list.currentRow()
        return row if 0 <= row < len(self._documents) else None

    def current_document(self) -> DocumentDraft | None:
        index = self.current_index()
        return self._documents[index] if index is not None else None

    def select_document(self, index: int) -> None:
        if 0 <= index < len(self._documents):
            self.list.setCurrentRow(index)

    def add_document(self) -> None:
        self._documents.append(DocumentDraft())
        self._refresh_list()
        self.list.setCurrentRow(len(self._documents) - 1)
        self.edited.emit("documents")
        self.combos["kind"].setFocus()

    def remove_document(self) -> None:
        index = self.current_index()
        if index is None:
            return
        del self._documents[index]
        # A scan of the removed paper goes with it; later papers move up one place.
        kept = []
        for scan in self._scans:
            shown = scan.document_index
            if shown == index:
                continue
            if shown is not None and shown > index:
                kept.append(dataclasses.replace(scan, document_index=shown - 1))
            else:
                kept.append(scan)
        removed_scans = len(self._scans) - len(kept)
        self._scans = kept
        self._refresh_list()
        self.list.setCurrentRow(min(index, len(self._documents) - 1))
        self._refresh_scans()
        if removed_scans:
            self.scan_message.show_remark(
                f"Document {index + 1} was removed with its {removed_scans} scan(s)."
            )
            self.scans_changed.emit()
        self.edited.emit("documents")

    def _select(self, row: int) -> None:
        has = 0 <= row < len(self._documents)
        self.editor.setVisible(has)
        self.empty_note.setVisible(not self._documents)
        self.remove_button.setEnabled(has and not self._read_only)
        if has:
            self._show_in_editor(self._documents[row])
            self._show_editor_problems()
        self.document_selected.emit()

    def _show_in_editor(self, doc: DocumentDraft) -> None:
        widgets: list[QWidget] = [
            *self.texts.values(),
            *self.checks.values(),
            *self.combos.values(),
        ]
        for widget in widgets:
            widget.blockSignals(True)
        try:
            for key, edit in self.texts.items():
                edit.setText(getattr(doc, key))
                edit.setCursorPosition(0)
            for key, box in self.checks.items():
                box.setChecked(getattr(doc, key))
            for key, combo in self.combos.items():
                combo.setCurrentIndex(max(0, combo.findData(getattr(doc, key))))
        finally:
            for widget in widgets:
                widget.blockSignals(False)

    def _editor_changed(self) -> None:
        index = self.current_index()
        if index is None:
            return
        doc = self._documents[index]
        for key, edit in self.texts.items():
            setattr(doc, key, edit.text())
        for key, box in self.checks.items():
            setattr(doc, key, box.isChecked())
        for key, combo in self.combos.items():
            setattr(doc, key, str(combo.currentData() or ""))
        self._refresh_item(index)
        self._refresh_shows()
        self.edited.emit("documents")

    def _item_text(self, index: int) -> str:
        text = document_title(index + 1, self._documents[index])
        problems = len(self._problems.get(index, {}))
        if problems:
            text += f"   ⚠ {problems} problem{'s' if problems != 1 else ''}"
        return text

    def _refresh_item(self, index: int) -> None:
        item = self.list.item(index)
        if item is not None:
            item.setText(self._item_text(index))
            item.setData(Qt.ItemDataRole.AccessibleTextRole, item.text())

    def _refresh_list(self) -> None:
        self.list.blockSignals(True)
        try:
            current = self.list.currentRow()
            self.list.clear()
            for index in range(len(self._documents)):
                item = QListWidgetItem(self._item_text(index))
                item.setData(Qt.ItemDataRole.AccessibleTextRole, item.text())
                self.list.addItem(item)
            if 0 <= current < len(self._documents):
                self.list.setCurrentRow(current)
        finally:
            self.list.blockSignals(False)
        self.empty_note.setVisible(not self._documents)
        self.editor.setVisible(self.current_index() is not None)
        self._refresh_shows()

    # -- problems and the checklist's verdict ---------------------------------------------------
    def show_problems(self, problems: dict[int, dict[str, str]], general: str | None) -> None:
        """``problems``: document index -> field -> message (fields of DOCUMENT_LABELS, or ""
        for the document as a whole)."""
        self._problems = problems
        for index in range(len(self._documents)):
            self._refresh_item(index)
        if general:
            self.list_problem.show_problem(general)
        else:
            self.list_problem.clear()
        self._show_editor_problems()

    def _show_editor_problems(self) -> None:
        index = self.current_index()
        found = self._problems.get(index, {}) if index is not None else {}
        for key, note in self.notes.items():
            if key in found:
                note.show_problem(found[key])
            else:
                note.clear()

    def show_verdict(self, verdict: Verdict | None) -> None:
        if verdict == self._verdict:
            return
        self._verdict = verdict
        if verdict is None:
            self.verdict.clear()
            self.verdict_reasons.clear()
            return
        if verdict.counts is True:
            colour = note_colour(self.palette())
            headline = f"✔ {verdict.headline}"
        elif verdict.counts is False and verdict.judicial_kind:
            colour = error_colour(self.palette())
            headline = f"✘ {verdict.headline}"
        else:
            colour = ""
            headline = verdict.headline
        self.verdict.setStyleSheet(f"color: {colour};" if colour else "")
        self.verdict.setText(headline)
        self.verdict.setAccessibleDescription(headline)
        reasons = "\n".join(f"• {reason}" for reason in verdict.reasons)
        self.verdict_reasons.setText(reasons)
        self.verdict_reasons.setAccessibleDescription(reasons)
        self.verdict_reasons.setVisible(bool(reasons))

    def widget_for(self, field: str) -> QWidget | None:
        return self.texts.get(field) or self.checks.get(field) or self.combos.get(field)

    # -- scans ---------------------------------------------------------------------------------
    def scans(self) -> list[PickedScan]:
        return list(self._scans)

    def add_scan(self, scan: PickedScan) -> None:
        self._scans.append(scan)
        self._refresh_scans()
        self.scan_list.setCurrentRow(len(self._scans) - 1)
        self.scans_changed.emit()

    def set_scans(self, scans: list[PickedScan]) -> None:
        self._scans = list(scans)
        self._refresh_scans()
        if not scans:
            self.preview.clear()

    def remove_scan(self) -> None:
        row = self.scan_list.currentRow()
        if not 0 <= row < len(self._scans):
            return
        del self._scans[row]
        self._refresh_scans()
        self.scan_list.setCurrentRow(min(row, len(self._scans) - 1))
        if self._scans:
            self._select_scan(self.scan_list.currentRow())
        else:
            self.preview.clear()
        self.scans_changed.emit()

    def _scan_text(self, scan: PickedScan) -> str:
        shows = (
            "the detainer" if scan.document_index is None else f"document {scan.document_index + 1}"
        )
        return f"{scan.file_name} — {shows}"

    @staticmethod
    def _scan_tip(scan: PickedScan) -> str:
        pages = f", {scan.pages} page{'s' if scan.pages != 1 else ''}" if scan.pages else ""
        return f"{scan.path} ({scan.size_text}{pages})"

    def _refresh_scans(self) -> None:
        self.scan_list.blockSignals(True)
        try:
            current = self.scan_list.currentRow()
            self.scan_list.clear()
            for scan in self._scans:
                item = QListWidgetItem(self._scan_text(scan))
                item.setData(Qt.ItemDataRole.AccessibleTextRole, item.text())
                item.setToolTip(self._scan_tip(scan))
                self.scan_list.addItem(item)
            if 0 <= current < len(self._scans):
                self.scan_list.setCurrentRow(current)
        finally:
            self.scan_list.blockSignals(False)
        self._refresh_shows()
        self._update_scan_buttons()

    def _refresh_shows(self) -> None:
        row = self.scan_list.currentRow()
        scan = self._scans[row] if 0 <= row < len(self._scans) else None
        self.shows.blockSignals(True)
        try:
            self.shows.clear()
            self.shows.addItem(DETAINER_ITSELF, None)
            for index, doc in enumerate(self._documents):
                self.shows.addItem(document_title(index + 1, doc), index)
            if scan is not None:
                self.shows.setCurrentIndex(max(0, self.shows.findData(scan.document_index)))
        finally:
            self.shows.blockSignals(False)
        self._update_scan_buttons()

    def _select_scan(self, row: int) -> None:
        self._refresh_shows()
        if 0 <= row < len(self._scans):
            self.preview.show_scan(self._scans[row])

    def _shows_changed(self) -> None:
        row = self.scan_list.currentRow()
        if not 0 <= row < len(self._scans):
            return
        index = self.shows.currentData()
        self._scans[row] = dataclasses.replace(
            self._scans[row], document_index=index if isinstance(index, int) else None
        )
        item = self.scan_list.item(row)
        item.setText(self._scan_text(self._scans[row]))
        item.setData(Qt.ItemDataRole.AccessibleTextRole, item.text())
        self.scans_changed.emit()

    def _update_scan_buttons(self) -> None:
        has_scan = 0 <= self.scan_list.currentRow() < len(self._scans)
        self.remove_scan_button.setEnabled(has_scan and not self._read_only)
        self.shows.setEnabled(has_scan and not self._read_only)
        self.attach_button.setEnabled(not self._read_only)

    def show_loading(self, file_name: str) -> None:
        self._loading_names.append(file_name)
        self.preview.show_loading(file_name)

    def loading_done(self, file_name: str) -> None:
        """A scan was read (or refused): the preview shows what is still being read, else
        the selected scan, else the placeholder; never "Loading" a file no longer loading."""
        if file_name in self._loading_names:
            self._loading_names.remove(file_name)
        if self._loading_names:
            self.preview.show_loading(self._loading_names[-1])
            return
        row = self.scan_list.currentRow()
        if 0 <= row < len(self._scans):
            self.preview.show_scan(self._scans[row])
        else:
            self.preview.show_placeholder()

    def forget_loading(self) -> None:
        self._loading_names.clear()

    def show_scan_message(self, text: str, problem: bool, *, warning: bool = False) -> None:
        if problem:
            self.scan_message.show_problem(text)
        elif warning:
            self.scan_message.show_warning(text)
        else:
            self.scan_message.show_remark(text)

    # -- drag and drop -------------------------------------------------------------------------
    @staticmethod
    def _local_files(event: QDragEnterEvent | QDropEvent) -> list[str]:
        data = event.mimeData()
        if not data.hasUrls():
            return []
        return [url.toLocalFile() for url in data.urls() if url.isLocalFile()]

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        files = self._local_files(event)
        if not self._read_only and any(media_type_for(Path(f).name) for f in files):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dropEvent(self, event: QDropEvent) -> None:
        files = self._local_files(event)
        if self._read_only or not files:
            event.ignore()
            return
        event.acceptProposedAction()
        self.files_dropped.emit(files)

    # -- read-only after recording -------------------------------------------------------------
    def set_read_only(self, read_only: bool) -> None:
        self._read_only = read_only
        self.setAcceptDrops(not read_only)
        self.add_button.setEnabled(not read_only)
        for edit in self.texts.values():
            edit.setReadOnly(read_only)
        for widget in [*self.checks.values(), *self.combos.values()]:
            freeze(widget, read_only)
        self.remove_button.setEnabled(self.current_index() is not None and not read_only)
        self._update_scan_buttons()
