"""What every Detainer Desk PDF shares: page, styles, tables, times, and the header and footer
("Page X of Y", when and by whom generated) drawn on every page."""

from __future__ import annotations

import datetime as dt
import functools
import io
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import LETTER
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import inch
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    Flowable,
    Frame,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

from detainer_desk.domain import timetext
from detainer_desk.domain.clock import to_aware
from detainer_desk.services.evidence_model import PdfDocument, ReportContext

from .fonts import MONO, SANS, SANS_BOLD, ensure_fonts, markup, plain_line

# U.S. Letter: what county printers hold and what U.S. courts file.
PAGE_SIZE = LETTER
MARGIN = 0.75 * inch
TOP_MARGIN = 1.0 * inch  # room for the header
BOTTOM_MARGIN = 0.9 * inch  # room for the footer
CONTENT_WIDTH = PAGE_SIZE[0] - 2 * MARGIN
CONTENT_HEIGHT = PAGE_SIZE[1] - TOP_MARGIN - BOTTOM_MARGIN

INK = colors.HexColor("#111111")
MUTED = colors.HexColor("#555555")
RULE = colors.HexColor("#9a9a9a")
GRID = colors.HexColor("#b8b8b8")
HEAD_FILL = colors.HexColor("#e6e6e6")
PANEL_FILL = colors.HexColor("#f2f2f2")
PROGRAM = "Detainer Desk"


@dataclass(frozen=True, slots=True)
class Styles:
    title: ParagraphStyle
    subtitle: ParagraphStyle
    h2: ParagraphStyle
    h3: ParagraphStyle
    body: ParagraphStyle
    small: ParagraphStyle
    note: ParagraphStyle
    cell: ParagraphStyle
    cell_bold: ParagraphStyle
    cell_head: ParagraphStyle
    cell_right: ParagraphStyle
    label: ParagraphStyle
    mono: ParagraphStyle
    mono_small: ParagraphStyle
    outcome: ParagraphStyle
    furniture: ParagraphStyle
    furniture_right: ParagraphStyle


@functools.cache
def styles() -> Styles:
    ensure_fonts()

    def style(name: str, **kw: Any) -> ParagraphStyle:
        base: dict[str, Any] = {
            "fontName": SANS,
            "fontSize": 9.5,
            "leading": 12.5,
            "textColor": INK,
        }
        base.update(kw)
        return ParagraphStyle(name, **base)

    return Styles(
        title=style("title", fontName=SANS_BOLD, fontSize=16, leading=20, spaceAfter=2),
        subtitle=style("subtitle", fontSize=10, leading=13, textColor=MUTED, spaceAfter=8),
        h2=style(
            "h2",
            fontName=SANS_BOLD,
            fontSize=11.5,
            leading=14,
            spaceBefore=12,
            spaceAfter=5,
            keepWithNext=1,
        ),
        h3=style("h3", fontName=SANS_BOLD, fontSize=10, leading=13, spaceBefore=6, spaceAfter=3),
        body=style("body", spaceAfter=4),
        small=style("small", fontSize=8, leading=10),
        note=style("note", fontSize=8.5, leading=11, textColor=MUTED, spaceBefore=4),
        cell=style("cell", fontSize=8.5, leading=10.5),
        cell_bold=style("cell_bold", fontName=SANS_BOLD, fontSize=8.5, leading=10.5),
        cell_head=style("cell_head", fontName=SANS_BOLD, fontSize=8, leading=10),
        cell_right=style("cell_right", fontSize=8.5, leading=10.5, alignment=TA_RIGHT),
        label=style("label", fontSize=8.5, leading=10.5, textColor=MUTED),
        mono=style("mono", fontName=MONO, fontSize=8.5, leading=10.5),
        mono_small=style("mono_small", fontName=MONO, fontSize=7.5, leading=9.5),
        outcome=style("outcome", fontName=SANS_BOLD, fontSize=18, leading=22),
        furniture=style("furniture", fontSize=7.5, leading=9.5, textColor=MUTED),
        furniture_right=style(
            "furniture_right", fontSize=7.5, leading=9.5, textColor=MUTED, alignment=TA_RIGHT
        ),
    )


# -- text -------------------------------------------------------------------------------


