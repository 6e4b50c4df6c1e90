"""The notice to the person (after California's TRUTH Act, Gov. Code 7283.1: give the person a
copy of the request and say whether the jail will comply), in plain English and Spanish on one
page, with the copy of the request as page 2 when the jail has a scan of it.

The wording is deliberately short and concrete: what ICE asked, what the jail will do (from
the state in force, so a countersign or an override changes the notice), why, that a detainer
is a request and not a court order, and the right to a lawyer. The engine's reasons exist only
in English; the Spanish column says so and quotes them rather than paraphrasing the law.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import logging
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import inch
from reportlab.platypus import (
    Flowable,
    Image,
    KeepInFrame,
    PageBreak,
    Spacer,
    Table,
)

from detainer_desk.domain import lifecycle as lc
from detainer_desk.domain import timetext
from detainer_desk.domain.headline import headline
from detainer_desk.domain.outcomes import Outcome
from detainer_desk.services.evidence_model import DecisionRecord, ReportContext, Scan
from detainer_desk.services.ports import AmendmentRecord

from . import words as w
from .fonts import markup
from .layout import (
    BOTTOM_MARGIN,
    CONTENT_HEIGHT,
    CONTENT_WIDTH,
    GRID,
    HEAD_FILL,
    INK,
    MARGIN,
    PANEL_FILL,
    Furniture,
    bold,
    build_pdf,
    grid_style,
    local_time,
    para,
    parse_instant,
    rich,
    styles,
    table_style,
    zone_named,
)
from .scans import PDF, first_page_image

log = logging.getLogger(__name__)

COPY_PIXELS = 1700  # a scanned page at about 170 dpi: as legible as the fax it came from
MAX_REASON_CHARS = 300
MAX_REASONS = 2


TRIGGER_PLAIN = {
    "citizenship_claim": (
        "you may be a U.S. citizen (you said so, or the jail's records suggest it)",
        "usted podría ser ciudadano/a de EE. UU. (usted lo dijo, o los registros de la "
        "cárcel lo indican)",
    ),
    "missing_admin_warrant": (
        "the request came without a signed ICE warrant (form I-200 or I-205)",
        "la solicitud llegó sin una orden firmada de ICE (formulario I-200 o I-205)",
    ),
    "database_only_basis": (
        "ICE's only stated reason is a match in a fingerprint database",
        "la única razón que da ICE es una coincidencia en una base de datos de huellas",
    ),
    "immigration_judge_order": (
        "a removal order signed by an immigration judge came with the request",
        "con la solicitud llegó una orden de deportación firmada por un juez de inmigración",
    ),
    "juvenile": ("you are under 18", "usted es menor de 18 años"),
    "no_probable_cause": (
        "the request does not say why ICE believes you can be deported",
        "la solicitud no dice por qué ICE cree que usted puede ser deportado/a",
    ),
}


@dataclass(frozen=True, slots=True)
class _Bilingual:
    english: str  # paragraph markup
    spanish: str


def render_notice_pdf(record: DecisionRecord, context: ReportContext) -> bytes:
    """The notice to the person: page 1 in English and Spanish; page 2 the copy of the
    request (the attachment that shows the request itself) when there is one."""
    # Every date and time in the county's zone (the footer's too); a time the request gave
    # without an offset was read in the zone of the policy it was decided under.
    zone = zone_named(context.timezone)
    read_in = zone_named(record.policy_timezone)
    name, booking = w.name_and_booking(record)
    request_scan = _request_scan(record)

    story: list[Flowable] = [
        KeepInFrame(
            CONTENT_WIDTH,
            CONTENT_HEIGHT,
            _page_one(record, context, zone, read_in, name, booking, request_scan is not None),
            mode="shrink",
        )
    ]
    pdf_copy: tuple[Any, _Area] | None = None
    if request_scan is not None:
        story.append(PageBreak())
        copy_story, pdf_copy = _page_two(record, request_scan, zone, read_in)
        story += copy_story
    furniture = Furniture(context, f"Notice to the person · booking {booking}")
    document = build_pdf(
        story,
        furniture,
        title=f"Notice about an immigration detainer: {name}, booking {booking}",
        subject="Notice to the person / Aviso a la persona",
        lang="en-US",
    )
    if pdf_copy is None:
        return document
    return _place_copy(document, *pdf_copy)


# -- page 1 ----------------------------------------------------------------------------------


def _page_one(
    record: DecisionRecord,
    context: ReportContext,
    zone: dt.tzinfo,
    read_in: dt.tzinfo,
    name: str,
    booking: str,
    has_copy: bool,
) -> list[Flowable]:
    s = styles()
    request = record.request
    received = parse_instant(request.get("received_at"), read_in) or record.row.summary.received_at
    today = context.generated_at
    value = ParagraphStyle("notice-fact", parent=s.cell, fontSize=9, leading=11.4)
    facts = Table(
        [
            [
                para("Name / Nombre", s.label),
                para("Booking number / Número de registro", s.label),
                para("ICE request received / Solicitud de ICE recibida", s.label),
                para("Date of this notice / Fecha de este aviso", s.label),
            ],
            [
                rich(f'<font size="11">{bold(name)}</font>', value),
                rich(f'<font size="11">{bold(booking)}</font>', value),
                rich(f"{_date_en(received, zone)}<br/>{_date_es(received, zone)}", value),
                rich(f"{_date_en(today, zone)}<br/>{_date_es(today, zone)}", value),
            ],
        ],
        colWidths=[2.2 * inch, 1.3 * inch, 1.75 * inch, CONTENT_WIDTH - 5.25 * inch],
        hAlign="LEFT",
    )
    facts.setStyle(grid_style(extra=[("BACKGROUND", (0, 0), (-1, 0), PANEL_FILL)]))
    topics = [
        (("What ICE asked", "Lo que pidió ICE"), _what_ice_asked(request)),
        (("What the jail will do", "Lo que hará la cárcel"), _what_the_jail_will_do(record, zone)),
        (("Why", "Por qué"), _why(record)),
        (
            (
                "A detainer is a request, not a court order",
                "Un detainer es una solicitud, no una orden judicial",
            ),
            _Bilingual(
                "An immigration detainer is a request from ICE, a federal agency. It is not an "
                "order from a court and it is not a criminal charge. This decision does not "
                "change your bail or your criminal case.",
                "Una solicitud de retención migratoria (<i>detainer</i>) es un pedido de ICE, "
                "una agencia federal. No es una orden de un tribunal ni un cargo penal. Esta "
                "decisión no cambia su fianza ni su caso penal.",
            ),
        ),
        (("Your rights", "Sus derechos"), _rights(has_copy)),
    ]
    # Sized so a usual notice fits the page as it is; KeepInFrame shrinks only the unusual.
    body = ParagraphStyle("notice", parent=s.body, fontSize=9, leading=11.4, spaceAfter=0)
    rows: list[list[Flowable]] = []
    for (title_en, title_es), text in topics:
        rows.append(
            [
                rich(f"{bold(title_en)}<br/>{text.english}", body),
                rich(f"{bold(title_es)}<br/>{text.spanish}", body),
            ]
        )
    half = CONTENT_WIDTH / 2
    table = Table(rows, colWidths=[half, half], hAlign="LEFT")
    table.setStyle(
        grid_style(
            header=False,
            extra=[
                ("TOPPADDING", (0, 0), (-1, -1), 4),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
                ("LEFTPADDING", (0, 0), (-1, -1), 6),
                ("RIGHTPADDING", (0, 0), (-1, -1), 6),
            ],
        )
    )
    # Proof of service: the TRUTH Act notice must reach the person, and the file shows who
    # handed it over and when.
    served = Table(
        [
            ["", "", ""],
            [
                para(
                    "Given to the person by (name, badge) / Entregado por (nombre, placa)", s.label
                ),
                "",
                para("Date and time / Fecha y hora", s.label),
            ],
        ],
        colWidths=[4.0 * inch, 0.3 * inch, CONTENT_WIDTH - 4.3 * inch],
        rowHeights=[0.32 * inch, None],
        hAlign="LEFT",
    )
    served.setStyle(
        table_style(
            [
                ("LINEBELOW", (0, 0), (0, 0), 0.8, INK),
                ("LINEBELOW", (2, 0), (2, 0), 0.8, INK),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("TOPPADDING", (0, 1), (-1, 1), 2),
            ]
        )
    )
    policy = record.row.policy
    policy_line = para(
        f"Record / Registro: decision {record.row.summary.decision_id} · policy version "
        f"{policy.id}, SHA-256 {policy.sha256[:16]}…",
        s.small,
    )
    return [
        para("Notice about an immigration detainer", s.title),
        rich(
            '<font size="13">Aviso sobre una solicitud de retención migratoria '
            "(<i>detainer</i>)</font>",
            s.subtitle,
        ),
        facts,
        Spacer(1, 8),
        table,
        Spacer(1, 6),
        served,
        Spacer(1, 6),
        policy_line,
    ]


def _rights(has_copy: bool) -> _Bilingual:
    copy_en = (
        "A copy of the ICE request the jail received is attached as page 2."
        if has_copy
        else "Ask jail staff for a copy of the ICE request the jail received."
    )
    copy_es = (
        "Se adjunta como página 2 una copia de la solicitud de ICE que recibió la cárcel."
        if has_copy
        else "Pida al personal de la cárcel una copia de la solicitud de ICE que recibió."
    )
    return _Bilingual(
        "You have the right to contact a lawyer about this notice and about your immigration "
        "case. If you do not have a lawyer, ask jail staff how to reach free or low-cost legal "
        f"help. {copy_en}",
        "Usted tiene derecho a comunicarse con un abogado sobre este aviso y sobre su caso de "
        "inmigración. Si no tiene abogado, pregunte al personal de la cárcel cómo obtener ayuda "
        f"legal gratuita o de bajo costo. {copy_es}",
    )


def _what_ice_asked(request: Mapping[str, Any]) -> _Bilingual:
    detainer = w.section(request, "detainer")
    form = markup(w.text_of(detainer.get("form"), "I-247"))
    requested = {str(r) for r in w.items(detainer, "requested")}
    cap_en = " (for up to 48 hours)" if form == "I-247A" else ""
    cap_es = " (hasta 48 horas)" if form == "I-247A" else ""
    en = (
        "U.S. Immigration and Customs Enforcement (ICE) sent the jail an immigration "
        f"detainer (form {form}). ICE asked the jail "
    )
    es = (
        "El Servicio de Inmigración y Control de Aduanas de EE. UU. (ICE) envió a la cárcel "
        f"una solicitud de retención migratoria (formulario {form}). ICE pidió a la cárcel "
    )
    notify_en = "to tell ICE before you are released"
    notify_es = "que le avise antes de que usted salga en libertad"
    hold_en = (
        f"to keep you in custody after you would otherwise be released{cap_en}, so that ICE "
        "can take you into its custody"
    )
    hold_es = (
        "que lo/la mantenga bajo custodia después de la hora en que normalmente saldría en "
        f"libertad{cap_es}, para que ICE pueda ponerlo/a bajo su custodia"
    )
    if "hold" in requested and "notify" in requested:
        return _Bilingual(f"{en}{notify_en}, and {hold_en}.", f"{es}{notify_es}, y {hold_es}.")
    if "hold" in requested:
        return _Bilingual(f"{en}{hold_en}.", f"{es}{hold_es}.")
    return _Bilingual(f"{en}{notify_en}.", f"{es}{notify_es}.")


def _latest(
    record: DecisionRecord, kind: str, *, with_reason: bool = False
) -> AmendmentRecord | None:
    found = [a for a in record.row.amendments if a.kind == kind and (a.reason or not with_reason)]
    return max(found, key=lambda a: a.seq) if found else None


def _what_the_jail_will_do(record: DecisionRecord, zone: dt.tzinfo) -> _Bilingual:
    state = record.state
    if state.status == lc.STATUS_LIFTED:
        return _Bilingual(
            "<b>ICE has cancelled this request. The jail will not act on it.</b>",
            "<b>ICE canceló esta solicitud. La cárcel no tomará ninguna medida por ella.</b>",
        )
    if state.status in (lc.STATUS_RELEASED, lc.STATUS_IN_ICE_CUSTODY):
        kind = lc.RELEASED if state.status == lc.STATUS_RELEASED else lc.ICE_CUSTODY
        amendment = _latest(record, kind)
        when = amendment.effective_at if amendment is not None else None
        when_en = f" on {markup(local_time(when, zone))}" if when else ""
        when_es = f" el {_datetime_es(when, zone)}" if when else ""
        if kind == lc.RELEASED:
            return _Bilingual(
                f"<b>The jail's record shows that you were released{when_en}.</b> The jail no "
                "longer acts on this request.",
                f"<b>Según el registro de la cárcel, usted salió en libertad{when_es}.</b> La "
                "cárcel ya no toma medidas por esta solicitud.",
            )
        return _Bilingual(
            f"<b>The jail's record shows that you were handed over to ICE{when_en}.</b>",
            f"<b>Según el registro de la cárcel, usted fue entregado/a a ICE{when_es}.</b>",
        )
    outcome = state.outcome
    # The decision's headline, in the sentences a person reads (the deadline in English from
    # it; the Spanish sentence gives the same instant in Spanish words).
    shown = headline(outcome, None, state.hold_until, lambda moment: local_time(moment, zone))
    if outcome == Outcome.REVIEW:
        return _Bilingual(
            "<b>A supervisor is reviewing this request. Nothing will be done on it until the "
            "review is finished.</b> You may ask jail staff for the result.",
            "<b>Un supervisor está revisando esta solicitud. No se hará nada al respecto hasta "
            "que termine la revisión.</b> Puede pedir el resultado al personal de la cárcel.",
        )
    not_longer_en = "The jail will not keep you any longer because of this request."
    not_longer_es = "La cárcel no lo/la mantendrá detenido/a más tiempo por esta solicitud."
    if outcome == Outcome.HOLD:
        if shown.deadline is not None and state.hold_until is not None:
            return _Bilingual(
                "<b>The jail will keep you in custody after you would otherwise be released, "
                f"but not after {markup(shown.deadline)}.</b> If ICE has "
                "not taken custody of you by then, the jail must release you, unless another "
                "lawful reason holds you.",
                "<b>La cárcel lo/la mantendrá bajo custodia después de la hora en que "
                "normalmente saldría en libertad, pero no después del "
                f"{_datetime_es(state.hold_until, zone)}.</b> Si para entonces ICE no lo/la ha "
                "puesto bajo su custodia, la cárcel debe dejarlo/a en libertad, salvo que otro "
                "motivo legal lo impida.",
            )
        return _Bilingual(
            "<b>The jail will keep you in custody after you would otherwise be released, for "
            "no longer than the county's policy allows.</b> The exact time limit will be set "
            "when your release date is known.",
            "<b>La cárcel lo/la mantendrá bajo custodia después de la hora en que normalmente "
            "saldría en libertad, pero no más de lo que permite la política del condado.</b> "
            "El límite exacto se fijará cuando se conozca la fecha de su salida.",
        )
    if outcome == Outcome.TRANSFER:
        return _Bilingual(
            f"<b>{not_longer_en} When you are released, the jail may hand you over to ICE "
            "officers at that time.</b>",
            f"<b>{not_longer_es} Cuando usted salga en libertad, la cárcel podrá entregarlo/a "
            "a agentes de ICE en ese momento.</b>",
        )
    if outcome == Outcome.NOTIFY:
        return _Bilingual(
            f"<b>{not_longer_en} The jail will only tell ICE the date and time of your "
            "release.</b>",
            f"<b>{not_longer_es} La cárcel solo le informará a ICE la fecha y la hora de su "
            "salida.</b>",
        )
    return _Bilingual(
        "<b>The jail will not act on this request.</b> It will not keep you any longer, will "
        "not hand you over to ICE, and will not tell ICE when you will be released.",
        "<b>La cárcel no tomará ninguna medida por esta solicitud.</b> No lo/la mantendrá "
        "detenido/a más tiempo, no lo/la entregará a ICE y no le informará a ICE cuándo "
        "saldrá en libertad.",
    )


def _why(record: DecisionRecord) -> _Bilingual:
    state = record.state
    decision = record.decision
    reasons = [r for r in w.items(decision, "reasons") if isinstance(r, Mapping)]
    citation = next((str(r["citation"]) for r in reasons if r.get("citation")), "")
    policy = markup(record.row.policy.name)
    cited = f" ({markup(citation)})" if citation else ""
    en = f"The jail decided this under the county's written policy \u201c{policy}\u201d{cited}."
    es = (
        f"La cárcel tomó esta decisión según la política escrita del condado "
        f"\u00ab{policy}\u00bb{cited}."
    )
    override = _latest(record, lc.OVERRIDE, with_reason=True)
    lifted = _latest(record, lc.LIFTED, with_reason=True)
    if state.status == lc.STATUS_LIFTED and lifted is not None:
        quoted = _quote(lifted.reason or "")
        return _Bilingual(
            f"Recorded reason: {quoted}",
            f"Motivo registrado (en inglés): {quoted}",
        )
    if state.outcome == Outcome.REVIEW:
        triggers = [str(t) for t in w.items(decision, "review_triggers")]
        plain = [TRIGGER_PLAIN.get(t, (t.replace("_", " "), t.replace("_", " "))) for t in triggers]
        because_en = "; and ".join(markup(p[0]) for p in plain) or "the policy requires it"
        because_es = "; y ".join(markup(p[1]) for p in plain) or "la política lo exige"
        return _Bilingual(
            f"Under the county's written policy \u201c{policy}\u201d{cited}, a supervisor must "
            f"look at this request first, because {because_en}.",
            f"Según la política escrita del condado \u00ab{policy}\u00bb{cited}, un supervisor "
            f"debe revisar esta solicitud primero, porque {because_es}.",
        )
    if state.status == lc.STATUS_OVERRIDDEN and override is not None:
        quoted = _quote(override.reason or "")
        return _Bilingual(
            f"{en} A supervisor changed the decision, giving this reason: {quoted}",
            f"{es} Un supervisor cambió la decisión y dio este motivo (en inglés): {quoted}",
        )
    deciding = _deciding_reasons(reasons, state.outcome)
    if not deciding:
        return _Bilingual(en, es)
    quoted = " ".join(_quote(str(r.get("text") or "")) for r in deciding[:MAX_REASONS])
    more = len(deciding) > MAX_REASONS or any(
        len(str(r.get("text") or "")) > MAX_REASON_CHARS for r in deciding[:MAX_REASONS]
    )
    tail_en = " The full reasons are in the jail's decision record." if more else ""
    tail_es = " Los motivos completos están en el registro de la cárcel." if more else ""
    return _Bilingual(
        f"{en} The deciding reason: {quoted}{tail_en}",
        f"{es} El motivo decisivo, tal como consta en el registro (en inglés): {quoted}{tail_es}",
    )


def _deciding_reasons(
    reasons: Sequence[Mapping[str, Any]], outcome: str
) -> list[Mapping[str, Any]]:
    if outcome in (Outcome.HOLD, Outcome.TRANSFER, Outcome.NOTIFY):
        return [r for r in reasons if r.get("action") == outcome and r.get("result") == "permitted"]
    # Decline: notification was the last thing the policy could have allowed.
    return [r for r in reasons if r.get("action") == "notify" and r.get("result") != "permitted"]


def _quote(text: str) -> str:
    # "clause 1: ..." names the policy clause for counsel; the person needs the substance.
    text = re.sub(r"^clause \d+: ", "", " ".join(text.split()))
    if len(text) > MAX_REASON_CHARS:
        text = text[: MAX_REASON_CHARS - 1].rstrip() + "…"
    return f"<i>\u201c{markup(text)}\u201d</i>"


# -- dates in both languages -------------------------------------------------------------------


def _date_en(moment: dt.datetime, zone: dt.tzinfo) -> str:
    """The county's date: ``February 13, 2026``."""
    return markup(timetext.date_english(timetext.county_day(moment, zone)))


