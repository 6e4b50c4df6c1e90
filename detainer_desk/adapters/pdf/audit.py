"""The audit PDF of one decision: everything a court needs to see what the jail was asked,
what it decided under which exact policy text, who did what afterwards, and where each entry
sits in the record's hash chain."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
from collections.abc import Mapping, Sequence
from typing import Any

from reportlab.lib.enums import TA_CENTER
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import inch
from reportlab.platypus import Flowable, Image, KeepTogether, Paragraph, Table

from detainer_desk.domain import contacts as ct
from detainer_desk.domain import lifecycle as lc
from detainer_desk.domain.describe import TRIGGER_WORDS
from detainer_desk.domain.headline import Headline, headline
from detainer_desk.domain.outcomes import Outcome
from detainer_desk.domain.vocabulary import ACTIONS, SIGNER_ROLE_WORDS
from detainer_desk.services.evidence_model import DecisionRecord, PdfDocument, ReportContext, Scan
from detainer_desk.services.ports import AmendmentRecord, AttachmentInfo, Stamp

from . import words as w
from .fonts import MONO, markup
from .layout import (
    CONTENT_WIDTH,
    GRID,
    HEAD_FILL,
    INK,
    MUTED,
    PANEL_FILL,
    Furniture,
    bold,
    build_pdf_document,
    date_text,
    fact_table,
    grid_style,
    grid_table,
    human_size,
    instant_text,
    local_and_utc,
    local_time,
    para,
    parse_instant,
    rich,
    section,
    spacer,
    styles,
    table_style,
    utc_time,
    yes_no,
    zone_named,
)
from .scans import first_page_image

THUMB_WIDTH = 1.25 * inch
THUMB_HEIGHT = 1.6 * inch
THUMB_PIXELS = 320  # about 200 dpi at the printed size: readable, and fast to render


def render_audit_pdf(record: DecisionRecord, context: ReportContext) -> bytes:
    """The audit PDF of one decision, as bytes (``render_audit_document``)."""
    return render_audit_document(record, context).data


def render_audit_document(record: DecisionRecord, context: ReportContext) -> PdfDocument:
    """The audit PDF of one decision, with its number of pages. Every time on it, header
    and footer included, is in the county's zone (``context.timezone``); a time the request
    gave without an offset was read in the zone of the policy it was decided under."""
    zone = zone_named(context.timezone)
    read_in = zone_named(record.policy_timezone)
    summary = record.row.summary
    name, booking = w.name_and_booking(record)

    story: list[Flowable] = []
    story += _title(record, name, booking, zone)
    story += _outcome_panel(record, zone)
    story += _subject_and_request(record, zone, read_in)
    story += _documents(record)
    story += _attachments(record)
    story += _history(record)
    story += _decision(record, zone)
    story += _current_state(record, zone)
    story += _policy(record, zone)
    story += _recorded(record, zone)
    story += _amendments(record, zone)
    story += _contacts(record, zone)
    story += _chain(record)
    story.append(spacer(10))
    story.append(
        para(f"End of the decision record of decision {summary.decision_id}.", styles().note)
    )
    furniture = Furniture(
        context, f"Decision record · decision {summary.decision_id} · booking {booking}"
    )
    return build_pdf_document(
        story,
        furniture,
        title=f"Detainer decision record: decision {summary.decision_id}, {name}",
        subject=f"Immigration detainer decision {summary.decision_id}, booking {booking}",
    )


# -- top of page 1 ---------------------------------------------------------------------------


def _title(record: DecisionRecord, name: str, booking: str, zone: dt.tzinfo) -> list[Flowable]:
    s = styles()
    summary = record.row.summary
    return [
        para("Immigration detainer: decision record", s.title),
        rich(
            f"Decision {summary.decision_id} on the detainer request for {bold(name)}, booking "
            f"{markup(booking)}. Recorded {markup(local_time(summary.recorded_at, zone))} by "
            f"{markup(summary.recorded_by)} at workstation {markup(record.row.workstation)}.",
            s.subtitle,
        ),
    ]


def _headline(shown: Headline) -> str:
    """The headline's words big, its deadline smaller beside them."""
    big = f'<font size="20">{markup(shown.words)}</font>'
    if shown.deadline is not None:
        return f'{big}  <font size="12.5">until {markup(shown.deadline)}</font>'
    return big


