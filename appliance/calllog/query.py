"""The call log for the LAN API: filters, sorting, cursor paging, one call's detail.

Paging is by keyset: a page asks for the rows *after* the previous page's last row (its sort
key and id), so page 5000 costs what page 1 costs, and calls arriving while someone pages do
not shift the pages under them.  ``offset`` is there too, for jumping to one of the first
pages by number; it costs what it skips, so it stops at ``MAX_OFFSET``.

Who sees what: the API passes ``visible_to_person`` for an on-call person.  Their calls are
the ones they answered or were rung for (a leg); every query here, the detail included, is
limited to those, so a call that is not theirs looks exactly like one that does not exist.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import functools
import json
import math
import operator
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

import peewee
import phonenumbers

from paivystys.appliance.calllog.records import call_to_dict
from paivystys.appliance.db.models import Call, Leg, OnCallNumber, Person
from paivystys.appliance.errors import Invalid
from paivystys.appliance.phones import DEFAULT_REGION, WITHHELD
from paivystys.appliance.ringing.rule import CallOutcome

DEFAULT_SORT = "-arrived_at"
DEFAULT_LIMIT = 50
MAX_LIMIT = 500
# Skipping rows costs what it skips: 5,000 took 90-130 ms on 100,000 calls when sorted by a
# column without an index (wait_s, talk_s), 20,000 took 470 ms.  Further: the cursor, or a
# time range.
MAX_OFFSET = 5000

# The caller filter's word for the calls whose caller withheld the number.
WITHHELD_SEARCH = "withheld"
# What people type between the digit groups of a phone number.
_CALLER_SEPARATORS = str.maketrans("", "", " -().")


class QueryError(Invalid):
    """A bad filter, sort, limit, offset or cursor: a value of the query (the API answers
    422 naming it); ``message`` (also ``str()``) starts with the field's name."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(field, f"{field}: {message}", location="query")


def _is_count(value: object, minimum: int) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= minimum


def _check_id(field: str, value: int | None) -> None:
    if value is not None and not _is_count(value, 1):
        raise QueryError(field, f"must be a positive integer id, got {value!r}")


def _check_time(field: str, value: dt.datetime | None) -> None:
    if value is not None and not isinstance(value, dt.datetime):
        raise QueryError(field, f"must be a datetime, got {value!r}")


def _as_utc(value: dt.datetime) -> dt.datetime:
    # Naive means UTC throughout the appliance (see records.as_utc).
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


def caller_pattern(text: str) -> str:
    """The SQL LIKE pattern for a caller search, taking numbers as people type them.

    The call log keeps callers in E.164 (``normalise_caller``), so:

    - ``+358 40 123``, ``00358 40 123``, ``040 123``: the start of the number, in any of the
      forms people dial it (``0`` is the trunk prefix of the appliance's region, Finland);
      a complete number therefore finds exactly that caller;
    - digits alone, ``1234567``: those digits anywhere in the number (the end people remember).

    Either way SQLite reads every call's caller (no index helps a LIKE): about as long as a
    page of a non-indexed sort, measured in bench/calllog_page.py.  ``withheld`` is not a
    pattern: see ``CallFilter``.
    """
    compact = text.strip().translate(_CALLER_SEPARATORS) if isinstance(text, str) else ""
    digits = compact.removeprefix("+")
    if not digits.isascii() or not digits.isdigit():
        raise QueryError("caller", f"give the digits of a phone number, or "
                                   f"{WITHHELD_SEARCH!r}, got {text!r}")
    if compact.startswith("+"):
        return f"+{digits}%"
    if digits.startswith("00"):
        return f"+{digits[2:]}%"
    if digits.startswith("0"):
        return f"+{phonenumbers.country_code_for_region(DEFAULT_REGION)}{digits[1:]}%"
    return f"%{digits}%"


