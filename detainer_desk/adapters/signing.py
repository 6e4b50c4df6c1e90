"""The installation's Ed25519 key, which signs checkpoints of the record.

The private key lives in the data folder (``keys/checkpoint-ed25519.pem``, readable by its
owner only) and never leaves it; every checkpoint carries the public key, so anyone can
check a signature, and the key's fingerprint is printed on the checkpoint PDF that a
supervisor signs and files.
"""

from __future__ import annotations

import contextlib
import os
import uuid
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from .files import OutputExists, make_private_folder, write_private_file

KEY_FILE = "checkpoint-ed25519.pem"
ID_FILE = "installation-id"


class InstallationKey:
    def __init__(self, key_dir: Path) -> None:
        self.key_dir = key_dir
        self._private: Ed25519PrivateKey | None = None
        self._installation_id: str | None = None

    def _load(self) -> Ed25519PrivateKey:
        if self._private is not None:
            return self._private
        make_private_folder(self.key_dir, parents=True)
        key_path = self.key_dir / KEY_FILE
        if key_path.exists():
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
            make_private_folder(self.key_dir, parents=True)
            id_path = self.key_dir / ID_FILE
            if not id_path.exists():
                with contextlib.suppress(OutputExists):  # another program made it first
                    write_private_file(id_path, (str(uuid.uuid4()) + "\n").encode("ascii"))
            self._installation_id = id_path.read_text(encoding="ascii").strip()
        return self._installation_id

    @property
    def public_key_hex(self) -> str:
        public = self._load().public_key()
        return public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw).hex()

    def sign(self, payload: bytes) -> str:
        return self._load().sign(payload).hex()


def signature_is_valid(public_key_hex: str, payload: bytes, signature_hex: str) -> bool:
    try:
        key = Ed25519PublicKey.from_public_bytes(bytes.fromhex(public_key_hex))
        key.verify(bytes.fromhex(signature_hex), payload)
    except (InvalidSignature, ValueError):
        return False
    return True