def _outcome_panel(record: DecisionRecord, zone: dt.tzinfo) -> list[Flowable]:
    s = styles()
    decision = record.decision
    outcome = str(decision.get("outcome") or record.row.summary.outcome)
    tentative = decision.get("tentative_outcome") or record.row.summary.tentative_outcome
    hold_until = parse_instant(decision.get("hold_until"), zone)
    shown = headline(outcome, tentative, hold_until, lambda moment: local_time(moment, zone))
    rows: list[list[Flowable]] = [
        [para("DECISION RECORDED", s.label)],
        [rich(_headline(shown), s.outcome)],
    ]
    if shown.deadline is not None and hold_until is not None:
        rows.append([para(f"= {utc_time(hold_until)}", s.small)])
    if outcome == Outcome.REVIEW:
        # Under review the tentative hold's deadline is given with its UTC instant.
        review = headline(outcome, tentative, hold_until, lambda t: local_and_utc(t, zone))
        tentative_text = review.tentative or "none"
        if review.tentative_deadline is not None:
            tentative_text += f" until {review.tentative_deadline}"
        rows.append(
            [
                rich(
                    f"<b>Nothing may be done until a supervisor reviews it.</b> Tentative "
                    f"outcome: <b>{markup(tentative_text)}</b>",
                    s.body,
                )
            ]
        )
    state = record.state
    in_force = headline(
        state.outcome, None, state.hold_until, lambda moment: local_time(moment, zone)
    ).text
    if state.closed:
        in_force += " (no longer held on this detainer)"
    past = state.past_deadline_words()
    if past:
        in_force += f": {past}"
    rows.append([para("IN FORCE NOW (derived from the amendments)", s.label)])
    rows.append(
        [
            rich(
                f'<font size="12">{bold(in_force)}</font> · status: {bold(state.status)}',
                s.body,
            )
        ]
    )
    panel = Table(rows, colWidths=[CONTENT_WIDTH], hAlign="LEFT")
    panel.setStyle(
        table_style(
            [
                ("BACKGROUND", (0, 0), (-1, -1), PANEL_FILL),
                ("BOX", (0, 0), (-1, -1), 0.8, MUTED),
                ("LINEBEFORE", (0, 0), (0, -1), 4, INK),
                ("LEFTPADDING", (0, 0), (-1, -1), 10),
                ("TOPPADDING", (0, 0), (-1, -1), 1.5),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5),
                ("TOPPADDING", (0, 0), (-1, 0), 6),
                ("BOTTOMPADDING", (0, -1), (-1, -1), 7),
                ("LINEABOVE", (0, len(rows) - 2), (-1, len(rows) - 2), 0.5, GRID),
                ("TOPPADDING", (0, len(rows) - 2), (-1, len(rows) - 2), 6),
            ]
        )
    )
    return [panel]


# -- the request -------------------------------------------------------------------------


