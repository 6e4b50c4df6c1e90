"""Records › Statistics: requests received and what the county did with them, by week, by
month, by detainer form and by deciding reason, as a table and a chart.

The counting runs in the background (a long period on a big store reads every decision
of it once); "Save statistics PDF…" prints the same numbers through the PDF adapter.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from zoneinfo import ZoneInfo

from PySide6.QtCharts import (
    QBarCategoryAxis,
    QBarSet,
    QChart,
    QChartView,
    QHorizontalStackedBarSeries,
    QStackedBarSeries,
    QValueAxis,
)
from PySide6.QtCore import QAbstractTableModel, QDate, QMargins, QModelIndex, QObject, Qt
from PySide6.QtGui import QColor, QFont, QPainter
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QWidget,
)

from detainer_desk.domain import accounts as acc
from detainer_desk.domain import timetext
from detainer_desk.services import documents
from detainer_desk.services import statistics as stats
from detainer_desk.services.evidence_model import CountRow

from ..session import Session
from ..tasks import TaskRunner
from ..widgets import MessageLabel, bold, buddy_label, push_button, rich_label
from .common import (
    ALIGNMENT,
    DISPLAY,
    AnyIndex,
    RecordsScreen,
    SaveChooser,
    ask_save_path,
    date_edit,
    python_date,
    qt_date,
    read_zone_then,
    record_table,
    screen_layout,
    side_by_side,
)
from .tasks import run_with_button_off

WEEK, MONTH, FORM, REASON = "week", "month", "form", "reason"
GROUPINGS = (
    (WEEK, "week (from Monday)"),
    (MONTH, "month"),
    (FORM, "detainer form"),
    (REASON, "deciding reason"),
)
LABEL_HEADERS = {WEEK: "Week", MONTH: "Month", FORM: "Form", REASON: "Reason"}
# What the bars stack: every request counts once, under what is in force now.
STACKED = (stats.HONORED, stats.NOTIFY, stats.DECLINED, stats.UNDER_REVIEW)
BAR_COLOURS = {
    stats.HONORED: "#1f4e79",
    stats.NOTIFY: "#2e8b87",
    stats.DECLINED: "#8c8c8c",
    stats.UNDER_REVIEW: "#d49a00",
}
TOTAL = "Total"


class CountsModel(QAbstractTableModel):
    """Rows of counts with a closing total row (not for reasons: one decision can rest on
    several reasons, so their rows need not add up)."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._label = "Week"
        self._columns: tuple[str, ...] = stats.COLUMNS
        self._rows: list[CountRow] = []
        self._total: Mapping[str, int] | None = None

    def set_counts(
        self,
        label: str,
        columns: Sequence[str],
        rows: Sequence[CountRow],
        with_total: bool,
    ) -> None:
        self.beginResetModel()
        self._label = label
        self._columns = tuple(columns)
        self._rows = list(rows)
        self._total = (
            {c: sum(int(r.counts.get(c, 0)) for r in rows) for c in columns}
            if with_total and rows
            else None
        )
        self.endResetModel()

    def total_row(self) -> Mapping[str, int] | None:
        return self._total

    def count_rows(self) -> list[CountRow]:
        return list(self._rows)

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        if parent.isValid():
            return 0
        return len(self._rows) + (1 if self._total is not None else 0)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else 1 + len(self._columns)

    def data(self, index: AnyIndex, role: int = DISPLAY) -> object:
        if not index.isValid():
            return None
        total = index.row() >= len(self._rows)
        column = index.column()
        if role in (DISPLAY, Qt.ItemDataRole.ToolTipRole):
            if column == 0:
                return TOTAL if total else self._rows[index.row()].label
            key = self._columns[column - 1]
            counts = self._total if total else self._rows[index.row()].counts
            assert counts is not None
            return f"{int(counts.get(key, 0)):,}"
        if role == ALIGNMENT and column > 0:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.FontRole and total:
            return bold(QFont())
        return None

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = DISPLAY) -> object:
        if orientation != Qt.Orientation.Horizontal:
            return None
        if role == DISPLAY:
            return self._label if section == 0 else _two_lines(self._columns[section - 1])
        if role == Qt.ItemDataRole.ToolTipRole and section > 0:
            return self._columns[section - 1]
        if role == ALIGNMENT and section > 0:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None