def _date_es(moment: dt.datetime, zone: dt.tzinfo) -> str:
    """The county's date: ``13 de febrero de 2026``."""
    return markup(timetext.date_spanish(timetext.county_day(moment, zone)))


def _datetime_es(moment: dt.datetime, zone: dt.tzinfo) -> str:
    """``viernes 13 de febrero de 2026, 15:00 PST (UTC-08:00)``."""
    return markup(timetext.long_time_spanish(moment, zone))


# -- page 2: the copy of the request -----------------------------------------------------------


def _request_scan(record: DecisionRecord) -> Scan | None:
    """The attachment that shows the request itself (not one of its documents), if its bytes
    are the ones the record vouches for."""
    recorded = {a.id: a.sha256.lower() for a in record.row.attachments}
    for scan in record.scans:
        if scan.document_index is not None:
            continue
        digest = hashlib.sha256(scan.content).hexdigest()
        if recorded.get(scan.attachment_id, scan.sha256.lower()) == digest:
            return scan
        log.warning("attachment %s: bytes do not match the recorded SHA-256", scan.attachment_id)
    return None


@dataclass(frozen=True, slots=True)
class _Area:
    """Where the copy goes on page 2, in points from the bottom left of the page."""

    x: float
    y: float
    width: float
    height: float

    def fit(self, width: float, height: float) -> tuple[float, float]:
        scale = min(self.width / width, self.height / height)
        return width * scale, height * scale


