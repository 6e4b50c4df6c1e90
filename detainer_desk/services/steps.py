"""Stepwise operations (a backup, a checkpoint, a verification, a what-if) yield their
progress as they go and, last, their result: the two ways a caller runs one."""

from __future__ import annotations

from collections.abc import Generator, Iterable
from typing import Any, TypeVar

R = TypeVar("R")


def passing_on(steps: Iterable[object], result: type[R]) -> Generator[Any, None, R]:
    """Run ``steps``: each progress step yielded on as it comes; the ``result`` returned."""
    found: R | None = None
    for step in steps:
        if isinstance(step, result):
            found = step
        else:
            yield step
    assert found is not None
    return found


def result_of(steps: Iterable[object], result: type[R]) -> R:
    """Run ``steps`` to the end, their progress passed over: the ``result``."""
    found: R | None = None
    for step in steps:
        if isinstance(step, result):
            found = step
    assert found is not None
    return found
