"""The Qt binding must keep Python's reference counts straight.

PySide6 6.12.0 on CPython 3.11 returns ``None`` from every void method and ``True`` from
every ``Signal.emit()`` without taking a reference. Each call takes one away; after a few
hundred emits or a few thousand calls (minutes of normal use) the interpreter aborts with "Fatal Python error:
none_dealloc" or "bool_dealloc". PySide6 6.11.3 is sound. From CPython 3.12 ``None`` and
``True`` are immortal and the mistake is harmless, so the check only runs before 3.12.
"""

from __future__ import annotations

import sys

import pytest
from PySide6 import __version__ as pyside_version
from PySide6.QtCore import QObject, Signal

CALLS = 200
ADVICE = (
    f"PySide6 {pyside_version} on Python {sys.version_info.major}.{sys.version_info.minor} "
    "drops a reference to {obj} on every {what}; the program aborts once the count "
    "runs out (a few hundred emits, a few thousand calls). Use a PySide6 without this fault (6.11.3 is sound) or Python 3.12+."
)

needs_mortal_singletons = pytest.mark.skipif(
    sys.version_info >= (3, 12), reason="None and True are immortal from Python 3.12"
)


class _Emitter(QObject):
    happened = Signal()


@needs_mortal_singletons
def test_void_methods_keep_the_reference_to_none() -> None:
    target = QObject()
    before = sys.getrefcount(None)
    for _ in range(CALLS):
        target.setObjectName("x")
    lost = before - sys.getrefcount(None)

    assert lost < CALLS // 2, ADVICE.format(obj="None", what="void method call")


@needs_mortal_singletons
def test_emitting_a_signal_keeps_the_reference_to_true() -> None:
    emitter = _Emitter()
    before = sys.getrefcount(True)
    for _ in range(CALLS):
        emitter.happened.emit()
    lost = before - sys.getrefcount(True)

    assert lost < CALLS // 2, ADVICE.format(obj="True", what="Signal.emit()")
