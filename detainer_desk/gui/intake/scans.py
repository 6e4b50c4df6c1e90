"""Scans of the paperwork: reading one off the disk (on a worker thread: a fax of many pages
can be large) and showing it (QtPdf for PDFs, which paints asynchronously; a scaled image
otherwise)."""

from __future__ import annotations

import os
from collections.abc import Callable, Generator
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QBuffer, QSize, Qt
from PySide6.QtGui import QImage, QPixmap, QResizeEvent
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPdfWidgets import QPdfView
from PySide6.QtWidgets import QLabel, QScrollArea, QStackedWidget, QWidget

from detainer_desk.services.records import (
    MAX_ATTACHMENT_BYTES,
    MEDIA_WORDS,
    media_type_for,
    media_type_of_content,
)

from .printing import open_pdf

CHUNK = 1 << 20
PREVIEW_MAX_PIXELS = 2400  # the longer side of an image kept for the preview
PDF = "application/pdf"


class ScanRefused(Exception):
    """The file cannot be attached; the message says why in plain words."""


@dataclass(frozen=True)
class Scan:
    """One attached file, read and checked; ``document_index`` says what it shows (a
    document of the request, 0-based), or None for the detainer form itself."""

    path: str
    file_name: str
    media_type: str
    content: bytes
    pages: int | None = None  # PDFs
    image: QImage | None = None  # images: a copy scaled for the preview
    document_index: int | None = None

    @property
    def size_text(self) -> str:
        size = len(self.content)
        if size >= 1 << 20:
            return f"{size / (1 << 20):.1f} MB"
        return f"{max(1, size // 1024)} KB"


def read_scan(path: str, cancelled: Callable[[], bool]) -> Generator[int, None, Scan | None]:
    """Read and check one scan (a TaskRunner task body); yields the bytes read so far."""
    name = Path(path).name
    media_type = media_type_for(name)
    if media_type is None:
        raise ScanRefused(
            f"{name} is not a scan that can be attached: only PDF, PNG, JPEG and TIFF"
        )
    try:
        size = os.path.getsize(path)
        if size > MAX_ATTACHMENT_BYTES:
            raise ScanRefused(f"{name} is larger than 100 MB and cannot be attached")
        if size == 0:
            raise ScanRefused(f"{name} is empty")
        chunks = []
        read = 0
        with open(path, "rb") as handle:
            while chunk := handle.read(CHUNK):
                if cancelled():
                    return None
                chunks.append(chunk)
                read += len(chunk)
                yield read
    except OSError as exc:
        reason = exc.strerror.lower() if exc.strerror else str(exc)
        raise ScanRefused(f"{name} cannot be read: {reason}") from None
    content = b"".join(chunks)
    found = media_type_of_content(content)
    if found is not None and found != media_type:  # e.g. a JPEG saved as .png
        raise ScanRefused(
            f"{name} is {MEDIA_WORDS[found]}, not {MEDIA_WORDS[media_type]}: "
            "give it the name its kind has"
        )
    if media_type == PDF:
        document, _buffer = open_pdf(content)
        if document.status() != QPdfDocument.Status.Ready or document.pageCount() < 1:
            raise ScanRefused(f"{name} cannot be read as a PDF document")
        return Scan(path, name, media_type, content, pages=document.pageCount())
    image = QImage.fromData(content)
    if image.isNull():
        raise ScanRefused(f"{name} cannot be read as an image")
    if max(image.width(), image.height()) > PREVIEW_MAX_PIXELS:
        image = image.scaled(
            PREVIEW_MAX_PIXELS,
            PREVIEW_MAX_PIXELS,
            Qt.AspectRatioMode.KeepAspectRatio,
            Qt.TransformationMode.SmoothTransformation,
        )
    return Scan(path, name, media_type, content, image=image)


