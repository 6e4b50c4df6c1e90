"""Which checkpoint keys this installation trusts.

A checkpoint proves something only when it was signed by a key the county controls. Each
installation (a workstation: on PostgreSQL several share one record) has its own Ed25519
key in its data folder, and trusts it. An administrator can trust the key of another
workstation, or of an earlier installation whose checkpoints the county keeps, and stop
trusting one. Each such decision is evidence: an entry in the hash chain, signed by the
key of the installation where it was made. An entry counts only when that signing key was
itself trusted at that point of the chain, starting from this installation's own key: so
whoever can write the database, but holds no installation's private key, can add no key
to the trust of any installation.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass

from detainer_desk.domain import accounts as acc

from .access import RecordError, audit, authorize, canonical_json
from .ports import Actor, Signer, UnitOfWork

FORMAT = "detainer-desk-trusted-key"
SignatureCheck = Callable[[str, bytes, str], bool]


@dataclass(frozen=True, slots=True)
class TrustEntry:
    key: str  # the public key (hex) trusted or no longer trusted
    trusted: bool
    label: str
    at: str  # when, ISO 8601 UTC
    signer: str  # the public key (hex) of the installation that made the entry
    signature: str  # Ed25519 over payload()

    def payload(self) -> bytes:
        return canonical_json(
            {
                "format": FORMAT,
                "key": self.key,
                "trusted": self.trusted,
                "label": self.label,
                "at": self.at,
                "signer": self.signer,
            }
        ).encode()

    def to_state(self) -> str:
        return canonical_json(
            {
                "trusted": self.trusted,
                "label": self.label,
                "at": self.at,
                "signer": self.signer,
                "signature": self.signature,
            }
        )


def parse_entry(key: str, state: str | None) -> TrustEntry:
    """ValueError when the entry is not one this program writes."""
    document = json.loads(state or "null")
    if not isinstance(document, dict):
        raise ValueError("it is not a trust entry")
    entry = TrustEntry(
        key=key,
        trusted=document["trusted"],
        label=document["label"],
        at=document["at"],
        signer=document["signer"],
        signature=document["signature"],
    )
    if not isinstance(entry.trusted, bool) or not all(
        isinstance(v, str) for v in (entry.label, entry.at, entry.signer, entry.signature)
    ):
        raise ValueError("it is not a trust entry")
    return entry


def trust_entry_problem(
    key: str, state: str | None, signature_is_valid: SignatureCheck
) -> str | None:
    """What is wrong with one trust entry of the chain (None: it is signed as it says)."""
    try:
        entry = parse_entry(key, state)
    except (ValueError, KeyError, TypeError):
        return "it is not a trust entry this program wrote"
    if not signature_is_valid(entry.signer, entry.payload(), entry.signature):
        return "its signature is not valid (it was not made by the key it names)"
    return None


def fingerprint(public_key_hex: str) -> str:
    """A short form of a key for people: the first 16 hex digits, in groups of four."""
    head = public_key_hex[:16]
    return " ".join(head[i : i + 4] for i in range(0, len(head), 4))


def trusted_keys(
    uow: UnitOfWork, own_key: str, signature_is_valid: SignatureCheck
) -> dict[str, str]:
    """The keys this installation trusts, with a label each: its own, and every key a
    trusted key's entry trusted (and none stopped trusting since), in chain order."""
    with uow:
        entries = list(uow.accounts.trust_entries())
    trusted: dict[str, str] = {own_key: "this installation"}
    for key, state in entries:
        if trust_entry_problem(key, state, signature_is_valid) is not None:
            continue
        entry = parse_entry(key, state)
        if entry.signer not in trusted or entry.key == own_key:
            continue
        if entry.trusted:
            trusted[entry.key] = entry.label
        else:
            trusted.pop(entry.key, None)
    return trusted


def set_trust(
    uow: UnitOfWork,
    signer: Signer,
    signature_is_valid: SignatureCheck,
    actor: Actor,
    public_key_hex: str,
    trusted: bool,
    label: str,
    now: dt.datetime,
) -> TrustEntry:
    """An administrator trusts (or stops trusting) another installation's checkpoint key;
    the entry is signed with this installation's key and added to the chain."""
    key = public_key_hex.strip().lower()
    if len(key) != 64 or any(c not in "0123456789abcdef" for c in key):
        raise RecordError(
            "a checkpoint key is 64 hexadecimal digits (the public_key of a checkpoint file, "
            "or what detainer-desk keys shows on the other workstation)"
        )
    label = " ".join(label.split())
    own = signer.public_key_hex
    if key == own:
        raise RecordError("this installation's own key is always trusted")
    action = "keys.trust" if trusted else "keys.untrust"
    with uow:
        actor = authorize(uow, actor, acc.TRUST_KEYS, action, fingerprint(key), now)
    current = trusted_keys(uow, own, signature_is_valid)
    if trusted and key in current:
        raise RecordError(f"the key {fingerprint(key)} is trusted already")
    if not trusted and key not in current:
        raise RecordError(f"the key {fingerprint(key)} is not trusted")
    if trusted and not label:
        raise RecordError("say whose key it is (for example the workstation's name)")
    unsigned = TrustEntry(
        key, trusted, label or current.get(key, ""), now.astimezone(dt.UTC).isoformat(), own, ""
    )
    entry = dataclasses.replace(unsigned, signature=signer.sign(unsigned.payload()))
    with uow:
        uow.accounts.add_trust_entry(key, entry.to_state())
        audit(
            uow,
            actor,
            action,
            fingerprint(key),
            now,
            details={"key": key, "label": entry.label, "signed_by": own},
        )
        uow.commit()
    return entry
