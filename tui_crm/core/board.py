"""The pipeline board's queries: a column's cards a page at a time, and its totals.

A column never loads its whole stage. Open stages list their deals by expected close
date, undated ones last; the Won and Lost columns list the deals closed in a quarter
(the current one by default), latest first. Pages are keyset-paginated on
``(close_date, id)`` and every query walks the ``(stage, close_date, id)`` index in
its own order: "undated last" is a second query over the ``close_date IS NULL`` part,
never an ``ORDER BY close_date IS NULL`` that would sort the whole stage.
"""

from __future__ import annotations

import datetime as dt
import functools
import operator
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from peewee import JOIN, SQL, Expression, Field, Select, Tuple, fn

from tui_crm.core import settings, stages
from tui_crm.core.dates import Quarter
from tui_crm.core.forecast import Tally
from tui_crm.core.models import (
    Activity,
    Customer,
    Lead,
    Opportunity,
    StageDayTotal,
    StageTotal,
    read_together,
)
from tui_crm.core.money import from_cents
from tui_crm.core.past import pushes_of
from tui_crm.core.records import StageRow
from tui_crm.core.search import search_term

Key = tuple[dt.date | None, int]
"""A card's place in its column: its close date (None when undated) and its id."""


@dataclass(frozen=True)
class Card:
    """What a board card shows of a deal, and what moving it needs."""

    id: int
    name: str
    parent_name: str
    parent_kind: str  # customer | lead
    amount: Decimal
    close_date: dt.date | None
    stage_id: int
    is_open: bool
    version: int
    has_next_step: bool = True  # an open activity is planned for the deal
    stage_entered_at: dt.datetime | None = None
    owner: str = ""
    pushes: int = 0  # times its close date was pushed later (slippage)

    @property
    def key(self) -> Key:
        return (self.close_date, self.id)

    def is_overdue(self, today: dt.date) -> bool:
        return self.is_open and self.close_date is not None and self.close_date < today

    @property
    def is_undated(self) -> bool:
        return self.is_open and self.close_date is None

    @property
    def is_slipping(self) -> bool:
        """Its close date was pushed later twice or more."""
        return self.pushes >= 2

    @property
    def lacks_next_step(self) -> bool:
        return self.is_open and not self.has_next_step

    def days_in_stage(self, today: dt.date) -> int | None:
        if self.stage_entered_at is None:
            return None
        return (today - self.stage_entered_at.date()).days

    def is_rotting(self, rot_days: int | None, today: dt.date) -> bool:
        """Longer in its (open) stage than the stage's rot days."""
        days = self.days_in_stage(today)
        return self.is_open and bool(rot_days) and days is not None and days > rot_days


@dataclass(frozen=True)
class Page:
    cards: list[Card]
    more: bool  # further cards exist beyond this page, in the direction it was read


@dataclass(frozen=True)
class Window:
    """Cards around a place in a column, and whether the column goes on either side."""

    cards: list[Card]
    has_before: bool
    has_after: bool
    anchor: int = 0  # index of the card at the place asked for (or of the next one)


def board_stages() -> list[StageRow]:
    """The board's columns: the open stages in order, then the won and the lost ones."""
    return _columns(stages.all_stages())


def _columns(all_stages: Sequence[StageRow]) -> list[StageRow]:
    order = {"open": 0, "won": 1, "lost": 2}
    return sorted(all_stages, key=lambda s: order[s.kind])


