"""The weekly statistics report: requests received and what the jail did with them, so the
county can answer public claims about its cooperation with its own verifiable numbers."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence

from reportlab.graphics.charts.barcharts import VerticalBarChart
from reportlab.graphics.charts.legends import Legend
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors
from reportlab.lib.units import inch
from reportlab.platypus import Flowable, Table

from detainer_desk.domain import timetext
from detainer_desk.services.documents import UNSET_COUNTY, UNSET_JAIL
from detainer_desk.services.evidence_model import CountRow, ReportContext, StatisticsReport
from detainer_desk.services.statistics import count_axis

from .fonts import MONO, SANS, SANS_BOLD
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
    spacer,
    styles,
    table_style,
    zone_named,
)

LABEL_WIDTH = 2.6 * inch
CHART_HEIGHT = 3.0 * inch
# The bars of the chart, in the order of the report's columns after "received" (the same
# colours as the Statistics screen's chart).
BAR_COLOURS = ("#1f4e79", "#2e8b87", "#8c8c8c", "#d49a00", "#7b3f8c", "#b5562b")


def render_statistics_pdf(report: StatisticsReport, context: ReportContext) -> bytes:
    """The statistics report for ``report.period_start`` to ``report.period_end``, as bytes."""
    s = styles()
    period = _period(report.period_start, report.period_end)
    columns = report.columns
    totals = dict(report.totals) or _sum(report.by_week, columns)
    story: list[Flowable] = [
        para("Immigration detainer requests: statistics", s.title),
        para(_subtitle(period, context), s.subtitle),
        _totals_panel(columns, totals),
        *section(
            "By week",
            *_week_chart(report.by_week, columns),
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


def _subtitle(period: str, context: ReportContext) -> str:
    """The period and whose numbers they are: only names an administrator entered (a
    public report does not print "[county name not entered]" as the county)."""
    names = [
        name
        for name, unset in ((context.county_name, UNSET_COUNTY), (context.jail_name, UNSET_JAIL))
        if name and name != unset
    ]
    return f"{period}." + (f" {', '.join(names)}." if names else "")


def _week_chart(rows: Sequence[CountRow], columns: Sequence[str]) -> list[Flowable]:
    """Requests by week as stacked bars, one colour for each outcome column (every request
    counts once), on a count axis of whole numbers; nothing when there is nothing to draw."""
    stacked = list(columns[1:])
    if not rows or not stacked:
        return []
    drawing = Drawing(CONTENT_WIDTH, CHART_HEIGHT)
    legend_height = 0.45 * inch
    chart = VerticalBarChart()
    chart.x = 0.45 * inch
    chart.y = legend_height + 0.35 * inch
    chart.width = CONTENT_WIDTH - chart.x - 0.1 * inch
    chart.height = CHART_HEIGHT - chart.y - 0.3 * inch
    chart.data = [[int(row.counts.get(column, 0)) for row in rows] for column in stacked]
    chart.categoryAxis.style = "stacked"
    chart.categoryAxis.categoryNames = [_week_label(row.label) for row in rows]
    chart.categoryAxis.labels.fontName = SANS
    chart.categoryAxis.labels.fontSize = 7
    chart.categoryAxis.labels.boxAnchor = "n"
    if len(rows) > 14:
        chart.categoryAxis.labels.angle = 90
        chart.categoryAxis.labels.boxAnchor = "e"
    highest = max((sum(int(row.counts.get(c, 0)) for c in stacked) for row in rows), default=0)
    top, step = count_axis(highest)
    chart.valueAxis.valueMin = 0
    chart.valueAxis.valueMax = top
    chart.valueAxis.valueStep = step
    chart.valueAxis.labelTextFormat = "%d"
    chart.valueAxis.labels.fontName = SANS
    chart.valueAxis.labels.fontSize = 7
    chart.valueAxis.visibleGrid = True
    chart.valueAxis.gridStrokeColor = GRID
    chart.valueAxis.gridStrokeWidth = 0.4
    chart.barSpacing = 0
    chart.groupSpacing = 4 if len(rows) > 20 else 8
    for index in range(len(stacked)):
        chart.bars[index].fillColor = colors.HexColor(BAR_COLOURS[index % len(BAR_COLOURS)])
        chart.bars[index].strokeColor = None
    drawing.add(chart)
    drawing.add(
        String(
            0,
            CHART_HEIGHT - 0.12 * inch,
            "Requests by week (week beginning, month-day), by what is in force now",
            fontName=SANS_BOLD,
            fontSize=8.5,
            fillColor=INK,
        )
    )
    legend = Legend()
    legend.x = chart.x
    legend.y = legend_height - 0.05 * inch
    legend.alignment = "right"
    legend.columnMaximum = 1
    legend.deltax = CONTENT_WIDTH / max(len(stacked), 1) - 4
    legend.dxTextSpace = 4
    legend.fontName = SANS
    legend.fontSize = 7.5
    legend.colorNamePairs = [
        (colors.HexColor(BAR_COLOURS[i % len(BAR_COLOURS)]), name) for i, name in enumerate(stacked)
    ]
    drawing.add(legend)
    return [drawing, spacer(8)]


def _week_label(label: str) -> str:
    """``week of 2026-09-07`` on the axis as ``09-07`` (the axis title says so)."""
    try:
        day = dt.date.fromisoformat(label.removeprefix("week of "))
    except ValueError:
        return label
    return f"{day.month:02d}-{day.day:02d}"


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
