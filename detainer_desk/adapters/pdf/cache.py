"""Audit PDFs already made, so that no export renders the same one twice.

An export's audit PDF is made from the evidence alone (its page furniture says which chain
entry it shows the record as of, not who made it when: ``ReportContext.as_of_entry``), so
the same record, shown the same way, always gives the same bytes. Those bytes are kept in
a private folder of the data folder (``cache/audit-pdfs``, 0700; each file 0600), under a
key made of everything the PDF shows that could differ:

* the chain entries of the request, the decision and every amendment (sequence number and
  entry hash: a new amendment is a new key), and everything read from them and from the
  policy version and the attachments' rows (id, name, size, SHA-256: the export has
  verified every attachment's bytes against it before it makes any PDF);
* the county and jail names, the county's and the policy's time zones, and the as-of stamp;
* the renderer: this program's version and code, reportlab, Pillow and PDFium, the fonts.

A file is used again only when its HMAC-SHA256, under a secret kept with the installation's
keys (``keys/audit-pdf-cache.key``, 0600), matches its key, page count and the SHA-256 of its
bytes (computed as it is read, and listed as it is in the export's manifest): a damaged,
half-written, swapped or foreign file (copied from another installation) is thrown away and
the PDF made again. The cache is derived data: deleting it only makes the next export slower.
It is kept under ``DETAINER_DESK_PDF_CACHE_MB`` megabytes (default 4096; 0: no cache), the
least recently used files going first.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import hmac
import json
import logging
import os
import secrets
import sys
from collections.abc import Callable, Generator, Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from ..files import create_private_file

if TYPE_CHECKING:
    from detainer_desk.services.evidence_model import DecisionRecord, PdfDocument, ReportContext

log = logging.getLogger("detainer_desk.pdf")

FOLDER = Path("cache") / "audit-pdfs"
SECRET_FILE = Path("keys") / "audit-pdf-cache.key"
SIZE_ENVIRONMENT = "DETAINER_DESK_PDF_CACHE_MB"
DEFAULT_MB = 4096
KEY_FORMAT = "detainer-desk audit PDF, key format 1"
_MAGIC = b"DDPDF2 "


class AuditPdfCache:
    """Audit PDFs by key (see the module's note)."""

    def __init__(self, folder: Path, secret: bytes, max_bytes: int) -> None:
        self.folder = folder
        self._secret = secret
        self.max_bytes = max_bytes
        self.reused = 0  # for the export's figures and the tests
        self.made = 0

    @classmethod
    def in_data_folder(cls, data_dir: Path) -> AuditPdfCache | None:
        """The cache of this data folder; None when it is switched off or cannot be used
        (then every PDF is simply made)."""
        max_bytes = _configured_bytes()
        if max_bytes <= 0:
            return None
        try:
            folder = data_dir / FOLDER
            _private_folder(folder.parent)
            _private_folder(folder)
            secret = _secret(data_dir / SECRET_FILE)
        except OSError as exc:
            log.warning("audit PDFs are not kept for reuse: %s", exc)
            return None
        return cls(folder, secret, max_bytes)

    # -- keys ------------------------------------------------------------------------------
    @staticmethod
    def key(record: DecisionRecord, context: ReportContext) -> str:
        row = record.row
        shown = {
            "format": KEY_FORMAT,
            "renderer": renderer_fingerprint(),
            "furniture": [
                context.county_name,
                context.jail_name,
                context.timezone,
                context.generated_at.isoformat(),
                context.generated_by,
                context.as_of_entry,
            ],
            "policy zone": record.policy_timezone,
            # The chain entries shown (their hashes stand for their contents in a verified
            # record), and the contents themselves, as read: request, decision, policy
            # version, attachments (not their bytes: their size and SHA-256), amendments.
            "chain": [
                [row.request_seq, row.request_entry_hash],
                [row.seq, row.entry_hash],
                *([a.seq, a.entry_hash] for a in row.amendments),
            ],
            "row": hashlib.sha256(repr(row).encode()).hexdigest(),
            "scan bytes": [[scan.attachment_id, len(scan.content)] for scan in record.scans],
        }
        text = json.dumps(shown, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
        return hashlib.sha256(text.encode()).hexdigest()

    # -- files -----------------------------------------------------------------------------
    def _path(self, key: str) -> Path:
        return self.folder / key[:2] / f"{key}.pdf"

    def _mac(self, key: str, pages: int, sha256: str) -> str:
        """The HMAC of a kept PDF: over its key, its pages and the SHA-256 of its bytes
        (which the export lists in its manifest: the bytes are hashed once)."""
        message = f"{KEY_FORMAT}\n{key}\n{pages}\n{sha256}".encode()
        return hmac.new(self._secret, message, hashlib.sha256).hexdigest()

    def get(self, key: str) -> PdfDocument | None:
        """The PDF kept under ``key``, verified; None when there is none (or it failed
        verification: then it is removed)."""
        from detainer_desk.services.evidence_model import PdfDocument

        path = self._path(key)
        try:
            with open(path, "rb") as handle:
                stored = handle.read()
        except FileNotFoundError:
            return None
        except OSError as exc:
            log.warning("a kept audit PDF cannot be read (%s); it is made again", exc)
            return None
        head, _, data = stored.partition(b"\n")
        fields = head[len(_MAGIC) :].split(b" ")
        if head.startswith(_MAGIC) and len(fields) == 2 and fields[0].isdigit():
            pages = int(fields[0])
            sha256 = hashlib.sha256(data).hexdigest()
            if hmac.compare_digest(fields[1], self._mac(key, pages, sha256).encode()):
                with contextlib.suppress(OSError):
                    os.utime(path)  # recently used: kept longest
                self.reused += 1
                return PdfDocument(data, pages, sha256)
        log.warning("the kept audit PDF %s failed verification; it is made again", path.name)
        with contextlib.suppress(OSError):
            path.unlink()
        return None

    def put(self, key: str, document: PdfDocument) -> PdfDocument:
        """Keep ``document`` under ``key`` (written under a temporary name, then renamed:
        a reader never sees half a file); the document with its SHA-256. A failure only
        means it is not kept."""
        from detainer_desk.services.evidence_model import PdfDocument

        self.made += 1
        document = PdfDocument(
            document.data, document.pages, hashlib.sha256(document.data).hexdigest()
        )
        path = self._path(key)
        partial = path.with_name(f".{path.name}.{os.getpid()}.partial")
        head = (
            _MAGIC
            + f"{document.pages} {self._mac(key, document.pages, document.sha256)}\n".encode()
        )
        try:
            _private_folder(path.parent)
            # Not flushed to the disk: a file cut short by a crash fails its HMAC, and is
            # made again.
            with os.fdopen(create_private_file(partial), "wb") as handle:
                handle.write(head)
                handle.write(document.data)
            os.replace(partial, path)
        except OSError as exc:
            log.warning("an audit PDF could not be kept for reuse: %s", exc)
            with contextlib.suppress(OSError):
                partial.unlink()
        return document

    def prune(self) -> None:
        """Keep the folder under its size: the least recently used files go first."""
        files: list[tuple[float, int, str]] = []
        try:
            with os.scandir(self.folder) as shards:
                for shard in shards:
                    if not shard.is_dir(follow_symlinks=False):
                        continue
                    with os.scandir(shard.path) as entries:
                        for entry in entries:
                            if entry.is_file(follow_symlinks=False):
                                info = entry.stat(follow_symlinks=False)
                                files.append((info.st_mtime, info.st_size, entry.path))
        except FileNotFoundError:
            return  # nothing kept yet
        except OSError as exc:
            log.warning("the kept audit PDFs could not be listed: %s", exc)
            return
        total = sum(size for _, size, _ in files)
        if total <= self.max_bytes:
            return
        target = self.max_bytes * 9 // 10
        for _, size, path in sorted(files):
            with contextlib.suppress(OSError):
                os.unlink(path)
                total -= size
            if total <= target:
                break

    def renderer(
        self,
        render: Callable[..., Generator[PdfDocument, None, None]],
    ) -> Callable[
        [Iterable[tuple[DecisionRecord, ReportContext]]], Generator[PdfDocument, None, None]
    ]:
        """``render`` (``parallel.render_audit_pdfs``) with this cache."""

        def cached(
            jobs: Iterable[tuple[DecisionRecord, ReportContext]],
        ) -> Generator[PdfDocument, None, None]:
            finished = False
            try:
                yield from render(jobs, cache=self)
                finished = True
            finally:
                if finished:
                    self.prune()

        return cached


def _configured_bytes() -> int:
    text = os.environ.get(SIZE_ENVIRONMENT, "").strip()
    if text.isdigit():
        return int(text) * 1024 * 1024
    if text:
        log.warning(
            "%s=%r is not a number of megabytes; %d is used", SIZE_ENVIRONMENT, text, DEFAULT_MB
        )
    return DEFAULT_MB * 1024 * 1024


def _private_folder(folder: Path) -> None:
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    if os.name == "posix" and (folder.stat().st_mode & 0o077):
        folder.chmod(0o700)


def _secret(path: Path) -> bytes:
    """The cache's HMAC secret, made on first use (32 random bytes, readable by the owner
    only)."""
    try:
        with open(path, "rb") as handle:
            secret = handle.read()
    except FileNotFoundError:
        _private_folder(path.parent)
        secret = secrets.token_bytes(32)
        try:
            descriptor = create_private_file(path)
        except FileExistsError:  # made meanwhile by another program: use that one
            return _secret(path)
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(secret)
            handle.flush()
            os.fsync(handle.fileno())
        return secret
    if len(secret) < 32:
        raise OSError(f"{path} is not a cache secret (too short)")
    return secret


@functools.cache
def renderer_fingerprint() -> str:
    """What decides how an audit PDF looks, besides the record: this program (its version
    and every source file, or, frozen, its executable), the libraries that draw, and the
    fonts. Any change makes every key new."""
    import PIL
    import pypdfium2
    import reportlab

    import detainer_desk

    digest = hashlib.sha256()
    versions = [
        detainer_desk.__version__,
        reportlab.Version,
        PIL.__version__,
        str(getattr(pypdfium2, "version", "")),
    ]
    digest.update(json.dumps(versions).encode())
    package = Path(detainer_desk.__file__).resolve().parent
    if getattr(sys, "frozen", False):  # a bundle: the code is inside its executable
        digest.update(Path(sys.executable).read_bytes())
    else:
        for source in sorted(package.rglob("*.py")):
            digest.update(source.relative_to(package).as_posix().encode() + b"\0")
            digest.update(source.read_bytes())
    fonts = package / "adapters" / "pdf" / "fonts"
    for font in sorted(fonts.glob("*.ttf")):
        digest.update(f"{font.name}:{font.stat().st_size}".encode())
    return digest.hexdigest()
