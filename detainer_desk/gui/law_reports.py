"""Reports › the reports the law asks of the county, the notices and forms its law names,
and the dialog that records an ICE contact (from the menu, or from a decision's detail).

The reports are made from the verified record (the whole chain is walked first) on a
background task; the PDF to sign and the CSV in the statute's fields are saved side by
side, privately and whole or not at all (adapters/files through ``Backend.save_file``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

from PySide6.QtGui import QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from detainer_desk.domain import accounts as acc
from detainer_desk.domain import contacts as ct
from detainer_desk.domain import law_notices as ln
from detainer_desk.domain import lawreports as lr
from detainer_desk.domain import lifecycle as lc
from detainer_desk.domain import timetext
from detainer_desk.services import contacts as contact_service
from detainer_desk.services.access import RecordError
from detainer_desk.services.county_clock import read_county_zone
from detainer_desk.services.ports import UnitOfWork

from . import forms
from .changes import DECISION_AMENDED, Change, Kinds
from .dialogs import TRANSLATOR_WORDS_SHORT, WAITING, FormDialog, Waiting
from .fit import fit_to_screen
from .records.common import (
    SaveChooser,
    ask_save_path,
    date_edit,
    python_date,
    qt_date,
    record_table,
)
from .records.tasks import run_in_background, run_with_button_off
from .session import Session
from .tasks import TaskRunner, tasks_for
from .widgets import (
    Field,
    MessageLabel,
    buddy_label,
    close_buttons,
    form_layout,
    paragraph,
    plain_sentence,
    push_button,
)

TRANSLATOR_WORDS = (
    "The notices in Spanish, Chinese, Tagalog, Vietnamese and Korean are draft translations: "
    "have a qualified translator confirm them before the jail gives them to anyone."
)


# The details that are chosen from a list, per kind of contact ("" = not given).
CHOICES: dict[str, dict[str, tuple[str, ...]]] = {
    ct.INTERVIEW_REQUEST: {
        "answer": ct.INTERVIEW_ANSWERS,
        "language": tuple(ct.LANGUAGES),
        "consent_form_given": ("yes", "no"),
    },
    ct.INFORMATION_REQUEST: {"answer": ct.INFORMATION_ANSWERS},
    ct.RELEASE_NOTIFICATION: {"means": ct.NOTIFICATION_MEANS},
    ct.JUDICIAL_PROCESS: {"process": ct.JUDICIAL_KINDS, "complied": ("yes", "no")},
    ct.DATABASE_HIT: {"system": ct.HIT_SYSTEMS},
}
YES_NO_DETAILS = ("consent_form_given", "complied")


def fill_details(form: QFormLayout, kind: str) -> dict[str, QComboBox | QLineEdit]:
    """The detail fields of a kind of contact in ``form`` (emptied first): a list to choose
    from where the record keeps one of a few values, a line of text otherwise."""
    while form.rowCount():
        form.removeRow(0)
    widgets: dict[str, QComboBox | QLineEdit] = {}
    required = ct.REQUIRED_DETAILS[kind]
    for key in (*required, *ct.OPTIONAL_DETAILS[kind]):
        choices = CHOICES.get(kind, {}).get(key)
        widget: QComboBox | QLineEdit
        if choices is not None:
            widget = QComboBox()
            widget.addItem("", "")
            for value in choices:
                widget.addItem(ct.LANGUAGES.get(value, value.replace("_", " ")), value)
        else:
            widget = QLineEdit()
            widget.setMaxLength(ct.MAX_TEXT)
        widget.setObjectName(f"contactDetail_{key}")
        words = key.replace("_", " ")
        widget.setAccessibleName(words)
        widgets[key] = widget
        mark = "" if key in required else " (if known)"
        form.addRow(QLabel(f"{words.capitalize()}{mark}:"), widget)
    return widgets


def set_detail(widget: QComboBox | QLineEdit, value: object) -> None:
    if isinstance(value, bool):
        value = "yes" if value else "no"
    if isinstance(widget, QComboBox):
        widget.setCurrentIndex(max(0, widget.findData(str(value))))
    else:
        widget.setText(str(value))


def read_details(widgets: dict[str, QComboBox | QLineEdit]) -> dict[str, object]:
    found: dict[str, object] = {}
    for key, widget in widgets.items():
        value = (
            str(widget.currentData() or "")
            if isinstance(widget, QComboBox)
            else widget.text().strip()
        )
        if not value:
            continue
        found[key] = value == "yes" if key in YES_NO_DETAILS else value
    return found


class ContactDialog(FormDialog):
    """Record one contact with immigration enforcement. What was typed stays when the
    contact is refused; the refusal says why in plain words."""

    def __init__(
        self, session: Session, parent: QWidget | None = None, decision_id: int | None = None
    ) -> None:
        super().__init__(
            "Record an ICE contact",
            "contactDialog",
            "&Record contact",
            parent,
            intro=(
                "Every contact with immigration enforcement goes on the record, not only "
                "detainers: it is evidence, never changed, and counted in the reports the "
                "law asks of the county."
            ),
        )
        self.session = session
        self.recorded: contact_service.ContactResult | None = None
        self.kind = QComboBox()
        self.kind.setObjectName("contactKind")
        self.kind.setAccessibleName("Kind of contact")
        for kind in ct.CONTACT_KINDS:
            self.kind.addItem(ct.CONTACT_WORDS[kind], kind)
        kind_label = buddy_label("&Kind:", self.kind)
        self.form.addRow(kind_label, self.kind)
        self.when = self.add_field(
            "when",
            Field(
                "&When:",
                "contactWhen",
                hint="The county's date and time, e.g. 2026-02-10 14:30",
                max_length=40,
            ),
        )
        self.agency = QComboBox()
        self.agency.setObjectName("contactAgency")
        self.agency.setAccessibleName("Agency")
        self.agency.addItems(list(ct.AGENCIES))
        agency_label = buddy_label("&Agency:", self.agency)
        self.form.addRow(agency_label, self.agency)
        self.decision = self.add_field(
            "decision",
            Field("&Decision:", "contactDecision", hint="The decision it is about, if any"),
        )
        if decision_id is not None:
            self.decision.edit.setText(str(decision_id))
            self.decision.edit.setReadOnly(True)
        self.reason = self.add_field(
            "reason",
            Field("Rea&son:", "contactReason", hint="Why (required for a declined request)"),
        )
        self.details_box = QWidget()
        self.details_box.setObjectName("contactDetails")
        self.details_form: QFormLayout = form_layout()
        self.details_box.setLayout(self.details_form)
        self.layout_.insertWidget(self.layout_.indexOf(self.error), self.details_box)
        self.detail_widgets: dict[str, QComboBox | QLineEdit] = {}
        self.kind.currentIndexChanged.connect(lambda _i: self._show_details())
        self._show_details()
        self.finish_layout()
        self.loaded = False  # the county's zone, read in the background
        self.in_background(lambda: county_zone_of(session.backend.uow), self._zone_known)

    def _zone_known(self, zone: dt.tzinfo) -> Waiting:
        _name_the_zone(self.when, zone)
        if not self.when.text():  # (nothing typed meanwhile)
            self.when.edit.setText(timetext.as_typed(self.session.now(), zone))
        self.loaded = True
        return WAITING

    def _show_details(self) -> None:
        self.detail_widgets = fill_details(self.details_form, str(self.kind.currentData()))

    def set_detail(self, key: str, value: str) -> None:
        set_detail(self.detail_widgets[key], value)

    def details(self) -> dict[str, object]:
        return read_details(self.detail_widgets)

    def submit(self) -> Waiting:
        from detainer_desk.domain.reader import parse_instant_text

        problems: dict[str, str] = {}
        moment, error = parse_instant_text(self.when.text().strip())
        if error or moment is None:
            problems["when"] = error or "give the date and time, e.g. 2026-02-10 14:30"
        decision_text = self.decision.text().strip()
        decision_id = None
        if decision_text:
            if not decision_text.isdigit() or len(decision_text) > 12:
                problems["decision"] = "a decision number, like 42, or nothing"
            else:
                decision_id = int(decision_text)
        if problems:
            raise forms.FieldProblems(problems)
        assert moment is not None
        uow, actor, now = self.session.backend.uow, self.session.require_actor(), self.session.now()
        kind, agency, details = (
            str(self.kind.currentData()),
            self.agency.currentText(),
            self.details(),
        )
        reason = self.reason.text()

        def recorded(result: contact_service.ContactResult) -> None:
            self.recorded = result

        return self.in_background(
            lambda: contact_service.record_contact(
                uow(), kind, moment, agency, details, actor, now,
                decision_id=decision_id, reason=reason,
            ),
            recorded,
            changes={Change.CONTACTS},
        )  # fmt: skip


class AmendContactDialog(FormDialog):
    """Correct a contact: the facts as they should read and why. The contact itself is
    never changed; the correction is a new entry that names it."""

    def __init__(
        self, session: Session, view: contact_service.ContactView, parent: QWidget | None = None
    ) -> None:
        fact = view.fact
        super().__init__(
            f"Amend contact {fact.contact_id}",
            "amendContactDialog",
            "&Record amendment",
            parent,
            intro=(
                f"{ct.CONTACT_WORDS[fact.kind]}, as it reads now. Change what was wrong and "
                "say why: the contact as first recorded stays on the record beside it."
            ),
        )
        self.session = session
        self.contact_id = fact.contact_id
        self.amendment_id: int | None = None
        self.when = self.add_field(
            "when", Field("&When:", "amendContactWhen", hint="The county's date and time")
        )
        self.agency = QComboBox()
        self.agency.setObjectName("amendContactAgency")
        self.agency.setAccessibleName("Agency")
        self.agency.addItems(list(ct.AGENCIES))
        self.agency.setCurrentText(fact.agency)
        agency_label = buddy_label("&Agency:", self.agency)
        self.form.addRow(agency_label, self.agency)
        details_form = form_layout()
        self.form.addRow(details_form)
        self.detail_widgets = fill_details(details_form, fact.kind)
        for key, value in fact.details.items():
            if key in self.detail_widgets:
                set_detail(self.detail_widgets[key], value)
        self.reason = self.add_field(
            "reason", Field("&Why:", "amendContactReason", hint="Required: why it is corrected")
        )
        self.finish_layout()
        self.loaded = False  # the county's zone, read in the background
        self.in_background(
            lambda: county_zone_of(session.backend.uow),
            lambda zone: self._zone_known(zone, fact.occurred_at),
        )

    def _zone_known(self, zone: dt.tzinfo, occurred_at: dt.datetime) -> Waiting:
        if not self.when.text():  # (nothing typed meanwhile)
            self.when.edit.setText(timetext.as_typed(occurred_at, zone))
        self.loaded = True
        return WAITING

    def submit(self) -> Waiting:
        from detainer_desk.domain.reader import parse_instant_text

        moment, error = parse_instant_text(self.when.text().strip())
        if error or moment is None:
            raise forms.FieldProblems({"when": error or "give the date and time"})
        if not self.reason.text().strip():
            raise forms.FieldProblems({"reason": "say why the contact is corrected"})
        uow, actor, now = self.session.backend.uow, self.session.require_actor(), self.session.now()
        contact_id, reason = self.contact_id, self.reason.text()
        details, agency = read_details(self.detail_widgets), self.agency.currentText()

        def amended(amendment_id: int) -> None:
            self.amendment_id = amendment_id

        return self.in_background(
            lambda: contact_service.amend_contact(
                uow(), contact_id, reason, actor, now,
                details=details, occurred_at=moment, agency=agency,
                whole_details=True,  # the form shows them all: one emptied is taken out
            ),
            amended,
            changes={Change.CONTACTS},
        )  # fmt: skip


CONTACT_COLUMNS = ("ID", "When", "Contact", "Agency", "Decision", "How addressed", "Recorded by")


class ContactsDialog(QDialog):
    """Reports › ICE contacts: every contact on the record, newest first, searchable; each
    with its history; recorded and amended from here by the roles that may."""

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.setObjectName("contactsDialog")
        self.setWindowTitle("ICE contacts")
        self.setAccessibleName("ICE contacts")
        self.views: list[contact_service.ContactView] = []
        self.child: QDialog | None = None
        self.tasks = tasks_for(self)
        self.zone: dt.tzinfo | None = None  # the county's, read with the first list
        self.loading = False
        self._generation = 0
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 14, 16, 12)
        top = QHBoxLayout()
        self.search = QLineEdit()
        self.search.setObjectName("contactsSearch")
        self.search.setAccessibleName("Search the contacts")
        self.search.setPlaceholderText("Agency, kind or words of the details")
        self.search.returnPressed.connect(self.load)
        search_label = buddy_label("&Search:", self.search)
        self.search_button = push_button(
            "&Find", "contactsFind", "Find the contacts that match", on_click=self.load
        )
        top.addWidget(search_label)
        top.addWidget(self.search, 1)
        top.addWidget(self.search_button)
        layout.addLayout(top)
        self.model = QStandardItemModel(0, len(CONTACT_COLUMNS), self)
        self.model.setHorizontalHeaderLabels(list(CONTACT_COLUMNS))
        self.table = record_table("contactsTable", "Contacts, newest first")
        self.table.setModel(self.model)
        self.table.selectionModel().currentRowChanged.connect(lambda *_: self._show_history())
        layout.addWidget(self.table, 2)
        self.history = QPlainTextEdit()
        self.history.setObjectName("contactsHistory")
        self.history.setAccessibleName("The contact as recorded, and its amendments")
        self.history.setReadOnly(True)
        layout.addWidget(self.history, 1)
        self.message = MessageLabel("contactsMessage", "Problem")
        layout.addWidget(self.message)
        buttons = close_buttons(self, "contactsButtons", "contactsClose")
        self.record_button = push_button(
            "&Record a contact…", "contactsRecord", "Record a contact", on_click=self.record
        )
        self.record_button.setEnabled(session.may(acc.RECORD_DECISION))
        self.amend_button = push_button(
            "&Amend…", "contactsAmend", "Amend the chosen contact", on_click=self.amend
        )
        self.amend_button.setEnabled(False)
        for button in (self.record_button, self.amend_button):
            buttons.addButton(button, QDialogButtonBox.ButtonRole.ActionRole)
        layout.addWidget(buttons)
        fit_to_screen(self, 980, 620)
        self.tasks.changes.when({Change.CONTACTS}, self._contacts_changed)
        self.load()

    def _contacts_changed(self, _changed: Kinds) -> None:
        self.load()

    def load(self) -> None:
        """Find the contacts (in the background; the newest search is shown)."""
        from detainer_desk.services.ports import ContactQuery

        self.message.clear_message()
        query = ContactQuery(search=self.search.text().strip() or None, limit=500)
        try:
            actor = self.session.require_actor()
        except RecordError as refused:
            self.message.show_error(plain_sentence(str(refused)))
            return
        uow, now, zone = self.session.backend.uow, self.session.now(), self.zone
        self._generation += 1
        generation = self._generation
        self.loading = True
        self.search_button.setEnabled(False)

        def found(read: tuple[dt.tzinfo, list[contact_service.ContactView]]) -> None:
            if generation == self._generation:
                self._show(*read)

        def failed(_error: BaseException) -> None:
            if generation == self._generation:
                self.loading = False
                self.search_button.setEnabled(True)

        def work() -> tuple[dt.tzinfo, list[contact_service.ContactView]]:
            known = zone if zone is not None else county_zone_of(uow)
            return known, contact_service.find_contacts(uow(), query, actor, now)

        run_in_background(self.tasks, self, self.message, work, found, on_failed=failed)

    def _show(self, zone: dt.tzinfo, views: list[contact_service.ContactView]) -> None:
        self.loading = False
        self.search_button.setEnabled(True)
        self.zone, self.views = zone, views
        self.model.removeRows(0, self.model.rowCount())
        for view in self.views:
            fact = view.fact
            cells = (
                str(fact.contact_id),
                timetext.short_time(fact.occurred_at, self.zone),
                ct.CONTACT_WORDS[fact.kind],
                fact.agency,
                str(fact.decision_id or ""),
                ct.how_addressed(fact) + (" (amended)" if view.corrections else ""),
                fact.recorded_by,
            )
            self.model.appendRow([QStandardItem(cell) for cell in cells])
        if not self.views:
            self.message.show_note("No contacts match.")
        self.table.resizeColumnsToContents()
        self._show_history()

    def current(self) -> contact_service.ContactView | None:
        row = self.table.currentIndex().row()
        return self.views[row] if 0 <= row < len(self.views) else None

    def select(self, row: int) -> None:
        self.table.selectRow(row)

    def _show_history(self) -> None:
        view = self.current()
        self.amend_button.setEnabled(view is not None and self.session.may(acc.AMEND_DECISION))
        if view is None or self.zone is None:
            self.history.clear()
            return
        lines = []
        for record in (view.original, *view.corrections):
            head = (
                f"Contact {record.id}"
                if record.amends_id is None
                else f"Amendment {record.id} of contact {record.amends_id}"
            )
            lines += [
                f"{head}: recorded {timetext.short_time(record.stamp.recorded_at, self.zone)} "
                f"by {record.stamp.recorded_by} at {record.stamp.workstation} "
                f"(chain entry {record.seq})",
                f"  when: {timetext.short_time(record.occurred_at, self.zone)}; "
                f"agency: {record.agency}",
                f"  details: {record.details_json}",
            ]
            if record.reason:
                lines.append(f"  reason: {record.reason}")
            if record.amends_id is None and record.policy_answer:
                lines.append(f"  the policy's answer: {record.policy_answer}")
        self.history.setPlainText("\n".join(lines))

    def record(self) -> None:
        dialog = ContactDialog(self.session, self)
        dialog.accepted.connect(self.load)
        self.child = dialog
        dialog.open()

    def amend(self) -> None:
        view = self.current()
        if view is None:
            return
        dialog = AmendContactDialog(self.session, view, self)
        dialog.accepted.connect(self.load)
        self.child = dialog
        dialog.open()


class ReportFactsDialog(FormDialog):
    """Facts the statutory reports need and a detainer decision does not hold: when bail was
    posted (5 ILCS 805/25(a)(2)(B)) and facts about the person (Cal. Gov. Code 7283.1(d)).
    Each is an amendment of the decision, also after the hold has ended."""

    def __init__(self, session: Session, decision_id: int, parent: QWidget | None = None) -> None:
        super().__init__(
            f"Facts for the reports: decision {decision_id}",
            "reportFactsDialog",
            "&Record facts",
            parent,
            intro=(
                "Recorded as amendments of the decision: never changed, only added to. Leave "
                "empty what is not known."
            ),
        )
        self.session = session
        self.decision_id = decision_id
        self.recorded: list[int] = []
        self.bail = self.add_field(
            "bail",
            Field(
                "&Bail posted at:",
                "factsBailPosted",
                hint="The county's date and time, e.g. 2026-02-10 14:30",
                max_length=40,
            ),
        )
        self.person: dict[str, QComboBox | QLineEdit] = {}
        for key, words in (
            ("sex", "&Sex"),
            ("race", "R&ace"),
            ("ethnicity", "&Ethnicity"),
            ("preferred_language", "&Preferred language"),
        ):
            widget: QComboBox | QLineEdit
            if key in lc.PERSON_FACT_VALUES:
                widget = QComboBox()
                widget.addItem("", "")
                for value in lc.PERSON_FACT_VALUES[key]:
                    widget.addItem(value.replace("_", " "), value)
            else:
                widget = QLineEdit()
                widget.setMaxLength(lc.MAX_FACT_TEXT)
                widget.setPlaceholderText("e.g. Spanish, K'iche', Mam")
            widget.setObjectName(f"facts_{key}")
            widget.setAccessibleName(words.replace("&", ""))
            label = buddy_label(f"{words}:", widget)
            self.form.addRow(label, widget)
            self.person[key] = widget
        self.finish_layout()
        self.loaded = False  # the county's zone, read in the background
        self.in_background(lambda: county_zone_of(session.backend.uow), self._zone_known)

    def _zone_known(self, zone: dt.tzinfo) -> Waiting:
        _name_the_zone(self.bail, zone)
        self.loaded = True
        return WAITING

    def person_facts(self) -> dict[str, str]:
        found: dict[str, str] = {}
        for key, widget in self.person.items():
            value = (
                str(widget.currentData() or "")
                if isinstance(widget, QComboBox)
                else widget.text().strip()
            )
            if value:
                found[key] = value
        return found

    def submit(self) -> Waiting:
        from detainer_desk.domain.reader import parse_instant_text
        from detainer_desk.services.records import amend_decision

        bail_text = self.bail.text().strip()
        bail = None
        if bail_text:
            bail, error = parse_instant_text(bail_text)
            if error or bail is None:
                raise forms.FieldProblems({"bail": error or "give the date and time"})
        facts = self.person_facts()
        if bail is None and not facts:
            raise RecordError("Nothing to record: give when bail was posted or a fact.")
        problems = lc.report_fact_problems(lc.PERSON_FACTS, None, facts) if facts else []
        if problems:
            raise RecordError("; ".join(problems))
        uow, actor, now = self.session.backend.uow, self.session.require_actor(), self.session.now()
        decision_id = self.decision_id

        def record() -> tuple[list[int], bool, RecordError | None]:
            """Each fact one amendment; what was recorded before a refusal stays recorded."""
            recorded: list[int] = []
            bail_recorded = False
            try:
                if bail is not None:
                    result = amend_decision(
                        uow(), decision_id, lc.BAIL_POSTED, actor, now, effective_at=bail
                    )
                    recorded.append(result.amendment_id)
                    bail_recorded = True
                if facts:
                    result = amend_decision(
                        uow(), decision_id, lc.PERSON_FACTS, actor, now, details=facts
                    )
                    recorded.append(result.amendment_id)
            except RecordError as refused:
                return recorded, bail_recorded, refused
            return recorded, bail_recorded, None

        def recorded(result: tuple[list[int], bool, RecordError | None]) -> None:
            amendments, bail_recorded, refused = result
            self.recorded.extend(amendments)
            if bail_recorded:
                self.bail.edit.clear()  # recorded: a second click must not record it twice
            if refused is not None:
                raise refused

        return self.in_background(record, recorded, changes=DECISION_AMENDED)


class LawReportsDialog(QDialog):
    """The statutory reports for a chosen period, and the notices the county's law names."""

    def __init__(
        self,
        session: Session,
        tasks: TaskRunner,
        parent: QWidget | None = None,
        decision_id: int | None = None,
    ) -> None:
        super().__init__(parent)
        self.session = session
        self.tasks = tasks
        # With a decision, the notices are printed for its person (name and booking number).
        self.decision_id = decision_id
        self.setObjectName("lawReportsDialog")
        self.setWindowTitle(
            "Reports the law asks for"
            if decision_id is None
            else f"Reports and notices: the person of decision {decision_id}"
        )
        self.setAccessibleName("Reports the law asks for")
        self.choose_save_path: SaveChooser = ask_save_path
        self.saved: list[Path] = []
        self.loaded = False  # the jurisdiction, the zone and the policy's reach are read
        self.layout_ = QVBoxLayout(self)
        self.layout_.setContentsMargins(18, 16, 18, 14)
        self.layout_.setSpacing(10)
        self.message = MessageLabel("lawReportsMessage", "Problem")
        uow = session.backend.uow
        run_in_background(
            self.tasks, self, self.message, lambda: read_reach(uow), self._build,
            on_failed=lambda _error: self.layout_.addWidget(self.message),
        )  # fmt: skip

    def _build(self, read: Reach) -> None:
        """The reports and notices the county's law names, once it is known which."""
        session, decision_id = self.session, self.decision_id
        self.jurisdiction, zone, can = read
        today = timetext.county_day(session.now(), zone)
        self.today = today
        content = QWidget()  # built whole, then shown at once
        layout = QVBoxLayout(content)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(10)
        layout.addWidget(
            paragraph(
                f"The county's reporting jurisdiction: {self.jurisdiction.words}. Each report "
                "is computed from the verified record (the whole hash chain is checked "
                "first), anonymised, and saved as a PDF to sign with a CSV beside it in the "
                "statute's fields.",
                "lawReportsIntro",
                "About these reports",
            )
        )
        form = form_layout()
        self.report = QComboBox()
        self.report.setObjectName("lawReportChoice")
        self.report.setAccessibleName("Report")
        own = lr.reports_for(self.jurisdiction.code)
        others = [d for d in lr.REPORTS.values() if d not in own]
        for definition in (*own, *others):
            self.report.addItem(f"{definition.title} ({definition.law})", definition.key)
        report_label = buddy_label("&Report:", self.report)
        form.addRow(report_label, self.report)
        last_year = today.year - 1
        self.from_date = date_edit("lawReportFrom", "First day", qt_date(dt.date(last_year, 1, 1)))
        self.to_date = date_edit("lawReportTo", "Last day", qt_date(dt.date(last_year, 12, 31)))
        period = QHBoxLayout()
        period.addWidget(self.from_date)
        period.addWidget(QLabel("to"))
        period.addWidget(self.to_date)
        period.addStretch(1)
        period_label = buddy_label("&Period:", self.from_date)
        form.addRow(period_label, period)
        self.daily_cost = QLineEdit()
        self.daily_cost.setObjectName("lawReportDailyCost")
        self.daily_cost.setAccessibleName("Average daily cost of a prisoner (Texas)")
        self.daily_cost.setPlaceholderText("e.g. 84.50 (Texas only)")
        cost_label = buddy_label("Daily &cost:", self.daily_cost)
        form.addRow(cost_label, self.daily_cost)
        layout.addLayout(form)
        # Only the Texas report asks for the daily cost of housing a prisoner.
        self.report.currentIndexChanged.connect(lambda _i: self._report_chosen())
        self._report_chosen()
        self.save_button = push_button(
            "&Save PDF and CSV…",
            "lawReportSave",
            "Save the report as a PDF and a CSV",
            on_click=self.save_report,
        )
        self.save_button.setEnabled(session.may(acc.MAKE_LAW_REPORTS))
        if not session.may(acc.MAKE_LAW_REPORTS):
            self.save_button.setToolTip("Needs a role that may make the reports the law asks for")
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.save_button)
        layout.addLayout(row)

        # The notices and forms the county's law names (and its policy makes relevant).
        self.notice_keys = ln.notices_for(self.jurisdiction.code, can)
        notices_form = form_layout()
        self.notice = QComboBox()
        self.notice.setObjectName("lawNoticeChoice")
        self.notice.setAccessibleName("Notice or form")
        for key in self.notice_keys:
            notice = ln.NOTICES[key]
            self.notice.addItem(f"{notice.title} ({notice.law})", key)
        self.language = QComboBox()
        self.language.setObjectName("lawNoticeLanguage")
        self.language.setAccessibleName("Language beside English")
        for code in ln.NOTICE_LANGUAGES:
            self.language.addItem(ct.LANGUAGES[code], code)
        notice_label = buddy_label("&Notice:", self.notice)
        language_label = buddy_label("&Beside English:", self.language)
        notices_form.addRow(notice_label, self.notice)
        notices_form.addRow(language_label, self.language)
        self.notice_words = QLabel(
            "Notices and forms the county's law names:"
            if self.notice_keys
            else "The county's jurisdiction names no notice or form for the person "
            "(set the jurisdiction under Admin › Settings)."
        )
        self.notice_words.setObjectName("lawNoticeWords")
        self.notice_words.setWordWrap(True)
        layout.addWidget(self.notice_words)
        layout.addLayout(notices_form)
        self.notice_button = push_button(
            "Save n&otice PDF…",
            "lawNoticeSave",
            "Save the notice as a PDF",
            on_click=self.save_notice,
        )
        # Blank forms: no one's records are in them, so every role may save them.
        self.notice_button.setEnabled(
            bool(self.notice_keys) and (decision_id is None or session.may(acc.PRINT_RECORDS))
        )
        if decision_id is not None:
            self.notice_button.setText(f"Save n&otice for decision {decision_id}…")
        for widget in (self.notice, self.language):
            widget.setEnabled(bool(self.notice_keys))
        translator = QLabel(TRANSLATOR_WORDS)
        translator.setObjectName("lawNoticeTranslator")
        translator.setWordWrap(True)
        layout.addWidget(translator)
        notice_row = QHBoxLayout()
        notice_row.addStretch(1)
        notice_row.addWidget(self.notice_button)
        layout.addLayout(notice_row)

        layout.addWidget(self.message)
        layout.addWidget(close_buttons(self, "lawReportsButtons", "lawReportsClose"))
        self.layout_.addWidget(content)
        content.show()
        self.setMinimumWidth(640)
        self.adjustSize()
        self.loaded = True

    def period(self) -> tuple[dt.date, dt.date]:
        return python_date(self.from_date.date()), python_date(self.to_date.date())

    def _report_chosen(self) -> None:
        key = str(self.report.currentData())
        self.daily_cost.setEnabled(key == "texas-monthly")
        self.set_period(*last_period(lr.REPORTS[key].cadence, self.today))

    def set_period(self, first: dt.date, last: dt.date) -> None:
        self.from_date.setDate(qt_date(first))
        self.to_date.setDate(qt_date(last))

    def choose_report(self, key: str) -> None:
        self.report.setCurrentIndex(self.report.findData(key))

    def save_report(self) -> None:
        from detainer_desk.services.law_reports import period_problem

        self.message.clear_message()
        key = str(self.report.currentData())
        first, last = self.period()
        problem = period_problem(key, first, last)
        cost_text = self.daily_cost.text().strip()
        daily_cost = None
        if problem is None and cost_text:
            try:
                daily_cost = float(cost_text)
            except ValueError:
                problem = f"the daily cost “{cost_text}” is not an amount like 84.50"
        if problem:
            self.message.show_error(problem[0].upper() + problem[1:] + ".")
            return
        suggested = f"{key}-{timetext.day_text(first)}-to-{timetext.day_text(last)}.pdf"
        chosen = self.choose_save_path(self, "Save the report", suggested)
        if not chosen:
            return
        pdf_path = Path(chosen if chosen.lower().endswith(".pdf") else chosen + ".pdf")
        csv_path = pdf_path.with_suffix(".csv")
        backend = self.session.backend
        uow, actor, now = backend.uow, self.session.require_actor(), self.session.now()
        ledger = backend.ledger
        if ledger is None:
            self.message.show_error("This window has no access to the hash chain.")
            return

        def work() -> tuple[list[Path], int, str]:
            from detainer_desk.adapters.files import pdf_kind
            from detainer_desk.adapters.pdf.law_reports import Verification, render_law_report
            from detainer_desk.services.documents import report_context
            from detainer_desk.services.law_reports import make_law_report

            report = make_law_report(
                uow, ledger(), key, first, last, actor, now, lr.ReportOptions(daily_cost)
            )
            verification = Verification(report.entries, report.head_hash, report.verified_at)
            pdf = render_law_report(report.result, verification, report_context(uow(), actor, now))
            written = [backend.save_file(pdf_path, pdf, pdf_kind)]
            written.append(backend.save_file(csv_path, report.csv.encode("utf-8"), _csv_kind))
            return written, report.entries, report.head_hash

        def saved(result: tuple[list[Path], int, str]) -> None:
            written, entries, head = result
            self.saved = written
            self.message.show_note(
                f"Saved {written[0]} and {written[1]}: computed from the verified record, "
                f"{entries:,} entries, head hash {head[:16]}…"
            )

        making = "Verifying the record and making the report…"
        run_with_button_off(self.save_button, making, self.tasks, self, self.message, work, saved)

    def save_notice(self) -> None:
        self.message.clear_message()
        key = str(self.notice.currentData())
        language = str(self.language.currentData())
        decision_id = self.decision_id
        whose = f"-decision-{decision_id}" if decision_id is not None else ""
        chosen = self.choose_save_path(self, "Save the notice", f"{key}-en-{language}{whose}.pdf")
        if not chosen:
            return
        path = Path(chosen if chosen.lower().endswith(".pdf") else chosen + ".pdf")
        backend = self.session.backend
        uow, actor, now = backend.uow, self.session.require_actor(), self.session.now()

        def work() -> Path:
            from detainer_desk.adapters.files import pdf_kind
            from detainer_desk.adapters.pdf.law_notices import NoticeFor, render_law_notice
            from detainer_desk.services.documents import report_context

            person = contact_service.prepare_notice(  # authorised and audited
                uow(), key, language, actor, now, decision_id=decision_id
            )
            whom = NoticeFor(person.name, person.booking_number) if person else None
            pdf = render_law_notice(key, language, report_context(uow(), actor, now), whom)
            return backend.save_file(path, pdf, pdf_kind)

        def saved(written: Path) -> None:
            self.saved = [written]
            self.message.show_note(f"Saved the notice to {written}.")

        self.message.show_note("Making the notice…")
        run_in_background(self.tasks, self, self.message, work, saved)