class _Paragraph(Paragraph):  # type: ignore[misc]  # reportlab is untyped
    """A paragraph that breaks its lines once per width: a table measures each cell, then
    measures it again to draw it, and line breaking is most of a paragraph's cost. The
    lines depend on the width alone (the text and style never change), so the second
    measure returns the first one's result (the same PDF, byte for byte)."""

    _wrapped_at: float | None = None

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        # blPara (the lines) is gone when a split decided to move the paragraph on whole.
        if availWidth == self._wrapped_at and "blPara" in self.__dict__:
            return self.width, self.height
        size: tuple[float, float] = super().wrap(availWidth, availHeight)
        self._wrapped_at = availWidth if "blPara" in self.__dict__ else None
        return size


def para(text: object, style: ParagraphStyle | None = None) -> Paragraph:
    """A paragraph of plain text (escaped; any script; long words still wrap)."""
    return _Paragraph(markup(text), style or styles().body)


def rich(markup_text: str, style: ParagraphStyle | None = None) -> Paragraph:
    """A paragraph of markup the caller built from ``markup()`` pieces."""
    return _Paragraph(markup_text, style or styles().body)


def bold(text: object) -> str:
    return f"<b>{markup(text)}</b>"


def grouped(hex_text: str, size: int = 8) -> str:
    """A hash as a person copies it by hand: ``3fa9c0d1 77e2...``."""
    return " ".join(hex_text[i : i + size] for i in range(0, len(hex_text), size))


def yes_no(value: object) -> str:
    if value is None:
        return "not stated"
    return "yes" if value else "no"


def human_size(size: int) -> str:
    """``1.2 MB (1,234,567 bytes)``: the exact count is what a hash check is about."""
    if size < 1024:
        return f"{size:,} bytes"
    units = ("KB", "MB", "GB")
    value, index = size / 1024, 0
    while value >= 1024 and index < len(units) - 1:
        value, index = value / 1024, index + 1
    return f"{value:,.1f} {units[index]} ({size:,} bytes)"


# -- times ------------------------------------------------------------------------------

# Times are turned into words by ``domain.timetext`` (the one module that does), in the
# county's timezone (ReportContext.timezone); these names keep the PDF modules' vocabulary.
DAY_NAMES = timetext.DAY_NAMES
MONTH_NAMES = timetext.MONTH_NAMES


def zone_named(name: str) -> dt.tzinfo:
    """The IANA zone; UTC when the name is unknown (every time is printed with its offset,
    so a wrong zone can mislabel a time but never move it)."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return dt.UTC


def pdf_creation_date(moment: dt.datetime) -> str:
    """The PDF's own CreationDate (metadata for machines): ``D:20260211173012+00'00'``."""
    return f"D:{moment.astimezone(dt.UTC):%Y%m%d%H%M%S}+00'00'"


def parse_instant(value: object, zone: dt.tzinfo) -> dt.datetime | None:
    """A contract instant (an offset, or wall-clock time in ``zone``: the zone of the policy
    the decision was made under), else None."""
    if isinstance(value, dt.datetime):
        moment = value
    elif isinstance(value, str) and value.strip():
        try:
            moment = dt.datetime.fromisoformat(value.strip())
        except ValueError:
            return None
    else:
        return None
    if moment.tzinfo is not None:
        return moment
    if isinstance(zone, ZoneInfo):
        return to_aware(moment, zone)
    return moment.replace(tzinfo=zone)


def local_time(moment: dt.datetime, zone: dt.tzinfo) -> str:
    """``Fri 13 Feb 2026, 15:00 PST (UTC-08:00)``: the county's wall clock with its offset."""
    return timetext.long_time(moment, zone)


def utc_time(moment: dt.datetime) -> str:
    return timetext.utc_time(moment)


def local_and_utc(moment: dt.datetime, zone: dt.tzinfo) -> str:
    """For instants that matter in court: the local wall clock and the exact UTC instant."""
    return timetext.long_time_and_utc(moment, zone)


