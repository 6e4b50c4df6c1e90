"""The main window's status bar and notice banner, once the records are open: where the
database is, the policy in force, who is signed in; and above the pages, what an
administrator should know about how the records are kept (only they see it).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from detainer_desk.domain import accounts as acc

from .notices import NoticeBanner
from .widgets import ElidedLabel, status_separator

if TYPE_CHECKING:
    from PySide6.QtWidgets import QStatusBar, QVBoxLayout, QWidget

    from .backend import Backend
    from .session import Session
    from .workspace import Workspace
    from .workstation import WorkstationSettings

NO_POLICY_STATUS = "none active"


def policy_status_text(policy_label: str | None) -> str:
    return policy_label if policy_label else NO_POLICY_STATUS


class WindowStatus:
    def __init__(
        self,
        backend: Backend,
        session: Session,
        status: QStatusBar,
        workstation: WorkstationSettings,
        central: QWidget | None,
        column: QVBoxLayout,
    ) -> None:
        self.session = session
        self.policy_label = session.policy_label()
        self.workspace: Workspace | None = None  # told of the policy once it is built

        self._notices = list(backend.notices)
        # Made inside the central area: a banner without a parent would show for a moment
        # as a window of its own, taking the keyboard from the page someone is typing in.
        self.notice_banner = NoticeBanner(self._notices, workstation, central)
        column.insertWidget(0, self.notice_banner)

        status.clearMessage()
        label = backend.database_label
        self.database_status = ElidedLabel(f"Database: {label}")
        self.database_status.setObjectName("databaseStatus")
        self.database_status.setAccessibleName("Database location")
        self.database_status.setAccessibleDescription(label)

        self.policy_status = ElidedLabel()
        self.policy_status.setObjectName("policyStatus")
        self.policy_status.setAccessibleName("Active policy")

        self.session_status = ElidedLabel()
        self.session_status.setObjectName("sessionStatus")
        self.session_status.setAccessibleName("Who is signed in")

        # Permanent widgets sit on the right; the database path gets the spare room.
        status.addPermanentWidget(self.database_status, 1)
        status.addPermanentWidget(status_separator(), 0)
        status.addPermanentWidget(self.policy_status, 0)
        status.addPermanentWidget(status_separator(), 0)
        status.addPermanentWidget(self.session_status, 0)
        self.show_policy(self.policy_label)

    def add_notice(self, notice: str) -> None:
        self._notices.append(notice)
        self.notice_banner.set_notices(self._notices)

    def show_policy(self, policy_label: str | None) -> None:
        self.policy_label = policy_label
        text = policy_status_text(policy_label)
        self.policy_status.setText(f"Policy: {text}")
        self.policy_status.setAccessibleDescription(text)
        if self.workspace is not None:
            self.workspace.set_policy_label(policy_label)

    def show_session(self) -> None:
        """Who is signed in; and the banner, for an administrator only (how the records
        are kept is their matter)."""
        text = self.session.status_text()
        self.session_status.setText(text)
        self.session_status.setAccessibleDescription(text)
        self.notice_banner.set_administrator(self.session.may(acc.MANAGE_BACKUPS))
