"""The intake officer's screen: enter a detainer request as it came on paper, attach the
scans, classify each document with the judicial-warrant checklist, check the request against
the active policy, record the decision and print the audit PDF and the notice.

``screen`` lays it out; ``controller`` (built over it by the main window) wires it, with one
part per concern: ``draft_control`` (the work on the form and its drafts, ``drafts``),
``attaching`` (scans), ``recording`` (check and record, after ``earlier``), ``outputs``
(the PDFs) and ``display`` (what is shown and enabled), sharing ``state``. ``presenter``
asks the domain and words the answers; ``draft`` converts between the form and the request
file of the contract.
"""

from .controller import IntakeController
from .screen import IntakeScreen

__all__ = ["IntakeController", "IntakeScreen"]