def last_period(cadence: str, today: dt.date) -> tuple[dt.date, dt.date]:
    """The last whole period of a report's cadence before ``today`` (the county's day)."""
    if cadence.startswith("monthly"):
        last = today.replace(day=1) - dt.timedelta(days=1)
        return last.replace(day=1), last
    if cadence == "quarterly":
        quarter_start = dt.date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
        last = quarter_start - dt.timedelta(days=1)
        return dt.date(last.year, 3 * ((last.month - 1) // 3) + 1, 1), last
    return dt.date(today.year - 1, 1, 1), dt.date(today.year - 1, 12, 31)


def _csv_kind(head: bytes) -> bool:
    """A CSV this program wrote may be replaced by a new one (text, no NUL, no PDF)."""
    return b"\x00" not in head and not head.startswith(b"%PDF-")


__all__ = [
    "TRANSLATOR_WORDS",
    "TRANSLATOR_WORDS_SHORT",
    "AmendContactDialog",
    "ContactDialog",
    "ContactsDialog",
    "LawReportsDialog",
    "ReportFactsDialog",
]


Reach = tuple[contact_service.Jurisdiction, dt.tzinfo, dict[str, bool]]


def read_reach(uow: Callable[[], UnitOfWork]) -> Reach:
    """The county's reporting jurisdiction, its zone and what its policy can do (which
    notices are relevant), in the background."""
    return (
        contact_service.read_jurisdiction(uow()),
        read_county_zone(uow()).zone,
        contact_service.policy_can(uow()),
    )


def _name_the_zone(field: Field, zone: dt.tzinfo) -> None:
    """The hint under a field for a time typed in the county's zone, once it is read."""
    assert field.hint is not None
    field.hint.setText(
        f"The county's date and time ({timetext.zone_words(zone)}), e.g. 2026-02-10 14:30"
    )


def county_zone_of(uow: Callable[[], UnitOfWork]) -> dt.tzinfo:
    """The county's zone (in the background): the times typed and shown are its."""
    return read_county_zone(uow()).zone