def _subject_and_request(
    record: DecisionRecord, zone: dt.tzinfo, read_in: dt.tzinfo
) -> list[Flowable]:
    request = record.request
    summary = record.row.summary
    subject = w.section(request, "subject")
    detainer = w.section(request, "detainer")
    claim = bool(subject.get("citizenship_claim"))
    indicators = subject.get("us_citizenship_indicators") or []
    citizenship_claim = (
        rich("<b>YES: the person says they are a U.S. citizen</b>") if claim else "no"
    )
    indicator_text = w.coded(indicators, w.INDICATOR_WORDS, "none found in the jail's records")
    rows: list[tuple[str, Flowable | str]] = [
        ("Name", rich(bold(w.text_of(subject.get("name"), summary.subject_name)))),
        ("Date of birth", date_text(subject.get("dob") or summary.dob)),
        ("Booking number", w.text_of(subject.get("booking_number"), summary.booking_number)),
        ("A-number", w.text_of(subject.get("a_number") or summary.a_number)),
        ("FBI number", w.text_of(subject.get("fbi_number"))),
        ("Claims U.S. citizenship", citizenship_claim),
        (
            "U.S. citizenship indicators",
            rich(bold(indicator_text)) if indicators else indicator_text,
        ),
        ("Detainer form", w.text_of(detainer.get("form"), summary.form)),
        ("Issued by ICE", instant_text(detainer.get("issued_at"), zone, read_in=read_in)),
        (
            "Received by the jail",
            instant_text(request.get("received_at"), zone, read_in=read_in),
        ),
        ("Issuing office", w.text_of(detainer.get("issuing_office"))),
        ("Officer", w.text_of(detainer.get("officer"))),
        ("ICE asks the jail to", w.coded(detainer.get("requested"), w.REQUESTED_WORDS)),
        (
            "Probable-cause basis (I-247A box 1)",
            w.coded(detainer.get("probable_cause_basis"), w.BASIS_WORDS, "none stated"),
        ),
        ("Flags", w.coded(request.get("flags"), w.FLAG_WORDS)),
        (
            "Release eligible at (as entered)",
            instant_text(request.get("release_eligible_at"), zone, read_in=read_in)
            if request.get("release_eligible_at")
            else "not known when the request was entered",
        ),
    ]
    return section("1  The person and the request", fact_table(rows))


def _documents(record: DecisionRecord) -> list[Flowable]:
    documents = w.items(record.request, "documents")
    if not documents:
        return section(
            "2  Documents that came with the request",
            para("No documents came with the request.", styles().body),
        )
    rows = []
    for number, document in enumerate(documents, start=1):
        doc: Mapping[str, Any] = document if isinstance(document, Mapping) else {}
        role = doc.get("signer_role")
        signer = SIGNER_ROLE_WORDS.get(str(role), str(role)) if role else "not stated"
        signed = yes_no(doc.get("signed"))
        court = w.text_of(doc.get("court"), "—")
        if doc.get("court_system"):
            court += f" ({doc['court_system']})"
        dates = f"issued {date_text(doc['issued_on'])}" if doc.get("issued_on") else ""
        if doc.get("expires_on"):
            dates += ("\n" if dates else "") + f"expires {date_text(doc['expires_on'])}"
        kind = w.document_words(doc.get("kind"))
        if doc.get("kind") == "removal_order":
            kind += f"\nfinal: {yes_no(doc.get('final'))}"
        rows.append(
            [
                str(number),
                kind,
                f"{signed}\n{signer}" if signed == "yes" else f"{signed}",
                court,
                yes_no(doc.get("names_subject")) if "names_subject" in doc else "—",
                dates or "—",
            ]
        )
    table = grid_table(
        ["#", "Type", "Signed / by", "Court (system)", "Names the person", "Dates"],
        rows,
        [0.3, 1.5, 1.35, 2.15, 0.8, 1.55],
    )
    return section("2  Documents that came with the request", table)


def _attachments(record: DecisionRecord) -> list[Flowable]:
    s = styles()
    attachments = record.row.attachments
    title = "3  Scans attached to the request"
    if not attachments:
        return section(title, para("No scans were attached.", s.body))
    scans = {scan.attachment_id: scan for scan in record.scans}
    documents = w.items(record.request, "documents")
    detail_width = CONTENT_WIDTH - THUMB_WIDTH - 16
    rows = []
    for number, info in enumerate(attachments, start=1):
        thumb, pages_note = _thumbnail(info, scans.get(info.id))
        details = fact_table(
            [
                ("File", rich(f"{number}. {bold(info.file_name)}", s.cell)),
                ("Shows", _shows(info, documents)),
                ("Media type", info.media_type),
                ("Size", human_size(info.size) + pages_note),
                ("SHA-256", para(info.sha256, s.mono_small)),
            ],
            label_width=0.85 * inch,
            width=detail_width,
        )
        rows.append([thumb, details])
    table = Table(rows, colWidths=[THUMB_WIDTH + 8, detail_width + 8], hAlign="LEFT")
    table.setStyle(
        table_style(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 8),
                ("TOPPADDING", (0, 0), (-1, -1), 0),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 8),
            ]
        )
    )
    note = para(
        "Each picture is the first page of the scan, reduced; the scan itself is kept "
        "byte for byte in the record and identified by its SHA-256.",
        s.note,
    )
    return section(title, table, note)


