"""The statistics as they are read: whole-number counts on the chart's axis (it read
"1, 0, 0, 0, 0, 0" for small counts), a chart in the PDF too, and no instruction to staff
printed as the county's name."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from pypdf import PdfReader
from PySide6.QtCharts import QValueAxis
from pytestqt.qtbot import QtBot

from detainer_desk.adapters.pdf import render_statistics_pdf
from detainer_desk.gui.main_window import MainWindow
from detainer_desk.services import statistics as stats
from detainer_desk.services.documents import UNSET_COUNTY, UNSET_JAIL, report_context
from detainer_desk.services.evidence_model import CountRow, ReportContext, StatisticsReport
from detainer_desk.services.settings import read_settings, save_settings
from detainer_desk.services.statistics import count_axis

from .test_gui_records_support import NOW, Desk, desk_under, sign_in_as, window_on
from .test_gui_support import click


@pytest.mark.parametrize(
    ("highest", "top", "step"),
    [
        (0, 1, 1),
        (1, 1, 1),
        (3, 3, 1),
        (8, 8, 1),
        (9, 10, 2),
        (13, 14, 2),
        (45, 50, 10),
        (350, 350, 50),
        (1234, 1400, 200),
    ],
)
def test_the_count_axis_has_whole_numbers(highest: int, top: int, step: int) -> None:
    assert count_axis(highest) == (top, step)
    assert top >= highest and top % step == 0 and top // step <= 8


@pytest.fixture
def desk(tmp_path: Path) -> Iterator[Desk]:
    yield from desk_under(tmp_path)


@pytest.fixture
def window(qtbot: QtBot, desk: Desk) -> Iterator[MainWindow]:
    yield from window_on(qtbot, desk)


def _ticks(axis: QValueAxis) -> list[float]:
    count = axis.tickCount()
    return [axis.min() + (axis.max() - axis.min()) * i / (count - 1) for i in range(count)]


def test_the_chart_counts_small_numbers_in_whole_steps(
    qtbot: QtBot, window: MainWindow, desk: Desk, tmp_path: Path
) -> None:
    desk.record()  # one request: the axis once read 0, 0, 0, 0, 0, 1
    sign_in_as(qtbot, window, "counsel.d")
    window.statistics_action.trigger()
    screen = window.records.statistics
    screen.set_period(dt.date(2026, 2, 1), dt.date(2026, 2, 10))
    click(qtbot, screen.show_button)
    qtbot.waitUntil(lambda: screen.tables is not None and not screen.loading)
    for grouping in ("week", "month", "form", "reason"):
        screen.group_combo.setCurrentIndex(screen.group_combo.findData(grouping))
        [axis] = [a for a in screen.chart.axes() if isinstance(a, QValueAxis)]
        ticks = _ticks(axis)
        assert ticks == [0.0, 1.0], (grouping, ticks)
        assert axis.labelFormat() == "%d"
    screen.group_combo.setCurrentIndex(screen.group_combo.findData("week"))
    for _ in range(2):
        desk.record(**{"subject.booking_number": f"B26-00{_ + 5}"})
    click(qtbot, screen.show_button)
    qtbot.waitUntil(lambda: screen.tables is not None and not screen.loading)
    [axis] = [a for a in screen.chart.axes() if isinstance(a, QValueAxis)]
    assert _ticks(axis) == [0.0, 1.0, 2.0, 3.0]
    window.grab().save(str(tmp_path / "statistics-small-counts.png"))


def _report(**changes: object) -> StatisticsReport:
    columns = stats.COLUMNS
    week = {
        "week of 2026-02-02": (3, 1, 1, 1, 0),
        "week of 2026-02-09": (1, 0, 0, 0, 1),
    }
    rows = tuple(
        CountRow(label, dict(zip(columns, counts, strict=True))) for label, counts in week.items()
    )
    values: dict[str, object] = {
        "period_start": dt.date(2026, 2, 2),
        "period_end": dt.date(2026, 2, 15),
        "columns": columns,
        "by_week": rows,
        "by_form": (CountRow("I-247A", dict(zip(columns, (4, 1, 1, 1, 1), strict=True))),),
        "by_reason": (),
        "totals": dict(zip(columns, (4, 1, 1, 1, 1), strict=True)),
    }
    values.update(changes)
    return StatisticsReport(**values)  # type: ignore[arg-type]


CONTEXT = ReportContext(
    "Columbia River County", "CRC Jail", NOW, "counsel.d", "America/Los_Angeles"
)


def _chart_words(pdf: bytes) -> list[str]:
    page = PdfReader(io.BytesIO(pdf)).pages[0]
    return page.extract_text().split()


def test_the_statistics_pdf_has_a_chart_with_whole_numbers(tmp_path: Path) -> None:
    pdf = render_statistics_pdf(_report(), CONTEXT)
    (tmp_path / "statistics.pdf").write_bytes(pdf)
    text = " ".join(_chart_words(pdf))
    assert "Requests by week (week beginning, month-day), by what is in force now" in text
    assert "02-02" in text and "02-09" in text  # the weeks on the axis
    for name in stats.COLUMNS[1:]:  # the legend names every part of a bar
        assert name in text, name
    # The axis goes 0, 1, 2, 3 (the busiest week had 3): no fractions, no repeated 0.
    words = _chart_words(pdf)
    start = words.index("02-09") + 1
    axis = words[start : words.index("Requests", start)]
    assert axis == ["0", "1", "2", "3"], words
    assert not [w for w in words if w in ("0.5", "1.5", "2.5")]
    subprocess.run(
        [
            "pdftoppm",
            "-png",
            "-r",
            "80",
            "-f",
            "1",
            "-l",
            "1",
            str(tmp_path / "statistics.pdf"),
            str(tmp_path / "statistics"),
        ],
        check=True,
    )


def test_no_chart_without_requests() -> None:
    pdf = render_statistics_pdf(_report(by_week=(), by_form=(), totals={}), CONTEXT)
    text = " ".join(_chart_words(pdf))
    assert "Requests by week (" not in text
    assert "No requests in this period." in text


def test_an_unnamed_county_is_not_printed_as_an_instruction(desk: Desk) -> None:
    settings = read_settings(desk.runtime.uow())
    assert settings.county_name == ""  # nobody entered it
    context = report_context(desk.runtime.uow(), desk.actor("counsel.d"), NOW)
    assert (context.county_name, context.jail_name) == (UNSET_COUNTY, UNSET_JAIL)
    text = " ".join(_chart_words(render_statistics_pdf(_report(), context)))
    assert "Settings" not in text and "administrator" not in text
    # The subtitle names nobody rather than a placeholder; the page header marks the gap.
    assert "(14 days, both included). [" not in text
    assert "[county name not entered]" in text

    save_settings(
        desk.runtime.uow(),
        desk.admin,
        dataclasses.replace(settings, county_name="Columbia River County", jail_name="CRC Jail"),
        NOW,
    )
    context = report_context(desk.runtime.uow(), desk.actor("counsel.d"), NOW)
    text = " ".join(_chart_words(render_statistics_pdf(_report(), context)))
    assert "both included). Columbia River County, CRC Jail." in text
