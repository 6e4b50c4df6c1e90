"""The search planner: a query's filters, and the plan (index) that answers it."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from sqlalchemy import (
    Connection,
    exists,
    false,
    func,
    intersect,
    or_,
    select,
    tuple_,
    union,
)

from detainer_desk.domain.names import LONG_NAME, name_words
from detainer_desk.services.ports import (
    DecisionQuery,
)

from .derived_scan import utc_text
from .schema import (
    decision_index,
    decisions,
    name_pairs,
    name_tokens,
    requests,
)

# Sorts whose index can be walked to find a broad search's first page (see SearchPlanner.broad_search):
# matches are spread evenly along the received time, not bunched as they are by name.
_INDEXED_LOG_SORTS = frozenset({"received_at"})
LOG_SORT = {
    "received_at": requests.c.received_at,
    "subject_name": requests.c.subject_name,
    "booking_number": requests.c.booking_number,
    "a_number": func.coalesce(requests.c.a_number, ""),
    "form": requests.c.form,
    "outcome": decisions.c.outcome,
    "hold_until": func.coalesce(decision_index.c.hold_until_utc, ""),
    "recorded_by": decisions.c.recorded_by,
    "status": decision_index.c.status,
}
# The same over decisions not indexed yet too (``find_decisions``: outer-joined to the index).
FIND_SORT = {**LOG_SORT, "status": func.coalesce(decision_index.c.status, "")}


# A search word that starts more different name words than this ("a") is searched by the
# general plan; below it, the newest matches are read off the (word, received) index.
NAME_WORDS_PER_SEARCH_WORD = 16
NAME_WORD_COUNT_CAP = 5_000


class SearchPlanner:
    """Which filters a query of the log or the export becomes, and which plan finds its
    first rows fastest: the name words' (word, received) index, the received-time index
    walked, or every match gathered and sorted (measured on both databases)."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def conditions(self, query: DecisionQuery, names: Any | None = None) -> list[Any]:
        """The filters; ``names``: the name matches already gathered (see
        ``newest_name_matches``), else the search decides its own plan."""
        conditions = []
        if query.search and query.search.strip():
            if names is not None:
                conditions.append(_search_condition(query.search, names=names))
            else:
                # A common name among many decisions: walk the received-at index instead.
                broad = self.broad_search(query.search)
                conditions.append(_search_condition(query.search, scan_in_order=broad))
        if query.outcome:
            conditions.append(decisions.c.outcome == query.outcome)
        if query.recorded_by:
            conditions.append(decisions.c.recorded_by == query.recorded_by)
        if query.received_from:
            conditions.append(requests.c.received_at >= utc_text(query.received_from))
        if query.received_to:
            conditions.append(requests.c.received_at < utc_text(query.received_to))
        return conditions

    def log_conditions(
        self, query: DecisionQuery, scan_in_order: bool = False, names: Any | None = None
    ) -> list[Any]:
        """The log's filters. The search is added here, not by conditions: whether to walk
        an index depends on the log's sort (the log's page decides), and a count never walks one.
        Walking, the filters are written so that no index drives them (``|| ''``)."""
        base = DecisionQuery(
            outcome=None if scan_in_order else query.outcome,
            received_from=query.received_from,
            received_to=query.received_to,
            recorded_by=None if scan_in_order else query.recorded_by,
        )
        conditions = self.conditions(base)
        if scan_in_order and query.outcome:
            conditions.append(decisions.c.outcome.concat("") == query.outcome)
        if scan_in_order and query.recorded_by:
            conditions.append(decisions.c.recorded_by.concat("") == query.recorded_by)
        if query.search and query.search.strip():
            conditions.append(
                _search_condition(query.search, scan_in_order=scan_in_order, names=names)
            )
        if query.status:
            status = decision_index.c.status
            conditions.append((status.concat("") if scan_in_order else status) == query.status)
        return conditions

    def newest_name_matches(
        self,
        words: Sequence[str],
        *,
        descending: bool,
        after: tuple[str, int] | None,
        received_from: str | None,
        received_to: str | None,
        limit: int,
    ) -> Any | None:
        """The request ids of the first ``limit`` requests in received order (after the
        keyset ``after``, within the period) whose name has a word starting with each of
        ``words``; None when this plan does not apply (no words, or a word so short that it
        starts too many different name words).

        Read straight off an index whatever the size of the record: each name word (or pair
        of name words, for two search words) the search can stand for is walked in received
        order on the (word[, other word], received time) index, the walks merged (SQLite:
        MERGE of the compound's ordered arms; PostgreSQL: Merge Append) and stopped after
        ``limit`` rows; any further search words are checked through the (request, word)
        index on the way. A long name keeps no pairs but one (word, LONG_NAME) row per word:
        walked by the first search word, its second is checked like any further one."""
        # A word that starts another search word adds nothing: any name word matching the
        # longer one matches it too. What remains needs a different name word each.
        words = sorted(set(words))
        words = [w for w in words if not any(o != w and o.startswith(w) for o in words)]
        if not words:
            return None
        tokens: dict[str, list[str]] = {}
        for word in words:
            found = self._name_words_starting(word, NAME_WORDS_PER_SEARCH_WORD + 1)
            if len(found) > NAME_WORDS_PER_SEARCH_WORD:
                return None
            if not found:
                return select(requests.c.id).where(false())  # no name has this word
            tokens[word] = found
        # One or two words: every one is walked (a pair's index holds both orders). More:
        # the two rarest are walked and the others checked on the way.
        rarest = (
            words
            if len(words) <= 2
            else sorted(words, key=lambda w: self._name_word_uses(tokens[w]))
        )
        walked: Any
        # Each walk: the conditions that pick its rows, and the search words then checked.
        walks: list[tuple[tuple[Any, ...], list[str]]]
        if len(rarest) == 1:
            walked = name_tokens
            walks = [((walked.c.token == t,), []) for t in tokens[rarest[0]]]
        else:
            walked = name_pairs
            first, second, *checked = rarest
            walks = [
                ((walked.c.token == a, walked.c.other == b), checked)
                for a in tokens[first]
                for b in tokens[second]
            ]
            if len(walks) > NAME_WORDS_PER_SEARCH_WORD:
                return None
            # A long name keeps one (word, LONG_NAME) row per word instead of every pair:
            # walked by the first search word, it has the second checked like the rest.
            walks += [
                ((walked.c.token == a, walked.c.other == LONG_NAME), [second, *checked])
                for a in tokens[first]
            ]
        arms = []
        for conditions, words_checked in walks:
            arm = select(walked.c.request_id, walked.c.received_at).where(*conditions)
            if received_from is not None:
                arm = arm.where(walked.c.received_at >= received_from)
            if received_to is not None:
                arm = arm.where(walked.c.received_at < received_to)
            if after is not None:
                key = tuple_(walked.c.received_at, walked.c.request_id)
                arm = arm.where(key < after if descending else key > after)
            for number, word in enumerate(words_checked):
                arm = arm.where(_has_name_word(walked.c.request_id, word, f"word_{number}"))
            arms.append(arm)
        merged = arms[0] if len(arms) == 1 else union(*arms)
        received, request = merged.selected_columns.received_at, merged.selected_columns.request_id
        ordered = merged.order_by(
            *((received.desc(), request.desc()) if descending else (received.asc(), request.asc()))
        ).limit(limit)
        return select(ordered.subquery().c.request_id)

    def _name_words_starting(self, prefix: str, most: int) -> list[str]:
        """The distinct name words starting with ``prefix``, up to ``most`` of them: one index
        seek each, however many requests use them."""
        found: list[str] = []
        low, inclusive = prefix, True
        while len(found) < most:
            token = name_tokens.c.token
            statement = select(func.min(token)).where(
                token >= low if inclusive else token > low, token < prefix + "\U0010ffff"
            )
            word = self.conn.execute(statement).scalar()
            if word is None:
                break
            found.append(str(word))
            low, inclusive = str(word), False
        return found

    def _name_word_uses(self, words: Sequence[str]) -> int:
        """How many name entries use these words, counted up to a cap (to pick the rarest
        search word to walk)."""
        capped = (
            select(name_tokens.c.request_id)
            .where(name_tokens.c.token.in_(words))
            .limit(NAME_WORD_COUNT_CAP)
        )
        return int(
            self.conn.execute(select(func.count()).select_from(capped.subquery())).scalar_one()
        )

    def many(self, matching: Any) -> bool:
        """Whether ``matching`` has so many rows that walking the received-time index and
        keeping the matches beats gathering every match and sorting it. Measured on SQLite
        the two cost the same near matches² = 40 × rows: a common surname or outcome among
        a million decisions is ~15 ms walked and ~150-900 ms gathered; a rare one the other
        way round. Counting stops at that many, so asking costs a millisecond or two."""
        rows = self.conn.execute(select(func.max(requests.c.id))).scalar() or 0
        enough = max(1, math.isqrt(40 * rows) + 1)
        found = self.conn.execute(
            select(func.count()).select_from(matching.limit(enough).subquery())
        ).scalar_one()
        return bool(found >= enough)

    def broad_search(self, text: str) -> bool:
        """Whether the name words match many decisions (see ``many``)."""
        words = _name_words(text)
        # Several words: their intersection is usually small even when each word is common
        # (and counting it would cost as much as gathering it), so it is always gathered.
        return len(words) == 1 and self.many(_name_matches(words))

    def walk_in_received_order(self, query: DecisionQuery) -> bool:
        """Whether every filter of ``query`` matches many decisions, so that its first page
        is found fastest by walking the received-time index (see ``many``)."""
        if query.sort not in _INDEXED_LOG_SORTS:
            return False
        filters = []
        if query.search and query.search.strip():
            words = _name_words(query.search)
            if len(words) != 1:  # see _broad_search
                return False
            filters.append(_name_matches(words))
        if query.outcome:
            filters.append(select(decisions.c.id).where(decisions.c.outcome == query.outcome))
        if query.recorded_by:
            filters.append(
                select(decisions.c.id).where(decisions.c.recorded_by == query.recorded_by)
            )
        if query.status:
            filters.append(
                select(decision_index.c.decision_id).where(decision_index.c.status == query.status)
            )
        return bool(filters) and all(self.many(matching) for matching in filters)


