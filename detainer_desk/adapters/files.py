"""Every file the program writes outside its database: private, complete or absent, and never
written through a link. One helper for the command line and the window alike.

The records are criminal-justice information, and so is every report, notice, export,
checkpoint and backup made of them. So each output is

* **private**: created readable and writable by the account running the program only
  (0600; folders 0700), whatever the umask says;
* **complete or absent**: written to a hidden temporary file beside the target
  (``.NAME.partial-XXXXXXXX``), flushed to the disk, then renamed into place, so a crash,
  a full disk or a kill never leaves a half file under the name asked for. A temporary
  file left by a process that was killed is removed at the next run (see
  :class:`PartialJournal`);
* **never through a link**: the temporary file is created new (``O_EXCL``, and
  ``O_NOFOLLOW`` where the system has it), and the rename replaces a directory entry; it
  does not follow one. A target that is a symbolic link, a device, a FIFO or a folder is
  refused, even with ``--force``;
* **replaced only on purpose**: an existing file is replaced only when asked (``--force``,
  or the window's save dialog, which asks itself), only when it is a regular file, and
  only when it is of the kind being written (a PDF over a PDF, a backup over a backup), so
  a slip of the keyboard cannot replace ``/etc/passwd`` or a document of another kind.

On Windows the mode bits mean little: the data folder sits in the user's profile, whose
access list already admits only that user, the system and administrators (see README).
"""

from __future__ import annotations

import contextlib
import errno
import json
import logging
import os
import secrets
import shutil
import stat
import sys
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path, PurePosixPath
from types import TracebackType
from typing import BinaryIO

from detainer_desk.services.access import StorageError

log = logging.getLogger("detainer_desk.files")

PRIVATE_FILE = 0o600
PRIVATE_FOLDER = 0o700
PARTIAL_MARK = ".partial-"
POSIX = os.name == "posix"
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_CLOEXEC = getattr(os, "O_CLOEXEC", 0)
_BINARY = getattr(os, "O_BINARY", 0)
_NONBLOCK = getattr(os, "O_NONBLOCK", 0)
SQLITE_COMPANIONS = ("-journal", "-wal", "-shm")

# What an existing file must start with to be replaced by a file of the same kind.
Kind = Callable[[bytes], bool]


def pdf_kind(head: bytes) -> bool:
    return head.startswith(b"%PDF-")


def sqlite_kind(head: bytes) -> bool:
    return head.startswith(b"SQLite format 3\x00")


def json_kind(head: bytes) -> bool:
    return head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"{")


KIND_WORDS: dict[Kind, str] = {
    pdf_kind: "a PDF",
    sqlite_kind: "a Detainer Desk backup",
    json_kind: "a request file",
}


class OutputError(StorageError):
    """An output cannot be written where asked; the message says why in plain words."""


class OutputExists(OutputError):
    """The target exists and replacing it was not asked for."""

    def __init__(self, target: Path) -> None:
        super().__init__(f"{target} already exists; nothing was overwritten")
        self.target = target


def _reason(exc: OSError) -> str:
    if exc.errno == errno.ENOSPC:
        return "the disk is full"
    if exc.errno in (errno.EACCES, errno.EPERM):
        return "permission denied"
    if exc.errno == errno.EROFS:
        return "the disk is read-only"
    if exc.errno == errno.ENOENT:
        return "its folder does not exist"
    if exc.errno == errno.ENOTDIR:
        return "part of the path is a file, not a folder"
    if exc.errno == errno.ELOOP:
        return "it is a symbolic link"
    return (exc.strerror or str(exc)).lower()


def cannot_write(target: Path, exc: OSError) -> OutputError:
    return OutputError(f"{target} cannot be written: {_reason(exc)}")


# -- what may stand at a target --------------------------------------------------------------