@dataclass(frozen=True)
class _Segment:
    """A run of a column's order read by one index scan.

    ``where`` picks the run's rows; a run of closed deals is bounded by dates too,
    ``start`` (inclusive) to ``end`` (exclusive). ``fields`` are the key a page goes on
    from; the run is ordered by the index's own columns, ``(close_date, id)``, even
    where all its dates are empty: PostgreSQL takes ``close_date IS NULL ORDER BY id``
    for an order the (stage, close date, id) index does not give, and walks the whole
    table by id instead, filtering.
    """

    where: Expression | None
    fields: tuple[Field, ...]
    descending: bool
    holds: Callable[[Key], bool]
    start: dt.date | None = None
    end: dt.date | None = None

    def values(self, key: Key) -> tuple:
        if len(self.fields) == 1:
            return (Opportunity.id.to_value(key[1]),)
        return (Opportunity.close_date.to_value(key[0]), Opportunity.id.to_value(key[1]))

    def in_dates(self, query, key: Key | None, ascending: bool):
        """Add the date bounds, leaving out the one the key replaces.

        SQLite takes one lower and one upper bound for an index range: given both
        ``close_date >= start`` and ``(close_date, id) > key`` it may start from
        ``start`` and filter its way to the key. A key outside the dates stands for
        either end of the run; None means the run holds nothing past it.
        """
        date = Opportunity.close_date
        if self.start is None or self.end is None:
            return query, key
        day = (key[0] or dt.date.min) if key is not None else None  # undated: before all
        if day is not None and not (self.start <= day < self.end):
            if (day < self.start) == ascending:
                key = None  # the whole run lies past the key
            else:
                return None, key  # nothing of the run lies past it
        if key is None or not ascending:
            query = query.where(date >= self.start)
        if key is None or ascending:
            query = query.where(date < self.end)
        return query, key


def _segments(stage: StageRow, quarter: Quarter | None) -> list[_Segment]:
    date, ident = Opportunity.close_date, Opportunity.id
    if stage.is_open:
        return [_Segment(date.is_null(False), (date, ident), False, lambda k: k[0] is not None),
                _Segment(date.is_null(), (ident,), False, lambda k: k[0] is None)]
    quarter = quarter or Quarter.current()
    return [_Segment(None, (date, ident), True, lambda k: True, quarter.start, quarter.end)]


def _matching(query, search: str | None, owner: str | None = None):
    if owner is not None:
        query = query.where(Opportunity.owner == owner)
    text = search_term(search)
    if not text:
        return query
    return query.where(Opportunity.name.contains(text) | Customer.name.contains(text)
                       | Lead.name.contains(text))


def _with_parents(query):
    return (query
            .join(Customer, JOIN.LEFT_OUTER, on=(Opportunity.customer == Customer.id))
            .switch(Opportunity)
            .join(Lead, JOIN.LEFT_OUTER, on=(Opportunity.lead == Lead.id)))


def _cards():
    """The query of a card by itself (``find_card``): the deal, its parent's name,
    whether a next step is planned and its slippage."""
    return _card_columns(Opportunity, _with_parents(Opportunity.select()))


def _card_columns(deals, query):
    """``query`` selecting what a card shows of the deals in ``deals`` (the table, or a
    subquery of its rows), its parents joined as ``Customer`` and ``Lead``.

    Whether a next step is planned: one lookup in the (deal, done_at, due_date) index
    per card, never a scan of the activities. OFFSET 0 keeps PostgreSQL from turning
    the EXISTS into a hash of every open activity, built for each page. Its slippage
    likewise: a count over the deal's own ChangeLog rows, in the same query."""
    deal_id = deals.id if deals is Opportunity else deals.c.id
    column = (lambda name: getattr(Opportunity, name)) if deals is Opportunity \
        else (lambda name: getattr(deals.c, Opportunity._meta.fields[name].column_name))
    planned = fn.EXISTS(Activity.select(Activity.id).where(
        (Activity.deal == deal_id) & Activity.done_at.is_null()).offset(0))
    return query.select(
        deal_id, column("name"), Customer.name, Lead.name, column("amount_cents"),
        column("close_date"), column("stage"), column("version"), planned,
        column("stage_entered_at"), column("owner"), pushes_of(deal_id))


