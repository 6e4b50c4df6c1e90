"""The first start on an empty record store: a short wizard, three steps.

1. The county and the jail (printed on every PDF), the county's timezone, and when the
   holds board warns that a hold's deadline is near.
2. The county's policy: a shipped preset, shown in plain English with its source and the
   caution to confirm it with county counsel, or a policy file written for the county.
3. The first administrator's account.

Nothing is stored until the last step: then ``complete_set_up`` creates the administrator,
signs them in, saves the settings and activates the policy, each as that administrator
and each in the audit trail. Going Back and Next keeps everything typed.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from zoneinfo import available_timezones

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMainWindow,
    QMessageBox,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from detainer_desk.services import records
from detainer_desk.services.access import RecordError
from detainer_desk.services.ports import Actor, UnitOfWork
from detainer_desk.services.settings import InstallationSettings, save_settings

from . import forms
from .installation import InstallationFields, installation_problems
from .pages import show_checking
from .policy_choice import ChosenPolicy, FileChooser, PolicyChooser, ask_policy_file
from .session import Session
from .widgets import (
    Field,
    MessageLabel,
    card,
    centred_page,
    form_layout,
    heading,
    paragraph,
    plain_sentence,
    push_button,
)

WIZARD_WIDTH = 880
STEPS = ("The county and the jail", "The county's policy", "The first administrator")
INSTALLATION, POLICY_STEP, ADMINISTRATOR = range(3)
POLICY = "policy"  # the key of a problem with the chosen policy
SET_UP_REASON = "chosen when Detainer Desk was set up"
ACCOUNT_KEYS = (forms.USER_NAME, forms.DISPLAY_NAME, forms.PASSWORD, forms.CONFIRM)


@dataclass(frozen=True, slots=True)
class SetUpAnswers:
    settings: InstallationSettings
    policy: ChosenPolicy | None
    user_name: str
    display_name: str
    password: str
    confirm: str
    require_second_factor: bool = True


@dataclass(frozen=True, slots=True)
class SetUpResult:
    administrator: str
    policy_name: str | None  # None when the activation failed
    unfinished: tuple[str, ...]  # what could not be stored after the account was made


def workstation_zone() -> str:
    """This computer's IANA timezone, when it names a place (a jail's clock is never UTC)."""
    from PySide6.QtCore import QTimeZone

    zone = bytes(QTimeZone.systemTimeZoneId().data()).decode("ascii", "replace")
    if zone in ("UTC", "Etc/UTC", "Etc/GMT", "GMT", "Universal", "Zulu", "Etc/Universal"):
        return ""
    return zone if zone in available_timezones() else ""


class SetUpWizard(QWidget):
    """No account exists yet: set the installation up. The window's controller finishes
    the job (``complete_set_up``) when ``submitted`` carries the answers."""

    submitted = Signal(object)  # SetUpAnswers

    def __init__(
        self,
        database_label: str,
        parent: QWidget | None = None,
        *,
        choose_file: FileChooser = ask_policy_file,
        initial_zone: str | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("firstRunPage")
        self.setAccessibleName("Set up Detainer Desk")
        self._choose_file = choose_file
        self._chooser: PolicyChooser | None = None

        column = centred_page(self, "firstRunPanel", "Set up", WIZARD_WIDTH)
        frame, box = card("firstRunCard")
        column.addWidget(frame, 1)  # one height for every step: the buttons stay put

        box.addWidget(heading("Set up Detainer Desk", "firstRunHeading"))
        self.step_label = QLabel()
        self.step_label.setObjectName("firstRunStep")
        self.step_label.setTextFormat(Qt.TextFormat.PlainText)
        box.addWidget(self.step_label)

        self.steps = QStackedWidget()
        self.steps.setObjectName("firstRunSteps")
        self.steps.addWidget(self._installation_step(database_label, initial_zone))
        self.policy_step = QWidget()
        self.policy_step.setObjectName("firstRunPolicyStep")
        self.policy_step_box = QVBoxLayout(self.policy_step)
        self.policy_step_box.setContentsMargins(0, 0, 0, 0)
        self.policy_step_box.setSpacing(10)
        self.policy_step_box.addWidget(
            paragraph(
                "Detainer Desk checks every detainer request against the county's written "
                "policy, and every decision records the exact text it was made under. Choose "
                "one of the shipped presets, each naming the law it follows, or load the "
                "policy file written for this county. An administrator can activate another "
                "policy later (Policy menu); every change is recorded.",
                "firstRunPolicyIntro",
                "About the policy",
            )
        )
        self.steps.addWidget(self.policy_step)
        self.steps.addWidget(self._administrator_step())
        box.addWidget(self.steps, 1)

        self.error = MessageLabel("firstRunError", "Problem")
        box.addWidget(self.error)

        buttons = QHBoxLayout()
        self.back_button = push_button("&Back", "firstRunBack", "Back")
        self.back_button.clicked.connect(self.go_back)
        buttons.addWidget(self.back_button)
        buttons.addStretch(1)
        self.next_button = push_button("&Next", "firstRunNext", "Next")
        self.next_button.setDefault(True)
        self.next_button.clicked.connect(self.go_next)
        buttons.addWidget(self.next_button)
        self.create_button = push_button(
            "&Create administrator and finish",
            "createAdminButton",
            "Create administrator and finish",
        )
        self.create_button.clicked.connect(self._submit)
        buttons.addWidget(self.create_button)
        box.addLayout(buttons)
        self.show_step(INSTALLATION)

    # ------------------------------------------------------------------ steps
    def _installation_step(self, database_label: str, initial_zone: str | None) -> QWidget:
        step = QWidget()
        step.setObjectName("firstRunInstallationStep")
        column = QVBoxLayout(step)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(10)
        self.database_note = paragraph(
            "This database has no accounts yet, so Detainer Desk starts by setting it up:\n"
            + database_label,
            "firstRunDatabase",
            "Database",
        )
        column.addWidget(self.database_note)
        column.addWidget(
            paragraph(
                "The names below are printed on every record and notice. The timezone is the "
                "county's local time, used on the records and PDFs. The holds board warns "
                "twice before a person's hold must end.",
                "firstRunInstallationIntro",
                "About these settings",
            )
        )
        form = form_layout()
        self.installation = InstallationFields(
            form, "firstRun", require_names=True, session_lock=False
        )
        zone = workstation_zone() if initial_zone is None else initial_zone
        self.installation.timezone.set_zone(zone)
        for field in (self.installation.county, self.installation.jail):
            field.edit.returnPressed.connect(self.go_next)
        column.addLayout(form)
        column.addStretch(1)
        return step

    def _administrator_step(self) -> QWidget:
        step = QWidget()
        step.setObjectName("firstRunAdministratorStep")
        column = QVBoxLayout(step)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(10)
        column.addWidget(
            paragraph(
                "Create the first administrator. The administrator then creates an account "
                "for each officer, supervisor and member of county counsel. Administrators "
                "manage accounts, policies and settings; they do not record decisions.",
                "firstRunIntro",
                "What to do",
            )
        )
        form = form_layout()
        self.user_name = Field("&User name:", "firstRunUserName", hint="For example j.smith")
        self.display_name = Field(
            "&Display name:", "firstRunDisplayName", hint="Full name, as shown in the records"
        )
        self.password = Field(
            "&Password:", "firstRunPassword", secret=True, hint=forms.PASSWORD_HINT
        )
        self.confirm = Field("C&onfirm password:", "firstRunConfirm", secret=True)
        self.fields = {
            forms.USER_NAME: self.user_name,
            forms.DISPLAY_NAME: self.display_name,
            forms.PASSWORD: self.password,
            forms.CONFIRM: self.confirm,
        }
        for field in self.fields.values():
            field.add_to(form)
            field.edit.returnPressed.connect(self._submit)
        column.addLayout(form)
        self.second_factor = QCheckBox(
            "Require a &second factor at every sign-in: an authenticator app's code after the "
            "password (FBI CJIS Security Policy 5.6.2.2)"
        )
        self.second_factor.setObjectName("firstRunSecondFactor")
        self.second_factor.setAccessibleName("Require a second factor at every sign-in")
        self.second_factor.setChecked(True)
        column.addWidget(self.second_factor)
        self.summary = paragraph("", "firstRunSummary", "What finishing does")
        column.addWidget(self.summary)
        column.addStretch(1)
        QWidget.setTabOrder(self.user_name.edit, self.display_name.edit)
        QWidget.setTabOrder(self.display_name.edit, self.password.edit)
        QWidget.setTabOrder(self.password.edit, self.confirm.edit)
        return step

    @property
    def chooser(self) -> PolicyChooser:
        """The policy step's chooser, built when first needed (it reads every preset)."""
        if self._chooser is None:
            self._chooser = PolicyChooser("firstRunPolicy", choose_file=self._choose_file)
            self.policy_step_box.addWidget(self._chooser, 1)
        return self._chooser

    @property
    def step(self) -> int:
        return self.steps.currentIndex()

    def show_step(self, step: int) -> None:
        if step == POLICY_STEP:
            # The policy is activated in the county's timezone chosen on step 1.
            self.chooser.set_county_zone(self.installation.settings().timezone.strip() or None)
        if step == ADMINISTRATOR:
            self._summarize()
        self.steps.setCurrentIndex(step)
        text = f"Step {step + 1} of {len(STEPS)}: {STEPS[step]}"
        self.step_label.setText(text)
        self.step_label.setAccessibleName(text)
        self.back_button.setVisible(step > INSTALLATION)
        last = step == ADMINISTRATOR
        self.next_button.setVisible(not last)
        self.create_button.setVisible(last)
        self.next_button.setDefault(not last)
        self.create_button.setDefault(last)
        self.error.clear_message()
        self.focus_first()

    def _summarize(self) -> None:
        settings = self.installation.settings()
        chosen = self.chooser.chosen()
        policy = chosen.policy.name if chosen else "(none chosen)"
        text = (
            "When you finish, the administrator is created and signed in; then, as the "
            f"administrator, the settings for {settings.county_name.strip()} "
            f"({settings.jail_name.strip()}, {settings.timezone}) are saved and the "
            f"policy “{policy}” is activated in the county's timezone, {settings.timezone}. "
            "Each step is recorded in the audit trail."
        )
        self.summary.setText(text)
        self.summary.setAccessibleDescription(text)

    def go_next(self) -> bool:
        """Check this step; go on when it is complete (True), else show why (False)."""
        step = self.step
        if step == INSTALLATION:
            problems = self.installation.problems()
            first = self.installation.show_problems(problems)
            if first is not None:
                first.setFocus(Qt.FocusReason.OtherFocusReason)
                return False
        elif step == POLICY_STEP:
            problem = self.chooser.problem()
            if problem is not None:
                self.error.show_error(problem)
                return False
        if step < ADMINISTRATOR:
            self.show_step(step + 1)
            return True
        return False

    def go_back(self) -> None:
        if self.step > INSTALLATION:
            self.show_step(self.step - 1)

    def answers(self) -> SetUpAnswers:
        required = self.second_factor.isChecked()
        return SetUpAnswers(
            dataclasses.replace(self.installation.settings(), second_factor_required=required),
            self.chooser.chosen(),
            self.user_name.text(),
            self.display_name.text(),
            self.password.text(),
            self.confirm.text(),
            required,
        )

    def _submit(self) -> None:
        if self.step == ADMINISTRATOR and self.create_button.isEnabled():
            self.submitted.emit(self.answers())

    def set_working(self, working: bool) -> None:
        """The administrator is being created: say so; no second submit meanwhile."""
        show_checking(self, self.create_button, working)
        self.back_button.setEnabled(not working)

    # --------------------------------------------------------------- problems
    def clear_problems(self) -> None:
        self.installation.clear_problems()
        for field in self.fields.values():
            field.set_error(None)
        self.error.clear_message()

    def show_problems(self, problems: dict[str, str]) -> None:
        """Each problem beside its field, on the earliest step that has one."""
        self.clear_problems()
        steps = []
        if any(self.installation.has_key(key) for key in problems):
            steps.append(INSTALLATION)
        if POLICY in problems:
            steps.append(POLICY_STEP)
        if any(key in self.fields for key in problems):
            steps.append(ADMINISTRATOR)
        if steps and steps[0] != self.step:
            self.show_step(steps[0])
        first = self.installation.show_problems(problems)
        for key, field in self.fields.items():
            if key in problems:
                field.set_error(problems[key])
                first = first or field.edit
        if POLICY in problems:
            self.error.show_error(problems[POLICY])
        if first is not None and first.isVisible():
            first.setFocus(Qt.FocusReason.OtherFocusReason)
            if isinstance(first, QLineEdit):
                first.selectAll()

    def show_error(self, message: str) -> None:
        self.clear_problems()
        self.error.show_error(message)

    def forget_passwords(self) -> None:
        self.password.edit.clear()
        self.confirm.edit.clear()

    def focus_first(self) -> None:
        step = self.step
        if step == INSTALLATION:
            self.installation.county.edit.setFocus(Qt.FocusReason.OtherFocusReason)
        elif step == POLICY_STEP:
            self.chooser.preset_combo.setFocus(Qt.FocusReason.OtherFocusReason)
        else:
            self.user_name.edit.setFocus(Qt.FocusReason.OtherFocusReason)


