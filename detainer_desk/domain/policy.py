"""The policy file (contract section 3): what a county permits, in its own words.

Parsing is strict: within schema 1 an unknown key, criterion or value is an error, because a
silently ignored typo in a policy can hold someone unlawfully.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from . import limits
from . import vocabulary as v
from .clock import HoldWindowRule
from .errors import InvalidInput, Problem
from .reader import Reader, describe_value, join_key, one_of, utf8_text
from .toml_lines import TomlLines

# -- criteria ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Always:
    pass


@dataclass(frozen=True, slots=True)
class JudicialWarrant:
    federal_only: bool = False


@dataclass(frozen=True, slots=True)
class JudicialProbableCause:
    pass


@dataclass(frozen=True, slots=True)
class AdminWarrant:
    pass


@dataclass(frozen=True, slots=True)
class RemovalOrder:
    signer_roles: tuple[str, ...] | None = None  # None: any signer


@dataclass(frozen=True, slots=True)
class Basis:
    basis: str


@dataclass(frozen=True, slots=True)
class Flag:
    flag: str


@dataclass(frozen=True, slots=True)
class StatutePattern:
    """One offense-list pattern (contract 3.2): matching ignores case and runs of spaces,
    ``*`` matches any run of characters, and a pattern without ``*`` must match the whole
    statute.

    Matched in time linear in the statute and the pattern, whatever they hold: the first
    piece must begin the statute, the last must end it, and each piece between is found at
    its leftmost place after the one before. (Leftmost is always right: any match using a
    later place can use the earlier one instead, leaving more room for the rest.) A regular
    expression built from the pattern backtracks instead: ``*a*a*a*b`` against 800 letters
    took 14 seconds."""

    text: str
    pieces: tuple[str, ...] = field(compare=False, repr=False)

    @classmethod
    def build(cls, pattern: str) -> StatutePattern:
        return cls(pattern, tuple(normalize_statute(pattern).split("*")))

    def matches_normalized(self, statute: str) -> bool:
        """Whether ``statute`` (already through ``normalize_statute``) matches."""
        pieces = self.pieces
        if len(pieces) == 1:
            return statute == pieces[0]
        first, *middle, last = pieces
        if len(first) + len(last) > len(statute):
            return False
        if not (statute.startswith(first) and statute.endswith(last)):
            return False
        position, end = len(first), len(statute) - len(last)
        for piece in middle:
            found = statute.find(piece, position, end)
            if found < 0:
                return False
            position = found + len(piece)
        return True


class _FirstMatch:
    """Finds the first pattern of an offense list, in the list's order, that matches a
    statute: a pattern without ``*`` by one look-up, one with a single ``*`` at its end by
    one look-up per different prefix length, any other by ``StatutePattern`` (at most
    ``limits.OTHER_PATTERNS`` of them in a policy). A statute's answer is kept, so every
    clause and history entry asking again costs one look-up."""

    __slots__ = ("_answers", "_exact", "_lengths", "_others", "_prefixes")

    def __init__(self, patterns: tuple[StatutePattern, ...]) -> None:
        self._exact: dict[str, int] = {}
        self._prefixes: dict[str, int] = {}
        self._others: list[tuple[int, StatutePattern]] = []
        for index, pattern in enumerate(patterns):
            pieces = pattern.pieces
            if len(pieces) == 1:
                self._exact.setdefault(pieces[0], index)
            elif len(pieces) == 2 and not pieces[1]:
                self._prefixes.setdefault(pieces[0], index)
            else:
                self._others.append((index, pattern))
        self._lengths = tuple(sorted({len(prefix) for prefix in self._prefixes}))
        self._answers: dict[str, int | None] = {}

    def index(self, statute: str) -> int | None:
        """The index of the first matching pattern for a normalized statute, or None."""
        if statute in self._answers:
            return self._answers[statute]
        best = self._exact.get(statute)
        for length in self._lengths:
            if length > len(statute):
                break
            found = self._prefixes.get(statute[:length])
            if found is not None and (best is None or found < best):
                best = found
        for index, pattern in self._others:
            if best is not None and index > best:
                break
            if pattern.matches_normalized(statute):
                best = index
                break
        if len(self._answers) >= 4_096:  # bounded memory, whatever is asked
            self._answers.clear()
        self._answers[statute] = best
        return best


@dataclass(frozen=True, slots=True)
class OffenseList:
    name: str
    patterns: tuple[str, ...]
    _first: _FirstMatch | None = field(default=None, compare=False, repr=False)

    @classmethod
    def build(cls, name: str, patterns: tuple[str, ...]) -> OffenseList:
        return cls(name, patterns, _FirstMatch(tuple(StatutePattern.build(p) for p in patterns)))

    def matching_pattern(self, statute: str | None) -> str | None:
        """The first pattern of the list (in its order) that ``statute`` matches, or None."""
        if statute is None or self._first is None:
            return None
        index = self._first.index(normalize_statute(statute))
        return None if index is None else self.patterns[index]


@dataclass(frozen=True, slots=True)
class HistoryCriterion:
    """``conviction = {...}`` (status convicted) or ``charge = {...}`` (status pending)."""

    status: str
    classes: tuple[str, ...] | None = None
    offense_list: OffenseList | None = None
    within_years: int | None = None
    from_release: bool = False
    probable_cause_found: bool = False

    @property
    def keyword(self) -> str:
        return "conviction" if self.status == "convicted" else "charge"


@dataclass(frozen=True, slots=True)
class AgeUnder:
    years: int


Criterion = (
    Always
    | JudicialWarrant
    | JudicialProbableCause
    | AdminWarrant
    | RemovalOrder
    | Basis
    | Flag
    | HistoryCriterion
    | AgeUnder
)
Clause = tuple[Criterion, ...]


@dataclass(frozen=True, slots=True)
class ActionRule:
    """One of ``[hold]``, ``[transfer]``, ``[notify]``: permitted when any ``when`` clause
    holds and no ``unless`` clause does. No ``when``: never permitted."""

    when: tuple[Clause, ...] = ()
    unless: tuple[Clause, ...] = ()


@dataclass(frozen=True, slots=True)
class Policy:
    name: str
    jurisdiction: str
    timezone: str
    citation: str
    hold: ActionRule | None
    transfer: ActionRule | None
    notify: ActionRule | None
    hold_window: HoldWindowRule
    review_triggers: tuple[str, ...]
    offense_lists: Mapping[str, OffenseList]
    sha256: str
    text: str = field(repr=False)
    source: str = "policy"
    effective_from: dt.date | None = None
    caution: str | None = None
    notes: str | None = None
    holidays_setting: str | tuple[dt.date, ...] = ()

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def rule_for(self, action: str) -> ActionRule | None:
        rules = {"hold": self.hold, "transfer": self.transfer, "notify": self.notify}
        return rules[action]


# -- statute patterns -------------------------------------------------------------------


def normalize_statute(text: str) -> str:
    """Matching ignores case and runs of spaces (contract 3.2)."""
    return " ".join(text.split()).casefold()


def _is_other_pattern(pattern: str) -> bool:
    """Neither a whole statute nor a statute's beginning (see ``_FirstMatch``)."""
    pieces = normalize_statute(pattern).split("*")
    return len(pieces) > 2 or (len(pieces) == 2 and bool(pieces[1]))


