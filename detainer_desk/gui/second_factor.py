"""Setting up the second factor at sign-in: the QR code an authenticator app reads (drawn
here from the QR encoder's modules, no image library), the same secret in text for typing
by hand, a code typed back; then the recovery codes, shown once."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor, QFontDatabase, QImage, QPainter, QPixmap
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from detainer_desk.services.second_factor import Enrolment

from .pages import show_checking
from .widgets import Field, MessageLabel, card, centred_page, form_layout, heading, paragraph

MODULE_PIXELS = 5  # a phone camera reads 5-pixel modules at arm's length from the screen


def qr_image(text: str, module: int = MODULE_PIXELS) -> QImage:
    """The QR code of ``text`` as an image: black modules on white, quiet zone included."""
    from detainer_desk.adapters.pdf.qr import qr_modules

    grid = qr_modules(text)
    size = len(grid) * module
    image = QImage(size, size, QImage.Format.Format_RGB32)
    image.fill(QColor("white"))
    painter = QPainter(image)
    try:
        for row, line in enumerate(grid):
            for column, dark in enumerate(line):
                if dark:
                    painter.fillRect(column * module, row * module, module, module, QColor("black"))
    finally:
        painter.end()
    return image


class EnrolmentPage(QWidget):
    """Set up the second factor: scan or type the secret, then type a code back."""

    confirmed = Signal(str)  # the code typed
    cancelled = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("enrolmentPage")
        self.setAccessibleName("Set up the second factor")
        column = centred_page(self, "enrolmentPanel", "Set up the second factor", 620)
        frame, box = card("enrolmentCard")
        column.addWidget(frame)
        column.addStretch(1)
        box.addWidget(heading("Set up your second factor", "enrolmentHeading"))
        self.explanation = paragraph("", "enrolmentExplanation", "What to do")
        box.addWidget(self.explanation)

        row = QHBoxLayout()
        self.qr = QLabel()
        self.qr.setObjectName("enrolmentQrCode")
        self.qr.setAccessibleName("QR code for the authenticator app")
        self.qr.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        row.addWidget(self.qr)
        right = QVBoxLayout()
        right.addWidget(paragraph("Or type this key into the app:", "enrolmentKeyLabel"))
        self.secret = QLabel()
        self.secret.setObjectName("enrolmentSecret")
        self.secret.setAccessibleName("The key, for typing by hand")
        self.secret.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.secret.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.secret.setWordWrap(True)
        right.addWidget(self.secret)
        right.addWidget(
            paragraph(
                "Time-based, 6 digits, every 30 seconds (the app's defaults).",
                "enrolmentParameters",
            )
        )
        right.addStretch(1)
        row.addLayout(right, 1)
        box.addLayout(row)

        form = form_layout()
        self.code = Field("&Code from the app:", "enrolmentCode", max_length=20)
        self.code.add_to(form)
        self.code.edit.returnPressed.connect(self._submit)
        box.addLayout(form)
        self.error = MessageLabel("enrolmentError", "Problem setting up")
        box.addWidget(self.error)
        buttons = QHBoxLayout()
        self.cancel_button = QPushButton("&Cancel")
        self.cancel_button.setObjectName("enrolmentCancel")
        self.cancel_button.setAutoDefault(False)
        self.cancel_button.clicked.connect(self.cancelled)
        buttons.addWidget(self.cancel_button)
        buttons.addStretch(1)
        self.confirm_button = QPushButton("&Set up and sign in")
        self.confirm_button.setObjectName("enrolmentConfirm")
        self.confirm_button.setDefault(True)
        self.confirm_button.clicked.connect(self._submit)
        buttons.addWidget(self.confirm_button)
        box.addLayout(buttons)

    def show_enrolment(self, enrolment: Enrolment) -> None:
        self.explanation.setText(
            f"This installation asks everyone for a second factor at sign-in (FBI CJIS "
            f"Security Policy 5.6.2.2). {enrolment.account}: open an authenticator app on "
            "your phone (Microsoft or Google Authenticator, FreeOTP, ...), add an account by "
            "scanning this code, then type the 6-digit code it shows."
        )
        self.qr.setPixmap(QPixmap.fromImage(qr_image(enrolment.uri)))
        self.secret.setText(enrolment.secret_text)
        self.code.edit.clear()
        self.error.clear_message()
        self.code.set_error(None)

    def forget(self) -> None:
        """Nothing of the secret stays on screen once the page is left."""
        self.qr.clear()
        self.secret.clear()
        self.code.edit.clear()
        self.error.clear_message()

    def set_working(self, working: bool) -> None:
        show_checking(self, self.confirm_button, working)

    def show_error(self, message: str) -> None:
        self.error.show_error(message)
        self.code.edit.clear()
        self.code.edit.setFocus(Qt.FocusReason.OtherFocusReason)

    def show_problems(self, problems: dict[str, str]) -> None:
        for problem in problems.values():
            self.code.set_error(problem)
        self.code.edit.setFocus(Qt.FocusReason.OtherFocusReason)

    def focus_first(self) -> None:
        self.code.edit.setFocus(Qt.FocusReason.OtherFocusReason)

    def _submit(self) -> None:
        if not self.confirm_button.isEnabled():
            return  # the last code is being checked
        self.code.set_error(None)
        self.confirmed.emit(self.code.text())


class RecoveryCodesDialog(QDialog):
    """The recovery codes, shown once after the second factor is set up."""

    def __init__(self, codes: list[str], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("recoveryCodesDialog")
        self.setWindowTitle("Your recovery codes")
        self.setAccessibleName("Your recovery codes")
        layout = QVBoxLayout(self)
        layout.addWidget(
            paragraph(
                "The second factor is set up. Each of these codes signs you in once when your "
                "phone is not at hand. Write them down now and keep them somewhere safe: they "
                "are not shown again. An administrator can reset your second factor if you "
                "lose both.",
                "recoveryCodesExplanation",
            )
        )
        self.codes = QLabel("\n".join(codes))
        self.codes.setObjectName("recoveryCodes")
        self.codes.setAccessibleName("Recovery codes")
        self.codes.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.codes.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.codes)
        buttons = QDialogButtonBox()
        done = buttons.addButton("I have written them down", QDialogButtonBox.ButtonRole.AcceptRole)
        done.setObjectName("recoveryCodesDone")
        buttons.accepted.connect(self.accept)
        layout.addWidget(buttons)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
