"""The intake officer's screen: enter a detainer request as it came on paper, attach the
scans, classify each document with the judicial-warrant checklist, check the request against
the active policy, record the decision and print the audit PDF and the notice.

``screen`` lays it out, ``controller`` wires it, ``presenter`` asks the domain and words the
answers, ``draft`` converts between the form and the request file of the contract.
"""

from .screen import IntakeScreen

__all__ = ["IntakeScreen"]