# What an index walk of a column reads: the deal's own columns, nothing joined (but
# the parents, when a search must match their names). The cards' other parts are read
# once over the rows all walks found: on PostgreSQL the parents joined inside each
# walk, planned for all of the stage's deals, cost a cache set up per walk (Memoize)
# and a plan several times the walk's.
WALKED = (Opportunity.id, Opportunity.name, Opportunity.amount_cents, Opportunity.close_date,
          Opportunity.stage, Opportunity.version, Opportunity.stage_entered_at,
          Opportunity.owner, Opportunity.customer, Opportunity.lead)


def _card_query(stage: StageRow, search: str | None, owner: str | None = None):
    query = Opportunity.select(*WALKED)
    if search_term(search):
        query = _with_parents(query)
    return _matching(query.where(Opportunity.stage == stage.id), search, owner)


def _card(row: tuple, is_open: bool) -> Card:
    (deal_id, name, customer_name, lead_name, cents, close_date, stage_id, version, planned,
     entered, owner, pushes) = row
    parent_kind = "customer" if customer_name is not None else "lead"
    parent = customer_name if customer_name is not None else (lead_name or "")
    if isinstance(entered, str):  # SQLite hands back the text of a computed select
        entered = Opportunity.stage_entered_at.python_value(entered)
    return Card(deal_id, name, parent, parent_kind, from_cents(cents), close_date, stage_id,
                is_open, version, bool(planned), entered, owner or "", int(pushes or 0))


def column_page(stage: StageRow, *, after: Key | None = None, before: Key | None = None,
                inclusive: bool = False, limit: int = 20, search: str | None = None,
                quarter: Quarter | None = None, owner: str | None = None,
                last: bool = False) -> Page:
    """Up to ``limit`` cards of a column, in the column's order.

    Without a key, the column's first cards (its last ones with ``last``). With
    ``after``, the cards following that place (from it, with ``inclusive``); with
    ``before``, the cards preceding it (still returned in column order). ``search``
    keeps deals whose name, customer or lead name contains the text; ``owner`` those
    of one owner ("my deals"); ``quarter`` picks the Won/Lost deals shown (by close
    date).
    """
    read = _PageRead.of(stage, after=after, before=before, inclusive=inclusive, limit=limit,
                        search=search, quarter=quarter, owner=owner, last=last)
    rows: list[tuple] = []
    for walk in read.walks:  # the next run only when the ones before fell short
        if len(rows) > limit:
            break
        rows.extend(_walked([(walk, limit + 1 - len(rows))])[0])
    return read.page(rows)


@dataclass(frozen=True)
class _Walk:
    """One index walk of a column's page: the query (ordered, not yet limited) and the
    order it returns its rows in."""

    query: Select
    fields: tuple[Field, ...]
    descending: bool

    def sort_key(self, row: tuple) -> tuple:
        return (row[5], row[0]) if len(self.fields) == 2 else (row[0],)


@dataclass(frozen=True)
class _PageRead:
    """What one page of a column reads: a walk per run of its order, each taking up to
    ``limit + 1`` rows (one more tells whether the column goes on)."""

    stage: StageRow
    walks: list[_Walk]
    limit: int
    backward: bool

    @classmethod
    def of(cls, stage: StageRow, *, after: Key | None = None, before: Key | None = None,
           inclusive: bool = False, limit: int = 20, search: str | None = None,
           quarter: Quarter | None = None, owner: str | None = None,
           last: bool = False) -> _PageRead:
        backward = before is not None or last
        key = before if backward else after
        segments = _segments(stage, quarter)
        if backward:
            segments.reverse()
        start = 0
        if key is not None:
            start = next((i for i, seg in enumerate(segments) if seg.holds(key)),
                         len(segments))
        walks = []
        for index in range(start, len(segments)):
            walk = _segment_walk(stage, segments[index], key if index == start else None,
                                 backward, inclusive, search, owner)
            if walk is not None:
                walks.append(walk)
        return cls(stage, walks, limit, backward)

    def page(self, rows: list[tuple]) -> Page:
        """The page from its walks' rows, in walk order."""
        cards = [_card(row, self.stage.is_open) for row in rows[:self.limit]]
        if self.backward:
            cards.reverse()
        return Page(cards, len(rows) > self.limit)


