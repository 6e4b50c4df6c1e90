"""Shipped policy presets (schema 1 policy files, one ``.toml`` per preset).

Each preset names its legal source in ``citation`` and says in ``caution`` that county
counsel must confirm it before use. Offense lists in presets are representative samples.
"""

from __future__ import annotations

from importlib import resources
from importlib.resources.abc import Traversable

__all__ = ["is_preset_text", "preset_bytes", "preset_names"]

_SUFFIX = ".toml"


def _files() -> dict[str, Traversable]:
    root = resources.files(__name__)
    found: dict[str, Traversable] = {}
    for entry in root.iterdir():
        name = entry.name
        if entry.is_file() and name.endswith(_SUFFIX) and not name.startswith("."):
            found[name[: -len(_SUFFIX)]] = entry
    return found


def preset_names() -> list[str]:
    """The names (file stems) of all shipped presets, sorted."""
    return sorted(_files())


def preset_bytes(name: str) -> bytes:
    """The exact bytes of preset ``name``; raises ``KeyError`` for an unknown name."""
    entry = _files().get(name)
    if entry is None:
        raise KeyError(name)
    return entry.read_bytes()


def is_preset_text(data: bytes) -> bool:
    """Whether ``data`` is exactly a shipped preset's text (a template: its timezone is only
    a default, and the county's is written in when it is activated)."""
    return any(preset_bytes(name) == data for name in preset_names())
