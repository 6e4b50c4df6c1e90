"""The files of a litigation bundle, rendered: the Concordance and Opticon load files, the
JSON lines of decisions and contacts, contacts.csv, and the bundle's own papers (README,
verification report, FRE 902(14) certification). Plain values in, text out; which records
go in, and in what order, is the export service's (services/export)."""

from __future__ import annotations

import datetime as dt
import io
import json
import re
from collections.abc import Mapping, Sequence
from typing import Any
from zoneinfo import ZoneInfo

from detainer_desk.domain import contacts as ct
from detainer_desk.domain.text import csv_row, visible
from detainer_desk.domain.timetext import long_time_and_utc
from detainer_desk.services.evidence_model import (
    BundleAbout,
    ContactHistory,
    DecisionRecord,
    ReportContext,
)
from detainer_desk.services.export import csv_writer
from detainer_desk.services.ports import ContactRecord
from detainer_desk.services.presentation import amendment_json

DAT_FIELDS = (
    "BEGDOC",
    "ENDDOC",
    "BEGATTACH",
    "ENDATTACH",
    "PARENTID",
    "DOCTYPE",
    "DECISIONID",
    "SUBJECT",
    "BOOKING",
    "ANUMBER",
    "RECEIVED",
    "OUTCOME",
    "FILENAME",
    "NATIVEPATH",
    "SHA256",
    "PAGES",
)
VOLUME = "DETAINERDESK001"

# contacts.csv: one row per entry (a contact, or an amendment of one, each as recorded),
# FOIA-style names beside decisions.csv's.
CONTACT_COLUMNS = (
    "Contact ID",
    "Amends Contact ID",
    "Contact Type",
    "Contact Type Words",
    "Contact Date Time",
    "Requesting Agency",
    "Decision ID",
    "Decision Control Number",
    "Details",
    "Reason",
    "Policy Answer",
    "Recorded By",
    "Recorded At",
    "Workstation",
    "Chain Seq",
    "Entry Hash",
)


def dat_line(values: Sequence[str]) -> str:
    # Concordance: each field quoted with þ (U+00FE), separated by DC4 (U+0014); a newline
    # inside a field is written as ® (U+00AE). Any other control character (a DC4 would
    # split the field) is written as its escape.
    cleaned = (
        visible(str(v).replace("þ", "").replace("\r\n", "®").replace("\n", "®")) for v in values
    )
    return "\x14".join(f"þ{v}þ" for v in cleaned) + "\r\n"


def opt_line(control: str, path: str, pages: int) -> str:
    """Opticon: one image document per line, its path with Windows separators."""
    return f"{control},{VOLUME},{path.replace('/', chr(92))},Y,,,{pages}\r\n"


def safe_name(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "_", name).strip("._") or "file"


def contacts_files(
    contacts: Sequence[ContactHistory], controls: Mapping[int, str], county: dt.tzinfo
) -> tuple[str, str]:
    """contacts.csv and contacts.jsonl: each contact and its amendments, each entry as
    recorded (``controls``: the control number of each exported decision)."""

    def iso(moment: dt.datetime) -> str:
        return moment.astimezone(county).isoformat()

    def entry(c: ContactRecord) -> dict[str, Any]:
        return {
            "contact_id": c.id,
            "amends_contact_id": c.amends_id,
            "kind": c.kind,
            "occurred_at": iso(c.occurred_at),
            "agency": c.agency,
            "decision_id": c.decision_id,
            "details": c.details,
            "reason": c.reason,
            "policy_answer": c.policy_answer,
            "recorded_by": c.stamp.recorded_by,
            "recorded_at": iso(c.stamp.recorded_at),
            "workstation": c.stamp.workstation,
            "chain": {"seq": c.seq, "entry_hash": c.entry_hash},
        }

    table_buffer = io.StringIO()
    table = csv_writer(table_buffer)
    table.writerow(CONTACT_COLUMNS)
    lines = io.StringIO()
    for contact in contacts:
        original, history, now_reads = contact.original, contact.amendments, contact.reads_now
        for c in (original, *history):
            table.writerow(
                csv_row(  # formulas guarded, control characters escaped
                    [
                        c.id,
                        "" if c.amends_id is None else c.amends_id,
                        c.kind,
                        ct.CONTACT_WORDS.get(c.kind, c.kind),
                        iso(c.occurred_at),
                        c.agency,
                        "" if c.decision_id is None else c.decision_id,
                        controls.get(c.decision_id, "") if c.decision_id is not None else "",
                        c.details_json,
                        c.reason or "",
                        c.policy_answer or "",
                        c.stamp.recorded_by,
                        iso(c.stamp.recorded_at),
                        c.stamp.workstation,
                        c.seq,
                        c.entry_hash,
                    ]
                )
            )
        document = {
            **entry(original),
            "amendments": [entry(c) for c in history],
            "as_it_reads_now": {
                "occurred_at": iso(now_reads.occurred_at),
                "agency": now_reads.agency,
                "details": dict(now_reads.details),
            },
        }
        lines.write(json.dumps(document, ensure_ascii=False, sort_keys=True) + "\n")
    return table_buffer.getvalue(), lines.getvalue()


