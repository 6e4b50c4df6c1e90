"""Signed checkpoints of the record, and verification against them.

A checkpoint says: "on <time> the record held N entries ending in hash H", signed with the
installation's Ed25519 key, and keeps a short digest of every entry's hash. Verifying the
record against it recomputes the chain from the first entry: if anything before entry N was
altered, the first entry whose recomputed hash differs from the checkpoint is named, even
when whoever altered it also recomputed every hash after it. The paper copy (checkpoint PDF,
signed by a supervisor and filed) anchors the head hash outside the computer.

Only a supervisor or an administrator makes one (an export makes its own under the export's
right), only over a record that verifies whole and agrees with the last checkpoint this
installation made (each is kept, see ``Signer``): a checkpoint never vouches for a record
that was altered and recomputed after the last one. A checkpoint is accepted only when
signed by a key this installation trusts (``services.trust``).
"""

from __future__ import annotations

import base64
import binascii
import dataclasses
import datetime as dt
import hashlib
import json
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from detainer_desk.domain import accounts as acc
from detainer_desk.domain.text import shortened, visible
from detainer_desk.domain.timetext import long_time_and_utc

from .access import FAILURE, RecordError, audit, authorize
from .evidence_model import Checkpoint
from .ports import Actor, Ledger, Signer, UnitOfWork
from .steps import passing_on, result_of

FORMAT = "detainer-desk-checkpoint"
DIGEST_SIZE = 8  # bytes of each entry hash kept to name the first altered entry
MAX_CHECKPOINT_BYTES = 64 * 1024 * 1024  # 8 bytes per entry, base64: some 6 million entries

SignatureCheck = Callable[[str, bytes, str], bool]


class CheckpointError(RecordError):
    pass


class UntrustedCheckpoint(CheckpointError):
    """A checkpoint that proves nothing here: its signature is not valid, or it was signed
    by a key this installation does not trust. Verification fails (exit status 1)."""


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

    @property
    def stamp(self) -> str:
        """The checkpoint's time for file names: 20260305T080000Z (the files' own name)."""
        return self.checkpoint.file_stem().removeprefix("checkpoint-")


def kept_checkpoint(signer: Signer) -> CheckpointFile | None:
    """The latest checkpoint this installation made (None: it made none yet). It must be
    signed by this installation's own key: anything else in its place was put there."""
    kept = signer.kept_checkpoint()
    if kept is None:
        return None
    text, where = kept
    checkpoint_file = read_checkpoint(text, where, signer.signature_is_valid)
    if checkpoint_file.checkpoint.public_key_hex != signer.public_key_hex:
        raise CheckpointError(
            f"{where} was not signed by this installation's key: the installation's kept "
            "checkpoints cannot be trusted (move that file away, or restore the keys folder)"
        )
    return checkpoint_file


def create_checkpoint(
    uow: UnitOfWork,
    ledger: Ledger,
    signer: Signer,
    actor: Actor,
    now: dt.datetime,
    *,
    permission: str = acc.MAKE_CHECKPOINT,
) -> Iterator[int | CheckpointFile]:
    """Walk and verify the whole store, then sign a checkpoint of it, and keep it. Yields
    the number of entries checked as it goes, and finally the CheckpointFile.

    Needs ``permission`` (a supervisor's or an administrator's; an export passes its own).
    Refuses a record that does not verify, or that contradicts the last checkpoint this
    installation made: a checkpoint must never vouch for altered entries."""
    with uow:
        actor = authorize(uow, actor, permission, "checkpoint.create", None, now)
    previous = kept_checkpoint(signer)
    digests = bytearray()
    walk = _walk(ledger, [previous] if previous else [], digests)
    result = yield from passing_on(walk, _Walked)
    if result.problem is not None:
        with uow:
            audit(
                uow,
                actor,
                "checkpoint.create",
                None,
                now,
                FAILURE,
                {"why": result.problem, "entries_verified": result.checked},
            )
            uow.commit()
        raise CheckpointError(
            f"the record does not verify: {result.problem}. No checkpoint was made."
        )
    count, head = result.checked, result.head
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
    made = CheckpointFile(checkpoint, bytes(digests))
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
    try:
        signer.keep_checkpoint(made.to_json(), made.stamp, count)
    except OSError as exc:  # a full disk, a folder that cannot be written
        raise CheckpointError(
            f"the checkpoint was signed but this installation could not keep it "
            f"({exc.strerror or exc}); later checks compare the record with the checkpoint "
            "it kept before. Free the disk and make the checkpoint again."
        ) from exc
    yield made