def check_target(target: Path, *, replace: bool, kind: Kind | None = None) -> bool:
    """Whether ``target`` exists (and may be replaced); OutputError when it may not be.

    A link, device, FIFO, socket or folder is never replaced; a regular file only when
    ``replace`` is asked for and, given ``kind``, only when it is of that kind.
    """
    try:
        found = os.lstat(target)
    except FileNotFoundError:
        return False
    except OSError as exc:
        raise cannot_write(target, exc) from None
    what = _file_type(found.st_mode)
    if what is not None:
        raise OutputError(
            f"{target} is {what}: Detainer Desk writes only new files or replaces a regular "
            "file, and never writes through a link; give another name"
        )
    if not replace:
        raise OutputExists(target)
    if kind is not None and not kind(_head(target)):
        words = KIND_WORDS.get(kind, "a file of the kind being written")
        raise OutputError(
            f"{target} is not {words}: it is not replaced (only {words} can be replaced "
            "by another); give another name"
        )
    return True


def _file_type(mode: int) -> str | None:
    """Words for what is not a regular file (None: a regular file)."""
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISLNK(mode):
        return "a symbolic link"
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


def _head(target: Path, size: int = 32) -> bytes:
    try:
        fd = os.open(target, os.O_RDONLY | _NOFOLLOW | _NONBLOCK | _CLOEXEC | _BINARY)
    except OSError:
        return b""
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            return b""
        return os.read(fd, size)
    except OSError:
        return b""
    finally:
        os.close(fd)


# -- creating private things -----------------------------------------------------------------


