"""Small dialogs: change my password, reset someone's password, add an account, change
roles, and the installation's settings.

Each is a form that stays open, with what was typed kept, until the use case succeeds;
a refusal is shown in the dialog in plain words. The use case runs as a background
operation (``FormDialog.in_background``): OK is off until it has ended.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any, Final

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QGroupBox,
    QLabel,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from detainer_desk.domain import accounts as acc
from detainer_desk.services import accounts, records
from detainer_desk.services.access import RecordError
from detainer_desk.services.ports import UnitOfWork, UserRecord
from detainer_desk.services.settings import (
    InstallationSettings,
    SettingsSaved,
    read_settings,
    save_settings,
)

from . import forms
from .changes import Change
from .installation import InstallationFields
from .policy_screen import ask_to_confirm
from .session import Session
from .tasks import TaskRunner, run_in_background, tasks_for
from .widgets import Field, MessageLabel, form_layout, paragraph, plain_sentence

if TYPE_CHECKING:
    from detainer_desk.domain.policy_zone import ZoneRewrite
    from detainer_desk.services.contacts import Jurisdiction

# Said wherever the county chooses the law its notices follow (the notices' other languages
# are draft translations).
TRANSLATOR_WORDS_SHORT = (
    "The notices' translations are drafts: have a qualified translator confirm them."
)


class Waiting:
    """What ``submit`` returns when its use case runs in the background: the dialog stays
    open until it has succeeded."""


WAITING: Final = Waiting()


class FormDialog(QDialog):
    """A dialog with a form, problems beside the fields, and OK / Cancel."""

    def __init__(
        self,
        title: str,
        object_name: str,
        ok_text: str,
        parent: QWidget | None,
        intro: str | None = None,
        tasks: TaskRunner | None = None,
    ) -> None:
        super().__init__(parent)
        self.tasks = tasks_for(self, tasks)
        self.busy = False  # a read or write of the dialog is running
        self.setObjectName(object_name)
        self.setWindowTitle(title)
        self.setAccessibleName(title)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.fields: dict[str, Field] = {}
        self.extra_errors: dict[str, MessageLabel] = {}

        self.layout_ = QVBoxLayout(self)
        self.layout_.setContentsMargins(18, 16, 18, 14)
        self.layout_.setSpacing(12)
        if intro:
            self.layout_.addWidget(paragraph(intro, f"{object_name}Intro", "About this dialog"))
        self.form = form_layout()
        self.layout_.addLayout(self.form)
        self.error = MessageLabel(f"{object_name}Error", "Problem")
        self.layout_.addWidget(self.error)

        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.setObjectName(f"{object_name}Buttons")
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText(ok_text)
        self.ok_button.setObjectName(f"{object_name}Ok")
        self.ok_button.setAccessibleName(ok_text.replace("&", ""))
        cancel = self.buttons.button(QDialogButtonBox.StandardButton.Cancel)
        cancel.setObjectName(f"{object_name}Cancel")
        cancel.setAccessibleName("Cancel")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)

    def finish_layout(self) -> None:
        """Call after the fields are added: buttons go last, and the size settles."""
        self.layout_.addWidget(self.buttons)
        self.setMinimumWidth(580)
        self.adjustSize()

    def add_field(self, key: str, field: Field) -> Field:
        self.fields[key] = field
        field.add_to(self.form)
        return field

    def add_problem_label(self, key: str, label: MessageLabel) -> None:
        self.extra_errors[key] = label

    def clear_problems(self) -> None:
        for field in self.fields.values():
            field.set_error(None)
        for label in self.extra_errors.values():
            label.clear_message()
        self.error.clear_message()

    def submit(self) -> Waiting | None:
        """Do the work (or start it: ``return self.in_background(...)``); raise
        FieldProblems or RecordError to keep the dialog open."""
        raise NotImplementedError

    def accept(self) -> None:
        if self.busy:
            return  # the use case is already running: no second submit
        self.clear_problems()
        self._settle(self.submit)

    def _settle(self, step: Callable[[], Waiting | None]) -> None:
        try:
            waiting = step()
        except forms.FieldProblems as problems:
            self._show_problems(problems.problems)
        except RecordError as refused:
            self.error.show_error(plain_sentence(str(refused)))
        else:
            if waiting is not WAITING:
                QDialog.accept(self)

    def in_background(
        self,
        work: Callable[[], Any],
        then: Callable[[Any], Waiting | None] | None = None,
        *,
        changes: Iterable[Change] = (),
    ) -> Waiting:
        """Run ``work()`` (it opens its own unit of work) off the GUI thread, with OK off;
        then ``then(result)`` on the GUI thread, which may raise like ``submit`` or start the
        next step (returning WAITING). A refusal is shown in the dialog, which stays open."""
        self.set_busy(True)

        def done(result: Any) -> None:
            self.set_busy(False)
            self._settle(lambda: then(result) if then is not None else None)

        run_in_background(
            self.tasks, self, self.error, work, done,
            on_failed=lambda _error: self.set_busy(False), changes=changes,
        )  # fmt: skip
        return WAITING

    def set_busy(self, busy: bool) -> None:
        self.busy = busy
        self.ok_button.setEnabled(not busy)

    def _show_problems(self, problems: dict[str, str]) -> None:
        first = None
        for key, problem in problems.items():
            if key in self.fields:
                self.fields[key].set_error(problem)
                first = first or self.fields[key].edit
            elif key in self.extra_errors:
                self.extra_errors[key].show_error(problem)
            else:
                self.error.show_error(problem)
        if first is not None:
            first.setFocus(Qt.FocusReason.OtherFocusReason)
            first.selectAll()


class RolesBox(QGroupBox):
    """One check box per role, each saying in words what the role may do."""

    def __init__(
        self, object_name: str, checked: frozenset[str] = frozenset(), *, titled: bool = True
    ) -> None:
        super().__init__("Roles" if titled else "")
        self.setObjectName(object_name)
        self.setAccessibleName("Roles")
        column = QVBoxLayout(self)
        column.setSpacing(6)
        self.boxes: dict[str, QCheckBox] = {}
        for role in acc.ROLES:
            words = acc.ROLE_WORDS[role]
            box = QCheckBox(words[0].upper() + words[1:])
            box.setObjectName(f"{object_name}_{role}")
            box.setAccessibleName(f"Role: {role}")
            box.setChecked(role in checked)
            column.addWidget(box)
            self.boxes[role] = box
        self.error = MessageLabel(f"{object_name}Error", "Problem with the roles")
        column.addWidget(self.error)

    def roles(self) -> frozenset[str]:
        return frozenset(role for role, box in self.boxes.items() if box.isChecked())

    def problem(self) -> str | None:
        return None if self.roles() else "Choose at least one role."


# -- the signed-in user's own password -------------------------------------------------------


class ChangePasswordDialog(FormDialog):
    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        actor = session.require_actor()
        super().__init__(
            "Change my password",
            "changePasswordDialog",
            "&Change password",
            parent,
            intro=f"Change the password of {actor.user}. You need your current password.",
        )
        self.session = session
        self.add_field(
            forms.CURRENT_PASSWORD, Field("C&urrent password:", "currentPassword", secret=True)
        )
        self.add_field(
            forms.PASSWORD,
            Field("&New password:", "newPassword", secret=True, hint=forms.PASSWORD_HINT),
        )
        self.add_field(
            forms.CONFIRM, Field("C&onfirm new password:", "confirmPassword", secret=True)
        )
        self.finish_layout()

    def submit(self) -> Waiting:
        session = self.session
        actor = session.require_actor()
        current = self.fields[forms.CURRENT_PASSWORD].text()
        new = self.fields[forms.PASSWORD].text()
        problems = forms.new_password_problems(
            session.backend.security, actor.user, new, self.fields[forms.CONFIRM].text()
        )
        problems[forms.CURRENT_PASSWORD] = None if current else "Enter your current password."
        forms.raise_if_any(problems)
        uow, security, now = session.backend.uow, session.backend.security, session.now()
        return self.in_background(
            lambda: accounts.change_password(uow(), security, actor, current, new, now),
            changes={Change.USERS},
        )


# -- administration ---------------------------------------------------------------------------


class ResetPasswordDialog(FormDialog):
    def __init__(self, session: Session, user_name: str, parent: QWidget | None = None) -> None:
        super().__init__(
            f"Reset the password of {user_name}",
            "resetPasswordDialog",
            "&Set password",
            parent,
            intro=(
                f"Set a new password for {user_name} (for example after they forgot it). "
                "Tell them in person; they can change it with File › Change my password."
            ),
        )
        self.session = session
        self.user_name = user_name
        self.add_field(
            forms.PASSWORD,
            Field("&New password:", "resetPassword", secret=True, hint=forms.PASSWORD_HINT),
        )
        self.add_field(forms.CONFIRM, Field("C&onfirm password:", "resetConfirm", secret=True))
        self.finish_layout()

    def submit(self) -> Waiting:
        session = self.session
        new = self.fields[forms.PASSWORD].text()
        forms.raise_if_any(
            forms.new_password_problems(
                session.backend.security, self.user_name, new, self.fields[forms.CONFIRM].text()
            )
        )
        uow, security, actor, now = (
            session.backend.uow, session.backend.security, session.require_actor(), session.now()
        )  # fmt: skip
        name = self.user_name
        return self.in_background(
            lambda: accounts.reset_password(uow(), security, actor, name, new, now),
            changes={Change.USERS},
        )


class AddUserDialog(FormDialog):
    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(
            "Add an account",
            "addUserDialog",
            "&Add account",
            parent,
            intro="One account per person: accounts are never shared.",
        )
        self.session = session
        self.add_field(
            forms.USER_NAME, Field("&User name:", "newUserName", hint="For example j.smith")
        )
        self.add_field(
            forms.DISPLAY_NAME,
            Field("&Display name:", "newDisplayName", hint="Full name, as shown in the records"),
        )
        self.roles = RolesBox("newUserRoles", frozenset({acc.OFFICER}), titled=False)
        roles_label = QLabel("Roles:")
        roles_label.setBuddy(self.roles.boxes[acc.OFFICER])
        self.form.addRow(roles_label, self.roles)
        self.add_problem_label(forms.ROLES, self.roles.error)
        self.add_field(
            forms.PASSWORD,
            Field("&Password:", "newUserPassword", secret=True, hint=forms.PASSWORD_HINT),
        )
        self.add_field(forms.CONFIRM, Field("C&onfirm password:", "newUserConfirm", secret=True))
        self.finish_layout()
        self.created: UserRecord | None = None

    def submit(self) -> Waiting:
        session = self.session
        name = self.fields[forms.USER_NAME].text()
        password = self.fields[forms.PASSWORD].text()
        problems = forms.new_account_problems(
            session.backend.security, name, password, self.fields[forms.CONFIRM].text()
        )
        problems[forms.ROLES] = self.roles.problem()
        forms.raise_if_any(problems)
        uow, security, actor, now = (
            session.backend.uow, session.backend.security, session.require_actor(), session.now()
        )  # fmt: skip
        display, roles = self.fields[forms.DISPLAY_NAME].text(), self.roles.roles()

        def created(user: UserRecord) -> None:
            self.created = user

        return self.in_background(
            lambda: accounts.add_user(uow(), security, actor, name, display, roles, password, now),
            created,
            changes={Change.USERS},
        )


class RolesDialog(FormDialog):
    def __init__(self, session: Session, user: UserRecord, parent: QWidget | None = None) -> None:
        super().__init__(
            f"Roles of {user.name}",
            "rolesDialog",
            "&Save roles",
            parent,
            intro=f"Choose what {user.display_name} ({user.name}) may do.",
        )
        self.session = session
        self.user_name = user.name
        self.roles = RolesBox("editRoles", user.roles)
        self.form.addRow(self.roles)
        self.add_problem_label(forms.ROLES, self.roles.error)
        self.finish_layout()

    def submit(self) -> Waiting:
        forms.raise_if_any({forms.ROLES: self.roles.problem()})
        session = self.session
        chosen, name = self.roles.roles(), self.user_name
        uow, actor, now = session.backend.uow, session.require_actor(), session.now()
        return self.in_background(
            lambda: accounts.set_roles(uow(), actor, name, chosen, now),
            lambda _result: session.roles_changed(name, chosen),
            changes={Change.USERS},
        )


class SettingsDialog(FormDialog):
    """Admin › Settings: every installation setting (the services allow only administrators,
    and record each change in the audit trail)."""

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(
            "Settings",
            "settingsDialog",
            "&Save",
            parent,
            intro=(
                "These settings apply to every workstation that uses this database. "
                "Every change is recorded in the audit trail."
            ),
        )
        self.session = session
        self.installation = InstallationFields(
            self.form, "settings", require_names=False, session_lock=True
        )
        assert self.installation.minutes is not None
        self.minutes: QSpinBox = self.installation.minutes
        # Asked before a new timezone activates the policy in force again in it (tests
        # answer it themselves).
        self.confirm_zone_change: Callable[[QWidget, str], bool] = ask_to_confirm
        self.saved: SettingsSaved | None = None
        self._add_jurisdiction()
        self.finish_layout()
        self.loaded = False  # the saved settings are shown (read in the background)
        self.in_background(lambda: read_saved(session.backend.uow), self._show_saved)

    def _show_saved(self, saved: tuple[InstallationSettings, Jurisdiction]) -> Waiting:
        self.saved_settings, self.saved_jurisdiction = saved
        self.installation.show_settings(self.saved_settings)
        if self.saved_jurisdiction.source == "setting":
            self.jurisdiction.setCurrentIndex(
                self.jurisdiction.findData(self.saved_jurisdiction.code)
            )
        self.jurisdiction_note.setText(
            f"Reports and notices follow the reporting law (now: "
            f"{self.saved_jurisdiction.words}). {TRANSLATOR_WORDS_SHORT}"
        )
        self.jurisdiction_note.setAccessibleDescription(self.jurisdiction_note.text())
        self.loaded = True
        return WAITING  # stays open for the person

    def _add_jurisdiction(self) -> None:
        """The reporting jurisdiction: which statutory reports and notices the county uses."""
        from detainer_desk.domain import lawreports as lr

        self.jurisdiction = QComboBox()
        self.jurisdiction.setObjectName("settingsJurisdiction")
        self.jurisdiction.setAccessibleName("Reporting jurisdiction")
        self.jurisdiction.addItem("Follow the policy in force", "")
        for code, name in lr.JURISDICTIONS.items():
            self.jurisdiction.addItem(name, code)
        label = QLabel("&Reporting law:")
        label.setBuddy(self.jurisdiction)
        self.form.addRow(label, self.jurisdiction)
        # Under the form, full width, like the introduction: it must not be cut off.
        self.jurisdiction_note = paragraph(
            "",
            "settingsJurisdictionNote",
            "About the reporting law and the notices' translations",
        )
        self.layout_.insertWidget(self.layout_.indexOf(self.error), self.jurisdiction_note)

    def clear_problems(self) -> None:
        super().clear_problems()
        self.installation.clear_problems()

    def _show_problems(self, problems: dict[str, str]) -> None:
        first = self.installation.show_problems(problems)
        for key, problem in problems.items():
            if not self.installation.has_key(key):
                self.error.show_error(problem)
        if first is not None:
            first.setFocus(Qt.FocusReason.OtherFocusReason)

    def submit(self) -> Waiting:
        problems = self.installation.problems()
        if problems:
            raise forms.FieldProblems(problems)
        settings = self.installation.settings()
        zone = settings.timezone.strip()
        uow = self.session.backend.uow
        return self.in_background(
            lambda: records.zone_rewrite_of_active(uow(), zone) if zone else None,
            lambda change: self._save(settings, zone, change),
        )

    def _save(
        self, settings: InstallationSettings, zone: str, change: tuple[str, ZoneRewrite] | None
    ) -> Waiting:
        """After the question, if the zone changes the policy in force: save in the
        background (settings, and the reporting law if it changed)."""
        session = self.session
        if change is not None:
            name, rewrite = change
            question = (
                f"The policy in force, “{name}”, reads times in another timezone. Saving makes "
                f"{zone} the county's timezone and activates that policy again in it, in the "
                f"same step: one line of its text changes (line {rewrite.line_number}, "
                f"{rewrite.old_line.strip()} → {rewrite.new_line.strip()}). Decisions already "
                "recorded keep the text they were made under. Save and activate?"
            )
            if not self.confirm_zone_change(self, question):
                raise RecordError("Nothing was saved.")
        chosen = str(self.jurisdiction.currentData() or "")
        before = self.saved_jurisdiction.code if self.saved_jurisdiction.source == "setting" else ""
        uow, actor, now = session.backend.uow, session.require_actor(), session.now()
        jurisdiction_changed = chosen != (before or "")

        def save() -> SettingsSaved:
            if jurisdiction_changed:
                from detainer_desk.services.contacts import save_jurisdiction

                save_jurisdiction(uow(), chosen, actor, now)
            return save_settings(uow(), actor, settings, now)

        def saved(result: SettingsSaved) -> None:
            self.saved = result

        changed = {Change.SETTINGS, Change.POLICY} if change is not None else {Change.SETTINGS}
        return self.in_background(save, saved, changes=changed)


def read_saved(uow: Callable[[], UnitOfWork]) -> tuple[InstallationSettings, Jurisdiction]:
    """The settings and the reporting law as saved (in the background)."""
    from detainer_desk.services import contacts

    return read_settings(uow()), contacts.read_jurisdiction(uow())
