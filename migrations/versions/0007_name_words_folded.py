"""name words without case or accents, and word pairs linear in the name

The name words and word pairs are derived data (rebuilt from the requests' names, never
hashed). They are rebuilt here by the program's own function (``domain.names.name_index``):

* every word is folded, case and accents alike ("RODRÍGUEZ" is kept as "rodriguez"), as a
  search is, so that a search finds a name whichever way either is written;
* a name of more than 12 different words keeps one row per word (marked as a long name)
  instead of every ordered pair of them: the pairs grow linearly with the name, not with
  its square (a 3,000-word name wrote nine million pairs).

The evidence (the requests and everything else in the chain) is not touched. Downgrading
rebuilds the words as revision 0005 made them.

Revision ID: 0007
Revises: 0006
"""

from __future__ import annotations

import re
from collections.abc import Callable

import sqlalchemy as sa
from alembic import op

from detainer_desk.domain.names import NameIndex, name_index

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

BATCH = 5_000

_requests = sa.table(
    "requests", sa.column("id"), sa.column("subject_name"), sa.column("received_at")
)
_tokens = sa.table(
    "name_tokens", sa.column("token"), sa.column("request_id"), sa.column("received_at")
)
_pairs = sa.table(
    "name_pairs",
    sa.column("token"),
    sa.column("other"),
    sa.column("request_id"),
    sa.column("received_at"),
)
_INDEXES = (
    ("ix_name_tokens_token_received", "name_tokens", ["token", "received_at", "request_id"]),
    ("ix_name_tokens_request_token", "name_tokens", ["request_id", "token"]),
    (
        "ix_name_pairs_token_other_received",
        "name_pairs",
        ["token", "other", "received_at", "request_id"],
    ),
)


def _rebuild(index_of: Callable[[str], NameIndex]) -> None:
    """Every request's name words and pairs again, by ``index_of``, batch by batch (the
    indexes are made once at the end: faster than keeping them up to date row by row)."""
    bind = op.get_bind()
    for name, table, _columns in _INDEXES:
        op.drop_index(name, table_name=table)
    op.execute(_pairs.delete())
    op.execute(_tokens.delete())
    last = 0
    while True:
        rows = bind.execute(
            sa.select(_requests.c.id, _requests.c.subject_name, _requests.c.received_at)
            .where(_requests.c.id > last)
            .order_by(_requests.c.id)
            .limit(BATCH)
        ).all()
        if not rows:
            break
        tokens, pairs = [], []
        for request_id, subject_name, received_at in rows:
            index = index_of(subject_name)
            tokens += [
                {"token": t, "request_id": request_id, "received_at": received_at}
                for t in index.tokens
            ]
            pairs += [
                {"token": a, "other": b, "request_id": request_id, "received_at": received_at}
                for a, b in index.pairs
            ]
        if tokens:
            bind.execute(_tokens.insert(), tokens)
        if pairs:
            bind.execute(_pairs.insert(), pairs)
        last = rows[-1][0]
    for name, table, columns in _INDEXES:
        op.create_index(name, table, columns)


def upgrade() -> None:
    _rebuild(name_index)


def _index_at_0005(name: str) -> NameIndex:
    """The words (case folded only) and every ordered pair of them, as revision 0005 kept
    them."""
    tokens = tuple(sorted({t for t in re.split(r"[\s,.;]+", name.casefold()) if t}))
    return NameIndex(tokens, tuple((a, b) for a in tokens for b in tokens if a != b))


def downgrade() -> None:
    _rebuild(_index_at_0005)