def instant_text(
    value: object, zone: dt.tzinfo, *, with_utc: bool = True, read_in: dt.tzinfo | None = None
) -> str:
    """An instant from the request or decision JSON for people, shown in ``zone`` (the
    county's); one written without an offset is read in ``read_in`` (the policy's). The raw
    text if unreadable."""
    if value is None or value == "":
        return "not known"
    moment = parse_instant(value, read_in or zone)
    if moment is None:
        return f"{value} (as entered; not a valid instant)"
    return local_and_utc(moment, zone) if with_utc else local_time(moment, zone)


def date_text(value: object) -> str:
    """``1988-07-14`` as ``14 Jul 1988 (1988-07-14)``: no day/month confusion on paper."""
    if not value:
        return "not stated"
    try:
        day = dt.date.fromisoformat(str(value))
    except ValueError:
        return str(value)
    return timetext.day_words(day)


# -- tables -----------------------------------------------------------------------------


def table_style(commands: Sequence[tuple[Any, ...]]) -> TableStyle:
    """A table style whose plain-string cells use the embedded font too (reportlab would
    otherwise reference Helvetica, which is never embedded)."""
    return TableStyle([("FONTNAME", (0, 0), (-1, -1), SANS), *commands])


def grid_style(*, header: bool = True, extra: Sequence[tuple[Any, ...]] = ()) -> TableStyle:
    commands: list[tuple[Any, ...]] = [
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("GRID", (0, 0), (-1, -1), 0.5, GRID),
        ("LEFTPADDING", (0, 0), (-1, -1), 4),
        ("RIGHTPADDING", (0, 0), (-1, -1), 4),
        ("TOPPADDING", (0, 0), (-1, -1), 3),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
    ]
    if header:
        commands.append(("BACKGROUND", (0, 0), (-1, 0), HEAD_FILL))
    commands.extend(extra)
    return table_style(commands)


CELL_PADDING = 4  # left and right, as grid_style sets them


def cell(value: Flowable | str, style: ParagraphStyle, width: float) -> Flowable | str:
    """A table cell: text that fits on one line of ``width`` in the main font is drawn as a
    plain string (the table sets its font, size and colour: see ``_cell_styles``), several
    times cheaper than a paragraph, which every other text becomes (wrapping, fallback
    fonts, line breaks)."""
    if not isinstance(value, str):
        return value
    line = plain_line(value)
    available = width - 2 * CELL_PADDING
    if line is not None and stringWidth(line, style.fontName, style.fontSize) <= available:
        return line
    return para(value, style)


def _cell_styles(
    cells: tuple[tuple[int, int], tuple[int, int]], style: ParagraphStyle
) -> list[tuple[Any, ...]]:
    """How a plain-string cell in ``cells`` prints: as ``style`` would print it."""
    start, stop = cells
    return [
        ("FONTNAME", start, stop, style.fontName),
        ("FONTSIZE", start, stop, style.fontSize),
        ("LEADING", start, stop, style.leading),
        ("TEXTCOLOR", start, stop, style.textColor),
    ]


def grid_table(
    head: Sequence[str],
    rows: Sequence[Sequence[Flowable | str]],
    widths: Sequence[float],
    *,
    extra: Sequence[tuple[Any, ...]] = (),
) -> Table:
    """A ruled table with a repeated header row; strings become cells (see ``cell``)."""
    s = styles()
    scale = CONTENT_WIDTH / sum(widths)
    col_widths = [w * scale for w in widths]
    data: list[list[Flowable | str]] = [
        [cell(h, s.cell_head, w) for h, w in zip(head, col_widths, strict=True)]
    ]
    for row in rows:
        data.append([cell(c, s.cell, w) for c, w in zip(row, col_widths, strict=True)])
    # splitInRow: a reason or a written reason of any length flows on to the next page
    # rather than making a row taller than a page (which reportlab cannot lay out).
    table = Table(data, colWidths=col_widths, repeatRows=1, splitInRow=1, hAlign="LEFT")
    table.setStyle(
        grid_style(
            extra=[
                *_cell_styles(((0, 1), (-1, -1)), s.cell),
                *_cell_styles(((0, 0), (-1, 0)), s.cell_head),
                *extra,
            ]
        )
    )
    return table


