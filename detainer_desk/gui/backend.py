"""What the window needs from the composition root: a unit-of-work factory, a clock, the
password machinery, the exporter, and the names of this workstation and of the record store.

Tests build one over a real store in a temporary folder and may swap the clock.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from detainer_desk.services.accounts import Security
from detainer_desk.services.export import Exporter
from detainer_desk.services.ports import Ledger, RestoreFiles, Signer, UnitOfWork

from .thread_guard import GuiThreadGuard

if TYPE_CHECKING:
    from detainer_desk.runtime import Runtime


@dataclass(frozen=True)
class Backend:
    uow: Callable[[], UnitOfWork]
    clock: Callable[[], dt.datetime]
    security: Security
    workstation: str
    database_label: str
    ledger: Callable[[], Ledger] | None = None  # the hash chain (verify, checkpoints, export)
    signer: Callable[[], Signer] | None = None  # the installation's checkpoint key
    # How the records are kept, when the user should know (runtime.notices): shown in a banner.
    notices: tuple[str, ...] = ()
    # A checked copy of the SQLite store to a new file: (entries, chain head); None on PostgreSQL.
    backup_to: Callable[[Path], tuple[int, str]] | None = None
    # The same, encrypted under a passphrase (adapters/protect); None on PostgreSQL.
    protected_backup_to: Callable[[Path, str], tuple[int, str]] | None = None
    data_dir: Path | None = None  # where this workstation keeps its settings file(s)
    # The whole chain verified as the CLI's verify does: progress, then the result.
    verify: Callable[[], Iterator[Any]] | None = None
    # The SQLite store's files for a restore (services/backups; None on PostgreSQL).
    restore_files: RestoreFiles | None = None
    exporter: Exporter | None = None  # the litigation export (runtime.exporter), on this clock
    # Off unless turned on (tests): a unit of work opened on the GUI thread is then a bug.
    guard: GuiThreadGuard = field(default_factory=GuiThreadGuard)

    def __post_init__(self) -> None:
        object.__setattr__(self, "uow", self.guard.guarded(self.uow))

    def save_file(self, path: str | Path, content: bytes, kind: Any = None) -> Path:
        """Save a file the user chose in a save dialog (which asked before replacing one):
        private, whole or not at all, never through a link, and replacing only a regular
        file of the same ``kind`` (adapters/files). OutputError in plain words."""
        from detainer_desk.adapters.files import write_output

        return write_output(path, content, replace=True, kind=kind, journal=self.partials())

    def partials(self) -> Any:
        """The journal of outputs being written (half files of a killed run are removed at
        the next start), or None without a data folder."""
        if self.data_dir is None:
            return None
        from detainer_desk.adapters.files import PartialJournal

        return PartialJournal.in_data_dir(self.data_dir)

    @classmethod
    def from_runtime(
        cls,
        runtime: Runtime,
        workstation: str,
        *,
        clock: Callable[[], dt.datetime] | None = None,
    ) -> Backend:
        return cls(
            uow=runtime.uow,
            clock=clock or runtime.clock,
            security=runtime.security(),
            workstation=workstation,
            database_label=runtime.database_label,
            ledger=runtime.ledger,
            signer=runtime.signer,
            notices=runtime.notices,
            backup_to=runtime.backup_to if runtime.is_sqlite else None,
            protected_backup_to=runtime.protected_backup_to if runtime.is_sqlite else None,
            data_dir=runtime.paths.data_dir,
            verify=runtime.verify,
            restore_files=runtime.restore_files(clock) if runtime.is_sqlite else None,
            exporter=runtime.exporter(clock or runtime.clock),
            guard=GuiThreadGuard.from_environment(),
        )
