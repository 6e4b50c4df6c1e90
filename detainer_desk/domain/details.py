"""An audit event's or amendment's recorded details in words: the admin's audit trail, a
record's history and the audit trail's PDF show them alike."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from typing import Any

from . import timetext


def details_text(details_json: str | Mapping[str, Any], zone: dt.tzinfo | None = None) -> str:
    """An event's or amendment's details (as recorded, or as read by the store) in words;
    with ``zone``, instants in it are shown in the county's time."""
    if isinstance(details_json, Mapping):
        details: Any = details_json
    else:
        try:
            details = json.loads(details_json)
        except ValueError:
            return details_json
    if not isinstance(details, dict):
        return str(details)
    parts = []
    for key, value in details.items():
        if isinstance(value, bool):
            shown = "yes" if value else "no"
        elif isinstance(value, list):
            shown = ", ".join(map(str, value))
        elif isinstance(value, str):
            shown = _instant_or_text(value, zone)
        else:
            shown = "–" if value is None else str(value)
        parts.append(f"{key.replace('_', ' ')}: {shown}")
    return "; ".join(parts)


def _instant_or_text(value: str, zone: dt.tzinfo | None) -> str:
    """An ISO instant stored in the details (``2026-03-08T15:00:00-07:00``) as the county's
    time; any other text as it is."""
    if zone is None or len(value) < 16 or value[4:5] != "-" or "T" not in value:
        return value
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError:
        return value
    return timetext.short_time(moment, zone) if moment.tzinfo is not None else value