def _shows(info: AttachmentInfo, documents: Sequence[Any]) -> str:
    if info.document_index is None:
        return "the detainer request itself"
    index = info.document_index
    if 0 <= index < len(documents) and isinstance(documents[index], Mapping):
        return f"document {index + 1}: {w.document_words(documents[index].get('kind'))}"
    return f"document {index + 1}"


def _thumbnail(info: AttachmentInfo, scan: Scan | None) -> tuple[Flowable, str]:
    if scan is None:
        return _placeholder("preview not included"), ""
    if not scan.content:
        return _placeholder("preview unavailable: no bytes are stored for this scan"), ""
    if hashlib.sha256(scan.content).hexdigest() != info.sha256.lower():
        # Never show a picture of bytes other than the ones the record vouches for.
        return _placeholder("preview unavailable: the bytes do not match the SHA-256"), ""
    image = first_page_image(scan, THUMB_PIXELS)
    if image is None:
        return _placeholder("preview unavailable"), ""
    scale = min(THUMB_WIDTH / image.width, THUMB_HEIGHT / image.height)
    picture = Image(io.BytesIO(image.jpeg), width=image.width * scale, height=image.height * scale)
    picture.hAlign = "CENTER"
    frame = Table([[picture]], colWidths=[THUMB_WIDTH], rowHeights=[THUMB_HEIGHT])
    frame.setStyle(
        table_style(
            [
                ("BOX", (0, 0), (-1, -1), 0.5, GRID),
                ("ALIGN", (0, 0), (-1, -1), "CENTER"),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                ("TOPPADDING", (0, 0), (-1, -1), 0),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 0),
            ]
        )
    )
    pages = image.pages
    note = "" if not pages or pages == 1 else f"; {pages} pages (the first is shown)"
    return frame, note


def _placeholder(text: str) -> Flowable:
    s = styles()
    centred = ParagraphStyle("placeholder", parent=s.label, alignment=TA_CENTER)
    box = Table([[para(text, centred)]], colWidths=[THUMB_WIDTH], rowHeights=[THUMB_HEIGHT])
    box.setStyle(
        table_style(
            [
                ("BOX", (0, 0), (-1, -1), 0.5, GRID),
                ("BACKGROUND", (0, 0), (-1, -1), PANEL_FILL),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("ALIGN", (0, 0), (-1, -1), "CENTER"),
            ]
        )
    )
    return box


def _history(record: DecisionRecord) -> list[Flowable]:
    entries = w.items(record.request, "history")
    title = "4  Criminal history entered with the request"
    if not entries:
        return section(title, para("No charges or convictions were entered.", styles().body))
    rows = []
    for number, entry in enumerate(entries, start=1):
        e: Mapping[str, Any] = entry if isinstance(entry, Mapping) else {}
        pc = e.get("probable_cause_found")
        rows.append(
            [
                str(number),
                w.text_of(e.get("offense"), "—"),
                w.text_of(e.get("statute"), "—"),
                w.text_of(e.get("class"), "—"),
                w.text_of(e.get("status"), "—"),
                date_text(e.get("date")) if e.get("date") else "—",
                date_text(e.get("released_on")) if e.get("released_on") else "—",
                "—" if pc is None else yes_no(pc),
            ]
        )
    table = grid_table(
        ["#", "Offense", "Statute", "Class", "Status", "Date", "Released", "PC found"],
        rows,
        [0.3, 1.45, 1.15, 1.0, 0.85, 1.05, 1.05, 0.6],
    )
    return section(title, table)


# -- the decision ------------------------------------------------------------------------


