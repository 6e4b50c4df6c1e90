"""PDF documents made from the evidence DTOs (services/evidence_model.py), with reportlab.

Pure functions: a record and a context in, PDF bytes out; no database, no files written, no
clock read (the generation time is the context's). The fonts ship in ``fonts/`` and are
registered on the first document, never at import time.

* ``render_audit_pdf``: the full record of one decision, for county counsel and the courts;
  ``render_audit_pdfs``: many of them, in worker processes, for the litigation export.
* ``render_notice_pdf``: the notice to the person, English and Spanish, with the copy of the
  request as page 2.
* ``render_checkpoint_pdf``: the daily checkpoint sheet a supervisor signs and files.
* ``render_statistics_pdf``: requests received and what was done, by week, form and reason.
* ``render_audit_trail_pdf``, ``render_what_if_pdf``: the audit trail of a search, and a
  what-if comparison, to print or hand on.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .audit import render_audit_pdf
    from .checkpoint import render_checkpoint_pdf
    from .listings import render_audit_trail_pdf, render_what_if_pdf
    from .notice import render_notice_pdf
    from .parallel import render_audit_pdfs
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
}


def __getattr__(name: str) -> Any:
    module = _RENDERERS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(module, __name__), name)


__all__ = [
    "render_audit_pdf",
    "render_audit_pdfs",
    "render_audit_trail_pdf",
    "render_checkpoint_pdf",
    "render_notice_pdf",
    "render_statistics_pdf",
    "render_what_if_pdf",
]