def create_private_file(path: Path) -> int:
    """A new file at ``path`` (never an existing one, never through a link), 0600; its
    descriptor, open for writing."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW | _CLOEXEC | _BINARY
    fd = os.open(path, flags, PRIVATE_FILE)
    if POSIX:
        try:
            os.fchmod(fd, PRIVATE_FILE)  # the umask can only take bits away; be exact
        except OSError:
            os.close(fd)
            raise
    return fd


def make_private_folder(folder: Path, *, parents: bool = False) -> bool:
    """Create ``folder`` 0700 (True), or leave an existing one as it is (False): a folder
    the user chose (their Documents) is theirs to set."""
    try:
        os.lstat(folder)
    except FileNotFoundError:
        pass
    else:
        if not os.path.isdir(folder):
            raise FileExistsError(errno.EEXIST, "a file stands where a folder should", str(folder))
        return False
    if parents and not folder.parent.exists():
        make_private_folder(folder.parent, parents=True)
    try:
        folder.mkdir(PRIVATE_FOLDER)
    except FileExistsError:
        return False
    if POSIX:
        os.chmod(folder, PRIVATE_FOLDER)
    return True


def write_private_file(path: Path, data: bytes) -> None:
    """A small new private file (an identifier, a key), written whole or not at all."""
    with PendingFile(path) as handle:
        handle.write(data)


def fsync_folder(folder: Path) -> None:
    if not POSIX:
        return
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY | _CLOEXEC)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _partial_name(target: Path) -> Path:
    return target.with_name(f".{target.name}{PARTIAL_MARK}{secrets.token_hex(4)}")


def _no_clobber_rename(partial: Path, target: Path) -> None:
    """Put ``partial`` at ``target`` unless something is there by then (FileExistsError)."""
    if not POSIX:
        os.rename(partial, target)  # Windows: refuses an existing target by itself
        return
    try:
        os.link(partial, target)  # atomic: fails if anything, even a link, is at target
    except FileExistsError:
        raise
    except OSError as exc:
        if exc.errno not in (errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EMLINK):
            raise
        # A file system without hard links (FAT on a USB stick): check, then rename.
        if os.path.lexists(target):
            raise FileExistsError(errno.EEXIST, "exists", str(target)) from None
        os.rename(partial, target)
        return
    os.unlink(partial)


# -- the journal of outputs in progress -------------------------------------------------------


class PartialJournal:
    """Which temporary outputs are being written, so that those of a killed process are
    removed at the next run (of any command, or the window).

    Each output in progress has an entry in the data folder's ``partial-outputs/``: a small
    file naming the temporary file or folder, held locked by the writing process for as
    long as it writes. The lock goes with the process, however it ends; an entry whose lock
    can be taken belongs to a process that is gone, and what it names is removed.
    """

    FOLDER = "partial-outputs"

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    @classmethod
    def in_data_dir(cls, data_dir: Path) -> PartialJournal:
        return cls(data_dir / cls.FOLDER)

    def register(self, partial: Path, *, folder: bool = False) -> _Entry | None:
        """Note ``partial`` as being written by this process (None: no journal could be
        kept here, and the output goes ahead without one)."""
        name = f"{os.getpid()}-{secrets.token_hex(6)}"
        entry = self.folder / f"{name}.json"
        # POSIX: written under a hidden name, then renamed, so a cleaner never reads a half
        # entry. Windows cannot rename a file held open: the entry is written in place.
        writing = self.folder / f".{name}.new" if POSIX else entry
        try:
            make_private_folder(self.folder, parents=True)
            fd = create_private_file(writing)
        except OSError as exc:
            log.warning("outputs in progress cannot be noted in %s (%s)", self.folder, exc)
            return None
        try:
            _lock(fd)
            record = {"path": str(partial), "folder": folder, "pid": os.getpid()}
            os.write(fd, json.dumps(record).encode())
            os.fsync(fd)
            if writing != entry:
                os.rename(writing, entry)
        except OSError as exc:
            os.close(fd)
            with contextlib.suppress(OSError):
                writing.unlink()
            log.warning("outputs in progress cannot be noted in %s (%s)", self.folder, exc)
            return None
        return _Entry(entry, fd)

    def clean(self) -> list[Path]:
        """Remove what processes that are gone left behind; returns what was removed."""
        removed: list[Path] = []
        try:
            entries = sorted([*self.folder.glob("*.json"), *self.folder.glob(".*.new")])
        except OSError:
            return removed
        for entry in entries:
            with contextlib.suppress(OSError, ValueError, KeyError, TypeError):
                gone = _stale(entry)
                if gone is not None:
                    removed.extend(gone)
        return removed


class _Entry:
    def __init__(self, path: Path, fd: int) -> None:
        self.path, self.fd = path, fd

    def done(self) -> None:
        with contextlib.suppress(OSError):
            self.path.unlink()
        with contextlib.suppress(OSError):
            os.close(self.fd)


def _lock(fd: int) -> None:
    if POSIX:
        import fcntl

        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    # Windows: an open file cannot be deleted, which is the test used in _stale().


def _stale(entry: Path) -> list[Path] | None:
    """What a gone process left (removed now), or None while its writer lives."""
    if POSIX:
        import fcntl

        fd = os.open(entry, os.O_RDWR | _NOFOLLOW | _CLOEXEC)
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                return None  # its writer is alive
            text = os.read(fd, 65536)
            removed = _remove_partial(text)
            entry.unlink()
            return removed
        finally:
            os.close(fd)
    text = entry.read_bytes()
    try:
        entry.unlink()  # fails while the writer holds it open
    except PermissionError:
        return None
    return _remove_partial(text)


def _remove_partial(text: bytes) -> list[Path]:
    if not text.strip():
        return []  # its writer ended before it named anything: nothing was made
    record = json.loads(text)
    partial = Path(str(record["path"]))
    if PARTIAL_MARK not in partial.name or not partial.name.startswith("."):
        return []  # only ever a temporary name of ours
    removed: list[Path] = []
    try:
        found = os.lstat(partial)
    except FileNotFoundError:
        found = None
    if found is not None:
        if record.get("folder") and stat.S_ISDIR(found.st_mode):
            shutil.rmtree(partial)
            removed.append(partial)
        elif stat.S_ISREG(found.st_mode):
            partial.unlink()
            removed.append(partial)
    for suffix in SQLITE_COMPANIONS:  # a backup's copy may have had a journal beside it
        companion = partial.with_name(partial.name + suffix)
        if os.path.lexists(companion) and stat.S_ISREG(os.lstat(companion).st_mode):
            companion.unlink()
    if removed:
        log.warning("removed %s, left by an output that did not finish", partial)
    return removed


# -- one file -------------------------------------------------------------------------------


class _PendingOutput:
    """What a pending file and a pending folder share: written under ``partial`` (named in
    the journal while it exists), put at ``target`` by :meth:`commit` or removed by
    :meth:`discard`, whichever comes first."""

    target: Path
    partial: Path
    _entry: _Entry | None
    _finished: bool

    def commit(self) -> Path:
        with self.discarded_on_failure():
            self._put_in_place()
        self._finished = True
        self._forget()
        return self.target

    def discard(self) -> None:
        if self._finished:
            return
        self._finished = True
        self._remove_partial()
        self._forget()

    @contextlib.contextmanager
    def discarded_on_failure(self) -> Iterator[None]:
        """The block's failure removes what was written; the system's refusal is said as
        the target that could not be written."""
        try:
            yield
        except OSError as exc:
            self.discard()
            raise cannot_write(self.target, exc) from None
        except BaseException:
            self.discard()
            raise

    def _put_in_place(self) -> None:
        raise NotImplementedError

    def _remove_partial(self) -> None:
        raise NotImplementedError

    def _forget(self) -> None:
        if self._entry is not None:
            self._entry.done()
            self._entry = None


class PendingFile(_PendingOutput):
    """A new output being written: ``handle`` (binary) on a private temporary file beside
    ``target``; :meth:`commit` puts it in place, :meth:`discard` removes it. As a context
    manager: committed when the block ends normally, discarded when it raises."""

    def __init__(
        self,
        target: Path | str,
        *,
        replace: bool = False,
        kind: Kind | None = None,
        journal: PartialJournal | None = None,
    ) -> None:
        self.target = Path(os.fspath(target))
        self.replace = replace
        self.kind = kind
        check_target(self.target, replace=replace, kind=kind)
        self.partial = _partial_name(self.target)
        # The journal names it absolutely: the next run may start in another folder.
        self._entry = journal.register(self.partial.absolute()) if journal is not None else None
        try:
            fd = create_private_file(self.partial)
        except OSError as exc:
            self._forget()
            raise cannot_write(self.target, exc) from None
        self.handle: BinaryIO = os.fdopen(fd, "wb")
        self._finished = False

    def close_handle(self) -> None:
        """Close the handle, to let another writer (SQLite) fill the temporary file by name."""
        if not self.handle.closed:
            self.handle.close()

    def _put_in_place(self) -> None:
        if not self.handle.closed:
            self.handle.flush()
            os.fsync(self.handle.fileno())
            self.handle.close()
        else:
            _fsync_path(self.partial)
        # Checked again: something may have appeared at the target meanwhile.
        exists = check_target(self.target, replace=self.replace, kind=self.kind)
        if exists:
            os.replace(self.partial, self.target)  # replaces the entry; follows nothing
        else:
            try:
                _no_clobber_rename(self.partial, self.target)
            except FileExistsError:
                raise OutputExists(self.target) from None
        fsync_folder(self.target.parent)

    def _remove_partial(self) -> None:
        with contextlib.suppress(OSError):
            self.handle.close()
        with contextlib.suppress(OSError):
            self.partial.unlink()
        for suffix in SQLITE_COMPANIONS:
            with contextlib.suppress(OSError):
                self.partial.with_name(self.partial.name + suffix).unlink()

    def __enter__(self) -> BinaryIO:
        return self.handle

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if exc_type is None:
            self.commit()
        else:
            self.discard()
            if isinstance(exc, OSError) and not isinstance(exc, OutputError):
                raise cannot_write(self.target, exc) from exc


def _fsync_path(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY | _NOFOLLOW | _CLOEXEC | _BINARY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_output(
    target: Path | str,
    data: bytes,
    *,
    replace: bool = False,
    kind: Kind | None = None,
    journal: PartialJournal | None = None,
) -> Path:
    """Write ``data`` as the new file ``target`` (see the module's rules); where it went."""
    pending = PendingFile(target, replace=replace, kind=kind, journal=journal)
    with pending.discarded_on_failure():
        pending.handle.write(data)
    return pending.commit()


# -- a folder of files (the litigation bundle) -----------------------------------------------


class PendingFolder(_PendingOutput):
    """A new folder of private files, filled under a hidden temporary name beside
    ``target`` and renamed into place when complete. ``target`` may be missing or an empty
    folder; anything else is refused.

    Every file is on the disk before the rename: each is flushed (fsync) by a few threads
    beside the writing rather than one after the other in its way (an export's 10,000 files
    flushed one by one took a minute on a busy disk; together, a few seconds), then the
    folders."""

    FLUSHING_THREADS = 8  # one journal commit of the file system serves many of them

    def __init__(self, target: Path | str, *, journal: PartialJournal | None = None) -> None:
        self.target = Path(os.fspath(target))
        self._check_target()
        self._flushing: list[Future[None]] = []
        self._flusher: ThreadPoolExecutor | None = None
        self._folders: set[Path] = set()
        self.partial = _partial_name(self.target)
        self._entry = journal.register(self.partial.absolute(), folder=True) if journal else None
        try:
            os.mkdir(self.partial, PRIVATE_FOLDER)
            if POSIX:
                os.chmod(self.partial, PRIVATE_FOLDER)
        except OSError as exc:
            self._forget()
            raise cannot_write(self.target, exc) from None
        self._finished = False

    def _check_target(self) -> bool:
        """True when an empty folder stands at the target (it will be replaced)."""
        try:
            found = os.lstat(self.target)
        except FileNotFoundError:
            return False
        except OSError as exc:
            raise cannot_write(self.target, exc) from None
        if stat.S_ISDIR(found.st_mode):
            try:
                with os.scandir(self.target) as entries:
                    empty = next(entries, None) is None
            except OSError as exc:
                raise cannot_write(self.target, exc) from None
            if empty:
                return True
        what = _file_type(found.st_mode)
        raise OutputError(
            f"{self.target} already exists and is {what or 'a file'}"
            + ("" if what != "a folder" else " that is not empty")
            + "; choose a new folder"
        )

    def write(self, name: str, data: bytes) -> None:
        parts = PurePosixPath(name).parts
        if not parts or PurePosixPath(name).is_absolute() or ".." in parts:
            raise ValueError(f"bad bundle path {name!r}")
        folder = self.partial
        for part in parts[:-1]:
            folder = folder / part
            if folder not in self._folders:
                make_private_folder(folder)
                self._folders.add(folder)
        fd = create_private_file(folder / parts[-1])
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            flushed = os.dup(handle.fileno())
        if self._flusher is None:
            self._flusher = ThreadPoolExecutor(self.FLUSHING_THREADS, "output-flush")
        try:
            self._flushing.append(self._flusher.submit(_fsync_and_close, flushed))
        except BaseException:
            os.close(flushed)
            raise

    def _flushed(self) -> None:
        """When every file written and every folder is on the disk (OSError if one is not)."""
        flusher, flushing = self._flusher, self._flushing
        self._flusher, self._flushing = None, []
        try:
            for done in flushing:
                done.result()
        finally:
            if flusher is not None:
                flusher.shutdown(wait=True, cancel_futures=True)
        for folder in sorted(self._folders, key=lambda f: len(f.parts), reverse=True):
            fsync_folder(folder)
        fsync_folder(self.partial)

    def _put_in_place(self) -> None:
        self._flushed()
        if self._check_target():
            os.rmdir(self.target)  # the empty folder chosen for the bundle
        if POSIX and sys.platform.startswith("linux"):
            _rename_no_replace(self.partial, self.target)
        else:
            os.rename(self.partial, self.target)
        fsync_folder(self.target.parent)

    def _remove_partial(self) -> None:
        with contextlib.suppress(OSError):
            self._flushed()  # the threads are stopped before the folder goes
        shutil.rmtree(self.partial, ignore_errors=True)


def _fsync_and_close(fd: int) -> None:
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _rename_no_replace(source: Path, target: Path) -> None:
    """rename(2) that fails when the target appeared meanwhile (Linux renameat2)."""
    import ctypes

    libc = ctypes.CDLL(None, use_errno=True)
    renameat2 = getattr(libc, "renameat2", None)
    if renameat2 is None:  # an old C library: the check above must do
        os.rename(source, target)
        return
    at_fdcwd, rename_noreplace = -100, 1
    result = renameat2(
        at_fdcwd, os.fsencode(source), at_fdcwd, os.fsencode(target), rename_noreplace
    )
    if result != 0:
        code = ctypes.get_errno()
        if code in (errno.EINVAL, errno.ENOSYS):  # the file system cannot: plain rename
            os.rename(source, target)
            return
        raise OSError(code, os.strerror(code), str(target))


@contextlib.contextmanager
def scratch_folder(journal: PartialJournal | None, parent: Path | None = None) -> Iterator[Path]:
    """A private working folder (a backup's copy being checked), removed afterwards, and at
    the next run when this one is killed first."""
    import tempfile

    base = parent or Path(tempfile.gettempdir())
    folder = base / f".detainer-desk{PARTIAL_MARK}{secrets.token_hex(6)}"
    entry = journal.register(folder, folder=True) if journal is not None else None
    try:
        os.mkdir(folder, PRIVATE_FOLDER)
        if POSIX:
            os.chmod(folder, PRIVATE_FOLDER)
        try:
            yield folder
        finally:
            shutil.rmtree(folder, ignore_errors=True)
    finally:
        if entry is not None:
            entry.done()


# -- the data folder ------------------------------------------------------------------------


def tighten(folder: Path, *, limit: int = 10_000) -> tuple[list[Path], list[Path]]:
    """Make ``folder`` and everything in it private to this account (folders 0700, files
    0600), following no link. Returns (what was changed, what could not be: another
    account's files). Does nothing on Windows (see the module's note)."""
    changed: list[Path] = []
    refused: list[Path] = []
    if not POSIX:
        return changed, refused
    seen = 0
    # The folder itself may be reached through a link (a data folder moved elsewhere and
    # linked back): that one link is followed; none inside it is.
    pending = [Path(os.path.realpath(folder)) if os.path.islink(folder) else folder]
    while pending and seen < limit:
        current = pending.pop()
        seen += 1
        try:
            found = os.lstat(current)
        except OSError:
            continue
        if stat.S_ISDIR(found.st_mode):
            wanted = PRIVATE_FOLDER
            with contextlib.suppress(OSError):
                pending.extend(Path(entry.path) for entry in os.scandir(current))
        elif stat.S_ISREG(found.st_mode):
            wanted = PRIVATE_FILE
        else:
            continue  # links, sockets: nothing to tighten (a link's mode means nothing)
        if stat.S_IMODE(found.st_mode) & ~wanted:
            try:
                os.chmod(current, stat.S_IMODE(found.st_mode) & wanted, follow_symlinks=False)
            except (OSError, NotImplementedError):
                refused.append(current)
            else:
                changed.append(current)
    return changed, refused


@contextlib.contextmanager
def private_umask() -> Iterator[None]:
    """While inside, files and folders made by others (SQLite's journal, a library's
    temporary file) are created private too. The umask is the process's: use it only
    where no other thread creates files meant to be shared."""
    if not POSIX:
        yield
        return
    previous = os.umask(0o077)
    try:
        yield
    finally:
        os.umask(previous)
