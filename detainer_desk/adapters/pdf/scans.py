"""Pictures of attached scans: the first page of a PDF (pypdfium2) or an image (Pillow).

A scan is whatever came off the fax machine or the phone camera, so it is untrusted input: a
file that cannot be read yields ``None`` (the documents then print "preview unavailable"),
never an exception that would stop an audit record from being printed.
"""

from __future__ import annotations

import io
import logging
import threading
import warnings
from dataclasses import dataclass

from PIL import Image, ImageOps

from detainer_desk.services.evidence_model import Scan

log = logging.getLogger(__name__)

PDF = "application/pdf"
# PDFium is not thread-safe; exports may render several records at once.
_pdfium_lock = threading.Lock()


@dataclass(frozen=True, slots=True)
class PageImage:
    """One page as a JPEG, ready to embed, with its pixel size (for the aspect ratio)."""

    jpeg: bytes
    width: int
    height: int
    pages: int | None  # how many pages the scan has, when known

    @property
    def aspect(self) -> float:
        return self.height / self.width


def first_page_image(scan: Scan, max_pixels: int, *, quality: int = 75) -> PageImage | None:
    """The scan's first page, at most ``max_pixels`` on its longer side; None if unreadable."""
    pages: int | None
    try:
        if scan.media_type == PDF or scan.content.startswith(b"%PDF"):
            image, pages = _pdf_first_page(scan.content, max_pixels)
        else:
            image, pages = _image_first_frame(scan.content, max_pixels)
        return _as_jpeg(image, pages, quality)
    except Exception as error:  # noqa: BLE001 - see below
        # Decoders raise all sorts on damaged or hostile files (OSError, ValueError,
        # SyntaxError, struct.error, PdfiumError, DecompressionBombError, ...). Any of them
        # means the same thing here: this scan cannot be previewed, and the record says so.
        log.warning(
            "no preview of attachment %s (%s): %s: %s",
            scan.attachment_id,
            scan.file_name,
            type(error).__name__,
            error,
        )
        return None


def _pdf_first_page(content: bytes, max_pixels: int) -> tuple[Image.Image, int]:
    import pypdfium2 as pdfium  # loads the PDFium library: only when a PDF is previewed

    with _pdfium_lock:
        document = pdfium.PdfDocument(content)
        try:
            pages = len(document)
            if pages == 0:
                raise ValueError("the PDF has no pages")
            page = document[0]
            try:
                width, height = page.get_size()
                scale = max_pixels / max(width, height, 1.0)
                bitmap = page.render(scale=scale, draw_annots=True)
                try:
                    image = bitmap.to_pil().copy()
                finally:
                    bitmap.close()
            finally:
                page.close()
        finally:
            document.close()
    return image, pages


def _image_first_frame(content: bytes, max_pixels: int) -> tuple[Image.Image, int | None]:
    with warnings.catch_warnings():
        # Pillow warns about damaged metadata (bad EXIF) in pictures it still decodes well:
        # the preview is what matters. A decompression bomb, though, is a reason to stop.
        warnings.simplefilter("ignore")
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        with Image.open(io.BytesIO(content)) as opened:
            frames = getattr(opened, "n_frames", 1)
            opened.draft(None, (max_pixels, max_pixels))  # JPEG: decode at reduced size
            image = ImageOps.exif_transpose(opened)
            image.load()
    image = _plain(image)
    factor = int(max(image.width, image.height) / max_pixels)
    if factor >= 2:
        image = image.reduce(factor)  # a box average: fast, and fine for the last step
    image.thumbnail((max_pixels, max_pixels), Image.Resampling.LANCZOS)
    return image, frames


def _plain(image: Image.Image) -> Image.Image:
    """Any scan as 8-bit grey or RGB on white paper (fax bilevel, 16-bit, palette, alpha)."""
    if image.mode in ("I", "F") or image.mode.startswith("I;16"):
        wide = image if image.mode == "F" else image.convert("I")
        extrema = wide.getextrema()  # (low, high) for a one-band image
        low, high = float(extrema[0]), float(extrema[1])  # type: ignore[arg-type]
        scale = 255 / (high - low) if high > low else 1.0
        return wide.point(lambda v: v * scale - low * scale).convert("L")
    if image.mode == "1":
        return image.convert("L")
    if image.mode in ("P", "PA", "LA", "La", "RGBA", "RGBa") or "transparency" in image.info:
        rgba = image.convert("RGBA")
        paper = Image.new("RGB", rgba.size, "white")
        paper.paste(rgba, mask=rgba.getchannel("A"))
        return paper
    return image if image.mode in ("RGB", "L") else image.convert("RGB")


def _as_jpeg(image: Image.Image, pages: int | None, quality: int) -> PageImage:
    if image.mode not in ("RGB", "L"):
        image = image.convert("RGB")
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=quality, optimize=False)
    return PageImage(out.getvalue(), image.width, image.height, pages)
