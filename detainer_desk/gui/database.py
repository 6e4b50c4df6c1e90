"""Admin › Database…: which database this workstation uses (its own SQLite file, or a shared
PostgreSQL server). The choice is kept in the data folder and takes effect at the next start;
--db and DETAINER_DESK_DB still override it."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from detainer_desk.domain import accounts as acc
from detainer_desk.paths import AppPaths
from detainer_desk.services.access import RecordError, audit, authorize
from detainer_desk.services.ports import Actor

from .backend import Backend
from .fit import fit_to_screen
from .tasks import TaskHandle, TaskRunner
from .widgets import MessageLabel, paragraph, plain_sentence


class DatabaseDialog(QDialog):
    def __init__(
        self, backend: Backend, actor: Actor, tasks: TaskRunner, parent: QWidget | None = None
    ) -> None:
        from detainer_desk.runtime import saved_database_url

        super().__init__(parent)
        self.backend = backend
        self.actor = actor
        self.tasks = tasks
        self.setObjectName("databaseDialog")
        self.setWindowTitle("Database")
        fit_to_screen(self, 680, 300)
        assert backend.data_dir is not None
        self.paths = AppPaths.under(backend.data_dir)
        self.url = QLineEdit(saved_database_url(self.paths) or "")
        self.url.setObjectName("databaseUrl")
        self.url.setAccessibleName("Shared server URL")
        self.url.setPlaceholderText(
            "postgresql+psycopg://desk@db.county.example/detainer_desk?sslmode=verify-full"
        )
        self.test_button = QPushButton("&Test connection")
        self.test_button.setObjectName("testConnection")
        self.test_button.clicked.connect(self.test_connection)
        self.save_button = QPushButton("&Save")
        self.save_button.setObjectName("saveDatabase")
        self.save_button.clicked.connect(self.save)
        close = QPushButton("Close")
        close.clicked.connect(self.reject)
        self.message = MessageLabel("databaseMessage", "Result")
        # What the database driver said, word for word, for whoever looks after the server:
        # behind "Details", so that the plain words come first.
        self.details_button = QToolButton()
        self.details_button.setObjectName("databaseDetailsToggle")
        self.details_button.setText("Details")
        self.details_button.setAccessibleName("Show what the database driver said")
        self.details_button.setCheckable(True)
        self.details_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.details_button.setArrowType(Qt.ArrowType.RightArrow)
        self.details_button.toggled.connect(self._show_details)
        self.details_button.hide()
        self.details = QPlainTextEdit()
        self.details.setObjectName("databaseDetails")
        self.details.setAccessibleName("What the database driver said")
        self.details.setReadOnly(True)
        self.details.setMaximumHeight(110)
        self.details.hide()
        buttons = QHBoxLayout()
        buttons.addWidget(self.test_button)
        buttons.addStretch(1)
        buttons.addWidget(self.save_button)
        buttons.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addWidget(
            paragraph(
                f"In use now: {backend.database_label}. Leave the URL empty to keep the records in "
                "this computer's own SQLite file; give a postgresql+psycopg:// URL (TLS options in its "
                "query, the password in ~/.pgpass) to share one server between intake desks. The "
                "change takes effect when Detainer Desk next starts.",
                "databaseExplanation",
            )
        )
        row = QHBoxLayout()
        label = QLabel("Shared server &URL:")
        label.setBuddy(self.url)
        row.addWidget(label)
        row.addWidget(self.url, 1)
        layout.addLayout(row)
        layout.addWidget(self.message)
        layout.addWidget(self.details_button)
        layout.addWidget(self.details)
        layout.addStretch(1)
        layout.addLayout(buttons)

    def _url(self) -> str | None:
        text = self.url.text().strip()
        if text and not text.startswith(("postgresql", "sqlite:///")):
            raise RecordError(
                "the URL must start with postgresql+psycopg:// (or sqlite:/// for a file)"
            )
        return text or None

    def test_connection(self) -> None:
        from detainer_desk.runtime import check_database_url

        self.message.clear_message()
        self._set_details("")
        try:
            url = self._url()
        except RecordError as exc:
            self.message.show_error(plain_sentence(str(exc)))
            return
        if url is None:
            self.message.show_note("No server given: this computer's own SQLite file is used.")
            return

        def work(handle: TaskHandle):  # type: ignore[no-untyped-def]
            yield "connecting"
            return check_database_url(url)

        self.test_button.setEnabled(False)
        self.tasks.start(work, on_finished=self._tested, on_failed=self._test_failed)

    def _tested(self, text: object) -> None:
        self.test_button.setEnabled(True)
        self.message.show_note(str(text))

    def _test_failed(self, error: BaseException, details: str) -> None:
        from detainer_desk.adapters.db.engine import ConnectionTestFailed

        self.test_button.setEnabled(True)
        if isinstance(error, ConnectionTestFailed):
            self.message.show_error(plain_sentence(str(error)))
            self._set_details(error.details)
        elif isinstance(error, RecordError):
            self.message.show_error(plain_sentence(str(error)))
        else:
            from .errors import show_bug

            show_bug(self, type(error), error, error.__traceback__)

    def _set_details(self, text: str) -> None:
        self.details.setPlainText(text)
        self.details_button.setChecked(False)
        self.details_button.setVisible(bool(text))
        self.details.hide()

    def _show_details(self, shown: bool) -> None:
        self.details.setVisible(shown)
        self.details_button.setArrowType(
            Qt.ArrowType.DownArrow if shown else Qt.ArrowType.RightArrow
        )

    def save(self) -> None:
        from detainer_desk.runtime import save_database_url

        self.message.clear_message()
        try:
            url = self._url()
            now = self.backend.clock()
            with self.backend.uow() as uow:
                actor = authorize(
                    uow, self.actor, acc.MANAGE_SETTINGS, "settings.database", None, now
                )
                save_database_url(self.paths, url)
                # The URL is recorded without any password it might carry.
                shown = url.split("@")[-1] if url else "this computer's SQLite file"
                audit(uow, actor, "settings.database", shown, now)
                uow.commit()
        except (RecordError, OSError) as exc:
            self.message.show_error(str(exc))
            return
        self.message.show_note("Saved. Detainer Desk uses it from its next start.")
