"""Printing the evidence PDFs (the audit record, the notice to the person).

The choice, and why: Qt cannot send a PDF's vector content to a printer, and handing the
file to whatever PDF viewer the workstation has would leave the printing (and the copy on
disk) outside the program. So the pages are rasterized with QtPdf (the same pdfium engine
that shows the scans) at the printer's resolution, capped at 300 dots per inch, and painted
onto a ``QPrinter`` chosen in the ordinary print dialog. At 300 dpi the text of the audit
record and the notice prints crisply. The officer can always save the PDF itself instead
("Save audit PDF…", "Save notice…") and print it from elsewhere.

``print_pdf`` runs on a worker thread (a ``TaskRunner`` task): Qt allows painting on a
``QPrinter`` and rendering with ``QPdfDocument`` outside the GUI thread, and a long print
job must not freeze the window. The printer must not be touched by the GUI meanwhile.
"""

from __future__ import annotations

from collections.abc import Callable, Generator
from typing import Any

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QRect, QSize
from PySide6.QtGui import QPainter
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPrintSupport import QPrinter

MAX_DPI = 300


class PrintError(Exception):
    """Printing could not be done; the message says why in plain words."""


def open_pdf(pdf: bytes) -> tuple[QPdfDocument, QBuffer]:
    """A loaded QtPdf document over ``pdf`` (keep the buffer alive as long as the document)."""
    buffer = QBuffer()
    buffer.setData(QByteArray(pdf))
    buffer.open(QIODevice.OpenModeFlag.ReadOnly)
    document = QPdfDocument()
    document.load(buffer)
    return document, buffer


def into_private_file(printer: QPrinter, journal: Any = None) -> Any:
    """When the printer prints to a file (the dialog's "Print to file"), point it at a
    private temporary file beside the one chosen and return that pending file (commit it
    after printing, discard it on failure); None for a real printer. The file chosen is
    then written like every other output (adapters/files): 0600, whole or not at all,
    never through a link, replacing only a PDF. OutputError when it cannot be."""
    target = printer.outputFileName()
    if not target:
        return None
    from detainer_desk.adapters.files import PendingFile, pdf_kind

    pending = PendingFile(target, replace=True, kind=pdf_kind, journal=journal)
    pending.close_handle()  # the printer fills the new, empty private file by its name
    printer.setOutputFileName(str(pending.partial))
    return pending


def print_pdf(
    pdf: bytes, printer: QPrinter, cancelled: Callable[[], bool] = lambda: False
) -> Generator[tuple[int, int], None, int]:
    """Paint every page of ``pdf`` on ``printer``; yields (page, pages); returns pages printed."""
    document, _buffer = open_pdf(pdf)
    if document.status() != QPdfDocument.Status.Ready or document.pageCount() < 1:
        raise PrintError("the document could not be read for printing")
    pages = document.pageCount()
    painter = QPainter()
    if not painter.begin(printer):
        raise PrintError("the printer could not be started; check that it is on and connected")
    printed = 0
    try:
        for page in range(pages):
            if cancelled():
                printer.abort()
                break
            if page > 0 and not printer.newPage():
                raise PrintError("the printer refused the next page")
            _paint_page(painter, document, page, printer.resolution())
            printed += 1
            yield page + 1, pages
    finally:
        painter.end()
    return printed


def _paint_page(painter: QPainter, document: QPdfDocument, page: int, resolution: int) -> None:
    area = painter.viewport()
    points = document.pagePointSize(page)
    if points.width() <= 0 or points.height() <= 0:
        return
    # Fit the page into the printable area, keeping its proportions.
    scale = min(area.width() / points.width(), area.height() / points.height())
    width, height = int(points.width() * scale), int(points.height() * scale)
    # Rasterize at the printer's resolution, but no finer than MAX_DPI.
    dpi = min(resolution, MAX_DPI) if resolution > 0 else MAX_DPI
    pixels = QSize(max(1, int(points.width() / 72 * dpi)), max(1, int(points.height() / 72 * dpi)))
    if pixels.width() > width:  # the printer is coarser than MAX_DPI
        pixels = QSize(width, height)
    image = document.render(page, pixels)
    target = QRect(area.x(), area.y(), width, height)
    painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, True)
    painter.drawImage(target, image)
