"""Admin › Sign-in and notices (second factor required, inactive accounts, the system-use
notice), Admin › Directory sign-in (LDAP / Active Directory), and the two reviews the CJIS
Security Policy asks for (account validation, audit review) saved as PDFs."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QWidget,
)

from detainer_desk.services import directory as dirs
from detainer_desk.services import notices
from detainer_desk.services.access import RecordError
from detainer_desk.services.settings import InstallationSettings, read_settings, save_settings

from . import forms
from .changes import Change
from .dialogs import WAITING, FormDialog, Waiting
from .session import Session
from .widgets import Field, MessageLabel, plain_sentence


class SignInSettingsDialog(FormDialog):
    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(
            "Sign-in and notices",
            "signInSettingsDialog",
            "&Save",
            parent,
            intro=(
                "How everyone signs in, on every workstation of this database (FBI CJIS "
                "Security Policy 5.5.4, 5.6.2.2 and AC-2). Every change is in the audit trail."
            ),
        )
        self.session = session
        self.second_factor = QCheckBox(
            "Require a second factor (an authenticator app's code) at every sign-in"
        )
        self.second_factor.setObjectName("secondFactorRequired")
        self.second_factor.setAccessibleName("Require a second factor at every sign-in")
        self.form.addRow("Second factor:", self.second_factor)
        self.inactive = QSpinBox()
        self.inactive.setObjectName("inactiveDays")
        self.inactive.setAccessibleName("Disable accounts unused for this many days")
        self.inactive.setRange(notices.MIN_INACTIVE_DAYS, notices.MAX_INACTIVE_DAYS)
        self.inactive.setSuffix(" days")
        self.form.addRow("Disable accounts unused for:", self.inactive)
        self.notice = QPlainTextEdit()
        self.notice.setObjectName("systemUseNoticeEdit")
        self.notice.setAccessibleName("System-use notice shown before the password")
        self.notice.setMinimumHeight(120)
        self.form.addRow("Notice before the password:", self.notice)
        default = QPushButton("Use the &default text")
        default.setObjectName("defaultNoticeButton")
        default.setAutoDefault(False)
        default.clicked.connect(lambda: self.notice.setPlainText(notices.DEFAULT_NOTICE))
        self.form.addRow("", default)
        self.finish_layout()
        # What is saved is read in the background; the form waits for it (off meanwhile).
        self.inputs: tuple[QWidget, ...] = (self.second_factor, self.inactive, self.notice, default)
        for widget in self.inputs:
            widget.setEnabled(False)
        self.loaded = False
        uow = session.backend.uow
        self.in_background(lambda: read_settings(uow()), self._show_saved)

    def _show_saved(self, saved: InstallationSettings) -> Waiting:
        self.second_factor.setChecked(saved.second_factor_required)
        self.inactive.setValue(saved.inactive_days)
        self.notice.setPlainText(saved.system_use_notice or notices.DEFAULT_NOTICE)
        for widget in self.inputs:
            widget.setEnabled(True)
        self.loaded = True
        return WAITING

    def _show_problems(self, problems: dict[str, str]) -> None:
        self.error.show_error(" ".join(plain_sentence(p) for p in problems.values()))

    def submit(self) -> Waiting:
        text = self.notice.toPlainText().strip()
        if text == notices.DEFAULT_NOTICE:
            text = ""  # the default, which later versions may improve
        required, days = self.second_factor.isChecked(), self.inactive.value()
        uow, actor, now = self.session.backend.uow, self.session.require_actor(), self.session.now()

        def save() -> object:
            settings = dataclasses.replace(
                read_settings(uow()),
                second_factor_required=required,
                inactive_days=days,
                system_use_notice=text,
            )
            return save_settings(uow(), actor, settings, now)

        return self.in_background(save, changes={Change.SETTINGS})


class DirectoryDialog(FormDialog):
    """The directory's server, trust, how names bind, and which groups give which roles;
    'Test' binds as someone with these settings before they are saved."""

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(
            "Directory sign-in",
            "directoryDialog",
            "&Save",
            parent,
            intro=(
                "Directory (LDAP / Active Directory) names and passwords sign in; groups give "
                "the roles; an account disabled there is refused at once. Local accounts stay "
                "(keep one administrator local). No server: directory sign-in is off."
            ),
        )
        self.session = session
        self.url = self.add_field(
            dirs.URL_KEY,
            Field(
                "&Server:",
                "directoryUrl",
                hint="ldaps://dc1.county.example (or ldap:// with StartTLS)",
            ),
        )
        self.tls = QComboBox()
        self.tls.setObjectName("directoryTls")
        self.tls.setAccessibleName("Encryption")
        self.tls.addItem("LDAPS (TLS from the start)", dirs.LDAPS)
        self.tls.addItem("StartTLS (on ldap://)", dirs.STARTTLS)
        self.form.addRow("Encryption:", self.tls)
        self.bind = self.add_field(
            dirs.BIND_KEY,
            Field(
                "&Bind as:",
                "directoryBind",
                hint="e.g. {user}@county.example (Active Directory)",
            ),
        )
        self.base = self.add_field(
            dirs.BASE_KEY,
            Field("&Look up in:", "directoryBase", hint="dc=county,dc=example"),
        )
        self.ca = QPlainTextEdit()
        self.ca.setObjectName("directoryCa")
        self.ca.setAccessibleName("Certificate authority (PEM)")
        self.ca.setPlaceholderText(
            "-----BEGIN CERTIFICATE----- (empty: the system's trusted authorities)"
        )
        self.ca.setFixedHeight(64)
        self.form.addRow("Certificate authority:", self.ca)
        self.groups = QPlainTextEdit()
        self.groups.setObjectName("directoryGroups")
        self.groups.setAccessibleName("Groups and roles, one per line: group = role")
        self.groups.setPlaceholderText("CN=DD-Officers,OU=Groups,DC=county,DC=example = officer")
        self.groups.setFixedHeight(64)
        self.form.addRow("Groups = roles:", self.groups)
        row = QHBoxLayout()
        self.test_user = Field("Test &as:", "directoryTestUser")
        self.test_password = Field("Pass&word:", "directoryTestPassword", secret=True)
        self.test_user.add_to(self.form)
        self.test_password.add_to(self.form)
        self.test_button = QPushButton("&Test")
        self.test_button.setObjectName("directoryTest")
        self.test_button.setAutoDefault(False)
        self.test_button.clicked.connect(self.test)
        row.addWidget(self.test_button)
        row.addStretch(1)
        holder = QWidget()
        holder.setLayout(row)
        self.form.addRow("", holder)
        self.test_result = MessageLabel("directoryTestResult", "Test result")
        self.form.addRow("", self.test_result)
        self.finish_layout()
        self._fit()
        # What is saved is read in the background; the form waits for it (off meanwhile).
        self.inputs: tuple[QWidget, ...] = (
            self.url.edit, self.tls, self.bind.edit, self.base.edit, self.ca, self.groups,
            self.test_button,
        )  # fmt: skip
        for widget in self.inputs:
            widget.setEnabled(False)
        self.loaded = False
        uow = session.backend.uow
        self.in_background(lambda: dirs.directory_config(uow()), self._show_saved)

    def _show_saved(self, config: dirs.DirectoryConfig) -> Waiting:
        self.url.edit.setText(config.url)
        self.tls.setCurrentIndex(0 if config.tls == dirs.LDAPS else 1)
        self.bind.edit.setText(config.bind)
        self.base.edit.setText(config.base)
        self.ca.setPlainText(config.ca_pem)
        self.groups.setPlainText(
            "\n".join(f"{group} = {role}" for group, role in config.group_roles)
        )
        for widget in self.inputs:
            widget.setEnabled(True)
        self.loaded = True
        return WAITING

    def config(self) -> dirs.DirectoryConfig:
        pairs = []
        for line in self.groups.toPlainText().splitlines():
            if not line.strip():
                continue
            group, sep, role = line.rpartition("=")
            if not sep:
                raise forms.FieldProblems(
                    {dirs.GROUPS_KEY: f"{line.strip()!r}: write group = role"}
                )
            pairs.append((group.strip(), role.strip()))
        return dirs.DirectoryConfig(
            url=self.url.text().strip(),
            tls=str(self.tls.currentData()),
            ca_pem=self.ca.toPlainText().strip(),
            bind=self.bind.text().strip(),
            base=self.base.text().strip(),
            group_roles=tuple(pairs),
        )

    def _show_problems(self, problems: dict[str, str]) -> None:
        for key, problem in problems.items():
            field = self.fields.get(key)
            if field is not None:
                field.set_error(plain_sentence(problem))
            else:
                self.error.show_error(plain_sentence(problem))
        self._fit()  # room for the problems: nothing is squeezed under another

    def test(self) -> None:
        """Bind once with the settings as typed (the network call is bounded: 5 s)."""
        self.clear_problems()
        self.test_result.clear_message()
        try:
            person, roles = dirs.try_settings(
                self.session.backend.security,
                self.config(),
                self.test_user.text(),
                self.test_password.text(),
            )
        except forms.FieldProblems as problems:
            self._show_problems(problems.problems)
            return
        except RecordError as refused:
            self.test_result.show_error(plain_sentence(str(refused)))
            return
        finally:
            self.test_password.edit.clear()
        self.test_result.show_note(
            f"The directory knows {person.display_name} ({person.dn}). Roles here: "
            f"{', '.join(sorted(roles)) or 'none: they could not sign in'}."
        )
        self._fit()

    def _fit(self) -> None:
        # adjustSize() holds a window to part of the screen; the form needs its full height.
        self.resize(self.size().expandedTo(self.sizeHint()))

    def submit(self) -> Waiting:
        config = self.config()
        problems = dirs.config_problems(config)
        if problems:
            raise forms.FieldProblems(problems)
        uow, actor, now = self.session.backend.uow, self.session.require_actor(), self.session.now()
        return self.in_background(
            lambda: dirs.save_config(uow(), actor, config, now), changes={Change.SETTINGS}
        )


@dataclass(frozen=True)
class ReviewPdf:
    """What the account-validation or audit-review PDF needs, read in the background."""

    kind: str
    suggested: str


def review_pdf_name(session: Session, kind: str) -> Callable[[], ReviewPdf]:
    """The work (for the background) that reads the county's zone and names the file."""
    from detainer_desk.domain import timetext
    from detainer_desk.services.county_clock import county_zone

    session.require_actor()
    uow, now = session.backend.uow, session.now()

    def work() -> ReviewPdf:
        stamp = timetext.file_stamp(now, county_zone(uow()))
        name = "account-validation" if kind == "accounts" else "audit-review"
        return ReviewPdf(kind, f"{name}-{stamp}.pdf")

    return work


def review_pdf_saving(session: Session, kind: str, path: str) -> Callable[[], str]:
    """The work (for the background) that makes the account-validation or audit-review
    PDF and saves it (private); returns what to say in the status bar."""
    from detainer_desk.adapters import pdf
    from detainer_desk.adapters.files import pdf_kind
    from detainer_desk.services import reviews

    actor, now = session.require_actor(), session.now()
    uow, backend = session.backend.uow, session.backend

    def work() -> str:
        if kind == "accounts":
            data = pdf.render_account_validation_pdf(reviews.account_validation(uow(), actor, now))
        else:
            report = reviews.audit_review(uow(), actor, now - dt.timedelta(days=7), now, now)
            data = pdf.render_audit_review_pdf(report)
        saved = backend.save_file(path, data, kind=pdf_kind)
        return f"Saved {saved}."

    return work


def label(text: str) -> QLabel:
    shown = QLabel(text)
    shown.setTextFormat(Qt.TextFormat.PlainText)
    return shown
