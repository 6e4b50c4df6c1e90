"""PDF documents made from the evidence DTOs (services/evidence_model.py), with reportlab.

Pure functions: a record and a context in, PDF bytes out; no database, no files written, no
clock read (the generation time is the context's). The fonts ship in ``fonts/`` and are
registered on the first document, never at import time.

* ``render_audit_pdf``: the full record of one decision, for county counsel and the courts;
  ``render_audit_pdfs``: many of them, in worker processes, for the litigation export;
  ``audit_pdfs_for_export``: the same, reusing the PDFs earlier exports made (``cache.py``).
* ``render_notice_pdf``: the notice to the person, English and Spanish, with the copy of the
  request as page 2.
* ``render_checkpoint_pdf``: the daily checkpoint sheet a supervisor signs and files.
* ``render_statistics_pdf``: requests received and what was done, by week, form and reason.
* ``render_audit_trail_pdf``, ``render_what_if_pdf``: the audit trail of a search, and a
  what-if comparison, to print or hand on.
* ``warm_up``: load all that, and lay out one small page, ahead of the first real document
  (the window does it in the background after someone signs in).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Generator, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from detainer_desk.services.evidence_model import DecisionRecord, PdfDocument, ReportContext

    from .audit import render_audit_pdf
    from .checkpoint import render_checkpoint_pdf
    from .law_notices import render_law_notice
    from .law_reports import render_law_report
    from .listings import render_audit_trail_pdf, render_what_if_pdf
    from .notice import render_notice_pdf
    from .parallel import render_audit_pdfs
    from .reviews import render_account_validation_pdf, render_audit_review_pdf
    from .statistics import render_statistics_pdf

# reportlab takes ~100 ms to import: it is loaded on the first document, not when a screen
# that can make one is built (PEP 562 module __getattr__).
_RENDERERS = {
    "render_audit_pdf": ".audit",
    "render_audit_pdfs": ".parallel",
    "render_audit_trail_pdf": ".listings",
    "render_what_if_pdf": ".listings",
    "render_checkpoint_pdf": ".checkpoint",
    "render_notice_pdf": ".notice",
    "render_statistics_pdf": ".statistics",
    "render_account_validation_pdf": ".reviews",
    "render_audit_review_pdf": ".reviews",
    "render_law_report": ".law_reports",
    "render_law_notice": ".law_notices",
}


def audit_pdfs_for_export(
    data_dir: Path | None,
) -> Callable[[Iterable[tuple[DecisionRecord, ReportContext]]], Generator[PdfDocument, None, None]]:
    """The export's audit PDFs: those an earlier export made, verified, from the data
    folder's cache, the others rendered in worker processes and kept there (``cache.py``)."""
    from .cache import AuditPdfCache
    from .parallel import render_audit_pdfs

    cache = AuditPdfCache.in_data_folder(data_dir) if data_dir is not None else None
    return render_audit_pdfs if cache is None else cache.renderer(render_audit_pdfs)


def warm_up() -> None:
    """Pay now, once per process, what the first document would otherwise pay: importing
    reportlab, the renderers and the picture libraries (Pillow's file formats, PDFium),
    reading and registering the fonts, building the styles, and laying out and writing one
    small page with every style and font, a table, a paragraph and a picture made from a
    scanned image and from a scanned PDF. Thread-safe; everything made is thrown away."""
    import datetime as dt
    import io

    from PIL import Image
    from reportlab.pdfgen.canvas import Canvas
    from reportlab.platypus import Image as Picture

    from detainer_desk.services.evidence_model import ReportContext, Scan

    from . import audit, checkpoint, notice, statistics  # noqa: F401 - loaded now
    from .layout import Furniture, bold, build_pdf, fact_table, grid_table, para, rich, section
    from .layout import styles as layout_styles
    from .scans import first_page_image

    Image.init()  # every file format Pillow knows (the first scan opened would do it)
    png = io.BytesIO()
    Image.new("RGB", (40, 50), "white").save(png, format="PNG")
    pdf = io.BytesIO()
    page = Canvas(pdf, pagesize=(40, 50))
    page.drawString(5, 20, "x")
    page.save()
    pictures = [
        first_page_image(Scan(0, "warm-up", media_type, "", content, None), 32)
        for media_type, content in (
            ("image/png", png.getvalue()),
            ("application/pdf", pdf.getvalue()),
        )
    ]

    s = layout_styles()
    context = ReportContext("County", "Jail", dt.datetime(2000, 1, 1, tzinfo=dt.UTC), "", "UTC")
    long_text = "A reason long enough to be laid out as a paragraph over two lines. " * 3
    story = [
        para("Warming up", s.title),
        rich(f"{bold('bold')} and plain", s.subtitle),
        *section(
            "1  Section",
            fact_table(
                [("Label", "value"), ("Longer", long_text), ("Hash", para("0" * 64, s.mono_small))]
            ),
            grid_table(["#", "Text"], [["1", long_text], ["2", "short"]], [0.5, 6.5]),
        ),
        *(Picture(io.BytesIO(p.jpeg), width=20, height=25) for p in pictures if p is not None),
        para("note", s.note),
    ]
    build_pdf(story, Furniture(context, "warm-up"), title="warm-up", subject="warm-up")


def __getattr__(name: str) -> Any:
    module = _RENDERERS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(module, __name__), name)


__all__ = [
    "audit_pdfs_for_export",
    "render_account_validation_pdf",
    "render_audit_pdf",
    "render_audit_pdfs",
    "render_audit_review_pdf",
    "render_audit_trail_pdf",
    "render_checkpoint_pdf",
    "render_law_notice",
    "render_law_report",
    "render_notice_pdf",
    "render_statistics_pdf",
    "render_what_if_pdf",
]