def decision_json(
    record: DecisionRecord,
    control: str,
    pdf: str | None,
    natives: list[dict[str, Any]],
    zone: dt.tzinfo = dt.UTC,
) -> dict[str, Any]:
    """One line of decisions.jsonl. Instants are full ISO 8601 with the county's offset
    (``zone``), so their dates are the county's dates."""

    def iso(moment: dt.datetime | None) -> str | None:
        return moment.astimezone(zone).isoformat() if moment is not None else None

    row, state = record.row, record.state
    return {
        "decision_id": row.summary.decision_id,
        "control_number": control,
        "audit_pdf": pdf,
        "chain": {
            "decision_seq": row.seq,
            "decision_entry_hash": row.entry_hash,
            "request_seq": row.request_seq,
            "request_entry_hash": row.request_entry_hash,
        },
        "recorded": {
            "at": iso(row.summary.recorded_at),
            "by": row.summary.recorded_by,
            "workstation": row.workstation,
            "evaluated_at": iso(row.evaluated_at),
        },
        "policy_version": {
            "id": row.policy.id,
            "name": row.policy.name,
            "sha256": row.policy.sha256,
        },
        "request": record.request,
        "decision": record.decision,
        "attachments": natives,
        "amendments": [amendment_json(a, zone) for a in row.amendments],
        "state": {
            "status": state.status,
            "outcome_in_force": state.outcome,
            "closed": state.closed,
            "hold_until": iso(state.hold_until),
            "release_eligible_at": iso(state.release_eligible_at),
        },
    }


def _made_at(context: ReportContext) -> str:
    """When the export was made, in the county's time and as the exact UTC instant."""
    return long_time_and_utc(context.generated_at, ZoneInfo(context.timezone))


def _describe_query(about: BundleAbout) -> str:
    parts = [f"{key}={value}" for key, value in about.filters.items() if value]
    return ", ".join(parts) or "all decisions"


def verification_report(about: BundleAbout) -> str:
    context, checkpoint = about.context, about.checkpoint
    return f"""DETAINER DESK - VERIFICATION REPORT
{context.county_name} - {context.jail_name}

Export made {_made_at(context)} by {context.generated_by} for {about.recipient}.
Records selected: {_describe_query(about)} ({about.decisions} decisions).

Before anything was exported, the whole record was verified: every entry's SHA-256 hash
was recomputed from its contents and from the entry before it, and every attachment's
SHA-256 was recomputed from its bytes. Result: all {checkpoint.entries} entries verified.

Head of the hash chain: {checkpoint.head_hash}
Signed checkpoint (Ed25519): checkpoint/checkpoint.json, printable as checkpoint/checkpoint.pdf
  installation {checkpoint.installation_id}
  public key   {checkpoint.public_key_hex}
  signature    {checkpoint.signature_hex}

How to check this bundle:
  1. Every file: `sha256sum -c manifest.sha256` in this folder (all lines must say OK).
  2. The record itself, later, on the county's computer:
     `detainer-desk verify --checkpoint checkpoint/checkpoint.json`
     proves the record still extends this checkpoint unchanged, or names the first altered
     entry.
  3. Each row of decisions.jsonl carries the chain position and entry hash of its decision
     and request; the audit PDF of each decision prints the same values.
"""


def certification(about: BundleAbout) -> str:
    context, checkpoint = about.context, about.checkpoint
    return f"""CERTIFICATION OF DATA COPIED FROM AN ELECTRONIC DEVICE, STORAGE MEDIUM, OR FILE
(Federal Rule of Evidence 902(14); see also Rule 902(11) and Rule 803(6))

I, ______________________________ [name], declare:

1. I am employed by {context.county_name} ({context.jail_name}) as
   ______________________________ [title]. I am familiar with the way the county keeps its
   records of immigration detainer requests in the Detainer Desk program, and I am a
   custodian of those records or am otherwise qualified to make this certification.

2. The records in this production were copied from the Detainer Desk record store on
   {_made_at(context)} by {context.generated_by}, for {about.recipient}
   ({_describe_query(about)}).

3. The copy was made by a process of digital identification: the SHA-256 hash value of every
   file in the production is listed in manifest.sha256, and each file's hash value was
   computed from the copy and matches the value listed. A copy with the same hash value is
   identical to the file that was produced.

4. The record store itself is kept as a hash chain in which every entry's SHA-256 hash is
   computed from its contents and from the entry before it. Before this production was
   made, the entire chain was verified ({checkpoint.entries} entries, head hash
   {checkpoint.head_hash}) and a checkpoint of it was signed with the installation's
   Ed25519 key (public key {checkpoint.public_key_hex}).

5. The records were made at or near the time of the events they record, by, or from
   information transmitted by, persons with knowledge, and were kept in the course of the
   county's regularly conducted activity, as its regular practice.

I declare under penalty of perjury under the laws of the United States of America that the
foregoing is true and correct.

Executed on ______________ [date] at ______________________ [place].

______________________________
[signature]
"""


def readme(about: BundleAbout) -> str:
    context = about.context
    return f"""Detainer Desk litigation export
{context.county_name} - {context.jail_name}
Made {_made_at(context)} by {context.generated_by} for {about.recipient}.
Records: {_describe_query(about)} ({about.decisions} decisions).

decisions.csv                 one row per decision (UTF-8; column names follow the ICE
                              detainer data published through FOIA where they mean the same)
decisions.jsonl               one JSON object per decision: the request as entered, the
                              decision with every reason and citation, all amendments, the
                              policy version and the hash-chain positions
contacts.csv, contacts.jsonl  every ICE contact about these decisions (and, about no
                              decision, in their period): each entry as recorded, its
                              amendments, how it reads now, and its hash-chain position
PDF/                          the audit PDF of each decision (control number DD#######),
                              as of the newest chain entry it shows (each page says which):
                              made from the record alone, so the same in every export; this
                              export's date and maker are the ones above
NATIVES/                      every original attachment, byte for byte
policies/                     every policy version applied, exactly as written
LOADFILES/export.dat, .opt    Concordance and Opticon load files for review platforms
checkpoint/                   the signed checkpoint of the record made for this export
verification-report.txt       what was verified and how to check it again
certification-FRE-902-14.txt  a certification to complete and sign
manifest.sha256               SHA-256 of every file: run `sha256sum -c manifest.sha256`
"""