def _segment_walk(stage: StageRow, segment: _Segment, key: Key | None, backward: bool,
                  inclusive: bool, search: str | None, owner: str | None) -> _Walk | None:
    descending = segment.descending != backward
    query = _card_query(stage, search, owner)
    if segment.where is not None:
        query = query.where(segment.where)
    query, key = segment.in_dates(query, key, ascending=not descending)
    if query is None:
        return None
    if key is not None:
        op = ("<" if descending else ">") + ("=" if inclusive else "")
        query = query.where(Expression(Tuple(*segment.fields), op,
                                       Tuple(*segment.values(key))))
    order = [field.desc() if descending else field.asc()
             for field in (Opportunity.close_date, Opportunity.id)]
    return _Walk(query.order_by(*order), segment.fields, descending)


def _read_pages(reads: Sequence[_PageRead]) -> list[Page]:
    """Many pages in one statement: every walk of every page, each up to its page's
    ``limit + 1`` rows (one round trip, where a walk each cost one round trip to a
    server)."""
    (found,) = read_together(_pages_query(reads))
    return _pages(reads, found)


def _page_walks(reads: Sequence[_PageRead]) -> list[tuple[_Walk, int]]:
    """Every walk of every page, with its page's ``limit + 1``."""
    return [(walk, read.limit + 1) for read in reads for walk in read.walks]


def _pages_query(reads: Sequence[_PageRead]) -> Select | None:
    """The statement of ``_read_pages`` (None when there is nothing to read)."""
    return _walked_query(_page_walks(reads))


def _pages(reads: Sequence[_PageRead], found_rows: list[tuple]) -> list[Page]:
    """The pages of ``reads`` from the rows their ``_pages_query`` found."""
    found = iter(_walk_rows(_page_walks(reads), found_rows))
    return [read.page([row for _ in read.walks for row in next(found)]) for read in reads]


def _walked(walks: Sequence[tuple[_Walk, int]]) -> list[list[tuple]]:
    """The card rows each walk finds (up to its number of rows), in its order, read in
    one statement."""
    (found,) = read_together(_walked_query(walks))
    return _walk_rows(walks, found)


def _walked_query(walks: Sequence[tuple[_Walk, int]]) -> Select | None:
    """The walks in a UNION ALL, each row tagged with its walk's number, and what the
    cards show besides the deal's own columns read once for all rows."""
    if not walks:
        return None
    branches = [walk.query.limit(SQL(str(limit))).select_extend(SQL(str(number)).alias("walk"))
                for number, (walk, limit) in enumerate(walks)]
    found = functools.reduce(operator.add, branches).alias("walked")
    query = _card_columns(found, Opportunity.select().from_(found)
                          .join(Customer, JOIN.LEFT_OUTER, src=found,
                                on=(found.c.customer_id == Customer.id))
                          .join(Lead, JOIN.LEFT_OUTER, src=found,
                                on=(found.c.lead_id == Lead.id)))
    return query.select_extend(found.c.walk).tuples()


def _walk_rows(walks: Sequence[tuple[_Walk, int]], found: list[tuple]) -> list[list[tuple]]:
    """Each walk's rows, from what its ``_walked_query`` found, in the walk's order."""
    rows_of: list[list[tuple]] = [[] for _ in walks]
    for row in found:
        rows_of[int(row[-1])].append(_typed(row[:-1]))
    # A UNION ALL and a join promise no order of their own: each walk's is put back.
    return [sorted(rows, key=walk.sort_key, reverse=walk.descending)
            for rows, (walk, _) in zip(rows_of, walks, strict=True)]


def _typed(row: tuple) -> tuple:
    """A card's row as read through a subquery, with its close date a date (SQLite
    gives the text of a subquery's columns)."""
    close_date = row[5]
    if isinstance(close_date, str):
        row = (*row[:5], Opportunity.close_date.python_value(close_date), *row[6:])
    return row