def _prefixes(hashes: bytes) -> bytes:
    """The first DIGEST_SIZE bytes of each 32-byte hash."""
    return b"".join(hashes[i : i + DIGEST_SIZE] for i in range(0, len(hashes), 32))


def _fields(checkpoint: Checkpoint) -> dict[str, Any]:
    return {name: getattr(checkpoint, name) for name in Checkpoint.__dataclass_fields__}


def read_checkpoint(text: str, source: str, signature_is_valid: SignatureCheck) -> CheckpointFile:
    """Parse a checkpoint file and check its signature with ``signature_is_valid`` (the
    caller's: this layer knows no cryptography). CheckpointError in plain words when the
    file is not a readable checkpoint; UntrustedCheckpoint when its signature is not valid.
    Whether the key that signed it is trusted is ``check_trust``'s question."""
    if len(text) > MAX_CHECKPOINT_BYTES:
        raise CheckpointError(f"{source} is too large to be a checkpoint file")
    try:
        document = json.loads(text)
        if not isinstance(document, dict):
            raise CheckpointError(f"{source} is not a Detainer Desk checkpoint file")
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
        raise CheckpointError(
            f"{source} is not a readable checkpoint file ({shortened(visible(str(exc)))})"
        ) from None
    except RecursionError:
        raise CheckpointError(
            f"{source} is not a readable checkpoint file (nested far too deeply)"
        ) from None
    if not signature_is_valid(
        checkpoint.public_key_hex, checkpoint.signed_payload(), checkpoint.signature_hex
    ):
        raise UntrustedCheckpoint(
            f"{source}: the checkpoint's signature is not valid (the file was changed)"
        )
    if hashlib.sha256(digests).hexdigest() != checkpoint.digests_sha256:
        raise UntrustedCheckpoint(f"{source}: the entry digests do not match the signed checkpoint")
    if checkpoint.entries < 0 or len(digests) != checkpoint.entries * DIGEST_SIZE:
        raise UntrustedCheckpoint(
            f"{source}: the checkpoint lists the wrong number of entry digests"
        )
    return CheckpointFile(checkpoint, digests)


def check_trust(checkpoint_file: CheckpointFile, trusted: Mapping[str, str], source: str) -> str:
    """Whose trusted key signed it (its label); UntrustedCheckpoint when no trusted key did."""
    key = checkpoint_file.checkpoint.public_key_hex
    if key in trusted:
        return trusted[key]
    raise UntrustedCheckpoint(
        f"{source} was signed by a key this installation does not trust ({key[:16]}…): it "
        "proves nothing about these records. If it is the key of another workstation or an "
        "earlier installation of this county, an administrator can trust it with "
        f"detainer-desk keys trust {key} --label NAME"
    )


@dataclass(frozen=True, slots=True)
class CheckpointVerification:
    ok: bool
    checked: int
    message: str
    first_bad_seq: int | None = None
    head_hash: str = "0" * 64


@dataclass(frozen=True, slots=True)
class _Walked:
    checked: int
    head: str
    problem: str | None  # the first fault, in words
    first_bad_seq: int | None


