"""The installation's Ed25519 key, which signs checkpoints of the record, and the
checkpoints it signed.

The private key lives in the data folder (``keys/checkpoint-ed25519.pem``), never in the
database: on PostgreSQL every workstation that shares the record has its own, which the
others' database accounts cannot read. The ``keys`` folder is the owner's alone (0700) and
the key file too (0600); a key file that other users of the computer could read is refused
(it may be known to them: a checkpoint signed with it would prove nothing). Each start
makes the data folder private again and says so (``paths.ensure_data_dir``); the refusal
holds while a key stays readable (another account's file, or loosened while running). Why a file and
not a passphrase or the operating system's key store: every export signs a checkpoint, so
a passphrase would have to be known to everyone who exports (counsel, supervisors), and
an unattended workstation could not sign at all; a key store is not there on a server or a
bare Linux, and on Windows the per-user folder already has a per-user ACL. The key is then
exactly as private as the account that owns the data folder, which holds the records too.

Every checkpoint this installation makes is kept in ``keys/checkpoints/``: a later
checkpoint, ``verify`` and ``restore`` compare the record with the latest, so a record that
was altered and recomputed after it is named, with or without the filed paper copy.
"""

from __future__ import annotations

import contextlib
import os
import re
import stat
import uuid
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from .files import OutputExists, make_private_folder, write_private_file

KEY_FILE = "checkpoint-ed25519.pem"
ID_FILE = "installation-id"
KEPT_FOLDER = "checkpoints"
SET_ASIDE_FOLDER = "superseded"
KEEP = 3  # the newest kept checkpoints (each new one agrees with the one before it)
_KEPT_NAME = re.compile(r"^checkpoint-(\d{8}T\d{6}Z)-(\d+)\.json$")


def _private_folder(folder: Path) -> Path:
    """The folder, the owner's alone: made so, or (an older installation's) made so now."""
    if not make_private_folder(folder, parents=True) and os.name == "posix":
        with contextlib.suppress(OSError):
            folder.chmod(0o700)
    return folder


def _write_private(path: Path, data: bytes) -> None:
    """A new file readable by its owner only, written whole or not at all (one there
    already, written by another program at the same moment, is left as it is)."""
    with contextlib.suppress(OutputExists):
        write_private_file(path, data)


class InstallationKey:
    def __init__(self, key_dir: Path) -> None:
        self.key_dir = key_dir
        self._private: Ed25519PrivateKey | None = None
        self._installation_id: str | None = None

    def _load(self) -> Ed25519PrivateKey:
        if self._private is not None:
            return self._private
        _private_folder(self.key_dir)
        key_path = self.key_dir / KEY_FILE
        if key_path.exists():
            _refuse_if_shared(key_path)
            loaded = serialization.load_pem_private_key(key_path.read_bytes(), password=None)
            if not isinstance(loaded, Ed25519PrivateKey):
                raise ValueError(f"{key_path} is not an Ed25519 private key")
            self._private = loaded
        else:
            self._private = Ed25519PrivateKey.generate()
            pem = self._private.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
            descriptor = os.open(key_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(descriptor, "wb") as handle:
                handle.write(pem)
        return self._private

    @property
    def installation_id(self) -> str:
        if self._installation_id is None:
            _private_folder(self.key_dir)
            id_path = self.key_dir / ID_FILE
            if not id_path.exists():
                _write_private(id_path, (str(uuid.uuid4()) + "\n").encode("ascii"))
            self._installation_id = id_path.read_text(encoding="ascii").strip()
        return self._installation_id

    @property
    def public_key_hex(self) -> str:
        public = self._load().public_key()
        return public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw).hex()

    def sign(self, payload: bytes) -> str:
        return self._load().sign(payload).hex()

    @staticmethod
    def signature_is_valid(public_key_hex: str, payload: bytes, signature_hex: str) -> bool:
        return signature_is_valid(public_key_hex, payload, signature_hex)

    # -- the checkpoints this installation made ---------------------------------------------
    def _kept_folder(self) -> Path:
        return _private_folder(self.key_dir / KEPT_FOLDER)

    def _kept(self) -> list[tuple[int, str, Path]]:
        folder = self.key_dir / KEPT_FOLDER
        if not folder.is_dir():
            return []
        found = []
        for path in folder.iterdir():
            match = _KEPT_NAME.match(path.name)
            if match and path.is_file():
                found.append((int(match.group(2)), match.group(1), path))
        return sorted(found)

    def kept_checkpoint(self) -> tuple[str, str] | None:
        """The latest checkpoint this installation made, as (its JSON text, where it is
        kept); None when it made none (or they were set aside by a restore)."""
        kept = self._kept()
        if not kept:
            return None
        path = kept[-1][2]
        return path.read_text(encoding="utf-8"), str(path)

    def keep_checkpoint(self, text: str, created_at_stamp: str, entries: int) -> None:
        folder = self._kept_folder()
        _write_private(folder / f"checkpoint-{created_at_stamp}-{entries}.json", text.encode())
        for _, _, old in self._kept()[:-KEEP]:
            with contextlib.suppress(OSError):
                old.unlink()

    def set_aside_checkpoints(self, beyond: int) -> list[str]:
        """After a restore of records ending at entry ``beyond``: the kept checkpoints of
        more entries no longer describe the record; they are moved aside (kept, not
        deleted). Returns where they went."""
        moved = []
        for entries, _, path in self._kept():
            if entries > beyond:
                target = _private_folder(path.parent / SET_ASIDE_FOLDER) / path.name
                os.replace(path, target)
                moved.append(str(target))
        return moved


def _refuse_if_shared(key_path: Path) -> None:
    if os.name != "posix":
        return  # the per-user folder's ACL keeps it private on Windows
    mode = key_path.stat().st_mode
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        from detainer_desk.services.checkpoints import CheckpointError

        raise CheckpointError(
            f"the checkpoint key {key_path} can be read or changed by other users of this "
            f"computer (permissions {stat.filemode(mode)}): a checkpoint signed with it would "
            "prove nothing. If no one else can have copied it, make it private "
            f"(chmod 600 {key_path}); otherwise move it away, so that a new key is made, and "
            "have an administrator trust the old one only for the checkpoints made before."
        )


def signature_is_valid(public_key_hex: str, payload: bytes, signature_hex: str) -> bool:
    try:
        key = Ed25519PublicKey.from_public_bytes(bytes.fromhex(public_key_hex))
        key.verify(bytes.fromhex(signature_hex), payload)
    except (InvalidSignature, ValueError):
        return False
    return True
