"""The daily checkpoint sheet: one page a supervisor signs and files, so that a paper copy
outside the computer vouches for what the record held on that day."""

from __future__ import annotations

from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import inch
from reportlab.platypus import Flowable, KeepInFrame, Table

from detainer_desk.domain import timetext
from detainer_desk.services.evidence_model import Checkpoint, ReportContext

from .fonts import MONO
from .layout import (
    CONTENT_HEIGHT,
    CONTENT_WIDTH,
    Furniture,
    bold,
    build_pdf,
    fact_table,
    grouped,
    local_and_utc,
    para,
    rich,
    signature_lines,
    spacer,
    styles,
    table_style,
    zone_named,
)

QR_SIZE = 2.3 * inch  # about 1 mm a module for a full checkpoint: phones read it off paper


def render_checkpoint_pdf(checkpoint: Checkpoint, context: ReportContext) -> bytes:
    """The one-page checkpoint sheet, as bytes."""
    zone = zone_named(context.timezone)
    s = styles()
    created = local_and_utc(checkpoint.created_at, zone)
    date_label = timetext.day_text(timetext.county_day(checkpoint.created_at, zone))

    facts = fact_table(
        [
            ("Checkpoint time", created),
            (
                "Entries in the record",
                rich(bold(f"{checkpoint.entries:,}"), _big()),
            ),
            ("Installation", checkpoint.installation_id),
            ("Signed by", f"{checkpoint.signed_by_program} (Ed25519 key of this installation)"),
        ],
        label_width=1.35 * inch,
        width=CONTENT_WIDTH - QR_SIZE - 0.2 * inch,
    )
    top = Table(
        [[facts, _qr(checkpoint.qr_text())]],
        colWidths=[CONTENT_WIDTH - QR_SIZE, QR_SIZE],
        hAlign="LEFT",
    )
    top.setStyle(
        table_style(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                ("TOPPADDING", (0, 0), (-1, -1), 0),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 0),
            ]
        )
    )
    hashes = fact_table(
        [
            (
                "Head hash (the hash of entry " + f"{checkpoint.entries:,})",
                _mono(_lines(checkpoint.head_hash, 32), 12),
            ),
            ("Public key (Ed25519)", _mono(grouped(checkpoint.public_key_hex), 9)),
            ("Signature", _mono(_lines(checkpoint.signature_hex, 64), 9)),
            ("SHA-256 of the entry digest list", _mono(grouped(checkpoint.digests_sha256), 9)),
        ],
        label_width=1.35 * inch,
    )
    steps = [
        "The program wrote this checkpoint to a file and signed it with the installation's "
        "key. Keep that file with the record's backups; this sheet is its witness on paper.",
        "To prove the record still holds, unchanged, every entry this checkpoint covers, run "
        "<font name='{mono}'>detainer-desk&nbsp;verify&nbsp;--checkpoint&nbsp;FILE</font> with that file. It "
        "checks the signature with the public key above, recomputes every entry hash, and "
        "names the first entry that differs, even if someone recomputed the whole chain "
        "afterwards.",
        "Compare the entries, the head hash and the public key the program prints with the ones "
        "on this sheet. They must match exactly.",
        "The QR code holds the same values (time, entries, head hash, public key, signature), "
        "so they can be read back without retyping.",
    ]
    instructions: list[Flowable] = [
        rich(f"{number}.&nbsp;&nbsp;{text.format(mono=MONO)}", s.body)
        for number, text in enumerate(steps, start=1)
    ]
    story: list[Flowable] = [
        para(f"Daily checkpoint of the decision record: {date_label}", s.title),
        para(
            "A signed statement of how many entries the county's decision record held, and the "
            "hash of the last of them, at the time below. A supervisor signs this sheet and "
            "files it.",
            s.subtitle,
        ),
        top,
        spacer(10),
        hashes,
        para("How to check the record against this checkpoint", s.h2),
        *instructions,
        para("Reviewed and filed by the supervisor", s.h2),
        signature_lines(),
    ]
    furniture = Furniture(context, f"Daily checkpoint · {date_label}")
    return build_pdf(
        [KeepInFrame(CONTENT_WIDTH, CONTENT_HEIGHT, story, mode="shrink")],
        furniture,
        title=f"Daily checkpoint of the decision record, {date_label}",
        subject=f"{checkpoint.entries} entries, head hash {checkpoint.head_hash}",
    )


def _mono(text: str, size: float) -> Flowable:
    style = ParagraphStyle(f"mono-{size}", parent=styles().mono, fontSize=size, leading=size * 1.4)
    return para(text, style)


def _big() -> ParagraphStyle:
    return ParagraphStyle("big-number", parent=styles().cell, fontSize=16, leading=20)


def _lines(hex_text: str, width: int) -> str:
    """A long hex string in lines of ``width`` characters, each grouped by eight."""
    return "\n".join(grouped(hex_text[i : i + width]) for i in range(0, len(hex_text), width))


def _qr(text: str) -> Drawing:
    widget = QrCodeWidget(text, barLevel="M")
    widget.barWidth = QR_SIZE
    widget.barHeight = QR_SIZE
    drawing = Drawing(QR_SIZE, QR_SIZE)
    drawing.add(widget)
    return drawing
