"""The window on the screen staff have: sized from the screen on the first start, opened
where it was closed (per workstation, in the data folder), brought back onto a screen
when the one it was on is gone; columns as wide as their words; the log's sort arrow
pointing the way the list runs. The same checks at 1.25, 1.5 and 2.0 run in a process of
their own per scale factor (tests/test_gui_scaling.py)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QRect, QSize
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QApplication, QTableView
from pytestqt.qtbot import QtBot

from detainer_desk.gui.backend import Backend
from detainer_desk.gui.fit import available_area
from detainer_desk.gui.main_window import MainWindow
from detainer_desk.gui.records.log_model import RECEIVED, SUBJECT
from detainer_desk.gui.workstation import FILE_NAME, first_placement, inside
from detainer_desk.runtime import Runtime

from .test_gui_records_support import (
    Desk,
    click_header,
    desk_under,
    sign_in_as,
    window_on,
)
from .test_gui_support import WORKSTATION, store_under


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Runtime]:
    yield from store_under(tmp_path)


def _window(qtbot: QtBot, store: Runtime, *, placed: bool = True) -> MainWindow:
    window = MainWindow(Backend.from_runtime(store, WORKSTATION))
    qtbot.addWidget(window)
    with qtbot.waitExposed(window):
        if placed:
            window.show_placed()
        else:
            window.show()
    return window


def _within(rect: QRect, area: QRect) -> bool:
    return area.contains(rect.topLeft()) and area.contains(rect.bottomRight())


# -- where the window opens ----------------------------------------------------------------


def test_the_first_start_sizes_the_window_from_the_screen() -> None:
    # A desktop monitor: the roomy size, centred.
    desktop = QRect(0, 0, 1920, 1040)
    rect, maximised = first_placement(desktop)
    assert not maximised
    assert rect.size() == QSize(1280, 800) and rect.center() == desktop.center()
    # A 1366x768 laptop (a task bar takes 40 px), and the same screen at 150 % and 200 %:
    # maximised, and un-maximised it still fits.
    for area in (QRect(0, 0, 1366, 728), QRect(0, 0, 911, 485), QRect(0, 0, 683, 364)):
        rect, maximised = first_placement(area)
        assert maximised, area
        assert _within(rect, area), (rect, area)


def test_the_first_window_fits_the_screen_it_opens_on(qtbot: QtBot, store: Runtime) -> None:
    window = _window(qtbot, store)
    area = available_area(window)
    assert window.isMaximized()  # the test screen (800x800) is smaller than 1280x800
    assert window.frameGeometry().width() <= area.width()
    assert window.frameGeometry().height() <= area.height()
    assert _within(window.normalGeometry(), area)
    window.close()


def test_the_window_opens_where_it_was_closed(qtbot: QtBot, store: Runtime) -> None:
    window = _window(qtbot, store)
    window.showNormal()
    window.setGeometry(40, 50, 620, 430)
    qtbot.waitUntil(lambda: window.geometry() == QRect(40, 50, 620, 430))
    window.close()
    settings = store.paths.data_dir / FILE_NAME
    assert settings.is_file()
    assert settings.stat().st_mode & 0o777 == 0o600

    again = _window(qtbot, store)
    assert not again.isMaximized()
    assert again.geometry() == QRect(40, 50, 620, 430)
    again.showMaximized()
    qtbot.waitUntil(again.isMaximized)
    again.close()

    # Maximised last time: maximised again (Qt restores the state with the place).
    third = _window(qtbot, store, placed=False)
    assert third.isMaximized()
    third.close()


def test_a_window_whose_screen_is_gone_comes_back_on_screen(qtbot: QtBot, store: Runtime) -> None:
    """Closed on a second monitor that has since been unplugged (far right of this one),
    or larger than the screen now is: the next start puts it whole on a screen."""
    window = _window(qtbot, store)
    window.showNormal()
    window.setGeometry(2600, 1900, 1500, 1000)
    qtbot.waitUntil(lambda: window.geometry().x() == 2600)
    window.close()

    again = _window(qtbot, store)
    area = available_area(again)
    assert _within(again.frameGeometry(), area), (again.frameGeometry(), area)
    again.close()


def test_inside_moves_and_shrinks_a_rectangle_onto_an_area() -> None:
    area = QRect(0, 0, 1366, 728)
    assert inside(QRect(100, 100, 600, 400), area) == QRect(100, 100, 600, 400)
    assert inside(QRect(3000, 50, 600, 400), area) == QRect(766, 50, 600, 400)
    assert inside(QRect(-900, -20, 2000, 900), area) == QRect(0, 0, 1366, 728)


# -- columns and the sort arrow -----------------------------------------------------------


@pytest.fixture
def desk(tmp_path: Path) -> Iterator[Desk]:
    yield from desk_under(tmp_path)


@pytest.fixture
def window(qtbot: QtBot, desk: Desk) -> Iterator[MainWindow]:
    yield from window_on(qtbot, desk)


def _arrow_rows(table: QTableView, column: int) -> list[int]:
    """How many dark pixels each row of the sort arrow has, top to bottom, as drawn."""
    header = table.horizontalHeader()
    image: QImage = header.grab().toImage()
    left = header.sectionViewportPosition(column)
    right = left + header.sectionSize(column)
    # The arrow sits at the section's right end, after the heading's words.
    words = header.fontMetrics().horizontalAdvance(
        str(table.model().headerData(column, header.orientation()))
    )
    start = left + (header.sectionSize(column) + words) // 2 + 2
    rows = []
    for y in range(image.height()):
        dark = sum(1 for x in range(start, right - 1) if image.pixelColor(x, y).lightness() < 110)
        if dark:
            rows.append(dark)
    return rows


def test_the_sort_arrow_points_the_way_the_list_runs(
    qtbot: QtBot, window: MainWindow, desk: Desk
) -> None:
    for name in ("NGUYEN, Minh", "ABARA, Ngozi", "ZHANG, Wei"):
        desk.record(**{"subject.name": name})
    sign_in_as(qtbot, window, "sgt.b")
    assert window.records.show_log()
    screen = window.records.log
    qtbot.waitUntil(lambda: screen.model.rowCount() == 3)
    table = screen.table
    assert screen.model.query.descending  # newest first
    rows = _arrow_rows(table, RECEIVED)
    assert len(rows) >= 3 and rows[0] > rows[-1], rows  # ▼: wide at the top

    click_header(qtbot, table, SUBJECT)
    qtbot.waitUntil(lambda: screen.model.query.sort == "subject_name")
    assert not screen.model.query.descending  # A to Z
    QApplication.processEvents()
    rows = _arrow_rows(table, SUBJECT)
    assert len(rows) >= 3 and rows[0] < rows[-1], rows  # ▲: wide at the bottom
    qtbot.waitUntil(lambda: screen.model.rowCount() == 3)
    names = [screen.model.log_row(i).subject_name for i in range(3)]
    assert names == sorted(names)


def test_the_log_columns_are_as_wide_as_their_words(
    qtbot: QtBot, window: MainWindow, desk: Desk
) -> None:
    desk.record(**{"subject.name": "GUTIERREZ, Seo-yeon"})
    sign_in_as(qtbot, window, "sgt.b")
    window.records.show_log()
    screen = window.records.log
    qtbot.waitUntil(lambda: screen.model.rowCount() == 1)
    table = screen.table
    header = table.horizontalHeader()
    metrics = table.fontMetrics()
    for column in range(header.count()):
        assert header.sectionSize(column) >= header.sectionSizeFromContents(column).width()
        text = str(screen.model.index(0, column).data())
        assert header.sectionSize(column) >= metrics.horizontalAdvance(text), (column, text)


def test_a_damaged_or_unwritable_settings_file_never_stops_the_window(
    qtbot: QtBot, store: Runtime
) -> None:
    settings = store.paths.data_dir / FILE_NAME
    settings.write_bytes(b"[window]\ngeometry=@ByteArray(\\x01\\x02 not a geometry)\n\xff\xfe")
    window = _window(qtbot, store)
    area = available_area(window)
    assert _within(window.normalGeometry(), area)  # the first start's placement instead
    window.close()

    settings.write_text("[window]\ngeometry=99999\n[notices]\ndismissed=7\n", encoding="utf-8")
    window = _window(qtbot, store)
    assert _within(window.normalGeometry(), area)
    assert not window.workstation.is_dismissed("anything")
    # A settings file that cannot be written (a folder stands in its place): the place is
    # not kept, and closing works all the same.
    settings.unlink()
    settings.mkdir()
    window.close()
    assert settings.is_dir() and not window.isVisible()
