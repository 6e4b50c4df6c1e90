"""Records › Decision log and the detail view, driven like a supervisor at the keyboard, over
a real store: paging as the view scrolls, sorting by a header click (the same order as the
services), searching and filtering, the background count, and one decision in full."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QTextBrowser
from pytestqt.qtbot import QtBot

from detainer_desk.domain import lifecycle as lc
from detainer_desk.gui.main_window import MainWindow
from detainer_desk.gui.records import DecisionDetailDialog
from detainer_desk.gui.records.log_model import SUBJECT, LogModel
from detainer_desk.runtime import Runtime
from detainer_desk.services import board, records
from detainer_desk.services.access import NotFoundError, PermissionDenied
from detainer_desk.services.ports import Actor, AttachmentIn, DecisionQuery, DecisionSummary

from .helpers import JUDICIAL_WARRANT_POLICY, PEOPLE, request_json, seed_accounts
from .test_gui_records_support import (
    NOW,
    Desk,
    click_header,
    desk_under,
    double_click_row,
    open_detail,
    pdf_bytes,
    png_bytes,
    sign_in_as,
    window_on,
)
from .test_gui_support import trail, type_into

NAMES = [
    *PEOPLE,
    "OKAFOR, Chidi",
    "NGUYEN, Minh",
    "SANTOS, Lia",
    "BROWN, Sam",
    "ALI, Omar",
]


@pytest.fixture
def desk(tmp_path: Path) -> Iterator[Desk]:
    for made in desk_under(tmp_path):
        for n, name in enumerate(NAMES):
            changes: dict[str, object] = {
                "subject.name": name,
                "subject.booking_number": f"B26-{n:04d}",
                "subject.a_number": f"A{200000000 + n}",
                "received_at": (NOW - dt.timedelta(hours=3 * n + 1)).isoformat(),
            }
            if n % 3 == 1:
                changes["documents"] = []  # no warrant at all: notify only
            made.record(by="officer.a" if n % 2 else "sgt.b", **changes)
        yield made


@pytest.fixture
def window(qtbot: QtBot, desk: Desk) -> Iterator[MainWindow]:
    yield from window_on(qtbot, desk)


def _everything(desk: Desk, **query: Any) -> list[int]:
    page = board.log_page(
        desk.runtime.uow(),
        Actor("sgt.b", "W"),
        DecisionQuery(limit=1000, **query),
        NOW,
    )
    return [row.decision_id for row in page.rows]


def _shown(window: MainWindow) -> list[int]:
    return [row.decision_id for row in window.records.log.model.loaded_rows()]


def _fetch_all(qtbot: QtBot, model: LogModel) -> None:
    """Scroll to the end, as it were: every page, one after the other."""
    while model.more_to_come():
        if model.canFetchMore():
            model.fetchMore()
        qtbot.waitUntil(lambda: not model.loading)


def _open_log(qtbot: QtBot, window: MainWindow, page_size: int | None = None) -> None:
    screen = window.records.log
    if page_size is not None:
        screen.model.set_page_size(page_size)
    window.decision_log_action.trigger()
    assert window.content_page.currentWidget() is screen
    qtbot.waitUntil(lambda: screen.model.rowCount() > 0)


def test_the_log_pages_from_sql_as_the_view_scrolls(
    qtbot: QtBot, window: MainWindow, desk: Desk
) -> None:
    sign_in_as(qtbot, window, "sgt.b")
    screen = window.records.log
    screen.table.setFixedHeight(160)  # a few rows visible: the rest comes page by page
    _open_log(qtbot, window, page_size=5)
    model = screen.model

    assert model.pages_fetched >= 1 and model.rowCount() % 5 == 0
    assert model.more_to_come()
    screen.table.setFocus()
    while model.more_to_come():
        before = model.rowCount()
        qtbot.keyClick(screen.table, Qt.Key.Key_End, Qt.KeyboardModifier.ControlModifier)
        qtbot.waitUntil(lambda b=before: model.rowCount() > b or not model.more_to_come())  # type: ignore[misc]  # lambda with defaults
    assert model.pages_fetched == 3  # 5 + 5 + 2 rows, never all at once
    assert _shown(window) == _everything(desk)  # newest first, as the services order it
    qtbot.waitUntil(lambda: screen.total == len(NAMES))
    assert screen.count_label.text() == f"{len(NAMES)} decisions (all shown)"


def test_a_header_click_sorts_in_sql_like_the_services(
    qtbot: QtBot, window: MainWindow, desk: Desk
) -> None:
    sign_in_as(qtbot, window, "sgt.b")
    _open_log(qtbot, window, page_size=4)
    screen = window.records.log
    table = screen.table

    click_header(qtbot, table, SUBJECT)
    qtbot.waitUntil(lambda: screen.model.query.sort == "subject_name")
    _fetch_all(qtbot, screen.model)
    assert table.horizontalHeader().sortIndicatorSection() == SUBJECT
    assert not screen.model.query.descending
    assert _shown(window) == _everything(desk, sort="subject_name", descending=False)
    names = [screen.model.log_row(i).subject_name for i in range(screen.model.rowCount())]
    assert names[0] == "ABARA, Ngozi" and names[-1] == "ZHANG, Wei"

    click_header(qtbot, table, SUBJECT)
    qtbot.waitUntil(lambda: screen.model.query.descending)
    _fetch_all(qtbot, screen.model)
    assert _shown(window) == _everything(desk, sort="subject_name", descending=True)

    for column, key in ((3, "a_number"), (8, "status"), (6, "hold_until")):
        click_header(qtbot, table, column)
        qtbot.waitUntil(lambda k=key: screen.model.query.sort == k)  # type: ignore[misc]  # lambda with defaults
        _fetch_all(qtbot, screen.model)
        assert _shown(window) == _everything(desk, sort=key, descending=False), key


def test_search_and_filters_ask_the_database(qtbot: QtBot, window: MainWindow, desk: Desk) -> None:
    sign_in_as(qtbot, window, "sgt.b")
    _open_log(qtbot, window)
    screen = window.records.log
    model = screen.model

    type_into(qtbot, screen.search_edit, "doe")  # waits for a pause in the typing
    qtbot.waitUntil(lambda: model.rowCount() == 2)
    assert {model.log_row(i).subject_name for i in range(2)} == {"DOE, John", "DOE, Jane"}
    qtbot.waitUntil(lambda: screen.total == 2)

    type_into(qtbot, screen.search_edit, "B26-0005")
    qtbot.keyClick(screen.search_edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: _shown(window) == _everything(desk, search="B26-0005"))
    assert model.log_row(0).subject_name == "KIM, Ji-woo"

    type_into(qtbot, screen.search_edit, "A200000009")
    qtbot.waitUntil(
        lambda: model.rowCount() == 1 and model.log_row(0).subject_name == "SANTOS, Lia"
    )

    screen.search_edit.clear()
    screen.outcome_combo.setCurrentIndex(screen.outcome_combo.findData("notify"))
    qtbot.waitUntil(lambda: model.query.outcome == "notify" and not model.query.search)
    qtbot.waitUntil(lambda: not model.loading)
    assert _shown(window) == _everything(desk, outcome="notify")
    assert {model.log_row(i).outcome for i in range(model.rowCount())} == {"notify"}

    type_into(qtbot, screen.officer_edit, "Officer.A")
    qtbot.waitUntil(lambda: model.query.recorded_by == "officer.a")
    qtbot.waitUntil(lambda: not model.loading)
    assert _shown(window) == _everything(desk, outcome="notify", recorded_by="officer.a")

    click_clear = screen.clear_button
    qtbot.mouseClick(click_clear, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: model.rowCount() == len(NAMES))

    # Received on the 9th only (local dates, the county's zone: Los Angeles).
    screen.from_date.setDate(screen.from_date.date().fromString("2026-02-09", "yyyy-MM-dd"))
    screen.to_date.setDate(screen.to_date.date().fromString("2026-02-09", "yyyy-MM-dd"))
    screen.from_check.setChecked(True)
    screen.to_check.setChecked(True)
    qtbot.waitUntil(lambda: model.query.received_to is not None)
    qtbot.waitUntil(lambda: not model.loading)
    expected = _everything(
        desk, received_from=model.query.received_from, received_to=model.query.received_to
    )
    assert _shown(window) == expected and 0 < len(expected) < len(NAMES)
    for row in model.loaded_rows():
        local = row.received_at.astimezone(screen.zone).date()
        assert local == dt.date(2026, 2, 9)

    screen.status_combo.setCurrentIndex(screen.status_combo.findData(lc.AWAITING_REVIEW))
    qtbot.waitUntil(lambda: model.query.status == lc.AWAITING_REVIEW)
    qtbot.waitUntil(lambda: not model.loading)
    assert model.rowCount() == 0
    qtbot.waitUntil(lambda: screen.count_label.text() == "No decisions match.")


def test_counsel_searches_are_on_the_record(qtbot: QtBot, window: MainWindow, desk: Desk) -> None:
    sign_in_as(qtbot, window, "counsel.d")
    _open_log(qtbot, window)
    screen = window.records.log
    type_into(qtbot, screen.search_edit, "zhang")
    qtbot.waitUntil(lambda: screen.model.rowCount() == 1)
    searches = trail(desk.runtime, desk.admin, action="records.search", user_name="counsel.d")
    # Debounced: one search on the record, not one per letter typed.
    assert [event.target for event in searches] == ["zhang"]


def test_the_detail_view_shows_the_whole_record_in_order(
    qtbot: QtBot, window: MainWindow, desk: Desk, tmp_path: Path
) -> None:
    scans = [
        AttachmentIn("i200.pdf", "application/pdf", pdf_bytes(), 0),
        AttachmentIn("warrant.png", "image/png", png_bytes(), 1),
    ]
    recorded = desk.record(
        by="officer.a",
        attachments=scans,
        **{"subject.name": "ZULU, Zed", "received_at": NOW.isoformat()},
    )
    decision_id = recorded.decision_id
    release = NOW + dt.timedelta(hours=2)
    # Each fact recorded once it has happened (a fact in the future is refused).
    desk.clock.set(release)
    desk.amend(decision_id, lc.RELEASE_ELIGIBLE, effective_at=release)
    desk.amend(decision_id, lc.COUNTERSIGN, by="sgt.c")
    desk.clock.set(release + dt.timedelta(hours=5))
    desk.amend(decision_id, lc.RELEASED, by="sgt.b", effective_at=release + dt.timedelta(hours=5))

    sign_in_as(qtbot, window, "sgt.b")
    _open_log(qtbot, window)
    screen = window.records.log
    assert screen.model.log_row(0).decision_id == decision_id  # received last: first shown
    double_click_row(qtbot, screen.table, 0)
    qtbot.waitUntil(lambda: window.findChild(DecisionDetailDialog) is not None)  # read first
    dialog = window.findChild(DecisionDetailDialog)
    assert dialog is not None
    qtbot.waitUntil(dialog.isVisible)
    assert dialog.decision_id == decision_id
    assert dialog.history_kinds() == [
        "Decision recorded: HOLD",
        "Release eligibility known",
        "Countersigned",
        "Released",
    ]
    assert [e[2] for e in dialog.history_entries] == ["officer.a", "sgt.c", "sgt.c", "sgt.b"]
    request_text = dialog.findChild(QTextBrowser, "detailRequest").toPlainText()
    assert "ZULU, Zed" in request_text and "A098765432" in request_text
    documents = dialog.findChild(QTextBrowser, "detailDocumentList").toPlainText()
    assert "U.S. District Court for the District of Oregon" in documents
    reasons = dialog.findChild(QTextBrowser, "detailReasons").toPlainText()
    assert "Miranda-Olivares" in reasons  # every reason with its citation
    assert "Judicial warrant only" in dialog.policy_text.toPlainText()
    dialog.policy_view_combo.setCurrentIndex(1)
    assert dialog.policy_text.toPlainText() == recorded.policy.text  # the exact stored text

    # The scans, previewed from the record's own bytes.
    dialog.tabs.setCurrentIndex(1)
    dialog.scan_list.setCurrentRow(0)
    qtbot.waitUntil(lambda: dialog.preview.currentWidget() is dialog.pdf_view)
    assert dialog.pdf_document.pageCount() == 1
    dialog.scan_list.setCurrentRow(1)
    qtbot.waitUntil(lambda: dialog.preview.currentWidget() is dialog.image_scroll)
    assert not dialog.image_label.pixmap().isNull()

    # Save audit PDF… (the file name is asked through a seam the test fills in).
    target = tmp_path / "audit"
    dialog.choose_save_path = lambda parent, title, suggested: str(target)
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.saved_path is not None, timeout=20_000)
    saved = Path(str(dialog.saved_path))
    assert saved.name == "audit.pdf" and saved.read_bytes().startswith(b"%PDF")
    printed = trail(desk.runtime, desk.admin, action="decision.print", user_name="sgt.b")
    assert [e.target for e in printed] == [f"decision {decision_id}"]
    dialog.reject()


def test_enter_opens_the_selected_decision(qtbot: QtBot, window: MainWindow) -> None:
    sign_in_as(qtbot, window, "officer.a")
    _open_log(qtbot, window)
    table = window.records.log.table
    table.setFocus()
    table.selectRow(2)
    qtbot.keyClick(table, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: window.findChild(DecisionDetailDialog) is not None)  # read first
    dialog = window.findChild(DecisionDetailDialog)
    assert dialog is not None
    assert dialog.decision_id == window.records.log.model.log_row(2).decision_id
    assert dialog.history_kinds()[0].startswith("Decision recorded")
    dialog.reject()


def test_locking_closes_the_detail_view_and_signing_out_forgets_the_log(
    qtbot: QtBot, window: MainWindow
) -> None:
    sign_in_as(qtbot, window, "sgt.b")
    _open_log(qtbot, window)
    dialog = open_detail(qtbot, window, window.records.log.model.log_row(0).decision_id)
    assert isinstance(dialog, QDialog) and dialog.isVisible()
    window.lock(idle=False)
    qtbot.waitUntil(lambda: not dialog.isVisible())
    assert window.records.log.model.rowCount() > 0  # kept behind the lock screen
    window.sign_out()
    assert window.records.log.model.rowCount() == 0
    assert window.records.log.count_label.text() == ""
    # Another user signs in: nothing of the last one's view is left. Counsel starts on
    # the log (their start screen), read afresh under their own name.
    sign_in_as(qtbot, window, "counsel.d")
    assert window.content_page.currentWidget() is window.records.log
    assert not window.records.log.stale
    qtbot.waitUntil(lambda: window.records.log.model.rowCount() > 0)


def test_a_scan_is_served_only_with_its_own_decision(desk: Desk) -> None:
    scans = [AttachmentIn("i200.pdf", "application/pdf", pdf_bytes(), 0)]
    with_scan = desk.record(attachments=scans, **{"subject.name": "ZULU, Zed"})
    other = desk.record(**{"subject.name": "YORK, Yan"})
    attachment_id = with_scan.attachments[0].id
    reader = desk.actor("counsel.d")
    content = board.attachment_content(
        desk.runtime.uow(), reader, with_scan.decision_id, attachment_id, NOW
    )
    assert content == scans[0].content
    with pytest.raises(NotFoundError, match="has no attachment"):
        board.attachment_content(desk.runtime.uow(), reader, other.decision_id, attachment_id, NOW)
    with pytest.raises(PermissionDenied):
        board.attachment_content(
            desk.runtime.uow(), desk.admin, with_scan.decision_id, attachment_id, NOW
        )


def test_the_background_count_goes_in_short_steps_and_adds_up(desk: Desk) -> None:
    reader = desk.actor("counsel.d")
    uow = desk.runtime.uow
    day = dt.timedelta(days=1)
    for query in (
        DecisionQuery(),
        DecisionQuery(outcome="notify"),
        DecisionQuery(recorded_by="officer.a", received_from=NOW - day, received_to=NOW),
        DecisionQuery(search="doe"),
        DecisionQuery(received_from=NOW + day),
    ):
        expected = board.log_count(uow(), reader, query, NOW)
        steps = list(
            board.log_count_stepwise(uow, reader, query, NOW, window=dt.timedelta(hours=2))
        )
        assert steps[-1] == expected, query
        assert steps == sorted(steps)  # running totals
    assert len(list(board.log_count_stepwise(uow, reader, DecisionQuery(), NOW, window=day))) == 2
    # Stopped when no longer wanted (a newer query came): no more steps are taken.
    assert (
        list(board.log_count_stepwise(uow, reader, DecisionQuery(), NOW, cancelled=lambda: True))
        == []
    )
    searches = trail(desk.runtime, desk.admin, action="records.search", user_name="counsel.d")
    assert searches == []  # counting is not searching: nothing for counsel's record


def test_broad_searches_and_filters_page_like_narrow_ones(db_runtime: Runtime) -> None:
    """A name or filter shared by most decisions is answered by walking the received-time
    index (the repository decides); the pages must be exactly those of a full sort, on
    SQLite and on PostgreSQL."""
    seed_accounts(db_runtime.uow(), NOW)
    records.activate_policy(
        db_runtime.uow(), JUDICIAL_WARRANT_POLICY, "p.toml", Actor("admin", "W"), NOW
    )
    for n in range(90):
        name = f"DOE, {'Joan' if n % 3 else 'Ann'}" if n < 80 else f"ROE, Ray {n}"
        changes = {
            "subject.name": name,
            "subject.booking_number": f"B26-{n:04d}",
            "received_at": (NOW - dt.timedelta(minutes=7 * n + 1)).isoformat(),
            **({"documents": []} if n % 4 == 0 else {}),
        }
        records.record_decision(
            db_runtime.uow(), request_json(**changes), "r", [], Actor("officer.a", "W"), NOW
        )
    reader = Actor("sgt.b", "W")
    with db_runtime.uow() as uow:  # the walking path is taken for "doe", not "roe"
        store: Any = uow.records  # the SQL store, whose search planner is not a port
        plan = store.plan
        assert plan.broad_search("doe") and not plan.broad_search("roe")
        walks = plan.walk_in_received_order
        assert walks(DecisionQuery(outcome="hold")) and not walks(DecisionQuery(outcome="notify"))
        assert not walks(DecisionQuery(outcome="hold", sort="form"))
    everything = board.log_page(db_runtime.uow(), reader, DecisionQuery(limit=500), NOW).rows

    def matches(row: DecisionSummary, search: str | None, filters: dict[str, Any]) -> bool:
        tokens = row.subject_name.casefold().replace(",", " ").split()
        named = search is None or all(any(t.startswith(w) for t in tokens) for w in search.split())
        return named and all(getattr(row, key) == value for key, value in filters.items())

    cases: list[tuple[str | None, bool, dict[str, Any]]] = [
        ("doe", True, {}),
        ("doe", False, {}),
        ("doe jo", True, {}),
        ("doe", True, {"outcome": "notify"}),
        (None, True, {"outcome": "hold"}),
        (None, False, {"status": lc.AWAITING_COUNTERSIGN}),
        ("doe", True, {"recorded_by": "officer.a", "outcome": "hold"}),
    ]
    for search, descending, filters in cases:
        ordered = everything if descending else list(reversed(everything))
        expected = [r.decision_id for r in ordered if matches(r, search, filters)]
        paged: list[int] = []
        after = None
        while True:
            query = DecisionQuery(
                search=search, descending=descending, limit=7, after=after, **filters
            )
            page = board.log_page(db_runtime.uow(), reader, query, NOW)
            paged += [row.decision_id for row in page.rows]
            if page.next_after is None:
                break
            after = page.next_after
        assert paged == expected, (search, descending, filters)
        count = board.log_count(
            db_runtime.uow(), reader, DecisionQuery(search=search, **filters), NOW
        )
        assert count == len(expected)


def _type_any_letters(qtbot: QtBot, edit, text: str) -> None:
    """Typing as a keyboard with accented keys does (QTest's own key clicks know ASCII only):
    one key press carrying each character's text."""
    from PySide6.QtGui import QKeyEvent
    from PySide6.QtWidgets import QApplication

    edit.clear()
    edit.setFocus()
    for ch in text:
        for kind in (QKeyEvent.Type.KeyPress, QKeyEvent.Type.KeyRelease):
            QApplication.sendEvent(
                edit, QKeyEvent(kind, Qt.Key.Key_unknown, Qt.KeyboardModifier.NoModifier, ch)
            )
    assert edit.text() == text


def test_the_log_search_folds_accents_and_capitals_both_ways(
    qtbot: QtBot, window: MainWindow, desk: Desk
) -> None:
    """Issue 16: typing "rodríguez" found nothing where "rodriguez" found every Rodriguez."""
    for n, name in enumerate(("RODRÍGUEZ, Ana", "Rodriguez, Luis", "RODRIGUES, Bo")):
        desk.record(
            **{
                "subject.name": name,
                "subject.booking_number": f"R-{n}",
                "received_at": (NOW - dt.timedelta(minutes=10 + n)).isoformat(),
            }
        )
    sign_in_as(qtbot, window, "sgt.b")
    _open_log(qtbot, window)
    screen = window.records.log
    model = screen.model
    for typed in ("rodríguez", "RODRIGUEZ", "Rodríguez ana", "rodriguez luis"):
        _type_any_letters(qtbot, screen.search_edit, typed)
        wanted = (
            {"RODRÍGUEZ, Ana", "Rodriguez, Luis"}
            if len(typed.split()) == 1
            else {"RODRÍGUEZ, Ana" if "ana" in typed else "Rodriguez, Luis"}
        )
        qtbot.waitUntil(
            lambda wanted=wanted: (  # type: ignore[misc]  # lambda with defaults
                {model.log_row(i).subject_name for i in range(model.rowCount())} == wanted
            )
        )
