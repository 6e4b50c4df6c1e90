"""A statutory report as a PDF to sign: what law asks for it and of whom, the period, the
verification of the record it was computed from (entries and head hash), the figures, the
entries in the statute's fields, the certifications, the notes, the legal texts it rests on
(and which could not be read), what counsel must confirm, and the signature block.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from reportlab.lib.units import inch
from reportlab.platypus import Flowable, KeepTogether, Spacer, Table

from detainer_desk.domain import lawreports as lr
from detainer_desk.domain import timetext
from detainer_desk.services.evidence_model import ReportContext

from .layout import (
    CONTENT_WIDTH,
    INK,
    Furniture,
    build_pdf,
    fact_table,
    grid_table,
    grouped,
    para,
    section,
    styles,
    table_style,
    zone_named,
)


@dataclass(frozen=True, slots=True)
class Verification:
    """The record the report was computed from, as ``verify`` found it."""

    entries: int
    head_hash: str
    verified_at: dt.datetime


def render_law_report(
    result: lr.ReportResult, verification: Verification, context: ReportContext
) -> bytes:
    s = styles()
    zone = zone_named(context.timezone)
    period = result.period
    last_day = (period.end - dt.timedelta(microseconds=1)).astimezone(period.zone).date()
    first_day = period.start.astimezone(period.zone).date()
    story: list[Flowable] = [
        para(result.title, s.title),
        para(f"{result.law} · for: {result.recipient}", s.subtitle),
        fact_table(
            [
                ("Reporting agency", f"{context.county_name} · {context.jail_name}"),
                (
                    "Period",
                    f"{timetext.day_words(first_day)} to {timetext.day_words(last_day)} "
                    f"(the county's days, {context.timezone})",
                ),
                (
                    "Computed from",
                    f"the verified record: all {verification.entries:,} entries of the hash "
                    f"chain verified at {timetext.long_time(verification.verified_at, zone)}",
                ),
                ("Head hash of the chain", grouped(verification.head_hash)),
                (
                    "Personal data",
                    "none: no names, booking numbers, A-numbers or dates of birth",
                ),
            ]
        ),
    ]
    story += section(
        "Figures",
        fact_table([(label, value) for label, value in result.summary], label_width=4.2 * inch),
    )
    if result.certifications:
        story += section("Certification", *[para(c, s.body) for c in result.certifications])
    if result.rows:
        story += section(
            f"Entries ({len(result.rows)}), in the statute's fields (also in the CSV file)",
            *_entry_tables(result),
        )
    story += section("Notes", *[para(n, s.body) for n in result.notes])
    source_rows = [[src.citation, src.read, src.address] for src in result.sources]
    story += section(
        "The legal texts this report rests on",
        grid_table(["Law", "Read?", "Where"], source_rows, [3.2, 2.2, 2.6]),
    )
    unread = [src for src in result.sources if not src.fully_read]
    confirm = list(result.counsel_to_confirm)
    if unread:
        confirm.insert(
            0,
            "Some legal texts could not be read in full when this report was built (see the "
            "table above): its fields follow what is publicly known of them.",
        )
    story += section(
        "For county counsel to confirm",
        *[para(f"• {line}", s.body) for line in confirm],
        para(
            "Nothing in Detainer Desk is legal advice. Confirm this report with county "
            "counsel before it is signed and filed.",
            s.note,
        ),
    )
    story.append(Spacer(1, 14))
    story.append(KeepTogether(_signature_block()))
    furniture = Furniture(context, f"{result.title} · {first_day} to {last_day}")
    return build_pdf(
        story,
        furniture,
        title=f"{result.title}, {first_day} to {last_day}",
        subject=result.law,
    )


def _entry_tables(result: lr.ReportResult) -> list[Flowable]:
    """The entries as tables: one per ``part`` when the report has parts, each with only the
    columns that part fills (the CSV keeps them all)."""
    columns = list(result.columns)
    groups: dict[str, list[tuple[str, ...]]] = {}
    if columns[0] == "part":
        for row in result.rows:
            groups.setdefault(row[0], []).append(row[1:])
        columns = columns[1:]
    else:
        groups[""] = list(result.rows)
    out: list[Flowable] = []
    for name, rows in groups.items():
        keep = [i for i in range(len(columns)) if any(row[i] for row in rows)]
        head = [columns[i].replace("_", " ") for i in keep]
        body = [[row[i] for i in keep] for row in rows]
        widths = [
            min(max(len(h) * 0.7, *(len(r[j]) for r in body), 4), 40) for j, h in enumerate(head)
        ]
        if name:
            out.append(para(name, styles().h3))
        out.append(grid_table(head, body, widths))
    return out


def _signature_block() -> list[Flowable]:
    s = styles()
    labels = (
        ("Signature of the reporting official", "Date"),
        ("Name and title", "Agency"),
    )
    data: list[list[Flowable | str]] = []
    for left, right in labels:
        data.append(["", "", ""])
        data.append([para(left, s.label), "", para(right, s.label)])
    table = Table(
        data,
        colWidths=[4.0 * inch, 0.3 * inch, CONTENT_WIDTH - 4.3 * inch],
        rowHeights=[0.34 * inch, None, 0.34 * inch, None],
        hAlign="LEFT",
    )
    table.setStyle(
        table_style(
            [
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("LINEBELOW", (0, 0), (0, 0), 0.8, INK),
                ("LINEBELOW", (2, 0), (2, 0), 0.8, INK),
                ("LINEBELOW", (0, 2), (0, 2), 0.8, INK),
                ("LINEBELOW", (2, 2), (2, 2), 0.8, INK),
            ]
        )
    )
    return [para("Signature", s.h2), table]