def _page_two(
    record: DecisionRecord, scan: Scan, zone: dt.tzinfo, read_in: dt.tzinfo
) -> tuple[list[Flowable], tuple[Any, _Area] | None]:
    """The copy's caption and picture. A PDF scan's own first page is laid into the space
    below the caption afterwards (vector, its text kept); an image is drawn to fit."""
    s = styles()
    received = parse_instant(record.request.get("received_at"), read_in)
    caption: list[Flowable] = [
        para(
            "Copy of the immigration detainer request received by the jail / Copia de la "
            "solicitud de retención migratoria recibida por la cárcel",
            s.h3,
        ),
        para(
            f"File {scan.file_name}"
            + (f", received {local_time(received, zone)}" if received else "")
            + f". SHA-256 {scan.sha256}",
            s.small,
        ),
        Spacer(1, 8),
    ]
    used = sum(f.wrap(CONTENT_WIDTH, CONTENT_HEIGHT)[1] + f.getSpaceAfter() for f in caption)
    # A few points short of the frame, so rounding never pushes the copy to a third page.
    area = _Area(MARGIN, BOTTOM_MARGIN + 4, CONTENT_WIDTH, CONTENT_HEIGHT - used - 4)
    if scan.media_type == PDF or scan.content.startswith(b"%PDF"):
        page = _pdf_first_page(scan)
        if page is not None:
            width, height = area.fit(float(page.cropbox.width), float(page.cropbox.height))
            return [*caption, _Outline(width, height)], (page, area)
    image = first_page_image(scan, COPY_PIXELS, quality=80)
    if image is None:
        return [*caption, _copy_unavailable()], None
    width, height = area.fit(image.width, image.height)
    picture = Image(io.BytesIO(image.jpeg), width=width - 2, height=height - 2)
    framed = Table([[picture]], colWidths=[width])
    framed.setStyle(
        table_style(
            [
                ("BOX", (0, 0), (-1, -1), 0.5, HEAD_FILL),
                ("LEFTPADDING", (0, 0), (-1, -1), 1),
                ("RIGHTPADDING", (0, 0), (-1, -1), 1),
                ("TOPPADDING", (0, 0), (-1, -1), 1),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 1),
            ]
        )
    )
    return [*caption, framed], None