def fact_table(
    rows: Sequence[tuple[str, Flowable | str]],
    *,
    label_width: float = 1.75 * inch,
    width: float = CONTENT_WIDTH,
) -> Table:
    """Label on the left, value on the right: the shape of a form, for the facts of a record."""
    s = styles()
    value_width = width - label_width
    data = [
        [cell(label, s.label, label_width), cell(value, s.cell, value_width)]
        for label, value in rows
    ]
    table = Table(data, colWidths=[label_width, value_width], splitInRow=1, hAlign="LEFT")
    table.setStyle(
        grid_style(
            header=False,
            extra=[
                *_cell_styles(((0, 0), (0, -1)), s.label),
                *_cell_styles(((1, 0), (1, -1)), s.cell),
                ("BACKGROUND", (0, 0), (0, -1), PANEL_FILL),
            ],
        )
    )
    return table


def section(title: str, *flowables: Flowable) -> list[Flowable]:
    """A heading (kept with what follows it) and its content."""
    return [para(title, styles().h2), *flowables]


def spacer(height: float = 6) -> Spacer:
    return Spacer(1, height)


# -- the document -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Furniture:
    """What the header and footer of every page say."""

    context: ReportContext
    document_label: str  # top right: what this document is, e.g. "Decision record · decision 42"

    def generated_text(self) -> str:
        """In the county's zone, like every time on the page."""
        zone = zone_named(self.context.timezone)
        if self.context.as_of_entry is not None:  # the same bytes whenever it is made
            return (
                f"Record as of chain entry {self.context.as_of_entry}, recorded "
                f"{local_time(self.context.generated_at, zone)} · {PROGRAM}"
            )
        return (
            f"Generated {local_time(self.context.generated_at, zone)} by "
            f"{self.context.generated_by} with {PROGRAM}"
        )

    def draw(self, canvas: Canvas, page: int, pages: int) -> None:
        s = styles()
        width, height = PAGE_SIZE
        top = height - 0.5 * inch
        county, jail = self.context.county_name, self.context.jail_name
        half = CONTENT_WIDTH / 2
        tallest = 0.0
        header = (
            (
                [(county, SANS_BOLD), (" · ", SANS), (jail, SANS)],
                f"<b>{markup(county)}</b> · {markup(jail)}",
                s.furniture,
                MARGIN,
                half + 40,
            ),
            (
                [(self.document_label, SANS)],
                markup(self.document_label),
                s.furniture_right,
                MARGIN + half + 44,
                half - 44,
            ),
        )
        for pieces, text, style, x, w in header:
            tallest = max(tallest, _one_line(canvas, pieces, text, style, x, top, w))
        canvas.saveState()
        canvas.setStrokeColor(RULE)
        canvas.setLineWidth(0.6)
        rule_y = top - max(tallest + 4, 24)  # below a county or jail name of two lines
        canvas.line(MARGIN, rule_y, width - MARGIN, rule_y)
        foot_y = 0.62 * inch
        canvas.line(MARGIN, foot_y, width - MARGIN, foot_y)
        canvas.restoreState()
        generated = self.generated_text()
        numbering = f"Page {page} of {pages}"
        footer = (
            ([(generated, SANS)], markup(generated), s.furniture, MARGIN, CONTENT_WIDTH - 80),
            (
                [(numbering, SANS_BOLD)],
                f"<b>{numbering}</b>",
                s.furniture_right,
                width - MARGIN - 80,
                80,
            ),
        )
        for pieces, text, style, x, w in footer:
            _one_line(canvas, pieces, text, style, x, foot_y - 4, w)


def _one_line(
    canvas: Canvas,
    pieces: Sequence[tuple[str, str]],
    text: str,
    style: ParagraphStyle,
    x: float,
    top: float,
    width: float,
) -> float:
    """Draw (text, font) pieces as one line hanging from ``top`` when they are plain and
    fit (the same place a one-line paragraph puts them, several times cheaper); else the
    paragraph of ``text`` markup. Returns the height used."""
    lines = [plain_line(piece) for piece, _ in pieces]
    size = style.fontSize
    if all(line is not None for line in lines):
        runs = [(str(line), font) for line, (_, font) in zip(lines, pieces, strict=True)]
        wide = sum(stringWidth(line, font, size) for line, font in runs)
        if wide <= width:
            canvas.saveState()
            canvas.setFillColor(style.textColor)
            start = x + width - wide if style.alignment == TA_RIGHT else x
            baseline = top - size  # where a one-line paragraph puts it
            for line, font in runs:
                canvas.setFont(font, size)
                canvas.drawString(start, baseline, line)
                start += stringWidth(line, font, size)
            canvas.restoreState()
            return float(style.leading)
    paragraph = rich(text, style)
    _, h = paragraph.wrapOn(canvas, width, 40)
    paragraph.drawOn(canvas, x, top - h)
    return float(h)