class _ImageLabel(QLabel):
    """An image scaled to the width available, never wider than it is."""

    def __init__(self) -> None:
        super().__init__()
        self.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignHCenter)
        self._image: QImage | None = None

    def set_image(self, image: QImage | None) -> None:
        self._image = image
        self._rescale()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if self._image is not None and self.pixmap().width() != self._target_width():
            self._rescale()

    def _target_width(self) -> int:
        if self._image is None:
            return 0
        return max(1, min(self._image.width(), self.width() - 4))

    def _rescale(self) -> None:
        if self._image is None:
            self.setPixmap(QPixmap())
            return
        scaled = self._image.scaledToWidth(
            self._target_width(), Qt.TransformationMode.SmoothTransformation
        )
        self.setPixmap(QPixmap.fromImage(scaled))

    def minimumSizeHint(self) -> QSize:
        return QSize(80, 80)

    def sizeHint(self) -> QSize:
        return QSize(200, 260)


class ScanPreview(QStackedWidget):
    """Shows one scan: a placeholder, a loading note, an image or a PDF."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("scanPreview")
        self.setAccessibleName("Scan preview")
        self.setMinimumHeight(160)

        self.placeholder = QLabel(
            "Drop scans here (PDF, PNG, JPEG or TIFF), or choose Attach scan….\n\n"
            "The scanned detainer and each paper that came with it are stored with the "
            "decision."
        )
        self.placeholder.setObjectName("scanPlaceholder")
        self.placeholder.setAccessibleName("No scan shown")
        self.placeholder.setWordWrap(True)
        self.placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.placeholder.setMargin(16)
        self.placeholder.setStyleSheet("border: 2px dashed palette(mid); border-radius: 6px;")

        self.loading = QLabel()
        self.loading.setObjectName("scanLoading")
        self.loading.setAccessibleName("Loading a scan")
        self.loading.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.loading.setWordWrap(True)

        self.image = _ImageLabel()
        self.image.setObjectName("scanImage")
        self.image.setAccessibleName("Scanned image")
        self.image_scroll = QScrollArea()
        self.image_scroll.setObjectName("scanImageScroll")
        self.image_scroll.setWidgetResizable(True)
        self.image_scroll.setWidget(self.image)

        self.pdf_document = QPdfDocument(self)
        self.pdf = QPdfView()
        self.pdf.setObjectName("scanPdf")
        self.pdf.setAccessibleName("Scanned PDF")
        self.pdf.setPageMode(QPdfView.PageMode.MultiPage)
        self.pdf.setZoomMode(QPdfView.ZoomMode.FitToWidth)
        self.pdf.setDocument(self.pdf_document)
        self._pdf_buffer: QBuffer | None = None
        self._pdf_bytes: bytes | None = None

        for page in (self.placeholder, self.loading, self.image_scroll, self.pdf):
            self.addWidget(page)
        self.show_placeholder()

    def show_placeholder(self) -> None:
        self.setCurrentWidget(self.placeholder)

    def show_loading(self, file_name: str) -> None:
        self.loading.setText(f"Loading {file_name}…")
        self.setCurrentWidget(self.loading)

    def show_scan(self, scan: Scan) -> None:
        if scan.media_type == PDF:
            self._show_pdf(scan.content)
        else:
            self.image.set_image(scan.image)
            self.setCurrentWidget(self.image_scroll)

    def _show_pdf(self, content: bytes) -> None:
        if self._pdf_bytes is not content:
            self.pdf_document.close()
            buffer = QBuffer(self)
            buffer.setData(content)
            buffer.open(QBuffer.OpenModeFlag.ReadOnly)
            self.pdf_document.load(buffer)
            if self._pdf_buffer is not None:
                self._pdf_buffer.deleteLater()
            self._pdf_buffer = buffer
            self._pdf_bytes = content
        self.setCurrentWidget(self.pdf)

    def clear(self) -> None:
        self.image.set_image(None)
        self.pdf_document.close()
        self._pdf_bytes = None
        self.show_placeholder()