class _Outline(Flowable):  # type: ignore[misc]  # reportlab is untyped
    """The edge of the copied page; the page itself is laid in after the build."""

    def __init__(self, width: float, height: float) -> None:
        super().__init__()
        self.width, self.height = width, height
        self.hAlign = "CENTER"

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        return self.width, self.height

    def draw(self) -> None:
        self.canv.saveState()
        self.canv.setStrokeColor(HEAD_FILL)
        self.canv.setLineWidth(0.5)
        self.canv.rect(0, 0, self.width, self.height)
        self.canv.restoreState()


def _copy_unavailable() -> Flowable:
    box = Table(
        [
            [
                para(
                    "The copy of the request could not be reproduced from the scan. Jail staff "
                    "must give the person a printed copy of the request. / No se pudo "
                    "reproducir la copia de la solicitud. El personal de la cárcel debe "
                    "entregarle una copia impresa.",
                    styles().body,
                )
            ]
        ],
        colWidths=[CONTENT_WIDTH],
    )
    box.setStyle(
        table_style(
            [
                ("BOX", (0, 0), (-1, -1), 0.8, GRID),
                ("BACKGROUND", (0, 0), (-1, -1), PANEL_FILL),
                ("TOPPADDING", (0, 0), (-1, -1), 12),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 12),
                ("LEFTPADDING", (0, 0), (-1, -1), 12),
            ]
        )
    )
    return box


