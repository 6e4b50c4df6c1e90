"""Reading a file the user names, within a bound (writing one: ``adapters.files``).

A request, policy, checkpoint or scan is read whole into memory, so how much is read must be
bounded whatever the name points at: ``/dev/zero`` or ``/dev/urandom`` never end, a FIFO may
never be written to, and a huge file is a wrong file. A device, socket or folder is refused
before anything is read; a regular file larger than the limit is refused by its size; a pipe
(``<(...)`` on the command line) is read up to the limit and refused beyond it.
"""

from __future__ import annotations

import contextlib
import os
import stat
from pathlib import Path

from detainer_desk.domain.limits import size_words
from detainer_desk.domain.text import visible

CHUNK = 1 << 20


class FileRefused(Exception):
    """The file cannot be used: ``str()`` is "PATH: why", ``reason`` the why alone."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.reason = message.split(": ", 1)[1] if ": " in message else message


def read_limited(path: str | Path, limit: int, what: str) -> bytes:
    """The bytes of the ``what`` file at ``path`` (at most ``limit`` of them), or
    FileRefused."""
    shown = visible(str(path))
    flags = os.O_RDONLY | getattr(os, "O_BINARY", 0) | getattr(os, "O_NONBLOCK", 0)
    try:
        fd = os.open(path, flags)
    except FileNotFoundError:
        raise FileRefused(f"{shown}: the {what} file does not exist") from None
    except IsADirectoryError:
        raise FileRefused(f"{shown}: is a folder, not a {what} file") from None
    except PermissionError:
        if os.path.isdir(path):  # Windows opens no folder
            raise FileRefused(f"{shown}: is a folder, not a {what} file") from None
        raise FileRefused(f"{shown}: permission denied reading the {what} file") from None
    except OSError as exc:
        raise FileRefused(f"{shown}: the {what} file cannot be read ({exc.strerror})") from None
    try:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            raise FileRefused(f"{shown}: is a folder, not a {what} file")
        if not (stat.S_ISREG(info.st_mode) or stat.S_ISFIFO(info.st_mode)):
            raise FileRefused(f"{shown}: is a device or another special file, not a {what} file")
        if info.st_size > limit:
            raise FileRefused(_too_large(shown, what, info.st_size, limit))
        _blocking(fd)
        chunks: list[bytes] = []
        read = 0
        while read <= limit:
            chunk = os.read(fd, min(CHUNK, limit + 1 - read))
            if not chunk:
                break
            chunks.append(chunk)
            read += len(chunk)
        if read > limit:
            raise FileRefused(_too_large(shown, what, None, limit))
        return b"".join(chunks)
    except OSError as exc:
        raise FileRefused(f"{shown}: the {what} file cannot be read ({exc.strerror})") from None
    finally:
        os.close(fd)


def _too_large(shown: str, what: str, size: int | None, limit: int) -> str:
    how_big = f"is {size:,} bytes" if size is not None else f"holds more than {size_words(limit)}"
    return f"{shown}: the {what} file {how_big}; a {what} file may be at most {size_words(limit)}"


def _blocking(fd: int) -> None:
    """Reads wait for a pipe's writer again (the file was opened without waiting, so that
    opening a FIFO nobody writes to could not hang)."""
    with contextlib.suppress(ImportError):
        import fcntl

        flags = fcntl.fcntl(fd, fcntl.F_GETFL)
        fcntl.fcntl(fd, fcntl.F_SETFL, flags & ~os.O_NONBLOCK)
