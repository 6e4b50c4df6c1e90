"""The second factor's machinery: random secrets and recovery codes, TOTP codes (RFC 6238,
through ``cryptography``'s HOTP), and the key that seals each account's secret.

**The key is not in the database.** It is 32 random bytes in a file of the data folder,
``keys/second-factor.key`` (0600, like the checkpoint key), or wherever
``DETAINER_DESK_SECOND_FACTOR_KEY`` points. A secret is sealed with AES-256-GCM under it,
with the account's name as associated data (a sealed secret copied onto another account
does not open), and stored as ``v1:<key id>:<base64 of nonce and ciphertext>``. The key id
is the first 16 hex digits of SHA-256 over a label and the key: it tells a workstation
whether its key is the one a secret was sealed with, and says nothing of the key.

With PostgreSQL, every workstation needs the same key file: copy it from the first
workstation where someone enrolled (the store keeps the key id, so a workstation with
another key or none refuses to seal or check, in plain words, instead of splitting the
installation's accounts between keys). See the README, "Second factor".
"""

from __future__ import annotations

import base64
import hashlib
import os
import secrets
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.hashes import SHA1
from cryptography.hazmat.primitives.twofactor.hotp import HOTP

from detainer_desk.domain import second_factor as totp
from detainer_desk.services.second_factor import KeyProblem

from ..files import OutputExists, make_private_folder, write_private_file

KEY_FILE = "second-factor.key"
KEY_ENV_VAR = "DETAINER_DESK_SECOND_FACTOR_KEY"
_HEADER = b"detainer-desk second-factor key v1\n"
_ID_LABEL = b"detainer-desk second-factor key id\x00"
_SEALED_PREFIX = "v1"


def key_path(data_dir: Path, environ: dict[str, str] | None = None) -> Path:
    given = (os.environ if environ is None else environ).get(KEY_ENV_VAR, "").strip()
    return Path(given).expanduser() if given else data_dir / "keys" / KEY_FILE


def key_id_of(key: bytes) -> str:
    return hashlib.sha256(_ID_LABEL + key).hexdigest()[:16]


class TotpMachinery:
    """``services.second_factor.SecondFactorMachinery`` over a key file."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._key: bytes | None = None

    @property
    def key_location(self) -> str:
        return str(self.path)

    # -- randomness and codes ------------------------------------------------------------
    def new_secret(self) -> bytes:
        return secrets.token_bytes(totp.SECRET_BYTES)

    def new_recovery_codes(self) -> list[str]:
        return [
            "".join(
                secrets.choice(totp.RECOVERY_ALPHABET) for _ in range(totp.RECOVERY_CODE_LENGTH)
            )
            for _ in range(totp.RECOVERY_CODE_COUNT)
        ]

    def code(self, secret: bytes, step: int) -> str:
        # RFC 6238: TOTP is HOTP with the time step as the counter.
        return HOTP(secret, totp.DIGITS, SHA1(), enforce_key_length=False).generate(step).decode()

    # -- the key -------------------------------------------------------------------------
    def _load(self) -> bytes | None:
        if self._key is not None:
            return self._key
        try:
            data = self.path.read_bytes()
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise KeyProblem(
                f"the second-factor key {self.path} cannot be read ({exc.strerror})"
            ) from None
        if not data.startswith(_HEADER):
            raise KeyProblem(f"{self.path} is not a Detainer Desk second-factor key")
        try:
            key = base64.b64decode(data[len(_HEADER) :].strip(), validate=True)
        except ValueError:
            key = b""
        if len(key) != 32:
            raise KeyProblem(f"the second-factor key {self.path} is damaged")
        self._key = key
        return key

    def key_id(self) -> str | None:
        key = self._load()
        return key_id_of(key) if key is not None else None

    def create_key(self) -> str:
        key = secrets.token_bytes(32)
        try:
            make_private_folder(self.path.parent, parents=True)
            write_private_file(self.path, _HEADER + base64.b64encode(key) + b"\n")
        except OutputExists:
            pass  # another program made it first: use that one
        except OSError as exc:
            raise KeyProblem(
                f"the second-factor key cannot be written to {self.path} ({exc.strerror})"
            ) from None
        self._key = None
        made = self.key_id()
        assert made is not None
        return made

    def seal(self, secret: bytes, account: str) -> str:
        key = self._load()
        if key is None:
            raise KeyProblem(f"there is no second-factor key at {self.path}")
        nonce = secrets.token_bytes(12)
        sealed = AESGCM(key).encrypt(nonce, secret, account.encode("utf-8"))
        body = base64.b64encode(nonce + sealed).decode("ascii")
        return f"{_SEALED_PREFIX}:{key_id_of(key)}:{body}"

    def unseal(self, sealed: str, account: str) -> bytes:
        prefix, _, rest = sealed.partition(":")
        wanted, _, body = rest.partition(":")
        key = self._load()
        if prefix != _SEALED_PREFIX or not body:
            raise KeyProblem(
                f"the second factor of {account} is stored in a form this program does not "
                "know: an administrator can reset it"
            )
        if key is None or key_id_of(key) != wanted:
            raise KeyProblem(
                f"the second factor of {account} was sealed with the key {wanted}, which this "
                f"workstation does not have at {self.path}. Copy the installation's key there "
                "(README, 'Second factor'), or ask an administrator to reset it."
            )
        try:
            raw = base64.b64decode(body, validate=True)
            return AESGCM(key).decrypt(raw[:12], raw[12:], account.encode("utf-8"))
        except (ValueError, InvalidTag):
            raise KeyProblem(
                f"the second factor of {account} does not open with this installation's key "
                "(altered, or copied from another account): an administrator can reset it"
            ) from None
