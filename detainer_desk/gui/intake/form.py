"""The first page of the request form, laid out like the paper I-247A (forms/intake_request.ui):
the subject, the jail's own records about them, the detainer and the release time.

The page only moves values between its widgets and a ``RequestDraft`` and shows what it is
told (problems, how a time was read); the controller decides everything else.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtGui import QResizeEvent, QShowEvent
from PySide6.QtWidgets import (
    QBoxLayout,
    QCheckBox,
    QComboBox,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from detainer_desk.domain import vocabulary as v

from . import entry
from .dates import DateEntry, tidy_on_leaving
from .draft import RequestDraft
from .ui import Note, child, freeze, load_form

# Field key (a contract key path, see presenter.REQUEST_LABELS) -> line edit in the form.
TEXT_FIELDS = {
    "subject.name": "subjectName",
    "subject.dob": "subjectDob",
    "subject.booking_number": "subjectBookingNumber",
    "subject.a_number": "subjectANumber",
    "subject.fbi_number": "subjectFbiNumber",
    "detainer.issued_at": "detainerIssuedAt",
    "received_at": "receivedAt",
    "detainer.issuing_office": "detainerIssuingOffice",
    "detainer.officer": "detainerOfficer",
    "release_eligible_at": "releaseEligibleAt",
}
INSTANT_FIELDS = ("detainer.issued_at", "received_at", "release_eligible_at")
# Field key -> {contract value: check box}; the error label under the group.
CHOICE_FIELDS = {
    "subject.us_citizenship_indicators": (
        {
            "us_birthplace": "indicatorUsBirthplace",
            "us_passport": "indicatorUsPassport",
            "ssn_verified": "indicatorSsnVerified",
            "naturalization_record": "indicatorNaturalizationRecord",
        },
        "subjectIndicatorsError",
    ),
    "flags": (
        {
            "watch_list": "flagWatchList",
            "sex_arson_registry": "flagSexArsonRegistry",
            "gang_database": "flagGangDatabase",
        },
        "flagsError",
    ),
    "detainer.requested": (
        {"notify": "requestNotify", "hold": "requestHold"},
        "detainerRequestedError",
    ),
    "detainer.probable_cause_basis": (
        {
            "final_order": "basisFinalOrder",
            "removal_proceedings": "basisRemovalProceedings",
            "biometric_match": "basisBiometricMatch",
            "statements": "basisStatements",
        },
        "detainerBasisError",
    ),
}
FORM_WORDS = {
    "I-247A": "Immigration Detainer – Notice of Action",
    "I-247G": "notification only",
    "I-247N": "notification only",
    "I-247D": "older form, 2015–2017",
    "I-247X": "older form, rescinded 2017",
    "I-247": "older form, before 2015",
}
_TEXT_DRAFT_ATTRIBUTES = {
    "subject.name": "name",
    "subject.dob": "dob",
    "subject.booking_number": "booking_number",
    "subject.a_number": "a_number",
    "subject.fbi_number": "fbi_number",
    "detainer.issued_at": "issued_at",
    "received_at": "received_at",
    "detainer.issuing_office": "issuing_office",
    "detainer.officer": "officer",
    "release_eligible_at": "release_eligible_at",
}
_CHOICE_DRAFT_ATTRIBUTES = {
    "subject.us_citizenship_indicators": "citizenship_indicators",
    "flags": "flags",
    "detainer.requested": "requested",
    "detainer.probable_cause_basis": "probable_cause_basis",
}


class RequestPage(QWidget):
    edited = Signal(str)  # the key of the field the officer changed
    submitted = Signal()  # Enter in a text field: check the request

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("requestPageHost")
        self.setAccessibleName("Subject and detainer")
        root = load_form("intake_request.ui", self)
        self.root = root
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 12, 12, 12)
        layout.addWidget(root)
        columns = root.layout()
        assert isinstance(columns, QBoxLayout)
        self._columns = columns

        self.texts: dict[str, QLineEdit] = {}
        self.notes: dict[str, Note] = {}
        self.readings: dict[str, Note] = {}
        for key, name in TEXT_FIELDS.items():
            edit = child(root, QLineEdit, name)
            self.texts[key] = edit
            self.notes[key] = Note(child(root, QLabel, f"{name}Error"), f"Problem with {name}")
            edit.textEdited.connect(lambda _text, k=key: self.edited.emit(k))
            edit.returnPressed.connect(self.submitted)
        for key in INSTANT_FIELDS:
            name = TEXT_FIELDS[key]
            self.readings[key] = Note(child(root, QLabel, f"{name}Reading"), "How it was read")
        # Dates as printed on U.S. paperwork, or chosen on a calendar; A-numbers with the
        # spaces and dashes of the form (gui/intake/entry.py says what is understood).
        self.date_entries = {
            key: DateEntry(self.texts[key], with_time=key in INSTANT_FIELDS)
            for key in (*entry.DATE_FIELDS, *entry.INSTANT_FIELDS)
        }
        tidy_on_leaving(self.texts["subject.a_number"], entry.normalise_a_number)
        for hint_name, about in (
            ("releaseEligibleAtHint", "About the release-eligible time"),
            ("receivedAtHint", "About the received time"),
        ):
            hint = child(root, QLabel, hint_name)
            Note(hint, about).show_remark(hint.text())

        self.claim = child(root, QCheckBox, "subjectCitizenshipClaim")
        self.claim.toggled.connect(lambda: self.edited.emit("subject.citizenship_claim"))
        self.notes["subject.citizenship_claim"] = Note(
            child(root, QLabel, "subjectCitizenshipClaimError"), "Problem with the claim"
        )

        self.form = child(root, QComboBox, "detainerForm")
        self.form.addItem("Choose the form printed at the top…", "")
        for form in v.FORMS:
            self.form.addItem(f"{form} — {FORM_WORDS[form]}", form)
        self.form.currentIndexChanged.connect(lambda: self.edited.emit("detainer.form"))
        self.notes["detainer.form"] = Note(
            child(root, QLabel, "detainerFormError"), "Problem with the form"
        )

        self.choices: dict[str, dict[str, QCheckBox]] = {}
        for key, (boxes, error_name) in CHOICE_FIELDS.items():
            self.choices[key] = {
                value: child(root, QCheckBox, name) for value, name in boxes.items()
            }
            for box in self.choices[key].values():
                box.toggled.connect(lambda _on, k=key: self.edited.emit(k))
            self.notes[key] = Note(child(root, QLabel, error_name), "Problem")
        for key, note in self.notes.items():
            note.label.setAccessibleName(f"Problem with {key.split('.')[-1].replace('_', ' ')}")
        self.form.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.form.setMinimumContentsLength(18)
        # Side by side like the paper when there is room; one above the other when not
        # (a narrow window must never hide half the form behind a sideways scroll).
        self._widths: tuple[int, int] | None = None

    def _column_widths(self) -> tuple[int, int]:
        """The narrowest the page can be with two columns, and with one."""
        if self._widths is None:
            columns, extra = self._columns, 2 * 12 + 4
            current = columns.direction()
            columns.setDirection(QBoxLayout.Direction.LeftToRight)
            two = columns.minimumSize().width() + extra
            columns.setDirection(QBoxLayout.Direction.TopToBottom)
            one = columns.minimumSize().width() + extra
            columns.setDirection(current)
            self._widths = (two, one)
            # Below the two-column width the scroll area may shrink the page, and it turns
            # into one column instead of scrolling sideways.
            self.setMinimumWidth(one)
        return self._widths

    def resizeEvent(self, event: QResizeEvent) -> None:
        two, _one = self._column_widths()
        wide = event.size().width() >= two
        direction = QBoxLayout.Direction.LeftToRight if wide else QBoxLayout.Direction.TopToBottom
        if self._columns.direction() != direction:
            self._columns.setDirection(direction)
        super().resizeEvent(event)

    def showEvent(self, event: QShowEvent) -> None:
        self._column_widths()
        super().showEvent(event)

    # -- values ---------------------------------------------------------------------------
    def read_into(self, draft: RequestDraft) -> None:
        for key, attribute in _TEXT_DRAFT_ATTRIBUTES.items():
            setattr(draft, attribute, self.texts[key].text())
        for key, attribute in _CHOICE_DRAFT_ATTRIBUTES.items():
            setattr(
                draft,
                attribute,
                [value for value, box in self.choices[key].items() if box.isChecked()],
            )
        draft.citizenship_claim = self.claim.isChecked()
        draft.form = str(self.form.currentData() or "")

    def write_from(self, draft: RequestDraft) -> None:
        """Show ``draft`` (no ``edited`` signals: nothing was typed)."""
        widgets: list[QWidget] = [*self.texts.values(), self.claim, self.form]
        widgets.extend(box for boxes in self.choices.values() for box in boxes.values())
        for widget in widgets:
            widget.blockSignals(True)
        try:
            for key, attribute in _TEXT_DRAFT_ATTRIBUTES.items():
                self.texts[key].setText(getattr(draft, attribute))
                self.texts[key].setCursorPosition(0)
            for key, attribute in _CHOICE_DRAFT_ATTRIBUTES.items():
                chosen = set(getattr(draft, attribute))
                for value, box in self.choices[key].items():
                    box.setChecked(value in chosen)
            self.claim.setChecked(draft.citizenship_claim)
            self.form.setCurrentIndex(max(0, self.form.findData(draft.form)))
        finally:
            for widget in widgets:
                widget.blockSignals(False)

    # -- what the controller shows ----------------------------------------------------------
    def show_problems(
        self, problems: dict[str, str], warnings: dict[str, str] | None = None
    ) -> None:
        """Each field's problem under it; else its warning (something to check that does
        not stop the request: an FBI number of an odd shape)."""
        warnings = warnings or {}
        for key, note in self.notes.items():
            text = problems.get(key)
            if text:
                note.show_problem(text)
            elif warnings.get(key):
                note.show_warning(warnings[key])
            else:
                note.clear()

    def show_readings(self, readings: dict[str, str | None]) -> None:
        for key, note in self.readings.items():
            text = readings.get(key)
            if text:
                note.show_remark(text)
            else:
                note.clear()

    def widget_for(self, key: str) -> QWidget | None:
        if key in self.texts:
            return self.texts[key]
        if key in self.choices:
            return next(iter(self.choices[key].values()))
        if key == "subject.citizenship_claim":
            return self.claim
        if key == "detainer.form":
            return self.form
        return None

    def first_field(self) -> QWidget:
        return self.texts["subject.name"]

    def set_read_only(self, read_only: bool) -> None:
        for edit in self.texts.values():
            edit.setReadOnly(read_only)
        boxes = [self.claim, *(b for group in self.choices.values() for b in group.values())]
        for widget in [*boxes, self.form]:
            freeze(widget, read_only)