# -- parsing ----------------------------------------------------------------------------

_TOP_KEYS = (
    "schema",
    "name",
    "jurisdiction",
    "timezone",
    "citation",
    "effective_from",
    "caution",
    "notes",
    "offense_lists",
    "hold",
    "transfer",
    "notify",
    "review",
)
_HOLD_KEYS = (
    "when",
    "unless",
    "max_hours",
    "exclude_weekends",
    "exclude_holidays",
    "holidays",
    "end_of_release_day",
)
_ACTION_KEYS = ("when", "unless")
_CONVICTION_KEYS = ("class", "list", "within_years", "from")
_CHARGE_KEYS = ("class", "list", "within_years", "probable_cause_found")
_CRITERIA = (
    "always",
    "judicial_warrant",
    "judicial_probable_cause",
    "admin_warrant",
    "removal_order",
    "basis",
    "flag",
    "conviction",
    "charge",
    "age_under",
)
_HOLIDAY_CALENDARS = ("US",)
_TOML_LINE_RE = re.compile(r"\(at line (\d+), column (\d+)\)")


@lru_cache(maxsize=1)
def _iana_names() -> frozenset[str]:
    # Only real IANA names: "localtime" and the like would make a decision depend on the
    # computer it runs on.
    # The system's zoneinfo folder also holds such files and the posix/ and right/ copies.
    return frozenset(
        name
        for name in available_timezones()
        if name not in {"localtime", "posixrules"} and not name.startswith(("posix/", "right/"))
    )