class StatisticsScreen(RecordsScreen):
    def __init__(self, session: Session, tasks: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(session, tasks, "statisticsScreen", "Statistics", parent)
        self.tables: stats.StatisticsTables | None = None
        self.stale = True
        self.choose_save_path: SaveChooser = ask_save_path
        self.saved_path: str | None = None
        self._period_chosen = False

        layout, top = screen_layout(self, "Statistics", "statsHeading")
        top.addSpacing(18)
        today = QDate.currentDate()
        first = QDate(today.year(), today.month(), 1).addMonths(-2)
        self.from_date = date_edit("statsFrom", "Received from (included)", first)
        self.to_date = date_edit("statsTo", "Received up to (included)", today)
        from_label = buddy_label("Receive&d from:", self.from_date)
        to_label = buddy_label("u&p to:", self.to_date)
        for widget in (from_label, self.from_date, to_label, self.to_date):
            top.addWidget(widget)
        self.show_button = push_button(
            "Cou&nt", "statsShow", "Count the requests of this period", on_click=self.load
        )
        top.addWidget(self.show_button)
        top.addStretch(1)
        layout.addLayout(top)
        self.save_button = push_button(
            "&Save statistics PDF…",
            "statsSavePdf",
            "Save the statistics report as a PDF",
            on_click=self.save_pdf,
        )
        self.save_button.setEnabled(False)

        self.totals_label = rich_label("statsTotals", "Totals for the period")
        layout.addWidget(self.totals_label)

        group_row = QHBoxLayout()
        self.group_combo = QComboBox()
        self.group_combo.setObjectName("statsGroup")
        self.group_combo.setAccessibleName("Count by")
        for key, words in GROUPINGS:
            self.group_combo.addItem(words, key)
        self.group_combo.currentIndexChanged.connect(lambda _i: self._show_tables())
        group_label = buddy_label("Count &by:", self.group_combo)
        group_row.addWidget(group_label)
        group_row.addWidget(self.group_combo)
        group_row.addStretch(1)
        group_row.addWidget(self.save_button)  # here, not beside the dates: a narrow window
        layout.addLayout(group_row)

        self.model = CountsModel(self)
        self.table = record_table("statsTable", "Counts")
        self.table.setModel(self.model)
        self.table.horizontalHeader().setStretchLastSection(False)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.chart = QChart()
        self.chart.setObjectName("statsChart")
        self.chart.legend().setAlignment(Qt.AlignmentFlag.AlignBottom)
        self.chart.setMargins(QMargins(4, 4, 4, 4))
        self.chart_view = QChartView(self.chart)
        self.chart_view.setObjectName("statsChartView")
        self.chart_view.setAccessibleName("Chart of the counts")
        self.chart_view.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.chart_view.setMinimumWidth(360)
        splitter = side_by_side("statsSplitter", self.table, self.chart_view, (1, 1), [600, 700])
        layout.addWidget(splitter, 1)

        self.method_label = QLabel(
            "Each request counts once as received and once under what is in force now: the "
            "recorded outcome as a supervisor countersigned or overrode it, or “awaiting "
            "review”. Days, weeks and months are the county's, in its time zone."
        )
        self.method_label.setObjectName("statsMethod")
        self.method_label.setWordWrap(True)
        layout.addWidget(self.method_label)
        self.message = MessageLabel("statsMessage", "Problem")
        layout.addWidget(self.message)

    # ---------------------------------------------------------------- loading
    def activate(self) -> None:
        if not self.stale or not self.session.may(acc.VIEW_RECORDS):
            return
        if self._period_chosen:
            self.load()
        else:
            read_zone_then(self.session, self.tasks, self, self.message, self._first_period)

    def _first_period(self, zone: ZoneInfo) -> None:
        """The last three calendar months, the county's today included."""
        if not self.stale or not self.session.may(acc.VIEW_RECORDS):
            return
        if not self._period_chosen:
            today = timetext.county_day(self.session.now(), zone)
            first = today.replace(day=1)
            for _month in range(2):
                first = (first - dt.timedelta(days=1)).replace(day=1)
            self.set_period(first, today)
        self.load()

    def clear(self) -> None:
        self._forget_reads()
        self.tables = None
        self.stale = True
        self._period_chosen = False
        self.model.set_counts("Week", stats.COLUMNS, [], False)
        self.chart.removeAllSeries()
        for axis in self.chart.axes():
            self.chart.removeAxis(axis)
        self.totals_label.clear()
        self.message.clear_message()
        self.save_button.setEnabled(False)

    def period(self) -> tuple[dt.date, dt.date]:
        return python_date(self.from_date.date()), python_date(self.to_date.date())

    def set_period(self, first: dt.date, last: dt.date) -> None:
        self.from_date.setDate(qt_date(first))
        self.to_date.setDate(qt_date(last))
        self._period_chosen = True

    def load(self) -> None:
        if not self.session.may(acc.VIEW_RECORDS):
            return
        self.message.clear_message()
        first, last = self.period()
        if last < first:
            self.message.show_error("The “from” date is after the “to” date.")
            return
        self.stale = False
        self.totals_label.setText("Counting…")
        uow, actor, now = self.session.backend.uow, self.session.require_actor(), self.session.now()

        def counted(tables: stats.StatisticsTables) -> None:
            self.tables = tables
            self._show_tables()

        def failed(_error: BaseException) -> None:
            if generation == self._generation:
                self.loading = False
                self.totals_label.clear()

        generation = self._read_in_zone(
            lambda: stats.statistics_tables(uow(), actor, first, last, now), counted, failed
        )

    # ---------------------------------------------------------------- showing
    def grouping(self) -> str:
        return str(self.group_combo.currentData())

    def _rows_for(self, grouping: str) -> tuple[CountRow, ...]:
        assert self.tables is not None
        report = self.tables.report
        return {
            WEEK: report.by_week,
            MONTH: self.tables.by_month,
            FORM: report.by_form,
            REASON: report.by_reason,
        }[grouping]

    def _show_tables(self) -> None:
        if self.tables is None:
            return
        report = self.tables.report
        grouping = self.grouping()
        rows = self._rows_for(grouping)
        self.model.set_counts(
            LABEL_HEADERS[grouping], report.columns, rows, with_total=grouping != REASON
        )
        self.table.resizeColumnsToContents()
        self.table.setColumnWidth(0, max(150, min(self.table.columnWidth(0), 300)))
        totals = report.totals
        received = int(totals.get(stats.RECEIVED, 0))
        parts = [f"<b>{int(totals.get(c, 0)):,}</b> {c}" for c in STACKED]
        self.totals_label.setText(
            f"<b>{received:,}</b> requests received from {timetext.day_text(report.period_start)}"
            f" to {timetext.day_text(report.period_end)}, the county's days "
            f"({report.timezone}): " + " · ".join(parts)
        )
        self.save_button.setEnabled(self.session.may(acc.PRINT_RECORDS))
        self._draw_chart(grouping, rows)

    def _draw_chart(self, grouping: str, rows: Sequence[CountRow]) -> None:
        chart = self.chart
        chart.removeAllSeries()
        for axis in chart.axes():
            chart.removeAxis(axis)
        over_time = grouping in (WEEK, MONTH)
        series = QStackedBarSeries() if over_time else QHorizontalStackedBarSeries()
        if not over_time:
            rows = list(reversed(rows))  # a horizontal chart draws its first category lowest
        labels = [_short_label(row.label, grouping) for row in rows]
        for column in STACKED:
            bar_set = QBarSet(column)
            bar_set.setColor(QColor(BAR_COLOURS[column]))
            bar_set.append([float(row.counts.get(column, 0)) for row in rows])
            series.append(bar_set)
        chart.addSeries(series)
        titles = {
            WEEK: "Requests by week and what is in force now",
            MONTH: "Requests by month and what is in force now",
            FORM: "Requests by detainer form",
            REASON: "Decisions by deciding reason",
        }
        chart.setTitle(titles[grouping])
        categories = QBarCategoryAxis()
        categories.append(labels)
        values = QValueAxis()
        values.setObjectName("statsCountAxis")
        values.setLabelFormat("%d")
        highest = max((int(r.counts.get(stats.RECEIVED, 0)) for r in rows), default=0)
        top, step = stats.count_axis(highest)  # whole-number ticks: counts are whole
        values.setRange(0, top)
        values.setTickCount(top // step + 1)
        values.setMinorTickCount(0)
        if over_time:
            categories.setTitleText("week beginning (month-day)" if grouping == WEEK else "")
            chart.addAxis(categories, Qt.AlignmentFlag.AlignBottom)
            chart.addAxis(values, Qt.AlignmentFlag.AlignLeft)
            if len(labels) > 12:
                categories.setLabelsAngle(-90)
        else:
            chart.addAxis(categories, Qt.AlignmentFlag.AlignLeft)
            chart.addAxis(values, Qt.AlignmentFlag.AlignBottom)
        series.attachAxis(categories)
        series.attachAxis(values)

    def chart_series_totals(self) -> dict[str, float]:
        """What the chart's bar sets add up to (for tests: the chart shows the table)."""
        totals: dict[str, float] = {}
        for series in self.chart.series():
            for bar_set in series.barSets():  # type: ignore[attr-defined]
                values = [bar_set.at(i) for i in range(bar_set.count())]
                totals[bar_set.label()] = totals.get(bar_set.label(), 0.0) + sum(values)
        return totals

    # -------------------------------------------------------------------- PDF
    def save_pdf(self) -> None:
        if self.tables is None:
            return
        report = self.tables.report
        suggested = f"detainer-statistics-{report.period_start}-to-{report.period_end}.pdf"
        path = self.choose_save_path(self, "Save the statistics report", suggested)
        if not path:
            return
        if not path.lower().endswith(".pdf"):
            path += ".pdf"
        uow, actor, now = self.session.backend.uow, self.session.require_actor(), self.session.now()
        backend = self.session.backend

        def work() -> str:
            context = documents.report_context(uow(), actor, now)
            from detainer_desk.adapters import pdf
            from detainer_desk.adapters.files import pdf_kind

            backend.save_file(path, pdf.render_statistics_pdf(report, context), pdf_kind)
            return path

        def saved(written: str) -> None:
            self.saved_path = written
            self.message.show_note(f"Saved the statistics report to {written}.")

        making = "Making the statistics PDF…"
        run_with_button_off(self.save_button, making, self.tasks, self, self.message, work, saved)


def _two_lines(header: str) -> str:
    """``honored (hold or transfer)`` over two lines: the number columns stay narrow."""
    if " (" in header:
        return header.replace(" (", "\n(", 1)
    return header.replace(" ", "\n", 1)


def _short_label(label: str, grouping: str) -> str:
    if grouping == WEEK:
        return label.removeprefix("week of ")[5:]  # 2026-09-07 -> 09-07 (the axis names it)
    if grouping == MONTH:
        name, _space, year = label.partition(" ")
        return f"{name[:3]} {year}"
    if len(label) > 38:
        return label[:36] + "…"
    return label
