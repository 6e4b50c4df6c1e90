"""Warming up the PDF renderers ahead of the first document (the window does it in the
background after someone signs in): afterwards the libraries are loaded, the fonts are
registered, and documents come out exactly as without it."""

from __future__ import annotations

import json
import subprocess
import sys

from detainer_desk.adapters import pdf

from .test_pdf_documents import CONTEXT, make_record

AFTER_WARM_UP = """
import json, sys
before = {m.split(".")[0] for m in sys.modules}
from detainer_desk.adapters.pdf import warm_up
warm_up()
from reportlab.pdfbase import pdfmetrics
after = {m.split(".")[0] for m in sys.modules}
print(json.dumps({"loaded": sorted(after - before), "fonts": sorted(pdfmetrics.getRegisteredFontNames())}))
"""


def test_the_warm_up_loads_the_libraries_and_registers_the_fonts() -> None:
    done = subprocess.run(
        [sys.executable, "-c", AFTER_WARM_UP],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    seen = json.loads(done.stdout.splitlines()[-1])
    assert {"reportlab", "PIL", "pypdfium2"} <= set(seen["loaded"])
    assert {"DetainerDeskSans", "DetainerDeskSans-Bold", "DetainerDeskMono"} <= set(seen["fonts"])


def test_documents_are_the_same_bytes_after_a_warm_up() -> None:
    record = make_record()
    before = pdf.render_audit_pdf(record, CONTEXT)
    pdf.warm_up()
    assert pdf.render_audit_pdf(record, CONTEXT) == before
