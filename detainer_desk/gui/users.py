"""Admin › Users: the accounts, their roles and state, and what an administrator does to
them (add, change roles, unlock, disable or enable, reset a password).

The list is read, and every change written, as a background operation; a change is
announced (``Change.USERS``) and the list read again."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QMessageBox,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from detainer_desk.domain import timetext
from detainer_desk.services import accounts
from detainer_desk.services.access import RecordError
from detainer_desk.services.county_clock import county_zone
from detainer_desk.services.ports import Actor, UnitOfWork, UserRecord

from .changes import Change, Kinds
from .confirm import ask_to_confirm
from .dialogs import AddUserDialog, ResetPasswordDialog, RolesDialog
from .fit import fit_to_screen
from .list_model import ListModel
from .session import Session
from .tasks import TaskRunner, run_in_background, tasks_for
from .widgets import MessageLabel, compact_rows, paragraph, plain_sentence, push_button

COLUMNS = ("User name", "Display name", "Roles", "Password set", "State", "Signs in with")


def account_state(user: UserRecord, zone: dt.tzinfo) -> str:
    """In the county's time, like every time the program shows."""
    parts = []
    if user.disabled:
        parts.append("Disabled")
    if user.locked_at is not None:
        parts.append(f"Locked since {timetext.short_time(user.locked_at, zone)}")
    return "; ".join(parts) or "Active"


def sign_in_kind(user: UserRecord) -> str:
    """How the account signs in: its password here or the directory's, and a code."""
    first = "Directory" if user.directory else "Password"
    return f"{first} + code" if user.second_factor else first


class UsersModel(ListModel[UserRecord]):
    """The accounts (a county has tens, not thousands: one list is fine)."""

    def __init__(self, zone: dt.tzinfo, parent: QWidget | None = None) -> None:
        super().__init__(COLUMNS, parent)
        self.zone = zone  # the county's

    def set_users(self, users: Sequence[UserRecord]) -> None:
        self.beginResetModel()
        self._items = sorted(users, key=lambda u: u.name)
        self.endResetModel()

    def user(self, row: int) -> UserRecord:
        return self._items[row]

    def row_of(self, name: str) -> int | None:
        for row, user in enumerate(self._items):
            if user.name == name:
                return row
        return None

    def cells(self, item: UserRecord) -> tuple[str, ...]:
        return (
            item.name,
            item.display_name,
            ", ".join(sorted(item.roles)),
            timetext.short_time(item.password_changed_at, self.zone),
            account_state(item, self.zone),
            sign_in_kind(item),
        )