def column_window(stage: StageRow, around: Key | None, before: int, after: int,
                  search: str | None = None, quarter: Quarter | None = None,
                  owner: str | None = None) -> Window:
    """About ``before`` cards ahead of ``around`` and ``after`` cards from it on.

    What a column shows when it must keep a card in place: the card at ``around``
    (or the next one, when that deal left the column) comes first in the second part.
    """
    return _window(_read_pages(_window_reads(stage, around, before, after, search=search,
                                             quarter=quarter, owner=owner)))


def _window_reads(stage: StageRow, around: Key | None, before: int, after: int,
                  **shown) -> list[_PageRead]:
    if around is None:
        return [_PageRead.of(stage, limit=after, **shown)]
    return [_PageRead.of(stage, before=around, limit=before, **shown),
            _PageRead.of(stage, after=around, inclusive=True, limit=after, **shown)]


def _window(pages: Sequence[Page]) -> Window:
    if len(pages) == 1:
        return Window(pages[0].cards, False, pages[0].more)
    ahead, rest = pages
    return Window(ahead.cards + rest.cards, ahead.more, rest.more, len(ahead.cards))


def column_edge(stage: StageRow, last: bool = False, search: str | None = None,
                quarter: Quarter | None = None, owner: str | None = None) -> Card | None:
    """The first card of a column (its last with ``last``), one index seek either way;
    None when the column shows no card."""
    cards = column_page(stage, limit=1, search=search, quarter=quarter, owner=owner,
                        last=last).cards
    return cards[0] if cards else None


def find_card(deal_id: int, order: Sequence[StageRow] | None = None) -> Card | None:
    """The card of one deal, wherever it is (None when it was deleted). ``order``: the
    stages, when the caller has just read them (else they are read here)."""
    (found,) = read_together(_card_of(deal_id))
    return _found_card(found, order)


def _card_of(deal_id: int) -> Select:
    return _cards().where(Opportunity.id == deal_id).limit(1).tuples()


def _found_card(found: list[tuple], order: Sequence[StageRow] | None) -> Card | None:
    """The card ``_card_of`` found, if any."""
    if not found:
        return None
    row = found[0]
    stage = next((s for s in order or () if s.id == row[6]), None) or stages.get_stage(row[6])
    return _card(row, stage.is_open)


def column_totals(columns: Sequence[StageRow], search: str | None = None,
                  quarter: Quarter | None = None, owner: str | None = None
                  ) -> dict[int, Tally]:
    """Each column's deal count and summed amount, for the whole column, in one
    statement.

    Open stages come from the running totals (one row each, at any size); Won and Lost
    add up the quarter's days of the running totals per day (a few hundred rows, at
    any size). With a ``search`` or an ``owner``, SQL sums the matching deals of each
    column (one owner's through the owner index).
    """
    (found,) = read_together(_totals_query(columns, search, quarter, owner))
    return _tallies(columns, found)


def _totals_query(columns: Sequence[StageRow], search: str | None = None,
                  quarter: Quarter | None = None, owner: str | None = None) -> Select | None:
    """The statement of ``column_totals`` (None without columns)."""
    if not columns:
        return None
    filtered = bool((search or "").strip()) or owner is not None
    if filtered:
        parts = [_matching_total(stage, search, quarter, owner) for stage in columns]
    else:
        open_ids = [stage.id for stage in columns if stage.is_open]
        closed_ids = [stage.id for stage in columns if not stage.is_open]
        parts = []
        if open_ids:
            parts.append(StageTotal.select(StageTotal.stage, StageTotal.count,
                                           StageTotal.amount_cents)
                         .where(StageTotal.stage.in_(open_ids)))
        if closed_ids:
            quarter = quarter or Quarter.current()
            day = StageDayTotal.close_date
            parts.append(StageDayTotal
                         .select(StageDayTotal.stage, fn.SUM(StageDayTotal.count),
                                 fn.SUM(StageDayTotal.amount_cents))
                         .where(StageDayTotal.stage.in_(closed_ids)
                                & (day >= quarter.start) & (day < quarter.end))
                         .group_by(StageDayTotal.stage))
    return functools.reduce(operator.add, parts).tuples()