# -- finishing --------------------------------------------------------------------------------


def set_up_problems(session: Session, answers: SetUpAnswers) -> dict[str, str | None]:
    """Everything wrong with the answers, by field, before anything is stored."""
    problems: dict[str, str | None] = dict(
        installation_problems(answers.settings, require_names=True)
    )
    problems[POLICY] = (
        None if answers.policy is not None else "Choose the county's policy (step 2)."
    )
    problems.update(
        forms.new_account_problems(
            session.backend.security, answers.user_name, answers.password, answers.confirm
        )
    )
    return problems


def start_set_up(
    session: Session,
    answers: SetUpAnswers,
    on_done: Callable[[SetUpResult], None],
    on_failed: Callable[[BaseException], None],
) -> None:
    """Create the first administrator and sign them in, then save the settings and activate
    the policy as them, in the background; the result to ``on_done`` on the GUI thread.
    FieldProblems (at once) / RecordError (from the account, to ``on_failed``) store
    nothing; once the account exists, what else could not be stored is listed in
    ``unfinished`` (the administrator then finishes it in Admin › Settings and Policy ›
    Activate)."""
    forms.raise_if_any(set_up_problems(session, answers))
    policy = answers.policy
    assert policy is not None
    uow, now = session.backend.uow, session.now()

    def as_administrator(actor: Actor) -> SetUpResult:
        # The administrator's own settings and policy, as them, whether they are signed in
        # now or first set up their second factor (the next page).
        return finish_set_up(uow, now, actor, answers, policy)

    session.create_first_admin(
        answers.user_name,
        answers.display_name,
        answers.password,
        answers.confirm,
        require_second_factor=answers.require_second_factor,
        then=as_administrator,
        on_done=on_done,
        on_failed=on_failed,
    )