def _walk(
    ledger: Ledger,
    against: Sequence[CheckpointFile],
    digests: bytearray | None = None,
    zone: dt.tzinfo = dt.UTC,
) -> Iterator[int | _Walked]:
    """Walk the whole store, comparing every entry with each checkpoint in ``against``;
    yields the entries checked as it goes, then what was found. ``digests``: collects each
    entry's digest (for a new checkpoint). ``zone``: the county's, in which a checkpoint's
    time is named."""
    checked = 0
    reported = 0
    head = "0" * 64
    for span in ledger.walk():
        # The entries this span verified, then the faulty one (by its recomputed hash): an
        # entry that differs from a checkpoint is named as such, even when the chain after
        # it was recomputed to hide the change.
        hashes = span.hashes
        fault = span.fault
        if fault is not None and fault.entry_hash:
            hashes += bytes.fromhex(fault.entry_hash)
        for checkpoint_file in against:
            differs = _first_difference(span.low, hashes, checkpoint_file)
            if differs is not None:
                table, row_id = ledger.describe(differs)
                when = long_time_and_utc(checkpoint_file.checkpoint.created_at, zone)
                before = differs - span.low  # the entries of this span before it
                if before:
                    head = hashes[(before - 1) * 32 : before * 32].hex()
                yield _Walked(
                    differs - 1,
                    head,
                    f"entry {differs} ({table} #{row_id}) is not what it was at the checkpoint "
                    f"of {when}: it, or an entry it depends on, was altered",
                    differs,
                )
                return
        if digests is not None:
            digests += _prefixes(span.hashes)
        checked += span.verified
        head = span.last_hash
        if fault is not None:
            if not fault.table:  # a fault of the store after the whole chain: entries first
                removed = _removed(checked, head, against, zone)
                if removed is not None:
                    yield removed
                    return
            yield _Walked(checked, head, fault.text, fault.seq or None)
            return
        if checked - reported >= 10_000:
            reported = checked
            yield checked
    yield _removed(checked, head, against, zone) or _Walked(checked, head, None, None)


def _removed(
    checked: int, head: str, against: Sequence[CheckpointFile], zone: dt.tzinfo
) -> _Walked | None:
    """Fewer entries than a checkpoint vouched for?"""
    for checkpoint_file in against:
        c = checkpoint_file.checkpoint
        if checked < c.entries:
            return _Walked(
                checked,
                head,
                f"the record has {checked} entries but the checkpoint of "
                f"{long_time_and_utc(c.created_at, zone)} vouched for {c.entries}: entries "
                "were removed",
                checked + 1,
            )
    return None


