"""The ledger: the hash chain of a store, walked and verified in read-only transactions."""

from __future__ import annotations

from collections.abc import Iterator

from sqlalchemy import (
    Connection,
    Engine,
    select,
)

from . import chain, chain_scan, derived_scan
from .schema import (
    EVIDENCE_TABLES,
)


class SqlLedger:
    """The chain of a store, read in short read-only transactions of its own (safe to use
    from a background task while others record). A large SQLite store is checked by
    worker processes reading the file alongside (``workers``: how many; None: one per
    processor once the chain is large enough to be worth it)."""

    def __init__(
        self,
        engine: Engine,
        workers: int | None = None,
        memo: derived_scan.IndexMemo | None = None,
    ) -> None:
        self.engine = engine
        self.workers = workers
        self.memo = memo  # what verify derived last time it passed (spares re-deriving)

    def _connect(self) -> Connection:
        return self.engine.connect().execution_options(read_only=True)

    def _sqlite_path(self) -> str | None:
        url = self.engine.url
        if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
            return str(url.database)
        return None

    def walk(self) -> Iterator[chain_scan.Span]:
        return chain.walk_chain(
            self._connect, sqlite_path=self._sqlite_path(), workers=self.workers, memo=self.memo
        )

    def verify(self, every: int = 10_000) -> Iterator[chain.VerifyProgress]:
        return chain.verify_chain(
            self._connect,
            every,
            sqlite_path=self._sqlite_path(),
            workers=self.workers,
            memo=self.memo,
        )

    def count(self) -> int:
        with self._connect() as conn:
            return chain.count_entries(conn)

    def head(self) -> tuple[int, str]:
        return chain.read_head(self._connect)

    def describe(self, seq: int) -> tuple[str, int]:
        """Which table and row entry ``seq`` is (("(none)", 0) when there is none)."""
        with self._connect() as conn:
            for table in EVIDENCE_TABLES:
                row_id = conn.execute(select(table.c.id).where(table.c.seq == seq)).scalar()
                if row_id is not None:
                    return table.name, int(row_id)
        return "(none)", 0


def verify_store(
    engine: Engine, every: int = 10_000, workers: int | None = None
) -> Iterator[chain.VerifyProgress]:
    return SqlLedger(engine, workers).verify(every)
