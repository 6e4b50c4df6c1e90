"""The notices and forms the law asks a jail to give the person, one page each: English on
the left, the person's language on the right, then the choices to mark, the blanks to fill
and the signatures. The texts are data (``detainer_desk/notices``); the fonts are the
bundled ones (DejaVu Sans; Droid Sans Fallback for Chinese and Korean), embedded.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import inch
from reportlab.platypus import Flowable, KeepInFrame, Spacer, Table

from detainer_desk.domain import law_notices as ln
from detainer_desk.domain import timetext
from detainer_desk.notices import LanguageTexts, NoticeText, language_texts
from detainer_desk.services.evidence_model import ReportContext

from .fonts import markup
from .layout import (
    CONTENT_HEIGHT,
    CONTENT_WIDTH,
    INK,
    PANEL_FILL,
    Furniture,
    build_pdf,
    grid_style,
    para,
    rich,
    styles,
    table_style,
    zone_named,
)

# Chinese has no spaces between words: it breaks anywhere (reportlab's CJK wrapping).
_CJK = ("zh-Hans", "zh-Hant")
_BOX = "\u2610"  # ☐


@dataclass(frozen=True, slots=True)
class NoticeFor:
    """Whom a notice is for, when printed for a recorded person (else blanks to fill)."""

    name: str = ""
    booking_number: str = ""


def render_law_notice(
    key: str, language: str, context: ReportContext, person: NoticeFor | None = None
) -> bytes:
    """One notice, English beside ``language``, on one Letter page."""
    definition = ln.NOTICES[key]
    english = language_texts("en")
    other = language_texts(language)
    zone = zone_named(context.timezone)
    story: list[Flowable] = [
        KeepInFrame(
            CONTENT_WIDTH,
            CONTENT_HEIGHT,
            _page(definition, english, other, context, zone, person or NoticeFor()),
            mode="shrink",
        )
    ]
    title = english.notices[key].title
    furniture = Furniture(context, f"{title} · English / {other.native}")
    return build_pdf(
        story,
        furniture,
        title=f"{title} / {other.notices[key].title}",
        subject=f"{definition.law}; English and {other.language}",
        lang="en-US",
    )


def _column_style(base: ParagraphStyle, language: str, name: str) -> ParagraphStyle:
    extra = {"wordWrap": "CJK"} if language in _CJK else {}
    return ParagraphStyle(f"{name}-{language}", parent=base, **extra)


def _page(
    definition: ln.NoticeDefinition,
    english: LanguageTexts,
    other: LanguageTexts,
    context: ReportContext,
    zone: dt.tzinfo,
    person: NoticeFor,
) -> list[Flowable]:
    s = styles()
    en_text: NoticeText = english.notices[definition.key]
    xx_text: NoticeText = other.notices[definition.key]
    body = ParagraphStyle("law-notice", parent=s.body, fontSize=10, leading=13.5, spaceAfter=0)
    en_style = _column_style(body, "en", "law-notice")
    xx_style = _column_style(body, other.code, "law-notice")
    half = CONTENT_WIDTH / 2
    heading = Table(
        [
            [
                rich(f'<font size="14">{_bold(en_text.title)}</font>', en_style),
                rich(f'<font size="14">{_bold(xx_text.title)}</font>', xx_style),
            ]
        ],
        colWidths=[half, half],
        hAlign="LEFT",
    )
    heading.setStyle(table_style([("VALIGN", (0, 0), (-1, -1), "TOP")]))
    today = context.generated_at
    label = s.label
    facts = Table(
        [
            [
                para(_both(english, other, "name"), label),
                para(_both(english, other, "booking"), label),
                para(_both(english, other, "date"), label),
            ],
            [
                para(person.name or " ", s.cell_bold),
                para(person.booking_number or " ", s.cell_bold),
                para(timetext.date_english(timetext.county_day(today, zone)), s.cell),
            ],
        ],
        colWidths=[3.2 * inch, 1.6 * inch, CONTENT_WIDTH - 4.8 * inch],
        rowHeights=[None, 0.34 * inch],
        hAlign="LEFT",
    )
    facts.setStyle(grid_style(extra=[("BACKGROUND", (0, 0), (-1, 0), PANEL_FILL)]))
    rows: list[list[Flowable]] = []
    for en_par, xx_par in zip(en_text.paragraphs, xx_text.paragraphs, strict=True):
        rows.append([para(en_par, en_style), para(xx_par, xx_style)])
    for en_choice, xx_choice in zip(en_text.choices, xx_text.choices, strict=True):
        rows.append(
            [
                rich(f'<font size="13">{_BOX}</font>  {markup(en_choice)}', en_style),
                rich(f'<font size="13">{_BOX}</font>  {markup(xx_choice)}', xx_style),
            ]
        )
    text = Table(rows, colWidths=[half, half], hAlign="LEFT")
    text.setStyle(
        grid_style(
            header=False,
            extra=[
                ("TOPPADDING", (0, 0), (-1, -1), 5),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 5),
                ("LEFTPADDING", (0, 0), (-1, -1), 7),
                ("RIGHTPADDING", (0, 0), (-1, -1), 7),
            ],
        )
    )
    blanks = [(f"{en} / {xx}", "") for en, xx in zip(en_text.fields, xx_text.fields, strict=True)]
    blanks += [
        (_both(english, other, "person"), _both(english, other, "date")),
        (_both(english, other, "officer"), _both(english, other, "date")),
        (_both(english, other, "interpreter"), ""),
    ]
    signatures = _signature_lines(blanks)
    law = para(f"{english.labels['law']} / {other.labels['law']}: {definition.law}", s.small)
    sources = para(f"English: {english.source} {other.language}: {other.source}", s.note)
    return [
        heading,
        Spacer(1, 6),
        facts,
        Spacer(1, 8),
        text,
        Spacer(1, 8),
        signatures,
        Spacer(1, 6),
        law,
        sources,
    ]


def _bold(text: str) -> str:
    return f"<b>{markup(text)}</b>"


def _both(english: LanguageTexts, other: LanguageTexts, key: str) -> str:
    return f"{english.labels[key]} / {other.labels[key]}"


def _signature_lines(blanks: list[tuple[str, str]]) -> Table:
    s = styles()
    data: list[list[Flowable | str]] = []
    for left, right in blanks:
        data.append(["", "", ""])
        data.append([para(left, s.label), "", para(right, s.label) if right else ""])
    table = Table(
        data,
        colWidths=[4.1 * inch, 0.3 * inch, CONTENT_WIDTH - 4.4 * inch],
        rowHeights=[0.3 * inch if i % 2 == 0 else None for i in range(len(data))],
        hAlign="LEFT",
    )
    commands: list[tuple[object, ...]] = [
        ("LEFTPADDING", (0, 0), (-1, -1), 0),
        ("TOPPADDING", (0, 0), (-1, -1), 1),
    ]
    for index, (_, right) in enumerate(blanks):
        commands.append(("LINEBELOW", (0, 2 * index), (0, 2 * index), 0.8, INK))
        if right:
            commands.append(("LINEBELOW", (2, 2 * index), (2, 2 * index), 0.8, INK))
    table.setStyle(table_style(commands))
    return table
