"""The unit of work: one transaction on its own connection, with the repositories over it."""

from __future__ import annotations

from typing import Self

from sqlalchemy import (
    Connection,
    Engine,
)
from sqlalchemy.exc import DBAPIError

from detainer_desk.services.access import StorageError
from detainer_desk.services.ports import (
    AccountRepository,
    AuditRepository,
    RecordRepository,
)

from .accounts import SqlAccountRepository
from .audit import SqlAuditRepository
from .engine import is_environmental, plain_error
from .records import SqlRecordRepository


class SqlUnitOfWork:
    """A transaction on its own connection, rolled back unless committed.

    Entering it again while it is open joins the same transaction (a batch: the demo filler
    records many decisions per commit); only the outermost ``commit`` commits.
    """

    records: RecordRepository
    accounts: AccountRepository
    audit: AuditRepository

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._conn: Connection | None = None
        self._depth = 0

    def __enter__(self) -> Self:
        self._depth += 1
        if self._depth == 1:
            try:
                self._conn = self.engine.connect()
                self._conn.begin()
            except DBAPIError as exc:
                self._depth = 0
                self._close_quietly()
                if is_environmental(exc):
                    raise plain_error(exc, self.engine.url) from exc
                raise
            self.records = SqlRecordRepository(self._conn)
            self.accounts = SqlAccountRepository(self._conn)
            self.audit = SqlAuditRepository(self._conn)
        return self

    def __exit__(self, *exc_info: object) -> None:
        exc = exc_info[1] if len(exc_info) > 1 else None
        self._depth -= 1
        if self._depth > 0:
            return
        assert self._conn is not None
        environmental = isinstance(exc, DBAPIError) and is_environmental(exc)
        try:
            if self._conn.in_transaction():
                self._conn.rollback()
            if environmental or isinstance(exc, StorageError):
                # Never reuse a connection that met the fault (SQLite keeps a file it had to
                # open read-only read-only for good): the next transaction opens a new one.
                self._conn.invalidate()
        except DBAPIError as failed:
            # The connection is gone (the server rolls back what it had); report the
            # first failure, not this one.
            if exc is None:
                raise plain_error(failed, self.engine.url) from failed
        finally:
            self._close_quietly()
        # A full disk, a lock held too long, a lost server: plain words (nothing of the
        # transaction was stored). Anything else is a bug and keeps its traceback.
        if environmental:
            assert isinstance(exc, DBAPIError)
            raise plain_error(exc, self.engine.url) from exc

    def _close_quietly(self) -> None:
        if self._conn is not None:
            try:
                self._conn.close()
            except DBAPIError:
                self._conn.invalidate()
            self._conn = None

    def commit(self) -> None:
        assert self._conn is not None
        if self._depth == 1:
            try:
                self._conn.commit()
            except DBAPIError as exc:
                if is_environmental(exc):
                    raise plain_error(exc, self.engine.url, during_commit=True) from exc
                raise

    def rollback(self) -> None:
        assert self._conn is not None
        self._conn.rollback()