def _decision(record: DecisionRecord, zone: dt.tzinfo) -> list[Flowable]:
    s = styles()
    decision = record.decision
    outcome = decision.get("outcome")
    tentative = decision.get("tentative_outcome")
    hold_until = decision.get("hold_until")
    permitted = decision.get("permitted") if isinstance(decision.get("permitted"), Mapping) else {}
    assert isinstance(permitted, Mapping)
    triggers = decision.get("review_triggers") or []
    trigger_text = (
        "\n".join(f"{t}: {TRIGGER_WORDS.get(str(t), '')}".rstrip(": ") for t in triggers)
        if triggers
        else "none fired"
    )
    rows: list[tuple[str, Flowable | str]] = [
        ("Outcome", rich(bold(w.outcome_words(outcome)))),
        (
            "Tentative outcome",
            w.outcome_words(tentative) if tentative else "none (no supervisor review was required)",
        ),
        (
            "Hold until",
            instant_text(hold_until, zone)
            if hold_until
            else "not set (no hold, or the release time was not yet known)",
        ),
        (
            "Permitted by the policy",
            "  ·  ".join(
                f"{action}: {yes_no(permitted.get(action)) if action in permitted else 'not stated'}"
                for action in ACTIONS
            ),
        ),
        ("Review triggers", rich(bold(trigger_text)) if triggers else trigger_text),
        ("Evaluated at", local_and_utc(record.row.evaluated_at, zone)),
    ]
    reasons = [r for r in w.items(decision, "reasons") if isinstance(r, Mapping)]
    reason_rows = [
        [
            str(number),
            w.ACTION_WORDS.get(str(r.get("action")), str(r.get("action"))),
            w.text_of(r.get("result"), "—"),
            w.text_of(r.get("text"), "—"),
            w.text_of(r.get("citation"), "—"),
        ]
        for number, r in enumerate(reasons, start=1)
    ]
    flowables: list[Flowable] = [fact_table(rows)]
    flowables.append(para("Every reason the engine gave, in order", s.h3))
    if reason_rows:
        flowables.append(
            grid_table(
                ["#", "Action", "Result", "Reason", "Citation"],
                reason_rows,
                [0.3, 0.75, 0.95, 3.45, 1.55],
            )
        )
    else:
        flowables.append(para("The decision names no reasons.", s.body))
    return section("5  The decision", *flowables)


def _current_state(record: DecisionRecord, zone: dt.tzinfo) -> list[Flowable]:
    state = record.state
    count = len(record.row.amendments)
    rows: list[tuple[str, Flowable | str]] = [
        ("Status", rich(bold(state.status))),
        ("Outcome in force", rich(bold(w.outcome_words(state.outcome)))),
        (
            "Hold until",
            local_and_utc(state.hold_until, zone) if state.hold_until else "no hold in force",
        ),
        (
            "Release eligible at",
            local_and_utc(state.release_eligible_at, zone)
            if state.release_eligible_at
            else "not yet known",
        ),
        (
            "Closed",
            f"yes ({state.status}): the detainer no longer keeps the person in the jail"
            if state.closed
            else "no: the outcome above is in force",
        ),
    ]
    past = state.past_deadline_words()
    if past and state.past_deadline is not None and state.hold_until is not None:
        ended = state.hold_until.astimezone(dt.UTC) + state.past_deadline
        fact = lc.AMENDMENT_WORDS.get(state.past_deadline_kind or "", "the closing fact")
        rows.append(
            (
                "Held past its deadline",
                rich(
                    f"<b>YES: {markup(past)}.</b> {markup(fact)} at "
                    f"{markup(local_and_utc(ended, zone))}, after the deadline of "
                    f"{markup(local_time(state.hold_until, zone))}. Recorded as it happened.",
                    styles().cell,
                ),
            )
        )
    note = para(
        f"Derived from the recorded decision and its {count} amendment"
        f"{'' if count == 1 else 's'} (section 9); the recorded decision itself is never "
        "changed.",
        styles().note,
    )
    return section("6  The decision's state now", fact_table(rows), note)


def _policy(record: DecisionRecord, zone: dt.tzinfo) -> list[Flowable]:
    s = styles()
    policy = record.row.policy
    stamp = policy.stamp
    rows: list[tuple[str, Flowable | str]] = [
        ("Name", rich(bold(policy.name))),
        ("Policy version id", str(policy.id)),
        ("Source file", policy.source_name),
        ("SHA-256 of the policy text", para(policy.sha256, s.mono)),
        (
            "Stored",
            f"{local_and_utc(stamp.recorded_at, zone)}, by {stamp.recorded_by} at "
            f"workstation {stamp.workstation}",
        ),
    ]
    flowables: list[Flowable] = [fact_table(rows)]
    decision_policy = record.decision.get("policy")
    named = decision_policy.get("sha256") if isinstance(decision_policy, Mapping) else None
    if named and str(named).lower() != policy.sha256.lower():
        flowables.append(
            rich(
                f"<b>Warning: the decision names policy SHA-256 {markup(named)}, which is not "
                "the stored policy version above.</b>",
                s.body,
            )
        )
    flowables.append(
        para(
            "The full policy text with this SHA-256 is kept in the record and included in "
            "every litigation export.",
            s.note,
        )
    )
    return section("7  The policy applied", *flowables)


