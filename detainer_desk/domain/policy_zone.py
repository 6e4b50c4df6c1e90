"""A policy in the county's timezone: the same text with one line changed.

The county's timezone is one fact of the installation, and the policy in force must read
times in it (an officer types the county's wall clock; the policy's calendar days are the
county's). A shipped preset is a template whose ``timezone`` is only a default, so it is
activated with the county's zone written into its text, and that text is what is stored
and hashed. A county's own policy file is the county's to change, so a file in another
zone is refused, naming both zones and the one line that would change.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass

from .policy import Policy, parse_policy
from .toml_lines import TomlLines

_TIMEZONE_LINE = re.compile(
    r"""^(?P<key>[ \t]*(?:timezone|"timezone"|'timezone')[ \t]*=[ \t]*)"""
    r"""(?P<value>"(?:[^"\\\n]|\\.)*"|'[^'\n]*')(?P<rest>[ \t]*(?:\#.*)?)$"""
)


class ZoneNotWritable(ValueError):
    """The text's ``timezone`` line is written in a way this cannot safely change."""


@dataclass(frozen=True, slots=True)
class ZoneRewrite:
    """The policy in another zone: the new text, and the one line that changed."""

    policy: Policy  # parsed from the new text
    line_number: int
    old_line: str
    new_line: str

    @property
    def text(self) -> str:
        return self.policy.text


def in_zone(policy: Policy, zone: str) -> ZoneRewrite:
    """``policy`` with its top-level ``timezone`` set to ``zone``: exactly one line of the
    text changes, and the new text is checked to mean the same policy but for the zone."""
    number = TomlLines(policy.text).line_of("timezone")
    lines = policy.text.splitlines(keepends=True)
    if number is None or not 1 <= number <= len(lines):
        raise ZoneNotWritable("the policy's timezone line cannot be found")
    old = lines[number - 1]
    ending = old[len(old.rstrip("\r\n")) :]
    match = _TIMEZONE_LINE.match(old.rstrip("\r\n"))
    if match is None:
        raise ZoneNotWritable(f'line {number} is not written as timezone = "..."')
    new = f'{match["key"]}"{zone}"{match["rest"]}'
    lines[number - 1] = new + ending
    text = "".join(lines)
    before = tomllib.loads(policy.text)
    try:
        after = tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        raise ZoneNotWritable(f"line {number} cannot be changed safely") from None
    before["timezone"] = zone
    if after != before:
        raise ZoneNotWritable("changing the timezone line would change more than the timezone")
    rewritten = parse_policy(text.encode("utf-8"), policy.source)
    return ZoneRewrite(rewritten, number, old.rstrip("\r\n"), new)
