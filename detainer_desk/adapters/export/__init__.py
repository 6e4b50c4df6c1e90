"""Where litigation bundles are written: a new folder or a new ZIP file (the files in them:
formats; the bundle that writes them, with its manifest: bundle)."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path, PurePosixPath

from detainer_desk.services.ports import DestinationError

from ..files import (
    OutputError,
    OutputExists,
    PartialJournal,
    PendingFile,
    PendingFolder,
    cannot_write,
    make_private_folder,
)


def _checked_name(name: str) -> PurePosixPath:
    path = PurePosixPath(name)
    if path.is_absolute() or ".." in path.parts or not path.parts:
        raise ValueError(f"bad bundle path {name!r}")
    return path


class FolderWriter:
    """Writes a new folder (or fills an empty one): its files are made under a hidden
    temporary name beside it and the folder renamed into place when complete. Folders
    0700, files 0600 (see adapters/files); nothing is ever replaced."""

    def __init__(self, folder: Path, journal: PartialJournal | None = None) -> None:
        self.folder = folder
        try:
            make_private_folder(folder.absolute().parent, parents=True)
            self._pending = PendingFolder(folder, journal=journal)
        except OutputError as exc:
            raise DestinationError(str(exc)) from None
        except OSError as exc:
            raise DestinationError(f"cannot create {folder}: {exc.strerror}") from None

    def write(self, name: str, data: bytes) -> None:
        try:
            self._pending.write(name, data)
        except OSError as exc:  # a full disk, a removed stick: in plain words
            raise cannot_write(self.folder, exc) from None

    def close(self) -> str:
        return str(self._pending.commit())

    def abort(self) -> None:
        self._pending.discard()


STORED_AS_THEY_ARE = frozenset({".pdf", ".jpg", ".jpeg", ".png"})


class ZipWriter:
    """Writes a ZIP under a hidden temporary name beside it (0600) and renames it into place
    when complete; its entries are marked 0600 for whoever unpacks it."""

    def __init__(self, target: Path, journal: PartialJournal | None = None) -> None:
        self.target = target
        try:
            make_private_folder(target.absolute().parent, parents=True)
            self._pending = PendingFile(target, journal=journal)
        except OutputExists:
            raise DestinationError(f"{target} already exists; choose a new file name") from None
        except OutputError as exc:
            raise DestinationError(str(exc)) from None
        except OSError as exc:
            raise DestinationError(f"cannot create {target}: {exc.strerror}") from None
        self._zip = self._open()

    def _open(self) -> zipfile.ZipFile:
        return zipfile.ZipFile(
            self._pending.handle, "w", compression=zipfile.ZIP_DEFLATED, allowZip64=True
        )

    def write(self, name: str, data: bytes) -> None:
        # zipfile marks an entry written this way 0600: private when unpacked, too.
        path = _checked_name(name)
        # PDFs and pictures are compressed already: deflating them again saved 8% of an
        # audit PDF and cost more than copying it.
        packed = zipfile.ZIP_STORED if path.suffix.lower() in STORED_AS_THEY_ARE else None
        try:
            self._zip.writestr(str(path), data, compress_type=packed)
        except OSError as exc:  # a full disk, a removed stick: in plain words
            raise cannot_write(self.target, exc) from None

    def close(self) -> str:
        try:
            self._zip.close()
        except OSError as exc:
            raise cannot_write(self.target, exc) from None
        return str(self._pending.commit())

    def abort(self) -> None:
        try:
            self._zip.close()
        except (OSError, ValueError):
            # The file is removed whatever state it is in. A write that failed half-way
            # (a full disk) leaves the ZIP with an entry open, and its close refuses; let
            # go of the file so that nothing tries to close it again later.
            self._zip.fp = None
        finally:
            self._pending.discard()


class EncryptedZipWriter(ZipWriter):
    """A ZIP whose every entry is encrypted with AES-256 (the WinZip AE-2 format, which
    7-Zip and WinZip open; pyzipper writes it): a litigation bundle that may leave the
    building (CJIS 5.10.1.2.2). The names of the files inside stay readable, as in every
    encrypted ZIP; their contents do not."""

    def __init__(
        self, target: Path, passphrase: str, journal: PartialJournal | None = None
    ) -> None:
        import pyzipper

        self._passphrase = passphrase.encode("utf-8")
        self._pyzipper = pyzipper
        super().__init__(target, journal)

    def _open(self) -> zipfile.ZipFile:
        zipped = self._pyzipper.AESZipFile(
            self._pending.handle,
            "w",
            compression=self._pyzipper.ZIP_DEFLATED,
            allowZip64=True,
            encryption=self._pyzipper.WZ_AES,
        )
        zipped.setpassword(self._passphrase)
        zipped.setencryption(self._pyzipper.WZ_AES, nbits=256)
        return zipped  # type: ignore[no-any-return]


def open_destination(
    destination: str, journal: PartialJournal | None = None, passphrase: str | None = None
) -> FolderWriter | ZipWriter:
    """A folder, a ZIP, or with ``passphrase`` an AES-256 encrypted ZIP."""
    path = Path(destination).expanduser()
    if path.suffix.lower() == ".zip":
        if passphrase is not None:
            return EncryptedZipWriter(path, passphrase, journal)
        return ZipWriter(path, journal)
    if passphrase is not None:
        raise DestinationError(
            "an encrypted bundle is a ZIP file: give a name ending in .zip (a folder is "
            "written unencrypted)"
        )
    return FolderWriter(path, journal)


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
