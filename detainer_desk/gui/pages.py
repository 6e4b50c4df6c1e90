"""The pages shown before anyone is at work: signing in, and the locked screen (setting up
an empty store is the wizard's, wizard.py). They lay out fields and say what went wrong;
the window's controller decides what happens (see main_window.py)."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QPushButton, QWidget

from . import widgets
from .widgets import Field, MessageLabel, card, centred_page, form_layout, heading, paragraph

SIGN_IN_WIDTH = 520
CHECKING_TEXT = "Checking…"  # while a password or a code is checked in the background


def show_checking(page: QWidget, button: QPushButton, checking: bool) -> None:
    """A page waits for the answer to what was typed: its button says so and waits (no
    second submit), and the pointer is busy over the page; the answer brings them back."""
    if checking and button.isEnabled():
        button.setProperty("idleText", button.text())
        button.setText(CHECKING_TEXT)
        button.setEnabled(False)
        page.setCursor(Qt.CursorShape.BusyCursor)
    elif not checking and not button.isEnabled():
        if button.text() == CHECKING_TEXT:
            button.setText(str(button.property("idleText")))
        button.setEnabled(True)
        page.unsetCursor()


class SignInPage(QWidget):
    """Sign in; or, in locked mode, let the same user back in or someone else take over."""

    sign_in_requested = Signal(str, str)  # user name, password
    resume_requested = Signal(str)  # password
    switch_user_requested = Signal()
    code_submitted = Signal(str)  # the second factor's code
    code_cancelled = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("signInPage")
        self.setAccessibleName("Sign in")
        self._locked_user: str | None = None
        self._code_user: str | None = None
        column = centred_page(self, "signInPanel", "Sign in", SIGN_IN_WIDTH)

        column.addStretch(1)
        frame, box = card("signInCard")
        column.addWidget(frame)
        column.addStretch(2)

        self.heading = heading("Sign in", "signInHeading")
        box.addWidget(self.heading)
        # The system-use notification (CJIS 5.5.4), before anyone types a password.
        self.notice_frame, notice_box = card("systemUseNoticeFrame")
        notice_box.setContentsMargins(10, 8, 10, 8)
        self.notice = paragraph("", "systemUseNotice", "System-use notice")
        notice_box.addWidget(self.notice)
        box.addWidget(self.notice_frame)
        self.explanation = paragraph("", "signInExplanation", "About signing in")
        box.addWidget(self.explanation)

        self.form = form_layout()
        self.user_name = Field("&User name:", "signInUserName")
        self.password = Field("&Password:", "signInPassword", secret=True)
        self.code = Field(
            "&Code:",
            "signInCode",
            hint="The 6 digits your authenticator app shows now, or a recovery code",
            max_length=20,
        )
        self.user_name.add_to(self.form)
        self.password.add_to(self.form)
        self.code.add_to(self.form)
        self.user_name.edit.returnPressed.connect(self._submit)
        self.password.edit.returnPressed.connect(self._submit)
        self.code.edit.returnPressed.connect(self._submit)
        box.addLayout(self.form)

        self.error = MessageLabel("signInError", "Sign-in problem")
        box.addWidget(self.error)

        buttons = QHBoxLayout()
        self.switch_user_button = widgets.push_button(
            "Sign in as &someone else", "switchUserButton"
        )
        self.switch_user_button.setToolTip("Signs the locked-out user out first")
        self.switch_user_button.clicked.connect(self._switch_or_back)
        buttons.addWidget(self.switch_user_button)
        buttons.addStretch(1)
        self.sign_in_button = widgets.push_button("&Sign in", "signInButton")
        self.sign_in_button.setDefault(True)
        self.sign_in_button.clicked.connect(self._submit)
        buttons.addWidget(self.sign_in_button)
        box.addLayout(buttons)

        QWidget.setTabOrder(self.user_name.edit, self.password.edit)
        QWidget.setTabOrder(self.password.edit, self.sign_in_button)
        QWidget.setTabOrder(self.sign_in_button, self.switch_user_button)
        self.set_mode(None)

    @property
    def locked_user(self) -> str | None:
        return self._locked_user

    def set_notice(self, text: str) -> None:
        self.notice.setText(text)
        self.notice.setAccessibleDescription(text)

    def set_code_mode(self, user_name: str) -> None:
        """After the right password: ask ``user_name`` for the second factor's code."""
        self._code_user = user_name
        self._locked_user = None
        self.clear_problems()
        self.password.edit.clear()
        self.code.edit.clear()
        self.form.setRowVisible(self.user_name.box, False)
        self.form.setRowVisible(self.password.box, False)
        self.form.setRowVisible(self.code.box, True)
        self.notice_frame.setVisible(False)
        self.switch_user_button.setVisible(True)
        self.switch_user_button.setText("&Back")
        self.switch_user_button.setAccessibleName("Back")
        self.switch_user_button.setToolTip("Sign in again from the start")
        self.heading.setText("Second factor")
        self.explanation.setText(
            f"{user_name}: type the code your authenticator app shows now for Detainer Desk "
            "(or one of your recovery codes)."
        )
        self.sign_in_button.setText("&Sign in")
        self.sign_in_button.setAccessibleName("Sign in")
        self.heading.setAccessibleName(self.heading.text())
        self.explanation.setAccessibleDescription(self.explanation.text())

    def set_mode(self, locked_user: str | None, *, idle: bool = False) -> None:
        """Normal sign-in (None), or the locked screen of ``locked_user``."""
        self._locked_user = locked_user
        self._code_user = None
        self.clear_problems()
        self.password.edit.clear()
        self.code.edit.clear()
        locked = locked_user is not None
        self.form.setRowVisible(self.user_name.box, not locked)
        self.form.setRowVisible(self.password.box, True)
        self.form.setRowVisible(self.code.box, False)
        self.notice_frame.setVisible(not locked)
        self.switch_user_button.setVisible(locked)
        self.switch_user_button.setText("Sign in as &someone else")
        self.switch_user_button.setAccessibleName("Sign in as someone else")
        self.switch_user_button.setToolTip("Signs the locked-out user out first")
        if locked:
            self.user_name.edit.setText(locked_user)
            self.heading.setText("Session locked")
            why = "after a period without activity" if idle else "on request"
            self.explanation.setText(
                f"The screen was locked {why}. {locked_user} is still signed in; only "
                f"{locked_user} can unlock it, with their password.\n\n"
                f"Anyone else: choose “Sign in as someone else”. {locked_user} will be "
                "signed out first."
            )
            self.sign_in_button.setText("&Unlock")
            self.sign_in_button.setAccessibleName("Unlock")
        else:
            self.user_name.edit.clear()
            self.heading.setText("Sign in")
            self.explanation.setText(
                "Detainer records are confidential. Sign in with your own account: "
                "everything done in this program is recorded under your name."
            )
            self.sign_in_button.setText("&Sign in")
            self.sign_in_button.setAccessibleName("Sign in")
        self.heading.setAccessibleName(self.heading.text())
        self.explanation.setAccessibleDescription(self.explanation.text())

    def _switch_or_back(self) -> None:
        if self._code_user is not None:
            self.code_cancelled.emit()
        else:
            self.switch_user_requested.emit()

    def set_working(self, working: bool) -> None:
        show_checking(self, self.sign_in_button, working)

    def _submit(self) -> None:
        if not self.sign_in_button.isEnabled():
            return  # the last one is being checked
        if self._code_user is not None:
            self.code_submitted.emit(self.code.text())
        elif self._locked_user is not None:
            self.resume_requested.emit(self.password.text())
        else:
            self.sign_in_requested.emit(self.user_name.text(), self.password.text())

    def clear_problems(self) -> None:
        self.user_name.set_error(None)
        self.password.set_error(None)
        self.code.set_error(None)
        self.error.clear_message()

    def show_problems(self, problems: dict[str, str]) -> None:
        # Imported here: the sign-in page shows before the services are loaded (gui/app.py).
        from . import forms

        self.clear_problems()
        if forms.USER_NAME in problems and self._locked_user is None:
            self.user_name.set_error(problems[forms.USER_NAME])
        if forms.PASSWORD in problems:
            self.password.set_error(problems[forms.PASSWORD])
        if forms.CODE in problems:
            self.code.set_error(problems[forms.CODE])
        self.focus_first()

    def show_error(self, message: str) -> None:
        """A refused sign-in: keep the user name, clear the password, try again."""
        self.clear_problems()
        self.error.show_error(message)
        if self._code_user is not None:
            self.code.edit.clear()
            self.code.edit.setFocus(Qt.FocusReason.OtherFocusReason)
            return
        self.password.edit.clear()
        self.password.edit.setFocus(Qt.FocusReason.OtherFocusReason)

    def show_note(self, message: str) -> None:
        self.error.show_note(message)

    def focus_first(self) -> None:
        if self._code_user is not None:
            self.code.edit.setFocus(Qt.FocusReason.OtherFocusReason)
        elif self._locked_user is None and not self.user_name.text().strip():
            self.user_name.edit.setFocus(Qt.FocusReason.OtherFocusReason)
        else:
            self.password.edit.setFocus(Qt.FocusReason.OtherFocusReason)