def _first_difference(low: int, hashes: bytes, checkpoint_file: CheckpointFile) -> int | None:
    """The first entry from ``low`` on whose hash (in ``hashes``) the checkpoint contradicts."""
    checkpoint = checkpoint_file.checkpoint
    digests = checkpoint_file.digests
    for offset in range(max(0, min(len(hashes) // 32, checkpoint.entries - low + 1))):
        seq = low + offset
        entry_hash = hashes[offset * 32 : offset * 32 + 32]
        start = (seq - 1) * DIGEST_SIZE
        if entry_hash[:DIGEST_SIZE] != digests[start : start + DIGEST_SIZE] or (
            seq == checkpoint.entries
            and checkpoint.head_hash  # "": a checkpoint's first entries, without their head
            and entry_hash.hex() != checkpoint.head_hash
        ):
            return seq
    return None


def verify_against_checkpoint(
    ledger: Ledger,
    checkpoint_file: CheckpointFile,
    *also: CheckpointFile,
    zone: dt.tzinfo = dt.UTC,
) -> CheckpointVerification:
    """Does the current record extend the checkpoint (and each of ``also``) unchanged, and
    does the whole store verify? (``zone``: the county's, in which times are named.)"""
    checkpoint = checkpoint_file.checkpoint
    result = result_of(_walk(ledger, [checkpoint_file, *also], zone=zone), _Walked)
    if result.problem is not None:
        return CheckpointVerification(
            False, result.checked, result.problem, result.first_bad_seq, result.head
        )
    return CheckpointVerification(
        True,
        result.checked,
        f"the record extends the checkpoint of {long_time_and_utc(checkpoint.created_at, zone)} "
        f"({checkpoint.entries} entries, head {checkpoint.head_hash}) unchanged; "
        f"{result.checked} entries verified",
        head_hash=result.head,
    )


def verify_record(
    ledger: Ledger, signer: Signer, zone: dt.tzinfo = dt.UTC
) -> CheckpointVerification:
    """The whole store verified, and compared with the last checkpoint this installation
    made (a record altered and recomputed since is named without the paper copy). On
    success the message says which checkpoint it extends ("" when there is none yet)."""
    return result_of(verify_record_steps(ledger, signer, zone), CheckpointVerification)


def verify_record_steps(
    ledger: Ledger, signer: Signer, zone: dt.tzinfo = dt.UTC
) -> Iterator[int | CheckpointVerification]:
    """``verify_record``, yielding the entries checked as it goes, and last its result."""
    kept = kept_checkpoint(signer)
    walk = _walk(ledger, [kept] if kept is not None else [], zone=zone)
    result = yield from passing_on(walk, _Walked)
    if result.problem is not None:
        yield CheckpointVerification(
            False, result.checked, result.problem, result.first_bad_seq, result.head
        )
        return
    message = ""
    if kept is not None:
        c = kept.checkpoint
        message = (
            f"The record extends this installation's last checkpoint, of "
            f"{long_time_and_utc(c.created_at, zone)} ({c.entries} entries), unchanged."
        )
    yield CheckpointVerification(True, result.checked, message, head_hash=result.head)


@dataclass(frozen=True, slots=True)
class BackupAgainstCheckpoint:
    ok: bool
    message: str  # what the comparison found, in plain words ("" when nothing to say)
    older_than_checkpoint: bool = False  # restoring it loses entries a checkpoint vouched for


def check_backup(
    ledger: Ledger, signer: Signer, written_entries: int, zone: dt.tzinfo = dt.UTC
) -> BackupAgainstCheckpoint:
    """Does a backup (``ledger``: a checked copy of it) agree with the last checkpoint this
    installation made? ``written_entries``: the entries the backup held as it was written
    (before this program brought an older one up to date, which adds entries of its own).
    An older backup agrees when its entries are the checkpoint's first ones; any entry the
    checkpoint vouched for that differs is a contradiction."""
    kept = kept_checkpoint(signer)
    if kept is None:
        return BackupAgainstCheckpoint(True, "")
    c = kept.checkpoint
    when = long_time_and_utc(c.created_at, zone)
    shared = min(written_entries, c.entries)
    prefix = CheckpointFile(
        dataclasses.replace(
            c, entries=shared, head_hash=c.head_hash if shared == c.entries else ""
        ),
        kept.digests[: shared * DIGEST_SIZE],
    )
    result = result_of(_walk(ledger, [prefix], zone=zone), _Walked)
    if result.problem is not None:
        return BackupAgainstCheckpoint(
            False,
            f"the backup contradicts this installation's checkpoint of {when}: {result.problem}",
        )
    if written_entries < c.entries:
        return BackupAgainstCheckpoint(
            True,
            f"The backup holds the first {written_entries} of the {c.entries} entries this "
            f"installation's checkpoint of {when} vouched for, unchanged; entries "
            f"{written_entries + 1} to {c.entries} are not in it.",
            older_than_checkpoint=True,
        )
    return BackupAgainstCheckpoint(
        True,
        f"The backup extends this installation's checkpoint of {when} ({c.entries} entries) "
        "unchanged.",
    )


def verify_record_quietly(ledger: Ledger) -> str | None:
    """The whole store verified: its first fault in words (None: it verifies)."""
    return result_of(_walk(ledger, []), _Walked).problem
