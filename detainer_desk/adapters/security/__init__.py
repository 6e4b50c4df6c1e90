"""Password hashing (argon2id) and the shipped list of common passwords."""

from __future__ import annotations

from functools import lru_cache
from importlib import resources

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError

# OWASP Password Storage Cheat Sheet, argon2id minimum: m = 19 MiB, t = 2, p = 1.
ARGON2_MEMORY_KIB = 19 * 1024
ARGON2_TIME_COST = 2
ARGON2_PARALLELISM = 1
# The hash of a random password that was thrown away, with the parameters above (a test
# checks they match): signing in as a missing account is checked against it, so that the
# refusal costs what refusing an existing account costs. Make a new one when the
# parameters change.
DUMMY_HASH = (
    "$argon2id$v=19$m=19456,t=2,p=1$gi46k1IiIXa/5iGSvFW1iQ$"
    "H5BHE6csErUhcfFk00ddPvmLszabmUXPml/Lvt1m/3M"
)


class Argon2Passwords:
    """Hashes and checks passwords; the salt is random per hash (and so per user)."""

    def __init__(self) -> None:
        self._hasher = PasswordHasher(
            time_cost=ARGON2_TIME_COST,
            memory_cost=ARGON2_MEMORY_KIB,
            parallelism=ARGON2_PARALLELISM,
            hash_len=32,
            salt_len=16,
            type=Type.ID,
        )

    def hash(self, password: str) -> str:
        return self._hasher.hash(password)

    def verify(self, password_hash: str, password: str) -> bool:
        try:
            return self._hasher.verify(password_hash, password)
        except (VerificationError, InvalidHashError):
            return False

    @property
    def dummy_hash(self) -> str:
        return DUMMY_HASH

    def needs_rehash(self, password_hash: str) -> bool:
        return self._hasher.check_needs_rehash(password_hash)


@lru_cache(maxsize=1)
def _common_passwords() -> frozenset[str]:
    text = resources.files(__package__).joinpath("common-passwords.txt").read_text("utf-8")
    return frozenset(
        line.strip().casefold()
        for line in text.splitlines()
        if line.strip() and not line.startswith("#")
    )


def is_common_password(password: str) -> bool:
    return password.casefold() in _common_passwords()
