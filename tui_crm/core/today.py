"""The Today queue: what to do now, most urgent first.

Six groups, in this order: overdue activities; activities due today; open deals without
a next step (no open activity); rotting deals (longer in their stage than its rot days);
open deals whose expected close date has passed; open deals with no close date. A deal
is listed under every reason that applies: each line is one thing to fix, and leaves
the queue once fixed.

Every query is bounded and read through an index: activities by (done, due date), deals
stage by stage through (stage, time in stage) or (stage, close date). A page goes on
from the key of the last line shown (``QueueItem.key``), so the queue pages like every
list at any size.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from peewee import fn

from tui_crm.core import dates, deals, stages
from tui_crm.core.models import Activity, Contact, Customer, Lead, Opportunity
from tui_crm.core.records import StageRow

REASONS = ("overdue_activity", "due_today", "no_next_step", "rotting", "past_close_date",
           "no_close_date")
TITLES = {"overdue_activity": "Overdue", "due_today": "Due today",
          "no_next_step": "No next step", "rotting": "Rotting",
          "past_close_date": "Past close date", "no_close_date": "No close date"}
COUNT_CAP = 500  # counts stop here ("500+"): a count never reads a whole table
ID_SHIFT = 40  # QueueItem.id: the reason's number above the record's id


@dataclass(frozen=True)
class QueueItem:
    """One line of the queue: why, about which activity and/or deal, whose."""

    reason: str
    activity_id: int | None
    activity_kind: str
    subject: str
    deal_id: int | None
    deal_name: str
    stage: str
    customer_id: int | None
    customer: str | None
    lead_id: int | None
    lead: str | None
    owner: str
    due: dt.date | None  # the activity's due date, or the deal's expected close date
    days: int | None  # days overdue, in the stage, or past the close date
    key: tuple  # where this line sits in the queue: a page goes on after it

    @property
    def id(self) -> int:
        """A number unique in the queue (a deal can be listed under several reasons)."""
        record = self.activity_id if self.activity_id is not None else self.deal_id
        return (REASONS.index(self.reason) << ID_SHIFT) | int(record or 0)

    @property
    def parent(self) -> str:
        return self.customer or self.lead or ""

    def why(self) -> str:
        """Why the line is in the queue, in a few words."""
        days = self.days or 0
        plural = "s" if days != 1 else ""
        if self.reason == "overdue_activity":
            return f"{self.activity_kind} overdue by {days} day{plural}"
        if self.reason == "due_today":
            return f"{self.activity_kind} due today"
        if self.reason == "no_next_step":
            return f"No next step ({days} day{plural} in {self.stage})"
        if self.reason == "rotting":
            return f"Rotting: {days} day{plural} in {self.stage}"
        if self.reason == "past_close_date":
            return f"Close date passed {days} day{plural} ago"
        return "No close date"

    def as_json(self) -> dict:
        return {"reason": self.reason, "activity": self.activity_id, "deal": self.deal_id,
                "customer": self.customer, "lead": self.lead, "owner": self.owner,
                "due": self.due.isoformat() if self.due else None, "days": self.days,
                "subject": self.subject or None, "deal_name": self.deal_name or None,
                "stage": self.stage or None}


def queue(owner: str | None = None, after: tuple | None = None, limit: int = 100,
          today: dt.date | None = None) -> list[QueueItem]:
    """Up to ``limit`` lines of the queue (of ``owner``'s records only, when given),
    starting after the line whose ``key`` is ``after``."""
    today = today or dates.today()
    order = stages.open_stages()
    items: list[QueueItem] = []
    start = after[0] if after else 0
    for number in range(start, len(REASONS)):
        within = after[1:] if after and number == after[0] else None
        items.extend(_GROUPS[REASONS[number]](owner, within, limit - len(items), today,
                                              order))
        if len(items) >= limit:
            break
    return _named(items[:limit])


def counts(owner: str | None = None, today: dt.date | None = None,
           cap: int | None = None) -> dict[str, int]:
    """How many lines each reason has (each count stops at ``cap``, COUNT_CAP unless
    said)."""
    today = today or dates.today()
    cap = cap or COUNT_CAP
    order = stages.open_stages()
    found = {}
    for reason in REASONS:
        total = 0
        for query in QUERIES[reason](owner, today, order):
            total += _capped_count(query, cap - total)
            if total >= cap:
                break
        found[reason] = total
    return found


def overdue_count(owner: str | None = None, cap: int | None = None) -> int:
    """How many open activities are overdue (for the header of every screen; the count
    stops at ``cap``, COUNT_CAP unless said)."""
    (query,) = _activity_queries("overdue_activity", owner, dates.today())
    return _capped_count(query, cap or COUNT_CAP)


def _capped_count(query, cap: int) -> int:
    if cap <= 0:
        return 0
    inner = query.select(Activity.id if query.model is Activity else Opportunity.id).limit(cap)
    return inner.count()


# -- activities -------------------------------------------------------------------------

def _activity_queries(reason: str, owner: str | None, today: dt.date) -> list:
    open_ = Activity.done_at.is_null()
    when = Activity.due_date < today if reason == "overdue_activity" \
        else Activity.due_date == today
    query = Activity.select().where(open_ & when)
    if owner is not None:
        query = query.where(Activity.owner == owner)
    return [query]


def _activities(reason: str) -> Callable[..., list[QueueItem]]:
    def read(owner, after, limit, today, order) -> list[QueueItem]:
        (query,) = _activity_queries(reason, owner, today)
        number = REASONS.index(reason)
        if reason == "overdue_activity":
            sort = (Activity.due_date, Activity.id)
        else:
            sort = (Activity.due_time, Activity.id)
        if after:
            first, last_id = after
            query = query.where((sort[0] > first) | ((sort[0] == first) & (Activity.id > last_id)))
        rows = query.order_by(*sort).limit(limit)
        return [_activity_item(reason, number, row, today) for row in rows]
    return read


def _activity_item(reason: str, number: int, row: Activity, today: dt.date) -> QueueItem:
    data = row.__data__
    days = (today - row.due_date).days if row.due_date else None
    sort_value = row.due_date if reason == "overdue_activity" else row.due_time
    return QueueItem(reason, row.id, row.kind, row.subject, data.get("deal"), "", "",
                     data.get("customer"), None, data.get("lead"), None, row.owner,
                     row.due_date, days, (number, sort_value, row.id))


# -- deals, stage by stage --------------------------------------------------------------

def _deal_filter(reason: str, stage: StageRow, today: dt.date):
    in_stage = Opportunity.stage == stage.id
    if reason == "no_next_step":
        planned = Activity.select(Activity.id).where(
            (Activity.deal == Opportunity.id) & Activity.done_at.is_null())
        return in_stage & Opportunity.stage_entered_at.is_null(False) & ~fn.EXISTS(planned)
    if reason == "rotting":
        if not stage.rot_days:
            return None
        cutoff = dt.datetime.combine(today - dt.timedelta(days=stage.rot_days), dt.time())
        return in_stage & (Opportunity.stage_entered_at < cutoff)
    if reason == "past_close_date":
        return in_stage & (Opportunity.close_date < today)
    return in_stage & Opportunity.close_date.is_null()


def _sort_of(reason: str) -> tuple:
    if reason in ("no_next_step", "rotting"):
        return (Opportunity.stage_entered_at, Opportunity.id)
    # No close date: ordered by the (empty) date too, so the order is the (stage, close
    # date, id) index's and PostgreSQL walks it, not every deal by id.
    return (Opportunity.close_date, Opportunity.id)


def _deal_queries(reason: str, owner: str | None, today: dt.date,
                  order: list[StageRow]) -> Iterator:
    for stage in order:
        where = _deal_filter(reason, stage, today)
        if where is None:
            continue
        if owner is not None:
            where &= Opportunity.owner == owner
        yield Opportunity.select().where(where)


def _deals(reason: str) -> Callable[..., list[QueueItem]]:
    def read(owner, after, limit, today, order) -> list[QueueItem]:
        number = REASONS.index(reason)
        sort = _sort_of(reason)
        items: list[QueueItem] = []
        for place, stage in enumerate(order):
            if after and place < after[0]:
                continue
            where = _deal_filter(reason, stage, today)
            if where is None:
                continue
            if owner is not None:
                where &= Opportunity.owner == owner
            query = Opportunity.select().where(where)
            if after and place == after[0]:
                query = query.where(_after(sort, after[1:]))
            for row in query.order_by(*sort).limit(limit - len(items)):
                items.append(_deal_item(reason, number, place, stage, row, today, sort))
            if len(items) >= limit:
                break
        return items
    return read


def _after(sort: tuple, key: tuple):
    """Rows after ``key`` in the order of ``sort`` (keyset paging)."""
    if len(sort) == 1:
        return sort[0] > key[0]
    (first, last), (value, last_id) = sort, key
    if value is None:  # no close date: the group's filter says so, the id orders
        return last > last_id
    return (first > value) | ((first == value) & (last > last_id))


def _deal_item(reason: str, number: int, place: int, stage: StageRow, row: Opportunity,
               today: dt.date, sort: tuple) -> QueueItem:
    data = row.__data__
    entered = row.stage_entered_at or row.created_at
    if reason == "past_close_date":
        days = (today - row.close_date).days
    else:
        days = (today - entered.date()).days
    key = (number, place, *(data[field.name] for field in sort))
    return QueueItem(reason, None, "", "", row.id, row.name, stage.name,
                     data.get("customer"), None, data.get("lead"), None, row.owner,
                     row.close_date, days, key)


_GROUPS: dict[str, Callable[..., list[QueueItem]]] = {
    "overdue_activity": _activities("overdue_activity"),
    "due_today": _activities("due_today"),
    **{reason: _deals(reason) for reason in REASONS[2:]},
}
QUERIES: dict[str, Callable[..., object]] = {
    "overdue_activity": lambda owner, today, order: _activity_queries("overdue_activity",
                                                                      owner, today),
    "due_today": lambda owner, today, order: _activity_queries("due_today", owner, today),
    **{reason: (lambda r: lambda owner, today, order: _deal_queries(r, owner, today, order))(
        reason) for reason in REASONS[2:]},
}


# -- names, read once per page ------------------------------------------------------------

def _named(items: list[QueueItem]) -> list[QueueItem]:
    """The lines with their deal, customer and lead names (a few queries per page)."""
    if not items:
        return items
    deal_ids = {item.deal_id for item in items if item.deal_id}
    deals = {row.id: row for row in Opportunity.select(
        Opportunity.id, Opportunity.name, Opportunity.customer, Opportunity.lead,
        Opportunity.stage).where(Opportunity.id.in_(deal_ids))} if deal_ids else {}
    activity_ids = [item.activity_id for item in items if item.activity_id]
    contacts = {}
    if activity_ids:
        contacts = dict(Activity.select(Activity.id, Contact.customer)
                        .join(Contact, on=(Activity.contact == Contact.id))
                        .where(Activity.id.in_(activity_ids)).tuples())
    stage_names = {stage.id: stage.name for stage in stages.all_stages()}
    resolved = []
    for item in items:
        deal = deals.get(item.deal_id)
        customer_id = item.customer_id or (deal.__data__.get("customer") if deal else None) \
            or contacts.get(item.activity_id)
        lead_id = item.lead_id or (deal.__data__.get("lead") if deal else None)
        resolved.append((item, deal, customer_id, lead_id))
    customer_names = _names(Customer, {c for _, _, c, _ in resolved if c})
    lead_names = _names(Lead, {lead for _, _, _, lead in resolved if lead})
    out = []
    for item, deal, customer_id, lead_id in resolved:
        out.append(QueueItem(
            item.reason, item.activity_id, item.activity_kind, item.subject, item.deal_id,
            deal.name if deal else item.deal_name,
            item.stage or (stage_names.get(deal.__data__["stage"], "") if deal else ""),
            customer_id, customer_names.get(customer_id), lead_id,
            lead_names.get(lead_id) if customer_id is None else None, item.owner, item.due,
            item.days, item.key))
    return out


def _names(model, ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    return dict(model.select(model.id, model.name).where(model.id.in_(ids)).tuples())


# -- owners: is "mine only" worth having? ---------------------------------------------------

def deal_owners(limit: int = 50) -> list[str]:
    """The distinct owners of deals, in order, at most ``limit`` of them: one step
    through the owner index per owner (never a scan of the deals)."""
    found: list[str] = []
    while len(found) < limit:
        owner = deals.first_owner(Opportunity.owner > found[-1] if found else None)
        if owner is None:
            break
        found.append(owner)
    return found