class _NumberedCanvas(Canvas):  # type: ignore[misc]  # reportlab is untyped
    """Keeps every page until the end so each can say "Page X of Y"."""

    def __init__(self, *args: Any, furniture: Furniture, pdf_date: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._pages: list[dict[str, Any]] = []
        self._furniture = furniture
        # The PDF's CreationDate is the generation time, not the clock of the build.
        self.setDateFormatter(lambda *_: pdf_date)

    def showPage(self) -> None:
        self._pages.append(dict(self.__dict__))
        self._startPage()

    def save(self) -> None:
        total = len(self._pages)
        for number, state in enumerate(self._pages, start=1):
            self.__dict__.update(state)
            self._furniture.draw(self, number, total)
            super().showPage()
        super().save()


def build_pdf(
    story: list[Flowable],
    furniture: Furniture,
    *,
    title: str,
    subject: str,
    lang: str = "en-US",
) -> bytes:
    """Lay the story out on Letter pages with the header and footer; return the PDF bytes
    (``build_pdf_document``: with the number of pages)."""
    return build_pdf_document(story, furniture, title=title, subject=subject, lang=lang).data


def build_pdf_document(
    story: list[Flowable],
    furniture: Furniture,
    *,
    title: str,
    subject: str,
    lang: str = "en-US",
) -> PdfDocument:
    """Lay the story out on Letter pages with the header and footer.

    The output is reproducible: the same record and context give the same bytes (reportlab's
    invariant mode, with the generation time as the PDF's creation date), so a hash of an
    exported PDF means something."""
    ensure_fonts()
    buffer = io.BytesIO()
    generated = furniture.context.generated_at.astimezone(dt.UTC)
    doc = BaseDocTemplate(
        buffer,
        pagesize=PAGE_SIZE,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=TOP_MARGIN,
        bottomMargin=BOTTOM_MARGIN,
        title=title,
        author=furniture.context.generated_by or PROGRAM,
        subject=subject,
        creator=PROGRAM,
        producer=PROGRAM,
        lang=lang,
        invariant=1,
        initialFontName=SANS,
    )
    # No frame padding: tables are CONTENT_WIDTH wide and line up with the header rules.
    frame = Frame(
        MARGIN,
        BOTTOM_MARGIN,
        CONTENT_WIDTH,
        CONTENT_HEIGHT,
        leftPadding=0,
        rightPadding=0,
        topPadding=0,
        bottomPadding=0,
        id="content",
    )
    doc.addPageTemplates([PageTemplate(id="page", frames=[frame])])

    def canvas_maker(*args: Any, **kwargs: Any) -> _NumberedCanvas:
        return _NumberedCanvas(
            *args,
            furniture=furniture,
            pdf_date=pdf_creation_date(generated),
            **kwargs,
        )

    doc.build(story, canvasmaker=canvas_maker)
    return PdfDocument(buffer.getvalue(), doc.page)


def signature_lines() -> Table:
    """Lines to sign on: signature and date, printed name and title or badge."""
    s = styles()
    rows = [
        [para("Signature", s.label), "", "", para("Date", s.label), ""],
        [para("Print name", s.label), "", "", para("Title / badge", s.label), ""],
    ]
    table = Table(
        rows,
        colWidths=[0.9 * inch, 3.1 * inch, 0.3 * inch, 0.95 * inch, CONTENT_WIDTH - 5.25 * inch],
        rowHeights=[0.6 * inch, 0.6 * inch],
        hAlign="LEFT",
    )
    table.setStyle(
        table_style(
            [
                ("VALIGN", (0, 0), (-1, -1), "BOTTOM"),
                ("LINEBELOW", (1, 0), (1, -1), 0.8, INK),
                ("LINEBELOW", (4, 0), (4, -1), 0.8, INK),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
            ]
        )
    )
    return table