def _recorded(record: DecisionRecord, zone: dt.tzinfo) -> list[Flowable]:
    summary = record.row.summary
    rows: list[tuple[str, Flowable | str]] = [
        ("Recorded by", rich(bold(summary.recorded_by))),
        ("Recorded at", local_and_utc(summary.recorded_at, zone)),
        ("Workstation", record.row.workstation),
        ("Evaluated at", local_and_utc(record.row.evaluated_at, zone)),
    ]
    return section("8  Who recorded the decision", fact_table(rows))


def _amendments(record: DecisionRecord, zone: dt.tzinfo) -> list[Flowable]:
    amendments = sorted(record.row.amendments, key=lambda a: a.seq)
    title = "9  Amendments, in the order recorded"
    if not amendments:
        return section(
            title,
            para(
                "No amendments have been recorded (no countersignature, override, release "
                "or other later fact).",
                styles().body,
            ),
        )
    closing = [a for a in amendments if a.kind in lc.CLOSING_KINDS]
    first_closing = min(closing, key=lambda a: a.stamp.recorded_at) if closing else None
    past = record.state.past_deadline_words()
    blocks: list[Flowable] = [
        KeepTogether(
            [
                _amendment_block(number, a, zone, past if a is first_closing else None),
                spacer(6),
            ]
        )
        for number, a in enumerate(amendments, start=1)
    ]
    return section(title, *blocks)


def _contacts(record: DecisionRecord, zone: dt.tzinfo) -> list[Flowable]:
    title = "9a  ICE contacts about this decision, in the order recorded"
    if not record.contacts:
        return section(
            title,
            para(
                "No contact with immigration enforcement has been recorded about this "
                "decision (interview or information request, release date given, transfer, "
                "judicial process, database hit, request declined).",
                styles().body,
            ),
        )
    s = styles()
    blocks: list[Flowable] = []
    for number, contact in enumerate(record.contacts, start=1):
        what = ct.CONTACT_WORDS.get(contact.kind, contact.kind)
        if contact.amends_id is not None:
            what = f"Amendment of contact {contact.amends_id} ({what})"
        else:
            what = f"Contact {contact.id}: {what}"
        rows: list[list[Flowable | str]] = [
            [rich(f"{number}.  {bold(what)}", s.cell), ""],
            [para("When", s.label), para(local_and_utc(contact.occurred_at, zone), s.cell)],
            [para("Agency", s.label), para(w.text_of(contact.agency, "—"), s.cell)],
            [para("Details", s.label), _details(contact.details_json, zone)],
            [para("Reason", s.label), para(w.text_of(contact.reason, "—"), s.cell)],
            [para("Policy's answer", s.label), para(w.text_of(contact.policy_answer, "—"), s.cell)],
            *_on_the_chain(contact.stamp, contact.seq, contact.entry_hash, zone),
        ]
        blocks.append(KeepTogether([_entry_table(rows), spacer(6)]))
    return section(title, *blocks)


def _amendment_block(
    number: int, amendment: AmendmentRecord, zone: dt.tzinfo, past_deadline: str | None = None
) -> Flowable:
    s = styles()
    kind = lc.AMENDMENT_WORDS.get(amendment.kind, amendment.kind)
    late = f"   <b>{markup(past_deadline.capitalize())}</b>" if past_deadline else ""
    head = rich(
        f'{number}.  {bold(kind)}<font color="#555555">   ({markup(amendment.kind)})</font>' + late,
        s.cell,
    )
    rows: list[list[Flowable | str]] = [
        [head, ""],
        [
            para("Effective", s.label),
            para(
                local_and_utc(amendment.effective_at, zone) if amendment.effective_at else "—",
                s.cell,
            ),
        ],
        [para("Reason", s.label), para(w.text_of(amendment.reason, "—"), s.cell)],
        [para("Details", s.label), _details(amendment.details, zone)],
        *_on_the_chain(amendment.stamp, amendment.seq, amendment.entry_hash, zone),
    ]
    return _entry_table(rows)


