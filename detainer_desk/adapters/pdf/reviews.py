"""The account-validation report (yearly, signed by a supervisor) and the weekly
audit-review report (services/reviews.py). Times are written by layout.local_time, the
PDFs' one formatter of instants for people."""

from __future__ import annotations

from reportlab.lib.units import inch
from reportlab.platypus import Flowable

from detainer_desk.services.reviews import AccountValidation, AuditReview, event_summary

from .layout import (
    Furniture,
    build_pdf,
    fact_table,
    grid_table,
    local_time,
    para,
    section,
    signature_lines,
    spacer,
    styles,
    zone_named,
)


def render_account_validation_pdf(report: AccountValidation) -> bytes:
    s = styles()
    context = report.context
    zone = zone_named(context.timezone)
    rows = []
    for line in report.lines:
        rows.append(
            [
                f"{line.name}\n{line.display_name}"
                if line.display_name != line.name
                else line.name,
                ", ".join(line.roles),
                f"{line.state}\n{line.kind}",
                line.second_factor,
                local_time(line.last_sign_in, zone) if line.last_sign_in else "never",
                f"{local_time(line.created_at, zone)}\nby {line.created_by}",
                "",
            ]
        )
    flagged = [
        line.name
        for line in report.lines
        if line.state == "active" and line.inactive_days > report.inactive_limit
    ]
    story: list[Flowable] = [
        para("Account validation", s.title),
        para(
            f"Every account of Detainer Desk at {context.county_name}, {context.jail_name}, "
            f"as of {local_time(context.generated_at, zone)}.",
            s.subtitle,
        ),
        para(
            "The FBI CJIS Security Policy asks the agency to validate its accounts at least "
            "once a year: for each account below, confirm that the person still needs access "
            "to criminal-justice information, and with these roles. Mark each row OK, or say "
            "what must change (an administrator then disables the account or changes its "
            "roles, which the audit trail records).",
            s.body,
        ),
        spacer(),
        grid_table(
            [
                "Account",
                "Roles",
                "State",
                "Second factor",
                "Last signed in",
                "Created",
                "OK?",
            ],
            rows,
            [1.3, 1.0, 0.8, 1.1, 1.3, 1.5, 0.45],
        ),
        spacer(),
        fact_table(
            [
                ("Accounts", f"{len(report.lines)}"),
                (
                    "Second factor",
                    "required at every sign-in"
                    if report.second_factor_required
                    else "NOT required at sign-in (CJIS 5.6.2.2 asks for it)",
                ),
                (
                    "Inactive accounts",
                    f"disabled at their next sign-in after {report.inactive_limit} days unused"
                    + (
                        f"; unused longer now: {', '.join(flagged)}"
                        if flagged
                        else "; none is unused longer now"
                    ),
                ),
            ]
        ),
        *section("Validated by", signature_lines()),
    ]
    furniture = Furniture(context, "Account validation")
    return build_pdf(
        story,
        furniture,
        title="Account validation",
        subject=f"Accounts of Detainer Desk, {context.county_name}",
    )


def render_audit_review_pdf(report: AuditReview) -> bytes:
    s = styles()
    context = report.context
    zone = zone_named(context.timezone)
    period = f"{local_time(report.start, zone)} to {local_time(report.end, zone)}"
    story: list[Flowable] = [
        para("Audit review", s.title),
        para(f"{period}. {context.county_name}, {context.jail_name}.", s.subtitle),
        para(
            "The FBI CJIS Security Policy asks the agency to review its audit records weekly "
            "for signs of misuse. These are the events of the period worth a person's look; "
            f"there were also {report.sign_ins:,} successful sign-ins. The whole audit trail "
            "is in the program (Admin › Audit trail, or the audit command), in the hash chain "
            "that verify checks.",
            s.body,
        ),
    ]
    summary = [(part.title, f"{len(part.events):,}") for part in report.sections]
    story.append(spacer())
    story.append(fact_table(summary, label_width=3 * inch))
    for part in report.sections:
        if not part.events:
            story += section(part.title, para("None in this period.", s.body))
            continue
        rows = [
            [
                local_time(event.occurred_at, zone),
                event.user_name,
                event.workstation,
                f"{event.action}\n{event.outcome}",
                event.target or "",
                event_summary(event),
            ]
            for event in part.events
        ]
        story += section(
            part.title,
            grid_table(
                ["When", "Who", "Where", "What", "On", "Details"],
                rows,
                [1.4, 0.9, 0.8, 1.1, 0.9, 2.0],
            ),
        )
        if part.truncated:
            story.append(para(f"Only the first {len(part.events):,} are listed.", s.body))
    story += section("Reviewed by", signature_lines())
    return build_pdf(
        story,
        Furniture(context, f"Audit review · {period}"),
        title=f"Audit review, {period}",
        subject=f"Audit review of Detainer Desk, {context.county_name}",
    )