def policy_sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def parse_policy(data: bytes, source: str, *, bounded: bool = True) -> Policy:
    """Parse and validate a policy file; raises InvalidInput listing every problem.

    ``bounded=False`` reads a stored policy again without the size and count limits (see
    ``Reader``); ``max_hours`` is bounded always, since the hold window depends on it."""
    if bounded and len(data) > limits.POLICY_FILE_BYTES:
        raise InvalidInput(
            [
                Problem(
                    source,
                    "",
                    f"is {len(data):,} bytes; a policy file may be at most "
                    f"{limits.size_words(limits.POLICY_FILE_BYTES)} (the shipped presets are "
                    "under 6 KB)",
                )
            ]
        )
    sha256 = policy_sha256(data)
    text = utf8_text(data, source)
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        message = str(exc)
        found = _TOML_LINE_RE.search(message)
        line = int(found[1]) if found else None
        plain = _TOML_LINE_RE.sub("", message).strip()
        if found:
            plain += f" (column {found[2]})"
        raise InvalidInput([Problem(source, "", f"not valid TOML: {plain}", line)]) from None
    except RecursionError:
        raise InvalidInput(
            [Problem(source, "", "not a valid policy: nested far too deeply")]
        ) from None
    except ValueError:  # an integer of thousands of digits (Python reads at most 4,300)
        raise InvalidInput(
            [Problem(source, "", "not a valid policy: it holds a number thousands of digits long")]
        ) from None
    return _PolicyParser(source, text, sha256, bounded).parse(document)


