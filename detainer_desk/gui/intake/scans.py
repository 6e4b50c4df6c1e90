"""Scans of the paperwork: reading one off the disk (on a worker thread: a fax of many pages
can be large) and showing it (QtPdf for PDFs, which paints asynchronously; a scaled image
otherwise)."""

from __future__ import annotations

import os
from collections.abc import Callable, Generator
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QBuffer, QEvent, QObject, QSize, Qt, Signal
from PySide6.QtGui import QImage, QPixmap, QResizeEvent, QWheelEvent
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
# A faxed or scanned page is some 100 KB to 1 MB: a scan this large is worth a second look
# (the wrong file, a scan at photo resolution) before it is stored with the record for good.
LARGE_SCAN_BYTES = 20 * 1024 * 1024
ZOOM_STEP = 1.25
MIN_ZOOM, MAX_ZOOM = 0.25, 4.0


class ScanRefused(Exception):
    """The file cannot be attached; the message says why in plain words."""


@dataclass(frozen=True)
class PickedScan:
    """A file the officer picked to attach, read and checked, with its preview; not yet
    stored (a stored attachment is ``services.evidence_model.Scan``). ``document_index``
    says what it shows (a document of the request, 0-based), or None for the detainer form
    itself."""

    path: str
    file_name: str
    media_type: str
    content: bytes
    pages: int | None = None  # PDFs
    image: QImage | None = None  # images: a copy scaled for the preview
    document_index: int | None = None

    @property
    def size_text(self) -> str:
        return size_text(len(self.content))

    @property
    def large(self) -> bool:
        return len(self.content) > LARGE_SCAN_BYTES


def size_text(size: int) -> str:
    if size >= 1 << 20:
        return f"{size / (1 << 20):.1f} MB"
    return f"{max(1, size // 1024)} KB"


def attached_text(scan: PickedScan) -> str:
    """What the officer is told once a scan is attached; a warning (True) for a large one."""
    if not scan.large:
        return f"Attached {scan.file_name}."
    return (
        f"Attached {scan.file_name}, {scan.size_text}: large for a scan (a page is usually "
        f"under 1 MB). Check that it is the right file before recording; it is stored with "
        f"the decision for good. Scans of up to {size_text(MAX_ATTACHMENT_BYTES)} can be "
        "attached."
    )


def read_scan(path: str, cancelled: Callable[[], bool]) -> Generator[int, None, PickedScan | None]:
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
            raise ScanRefused(
                f"{name} is {size_text(size)}, larger than the "
                f"{size_text(MAX_ATTACHMENT_BYTES)} a scan may be"
            )
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
        return PickedScan(path, name, media_type, content, pages=document.pageCount())
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
    return PickedScan(path, name, media_type, content, image=image)


class _ImageLabel(QLabel):
    """An image scaled to the width available, never wider than it is (``zoom`` None), or
    to ``zoom`` times its own size."""

    def __init__(self) -> None:
        super().__init__()
        self.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignHCenter)
        self._image: QImage | None = None
        self.zoom: float | None = None
        self.fit_width = 0  # the width to fit (the scroll area's viewport)

    def set_image(self, image: QImage | None) -> None:
        self._image = image
        self._rescale()

    def set_zoom(self, zoom: float | None) -> None:
        self.zoom = zoom
        self._rescale()

    def fitted_zoom(self) -> float:
        """How large the image is shown when fitted, as a factor of its own size."""
        if self._image is None or self._image.width() < 1:
            return 1.0
        return self._fit() / self._image.width()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if self._image is not None and self.pixmap().width() != self._target_width():
            self._rescale()

    def _fit(self) -> int:
        assert self._image is not None
        room = self.fit_width or self.width()
        return max(1, min(self._image.width(), room - 4))

    def _target_width(self) -> int:
        if self._image is None:
            return 0
        if self.zoom is None:
            return self._fit()
        return max(1, round(self._image.width() * self.zoom))

    def _rescale(self) -> None:
        if self._image is None:
            self.setPixmap(QPixmap())
            return
        scaled = self._image.scaledToWidth(
            self._target_width(), Qt.TransformationMode.SmoothTransformation
        )
        self.setPixmap(QPixmap.fromImage(scaled))

    def minimumSizeHint(self) -> QSize:
        if self.zoom is not None and not self.pixmap().isNull():
            return self.pixmap().size()  # zoomed in: the scroll area scrolls
        return QSize(80, 80)

    def sizeHint(self) -> QSize:
        if self.zoom is not None and not self.pixmap().isNull():
            return self.pixmap().size()
        return QSize(200, 260)


