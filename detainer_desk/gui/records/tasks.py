"""Running a records query or write off the GUI thread: the one helper of ``gui/tasks.py``,
named here too for the screens that import it from their own package."""

from __future__ import annotations

from ..tasks import report_failure, run_in_background, still_alive

__all__ = ["report_failure", "run_in_background", "still_alive"]
