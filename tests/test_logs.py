"""The log file, and how the program reports a fault of its own."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from detainer_desk.logs import LOG_FILE_NAME, configure_logging


@pytest.fixture
def clean_logging():
    root = logging.getLogger("detainer_desk")
    before = list(root.handlers)
    yield
    for handler in root.handlers[:]:
        if handler not in before:
            handler.close()
            root.removeHandler(handler)


def test_a_bug_in_a_command_is_logged_and_told_briefly(
    tmp_path: Path, run_cli, monkeypatch, clean_logging
) -> None:
    from detainer_desk.services import checkpoints

    def broken(*args, **kwargs):
        raise RuntimeError("the verifier broke")

    # verify checks the whole store and the installation's last checkpoint (issue 14)
    monkeypatch.setattr(checkpoints, "verify_record", broken)
    result = run_cli("--data-dir", str(tmp_path), "verify")
    assert result.code == 1
    assert "Unexpected error (a fault in Detainer Desk" in result.err
    assert "Traceback" not in result.err
    log_file = tmp_path / "logs" / LOG_FILE_NAME
    assert str(log_file) in result.err
    text = log_file.read_text("utf-8")
    assert "RuntimeError: the verifier broke" in text and "Traceback" in text


def test_an_unwritable_log_folder_is_not_fatal(tmp_path: Path, clean_logging) -> None:
    blocker = tmp_path / "logs"
    blocker.write_text("a file where the folder should be")
    assert configure_logging(blocker) is None


def test_configuring_twice_adds_one_handler(tmp_path: Path, clean_logging) -> None:
    first = configure_logging(tmp_path / "logs")
    second = configure_logging(tmp_path / "logs")
    assert first == second
    handlers = [
        h for h in logging.getLogger("detainer_desk").handlers if getattr(h, "baseFilename", None)
    ]
    assert len(handlers) == 1


def test_a_logged_name_cannot_forge_a_line_of_the_log(tmp_path: Path, clean_logging) -> None:
    """Messages name files and people; their control characters are written as escapes
    (issue 14), while a traceback keeps its lines."""
    configure_logging(tmp_path)
    log = logging.getLogger("detainer_desk.test")
    log.warning("no preview of %s", "scan\x1b[2J\n2026-01-01 00:00:00 ERROR forged.pdf")
    try:
        raise ValueError("boom")
    except ValueError:
        log.exception("a fault")
    for handler in logging.getLogger("detainer_desk").handlers:
        handler.flush()
    lines = (tmp_path / LOG_FILE_NAME).read_text("utf-8").splitlines()
    assert "no preview of scan\\u001b[2J\\u000a2026-01-01 00:00:00 ERROR forged.pdf" in lines[0]
    assert not any(line.startswith("2026-01-01 00:00:00 ERROR") for line in lines)
    assert "Traceback (most recent call last):" in lines and lines[-1] == "ValueError: boom"