class UsersDialog(QDialog):
    def __init__(
        self, session: Session, parent: QWidget | None = None, tasks: TaskRunner | None = None
    ) -> None:
        super().__init__(parent)
        self.session = session
        self.tasks = tasks_for(self, tasks)
        self.loading = False  # the list is being read
        self.loaded_once = False
        self.acting = False  # a change is being written
        self._generation = 0  # only the newest read is shown
        self._to_select: str | None = None  # asked of a read that a newer one replaced
        self.setObjectName("usersDialog")
        self.setWindowTitle("Users")
        self.setAccessibleName("Users")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        fit_to_screen(self, 900, 480)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(18, 16, 18, 14)
        layout.setSpacing(10)
        layout.addWidget(
            paragraph(
                "Every person has their own account. A locked account (after five wrong "
                "passwords) stays locked until an administrator unlocks it; a disabled "
                "account cannot sign in at all. Accounts are never deleted: the records "
                "keep their names.",
                "usersIntro",
                "About accounts",
            )
        )

        middle = QHBoxLayout()
        self.model = UsersModel(dt.UTC, self)  # the county's zone comes with the list
        self.table = QTableView()
        self.table.setObjectName("usersTable")
        self.table.setAccessibleName("Accounts")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        compact_rows(self.table)
        self.table.selectionModel().selectionChanged.connect(self._update_buttons)
        self.table.doubleClicked.connect(self.edit_roles)
        middle.addWidget(self.table, 1)

        buttons = QVBoxLayout()
        self.add_button = self._button("&Add account…", "addUserButton", self.add_user)
        self.roles_button = self._button("Change &roles…", "changeRolesButton", self.edit_roles)
        self.reset_button = self._button(
            "Reset &password…", "resetPasswordButton", self.reset_password
        )
        self.unlock_button = self._button("&Unlock", "unlockButton", self.unlock)
        self.disable_button = self._button("&Disable", "disableButton", self.toggle_disabled)
        self.second_factor_button = self._button(
            "Reset second &factor", "resetSecondFactorButton", self.reset_second_factor
        )
        self.second_factor_button.setToolTip(
            "A lost phone: the person sets up a new second factor at their next sign-in"
        )
        for button in (
            self.add_button,
            self.roles_button,
            self.reset_button,
            self.unlock_button,
            self.disable_button,
            self.second_factor_button,
        ):
            buttons.addWidget(button)
        buttons.addStretch(1)
        middle.addLayout(buttons)
        layout.addLayout(middle, 1)

        self.message = MessageLabel("usersMessage", "Result")
        layout.addWidget(self.message)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.setObjectName("usersButtons")
        close.rejected.connect(self.reject)
        close_button = close.button(QDialogButtonBox.StandardButton.Close)
        close_button.setObjectName("usersClose")
        close_button.setAccessibleName("Close")
        layout.addWidget(close)

        QWidget.setTabOrder(self.table, self.add_button)
        QWidget.setTabOrder(self.add_button, self.roles_button)
        QWidget.setTabOrder(self.roles_button, self.reset_button)
        QWidget.setTabOrder(self.reset_button, self.unlock_button)
        QWidget.setTabOrder(self.unlock_button, self.disable_button)
        QWidget.setTabOrder(self.disable_button, close_button)
        self.tasks.changes.when({Change.USERS}, self._users_changed)
        self.reload()

    def _button(self, text: str, object_name: str, slot: Callable[[], object]) -> QPushButton:
        button = push_button(text, object_name, text.replace("&", "").rstrip("…"))
        button.clicked.connect(slot)
        return button

    # ------------------------------------------------------------------ reading
    def reload(self, select: str | None = None) -> None:
        """Re-read the accounts (in the background), keeping (or moving) the selection."""
        try:
            actor = self.session.require_actor()
        except RecordError as refused:
            self.message.show_error(plain_sentence(str(refused)))
            return
        uow, now = self.session.backend.uow, self.session.now()
        self._to_select = select or self._to_select
        self.loading = True
        self._generation += 1
        generation = self._generation

        def shown(read: tuple[dt.tzinfo, list[UserRecord]]) -> None:
            if generation != self._generation:
                return  # a newer read is on its way
            self.loading = False
            self.loaded_once = True
            selected = self.selected_user()  # as it is now: the person may have moved it
            keep = self._to_select or (selected.name if selected else None)
            self._to_select = None
            self.model.zone, users = read
            self.model.set_users(users)
            row = self.model.row_of(keep) if keep else None
            if row is not None:
                self.table.selectRow(row)
            self._update_buttons()

        def failed(_error: BaseException) -> None:
            if generation != self._generation:
                return
            self.loading = False
            self.loaded_once = True
            self.model.set_users([])
            self._update_buttons()

        run_in_background(
            self.tasks, self, self.message, lambda: read_users(uow, actor, now), shown,
            on_failed=failed,
        )  # fmt: skip

    def _users_changed(self, _changed: Kinds) -> None:
        if not self.acting:  # the change's own result reads the list again
            self.reload()

    def selected_user(self) -> UserRecord | None:
        rows = self.table.selectionModel().selectedRows() if self.table.selectionModel() else []
        return self.model.user(rows[0].row()) if rows else None

    def select_user(self, name: str) -> None:
        row = self.model.row_of(name)
        if row is not None:
            self.table.selectRow(row)

    def _update_buttons(self) -> None:
        user = None if self.acting else self.selected_user()
        self.add_button.setEnabled(not self.acting)
        for button in (self.roles_button, self.reset_button, self.disable_button):
            button.setEnabled(user is not None)
        self.unlock_button.setEnabled(user is not None and user.locked_at is not None)
        self.second_factor_button.setEnabled(
            user is not None and (user.second_factor is not None or bool(user.recovery_codes))
        )
        shown = self.selected_user()
        text = "&Enable" if shown is not None and shown.disabled else "&Disable"
        self.disable_button.setText(text)
        self.disable_button.setAccessibleName(text.replace("&", ""))

    # ------------------------------------------------------------------ acting
    def _open(self, dialog: QDialog, on_done: Callable[[], None]) -> QDialog:
        # The window's Lock shortcut works inside the dialogs as well.
        dialog.addActions(self.actions())
        dialog.accepted.connect(on_done)
        dialog.open()
        return dialog

    def _open_then_say(self, dialog: QDialog, name: str, words: str) -> QDialog:
        """``dialog`` about the account ``name``; once it is done, the list read again with
        that account selected, and ``words`` said."""

        def done() -> None:
            self.reload(select=name)
            self.message.show_note(words)

        return self._open(dialog, done)

    def add_user(self) -> QDialog:
        self.message.clear_message()
        dialog = AddUserDialog(self.session, self)

        def done() -> None:
            created = dialog.created
            if created is not None:
                self.reload(select=created.name)
                self.message.show_note(f"The account {created.name} was created.")

        return self._open(dialog, done)

    def edit_roles(self) -> QDialog | None:
        user = self.selected_user()
        if user is None:
            return None
        self.message.clear_message()
        dialog = RolesDialog(self.session, user, self)
        return self._open_then_say(dialog, user.name, f"The roles of {user.name} were changed.")

    def reset_password(self) -> QDialog | None:
        user = self.selected_user()
        if user is None:
            return None
        self.message.clear_message()
        dialog = ResetPasswordDialog(self.session, user.name, self)
        return self._open_then_say(dialog, user.name, f"A new password was set for {user.name}.")

    def unlock(self) -> None:
        user = self.selected_user()
        if user is None:
            return
        self._act(
            lambda uow, actor, now: accounts.unlock_user(uow(), actor, user.name, now),
            user.name,
            f"The account {user.name} was unlocked. They can sign in again.",
        )

    def reset_second_factor(self) -> QMessageBox | None:
        """After asking: the person's authenticator and recovery codes stop working; they
        set up a new second factor at their next sign-in (audited)."""
        from detainer_desk.services import second_factor as factors

        user = self.selected_user()
        if user is None:
            return None

        def act() -> None:
            self._act(
                lambda uow, actor, now: factors.reset(uow(), actor, user.name, now),
                user.name,
                f"The second factor of {user.name} was reset: they set up a new one at their "
                "next sign-in.",
            )

        return ask_to_confirm(
            self,
            object_name="resetSecondFactorConfirmation",
            title="Reset the second factor?",
            question=f"Reset the second factor of {user.name} ({user.display_name})?",
            written=[
                ("Account", user.name),
                ("Second factor", "none until they set up a new one at their next sign-in"),
                ("Changed by", self.session.require_actor().user),
            ],
            note=(
                "Their authenticator app and their recovery codes stop working at once. Do "
                "this when the phone is lost, or the person asks in person."
            ),
            act="Reset",
            on_confirmed=act,
            cancel_is_default=True,
        )

    def toggle_disabled(self) -> QMessageBox | None:
        """Enable at once; disable after asking (it turns someone out of the program, maybe
        in the middle of a shift): the question says whom and what it does."""
        user = self.selected_user()
        if user is None:
            return None
        disable = not user.disabled

        def act() -> None:
            self._act(
                lambda uow, actor, now: accounts.set_disabled(
                    uow(), actor, user.name, disable, now
                ),
                user.name,
                f"The account {user.name} was {'disabled' if disable else 'enabled'}.",
            )

        if not disable or user.name == self.session.require_actor().user:
            act()  # enabling harms nobody; one's own account the service refuses in words
            return None
        roles = ", ".join(sorted(user.roles)) or "no role"
        return ask_to_confirm(
            self,
            object_name="disableConfirmation",
            title="Disable this account?",
            question=f"Disable the account {user.name} ({user.display_name})?",
            written=[
                ("Account", f"{user.name}, {roles}"),
                ("State", "Disabled: cannot sign in"),
                ("Changed by", self.session.require_actor().user),
            ],
            note=(
                f"{user.name} cannot sign in until an administrator enables the account "
                "again. Nothing they recorded changes, and the change is in the audit trail."
            ),
            act="Disable",
            on_confirmed=act,
            cancel_is_default=True,
        )

    def _act(self, use_case: UseCase, name: str, done: str) -> None:
        """Write in the background (the buttons off meanwhile), then read the list again."""
        if self.acting:
            return
        self.message.clear_message()
        uow, actor, now = self.session.backend.uow, self.session.require_actor(), self.session.now()
        self._generation += 1  # a read still on its way would be out of date: not shown
        self.loading = False
        self._set_acting(True)

        def written(_result: object) -> None:
            self._set_acting(False)
            self.reload(select=name)
            self.message.show_note(done)

        def refused(_error: BaseException) -> None:
            self._set_acting(False)
            self.reload(select=name)

        run_in_background(
            self.tasks, self, self.message, lambda: use_case(uow, actor, now), written,
            on_failed=refused, changes={Change.USERS},
        )  # fmt: skip

    def _set_acting(self, acting: bool) -> None:
        self.acting = acting
        self._update_buttons()


UseCase = Callable[[Callable[[], UnitOfWork], Actor, dt.datetime], object]


def read_users(
    uow: Callable[[], UnitOfWork], actor: Actor, now: dt.datetime
) -> tuple[dt.tzinfo, list[UserRecord]]:
    """The county's zone and the accounts (in the background)."""
    return county_zone(uow()), list(accounts.list_users(uow(), actor, now))
