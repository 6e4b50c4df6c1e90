"""Choosing a policy: one of the shipped presets, or a policy file written for the county.

Used by the first-run wizard, by Policy › Activate and by Policy › What if. Whatever is
chosen is shown the way counsel should read it before it decides anything: the caution
to confirm it with county counsel, its legal source, and the whole policy in plain
English. A file that is not a valid policy is explained line by line, in words.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont, QFontDatabase
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QFileDialog,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from detainer_desk.adapters.reading import FileRefused, read_limited
from detainer_desk.domain.describe import describe_policy
from detainer_desk.domain.errors import InvalidInput, Problem
from detainer_desk.domain.limits import POLICY_FILE_BYTES
from detainer_desk.domain.policy import Policy, parse_policy
from detainer_desk.domain.policy_zone import ZoneNotWritable, ZoneRewrite, in_zone
from detainer_desk.services.policies import PresetInfo, preset_catalog

from .widgets import MessageLabel, bold, paragraph, plain_sentence

MAX_POLICY_BYTES = POLICY_FILE_BYTES  # a policy is a page of text; anything this big is wrong
COUNSEL_CAUTION = "Confirm with county counsel before this policy decides anything."

# (parent) -> the chosen file's path, or None when cancelled. Tests answer without a dialog.
FileChooser = Callable[[QWidget | None], str | None]


def ask_policy_file(parent: QWidget | None) -> str | None:
    path, _filter = QFileDialog.getOpenFileName(
        parent, "Load a policy file", "", "Policy files (*.toml);;All files (*)"
    )
    return path or None


@dataclass(frozen=True, slots=True)
class ChosenPolicy:
    data: bytes  # the exact bytes: their SHA-256 is what the records cite
    source: str  # the preset's name or the file's path
    policy: Policy
    preset: PresetInfo | None = None
    # A file in another timezone, to be activated with the county's instead (one line).
    in_county_zone: bool = False

    @property
    def caution(self) -> str:
        return self.policy.caution or ""


class PolicyFileProblem(Exception):
    """A file that cannot be used as a policy: the reasons, one sentence each."""

    def __init__(self, path: str, lines: list[str]) -> None:
        super().__init__("\n".join(lines))
        self.path = path
        self.lines = lines


def problem_sentence(problem: Problem) -> str:
    """``p.toml:4: timezone: 'Mars' is not…`` as "Line 4, “timezone”: 'Mars' is not…"."""
    message = problem.message.strip()
    if not problem.key:
        subject = "The file" if problem.line is None else f"Line {problem.line}"
        verb = "" if message.startswith(("is ", "has ", "contains ")) else "is "
        return plain_sentence(f"{subject} {verb}{message}")
    where = f"Line {problem.line}, " if problem.line is not None else ""
    return plain_sentence(f"{where}“{problem.key}”: {message}")


def read_policy_file(path: str) -> ChosenPolicy:
    """Read and check a policy file; PolicyFileProblem says in words why it cannot be used."""
    file = Path(path)
    try:
        size = file.stat().st_size
        if size > MAX_POLICY_BYTES:
            raise PolicyFileProblem(
                path, [f"The file is {size:,} bytes: far too big to be a policy file."]
            )
        data = read_limited(file, MAX_POLICY_BYTES, "policy")
    except FileRefused as refused:
        if file.is_dir():
            raise PolicyFileProblem(path, ["That is a folder, not a policy file."]) from None
        raise PolicyFileProblem(path, [plain_sentence(refused.reason)]) from None
    except FileNotFoundError:
        raise PolicyFileProblem(path, ["The file does not exist."]) from None
    except IsADirectoryError:
        raise PolicyFileProblem(path, ["That is a folder, not a policy file."]) from None
    except PermissionError:
        raise PolicyFileProblem(path, ["You may not read that file."]) from None
    except OSError as exc:
        raise PolicyFileProblem(path, [f"The file cannot be read: {exc.strerror}."]) from None
    try:
        policy = parse_policy(data, file.name)
    except InvalidInput as exc:
        raise PolicyFileProblem(path, [problem_sentence(p) for p in exc.problems]) from None
    return ChosenPolicy(data, str(file), policy)


def caution_frame(object_name: str) -> tuple[QFrame, QLabel]:
    """A boxed warning, in words first (the box's colour only repeats them)."""
    frame = QFrame()
    frame.setObjectName(object_name)
    frame.setFrameShape(QFrame.Shape.StyledPanel)
    frame.setStyleSheet(
        f"QFrame#{object_name} {{ border: 2px solid #b26a00; border-radius: 4px; }}"
    )
    box = QVBoxLayout(frame)
    box.setContentsMargins(12, 8, 12, 8)
    label = QLabel()
    label.setObjectName(f"{object_name}Text")
    label.setAccessibleName("Caution")
    label.setWordWrap(True)
    label.setFont(bold(label.font()))
    box.addWidget(label)
    return frame, label


def policy_text_view(object_name: str, accessible_name: str) -> QPlainTextEdit:
    view = QPlainTextEdit()
    view.setObjectName(object_name)
    view.setAccessibleName(accessible_name)
    view.setReadOnly(True)
    view.setLineWrapMode(QPlainTextEdit.LineWrapMode.WidgetWidth)
    return view


def monospace(view: QPlainTextEdit) -> None:
    font = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
    font.setStyleHint(QFont.StyleHint.Monospace)
    view.setFont(font)


class PolicyChooser(QWidget):
    """A preset or a file; shows the caution, the citation and the plain English of what is
    chosen. ``changed`` fires whenever the choice does."""

    changed = Signal()

    def __init__(
        self,
        object_name: str,
        parent: QWidget | None = None,
        *,
        choose_file: FileChooser = ask_policy_file,
        catalog: list[PresetInfo] | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName(object_name)
        self.setAccessibleName("Choose a policy")
        self.choose_file = choose_file
        self._catalog = catalog if catalog is not None else preset_catalog()
        self._presets: dict[str, ChosenPolicy] = {}
        self._file: ChosenPolicy | None = None
        self._file_problem: PolicyFileProblem | None = None
        # The county's timezone, when what is chosen is to be activated (None: a what-if,
        # which reads the policy in its own zone, as ``check`` does).
        self._county_zone: str | None = None
        self._rewrite: ZoneRewrite | None = None

        grid = QGridLayout()
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setHorizontalSpacing(10)
        grid.setVerticalSpacing(8)
        grid.setColumnStretch(1, 1)
        self.preset_radio = QRadioButton("A shipped &preset:")
        self.preset_radio.setObjectName(f"{object_name}PresetRadio")
        self.preset_radio.setAccessibleName("Use a shipped preset")
        self.preset_combo = QComboBox()
        self.preset_combo.setObjectName(f"{object_name}Preset")
        self.preset_combo.setAccessibleName("Preset")
        self.preset_combo.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.preset_combo.setMinimumContentsLength(30)
        self.preset_combo.addItem("Choose a preset…", "")
        for preset in self._catalog:
            self.preset_combo.addItem(f"{preset.title} ({preset.jurisdiction})", preset.name)
        grid.addWidget(self.preset_radio, 0, 0)
        grid.addWidget(self.preset_combo, 0, 1)

        self.file_radio = QRadioButton("A policy &file:")
        self.file_radio.setObjectName(f"{object_name}FileRadio")
        self.file_radio.setAccessibleName("Use a policy file")
        file_row = QHBoxLayout()
        file_row.setSpacing(8)
        self.file_label = QLabel("No file loaded.")
        self.file_label.setObjectName(f"{object_name}FileName")
        self.file_label.setAccessibleName("Policy file")
        self.file_label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.file_button = QPushButton("&Load a policy file…")
        self.file_button.setObjectName(f"{object_name}LoadFile")
        self.file_button.setAccessibleName("Load a policy file")
        self.file_button.setAutoDefault(False)
        file_row.addWidget(self.file_label, 1)
        file_row.addWidget(self.file_button)
        grid.addWidget(self.file_radio, 1, 0)
        grid.addLayout(file_row, 1, 1)

        self.kind = QButtonGroup(self)
        self.kind.addButton(self.preset_radio)
        self.kind.addButton(self.file_radio)
        self.preset_radio.setChecked(True)

        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(8)
        column.addLayout(grid)

        self.caution_box, self.caution = caution_frame(f"{object_name}Caution")
        column.addWidget(self.caution_box)
        self.citation = paragraph("", f"{object_name}Citation", "Legal source")
        column.addWidget(self.citation)
        self.zone_note = paragraph("", f"{object_name}ZoneNote", "The policy's timezone")
        column.addWidget(self.zone_note)
        self.zone_problem_label = MessageLabel(
            f"{object_name}ZoneProblem", "The policy's timezone is not the county's"
        )
        column.addWidget(self.zone_problem_label)
        self.in_county_zone = QCheckBox("Activate it with the county's timezone instead")
        self.in_county_zone.setObjectName(f"{object_name}InCountyZone")
        self.in_county_zone.setAccessibleName("Activate it with the county's timezone instead")
        self.in_county_zone.hide()
        self.in_county_zone.toggled.connect(lambda _on: self._refresh())
        column.addWidget(self.in_county_zone)
        self.zone_change = paragraph("", f"{object_name}ZoneChange", "The line that changes")
        self.zone_change.hide()
        column.addWidget(self.zone_change)
        self.problems = MessageLabel(f"{object_name}Problems", "Why the file cannot be used")
        self.problems.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        column.addWidget(self.problems, 1)  # in the description's place when that is hidden
        self.description = policy_text_view(
            f"{object_name}Description", "The policy in plain English"
        )
        self.description.setMinimumHeight(140)
        column.addWidget(self.description, 1)

        self.preset_combo.currentIndexChanged.connect(self._preset_picked)
        self.kind.buttonToggled.connect(lambda _button, _on: self._refresh())
        self.file_button.clicked.connect(self._ask_for_file)
        self._refresh()

    # --------------------------------------------------------------- choosing
    def select_preset(self, name: str) -> None:
        index = self.preset_combo.findData(name)
        if index < 0:
            raise KeyError(name)
        self.preset_radio.setChecked(True)
        self.preset_combo.setCurrentIndex(index)

    def _preset_picked(self) -> None:
        if self.preset_combo.currentData():
            self.preset_radio.setChecked(True)
        self._refresh()

    def _ask_for_file(self) -> None:
        path = self.choose_file(self.window())
        if path:
            self.load_file(path)

    def set_county_zone(self, zone: str | None) -> None:
        """The county's timezone: what is chosen is to be activated in it (a preset with it
        written in; a file in another zone only when asked, showing the line that changes)."""
        self._county_zone = zone or None
        self._refresh()

    def zone_problem(self) -> str | None:
        """Why the chosen file cannot be activated as written: its zone is not the county's
        (None when it is, when a preset is chosen, or when asked to use the county's)."""
        chosen = self._chosen_as_written()
        zone = self._county_zone
        if chosen is None or zone is None or chosen.preset is not None:
            return None
        if chosen.policy.timezone == zone or (
            self.in_county_zone.isChecked() and self._rewrite is not None
        ):
            return None
        return (
            f"This file's timezone is {chosen.policy.timezone}, but the county's timezone is "
            f"{zone}. The policy in force must read times in the county's timezone, so the "
            "file cannot be activated as it is written."
        )

    def load_file(self, path: str) -> bool:
        """Read ``path``; True when it is a policy (then chosen), False with the reasons shown."""
        self.file_radio.setChecked(True)
        self.in_county_zone.setChecked(False)
        try:
            self._file = read_policy_file(path)
            self._file_problem = None
        except PolicyFileProblem as problem:
            self._file = None
            self._file_problem = problem
        self.file_label.setText(path)
        self.file_label.setToolTip(path)
        self._refresh()
        return self._file is not None

    def chosen(self) -> ChosenPolicy | None:
        chosen = self._chosen_as_written()
        if (
            chosen is not None
            and chosen.preset is None
            and self._county_zone is not None
            and chosen.policy.timezone != self._county_zone
            and self.in_county_zone.isChecked()
        ):
            return replace(chosen, in_county_zone=True)
        return chosen

    def _chosen_as_written(self) -> ChosenPolicy | None:
        if self.file_radio.isChecked():
            return self._file
        name = self.preset_combo.currentData()
        if not name:
            return None
        if name not in self._presets:
            preset = next(p for p in self._catalog if p.name == name)
            data = preset.text.encode("utf-8")
            self._presets[name] = ChosenPolicy(data, name, parse_policy(data, name), preset)
        return self._presets[name]

    def problem(self) -> str | None:
        """Why nothing usable is chosen yet, in a sentence (None: a policy is chosen)."""
        if self.chosen() is not None:
            return self.zone_problem()
        if self.file_radio.isChecked():
            if self._file_problem is not None:
                return "That file cannot be used as a policy (the reasons are listed)."
            return "Load the county's policy file, or choose a shipped preset."
        return "Choose one of the shipped presets, or load a policy file."

    # --------------------------------------------------------------- showing
    def _refresh(self) -> None:
        chosen = self.chosen()
        self.problems.clear_message()
        if chosen is None:
            self._show_zone(None)
            self.caution_box.hide()
            self.citation.hide()
            self.description.setPlainText("")
            self.description.setAccessibleDescription("")
            if self.file_radio.isChecked() and self._file_problem is not None:
                self.problems.show_error(
                    "This file cannot be used as a policy; nothing was changed. "
                    "Fix these in the file and load it again:\n"
                    + "\n".join(f"• {line}" for line in self._file_problem.lines)
                )
                self.description.hide()
            else:
                self.description.show()
            self.changed.emit()
            return
        policy = chosen.policy
        caution = COUNSEL_CAUTION
        if chosen.caution:
            caution += "\n" + " ".join(chosen.caution.split())
        self.caution.setText("⚠ " + caution)
        self.caution.setAccessibleDescription(caution)
        self.caution_box.show()
        self.citation.setText(f"Source: {policy.citation}")
        self.citation.setAccessibleDescription(policy.citation)
        self.citation.show()
        text = describe_policy(policy)
        self.description.setPlainText(text)
        self.description.setAccessibleDescription(f"The policy {policy.name} in plain English")
        self.description.show()
        self._show_zone(chosen)
        self.changed.emit()

    def _show_zone(self, chosen: ChosenPolicy | None) -> None:
        """Which timezone the chosen policy will read times in, and, for a file in another
        zone, the refusal and the offer to use the county's (the one line that changes)."""
        self.zone_problem_label.clear_message()
        self.in_county_zone.hide()
        self.zone_change.hide()
        self._rewrite = None
        if chosen is None:
            self.zone_note.hide()
            return
        written = chosen.policy.timezone
        zone = self._county_zone
        if zone is None:
            note = f"Times without an offset are read in this policy's own timezone, {written}."
        elif written == zone:
            note = f"Timezone: {zone}, the county's."
        else:
            try:
                self._rewrite = in_zone(chosen.policy, zone)
            except ZoneNotWritable:
                self._rewrite = None
            change = (
                f"line {self._rewrite.line_number} changes from {self._rewrite.old_line.strip()} "
                f"to {self._rewrite.new_line.strip()}"
                if self._rewrite is not None
                else ""
            )
            if chosen.preset is not None:
                note = (
                    f"Timezone: the county's, {zone}. A preset is a template: its timezone "
                    f"({written}) is only a default, and the county's is written into the text "
                    f"that is stored ({change})."
                )
            else:
                note = (
                    f"Timezone: {zone}, the county's, instead of the file's {written} ({change})."
                    if self.in_county_zone.isChecked() and self._rewrite is not None
                    else ""
                )
                problem = self.zone_problem()
                if problem:
                    self.zone_problem_label.show_error(problem)
                if self._rewrite is not None:
                    self.in_county_zone.show()
                    line = (
                        f"One line changes, line {self._rewrite.line_number}: "
                        f"{self._rewrite.old_line.strip()} → {self._rewrite.new_line.strip()}"
                    )
                    self.zone_change.setText(line)
                    self.in_county_zone.setAccessibleDescription(line)
                    self.zone_change.setVisible(not self.in_county_zone.isChecked())
        self.zone_note.setText(note)
        self.zone_note.setAccessibleDescription(note)
        self.zone_note.setVisible(bool(note))

    def show_problem(self, problem: str) -> None:
        self.problems.show_error(problem)
