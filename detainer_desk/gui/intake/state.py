"""What the intake screen is working on: the one request on the form, its assessment, and
whether it is checked, recorded, saved or busy. The controller's parts (``controller.py``)
share one of these; each changes only what its own concern owns.
"""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from detainer_desk.domain.alerts import DEFAULT_WARNINGS, Warnings
from detainer_desk.domain.policy import Policy
from detainer_desk.services.records import RecordedDecision

from . import presenter as p


class IntakeState:
    def __init__(self) -> None:
        # -- read with the policy at sign-in and at every check (controller.py) --
        self.policy: Policy | None = None
        self.policy_version: int | None = None
        # The county's timezone (county_clock): typed times are read in it, times shown in it.
        self.county_zone: ZoneInfo | None = None
        # The hold-alert times of the installation's settings, read with the policy.
        self.warnings: Warnings = DEFAULT_WARNINGS

        # -- the request on the form --
        self.assessment = p.Assessment(())
        self.recorded: RecordedDecision | None = None
        self.touched: set[str] = set()
        self.reveal = False  # show every problem beside its field, touched or not
        self.checked = False  # the officer has asked for the decision of this request
        self.dirty = False
        self.path: str | None = None  # the request file it was opened from or saved to
        self.shown: dict[str, Any] | None = None  # the decision on show (contract form)

        # -- work under way --
        self.busy: str | None = None  # recording, or making a PDF: what, in words
        self.loading = 0  # scans being read
        self.generation = 0  # bumped by every new request: late results of old work are dropped

    def start_over(self) -> None:
        """A new request on the form: forget everything about the previous one."""
        self.generation += 1
        self.loading = 0
        self.recorded = None
        self.touched.clear()
        self.reveal = False
        self.checked = False
        self.dirty = False
        self.path = None
        self.shown = None

    @property
    def may_change(self) -> bool:
        """Nothing recorded and nothing under way: the request may still be acted on."""
        return self.recorded is None and self.busy is None

    def has_unsaved_work(self) -> bool:
        """Something typed or attached that is neither recorded nor saved as a file."""
        return self.dirty and self.recorded is None

    def booking_key(self) -> tuple[str, str] | None:
        """The booking number and form of the request, once it reads as one."""
        request = self.assessment.request
        if request is None:
            return None
        return request.subject.booking_number, request.detainer.form
