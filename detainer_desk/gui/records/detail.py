"""One decision, everything about it: the request as entered, the documents and scans, the
reasons with their citations, the exact policy text it was decided under, and every later
amendment in the order it was recorded. Read-only: later facts are added as amendments
on the review queue and the holds board, never here.
"""

from __future__ import annotations

import datetime as dt
import html
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, Qt
from PySide6.QtGui import QFontDatabase, QImage, QPixmap
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPdfWidgets import QPdfView
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMenu,
    QPlainTextEdit,
    QScrollArea,
    QSplitter,
    QStackedWidget,
    QTabWidget,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from detainer_desk.adapters.pdf import words as w
from detainer_desk.domain import accounts as acc
from detainer_desk.domain import lifecycle as lc
from detainer_desk.domain.clock import to_aware
from detainer_desk.domain.describe import TRIGGER_WORDS, describe_policy
from detainer_desk.domain.details import details_text
from detainer_desk.domain.headline import headline
from detainer_desk.domain.outcomes import Outcome
from detainer_desk.domain.vocabulary import ACTIONS, OUTCOME_WORDS, SIGNER_ROLE_WORDS
from detainer_desk.services import board, policies, records
from detainer_desk.services.county_clock import county_zone as read_county_zone
from detainer_desk.services.documents import contacts_about
from detainer_desk.services.ports import (
    Actor,
    AttachmentInfo,
    ContactRecord,
    DecisionRow,
    UnitOfWork,
)

from ..changes import DECISION_AMENDED, Change, Kinds
from ..fit import fit_to_screen, size_to_current_page
from ..session import Session
from ..tasks import TaskRunner
from ..widgets import MessageLabel, heading, paragraph, push_button, rich_label
from .common import (
    NOTHING,
    SaveChooser,
    ask_save_path,
    full_time,
    short_time,
)
from .documents import AUDIT_PDF, NOTICE, DecisionDocuments, PrinterChooser, ask_printer
from .tasks import run_in_background

CONTACT_COLUMNS = (
    "#",
    "What",
    "When",
    "Agency",
    "Details",
    "Reason or the policy's answer",
    "Recorded",
    "Chain",
)
HISTORY_COLUMNS = ("#", "Recorded", "By", "Workstation", "What", "Effective", "Reason", "Details")
PDF_MEDIA_TYPE = "application/pdf"


def _e(value: object) -> str:
    return html.escape(str(value))


def _facts_html(rows: Sequence[tuple[str, str]]) -> str:
    cells = "".join(
        f"<tr><td style='padding:3px 14px 3px 0; color:palette(placeholder-text)'>{_e(label)}"
        f"</td><td style='padding:3px 0'>{value}</td></tr>"
        for label, value in rows
    )
    return f"<table cellspacing='0'>{cells}</table>"