def _pdf_first_page(scan: Scan) -> Any:
    """The scan's first page as a pypdf page (its rotation turned into content, so it lies as
    it is read), or None if pypdf cannot take it: then it is drawn as a picture instead."""
    # pypdf (with its cryptography import) costs half a second: only when a PDF is copied.
    from pypdf import PdfReader, PdfWriter
    from pypdf.errors import PyPdfError

    try:
        reader = PdfReader(io.BytesIO(scan.content))
        if reader.is_encrypted and not reader.decrypt(""):
            return None
        if len(reader.pages) == 0:
            return None
        copy = PdfWriter()
        page = copy.add_page(reader.pages[0])
        page.transfer_rotation_to_content()
        box = page.cropbox
        if float(box.width) <= 0 or float(box.height) <= 0:
            return None
        return page
    except (PyPdfError, OSError, ValueError, KeyError, IndexError, TypeError) as error:
        log.warning("attachment %s: cannot copy the PDF page: %s", scan.attachment_id, error)
        return None


def _place_copy(document: bytes, scan_page: Any, area: _Area) -> bytes:
    """Lay the scan's first page, scaled to fit and centred, into the space on page 2."""
    from pypdf import PdfReader, PdfWriter, Transformation

    box = scan_page.cropbox
    left, bottom = float(box.left), float(box.bottom)
    source_width, source_height = float(box.width), float(box.height)
    width, height = area.fit(source_width, source_height)
    scale = width / source_width
    x = area.x + (area.width - width) / 2
    y = area.y + area.height - height  # top-aligned under the caption
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(document)))
    writer.pages[1].merge_transformed_page(
        scan_page,
        Transformation().translate(-left, -bottom).scale(scale, scale).translate(x, y),
    )
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
