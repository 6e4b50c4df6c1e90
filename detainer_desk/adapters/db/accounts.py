"""Accounts, settings and trusted keys, each kept with its evidence in the chain."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy import (
    Connection,
    func,
    insert,
    select,
    update,
)
from sqlalchemy.engine import RowMapping

from detainer_desk.services.access import AlteredOutsideError
from detainer_desk.services.ports import (
    UserRecord,
)
from detainer_desk.services.second_factor import codes_column, stored_codes

from . import chain, state
from .derived_scan import from_utc_text, utc_text
from .rows import (
    maybe_time,
)
from .schema import (
    settings,
    state_changes,
    users,
)


def _user_of(row: RowMapping, altered: str | None = None) -> UserRecord:
    return UserRecord(
        id=row["id"],
        name=row["name"],
        display_name=row["display_name"],
        password_hash=row["password_hash"],
        roles=frozenset(r for r in row["roles"].split(",") if r),
        disabled=bool(row["disabled"]),
        locked_at=maybe_time(row["locked_at"]),
        created_at=from_utc_text(row["created_at"]),
        password_changed_at=from_utc_text(row["password_changed_at"]),
        second_factor=row["second_factor"],
        second_factor_step=row["second_factor_step"],
        recovery_codes=stored_codes(row["recovery_codes"]),
        directory=row["directory"],
        altered=altered,
    )


class SqlAccountRepository:
    """Accounts and settings: working rows, each change of which is appended to the chain
    as evidence (``state``). A row that no longer agrees with its latest evidence was
    changed outside the program: it is reported as altered, and never written over (the
    change would otherwise vanish into new evidence)."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    # -- the evidence of the working state ----------------------------------------------
    def _latest_state(self, kind: str, key: str) -> tuple[bool, str | None]:
        """(whether the chain has an entry for it, its latest state)."""
        row = self.conn.execute(
            select(state_changes.c.state)
            .where(state_changes.c.kind == kind, state_changes.c.key == key)
            .order_by(state_changes.c.seq.desc())
            .limit(1)
        ).first()
        return (False, None) if row is None else (True, row[0])

    def _latest_states(self, kind: str) -> dict[str, str | None]:
        return chain.latest_states(self.conn, kind)

    def _alteration(self, kind: str, key: str, row: RowMapping | None) -> str | None:
        """What was changed outside the program in this row (None: it agrees)."""
        known, kept = self._latest_state(kind, key)
        latest = {key: kept} if known else {}
        found = state.differences(kind, [row] if row is not None else [], latest)
        return found[0][1] if found else None

    def _keep_state(self, kind: str, key: str, known_alteration: str | None) -> None:
        """Append the row as it is now to the chain (after the program changed it)."""
        if known_alteration is not None:
            raise AlteredOutsideError(known_alteration)
        table, column = (
            (users, users.c.name) if kind == state.ACCOUNT else (settings, settings.c.key)
        )
        row = self.conn.execute(select(table).where(column == key)).mappings().first()
        chain.append(
            self.conn,
            state_changes,
            {"kind": kind, "key": key, "state": state.state_of(kind, row) if row else None},
        )

    def _account_row(self, name: str) -> RowMapping | None:
        return self.conn.execute(select(users).where(users.c.name == name)).mappings().first()

    # -- accounts -------------------------------------------------------------------------
    def count_users(self) -> int:
        """Accounts in the working table or in the chain: emptying the table does not make
        the store look new (that would invite a new first administrator)."""
        working = self.conn.execute(select(func.count()).select_from(users)).scalar_one()
        kept = sum(1 for value in self._latest_states(state.ACCOUNT).values() if value is not None)
        return max(int(working), kept)

    def user(self, name: str) -> UserRecord | None:
        row = self._account_row(name)
        if row is None:
            return None
        return _user_of(row, self._alteration(state.ACCOUNT, row["name"], row))

    def users(self) -> Sequence[UserRecord]:
        rows = list(self.conn.execute(select(users).order_by(users.c.name)).mappings())
        latest = self._latest_states(state.ACCOUNT)
        found = dict(state.differences(state.ACCOUNT, rows, latest))
        return [_user_of(r, found.get(r["name"])) for r in rows]

    def add_user(
        self,
        name: str,
        display_name: str,
        password_hash: str,
        roles: frozenset[str],
        now: dt.datetime,
    ) -> UserRecord:
        chain.lock_head(self.conn)
        known, kept = self._latest_state(state.ACCOUNT, name)
        if known and kept is not None:  # in the chain, gone from the table
            raise AlteredOutsideError(
                f"the account {name!r} is missing (removed outside the program)"
            )
        self.conn.execute(
            insert(users).values(
                name=name,
                display_name=display_name,
                password_hash=password_hash,
                roles=",".join(sorted(roles)),
                disabled=0,
                locked_at=None,
                created_at=utc_text(now),
                password_changed_at=utc_text(now),
            )
        )
        self._keep_state(state.ACCOUNT, name, None)
        created = self.user(name)
        assert created is not None
        return created

    def update_user(
        self,
        name: str,
        *,
        password_hash: str | None = None,
        password_changed_at: dt.datetime | None = None,
        roles: frozenset[str] | None = None,
        disabled: bool | None = None,
        locked_at: dt.datetime | bool | None = False,
        display_name: str | None = None,
        second_factor: str | bool | None = False,
        second_factor_step: int | bool | None = False,
        recovery_codes: tuple[str, ...] | None = None,
        directory: str | bool | None = False,
    ) -> None:
        values: dict[str, Any] = {}
        if second_factor is not False:
            values["second_factor"] = second_factor
        if second_factor_step is not False:
            values["second_factor_step"] = second_factor_step
        if recovery_codes is not None:
            values["recovery_codes"] = codes_column(recovery_codes)
        if directory is not False:
            values["directory"] = directory
        if password_hash is not None:
            values["password_hash"] = password_hash
        if password_changed_at is not None:
            values["password_changed_at"] = utc_text(password_changed_at)
        if roles is not None:
            values["roles"] = ",".join(sorted(roles))
        if disabled is not None:
            values["disabled"] = int(disabled)
        if locked_at is not False:
            values["locked_at"] = (
                utc_text(locked_at) if isinstance(locked_at, dt.datetime) else None
            )
        if display_name is not None:
            values["display_name"] = display_name
        if values:
            chain.lock_head(self.conn)
            altered = self._alteration(state.ACCOUNT, name, self._account_row(name))
            if altered is None:
                self.conn.execute(update(users).where(users.c.name == name).values(**values))
            self._keep_state(state.ACCOUNT, name, altered)

    # -- trusted checkpoint keys ------------------------------------------------------------
    def trust_entries(self) -> Sequence[tuple[str, str | None]]:
        return [
            (str(key), value)
            for key, value in self.conn.execute(
                select(state_changes.c.key, state_changes.c.state)
                .where(state_changes.c.kind == state.TRUSTED_KEY)
                .order_by(state_changes.c.seq)
            )
        ]

    def add_trust_entry(self, key: str, entry: str) -> None:
        chain.append(
            self.conn, state_changes, {"kind": state.TRUSTED_KEY, "key": key, "state": entry}
        )

    # -- settings ---------------------------------------------------------------------------
    def setting(self, key: str) -> str | None:
        return self.conn.execute(select(settings.c.value).where(settings.c.key == key)).scalar()

    def set_setting(self, key: str, value: str, now: dt.datetime, by: str) -> None:
        values = {"value": value, "updated_at": utc_text(now), "updated_by": by}
        chain.lock_head(self.conn)
        row = self.conn.execute(select(settings).where(settings.c.key == key)).mappings().first()
        altered = self._alteration(state.SETTING, key, row)
        if altered is None:
            changed = self.conn.execute(
                update(settings).where(settings.c.key == key).values(**values)
            )
            if changed.rowcount == 0:
                self.conn.execute(insert(settings).values(key=key, **values))
        self._keep_state(state.SETTING, key, altered)
