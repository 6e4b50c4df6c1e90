"""The reviews the FBI CJIS Security Policy asks an agency to make and keep:

* **account validation**, at least yearly (v6.0 AC-2(j); v5.9.x 5.5.1): every account, its
  roles, when it was last used, who created it, for a supervisor to check and sign;
* **audit review**, weekly (v6.0 AU-6; v5.9.x 5.4.3): the events worth a person's look —
  failed and refused sign-ins, lockouts, changes of roles, accounts and settings, second
  factors reset, exports, backups and restores, and supervisors' overrides.

Each is a document (the PDF adapter draws it) and a command; making one is itself audited.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from detainer_desk.domain import accounts as acc

from . import accounts as svc
from .access import audit, authorize
from .documents import report_context
from .evidence_model import ReportContext
from .ports import Actor, AuditEvent, UnitOfWork


@dataclass(frozen=True, slots=True)
class AccountLine:
    name: str
    display_name: str
    roles: tuple[str, ...]
    state: str  # active, disabled, locked
    kind: str  # local, directory
    second_factor: str  # "set up (n recovery codes)", "not set up"
    created_at: dt.datetime
    created_by: str
    last_sign_in: dt.datetime | None
    inactive_days: int  # days since the account was last used (or created, enabled, ...)


@dataclass(frozen=True, slots=True)
class AccountValidation:
    context: ReportContext
    lines: tuple[AccountLine, ...]
    inactive_limit: int
    second_factor_required: bool


def account_validation(uow: UnitOfWork, actor: Actor, now: dt.datetime) -> AccountValidation:
    """Every account, as it stands at ``now``. Administrators."""
    from . import second_factor as factors

    context = report_context(uow, actor, now)
    with uow:
        actor = authorize(uow, actor, acc.MANAGE_ACCOUNTS, "report.accounts", None, now)
        minutes = svc._lockout_minutes(uow)
        limit = svc.inactive_days(uow)
        lines = []
        for user in uow.accounts.users():
            created = uow.audit.first_event("account.create", user.name)
            last = uow.audit.last_time("sign_in", "success", user_name=user.name)
            state = (
                "disabled"
                if user.disabled
                else "locked"
                if acc.is_locked(user.locked_at, now, minutes)
                else "active"
            )
            factor = (
                f"set up ({len(user.recovery_codes)} recovery codes left)"
                if user.second_factor
                else "not set up"
            )
            used = svc.last_activity(uow, user)
            lines.append(
                AccountLine(
                    name=user.name,
                    display_name=user.display_name,
                    roles=tuple(sorted(user.roles)),
                    state=state,
                    kind="directory" if user.directory else "local",
                    second_factor=factor,
                    created_at=user.created_at,
                    created_by=created.user_name if created else "(before the audit trail)",
                    last_sign_in=last,
                    inactive_days=max(0, (now - used).days),
                )
            )
        required = factors.required(uow)
        audit(uow, actor, "report.accounts", None, now, details={"accounts": len(lines)})
        uow.commit()
    return AccountValidation(context, tuple(lines), limit, required)


# What a weekly audit review looks at, by section: (title, actions, outcomes or None: all).
REVIEW_SECTIONS: tuple[tuple[str, tuple[str, ...], tuple[str, ...] | None], ...] = (
    ("Failed and refused sign-ins", ("sign_in",), ("failure", "denied")),
    ("Lockouts", ("account.lockout", "account.lock_ended", "account.unlock"), None),
    (
        "Accounts and roles changed",
        (
            "account.create",
            "account.roles",
            "account.disable",
            "account.enable",
            "account.password_reset",
            "account.recover",
            "account.second_factor",
        ),
        None,
    ),
    ("Settings changed", ("settings.change",), None),
    ("Exports, backups and restores", ("records.export", "store.backup", "store.restore"), None),
    ("Overrides by supervisors", ("decision.override",), None),
    ("Refused actions (not allowed)", ("decision.", "records.", "policy.", "audit."), ("denied",)),
)
MAX_EVENTS_PER_SECTION = 5000


@dataclass(frozen=True, slots=True)
class ReviewSection:
    title: str
    events: tuple[AuditEvent, ...]
    truncated: bool


@dataclass(frozen=True, slots=True)
class AuditReview:
    context: ReportContext
    start: dt.datetime
    end: dt.datetime
    sections: tuple[ReviewSection, ...]
    sign_ins: int  # successful sign-ins in the period, for scale


def audit_review(
    uow: UnitOfWork, actor: Actor, start: dt.datetime, end: dt.datetime, now: dt.datetime
) -> AuditReview:
    """The events of ``start`` to ``end`` a reviewer should look at. Administrators and
    county counsel (who read the audit trail)."""
    context = report_context(uow, actor, now)
    with uow:
        actor = authorize(uow, actor, acc.VIEW_AUDIT, "report.audit_review", None, now)
        sections = []
        for title, actions, outcomes in REVIEW_SECTIONS:
            found = uow.audit.events_between(actions, start, end, MAX_EVENTS_PER_SECTION + 1)
            kept = [e for e in found if outcomes is None or e.outcome in outcomes]
            sections.append(
                ReviewSection(
                    title,
                    tuple(kept[:MAX_EVENTS_PER_SECTION]),
                    len(found) > MAX_EVENTS_PER_SECTION,
                )
            )
        sign_ins = sum(
            1
            for e in uow.audit.events_between(("sign_in",), start, end, 1_000_000)
            if e.outcome == "success"
        )
        audit(
            uow,
            actor,
            "report.audit_review",
            None,
            now,
            details={"from": start.isoformat(), "to": end.isoformat()},
        )
        uow.commit()
    return AuditReview(context, start, end, tuple(sections), sign_ins)


def event_summary(event: AuditEvent) -> str:
    """One line about an event's details, for a reviewer."""
    details = event.details
    if details is None:
        return ""
    parts = []
    for key, value in details.items():
        if value in (None, "", [], {}) or key in ("filters", "manifest_sha256", "chain_head"):
            continue
        if isinstance(value, dict) and ("before" in value or "after" in value):
            parts.append(f"{key}: {value.get('before')!s} -> {value.get('after')!s}")
        elif isinstance(value, list):
            parts.append(f"{key}: {', '.join(str(v) for v in value)}")
        elif not isinstance(value, dict):
            parts.append(f"{key}: {value}")
    return "; ".join(parts)[:300]


def lines_of(report: AccountValidation) -> Sequence[AccountLine]:
    return report.lines
