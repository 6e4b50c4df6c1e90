"""What makes PDFs quicker changes none of their bytes: warming up the renderers ahead of the
first document (the window does it in the background after someone signs in), and
paragraphs that break their lines once per width."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from reportlab.platypus import Paragraph

from detainer_desk.adapters import pdf
from detainer_desk.adapters.pdf import layout

from .test_pdf_documents import CONTEXT, make_record, request_document

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


def test_paragraphs_that_remember_their_lines_give_the_same_pdfs(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    records = [
        make_record(),
        make_record(scans=[]),
        make_record(request=request_document(name="李小龍, Bruce")),  # the fallback font
        # Words longer than a cell, and a name over several lines of the title and tables.
        make_record(request=request_document(name="GARCÍA LÓPEZ " * 30 + "X" * 160)),
    ]
    remembered = [pdf.render_audit_pdf(record, CONTEXT) for record in records]
    monkeypatch.setattr(layout._Paragraph, "wrap", Paragraph.wrap)  # every measure made anew
    assert [pdf.render_audit_pdf(record, CONTEXT) for record in records] == remembered