def _name_words(text: str) -> list[str]:
    """A search's name words, cut and folded as the names' own words are."""
    return name_words(text)


def _has_name_word(request_id: Any, word: str, alias: str) -> Any:
    """The request's name has a word starting with ``word`` (the (request, word) index)."""
    other = name_tokens.alias(alias)
    return exists().where(
        other.c.request_id == request_id,
        other.c.token >= word,
        other.c.token < word + "\U0010ffff",
    )


def _search_condition(text: str, scan_in_order: bool = False, names: Any | None = None) -> Any:
    """Name words (prefix), A-number or booking number; every path uses an index.

    The matching request ids are gathered once, as one list (the booking number's and the
    A-number's index lookups, and one INTERSECT of the name words' index ranges), and the
    requests are then read by their keys. (An OR of the three tests would make SQLite
    gather the name matches twice.)

    ``names``: the name matches already gathered (a select of request ids).
    ``scan_in_order`` (a broad, single-word search): the name-word test is written so that
    no index drives it (``id + 0``): SQLite then walks the sort's index and keeps the
    matching rows.
    """
    from detainer_desk.domain.request import normalize_a_number

    raw = text.strip()
    exact = [requests.c.booking_number == raw]
    a_number = normalize_a_number(raw)
    if a_number:
        exact.append(requests.c.a_number == a_number)
    words = _name_words(raw)
    if scan_in_order and words and names is None:
        return or_(*exact, (requests.c.id + 0).in_(_name_matches(words)))
    ids = select(requests.c.id).where(or_(*exact))
    if names is not None:
        ids = union(ids, names)  # type: ignore[assignment]
    elif words:
        matches = _name_matches(words).subquery()
        ids = union(ids, select(matches.c.request_id))  # type: ignore[assignment]
    return requests.c.id.in_(ids)


def _name_matches(words: Sequence[str]) -> Any:
    """The request ids whose name has a word starting with each of ``words``."""
    ranges = [
        select(name_tokens.c.request_id).where(
            name_tokens.c.token >= word, name_tokens.c.token < word + "\U0010ffff"
        )
        for word in words
    ]
    return ranges[0] if len(ranges) == 1 else intersect(*ranges)
