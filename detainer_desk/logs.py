"""The log file: a rotating file in the data folder (``logs/detainer-desk.log``).

It keeps warnings and errors with their tracebacks for whoever looks after the program.
Passwords and request contents are never logged; user errors are shown, not logged.
The files are readable by their owner only (0600), like everything in the data folder.
"""

from __future__ import annotations

import io
import logging
import logging.handlers
import os
from pathlib import Path

LOG_FILE_NAME = "detainer-desk.log"
MAX_BYTES = 1_000_000
BACKUPS = 5
_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(process)d] %(message)s"


class _OneLineFormatter(logging.Formatter):
    """A record's message on one line, control characters escaped: a name or file name in a
    message cannot forge a line of the log or drive the terminal someone reads it on. (A
    traceback below the message keeps its own lines.)"""

    def formatMessage(self, record: logging.LogRecord) -> str:
        from detainer_desk.domain.text import visible

        record.message = visible(record.message)
        return super().formatMessage(record)


class PrivateLogFile(logging.handlers.RotatingFileHandler):
    """A rotating log whose files are created 0600 (rotation renames them, keeping that)."""

    def _open(self) -> io.TextIOWrapper:
        flags = os.O_WRONLY | os.O_CREAT | os.O_APPEND | getattr(os, "O_NOFOLLOW", 0)
        fd = os.open(self.baseFilename, flags, 0o600)
        if os.name == "posix":
            os.fchmod(fd, 0o600)
        return open(fd, "a", encoding=self.encoding, errors=self.errors)


def configure_logging(log_dir: Path, level: int = logging.INFO) -> Path | None:
    """Send the program's log records to a rotating file; returns its path, or None when
    the folder cannot be written (the program then runs without a log file)."""
    root = logging.getLogger("detainer_desk")
    target = log_dir / LOG_FILE_NAME
    for handler in root.handlers[:]:
        if isinstance(handler, logging.handlers.RotatingFileHandler):
            if Path(handler.baseFilename) == target:
                return target
            # One log file per process: the data folder it belongs to is the one in use.
            root.removeHandler(handler)
            handler.close()
    try:
        from detainer_desk.adapters.files import make_private_folder

        make_private_folder(log_dir, parents=True)
        handler = PrivateLogFile(
            target, maxBytes=MAX_BYTES, backupCount=BACKUPS, encoding="utf-8", delay=True
        )
    except OSError:
        return None
    handler.setFormatter(_OneLineFormatter(_FORMAT))
    root.addHandler(handler)
    root.setLevel(level)
    return target


def current_log_file() -> Path | None:
    for handler in logging.getLogger("detainer_desk").handlers:
        if isinstance(handler, logging.handlers.RotatingFileHandler):
            return Path(handler.baseFilename)
    return None
