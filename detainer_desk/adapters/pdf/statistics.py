"""The weekly statistics report: requests received and what the jail did with them, so the
county can answer public claims about its cooperation with its own verifiable numbers."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence

from reportlab.lib.units import inch
from reportlab.platypus import Flowable, Table

from detainer_desk.domain import timetext
from detainer_desk.services.evidence_model import CountRow, ReportContext, StatisticsReport

from .fonts import MONO
from .layout import (
    CONTENT_WIDTH,
    DAY_NAMES,
    GRID,
    HEAD_FILL,
    INK,
    MONTH_NAMES,
    PANEL_FILL,
    Furniture,
    bold,
    build_pdf,
    fact_table,
    grid_style,
    grouped,
    local_and_utc,
    para,
    rich,
    section,
    styles,
    table_style,
    zone_named,
)

LABEL_WIDTH = 2.6 * inch


def render_statistics_pdf(report: StatisticsReport, context: ReportContext) -> bytes:
    """The statistics report for ``report.period_start`` to ``report.period_end``, as bytes."""
    s = styles()
    period = _period(report.period_start, report.period_end)
    columns = report.columns
    totals = dict(report.totals) or _sum(report.by_week, columns)
    story: list[Flowable] = [
        para("Immigration detainer requests: statistics", s.title),
        para(f"{period}. {context.county_name}, {context.jail_name}.", s.subtitle),
        _totals_panel(columns, totals),
        *section(
            "By week",
            _counts_table("Week", report.by_week, columns, total_row=True),
        ),
        *section(
            "By detainer form",
            _counts_table("Form", report.by_form, columns, total_row=True),
        ),
        *section(
            "By deciding reason",
            _counts_table("Reason", report.by_reason, columns, total_row=False),
        ),
        *section("How these numbers are made", *_method(report, context)),
    ]
    furniture = Furniture(
        context,
        f"Detainer statistics · {timetext.day_text(report.period_start)} to "
        f"{timetext.day_text(report.period_end)}",
    )
    return build_pdf(
        story,
        furniture,
        title=f"Immigration detainer requests: statistics, {period}",
        subject=f"Detainer statistics for {context.county_name}, {period}",
    )


def _period(start: dt.date, end: dt.date) -> str:
    days = (end - start).days + 1

    def spelled(day: dt.date) -> str:
        return f"{DAY_NAMES[day.weekday()]} {day.day} {MONTH_NAMES[day.month - 1]} {day.year}"

    return (
        f"{spelled(start)} to {spelled(end)} ({days} day{'s' if days != 1 else ''}, both included)"
    )


def _sum(rows: Sequence[CountRow], columns: Sequence[str]) -> dict[str, int]:
    return {c: sum(int(row.counts.get(c, 0)) for row in rows) for c in columns}


def _totals_panel(columns: Sequence[str], totals: Mapping[str, int]) -> Table:
    s = styles()
    if not columns:
        return Table([[para("No columns were counted.", s.body)]])
    cells = [
        [
            rich(f'<font size="20">{bold(f"{int(totals.get(c, 0)):,}")}</font>', s.outcome)
            for c in columns
        ],
        [para(c, s.label) for c in columns],
    ]
    width = CONTENT_WIDTH / len(columns)
    table = Table(cells, colWidths=[width] * len(columns), hAlign="LEFT")
    table.setStyle(
        table_style(
            [
                ("BACKGROUND", (0, 0), (-1, -1), PANEL_FILL),
                ("BOX", (0, 0), (-1, -1), 0.8, GRID),
                ("LINEBEFORE", (1, 0), (-1, -1), 0.5, GRID),
                ("LINEABOVE", (0, 0), (-1, 0), 3, INK),
                ("TOPPADDING", (0, 0), (-1, 0), 8),
                ("BOTTOMPADDING", (0, -1), (-1, -1), 8),
                ("LEFTPADDING", (0, 0), (-1, -1), 8),
            ]
        )
    )
    return table


def _counts_table(
    label: str, rows: Sequence[CountRow], columns: Sequence[str], *, total_row: bool
) -> Flowable:
    s = styles()
    if not rows:
        return para("No requests in this period.", s.body)
    head = [para(label, s.cell_head)] + [para(c, s.cell_head) for c in columns]
    data: list[list[Flowable]] = [head]
    for row in rows:
        data.append(
            [para(row.label, s.cell)]
            + [para(f"{int(row.counts.get(c, 0)):,}", s.cell_right) for c in columns]
        )
    extra: list[tuple[object, ...]] = []
    if total_row:
        sums = _sum(rows, columns)
        data.append(
            [para("Total", s.cell_bold)]
            + [rich(bold(f"{sums[c]:,}"), s.cell_right) for c in columns]
        )
        extra += [
            ("BACKGROUND", (0, -1), (-1, -1), HEAD_FILL),
            ("LINEABOVE", (0, -1), (-1, -1), 1, INK),
        ]
    number_width = (CONTENT_WIDTH - LABEL_WIDTH) / max(len(columns), 1)
    table = Table(
        data,
        colWidths=[LABEL_WIDTH] + [number_width] * len(columns),
        repeatRows=1,
        hAlign="LEFT",
    )
    table.setStyle(grid_style(extra=extra))
    return table


def _method(report: StatisticsReport, context: ReportContext) -> list[Flowable]:
    s = styles()
    zone = zone_named(context.timezone)
    paragraphs = [
        "Every number here is counted by Detainer Desk from the county's own decision record: "
        "each detainer request the jail entered and the decision recorded for it under the "
        "county's written policy. Nothing is estimated and nothing comes from federal data.",
        "A request counts in the week (Monday to Sunday) and under the form of the day the jail "
        f"received it, in the county's time zone ({report.timezone}), once as received and "
        "once under what is in force now: the recorded outcome as a supervisor countersigned "
        "or overrode it, or \u201cawaiting review\u201d while no supervisor has. The week and "
        "form tables therefore count each request once. One decision can rest on more than one "
        "reason, so the rows of the reason table need not add up to the totals.",
        "Each count can be checked against the litigation export for the same period "
        "(decisions.csv, one row per decision), which carries the same record with its hashes.",
    ]
    flowables: list[Flowable] = [para(text, s.body) for text in paragraphs]
    checkpoint = report.checkpoint
    if checkpoint is not None:
        command = (
            f'<font name="{MONO}">detainer-desk&nbsp;verify&nbsp;--checkpoint&nbsp;FILE</font>'
        )
        flowables.append(
            para("The record these numbers were counted from", s.h3),
        )
        flowables.append(
            fact_table(
                [
                    ("Signed checkpoint of", local_and_utc(checkpoint.created_at, zone)),
                    ("Entries in the record", f"{checkpoint.entries:,}"),
                    ("Head hash", para(grouped(checkpoint.head_hash), s.mono)),
                    ("Installation", checkpoint.installation_id),
                    (
                        "How to check",
                        rich(
                            f"Anyone holding the record can confirm it with {command}; the "
                            "daily checkpoint sheet of that day carries the same values.",
                            s.cell,
                        ),
                    ),
                ]
            )
        )
    return flowables