class _PolicyParser:
    def __init__(self, source: str, text: str, sha256: str, bounded: bool = True) -> None:
        self.source = source
        self.text = text
        self.sha256 = sha256
        self.r = Reader(source, TomlLines(text).line_of, bounded=bounded)
        self.offense_lists: dict[str, OffenseList] = {}

    def parse(self, top: dict[str, Any]) -> Policy:
        r = self.r
        r.check_keys(top, "", _TOP_KEYS, ("schema", "name", "jurisdiction", "timezone", "citation"))
        r.check_schema(top)
        title, note = limits.TITLE_CHARACTERS, limits.NOTE_CHARACTERS
        name = r.text(top, "name", "", required=True, limit=title)
        jurisdiction = r.text(top, "jurisdiction", "", required=True, limit=title)
        citation = r.text(top, "citation", "", required=True, limit=title)
        timezone = self._timezone(top.get("timezone"))
        effective_from = r.date(top, "effective_from", "")
        caution = r.text(top, "caution", "", required=False, limit=note)
        notes = r.text(top, "notes", "", required=False, limit=note)
        self._offense_lists(top.get("offense_lists"))

        hold_table = self._section(top, "hold", _HOLD_KEYS)
        hold = self._action_rule(hold_table, "hold")
        hold_window, holidays_setting = self._hold_window(hold_table)
        transfer = self._action_rule(self._section(top, "transfer", _ACTION_KEYS), "transfer")
        notify = self._action_rule(self._section(top, "notify", _ACTION_KEYS), "notify")
        triggers = self._review(top.get("review"))

        if r.problems:
            raise InvalidInput(r.problems)
        assert name and jurisdiction and citation and timezone  # guaranteed when no problems
        return Policy(
            name=name.strip(),
            jurisdiction=jurisdiction.strip(),
            timezone=timezone,
            citation=citation.strip(),
            hold=hold,
            transfer=transfer,
            notify=notify,
            hold_window=hold_window,
            review_triggers=triggers,
            offense_lists=dict(self.offense_lists),
            sha256=self.sha256,
            text=self.text,
            source=self.source,
            effective_from=effective_from,
            caution=caution,
            notes=notes,
            holidays_setting=holidays_setting,
        )

    def _timezone(self, value: object) -> str | None:
        if value is None:
            return None
        if not isinstance(value, str) or not value.strip():
            self.r.problem(
                "timezone", f"must be an IANA timezone name, not {describe_value(value)}"
            )
            return None
        try:
            ZoneInfo(value)
            known = value in _iana_names()
        except (ZoneInfoNotFoundError, ValueError, OSError):
            known = False
        if not known:
            self.r.problem(
                "timezone",
                f"{describe_value(value)} is not a known IANA timezone name "
                "(for example America/Chicago)",
            )
            return None
        return value

    def _offense_lists(self, value: object) -> None:
        if value is None:
            return
        table = self.r.table(value, "offense_lists")
        if table is None:
            return
        if self.r.too_many("offense_lists", table, limits.OFFENSE_LISTS, "offense lists"):
            return
        total = sum(len(p) for p in table.values() if isinstance(p, list))
        if self.r.bounded and total > limits.STATUTE_PATTERNS:
            self.r.problem(
                "offense_lists",
                f"hold {total:,} statute patterns; at most {limits.STATUTE_PATTERNS:,} "
                "are accepted in all the lists together",
            )
            return
        others = sum(
            1
            for patterns in table.values()
            if isinstance(patterns, list)
            for pattern in patterns
            if isinstance(pattern, str) and _is_other_pattern(pattern)
        )
        if self.r.bounded and others > limits.OTHER_PATTERNS:
            self.r.problem(
                "offense_lists",
                f"hold {others:,} patterns with a '*' elsewhere than at the end (or with "
                f"several); at most {limits.OTHER_PATTERNS} are accepted in all the lists "
                "together",
            )
            return
        for list_name, patterns in table.items():
            key = join_key("offense_lists", list_name)
            if not isinstance(patterns, list):
                self.r.problem(key, "must be a list of statute patterns")
                continue
            good: list[str] = []
            for index, pattern in enumerate(patterns):
                if not isinstance(pattern, str) or not pattern.strip():
                    self.r.problem(
                        join_key(key, index),
                        f"must be a statute pattern as text, not {describe_value(pattern)}",
                    )
                elif self.r.bounded and len(pattern) > limits.PATTERN_CHARACTERS:
                    self.r.problem(
                        join_key(key, index),
                        f"is {len(pattern):,} characters long; a statute pattern may be at "
                        f"most {limits.PATTERN_CHARACTERS}",
                    )
                elif self.r.bounded and pattern.count("*") > limits.PATTERN_STARS:
                    self.r.problem(
                        join_key(key, index),
                        f"has {pattern.count('*')} '*'; a statute pattern may have at most "
                        f"{limits.PATTERN_STARS}",
                    )
                else:
                    good.append(pattern)
            self.offense_lists[list_name] = OffenseList.build(list_name, tuple(good))

    def _section(
        self, top: Mapping[str, Any], name: str, allowed: tuple[str, ...]
    ) -> Mapping[str, Any] | None:
        value = top.get(name)
        if value is None:
            return None
        table = self.r.table(value, name)
        if table is not None:
            self.r.check_keys(table, name, allowed, ())
        return table

    def _action_rule(self, table: Mapping[str, Any] | None, name: str) -> ActionRule | None:
        if table is None:
            return None
        when = self._clauses(table.get("when"), join_key(name, "when"))
        unless = self._clauses(table.get("unless"), join_key(name, "unless"))
        if "when" not in table:
            return ActionRule((), unless)  # a section without `when` never permits
        return ActionRule(when, unless)

    def _clauses(self, value: object, key: str) -> tuple[Clause, ...]:
        if value is None:
            return ()
        if not isinstance(value, list):
            self.r.problem(key, "must be a list of clauses, like [ { judicial_warrant = true } ]")
            return ()
        if self.r.too_many(key, value, limits.CLAUSES, "clauses"):
            return ()
        clauses = []
        for index, item in enumerate(value):
            clause = self._clause(item, join_key(key, index))
            if clause is not None:
                clauses.append(clause)
        return tuple(clauses)

    def _clause(self, value: object, key: str) -> Clause | None:
        table = self.r.table(value, key)
        if table is None:
            return None
        if not table:
            self.r.problem(
                key, "an empty clause would always hold; write { always = true } if that is meant"
            )
            return None
        criteria: list[Criterion] = []
        for name, setting in table.items():
            criterion = self._criterion(name, setting, join_key(key, name))
            if criterion is not None:
                criteria.append(criterion)
        return tuple(criteria)

    def _criterion(self, name: str, value: object, key: str) -> Criterion | None:
        r = self.r
        if name not in _CRITERIA:
            r.problem(
                key,
                f"'{name}' is not a criterion schema 1 knows (check the spelling). "
                f"Known criteria: {', '.join(_CRITERIA)}",
            )
            return None
        if name in ("always", "judicial_probable_cause", "admin_warrant"):
            if value is not True:
                r.problem(
                    key, f"must be true, not {describe_value(value)} (use `unless` to exclude)"
                )
                return None
            simple: dict[str, Criterion] = {
                "always": Always(),
                "judicial_probable_cause": JudicialProbableCause(),
                "admin_warrant": AdminWarrant(),
            }
            return simple[name]
        if name == "judicial_warrant":
            if value is True:
                return JudicialWarrant(federal_only=False)
            if value == "federal":
                return JudicialWarrant(federal_only=True)
            r.problem(key, f'must be true or "federal", not {describe_value(value)}')
            return None
        if name == "removal_order":
            return self._removal_order(value, key)
        if name == "basis":
            basis = r.choice_value(value, key, v.PROBABLE_CAUSE_BASES)
            return Basis(basis) if basis else None
        if name == "flag":
            flag = r.choice_value(value, key, v.FLAGS)
            return Flag(flag) if flag else None
        if name == "age_under":
            if type(value) is not int or value <= 0:
                r.problem(
                    key, f"must be a whole number of years above 0, not {describe_value(value)}"
                )
                return None
            return AgeUnder(value)
        return self._history_criterion(name, value, key)

    def _removal_order(self, value: object, key: str) -> RemovalOrder | None:
        if value is True:
            return RemovalOrder(None)
        if isinstance(value, list) and value:
            roles = [
                self.r.choice_value(role, join_key(key, i), v.SIGNER_ROLES)
                for i, role in enumerate(value)
            ]
            if all(roles):
                return RemovalOrder(tuple(role for role in roles if role))
            return None
        self.r.problem(
            key,
            f"must be true or a list of signer roles ({one_of(v.SIGNER_ROLES)}), "
            f"not {describe_value(value)}",
        )
        return None

    def _history_criterion(self, name: str, value: object, key: str) -> HistoryCriterion | None:
        r = self.r
        table = r.table(value, key)
        if table is None:
            return None
        is_conviction = name == "conviction"
        r.check_keys(table, key, _CONVICTION_KEYS if is_conviction else _CHARGE_KEYS, ())
        problems_before = len(r.problems)

        classes: tuple[str, ...] | None = None
        raw_class = table.get("class")
        if raw_class is not None:
            class_key = join_key(key, "class")
            if isinstance(raw_class, list):
                if not raw_class:
                    r.problem(class_key, "must name at least one class")
                checked = [
                    r.choice_value(c, join_key(class_key, i), v.OFFENSE_CLASSES)
                    for i, c in enumerate(raw_class)
                ]
                classes = tuple(c for c in checked if c)
            else:
                single = r.choice_value(raw_class, class_key, v.OFFENSE_CLASSES)
                classes = (single,) if single else None

        offense_list: OffenseList | None = None
        raw_list = table.get("list")
        if raw_list is not None:
            list_key = join_key(key, "list")
            if not isinstance(raw_list, str):
                r.problem(list_key, f"must name an offense list, not {describe_value(raw_list)}")
            elif raw_list not in self.offense_lists:
                defined = ", ".join(sorted(self.offense_lists)) or "none are defined"
                r.problem(
                    list_key,
                    f"the offense list '{raw_list}' is not defined in [offense_lists] "
                    f"(defined: {defined})",
                )
            else:
                offense_list = self.offense_lists[raw_list]

        within_years: int | None = None
        raw_years = table.get("within_years")
        if raw_years is not None:
            if type(raw_years) is not int or raw_years < 0:
                r.problem(
                    join_key(key, "within_years"),
                    f"must be a whole number of years, 0 or more, not {describe_value(raw_years)}",
                )
            else:
                within_years = raw_years

        from_release = False
        raw_from = table.get("from")
        if raw_from is not None:
            if raw_from == "release":
                from_release = True
                if within_years is None:
                    r.problem(
                        join_key(key, "from"), "only has a meaning together with within_years"
                    )
            else:
                r.problem(
                    join_key(key, "from"), f'must be "release", not {describe_value(raw_from)}'
                )

        pc_found = False
        raw_pc = table.get("probable_cause_found")
        if raw_pc is not None:
            if raw_pc is True:
                pc_found = True
            else:
                r.problem(
                    join_key(key, "probable_cause_found"),
                    f"must be true, not {describe_value(raw_pc)}",
                )

        if len(r.problems) != problems_before:
            return None
        return HistoryCriterion(
            status="convicted" if is_conviction else "pending",
            classes=classes,
            offense_list=offense_list,
            within_years=within_years,
            from_release=from_release,
            probable_cause_found=pc_found,
        )

    def _hold_window(
        self, table: Mapping[str, Any] | None
    ) -> tuple[HoldWindowRule, str | tuple[dt.date, ...]]:
        if table is None:
            return HoldWindowRule(), ()
        r = self.r
        max_hours: float = 48
        raw_hours = table.get("max_hours")
        if raw_hours is not None:
            if isinstance(raw_hours, bool) or not isinstance(raw_hours, int | float):
                r.problem(
                    "hold.max_hours", f"must be a number of hours, not {describe_value(raw_hours)}"
                )
            elif not 0 < raw_hours <= limits.MAX_HOURS:  # also refuses nan and infinity
                r.problem(
                    "hold.max_hours",
                    f"must be a number of hours greater than 0 and at most {limits.MAX_HOURS} "
                    f"(30 days; 8 CFR 287.7(d) allows 48 hours), not {describe_value(raw_hours)}",
                )
            else:
                max_hours = raw_hours
        exclude_weekends = r.boolean(table, "exclude_weekends", "hold", False)
        exclude_holidays = r.boolean(table, "exclude_holidays", "hold", False)
        end_of_day = r.boolean(table, "end_of_release_day", "hold", False)

        dates: list[dt.date] = []
        us_calendar = False
        setting: str | tuple[dt.date, ...] = ()
        raw_holidays = table.get("holidays")
        if isinstance(raw_holidays, str):
            if raw_holidays in _HOLIDAY_CALENDARS:
                us_calendar = True
                setting = raw_holidays
            else:
                r.problem(
                    "hold.holidays",
                    f"{describe_value(raw_holidays)} is not a holiday calendar this program knows "
                    f"({one_of(_HOLIDAY_CALENDARS)}); or give a list of dates",
                )
        elif isinstance(raw_holidays, list) and r.too_many(
            "hold.holidays", raw_holidays, limits.HOLIDAY_DATES, "dates"
        ):
            pass
        elif isinstance(raw_holidays, list):
            for index, item in enumerate(raw_holidays):
                day = r.date_value(item, join_key("hold.holidays", index))
                if day is not None:
                    dates.append(day)
            setting = tuple(dates)
        elif raw_holidays is not None:
            r.problem(
                "hold.holidays",
                f'must be a list of dates or "US", not {describe_value(raw_holidays)}',
            )

        rule = HoldWindowRule(
            max_hours=max_hours,
            exclude_weekends=exclude_weekends,
            exclude_holidays=exclude_holidays,
            holiday_dates=frozenset(dates),
            us_holiday_calendar=us_calendar,
            end_of_release_day=end_of_day,
        )
        return rule, setting

    def _review(self, value: object) -> tuple[str, ...]:
        if value is None:
            return ()
        table = self.r.table(value, "review")
        if table is None:
            return ()
        self.r.check_keys(table, "review", ("triggers",), ())
        return self.r.choice_list(table, "triggers", "review", v.REVIEW_TRIGGERS)