def _grid_html(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    head = "".join(f"<th align='left' style='padding:4px 8px'>{_e(h)}</th>" for h in headers)
    body = "".join(
        "<tr>"
        + "".join(f"<td style='padding:4px 8px' valign='top'>{c}</td>" for c in row)
        + "</tr>"
        for row in rows
    )
    return (
        "<table border='1' cellspacing='0' cellpadding='0' style='border-collapse:collapse' "
        f"width='99%'><tr>{head}</tr>{body}</table>"
    )


class DecisionDetailDialog(QDialog):
    """Opened with ``open()`` (never modal to the whole program): several can be compared."""

    def __init__(
        self,
        session: Session,
        tasks: TaskRunner,
        row: DecisionRow,
        state: lc.DecisionState,
        parent: QWidget | None = None,
        *,
        zone: ZoneInfo,
        contacts: Sequence[ContactRecord] | None = None,
    ) -> None:
        """``zone`` (the county's) and ``contacts`` as read in the background with the
        decision (``read_detail``); without the contacts, they are read in the background."""
        super().__init__(parent)
        self.session = session
        self.tasks = tasks
        self.row = row
        self.state = state
        self.decision_id = row.summary.decision_id
        self.request: Mapping[str, Any] = row.request
        self.decision: Mapping[str, Any] = row.decision
        # Times are shown in the county's zone; a time in the request written without an
        # offset was read in the zone of the policy it was decided under (contract 1).
        self.zone: ZoneInfo = zone
        self.policy_zone: ZoneInfo = policies.load_policy(row.policy).zone
        self.choose_save_path: SaveChooser = ask_save_path
        self.choose_printer: PrinterChooser = ask_printer
        self.saved_path: str | None = None
        self._pdf_buffer: QBuffer | None = None

        summary = row.summary
        title = f"Decision {self.decision_id}: {summary.subject_name}"
        self.setObjectName("decisionDetailDialog")
        self.setWindowTitle(title)
        self.setAccessibleName(title)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        fit_to_screen(self, 1040, 680)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 14, 16, 12)
        layout.setSpacing(8)
        layout.addWidget(
            heading(
                f"{summary.subject_name} · booking {summary.booking_number}", "detailHeading", 4
            )
        )
        layout.addWidget(self._headline())

        self.tabs = QTabWidget()
        self.tabs.setObjectName("detailTabs")
        self.tabs.setAccessibleName("Parts of the record")
        self.tabs.addTab(self._request_tab(), "Request")
        self.tabs.addTab(self._documents_tab(), "Documents")
        self.tabs.addTab(self._reasons_tab(), "Reasons and citations")
        self.tabs.addTab(self._policy_tab(), "Policy version")
        self.tabs.addTab(self._history_tab(), f"History ({len(row.amendments)} amendments)")
        self.contacts_view = self._browser("detailContacts", "ICE contacts about this decision", "")
        self.tabs.addTab(self.contacts_view, "ICE contacts")
        self.contact_records: list[ContactRecord] = []
        self._show_contacts(contacts or [])
        self.tabs.addTab(self._raw_tab(), "As entered")
        size_to_current_page(self.tabs)  # the dialog fits a small screen on any tab
        layout.addWidget(self.tabs, 1)

        self.message = MessageLabel("detailMessage", "Message")
        layout.addWidget(self.message)
        buttons = QDialogButtonBox()
        buttons.setObjectName("detailButtons")
        # The audit PDF and the notice to the person, saved or printed again at any time
        # (each one made is in the audit trail).
        self.documents = DecisionDocuments(session, tasks, self, self.message)
        self.documents.busy_changed.connect(lambda _busy: self._update_buttons())
        self.documents.finished.connect(self._document_done)
        summary = row.summary
        self.save_button = push_button(
            "&Save audit PDF…",
            "detailSaveAuditPdf",
            "Save the audit PDF of this decision",
            on_click=lambda: self.documents.save(
                self.decision_id, summary.booking_number, AUDIT_PDF
            ),
        )
        self.print_audit_button = push_button(
            "&Print audit PDF…",
            "detailPrintAuditPdf",
            "Print the audit PDF of this decision",
            on_click=lambda: self.documents.print(self.decision_id, AUDIT_PDF),
        )
        self.save_notice_button = push_button(
            "Save &notice…",
            "detailSaveNotice",
            "Save the notice to the person again",
            on_click=lambda: self.documents.save(self.decision_id, summary.booking_number, NOTICE),
        )
        self.print_notice_button = push_button(
            "Print no&tice…",
            "detailPrintNotice",
            "Print the notice to the person again",
            on_click=lambda: self.documents.print(self.decision_id, NOTICE),
        )
        for button in (
            self.save_button,
            self.print_audit_button,
            self.save_notice_button,
            self.print_notice_button,
        ):
            buttons.addButton(button, QDialogButtonBox.ButtonRole.ActionRole)
        # Any later contact with immigration enforcement about this person, and the facts
        # the statutory reports need: one button with a menu (the row must fit a small
        # screen at 200 %).
        self.reports_button = push_button(
            "For &reports", "detailForReports", "Record an ICE contact or facts for the reports"
        )
        reports_menu = QMenu(self.reports_button)
        reports_menu.setObjectName("detailForReportsMenu")
        reports_menu.setToolTipsVisible(True)
        self.contact_action = reports_menu.addAction("Record an ICE &contact…")
        self.contact_action.setObjectName("detailRecordContact")
        self.contact_action.triggered.connect(self.record_contact)
        self.facts_action = reports_menu.addAction("&Facts for the reports…")
        self.facts_action.setObjectName("detailReportFacts")
        self.facts_action.triggered.connect(self.record_report_facts)
        self.notices_action = reports_menu.addAction("&Notices for this person…")
        self.notices_action.setObjectName("detailLawNotices")
        self.notices_action.triggered.connect(self.open_law_notices)
        self.reports_button.setMenu(reports_menu)
        buttons.addButton(self.reports_button, QDialogButtonBox.ButtonRole.ActionRole)
        for action, permission, allowed_tip, refused_tip in (
            (
                self.contact_action,
                acc.RECORD_DECISION,
                "An interview or information request, a release date given, a transfer, ...",
                "Needs a role that may record decisions",
            ),
            (
                self.notices_action,
                acc.PRINT_RECORDS,
                "The notices and forms the county's law names, with this person's name",
                "Needs a role that may print records",
            ),
            (
                self.facts_action,
                acc.AMEND_DECISION,
                "When bail was posted; sex, race, ethnicity, preferred language",
                "Needs a role that may amend decisions",
            ),
        ):
            allowed = session.may(permission)
            action.setEnabled(allowed)
            action.setToolTip(allowed_tip if allowed else refused_tip)
        self.reports_button.setEnabled(
            any(
                a.isEnabled() for a in (self.contact_action, self.facts_action, self.notices_action)
            )
        )
        self.contact_dialog: QDialog | None = None
        self.notices_dialog: QDialog | None = None
        self.facts_dialog: QDialog | None = None
        self._update_buttons()
        self.close_button = buttons.addButton(QDialogButtonBox.StandardButton.Close)
        self.close_button.setObjectName("detailClose")
        self.close_button.setAccessibleName("Close")
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        if contacts is None:
            self.refresh_contacts()
        # A contact recorded from any screen of this window: read them again.
        tasks.changes.when((Change.CONTACTS,), self._contacts_changed)

    # ----------------------------------------------------------------- header
    def _headline(self) -> QLabel:
        summary, state = self.row.summary, self.state
        shown = headline(
            state.outcome, None, state.hold_until, lambda moment: full_time(moment, self.zone)
        )
        words = shown.text
        if state.outcome == Outcome.HOLD and shown.deadline is None:
            words += " (the clock starts when release eligibility is recorded)"
        recorded = OUTCOME_WORDS.get(summary.outcome, summary.outcome)
        if summary.outcome == Outcome.REVIEW and summary.tentative_outcome:
            recorded += f", tentatively {OUTCOME_WORDS.get(summary.tentative_outcome, '')}"
        past = state.past_deadline_words()
        text = (
            f"<b>{_e(words)}</b> · status: <b>{_e(state.status)}</b>"
            + (f" · <b style='color:#b00020'>{_e(past[0].upper() + past[1:])}</b>" if past else "")
            + "<br>"
            f"Decision {self.decision_id}, recorded as {_e(recorded)} by "
            f"{_e(summary.recorded_by)} on {_e(self.row.workstation)}, "
            f"{_e(full_time(summary.recorded_at, self.zone))}"
        )
        label = rich_label("detailHeadline", "Outcome and status", text)
        label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        return label

    # ---------------------------------------------------------------- request
    def _browser(self, object_name: str, accessible_name: str, body: str) -> QTextBrowser:
        browser = QTextBrowser()
        browser.setObjectName(object_name)
        browser.setAccessibleName(accessible_name)
        browser.setOpenExternalLinks(False)
        browser.setHtml(body)
        return browser

    def _instant(self, value: object) -> str:
        if not value:
            return "not stated"
        try:
            moment = dt.datetime.fromisoformat(str(value))
        except ValueError:
            return _e(value)
        if moment.tzinfo is None:
            moment = to_aware(moment, self.policy_zone)
        return _e(full_time(moment, self.zone))

    def _request_tab(self) -> QWidget:
        request, summary = self.request, self.row.summary
        subject = w.section(request, "subject")
        detainer = w.section(request, "detainer")
        claim = bool(subject.get("citizenship_claim"))
        facts = [
            ("Name", f"<b>{_e(w.text_of(subject.get('name'), summary.subject_name))}</b>"),
            ("Date of birth", _e(w.text_of(subject.get("dob"), summary.dob))),
            ("Booking number", _e(summary.booking_number)),
            ("A-number", _e(w.text_of(subject.get("a_number") or summary.a_number))),
            (
                "Claims U.S. citizenship",
                "<b>YES: the person says they are a U.S. citizen</b>" if claim else "no",
            ),
            (
                "U.S. citizenship indicators",
                _e(w.coded(subject.get("us_citizenship_indicators"), w.INDICATOR_WORDS)),
            ),
            ("Detainer form", _e(w.text_of(detainer.get("form"), summary.form))),
            ("Issued by ICE", self._instant(detainer.get("issued_at"))),
            ("Received by the jail", self._instant(request.get("received_at"))),
            ("Issuing office", _e(w.text_of(detainer.get("issuing_office")))),
            ("ICE officer", _e(w.text_of(detainer.get("officer")))),
            ("ICE asks the jail to", _e(w.coded(detainer.get("requested"), w.REQUESTED_WORDS))),
            (
                "Probable-cause basis",
                _e(w.coded(detainer.get("probable_cause_basis"), w.BASIS_WORDS, "none stated")),
            ),
            ("Flags", _e(w.coded(request.get("flags"), w.FLAG_WORDS))),
            (
                "Release eligible at (as entered)",
                self._instant(request.get("release_eligible_at"))
                if request.get("release_eligible_at")
                else "not known when the request was entered",
            ),
            (
                "Release eligible at (now)",
                _e(full_time(self.state.release_eligible_at, self.zone)),
            ),
        ]
        history_rows = []
        for entry in w.items(request, "history"):
            if not isinstance(entry, Mapping):
                continue
            history_rows.append(
                [
                    _e(w.text_of(entry.get("offense"))),
                    _e(w.text_of(entry.get("statute"), NOTHING)),
                    _e(w.text_of(entry.get("class"), NOTHING)),
                    _e(w.text_of(entry.get("status"), NOTHING)),
                    _e(w.text_of(entry.get("date"), NOTHING)),
                ]
            )
        body = "<h3>The person and the request</h3>" + _facts_html(facts)
        body += "<h3>Criminal history as entered</h3>"
        body += (
            _grid_html(["Offense", "Statute", "Class", "Status", "Date"], history_rows)
            if history_rows
            else "<p>None entered.</p>"
        )
        return self._browser("detailRequest", "The request as entered", body)

    # -------------------------------------------------------------- documents
    def _documents_tab(self) -> QWidget:
        page = QWidget()
        page.setObjectName("detailDocumentsPage")
        column = QVBoxLayout(page)
        column.setContentsMargins(0, 6, 0, 0)
        rows = []
        for number, document in enumerate(w.items(self.request, "documents"), start=1):
            doc: Mapping[str, Any] = document if isinstance(document, Mapping) else {}
            role = doc.get("signer_role")
            signer = SIGNER_ROLE_WORDS.get(str(role), str(role)) if role else "not stated"
            signed = "yes, by " + signer if doc.get("signed") else "no"
            court = w.text_of(doc.get("court"), NOTHING)
            rows.append(
                [
                    str(number),
                    _e(w.document_words(doc.get("kind"))),
                    _e(signed),
                    _e(court),
                    _e("yes" if doc.get("names_subject") else "no")
                    if "names_subject" in doc
                    else NOTHING,
                ]
            )
        described = (
            _grid_html(["#", "Type", "Signed", "Court", "Names the person"], rows)
            if rows
            else "<p>No documents came with the request.</p>"
        )
        browser = self._browser(
            "detailDocumentList",
            "Documents that came with the request",
            "<b>Documents that came with the request</b>" + described,
        )
        browser.setMaximumHeight(135)
        column.addWidget(browser)

        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.setObjectName("detailScanSplitter")
        self.scan_list = QListWidget()
        self.scan_list.setObjectName("detailScans")
        self.scan_list.setAccessibleName("Scans attached to the request")
        self.scan_list.setWordWrap(True)
        self.scan_list.setSpacing(3)
        for info in self.row.attachments:
            item = QListWidgetItem(self._scan_label(info))
            item.setData(Qt.ItemDataRole.UserRole, info.id)
            item.setToolTip(f"SHA-256 {info.sha256}")
            self.scan_list.addItem(item)
        if not self.row.attachments:
            placeholder = QListWidgetItem("No scans were attached.")
            placeholder.setFlags(Qt.ItemFlag.NoItemFlags)
            self.scan_list.addItem(placeholder)
        self.scan_list.currentItemChanged.connect(self._scan_chosen)
        splitter.addWidget(self.scan_list)

        self.preview = QStackedWidget()
        self.preview.setObjectName("detailPreview")
        self.preview_note = QLabel(
            "Select a scan on the left to see it."
            if self.row.attachments
            else "No scans were attached to this request."
        )
        self.preview_note.setObjectName("detailPreviewNote")
        self.preview_note.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.preview_note.setWordWrap(True)
        self.pdf_document = QPdfDocument(self)
        self.pdf_view = QPdfView()
        self.pdf_view.setObjectName("detailPdfView")
        self.pdf_view.setAccessibleName("PDF scan")
        self.pdf_view.setDocument(self.pdf_document)
        self.pdf_view.setPageMode(QPdfView.PageMode.MultiPage)
        self.pdf_view.setZoomMode(QPdfView.ZoomMode.FitToWidth)
        self.image_label = QLabel()
        self.image_label.setObjectName("detailImage")
        self.image_label.setAccessibleName("Image scan")
        self.image_label.setAlignment(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop)
        image_scroll = QScrollArea()
        image_scroll.setObjectName("detailImageScroll")
        image_scroll.setWidgetResizable(True)
        image_scroll.setWidget(self.image_label)
        for widget in (self.preview_note, self.pdf_view, image_scroll):
            self.preview.addWidget(widget)
        self.image_scroll = image_scroll
        splitter.addWidget(self.preview)
        splitter.setStretchFactor(0, 1)
        splitter.setStretchFactor(1, 3)
        splitter.setSizes([280, 720])
        column.addWidget(splitter, 1)
        return page

    def _scan_label(self, info: AttachmentInfo) -> str:
        documents = w.items(self.request, "documents")
        if info.document_index is None:
            shows = "the request itself"
        elif 0 <= info.document_index < len(documents) and isinstance(
            documents[info.document_index], Mapping
        ):
            kind = documents[info.document_index].get("kind")
            shows = f"document {info.document_index + 1}: {w.document_words(kind)}"
        else:
            shows = f"document {info.document_index + 1}"
        size = f"{info.size / 1024:,.0f} KB" if info.size >= 1024 else f"{info.size} bytes"
        return f"{info.file_name}\n{shows} · {size}"

    def _scan_chosen(self, item: QListWidgetItem | None) -> None:
        if item is None or item.data(Qt.ItemDataRole.UserRole) is None:
            return
        attachment_id = int(item.data(Qt.ItemDataRole.UserRole))
        info = next(a for a in self.row.attachments if a.id == attachment_id)
        self.preview_note.setText(f"Loading {info.file_name}…")
        self.preview.setCurrentWidget(self.preview_note)
        uow, actor, now = self.session.backend.uow, self.session.require_actor(), self.session.now()
        decision_id = self.decision_id
        run_in_background(
            self.tasks,
            self,
            self.message,
            lambda: board.attachment_content(uow(), actor, decision_id, attachment_id, now),
            lambda content: self.show_scan(info, content),
        )

    def show_scan(self, info: AttachmentInfo, content: bytes) -> None:
        if info.media_type == PDF_MEDIA_TYPE:
            buffer = QBuffer(self)
            buffer.setData(QByteArray(content))
            buffer.open(QIODevice.OpenModeFlag.ReadOnly)
            self.pdf_document.close()
            self.pdf_document.load(buffer)
            if self._pdf_buffer is not None:
                self._pdf_buffer.deleteLater()
            self._pdf_buffer = buffer
            if self.pdf_document.status() == QPdfDocument.Status.Ready:
                self.preview.setCurrentWidget(self.pdf_view)
                return
            self.preview_note.setText(
                f"{info.file_name} cannot be shown: it is not a readable PDF."
            )
            self.preview.setCurrentWidget(self.preview_note)
            return
        image = QImage.fromData(content)
        if image.isNull():
            image = _image_through_pillow(content)
        if image.isNull():
            self.preview_note.setText(f"{info.file_name} cannot be shown as a picture.")
            self.preview.setCurrentWidget(self.preview_note)
            return
        pixmap = QPixmap.fromImage(image)
        width = max(200, self.image_scroll.viewport().width() - 8)
        if pixmap.width() > width:
            pixmap = pixmap.scaledToWidth(width, Qt.TransformationMode.SmoothTransformation)
        self.image_label.setPixmap(pixmap)
        self.preview.setCurrentWidget(self.image_scroll)

    # ---------------------------------------------------------------- reasons
    def _reasons_tab(self) -> QWidget:
        decision = self.decision
        permitted = decision.get("permitted") or {}
        allowed = [
            (action.capitalize(), "permitted" if permitted.get(action) else "not permitted")
            for action in ACTIONS
        ]
        body = "<h3>What the policy permits for this request</h3>"
        body += _facts_html([(label, f"<b>{_e(value)}</b>") for label, value in allowed])
        triggers = decision.get("review_triggers") or []
        if triggers:
            body += "<h3>Why a supervisor must review it</h3><ul>"
            body += "".join(f"<li>{_e(TRIGGER_WORDS.get(str(t), str(t)))}</li>" for t in triggers)
            body += "</ul>"
        rows = []
        for reason in decision.get("reasons") or []:
            if not isinstance(reason, Mapping):
                continue
            rows.append(
                [
                    _e(w.ACTION_WORDS.get(str(reason.get("action")), reason.get("action"))),
                    _e(reason.get("result", "")),
                    _e(reason.get("text", "")),
                    f"<i>{_e(reason.get('citation', ''))}</i>",
                ]
            )
        body += "<h3>Reasons, each with its source</h3>"
        body += (
            _grid_html(["Action", "Result", "Why", "Citation"], rows)
            if rows
            else "<p>No reasons were recorded.</p>"
        )
        return self._browser("detailReasons", "Reasons and citations", body)

    # ----------------------------------------------------------------- policy
    def _policy_tab(self) -> QWidget:
        policy = self.row.policy
        page = QWidget()
        page.setObjectName("detailPolicyPage")
        column = QVBoxLayout(page)
        column.setContentsMargins(0, 8, 0, 0)
        form = QFormLayout()
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight)
        name = QLabel(f"<b>{_e(policy.name)}</b> (policy version {policy.id})")
        name.setObjectName("detailPolicyName")
        name.setWordWrap(True)
        form.addRow("Policy:", name)
        digest = paragraph(policy.sha256, "detailPolicySha", "Policy SHA-256")
        digest.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        form.addRow("SHA-256:", digest)
        stored = QLabel(
            f"{_e(policy.source_name)}, stored {_e(full_time(policy.stamp.recorded_at, self.zone))}"
            f" by {_e(policy.stamp.recorded_by)}"
        )
        stored.setObjectName("detailPolicyStored")
        stored.setWordWrap(True)
        form.addRow("From:", stored)
        self.policy_view_combo = QComboBox()
        self.policy_view_combo.setObjectName("detailPolicyView")
        self.policy_view_combo.setAccessibleName("Show the policy")
        self.policy_view_combo.addItem("in plain English", "plain")
        self.policy_view_combo.addItem("as the policy file stored (exact text)", "text")
        form.addRow("Show:", self.policy_view_combo)
        column.addLayout(form)
        self.policy_text = QPlainTextEdit()
        self.policy_text.setObjectName("detailPolicyText")
        self.policy_text.setAccessibleName("Policy text")
        self.policy_text.setReadOnly(True)
        self.policy_text.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        column.addWidget(self.policy_text, 1)
        self.policy_view_combo.currentIndexChanged.connect(self._show_policy)
        self._show_policy()
        return page

    def _show_policy(self) -> None:
        if self.policy_view_combo.currentData() == "text":
            self.policy_text.setPlainText(self.row.policy.text)
        else:
            self.policy_text.setPlainText(describe_policy(policies.load_policy(self.row.policy)))

    # ---------------------------------------------------------------- history
    def _history_tab(self) -> QWidget:
        """The decision, then every amendment in the order it was recorded (chain order)."""
        summary = self.row.summary
        self.history_entries: list[tuple[str, ...]] = [
            (
                "0",
                short_time(summary.recorded_at, self.zone),
                summary.recorded_by,
                self.row.workstation,
                f"Decision recorded: {OUTCOME_WORDS.get(summary.outcome, summary.outcome)}",
                NOTHING,
                NOTHING,
                f"chain entry {self.row.seq}",
            )
        ]
        closing = [a for a in self.row.amendments if a.kind in lc.CLOSING_KINDS]
        first_closing = min(closing, key=lambda a: a.stamp.recorded_at) if closing else None
        past = self.state.past_deadline_words()
        for number, amendment in enumerate(sorted(self.row.amendments, key=lambda a: a.seq), 1):
            marked = past if past and amendment is first_closing else ""
            self.history_entries.append(
                (
                    str(number),
                    short_time(amendment.stamp.recorded_at, self.zone),
                    amendment.stamp.recorded_by,
                    amendment.stamp.workstation,
                    lc.AMENDMENT_WORDS.get(amendment.kind, amendment.kind),
                    short_time(amendment.effective_at, self.zone)
                    if amendment.effective_at
                    else NOTHING,
                    amendment.reason or NOTHING,
                    "; ".join(
                        part
                        for part in (
                            marked.capitalize(),
                            details_text(amendment.details, self.zone),
                            f"chain entry {amendment.seq}",
                        )
                        if part
                    ),
                )
            )
        rows = [
            [_e(value) if column != 4 else f"<b>{_e(value)}</b>" for column, value in enumerate(e)]
            for e in self.history_entries
        ]
        note = (
            "<p>Nothing has been added since the decision was recorded.</p>"
            if not self.row.amendments
            else ""
        )
        body = (
            f"<p>Times in {_e(self.zone.key)}. Later facts are added, never edited in.</p>"
            + _grid_html(HISTORY_COLUMNS, rows)
            + note
        )
        self.history_view = self._browser("detailHistory", "Amendment history, oldest first", body)
        return self.history_view

    def _contacts_changed(self, _changed: Kinds) -> None:
        self.refresh_contacts()

    def refresh_contacts(self) -> None:
        """Read the contacts about this decision again, in the background."""
        uow, decision_id = self.session.backend.uow, self.decision_id
        run_in_background(
            self.tasks,
            self,
            self.message,
            lambda: contacts_about(uow(), decision_id),
            self._show_contacts,
        )

    def _show_contacts(self, contacts: Sequence[ContactRecord]) -> None:
        """Every contact recorded about this decision and each amendment of one, in the
        order recorded (chain order)."""
        from detainer_desk.domain import contacts as ct

        self.contact_records = list(contacts)
        rows = []
        for record in self.contact_records:
            what = ct.CONTACT_WORDS.get(record.kind, record.kind)
            if record.amends_id is not None:
                what = f"Amendment of contact {record.amends_id}"
            rows.append(
                [
                    _e(record.id),
                    f"<b>{_e(what)}</b>",
                    _e(short_time(record.occurred_at, self.zone)),
                    _e(record.agency),
                    _e(details_text(record.details_json, self.zone)),
                    _e(record.reason or record.policy_answer or NOTHING),
                    _e(
                        f"{record.stamp.recorded_by}, "
                        f"{short_time(record.stamp.recorded_at, self.zone)}"
                    ),
                    _e(f"chain entry {record.seq}"),
                ]
            )
        note = (
            "<p>No contact with immigration enforcement has been recorded about this "
            "decision. <b>For reports › Record an ICE contact…</b> records one.</p>"
            if not rows
            else ""
        )
        self.contacts_view.setHtml(
            f"<p>Times in {_e(self.zone.key)}. A contact is never changed: a correction is "
            "a new entry that names it.</p>" + _grid_html(CONTACT_COLUMNS, rows) + note
        )
        index = self.tabs.indexOf(self.contacts_view)
        originals = sum(1 for r in self.contact_records if r.amends_id is None)
        self.tabs.setTabText(index, f"ICE contacts ({originals})")

    def history_kinds(self) -> list[str]:
        """What the history shows, in order (for tests and screen readers)."""
        return [entry[4] for entry in self.history_entries]

    # --------------------------------------------------------------------- raw
    def _raw_tab(self) -> QWidget:
        text = QPlainTextEdit()
        text.setObjectName("detailRaw")
        text.setAccessibleName("The request exactly as entered (JSON)")
        text.setReadOnly(True)
        text.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        text.setPlainText(json.dumps(self.request, indent=2, ensure_ascii=False))
        return text

    # ------------------------------------------------------- audit PDF, notice
    def _update_buttons(self) -> None:
        may_print = self.session.may(acc.PRINT_RECORDS)
        for button in (
            self.save_button,
            self.print_audit_button,
            self.save_notice_button,
            self.print_notice_button,
        ):
            button.setEnabled(may_print and not self.documents.busy)
            button.setToolTip("" if may_print else "Needs a role that may print records")

    def _document_done(self, _words: str) -> None:
        self.saved_path = self.documents.last_saved

    def record_contact(self) -> None:
        from ..law_reports import ContactDialog

        dialog = ContactDialog(self.session, self, self.decision_id)

        def recorded() -> None:
            if dialog.recorded is not None:
                self.tasks.changes.announce((Change.CONTACTS,))  # this view reads them too
                self.message.show_note(
                    f"Contact {dialog.recorded.contact_id} recorded. "
                    f"The policy's answer: {dialog.recorded.policy_answer}"
                )

        dialog.accepted.connect(recorded)
        self.contact_dialog = dialog
        dialog.open()

    def open_law_notices(self) -> None:
        from ..law_reports import LawReportsDialog

        dialog = LawReportsDialog(self.session, self.tasks, self, decision_id=self.decision_id)
        self.notices_dialog = dialog
        dialog.open()

    def record_report_facts(self) -> None:
        from ..law_reports import ReportFactsDialog

        dialog = ReportFactsDialog(self.session, self.decision_id, self)

        def recorded() -> None:
            if dialog.recorded:
                self.tasks.changes.announce(DECISION_AMENDED)  # the lists read them again
                self.message.show_note(
                    f"Recorded for the reports as amendment {', '.join(map(str, dialog.recorded))}."
                )

        dialog.accepted.connect(recorded)
        self.facts_dialog = dialog
        dialog.open()

    def save_audit_pdf(self) -> None:
        self.documents.save(self.decision_id, self.row.summary.booking_number, AUDIT_PDF)


def _image_through_pillow(content: bytes) -> QImage:
    """TIFF scans (and anything else Qt's image plugins lack) through Pillow, as PNG."""
    import io

    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(content)) as picture:
            out = io.BytesIO()
            picture.convert("RGB").save(out, format="PNG")
    except (UnidentifiedImageError, OSError, ValueError):
        return QImage()
    return QImage.fromData(out.getvalue())


__all__ = ["DecisionDetailDialog"]


@dataclass(frozen=True)
class DetailRead:
    """What the detail view shows, read together in the background."""

    row: DecisionRow
    state: lc.DecisionState
    zone: ZoneInfo
    contacts: tuple[ContactRecord, ...]


def read_detail(
    uow: Callable[[], UnitOfWork], decision_id: int, actor: Actor, now: dt.datetime
) -> DetailRead:
    """The decision (its reading is audited), the county's zone and its contacts: the
    work of a background operation. RecordError when it may not be read."""
    row, state = records.load_decision(uow(), decision_id, actor, now)
    return DetailRead(row, state, read_county_zone(uow()), contacts_about(uow(), decision_id))
