"""Where litigation bundles are written: a new folder or a new ZIP file."""

from __future__ import annotations

import io
import os
import shutil
import zipfile
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path, PurePosixPath


class DestinationError(Exception):
    """The destination cannot be used; the message says why in plain words."""


def _checked_name(name: str) -> PurePosixPath:
    path = PurePosixPath(name)
    if path.is_absolute() or ".." in path.parts or not path.parts:
        raise ValueError(f"bad bundle path {name!r}")
    return path


SYNC_THREADS = 8  # files flushed to the disk at once (a journal commit serves many)


class FolderWriter:
    """Writes into a folder that must not exist yet (or be empty): nothing is ever replaced.

    Every file is on the disk when ``close`` returns: each is flushed (fsync) by a few
    threads beside the writing, not one after the other in its way (10,000 files flushed one
    by one took a minute on a busy disk; together, a few seconds), then the folders."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._syncing: list[Future[None]] = []
        self._sync_pool: ThreadPoolExecutor | None = None
        if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
            raise DestinationError(
                f"{folder} already exists and is not an empty folder; choose a new one"
            )
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise DestinationError(f"cannot create {folder}: {exc.strerror}") from None

    def write(self, name: str, data: bytes) -> None:
        target = self.folder.joinpath(*_checked_name(name).parts)
        target.parent.mkdir(parents=True, exist_ok=True)
        with target.open("xb") as handle:
            handle.write(data)
        if self._sync_pool is None:
            self._sync_pool = ThreadPoolExecutor(SYNC_THREADS, thread_name_prefix="bundle-sync")
        self._syncing.append(self._sync_pool.submit(_sync, target))

    def close(self) -> str:
        """When every file and folder is on the disk; OSError if one could not be."""
        try:
            for done in self._syncing:
                done.result()
        finally:
            self._stop_syncing()
        folders = {self.folder, *(p for p in self.folder.rglob("*") if p.is_dir())}
        for folder in sorted(folders, key=lambda p: len(p.parts), reverse=True):
            _sync(folder)
        return str(self.folder)

    def abort(self) -> None:
        self._stop_syncing()
        shutil.rmtree(self.folder, ignore_errors=True)

    def _stop_syncing(self) -> None:
        pool, self._sync_pool, self._syncing = self._sync_pool, None, []
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)


def _sync(path: Path) -> None:
    if path.is_dir() and os.name != "posix":
        return  # folders cannot be opened for flushing there
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


STORED_AS_THEY_ARE = frozenset({".pdf", ".jpg", ".jpeg", ".png"})


class ZipWriter:
    """Writes a ZIP under a temporary name and renames it into place when complete."""

    def __init__(self, target: Path) -> None:
        self.target = target
        if target.exists():
            raise DestinationError(f"{target} already exists; choose a new file name")
        self._partial = target.with_name(target.name + ".partial")
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            self._zip = zipfile.ZipFile(
                self._partial, "x", compression=zipfile.ZIP_DEFLATED, allowZip64=True
            )
        except OSError as exc:
            raise DestinationError(f"cannot create {target}: {exc.strerror}") from None

    def write(self, name: str, data: bytes) -> None:
        path = _checked_name(name)
        # PDFs and pictures are compressed already: deflating them again saved 8% of an
        # audit PDF and cost more than copying it.
        packed = zipfile.ZIP_STORED if path.suffix.lower() in STORED_AS_THEY_ARE else None
        self._zip.writestr(str(path), data, compress_type=packed)

    def close(self) -> str:
        self._zip.close()
        os.replace(self._partial, self.target)
        return str(self.target)

    def abort(self) -> None:
        try:
            self._zip.close()
        finally:
            self._partial.unlink(missing_ok=True)


def open_destination(destination: str) -> FolderWriter | ZipWriter:
    path = Path(destination).expanduser()
    if path.suffix.lower() == ".zip":
        return ZipWriter(path)
    return FolderWriter(path)


def page_count(data: bytes, media_type: str) -> int:
    """Pages of a PDF or (multi-page) TIFF; other images are one page; unreadable: 0."""
    try:
        if media_type == "application/pdf":
            from pypdf import PdfReader
            from pypdf.errors import PyPdfError

            try:
                return len(PdfReader(io.BytesIO(data)).pages)
            except PyPdfError:
                return 0
        from PIL import Image, UnidentifiedImageError

        try:
            with Image.open(io.BytesIO(data)) as image:
                return int(getattr(image, "n_frames", 1))
        except (UnidentifiedImageError, OSError):
            return 0
    except ValueError:
        return 0