class _CtrlWheelZoom(QObject):
    """Ctrl with the wheel over the scan zooms it, as in every document viewer."""

    def __init__(self, preview: ScanPreview) -> None:
        super().__init__(preview)
        self._preview = preview

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if not (event.type() == QEvent.Type.Wheel and isinstance(event, QWheelEvent)):
            return False
        if not event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            return False  # the wheel alone scrolls the scan
        if event.angleDelta().y() > 0:
            self._preview.zoom_in()
        elif event.angleDelta().y() < 0:
            self._preview.zoom_out()
        return True


class ScanPreview(QStackedWidget):
    """Shows one scan: a placeholder, a loading note, an image or a PDF; zoomed to fit the
    width (the start) or in steps of 25 % (``zoom_in``, ``zoom_out``, ``fit``)."""

    zoom_changed = Signal(str)  # how large the scan is shown, in words ("Fit width", "150 %")

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
        self._zoom: float | None = None  # None: fit the width
        zoom_by_wheel = _CtrlWheelZoom(self)
        self.pdf.viewport().installEventFilter(zoom_by_wheel)
        self.image_scroll.viewport().installEventFilter(zoom_by_wheel)
        self.currentChanged.connect(lambda _index: self._say_zoom())
        self.show_placeholder()

    # -- zoom ------------------------------------------------------------------------------
    @property
    def zoom(self) -> float | None:
        """The zoom factor (1.0: the scan's own size), or None while fitted to the width."""
        return self._zoom

    def showing_scan(self) -> bool:
        return self.currentWidget() in (self.image_scroll, self.pdf)

    def zoom_in(self) -> None:
        self._set_zoom(self._current_factor() * ZOOM_STEP)

    def zoom_out(self) -> None:
        self._set_zoom(self._current_factor() / ZOOM_STEP)

    def fit(self) -> None:
        self._set_zoom(None)

    def _current_factor(self) -> float:
        if self._zoom is not None:
            return self._zoom
        if self.currentWidget() is self.pdf:
            return self._fitted_pdf_factor()
        return self.image.fitted_zoom()

    def _fitted_pdf_factor(self) -> float:
        """QPdfView's zoom factor that fits the page width (what FitToWidth shows)."""
        if self.pdf_document.pageCount() < 1:
            return 1.0
        points = self.pdf_document.pagePointSize(0).width()
        pixels_per_point = self.pdf.logicalDpiX() / 72
        margins = self.pdf.documentMargins()
        room = self.pdf.viewport().width() - margins.left() - margins.right()
        return max(MIN_ZOOM, room / (points * pixels_per_point)) if points > 0 else 1.0

    def _set_zoom(self, zoom: float | None) -> None:
        if zoom is not None:
            zoom = min(MAX_ZOOM, max(MIN_ZOOM, zoom))
        self._zoom = zoom
        if zoom is None:
            self.pdf.setZoomMode(QPdfView.ZoomMode.FitToWidth)
            self.image_scroll.setWidgetResizable(True)
        else:
            self.pdf.setZoomMode(QPdfView.ZoomMode.Custom)
            self.pdf.setZoomFactor(zoom)
            # Zoomed in, the image is larger than the area: let it scroll both ways.
            self.image_scroll.setWidgetResizable(False)
        self.image.fit_width = self.image_scroll.viewport().width()
        self.image.set_zoom(zoom)
        if zoom is not None:
            self.image.resize(self.image.sizeHint())
        self._say_zoom()

    def zoom_text(self) -> str:
        if self._zoom is None:
            return "Fit width"
        return f"{self._zoom * 100:.0f} %"

    def _say_zoom(self) -> None:
        self.zoom_changed.emit(self.zoom_text() if self.showing_scan() else "")

    def show_placeholder(self) -> None:
        self.setCurrentWidget(self.placeholder)

    def show_loading(self, file_name: str) -> None:
        self.loading.setText(f"Loading {file_name}…")
        self.setCurrentWidget(self.loading)

    def show_scan(self, scan: PickedScan) -> None:
        shown = self._pdf_bytes if self.currentWidget() is self.pdf else None
        if scan.content is not shown and self._zoom is not None:
            self._set_zoom(None)  # another scan starts fitted to the width
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
        self._set_zoom(None)
        self.show_placeholder()