@dataclass(frozen=True)
class CallFilter:
    """Which calls: every given field must match (AND).  Checked when made.

    ``since``/``until``: arrival time, half-open ``[since, until)``, naive = UTC.
    ``person_id``: calls the person answered or was rung for.
    ``caller``: see ``caller_pattern``; ``withheld`` (any case) finds the withheld callers.
    ``visible_to_person``: the same rule as ``person_id``, for access: the API sets it for an
    on-call person and it limits every other filter.
    """

    since: dt.datetime | None = None
    until: dt.datetime | None = None
    number_id: int | None = None
    person_id: int | None = None
    answered_by_id: int | None = None
    outcome: str | None = None
    caller: str | None = None
    visible_to_person: int | None = None

    def __post_init__(self) -> None:
        _check_time("since", self.since)
        _check_time("until", self.until)
        if (self.since is not None and self.until is not None
                and _as_utc(self.until) <= _as_utc(self.since)):
            raise QueryError("until", "must be later than since")
        for name in ("number_id", "person_id", "answered_by_id", "visible_to_person"):
            _check_id(name, getattr(self, name))
        if self.outcome is not None and self.outcome not in set(CallOutcome):
            raise QueryError("outcome", f"must be one of {', '.join(CallOutcome)}, "
                                        f"got {self.outcome!r}")
        if self.caller is not None and not self.wants_withheld():
            caller_pattern(self.caller)

    def wants_withheld(self) -> bool:
        return (isinstance(self.caller, str)
                and self.caller.strip().lower() == WITHHELD_SEARCH)

    def people(self) -> list[int]:
        """The persons whose calls these are (``person_id``, ``visible_to_person``)."""
        return [person for person in (self.person_id, self.visible_to_person)
                if person is not None]


@dataclass(frozen=True)
class _SortColumn:
    column: peewee.Field
    nullable: bool
    # Calls without a value last both ways, where no index could serve the order anyway
    # (a missed call has no talk time: it is not the shortest talk).  Otherwise SQLite's own
    # order, NULL lowest, which the index serves: ``outcome``'s NULL (a call still going)
    # comes first ascending and last descending.
    nulls_last: bool
    key_types: tuple[type, ...]  # what a cursor's key may be (besides None when nullable)


_SORT_COLUMNS = {
    "arrived_at": _SortColumn(Call.arrived_at, False, False, (str,)),
    "wait_s": _SortColumn(Call.wait_s, True, True, (int, float)),
    "talk_s": _SortColumn(Call.talk_s, True, True, (int, float)),
    "outcome": _SortColumn(Call.outcome, True, False, (str,)),
}
SORT_FIELDS = tuple(_SORT_COLUMNS)


@dataclass(frozen=True)
class _Sort:
    """An order of the call log: one column, then the id the same way, so that the order is
    total and a (key, id) pair says exactly where a page ended, ties or not."""

    text: str
    column: _SortColumn
    descending: bool

    @property
    def by_arrival(self) -> bool:
        return self.column.column is Call.arrived_at

    @property
    def nulls_at_end(self) -> bool:
        return self.column.nulls_last or self.descending

    def key_expression(self) -> peewee.Node:
        # Times as the stored text: a cursor then compares with what is stored, not with a
        # copy re-formatted by the field.
        column = self.column.column
        return column.cast("TEXT") if self.by_arrival else column

    def order_by(self) -> list[peewee.Node]:
        column = self.column.column
        direction = operator.methodcaller("desc" if self.descending else "asc")
        order = [direction(column), direction(Call.id)]
        if self.column.nullable and self.column.nulls_last and not self.descending:
            return [column.is_null(), *order]
        return order

    def after(self, key: Any, call_id: int) -> peewee.Expression:
        """The rows that come after the row (``key``, ``call_id``) in this order."""
        column = self.column.column
        beyond = operator.lt if self.descending else operator.gt
        if key is None:
            among_nulls = column.is_null() & beyond(Call.id, call_id)
            return among_nulls if self.nulls_at_end else among_nulls | column.is_null(False)
        # Value(): bound as given, not converted by the field.  A NULL key makes the pair
        # comparison NULL, so rows without a value are added back where they follow.
        pair = beyond(peewee.Tuple(column, Call.id),
                      peewee.Tuple(peewee.Value(key), peewee.Value(call_id)))
        return (pair | column.is_null()) if self.column.nullable and self.nulls_at_end else pair


