"""Every notice in every language, and every statutory report, as real PDFs read back with
pdftotext and pdffonts: one page per notice, both languages' texts present (Latin, CJK and
Hangul alike), every font embedded; each report says it was computed from the verified
record and names the chain's head hash."""

from __future__ import annotations

import datetime as dt
import re
import subprocess
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from pypdf import PdfReader

from detainer_desk.adapters.pdf.law_notices import NoticeFor, render_law_notice
from detainer_desk.adapters.pdf.law_reports import Verification, render_law_report
from detainer_desk.domain import contacts as ct
from detainer_desk.domain import law_notices as ln
from detainer_desk.domain import lawreports as lr
from detainer_desk.notices import language_texts
from detainer_desk.services.evidence_model import ReportContext

CHICAGO = ZoneInfo("America/Chicago")
CONTEXT = ReportContext(
    "Cook County",
    "Cook County Jail",
    dt.datetime(2027, 2, 1, 15, 0, tzinfo=dt.UTC),
    "counsel.d",
    "America/Chicago",
)


def _text(pdf: bytes, tmp_path: Path) -> str:
    path = tmp_path / "document.pdf"
    path.write_bytes(pdf)
    return subprocess.run(
        ["pdftotext", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


def _fonts_not_embedded(pdf: bytes, tmp_path: Path) -> list[str]:
    path = tmp_path / "fonts.pdf"
    path.write_bytes(pdf)
    listing = subprocess.run(
        ["pdffonts", str(path)], capture_output=True, text=True, check=True
    ).stdout.splitlines()[2:]
    # name, type, encoding, emb, sub, uni, object, ID: "emb" is the fifth field from the end.
    return [line for line in listing if line.split()[-5] != "yes"]


def _squeezed(text: str) -> str:
    return re.sub(r"\s+", "", text)


@pytest.mark.parametrize("language", ln.NOTICE_LANGUAGES)
@pytest.mark.parametrize("key", list(ln.NOTICES))
def test_every_notice_in_every_language_is_one_page_with_both_texts(
    key: str, language: str, tmp_path: Path
) -> None:
    pdf = render_law_notice(key, language, CONTEXT, NoticeFor("NGUYỄN, Thị Minh", "B27-0042"))
    path = tmp_path / "n.pdf"
    path.write_bytes(pdf)
    assert len(PdfReader(path).pages) == 1
    text = _squeezed(_text(pdf, tmp_path))
    english, other = language_texts("en"), language_texts(language)
    assert _squeezed(english.notices[key].title) in text
    assert _squeezed(other.notices[key].title) in text  # the other language, as drawn
    assert _squeezed(other.notices[key].paragraphs[0]) in text
    assert _squeezed("NGUYỄN, Thị Minh") in text and "B27-0042" in text
    assert ln.NOTICES[key].law.split(";")[0].replace(" ", "") in text
    assert _fonts_not_embedded(pdf, tmp_path) == []


def test_the_scripts_are_really_drawn_latin_cjk_and_hangul(tmp_path: Path) -> None:
    for language, sample in (
        ("es", "entrevista"),
        ("zh-Hant", "面談"),
        ("zh-Hans", "面谈"),
        ("ko", "면담"),
        ("vi", "phỏng vấn"),
        ("tl", "panayam"),
    ):
        title = language_texts(language).notices[ln.INTERVIEW_CONSENT].title
        assert sample.lower() in title.lower(), (language, title)  # the sample is the data's
        text = _text(render_law_notice(ln.INTERVIEW_CONSENT, language, CONTEXT), tmp_path)
        assert sample.lower() in text.lower(), language


def _facts() -> tuple[list[lr.CaseFacts], list[ct.ContactFact]]:
    def at(text: str) -> dt.datetime:
        return dt.datetime.fromisoformat(text).replace(tzinfo=CHICAGO)

    cases = [
        lr.CaseFacts(
            1,
            "I-247A",
            at("2026-03-02T09:00"),
            "hold",
            requested=("hold", "notify"),
            release_eligible_at=at("2026-03-03T10:00"),
            bail_posted_at=at("2026-03-03T09:30"),
            transferred_at=at("2026-03-04T08:00"),
            transferred_to="ICE ERO Chicago",
            sex="female",
        ),
        lr.CaseFacts(
            2, "I-247D", at("2026-05-10T14:00"), "decline", released_at=at("2026-05-10T18:00")
        ),
    ]
    contacts = [
        ct.ContactFact(
            1,
            ct.INTERVIEW_REQUEST,
            at("2026-04-01T10:00"),
            "ICE",
            None,
            {"consent_form_given": True, "language": "es", "answer": "declined"},
        )
    ]
    return cases, contacts


@pytest.mark.parametrize("key", list(lr.REPORTS))
def test_every_report_pdf_says_it_came_from_the_verified_record(key: str, tmp_path: Path) -> None:
    cases, contacts = _facts()
    definition = lr.REPORTS[key]
    first, last = dt.date(2026, 1, 1), dt.date(2026, 12, 31)
    if definition.cadence == "quarterly":
        first, last = dt.date(2026, 1, 1), dt.date(2026, 3, 31)
    if key == "texas-monthly":
        first, last = dt.date(2026, 3, 1), dt.date(2026, 4, 30)
    period = lr.Period.of_days(first, last, CHICAGO)
    result = definition.compute(cases, contacts, period, lr.ReportOptions(daily_cost=84.5))
    head = "ab" * 32
    pdf = render_law_report(
        result, Verification(1234, head, dt.datetime(2027, 2, 1, 15, 0, tzinfo=dt.UTC)), CONTEXT
    )
    text = _text(pdf, tmp_path)
    squeezed = _squeezed(text)
    assert _squeezed(result.title) in squeezed
    assert "1,234 entries" in text and "verified" in text
    assert head in squeezed  # the head hash, however it is grouped on the page
    assert "Cook County" in text
    for label, value in result.summary:
        assert _squeezed(label) in squeezed and _squeezed(value) in squeezed
    for source in result.sources:
        assert _squeezed(source.citation)[:30] in squeezed  # the law it rests on, and
    assert "Signature" in text or "signature" in text  # a place to sign it
    assert _fonts_not_embedded(pdf, tmp_path) == []


@pytest.mark.parametrize("language", ["en", *ln.NOTICE_LANGUAGES])
def test_every_character_of_the_notices_has_a_glyph_in_an_embedded_font(language: str) -> None:
    """pdftotext reads a character back even when its glyph is an empty box: the fonts'
    own tables say whether it is drawn."""
    from detainer_desk.adapters.pdf import fonts

    drawable = fonts.ensure_fonts() | fonts._ensure_fallback() | fonts._ensure_hangul()
    texts = language_texts(language)
    words = [texts.native, *texts.labels.values()]
    for notice in texts.notices.values():
        words += [notice.title, *notice.paragraphs, *notice.choices, *notice.fields]
    missing = {ch for text in words for ch in text if ch not in drawable and not ch.isspace()}
    assert missing == set(), f"{language}: no glyph for {sorted(missing)}"
