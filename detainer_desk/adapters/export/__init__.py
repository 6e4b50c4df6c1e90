"""Where litigation bundles are written: a new folder or a new ZIP file."""

from __future__ import annotations

import contextlib
import io
import os
import shutil
import zipfile
from pathlib import Path, PurePosixPath

from detainer_desk.services.access import RecordError


class DestinationError(RecordError):
    """The destination cannot be used (or filled up, or went away while the bundle was
    written); the message says why in plain words. What was written is removed."""


def _write_failed(target: Path, exc: OSError) -> DestinationError:
    return DestinationError(
        f"cannot write the bundle {target}: {exc.strerror or exc}. What was written of it "
        "is removed; free some space (or choose another place) and export again"
    )


def _checked_name(name: str) -> PurePosixPath:
    path = PurePosixPath(name)
    if path.is_absolute() or ".." in path.parts or not path.parts:
        raise ValueError(f"bad bundle path {name!r}")
    return path


class FolderWriter:
    """Writes into a folder that must not exist yet (or be empty): nothing is ever replaced."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
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
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            with target.open("xb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
        except OSError as exc:  # a full disk, a removed drive
            raise _write_failed(self.folder, exc) from None

    def close(self) -> str:
        return str(self.folder)

    def abort(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)


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
        try:
            self._zip.writestr(str(_checked_name(name)), data)
        except OSError as exc:  # a full disk, a removed drive
            raise _write_failed(self.target, exc) from None

    def close(self) -> str:
        try:
            self._zip.close()
            os.replace(self._partial, self.target)
        except OSError as exc:
            raise _write_failed(self.target, exc) from None
        return str(self.target)

    def abort(self) -> None:
        # Closing a ZIP on a full disk fails too; the partial file goes all the same.
        try:
            with contextlib.suppress(OSError):
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