def _tallies(columns: Sequence[StageRow], found: list[tuple]) -> dict[int, Tally]:
    """Each column's count and sum, from what its ``_totals_query`` found."""
    sums = {int(stage_id): Tally(int(count or 0), from_cents(int(cents or 0)))
            for stage_id, count, cents in found}
    return {stage.id: sums.get(stage.id, Tally(0, from_cents(0))) for stage in columns}


def _matching_total(stage: StageRow, search: str | None, quarter: Quarter | None,
                    owner: str | None):
    """One column's matching deals counted and summed: no row when none match."""
    query = Opportunity.select(Opportunity.stage, fn.COUNT(Opportunity.id),
                               fn.SUM(Opportunity.amount_cents))
    if (search or "").strip():
        query = _with_parents(query)
    query = _matching(query, search, owner).where(Opportunity.stage == stage.id)
    if not stage.is_open:
        query, _ = _segments(stage, quarter)[0].in_dates(query, None, ascending=True)
    return query.group_by(Opportunity.stage)


@dataclass(frozen=True)
class ColumnView:
    stage: StageRow
    tally: Tally
    window: Window
    row: int  # the screen row (in cards) of the card at the window's anchor


@dataclass(frozen=True)
class BoardView:
    """Everything the board shows at once: each column's totals and visible cards."""

    columns: list[ColumnView]
    focus: Card | None  # the deal the cursor follows, wherever it is now
    amounts: settings.Settings  # what the amounts are (the status line says it)


def board_view(places: Mapping[int, tuple[Key | None, int]], rows: int,
               focus_id: int | None = None, search: str | None = None,
               quarter: Quarter | None = None, owner: str | None = None) -> BoardView:
    """Read the board: per column, the cards that fill ``rows`` card slots.

    ``places`` maps a stage id to the key of the card under that column's cursor and
    its screen row, so the same card stays at the same row (a column without a place
    starts at its first card). ``focus_id`` is the deal the cursor must stay on: its
    column is read around it, wherever it moved. ``owner`` shows one owner's deals.

    Five statements at most, whatever the number of columns, in two round trips to a
    server: the stages, the settings and the focused deal; then every column's
    totals and every column's cards.
    """
    found_stages, found_settings, found_focus = read_together(
        stages.stages_query(), settings.settings_query(),
        _card_of(focus_id) if focus_id is not None else None)
    stages_shown = _columns(stages.stage_rows(found_stages))  # once for the whole board
    focus = _found_card(found_focus, stages_shown) if focus_id is not None else None
    shown = {"search": search, "quarter": quarter, "owner": owner}
    placed, reads = [], []
    for stage in stages_shown:
        key, row = places.get(stage.id, (None, 0))
        if focus is not None and focus.stage_id == stage.id and key != focus.key:
            key, row = focus.key, max(row, rows // 3)  # arriving: show some cards above
        row = max(0, min(row, rows - 1)) if key is not None else 0
        column_reads = _window_reads(stage, key, before=row, after=rows - row + 1, **shown)
        placed.append((stage, row, len(column_reads)))
        reads.extend(column_reads)
    totals_query = _totals_query(stages_shown, search, quarter, owner)
    found_totals, found_cards = read_together(totals_query, _pages_query(reads))
    totals = _tallies(stages_shown, found_totals)
    pages = iter(_pages(reads, found_cards))
    columns = []
    for stage, row, count in placed:
        window = _window([next(pages) for _ in range(count)])
        columns.append(ColumnView(stage, totals[stage.id], window, min(row, window.anchor)))
    return BoardView(columns, focus, settings.settings_of(found_settings))
