"""How many worker processes the heavy jobs use: verifying the chain, writing decisions.csv,
rendering the export's audit PDFs.

One per processor, once a job is large enough for starting them to pay. An administrator
can set ``DETAINER_DESK_WORKERS``: a number of workers to use for every such job whatever its
size (``1``: none, everything in the program's own process).
"""

from __future__ import annotations

import logging
import os

ENVIRONMENT = "DETAINER_DESK_WORKERS"
log = logging.getLogger("detainer_desk")


def processors() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def configured() -> int | None:
    """The administrator's setting, if there is a valid one."""
    text = os.environ.get(ENVIRONMENT, "").strip()
    if not text:
        return None
    if text.isdigit() and 1 <= int(text) <= 64:
        return int(text)
    log.warning("%s=%r is not a number from 1 to 64; it is ignored", ENVIRONMENT, text)
    return None


def worker_count(size: int, worth_it_from: int) -> int:
    """Workers for a job of ``size`` items that pays to split from ``worth_it_from`` items
    (1: do it here)."""
    chosen = configured()
    if chosen is not None:
        return chosen
    return processors() if size >= worth_it_from else 1
