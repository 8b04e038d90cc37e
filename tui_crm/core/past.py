"""The past, rebuilt from the ChangeLog: deals and stages as they were at any moment,
the forecast of that moment, and what changed between two moments.

Nothing is kept per moment: the present (the records and their running totals) is
walked back through the changes made since, newest first: an edit puts the old value
back, a creation removes the record, a deletion brings it back as the Trash kept it.
The cost follows the number of changes since the moment, not the number of deals.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import NamedTuple

from peewee import Case, Expression, Table, fn

from tui_crm.core import forecast as forecasting
from tui_crm.core import stages, trash
from tui_crm.core.dates import Quarter
from tui_crm.core.errors import CrmError
from tui_crm.core.models import (
    DEFAULT_SETTINGS,
    NO_DATE,
    PUSHED_LATER,
    ChangeLog,
    Opportunity,
    Setting,
    db,
)
from tui_crm.core.money import from_cents
from tui_crm.core.records import StageRow
from tui_crm.core.settings import Settings

DEAL_FIELDS = ("name", "stage", "close_date", "amount_cents", "lost_reason", "owner")


# Walking back, a deal is a list of these fields, changed in place (a week of a team's
# work is thousands of deals): its close date as ISO text, as the totals keep it.
STATE_FIELDS = ("id", "name", "stage", "close_date", "amount_cents", "lost_reason", "owner")
FIELD_PLACE = {field: STATE_FIELDS.index(field) for field in DEAL_FIELDS}
STAGE, CLOSE, CENTS, REASON, OWNER = (STATE_FIELDS.index(field) for field in
                                      ("stage", "close_date", "amount_cents", "lost_reason",
                                       "owner"))
NO_DAY = NO_DATE.isoformat()
BACK_ACTIONS = ("create", "restore", "delete")


def _day(value: object) -> str | None:
    """A close date as ISO text (SQLite gives text, PostgreSQL dates; none is None)."""
    if not value:
        return None
    return value.isoformat() if isinstance(value, dt.date) else str(value)[:10]


def _number(text: str | None) -> int:
    return int(text) if text else 0


def _text(text: str | None) -> str:
    return text or ""


# A ChangeLog ``old`` value back in the deal's type, by its place in the list.
OLD_VALUE = {FIELD_PLACE["name"]: _text, STAGE: _number, CLOSE: _day, CENTS: _number,
             REASON: _text, OWNER: _text}


def _state(data: dict) -> list:
    return [int(data["id"]), data.get("name") or "", int(data["stage"]),
            _day(data.get("close_date")), int(data.get("amount_cents") or 0),
            data.get("lost_reason") or "", data.get("owner") or ""]


class Change(NamedTuple):
    """A ChangeLog row, as the stages and settings of a moment read it."""

    entity_id: int
    action: str
    field: str | None
    old: str | None
    intent: str | None


def changed_since(moment: dt.datetime, entity: str) -> list[Change]:
    """The ChangeLog rows of ``entity`` after ``moment``, newest first, read through the
    (entity, at) index as plain rows."""
    query = (ChangeLog.select(ChangeLog.entity_id, ChangeLog.action, ChangeLog.field,
                              ChangeLog.old, ChangeLog.intent)
             .where(changed_after(moment, entity))
             .order_by(ChangeLog.at.desc(), ChangeLog.id.desc()))
    return [Change(*row) for row in db.execute(query)]


def changed_after(moment: dt.datetime, entity: str):
    """The ChangeLog rows of ``entity`` after ``moment`` (the (entity, at) index)."""
    return (ChangeLog.entity == entity) & (ChangeLog.at > moment)


def deal_changes(moment: dt.datetime, until: dt.datetime | None = None) -> list[tuple]:
    """What walking the deals back from now (or from ``until``) to ``moment`` undoes,
    newest first: ``(deal id, place of the field or None, old value, action, intent)``,
    the action only when it is a creation, restoration or deletion and the intent only
    for a deletion (plain rows made lean in SQL: a week of a team's work is thousands)."""
    return list(db.execute(deal_changes_query(moment, until)))


def deal_changes_query(moment: dt.datetime, until: dt.datetime | None = None):
    place = Case(ChangeLog.field, [(field, FIELD_PLACE[field]) for field in DEAL_FIELDS])
    special = Case(None, [(ChangeLog.action.in_(BACK_ACTIONS), ChangeLog.action)])
    intent = Case(None, [(ChangeLog.action == "delete", ChangeLog.intent)])
    where = changed_after(moment, "opportunity") & (
        ChangeLog.field.in_(DEAL_FIELDS) | ChangeLog.action.in_(BACK_ACTIONS))
    if until is not None:
        where &= ChangeLog.at <= until
    return (ChangeLog.select(ChangeLog.entity_id, place, ChangeLog.old, special, intent)
            .where(where).order_by(ChangeLog.at.desc(), ChangeLog.id.desc()))


def deals_at(moment: dt.datetime) -> tuple[dict[int, list | None], dict[int, list | None]]:
    """The deals changed since ``moment``: (now, then), each ``{id: fields or None}``
    (None: the deal does not exist at that time)."""
    rows = deal_changes(moment)
    now = current_deals({row[0] for row in rows}, moment)
    then = {deal_id: values[:] if values is not None else None
            for deal_id, values in now.items()}
    walk_back(then, rows)
    return now, then


def current_deals(ids: set[int], since: dt.datetime) -> dict[int, list | None]:
    """The deals ``ids`` (those changed since ``since``) as they are now (None for those
    deleted): one query, the ids picked by the database from its ChangeLog."""
    now: dict[int, list | None] = dict.fromkeys(ids)
    changed = ChangeLog.select(ChangeLog.entity_id).where(changed_after(since, "opportunity"))
    query = Opportunity.select(Opportunity.id, *(getattr(Opportunity, f)
                                                 for f in DEAL_FIELDS)
                               ).where(Opportunity.id.in_(changed))
    # Plain rows, each made a list here: thousands of deals at a time.
    for deal_id, name, stage, close_date, cents, reason, owner in db.execute(query):
        if deal_id in now:  # else changed after the rows were read: not one of these
            now[deal_id] = [deal_id, name or "", stage, _day(close_date), cents or 0,
                            reason or "", owner or ""]
    return now


def walk_back(states: dict[int, list | None], rows: Iterable[tuple]) -> None:
    """Put the deals ``states`` back as they were before the changes ``rows`` (newest
    first, as ``deal_changes`` reads them) were made, in place."""
    for deal_id, place, old, action, intent in rows:  # newest first: undo each in turn
        if action is None:
            values = states.get(deal_id)
            if values is not None and place is not None:
                values[place] = OLD_VALUE[place](old)
        elif action == "delete":
            kept = trash.snapshot_of("opportunity", deal_id, intent)
            states[deal_id] = _state(kept) if kept is not None else None
        else:  # created or restored since: not there before
            states[deal_id] = None


def stages_at(moment: dt.datetime) -> list[StageRow]:
    """The stages as they were at ``moment``, in board order."""
    current = {stage.id: stage for stage in stages.all_stages()}
    for row in changed_since(moment, "stage"):
        stage = current.get(row.entity_id)
        if row.action in ("create", "restore"):
            current.pop(row.entity_id, None)
        elif row.action == "delete":
            kept = trash.snapshot_of("stage", row.entity_id, row.intent)
            if kept is not None:
                current[row.entity_id] = StageRow(kept["id"], kept["name"], kept["position"],
                                                  kept["probability"], kept["kind"],
                                                  kept.get("rot_days"))
        elif stage is not None and row.field in ("name", "probability", "position",
                                                 "rot_days"):
            old = row.old if row.field == "name" else (
                int(row.old) if row.old not in (None, "") else None)
            current[row.entity_id] = replace(stage, **{row.field: old})
    return sorted(current.values(), key=lambda s: (s.position, s.id))


def settings_at(moment: dt.datetime) -> Settings:
    values = dict(DEFAULT_SETTINGS)
    values.update({row.key: row.value for row in Setting.select()
                   if row.key in DEFAULT_SETTINGS})
    for row in changed_since(moment, "setting"):
        if row.field in DEFAULT_SETTINGS and row.old is not None:
            values[row.field] = row.old
    return Settings(values["amount_basis"], values["currency"])


def _delta(now: dict[int, list | None], then: dict[int, list | None],
           owner: str | None) -> list[tuple]:
    """Rows to add to today's running totals to get those of the moment."""
    sums: dict[tuple, list[int]] = defaultdict(lambda: [0, 0])
    for deal_id, current in now.items():
        before = then[deal_id]
        if current == before:
            continue  # changed and changed back: nothing to undo in the totals
        for state, sign in ((current, -1), (before, 1)):
            if state is None or (owner is not None and state[OWNER] != owner):
                continue
            total = sums[state[STAGE], state[CLOSE] or NO_DAY, state[REASON]]
            total[0] += sign
            total[1] += sign * state[CENTS]
    return [(stage, day, reason, count, cents)
            for (stage, day, reason), (count, cents) in sums.items() if count or cents]


class PastTotals(forecasting.Totals):
    """The running totals as they were: today's plus the changes undone (kept for the
    query in a temporary table of this connection, however many there are)."""

    TABLE = "past_delta"

    def __init__(self, delta: list[tuple], owner: str | None = None):
        super().__init__(owner)
        if not delta:
            return
        database = Opportunity._meta.database
        database.execute_sql(
            f'CREATE TEMPORARY TABLE IF NOT EXISTS "{self.TABLE}" ("stage_id" INTEGER, '
            '"close_date" DATE, "lost_reason" TEXT, "count" BIGINT, "amount_cents" BIGINT)')
        database.execute_sql(f'DELETE FROM "{self.TABLE}"')
        marks = ", ".join([database.param] * 5)
        cursor = database.cursor()
        cursor.executemany(f'INSERT INTO "{self.TABLE}" VALUES ({marks})',
                           delta)
        base = self.select(self.stage.alias("stage_id"), self.close_date.alias("close_date"),
                           self.lost_reason.alias("lost_reason"), self.count.alias("count"),
                           self.amount_cents.alias("amount_cents"))
        table = Table(self.TABLE, ("stage_id", "close_date", "lost_reason", "count",
                                   "amount_cents"))
        extra = table.select(table.stage_id, table.close_date, table.lost_reason, table.count,
                             table.amount_cents)
        both = (base + extra).alias("past")
        self.stage, self.close_date = both.c.stage_id, both.c.close_date
        self.lost_reason, self.count = both.c.lost_reason, both.c.count
        self.amount_cents = both.c.amount_cents
        self.select = both.select_from


def forecast_as_of(moment: dt.datetime, quarter: Quarter | None = None,
                   owner: str | None = None, today: dt.date | None = None
                   ) -> forecasting.Forecast:
    """Exactly the forecast ``tui-crm forecast`` gave at ``moment`` (whose day was
    ``today``: by default the moment's)."""
    if moment > dt.datetime.now():
        raise CrmError("--as-of is a moment in the past.")
    now, then = deals_at(moment)
    today = today or moment.date()
    quarter = quarter or Quarter.containing(today)
    order = stages_at(moment)
    totals = PastTotals(_delta(now, then, owner), owner)
    lines = forecasting.open_by_stage(quarter, order, totals)
    return forecasting.Forecast(
        quarter, today, settings_at(moment), lines, forecasting.total_of(lines),
        forecasting.no_close_date(order, totals), forecasting.overdue(today, order, totals),
        forecasting.win_loss(quarter, order, totals),
        forecasting.lost_reasons(quarter, order=order, totals=totals),
        forecasting.won_by_month(min(today, quarter.last_day), order=order, totals=totals),
        owner)


# -- what changed between two moments: the pipeline waterfall ------------------------------

BUCKETS = ("created", "pulled_in", "pushed_out", "amount_up", "amount_down", "won", "lost",
           "deleted")


@dataclass(frozen=True)
class Movement:
    """One deal's part in the waterfall: its bucket and what it added (or took)."""

    deal_id: int
    name: str
    bucket: str
    amount: Decimal
    pushes: int  # times its close date was moved later, ever (slippage)


@dataclass(frozen=True)
class Waterfall:
    """The quarter's open pipeline at ``since``, what each change did, and at ``until``:
    ``start`` plus every bucket's amount is ``end``, exactly."""

    quarter: Quarter
    since: dt.datetime
    until: dt.datetime
    start: forecasting.Tally
    end: forecasting.Tally
    movements: list[Movement]

    def bucket(self, name: str) -> forecasting.Tally:
        mine = [m for m in self.movements if m.bucket == name]
        return forecasting.Tally(len(mine), sum((m.amount for m in mine), Decimal("0.00")))

    def as_json(self) -> dict:
        def tally(t: forecasting.Tally) -> dict:
            return {"count": t.count, "amount": f"{t.amount:.2f}"}
        return {"quarter": str(self.quarter), "since": self.since.isoformat(timespec="seconds"),
                "until": self.until.isoformat(timespec="seconds"), "start": tally(self.start),
                **{name: tally(self.bucket(name)) for name in BUCKETS},
                "end": tally(self.end),
                "deals": [{"id": m.deal_id, "name": m.name, "bucket": m.bucket,
                           "amount": f"{m.amount:.2f}", "pushes": m.pushes}
                          for m in self.movements]}


def changes(since: dt.datetime, until: dt.datetime | None = None,
            quarter: Quarter | None = None, today: dt.date | None = None) -> Waterfall:
    """What happened to the quarter's open pipeline between ``since`` and ``until``
    (default: now): each deal that changed in one bucket, with its amount."""
    given = until is not None
    until = until or dt.datetime.now()
    if since >= until:
        raise CrmError("--since must come before --until.")
    quarter = quarter or Quarter.containing(today or until.date())
    after = deal_changes(until)  # walked back to ``until``, then on to ``since``
    between = deal_changes(since, until)
    now = current_deals({row[0] for row in after} | {row[0] for row in between}, since)
    at_until = {deal_id: values[:] if values is not None else None
                for deal_id, values in now.items()}
    walk_back(at_until, after)
    at_since = {deal_id: values[:] if values is not None else None
                for deal_id, values in at_until.items()}
    walk_back(at_since, between)
    kinds = {stage.id: stage.kind for stage in stages_at(since)}
    kinds.update({stage.id: stage.kind for stage in stages_at(until)})
    first, last = quarter.start.isoformat(), quarter.last_day.isoformat()

    def inside(state: list | None) -> bool:
        return state is not None and kinds.get(state[STAGE]) == "open" \
            and state[CLOSE] is not None and first <= state[CLOSE] <= last

    pushes = _pushes(set(now))
    movements = []
    for deal_id in sorted(now):
        before, after = at_since[deal_id], at_until[deal_id]
        bucket, cents = _bucket(before, after, inside(before), inside(after), kinds)
        if bucket is not None:
            name = (after or before)[FIELD_PLACE["name"]]
            movements.append(Movement(deal_id, name, bucket, from_cents(cents),
                                      pushes.get(deal_id, 0)))
    start = forecast_as_of(since, quarter, today=today).total
    end = (forecast_as_of(until, quarter, today=today) if given
           else forecasting.forecast(quarter, today)).total
    return Waterfall(quarter, since, until, forecasting.Tally(start.count, start.amount),
                     forecasting.Tally(end.count, end.amount), movements)


def _bucket(before: list | None, after: list | None, was_in: bool, is_in: bool,
            kinds: dict[int, str]) -> tuple[str | None, int]:
    if was_in and is_in:
        change = after[CENTS] - before[CENTS]
        if change == 0:
            return None, 0
        return ("amount_up" if change > 0 else "amount_down"), change
    if was_in:
        if after is None:
            return "deleted", -before[CENTS]
        kind = kinds.get(after[STAGE])
        if kind in ("won", "lost"):
            return kind, -before[CENTS]
        return "pushed_out", -before[CENTS]
    if is_in:
        return ("created" if before is None else "pulled_in"), after[CENTS]
    return None, 0


def pushes_of(deal_id) -> Expression:
    """The slippage of the deal ``deal_id`` (a column of an outer query, say) as a
    subquery: its pushes read through their own index (``change_log_pushes``)."""
    return (ChangeLog.select(fn.COUNT(ChangeLog.id))
            .where(PUSHED_LATER & (ChangeLog.entity_id == deal_id)))


def _pushes(ids: set[int]) -> dict[int, int]:
    """How many times each deal's close date was moved later."""
    found: dict[int, int] = {}
    ordered = sorted(ids)
    for start in range(0, len(ordered), 500):
        query = (ChangeLog.select(ChangeLog.entity_id, fn.COUNT(ChangeLog.id))
                 .where(PUSHED_LATER & ChangeLog.entity_id.in_(ordered[start:start + 500]))
                 .group_by(ChangeLog.entity_id))
        found.update(query.tuples())
    return found


def slippage(deal_id: int) -> int:
    """How many times a deal's close date was pushed later (shown from two on)."""
    return _pushes({deal_id}).get(deal_id, 0)