def finish_set_up(
    uow: Callable[[], UnitOfWork],
    now: dt.datetime,
    actor: Actor,
    answers: SetUpAnswers,
    policy: ChosenPolicy,
) -> SetUpResult:
    """The settings and the policy, as the new administrator (in the background)."""
    unfinished = []
    try:
        save_settings(uow(), actor, answers.settings, now)
    except RecordError as refused:
        unfinished.append(f"The settings were not saved: {plain_sentence(str(refused))}")
    policy_name: str | None = None
    try:
        activated = records.activate_policy(
            uow(),
            policy.data,
            policy.source,
            actor,
            now,
            SET_UP_REASON,
            preset=policy.preset is not None,
            in_county_zone=policy.in_county_zone,
        )
        policy_name = activated.activation.policy.name
    except RecordError as refused:
        unfinished.append(f"The policy was not activated: {plain_sentence(str(refused))}")
    return SetUpResult(actor.user, policy_name, tuple(unfinished))


def announce_set_up(window: QMainWindow, result: SetUpResult) -> QMessageBox | None:
    """Say that set-up is done, or, when part of it could not be stored, what is left."""
    if not result.unfinished:
        window.statusBar().showMessage(
            f"Detainer Desk is set up. {result.administrator} is signed in; "
            f"the policy in force is {result.policy_name}.",
            15_000,
        )
        return None
    box = QMessageBox(window)
    box.setObjectName("setUpUnfinished")
    box.setAccessibleName("Set-up not finished")
    box.setIcon(QMessageBox.Icon.Warning)
    box.setWindowTitle("Set-up not finished")
    box.setTextFormat(Qt.TextFormat.PlainText)
    box.setText(
        f"The administrator {result.administrator} was created and is signed in, but:\n\n"
        + "\n".join(result.unfinished)
        + "\n\nFinish it in Admin › Settings and Policy › Activate a policy."
    )
    box.setStandardButtons(QMessageBox.StandardButton.Ok)
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.open()
    return box
