"""The second factor: time-based one-time codes (TOTP, RFC 6238) and recovery codes.

FBI CJIS Security Policy 5.6.2.2 (v6.0: IA-2(1), IA-2(2)) asks for multi-factor
authentication for every access to criminal-justice information. Detainer Desk's second
factor is the one every authenticator app speaks: a 20-byte secret shared once (a QR code
and the same secret in text), then a 6-digit code from the secret and the time, in 30-second
steps (RFC 6238 with HMAC-SHA-1, the parameters of Google Authenticator, Microsoft
Authenticator, FreeOTP and the rest).

The rules here are pure: which steps a code may belong to (the current one and one either
side, for a phone's clock a little off: RFC 6238 section 5.2 recommends at most one step
of drift), that no step is accepted twice for an account (a code seen over a shoulder or
typed into a phishing page cannot be used again: RFC 6238 section 5.2), and what a typed
code or recovery code looks like. Computing a code is the adapter's (cryptography's HOTP).
"""

from __future__ import annotations

import base64
import datetime as dt
import re
import urllib.parse
from typing import Final

STEP_SECONDS: Final = 30
DIGITS: Final = 6
DRIFT_STEPS: Final = 1  # one 30-second step either side of the server's clock
SECRET_BYTES: Final = 20  # 160 bits: RFC 4226 section 4, R6
RECOVERY_CODE_COUNT: Final = 10
# Recovery codes: 12 characters from 32 that cannot be mistaken for one another (no 0/O,
# 1/I/L), shown as three groups of four: 60 random bits each, stored only as argon2id hashes.
RECOVERY_ALPHABET: Final = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
RECOVERY_CODE_LENGTH: Final = 12

_SPACES = re.compile(r"[\s\-]+")


def step_at(moment: dt.datetime) -> int:
    """The RFC 6238 time step of an instant (T = floor(Unix time / 30))."""
    return int(moment.timestamp()) // STEP_SECONDS


def candidate_steps(moment: dt.datetime) -> tuple[int, ...]:
    """The steps a code typed at ``moment`` may belong to: now first, then one step behind
    and one ahead (a phone's clock may be up to 30 seconds off)."""
    now = step_at(moment)
    return (now, now - DRIFT_STEPS, now + DRIFT_STEPS)


def is_replay(step: int, last_used_step: int | None) -> bool:
    """Whether a code of ``step`` must be refused because that step (or a later one) was
    already used for the account: each code is good once."""
    return last_used_step is not None and step <= last_used_step


def totp_code(text: str) -> str | None:
    """The 6 digits of a typed code ("123 456" and "123-456" too), or None when it is not
    one."""
    compact = _SPACES.sub("", text)
    if len(compact) == DIGITS and compact.isascii() and compact.isdigit():
        return compact
    return None


def recovery_code(text: str) -> str | None:
    """A typed recovery code in its stored form (upper case, no dashes or spaces), or None
    when it cannot be one."""
    compact = _SPACES.sub("", text).upper()
    if len(compact) == RECOVERY_CODE_LENGTH and all(ch in RECOVERY_ALPHABET for ch in compact):
        return compact
    return None


def shown_recovery_code(code: str) -> str:
    """A recovery code as it is shown: ABCD-EFGH-JKMN."""
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))


def secret_text(secret: bytes) -> str:
    """The secret as typed into an authenticator app by hand: base32 in groups of four."""
    encoded = base64.b32encode(secret).decode("ascii").rstrip("=")
    return " ".join(encoded[i : i + 4] for i in range(0, len(encoded), 4))


def secret_from_text(text: str) -> bytes | None:
    """The secret back from its text (spaces and case ignored), or None."""
    compact = _SPACES.sub("", text).upper()
    if not compact or len(compact) > 128:
        return None
    try:
        return base64.b32decode(compact + "=" * (-len(compact) % 8))
    except ValueError:
        return None


def provisioning_uri(secret: bytes, account: str, issuer: str) -> str:
    """The otpauth:// address an authenticator app reads from the QR code (Google
    Authenticator's Key Uri Format: label "issuer:account", the issuer again as a
    parameter, and the RFC 6238 parameters spelled out)."""
    label = urllib.parse.quote(f"{issuer}:{account}", safe="")
    query = urllib.parse.urlencode(
        {
            "secret": base64.b32encode(secret).decode("ascii").rstrip("="),
            "issuer": issuer,
            "algorithm": "SHA1",
            "digits": str(DIGITS),
            "period": str(STEP_SECONDS),
        },
        quote_via=urllib.parse.quote,
    )
    return f"otpauth://totp/{label}?{query}"
