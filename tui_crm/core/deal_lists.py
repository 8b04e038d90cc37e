"""The deals behind a forecast row: a stage's deals expected in the quarter, the open
deals without a close date, the overdue ones. Listed a page at a time.

A list runs through its stages in board order, each stage by ``(close_date, id)``
(undated deals by id): every page is one walk of the ``(stage, close_date, id)``
index (``(owner, stage, close_date, id)`` for one owner's deals) from a key, never a
sort of the selection. Counts of everyone's deals come from the forecast's own
running totals, so they match the row the list opened from at any size.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from peewee import Expression, Tuple, fn

from tui_crm.core import dates, stages
from tui_crm.core import forecast as forecasting
from tui_crm.core.board import _matching, _with_parents
from tui_crm.core.dates import Quarter
from tui_crm.core.models import NO_DATE, Customer, Lead, Opportunity
from tui_crm.core.money import from_cents
from tui_crm.core.search import search_term


@dataclass(frozen=True)
class DealSelection:
    """Which deals a forecast row stands for: open stages (in board order) and close
    dates in ``[start, end)``, or no close date at all (``undated``)."""

    title: str
    stage_ids: tuple[int, ...]
    start: dt.date | None = None
    end: dt.date | None = None
    undated: bool = False
    owner: str | None = None


@dataclass(frozen=True)
class DealLine:
    """One deal of the list, as the list shows it."""

    id: int
    name: str
    parent: str
    amount: Decimal
    close_date: dt.date | None
    stage_id: int
    stage: str
    owner: str

    @property
    def key(self) -> tuple[int, dt.date | None, int]:
        return (self.stage_id, self.close_date, self.id)


def _open_stages():
    return [s for s in stages.all_stages() if s.is_open]


def stage_deals(stage_name: str, quarter: Quarter, owner: str | None = None) -> DealSelection:
    """The open deals of a stage expected to close in the quarter (a forecast line)."""
    stage = next(s for s in _open_stages() if s.name == stage_name)
    return DealSelection(f"{stage.name}: open deals expected to close in {quarter}",
                         (stage.id,), quarter.start, quarter.end, owner=owner)


def undated_deals(owner: str | None = None) -> DealSelection:
    """Open deals of every stage without an expected close date."""
    return DealSelection("Open deals with no close date",
                         tuple(s.id for s in _open_stages()), undated=True, owner=owner)


def overdue_deals(today: dt.date | None = None, owner: str | None = None) -> DealSelection:
    """Open deals of every stage whose expected close date has passed."""
    today = today or dates.today()
    return DealSelection(f"Overdue open deals (close date before {today.isoformat()})",
                         tuple(s.id for s in _open_stages()), NO_DATE + dt.timedelta(days=1),
                         today, owner=owner)


def _stage_query(selection: DealSelection, stage_id: int, search: str, query=None):
    """One stage's part of the selection: its page (``query`` None) or ``query`` (a
    count), the parents joined only where they are shown or searched."""
    if query is None:
        query = _with_parents(Opportunity.select(
            Opportunity.id, Opportunity.name, Customer.name, Lead.name,
            Opportunity.amount_cents, Opportunity.close_date, Opportunity.stage,
            Opportunity.owner))
    elif search_term(search):
        query = _with_parents(query)
    query = query.where(Opportunity.stage == stage_id)
    if selection.undated:
        query = query.where(Opportunity.close_date.is_null())
    else:
        query = query.where((Opportunity.close_date >= selection.start)
                            & (Opportunity.close_date < selection.end))
    return _matching(query, search, selection.owner)


def _key(selection: DealSelection) -> tuple:
    """The columns a page goes on from: the id alone where every date is empty."""
    if selection.undated:
        return (Opportunity.id,)
    return (Opportunity.close_date, Opportunity.id)


# Pages are ordered by the (stage, close date, id) index's own columns, undated ones
# too (their dates all empty): PostgreSQL does not take ``close_date IS NULL ORDER BY
# id`` as that index's order, and walks the whole table by id instead, filtering.
ORDER = (Opportunity.close_date, Opportunity.id)


def stage_counts(selection: DealSelection, search: str = "") -> dict[int, int]:
    """How many deals of the selection each of its stages holds: from the running
    totals for everyone's deals, else counted by SQL (one owner's through the owner
    index)."""
    if search_term(search) or selection.owner is not None:
        return {stage_id: _stage_query(selection, stage_id, search,
                                       Opportunity.select(fn.COUNT(Opportunity.id))).scalar()
                for stage_id in selection.stage_ids}
    totals = forecasting.EVERYONE
    where = (totals.close_date == NO_DATE) if selection.undated \
        else totals.days(selection.start, selection.end)
    rows = (totals.select(totals.stage, fn.SUM(totals.count))
            .where(totals.stage.in_(list(selection.stage_ids)) & where)
            .group_by(totals.stage).tuples())
    found = {stage_id: int(count or 0) for stage_id, count in rows}
    return {stage_id: found.get(stage_id, 0) for stage_id in selection.stage_ids}


def count_deals(selection: DealSelection, search: str = "") -> int:
    return sum(stage_counts(selection, search).values())


def list_deals(selection: DealSelection, search: str = "", offset: int = 0, limit: int = 100,
               after: DealLine | None = None) -> list[DealLine]:
    """A page of the selection's deals: those following ``after`` when it is known,
    else from ``offset`` (whole stages are skipped by their counts)."""
    names = {s.id: s.name for s in stages.all_stages()}
    ids = list(selection.stage_ids)
    first, skip = 0, 0
    if after is not None:
        first = ids.index(after.stage_id) if after.stage_id in ids else len(ids)
    elif offset:
        counts = stage_counts(selection, search)
        skip = offset
        while first < len(ids) and skip >= counts[ids[first]]:
            skip -= counts[ids[first]]
            first += 1
    rows: list[tuple] = []
    for index in range(first, len(ids)):
        if len(rows) >= limit:
            break
        query = _stage_query(selection, ids[index], search)
        if index == first and after is not None:
            values = (after.id,) if selection.undated else (after.close_date, after.id)
            query = query.where(Expression(Tuple(*_key(selection)), ">", Tuple(*values)))
        query = query.order_by(*ORDER).limit(limit - len(rows))
        if index == first and skip:
            query = query.offset(skip)
        rows.extend(query.tuples())
    return [DealLine(deal_id, name, customer if customer is not None else f"Lead: {lead or ''}",
                     from_cents(cents), close, stage_id, names.get(stage_id, ""), owner or "")
            for deal_id, name, customer, lead, cents, close, stage_id, owner in rows]


def deal_position(selection: DealSelection, deal_id: int, search: str = "") -> int | None:
    """Where a deal sits in ``list_deals(selection, search)``; None when not listed."""
    row = (Opportunity.select(Opportunity.stage, Opportunity.close_date)
           .where(Opportunity.id == deal_id).tuples().first())
    if row is None or row[0] not in selection.stage_ids:
        return None
    stage_id, close = row
    count = Opportunity.select(fn.COUNT(Opportunity.id))
    if not _stage_query(selection, stage_id, search, count).where(
            Opportunity.id == deal_id).scalar():
        return None
    counts = stage_counts(selection, search)
    before = sum(counts[s] for s in selection.stage_ids[:selection.stage_ids.index(stage_id)])
    order = _key(selection)
    values = (deal_id,) if selection.undated else (close, deal_id)
    within = _stage_query(selection, stage_id, search, count).where(
        Expression(Tuple(*order), "<", Tuple(*values))).scalar()
    return before + within
