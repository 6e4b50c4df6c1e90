"""Protected copies: a file encrypted with AES-256-GCM under a key made from a passphrase
with argon2id, written and read in chunks (a store of several gigabytes never has to fit
in memory).

FBI CJIS Security Policy 5.10.1.2.2: criminal-justice information at rest outside the
physically secure location is encrypted, with AES at 256 bits at least, and the passphrase
meets the rules in ``domain/protection.py``.

The file (``.ddprot``)::

    header   "DDPROT" 0x00 0x01       magic and format version (8 bytes)
             0x01                     key derivation: argon2id (RFC 9106)
             salt                     16 random bytes
             time cost, memory (KiB)  4 bytes each, big-endian
             parallelism              1 byte
             chunk size               4 bytes, big-endian
             nonce prefix             7 random bytes
    chunks   each: AES-256-GCM of ``chunk size`` bytes of the plain file (the last one
             shorter, perhaps empty), with its 16-byte tag

Each chunk's 12-byte nonce is the prefix, the chunk's number (4 bytes) and a last-chunk
flag (1 byte): the STREAM construction of Hoang, Reyhanitabar, Rogaway and Vizár (2015),
so chunks cannot be reordered, dropped or cut off at the end without the tag check
failing; the header is authenticated with every chunk (associated data), so its
parameters cannot be changed either. A wrong passphrase fails on the first chunk.
"""

from __future__ import annotations

import os
import secrets
import struct
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

from argon2.low_level import Type, hash_secret_raw
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from detainer_desk.domain.protection import normalize_passphrase
from detainer_desk.services.access import RecordError

MAGIC = b"DDPROT\x00\x01"
SUFFIX = ".ddprot"
KDF_ARGON2ID = 1
# RFC 9106 section 4, the second recommended option (for memory-constrained uses):
# t = 3, m = 64 MiB, p = 4. A key is made once per backup or restore.
TIME_COST = 3
MEMORY_KIB = 64 * 1024
PARALLELISM = 4
CHUNK_SIZE = 1024 * 1024
TAG_SIZE = 16
_HEADER = struct.Struct(">8sB16sIIBI7s")
HEADER_SIZE = _HEADER.size
_MAX_MEMORY_KIB = 1024 * 1024  # refuse a header asking for more than 1 GiB
_MAX_TIME_COST = 16
_MAX_CHUNK = 64 * 1024 * 1024

Progress = Callable[[int], None]


class ProtectedCopyError(RecordError):
    """A protected copy cannot be read (wrong passphrase, damaged, not one): plain words."""


def protected_kind(head: bytes) -> bool:
    """For replacing only a protected copy by another (adapters/files)."""
    return head.startswith(MAGIC)


def is_protected(path: Path) -> bool:
    try:
        with path.open("rb") as handle:
            return handle.read(len(MAGIC)) == MAGIC
    except OSError:
        return False


def _key(passphrase: str, salt: bytes, time_cost: int, memory_kib: int, lanes: int) -> bytes:
    return hash_secret_raw(
        normalize_passphrase(passphrase).encode("utf-8"),
        salt,
        time_cost=time_cost,
        memory_cost=memory_kib,
        parallelism=lanes,
        hash_len=32,
        type=Type.ID,
    )


def _nonce(prefix: bytes, number: int, last: bool) -> bytes:
    return prefix + struct.pack(">I", number) + (b"\x01" if last else b"\x00")


def encrypt_stream(
    source: BinaryIO,
    target: BinaryIO,
    passphrase: str,
    *,
    chunk_size: int = CHUNK_SIZE,
    progress: Progress | None = None,
) -> int:
    """Encrypt all of ``source`` into ``target``; the bytes written."""
    salt, prefix = secrets.token_bytes(16), secrets.token_bytes(7)
    header = _HEADER.pack(
        MAGIC, KDF_ARGON2ID, salt, TIME_COST, MEMORY_KIB, PARALLELISM, chunk_size, prefix
    )
    cipher = AESGCM(_key(passphrase, salt, TIME_COST, MEMORY_KIB, PARALLELISM))
    target.write(header)
    written = len(header)
    number = 0
    current = source.read(chunk_size)
    while True:
        following = source.read(chunk_size) if len(current) == chunk_size else b""
        last = not following
        sealed = cipher.encrypt(_nonce(prefix, number, last), current, header)
        target.write(sealed)
        written += len(sealed)
        if progress is not None:
            progress(len(current))
        if last:
            return written
        number += 1
        if number >= 2**32:
            raise ProtectedCopyError("the file is too large to protect in one copy")
        current = following


def decrypt_stream(
    source: BinaryIO, target: BinaryIO, passphrase: str, progress: Progress | None = None
) -> int:
    """Decrypt a protected copy from ``source`` into ``target``; the plain bytes written.
    ProtectedCopyError when it is no protected copy, the passphrase is wrong, or the file
    was altered or cut short (nothing useful is left in ``target`` then)."""
    header = source.read(HEADER_SIZE)
    if len(header) < HEADER_SIZE or not header.startswith(MAGIC[:6]):
        raise ProtectedCopyError("this file is not a protected Detainer Desk copy")
    magic, kdf, salt, time_cost, memory_kib, lanes, chunk_size, prefix = _HEADER.unpack(header)
    if magic != MAGIC or kdf != KDF_ARGON2ID:
        raise ProtectedCopyError(
            "this protected copy was made by a newer Detainer Desk: install it to read the copy"
        )
    if not (
        0 < time_cost <= _MAX_TIME_COST
        and 8 <= memory_kib <= _MAX_MEMORY_KIB
        and 0 < lanes <= 64
        and 0 < chunk_size <= _MAX_CHUNK
    ):
        raise ProtectedCopyError("this protected copy's header is damaged")
    cipher = AESGCM(_key(passphrase, salt, time_cost, memory_kib, lanes))
    size = chunk_size + TAG_SIZE
    written = number = 0
    current = source.read(size)
    while True:
        if len(current) < TAG_SIZE:
            raise ProtectedCopyError(
                "this protected copy is cut short (copied only in part?): nothing was restored"
            )
        following = source.read(size) if len(current) == size else b""
        last = not following
        try:
            plain = cipher.decrypt(_nonce(prefix, number, last), current, header)
        except InvalidTag:
            if number == 0:
                raise ProtectedCopyError(
                    "the passphrase is not right for this protected copy (or the copy is damaged)"
                ) from None
            raise ProtectedCopyError(
                f"this protected copy is damaged or altered after byte {number * chunk_size:,} "
                "(or cut short): nothing was restored"
            ) from None
        target.write(plain)
        written += len(plain)
        if progress is not None:
            progress(len(plain))
        if last:
            return written
        number += 1
        current = following


def encrypt_file(
    source: Path, target: BinaryIO, passphrase: str, progress: Progress | None = None
) -> int:
    with source.open("rb") as handle:
        return encrypt_stream(handle, target, passphrase, progress=progress)


def decrypt_file(source: Path, target: Path, passphrase: str) -> int:
    """Decrypt ``source`` into a new private file ``target`` (removed again on failure)."""
    from .files import create_private_file

    try:
        reading = source.open("rb")
    except OSError as exc:
        raise ProtectedCopyError(f"{source} cannot be read ({exc.strerror})") from None
    with reading:
        fd = create_private_file(target)
        try:
            with os.fdopen(fd, "wb") as writing:
                done = decrypt_stream(reading, writing, passphrase)
                writing.flush()
                os.fsync(writing.fileno())
        except BaseException:
            target.unlink(missing_ok=True)
            raise
    return done
