"""Signed checkpoints of the record, and verification against them.

A checkpoint says: "on <time> the record held N entries ending in hash H", signed with the
installation's Ed25519 key, and keeps a short digest of every entry's hash. Verifying the
record against it recomputes the chain from the first entry: if anything before entry N was
altered, the first entry whose recomputed hash differs from the checkpoint is named, even
when whoever altered it also recomputed every hash after it. The paper copy (checkpoint PDF,
signed by a supervisor and filed) anchors the head hash outside the computer.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from detainer_desk.domain.timetext import long_time_and_utc

from .access import RecordError, audit
from .evidence_model import Checkpoint
from .ports import Actor, Ledger, Signer, UnitOfWork

FORMAT = "detainer-desk-checkpoint"
DIGEST_SIZE = 8  # bytes of each entry hash kept to name the first altered entry


class CheckpointError(RecordError):
    pass


@dataclass(frozen=True, slots=True)
class CheckpointFile:
    checkpoint: Checkpoint
    digests: bytes  # DIGEST_SIZE bytes per entry, in seq order

    def to_json(self) -> str:
        c = self.checkpoint
        document = {
            "format": FORMAT,
            "version": 1,
            "created_at": c.created_at.isoformat(),
            "entries": c.entries,
            "head_hash": c.head_hash,
            "installation_id": c.installation_id,
            "public_key": c.public_key_hex,
            "signature": c.signature_hex,
            "digests_sha256": c.digests_sha256,
            "digest_size": DIGEST_SIZE,
            "entry_digests": base64.b64encode(self.digests).decode("ascii"),
        }
        return json.dumps(document, indent=1) + "\n"


def create_checkpoint(
    uow: UnitOfWork, ledger: Ledger, signer: Signer, actor: Actor, now: dt.datetime
) -> Iterator[int | CheckpointFile]:
    """Walk and verify the whole chain, then sign a checkpoint of it. Yields the number of
    entries checked as it goes, and finally the CheckpointFile. Refuses a record that does
    not verify: a checkpoint must never vouch for altered entries."""
    digests = bytearray()
    head = "0" * 64
    count = 0
    reported = 0
    for span in ledger.walk():
        digests += _prefixes(span.hashes)
        count += span.verified
        head = span.last_hash
        if span.fault is not None:
            f = span.fault
            raise CheckpointError(
                f"the record does not verify at entry {f.seq} ({f.table} #{f.row_id}): "
                f"{f.problem}. No checkpoint was made."
            )
        if count - reported >= 10_000:
            reported = count
            yield count
    unsigned = Checkpoint(
        created_at=now.astimezone(dt.UTC),
        entries=count,
        head_hash=head,
        installation_id=signer.installation_id,
        public_key_hex=signer.public_key_hex,
        signature_hex="",
        digests_sha256=hashlib.sha256(bytes(digests)).hexdigest(),
    )
    checkpoint = Checkpoint(
        **{**_fields(unsigned), "signature_hex": signer.sign(unsigned.signed_payload())}
    )
    with uow:
        audit(
            uow,
            actor,
            "checkpoint.create",
            f"{count} entries",
            now,
            details={"entries": count, "head_hash": head, "public_key": checkpoint.public_key_hex},
        )
        uow.commit()
    yield CheckpointFile(checkpoint, bytes(digests))


def _prefixes(hashes: bytes) -> bytes:
    """The first DIGEST_SIZE bytes of each 32-byte hash."""
    return b"".join(hashes[i : i + DIGEST_SIZE] for i in range(0, len(hashes), 32))


def _fields(checkpoint: Checkpoint) -> dict[str, Any]:
    return {name: getattr(checkpoint, name) for name in Checkpoint.__dataclass_fields__}


def read_checkpoint(
    text: str, source: str, signature_is_valid: Callable[[str, bytes, str], bool]
) -> CheckpointFile:
    """Parse a checkpoint file and check its signature; CheckpointError in plain words."""
    try:
        document = json.loads(text)
        if document.get("format") != FORMAT or document.get("version") != 1:
            raise CheckpointError(f"{source} is not a Detainer Desk checkpoint file")
        digests = base64.b64decode(document["entry_digests"], validate=True)
        checkpoint = Checkpoint(
            created_at=dt.datetime.fromisoformat(document["created_at"]),
            entries=int(document["entries"]),
            head_hash=str(document["head_hash"]),
            installation_id=str(document["installation_id"]),
            public_key_hex=str(document["public_key"]),
            signature_hex=str(document["signature"]),
            digests_sha256=str(document["digests_sha256"]),
        )
    except CheckpointError:
        raise
    except (ValueError, KeyError, TypeError, AttributeError, binascii.Error) as exc:
        raise CheckpointError(f"{source} is not a readable checkpoint file ({exc})") from None
    from detainer_desk.adapters.signing import signature_is_valid

    if not signature_is_valid(
        checkpoint.public_key_hex, checkpoint.signed_payload(), checkpoint.signature_hex
    ):
        raise CheckpointError(
            f"{source}: the checkpoint's signature is not valid (the file was changed)"
        )
    if hashlib.sha256(digests).hexdigest() != checkpoint.digests_sha256:
        raise CheckpointError(f"{source}: the entry digests do not match the signed checkpoint")
    if len(digests) != checkpoint.entries * DIGEST_SIZE:
        raise CheckpointError(f"{source}: the checkpoint lists the wrong number of entry digests")
    return CheckpointFile(checkpoint, digests)


@dataclass(frozen=True, slots=True)
class CheckpointVerification:
    ok: bool
    checked: int
    message: str
    first_bad_seq: int | None = None


def verify_against_checkpoint(
    ledger: Ledger, checkpoint_file: CheckpointFile, zone: dt.tzinfo = dt.UTC
) -> CheckpointVerification:
    """Does the current record extend the checkpoint unchanged, and verify after it?
    (``zone``: the county's, in which the checkpoint's time is named.)"""
    checkpoint = checkpoint_file.checkpoint
    digests = checkpoint_file.digests
    when = long_time_and_utc(checkpoint.created_at, zone)
    checked = 0
    for span in ledger.walk():
        # The entries this span verified, then the faulty one (by its recomputed hash): an
        # entry that differs from the checkpoint is named as such, even when the chain after
        # it was recomputed to hide the change.
        hashes = span.hashes
        fault = span.fault
        if fault is not None and fault.entry_hash:
            hashes += bytes.fromhex(fault.entry_hash)
        for offset in range(min(len(hashes) // 32, checkpoint.entries - span.low + 1)):
            seq = span.low + offset
            entry_hash = hashes[offset * 32 : offset * 32 + 32]
            start = (seq - 1) * DIGEST_SIZE
            if entry_hash[:DIGEST_SIZE] != digests[start : start + DIGEST_SIZE] or (
                seq == checkpoint.entries and entry_hash.hex() != checkpoint.head_hash
            ):
                table, row_id = ledger.describe(seq)
                return CheckpointVerification(
                    False,
                    checked + offset,
                    f"entry {seq} ({table} #{row_id}) is not what it was at the checkpoint "
                    f"of {when}: it, or an entry it depends on, was altered",
                    seq,
                )
        checked += span.verified
        if fault is not None:
            return CheckpointVerification(
                False,
                checked,
                f"entry {fault.seq} ({fault.table} #{fault.row_id}): {fault.problem}",
                fault.seq,
            )
    if checked < checkpoint.entries:
        return CheckpointVerification(
            False,
            checked,
            f"the record has {checked} entries but the checkpoint of {when} vouched for "
            f"{checkpoint.entries}: entries were removed",
            checked + 1,
        )
    return CheckpointVerification(
        True,
        checked,
        f"the record extends the checkpoint of {when} ({checkpoint.entries} entries, head "
        f"{checkpoint.head_hash}) unchanged; {checked} entries verified",
    )