def _parse_sort(text: str) -> _Sort:
    column = _SORT_COLUMNS.get(text.removeprefix("-")) if isinstance(text, str) else None
    if column is None:
        choices = ", ".join(f"{field}, -{field}" for field in SORT_FIELDS)
        raise QueryError("sort", f"must be one of {choices}, got {text!r}")
    return _Sort(text, column, text.startswith("-"))


def _involves(person_id: int, walk: bool) -> peewee.Expression:
    """Calls the person answered or was rung for, in the form that suits the plan.

    As a set (``IN``), SQLite gathers the person's calls from the answerer and leg indexes and
    sorts them: work in proportion to the person's calls.  As a test of each call (``EXISTS``
    on the leg index), SQLite walks the log in arrival order and stops when the page is full:
    work in proportion to how far it walks, ``limit`` / the person's share of all calls."""
    answered = Call.answered_by == person_id
    if walk:
        rung = Leg.select(Leg.id).where((Leg.call == Call.id) & (Leg.person == person_id))
        return answered | peewee.fn.EXISTS(rung)
    return answered | Call.id.in_(Leg.select(Leg.call).where(Leg.person == person_id))


def _walk_is_shorter(person_id: int, limit: int) -> bool:
    """Whether walking the log in arrival order fills ``limit`` rows sooner than gathering
    the person's calls: ``limit * calls / theirs < theirs``.  The SQL alone on 100,000 calls,
    gathered vs walked: a person rung for a tenth of them 28-48 vs 1-5 ms, a person on every
    call 296 vs 0.4 ms, a person on none 0.1 vs 70-150 ms.  Two small counts decide it."""
    calls = Call.select(peewee.fn.COUNT(peewee.SQL("*"))).scalar()
    threshold = math.isqrt(limit * calls)
    theirs = Leg.select(Leg.id).where(Leg.person == person_id).limit(threshold + 1).count()
    return theirs > threshold


def _conditions(call_filter: CallFilter, walk: bool = False) -> list[peewee.Expression]:
    conditions: list[peewee.Expression] = []
    # Bound as datetimes and converted by the same adapter that wrote the rows, so SQLite's
    # text comparison orders them as times.
    if call_filter.since is not None:
        conditions.append(Call.arrived_at >= _as_utc(call_filter.since))
    if call_filter.until is not None:
        conditions.append(Call.arrived_at < _as_utc(call_filter.until))
    if call_filter.number_id is not None:
        conditions.append(Call.number == call_filter.number_id)
    if call_filter.answered_by_id is not None:
        conditions.append(Call.answered_by == call_filter.answered_by_id)
    if call_filter.outcome is not None:
        conditions.append(Call.outcome == call_filter.outcome)
    if call_filter.wants_withheld():
        conditions.append(Call.caller == WITHHELD)
    elif call_filter.caller is not None:
        conditions.append(Call.caller ** caller_pattern(call_filter.caller))
    conditions += [_involves(person, walk) for person in call_filter.people()]
    return conditions


def _page_conditions(call_filter: CallFilter, sort: _Sort,
                     limit: int) -> list[peewee.Expression]:
    walk = sort.by_arrival and any(_walk_is_shorter(person, limit)
                                   for person in call_filter.people())
    return _conditions(call_filter, walk)


def _where(query: peewee.ModelSelect,
           conditions: Sequence[peewee.Expression]) -> peewee.ModelSelect:
    return query.where(functools.reduce(operator.and_, conditions)) if conditions else query


