"""The store's public names, where the composition root, the commands and the tests import
them; each lives in the module of its concern:

* ``records``: the record repository (policies, requests, decisions, amendments, contacts,
  the derived index), reading through ``search`` (the search planner) and ``export_table``
  (the export's rows and the CSV workers);
* ``accounts`` and ``audit``: accounts, settings and trusted keys; the audit log;
* ``unit_of_work``: one transaction with the repositories over it;
* ``ledger``: the hash chain walked and verified (``chain`` appends to it).
"""

from __future__ import annotations

from .accounts import SqlAccountRepository
from .audit import SqlAuditRepository
from .ledger import SqlLedger, verify_store
from .records import SqlRecordRepository
from .unit_of_work import SqlUnitOfWork

__all__ = [
    "SqlAccountRepository",
    "SqlAuditRepository",
    "SqlLedger",
    "SqlRecordRepository",
    "SqlUnitOfWork",
    "verify_store",
]