def _on_the_chain(
    stamp: Stamp, seq: int, entry_hash: str, zone: dt.tzinfo
) -> list[list[Flowable | str]]:
    """An entry's last two rows: who recorded it, when and where; its place on the chain."""
    s = styles()
    return [
        [
            para("Recorded", s.label),
            rich(
                f"{markup(local_and_utc(stamp.recorded_at, zone))}<br/>by "
                f"{bold(stamp.recorded_by)} at workstation {markup(stamp.workstation)}",
                s.cell,
            ),
        ],
        [
            para("Chain entry", s.label),
            rich(
                f"seq {seq} · entry hash "
                f'<font name="{MONO}" size="7.5">{markup(entry_hash)}</font>',
                s.cell,
            ),
        ],
    ]


def _entry_table(rows: list[list[Flowable | str]]) -> Table:
    """An amendment's or contact's rows as a table: its heading across the top, the labels
    shaded down the left."""
    label_width = 1.2 * inch
    table = Table(
        rows,
        colWidths=[label_width, CONTENT_WIDTH - label_width],
        splitInRow=1,
        hAlign="LEFT",
    )
    table.setStyle(
        grid_style(
            extra=[
                ("SPAN", (0, 0), (-1, 0)),
                ("BACKGROUND", (0, 0), (-1, 0), HEAD_FILL),
                ("BACKGROUND", (0, 1), (0, -1), PANEL_FILL),
            ]
        )
    )
    return table


def _details(details_json: str | Mapping[str, Any], zone: dt.tzinfo) -> Paragraph:
    s = styles()
    details = w.load_details(details_json)
    if details is None:
        return para(details_json, s.mono_small)
    if not details:
        return para("—", s.cell)
    lines = []
    for key, value in details.items():
        if key == "outcome":
            shown = w.outcome_words(value)
        elif key.endswith(("_until", "_at")) and isinstance(value, str):
            shown = instant_text(value, zone)
        elif isinstance(value, bool):
            shown = yes_no(value)
        elif value is None:
            shown = "—"
        else:
            shown = str(value)
        label = {
            "hold_until": "hold until",
            "window_closed_when_recorded": "hold window already closed when recorded",
        }.get(key, key.replace("_", " "))
        lines.append(f"{bold(label)}: {markup(shown)}")
    return rich("<br/>".join(lines), s.cell)


def _chain(record: DecisionRecord) -> list[Flowable]:
    s = styles()
    row = record.row
    entries: list[tuple[str, int, str]] = [
        (f"Request {row.summary.request_id}", row.request_seq, row.request_entry_hash),
        (f"Decision {row.summary.decision_id}", row.seq, row.entry_hash),
    ]
    for number, a in enumerate(sorted(row.amendments, key=lambda a: a.seq), start=1):
        entries.append(
            (f"Amendment {number}: {lc.AMENDMENT_WORDS.get(a.kind, a.kind)}", a.seq, a.entry_hash)
        )
    rows = [
        [label, para(str(seq), s.cell_right), para(digest, s.mono_small)]
        for label, seq, digest in entries
    ]
    table = grid_table(["Entry", "Seq", "Entry hash (SHA-256)"], rows, [2.2, 0.55, 4.25])
    command = f'<font name="{MONO}">detainer-desk&nbsp;verify</font>'
    note = rich(
        "Each entry hash is a SHA-256 over the entry and the hash of the entry before it, so "
        f"changing any earlier entry changes every hash after it. {command} recomputes the "
        f'whole chain; <font name="{MONO}">detainer-desk&nbsp;verify&nbsp;--checkpoint&nbsp;FILE'
        "</font> also proves that the record still extends a signed, filed checkpoint.",
        s.note,
    )
    return section("10  Place in the record's hash chain", table, note)