def _encode_cursor(sort: _Sort, key: Any, call_id: int) -> str:
    payload = json.dumps([sort.text, key, call_id], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(payload).decode("ascii").rstrip("=")


def _decode_cursor(sort: _Sort, cursor: str) -> tuple[Any, int]:
    """The (key, id) a cursor holds, for this sort.

    A cursor is not signed: it only says where to start, and the filter (visibility included)
    applies after it, so a hand-made cursor shows nothing a fresh query would not.  It is
    checked so that a damaged one, or one from another sort, is an error and not a wrong page."""
    invalid = QueryError("cursor", "not a cursor of this listing; start again without one")
    if not isinstance(cursor, str) or not cursor.isascii():
        raise invalid
    try:
        payload = base64.b64decode(cursor + "=" * (-len(cursor) % 4), altchars=b"-_",
                                   validate=True)
        sort_text, key, call_id = json.loads(payload)
    except (binascii.Error, UnicodeDecodeError, ValueError, TypeError):
        raise invalid from None
    if sort_text != sort.text or not _valid_key(sort.column, key) or not _is_count(call_id, 1):
        raise invalid
    return key, call_id


def _valid_key(column: _SortColumn, key: Any) -> bool:
    if key is None:
        return column.nullable
    if isinstance(key, bool) or not isinstance(key, column.key_types):
        return False
    if isinstance(key, float):
        return math.isfinite(key)
    if column.column is Call.arrived_at:
        try:
            dt.datetime.fromisoformat(key)
        except ValueError:
            return False
    return True


class _LegRow(NamedTuple):
    """A leg as ``leg_to_dict`` reads it, straight from SQLite: making a peewee model of each
    of a page's ~300 legs took longer than all the rest of the page."""

    id: int
    call_id: int
    person_name: str
    phone: str
    group_name: str | None
    stage: str
    rung_at: str
    answered_at: str | None
    ended_at: str | None
    result: str | None


_LEG_COLUMNS = [Leg.id, Leg.call, Leg.person_name, Leg.phone, Leg.group_name, Leg.stage,
                Leg.rung_at, Leg.answered_at, Leg.ended_at, Leg.result]


def _attach_related(calls: Sequence[Call]) -> None:
    """What ``call_to_dict`` reads besides the call, a query for each kind for all the calls:
    the legs (as ``call.legs``, the way prefetch leaves them), the numbers, and the answerers
    of rows without ``answered_by_name`` (rows from before it existed: usually none)."""
    if not calls:
        return
    legs: dict[int, list[_LegRow]] = {call.id: [] for call in calls}
    query = Leg.select(*_LEG_COLUMNS).where(Leg.call.in_(list(legs)))
    for row in Leg._meta.database.execute(query):
        leg = _LegRow._make(row)
        legs[leg.call_id].append(leg)
    number_ids = {call.number_id for call in calls if call.number_id is not None}
    numbers = ({number.id: number for number in
                OnCallNumber.select().where(OnCallNumber.id.in_(list(number_ids)))}
               if number_ids else {})
    answerer_ids = {call.answered_by_id for call in calls
                    if call.answered_by_name is None and call.answered_by_id is not None}
    answerers = ({person.id: person for person in
                  Person.select().where(Person.id.in_(list(answerer_ids)))}
                 if answerer_ids else {})
    for call in calls:
        call.legs = legs[call.id]
        if call.number_id in numbers:
            call.number = numbers[call.number_id]
        if call.answered_by_id in answerers:
            call.answered_by = answerers[call.answered_by_id]


def _fetch(sort: _Sort, conditions: Sequence[peewee.Expression], limit: int,
           after: tuple[Any, int] | None = None, offset: int = 0) -> tuple[list[Call], bool]:
    """Up to ``limit`` calls, ready for ``call_to_dict``, and whether more follow.  Each call
    has its sort key as ``sort_key``, for the next cursor."""
    query = _where(Call.select(Call, sort.key_expression().alias("sort_key")), conditions)
    if after is not None:
        query = query.where(sort.after(*after))
    query = query.order_by(*sort.order_by()).limit(limit + 1)
    if offset:
        query = query.offset(offset)
    calls = list(query)
    more = len(calls) > limit
    del calls[limit:]
    _attach_related(calls)
    return calls, more


def count_calls(call_filter: CallFilter | None = None) -> int:
    """How many calls match: the listing's total, for "page 3 of 40"."""
    query = Call.select(peewee.fn.COUNT(peewee.SQL("*")))
    return _where(query, _conditions(call_filter or CallFilter())).scalar()


@dataclass(frozen=True)
class CallPage:
    """One page: ``items`` in ``call_to_dict`` form; ``next_cursor`` None on the last page;
    ``total`` the filter's count, None unless asked for."""

    items: list[dict[str, Any]]
    next_cursor: str | None
    total: int | None


def page(call_filter: CallFilter | None = None, sort: str = DEFAULT_SORT,
         limit: int = DEFAULT_LIMIT, cursor: str | None = None, *, offset: int = 0,
         with_total: bool = False) -> CallPage:
    """A page of the call log.

    ``sort``: one of ``SORT_FIELDS``, ``-`` in front for descending (the default: newest
    first).  ``cursor``: the previous page's ``next_cursor``, same filter and sort.
    ``offset``: rows to skip instead, to jump to a page number (up to ``MAX_OFFSET``); the
    page still has a ``next_cursor``.  ``with_total``: also count every matching call, off by
    default: a count reads every matching row, a page ``limit`` of them, and a listing needs
    it once, not on every page (bench/calllog_page.py has both).
    """
    order = _parse_sort(sort)
    if not _is_count(limit, 1) or limit > MAX_LIMIT:
        raise QueryError("limit", f"must be 1..{MAX_LIMIT}, got {limit!r}")
    if not _is_count(offset, 0) or offset > MAX_OFFSET:
        raise QueryError("offset", f"must be 0..{MAX_OFFSET} (further, follow next_cursor or "
                                   f"filter by time), got {offset!r}")
    if cursor is not None and offset:
        raise QueryError("offset", "give a cursor or an offset, not both")
    after = _decode_cursor(order, cursor) if cursor is not None else None
    call_filter = call_filter or CallFilter()
    calls, more = _fetch(order, _page_conditions(call_filter, order, limit), limit, after,
                         offset)
    next_cursor = _encode_cursor(order, calls[-1].sort_key, calls[-1].id) if more else None
    total = count_calls(call_filter) if with_total else None
    return CallPage([call_to_dict(call) for call in calls], next_cursor, total)


def call_chunks(call_filter: CallFilter | None = None, sort: str = DEFAULT_SORT,
                chunk: int = MAX_LIMIT) -> Iterator[list[Call]]:
    """Every matching call, ready for ``call_to_dict``, ``chunk`` calls a list, by keyset:
    constant memory however long the log.

    The arguments are checked now, before the first row is asked for, so that an error comes
    before a streamed answer has started.  Each chunk is its own query with no transaction
    held between them (a slow download must not pin a WAL snapshot).  In arrival order,
    which never changes, that costs nothing: calls logged meanwhile are simply not in it.
    Sorted by wait, talk or outcome, a call that ends during the export can move across the
    chunk boundary and show twice or not at all, as between pages."""
    order = _parse_sort(sort)
    if not _is_count(chunk, 1):
        raise QueryError("chunk", f"must be 1 or more, got {chunk!r}")
    call_filter = call_filter or CallFilter()
    return _chunks(order, _page_conditions(call_filter, order, chunk), chunk)


def _chunks(sort: _Sort, conditions: Sequence[peewee.Expression],
            chunk: int) -> Iterator[list[Call]]:
    after = None
    while True:
        calls, more = _fetch(sort, conditions, chunk, after)
        if calls:
            yield calls
        if not more:
            return
        after = (calls[-1].sort_key, calls[-1].id)


def call_detail(call_id: int, visible_to_person: int | None = None) -> dict[str, Any] | None:
    """One call in ``call_to_dict`` form; None when there is no such call or it is not the
    person's, so that the API answers both the same (404) and tells nobody which it was."""
    if not isinstance(call_id, int) or isinstance(call_id, bool):
        raise QueryError("call_id", f"must be an integer id, got {call_id!r}")
    _check_id("visible_to_person", visible_to_person)
    conditions = [Call.id == call_id]
    if visible_to_person is not None:
        conditions.append(_involves(visible_to_person, walk=True))
    calls, _ = _fetch(_parse_sort(DEFAULT_SORT), conditions, 1)
    return call_to_dict(calls[0]) if calls else None
