"""The forecast: aggregate queries over deals, summed by SQL, never Python loops.

The interface's forecast screen and ``tui-crm forecast`` both call ``forecast()``,
so they always agree. Every query reads ``StageDayTotal``, the running count and
sum of each stage, close date and lost reason (kept by every change of a deal), so
a quarter costs a few hundred rows however many deals it holds.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from peewee import SQL, fn

from tui_crm.core import dates, stages
from tui_crm.core.dates import Quarter
from tui_crm.core.models import NO_DATE, Opportunity, StageDayTotal
from tui_crm.core.money import CENT, from_cents
from tui_crm.core.records import StageRow
from tui_crm.core.settings import Settings, get_settings

NO_REASON = "(no reason given)"
ZERO = Decimal("0.00")


@dataclass(frozen=True)
class StageLine:
    stage: str
    count: int
    amount: Decimal
    probability: int
    weighted: Decimal


@dataclass(frozen=True)
class Tally:
    count: int
    amount: Decimal


@dataclass(frozen=True)
class WinLoss:
    won_count: int
    won_amount: Decimal
    lost_count: int
    lost_amount: Decimal

    @property
    def closed_count(self) -> int:
        return self.won_count + self.lost_count

    @property
    def win_rate(self) -> float | None:
        """Won among closed, as a percentage (0-100, one decimal); None when none
        closed (no rate, rather than a rate of 0)."""
        closed = self.closed_count
        return round(100 * self.won_count / closed, 1) if closed else None


@dataclass(frozen=True)
class Forecast:
    quarter: Quarter
    today: dt.date
    settings: Settings
    stages: list[StageLine]
    total: StageLine
    no_close_date: Tally
    overdue: Tally
    win_loss: WinLoss
    lost_reasons: list[tuple[str, int]] = field(default_factory=list)
    won_by_month: list[tuple[str, Decimal]] = field(default_factory=list)
    owner: str | None = None  # the owner whose deals these are; None: everyone's

    def as_json(self) -> dict:
        """The shape of ``tui-crm forecast --json``: amounts as decimal strings."""
        def line(item: StageLine) -> dict:
            return {"stage": item.stage, "count": item.count, "amount": _money(item.amount),
                    "probability": item.probability, "weighted": _money(item.weighted)}

        wl = self.win_loss
        return {
            "quarter": str(self.quarter),
            "owner": self.owner,
            "amount_basis": self.settings.amount_basis,
            "currency": self.settings.currency,
            "stages": [line(item) for item in self.stages],
            "total": {"count": self.total.count, "amount": _money(self.total.amount),
                      "weighted": _money(self.total.weighted)},
            "no_close_date": _tally_json(self.no_close_date),
            "overdue": _tally_json(self.overdue),
            "win_loss": {
                "won_count": wl.won_count, "won_amount": _money(wl.won_amount),
                "lost_count": wl.lost_count, "lost_amount": _money(wl.lost_amount),
                "win_rate": wl.win_rate,
            },
            "lost_reasons": [{"reason": r, "count": c} for r, c in self.lost_reasons],
            "won_by_month": [{"month": m, "amount": _money(a)} for m, a in self.won_by_month],
        }


def _money(value: Decimal) -> str:
    return f"{value:.2f}"


def _tally_json(tally: Tally) -> dict:
    return {"count": tally.count, "amount": _money(tally.amount)}


def weighted(amount: Decimal, probability: int) -> Decimal:
    """An amount times a win probability (percent), to the cent."""
    return (amount * probability / 100).quantize(CENT, rounding=ROUND_HALF_UP)


def _ids(kind: str, order: Sequence[StageRow] | None = None) -> list[int]:
    return [s.id for s in (order if order is not None else stages.all_stages())
            if s.kind == kind]


class Totals:
    """What the forecast sums: counts and cents per stage, close date (``NO_DATE`` for
    none) and lost reason. For everyone, the running totals (``StageDayTotal``); for
    one owner, that owner's deals grouped the same way (read through the owner index)."""

    def __init__(self, owner: str | None = None):
        self.owner = owner
        if owner is None:
            self.stage, self.close_date = StageDayTotal.stage, StageDayTotal.close_date
            self.lost_reason, self.count = StageDayTotal.lost_reason, StageDayTotal.count
            self.amount_cents = StageDayTotal.amount_cents
            self.select = StageDayTotal.select
            return
        # Grouped by the plain column (PostgreSQL: see migration 0005).
        deals = (Opportunity
                 .select(Opportunity.stage.alias("stage_id"),
                         fn.COALESCE(Opportunity.close_date, NO_DATE).alias("close_date"),
                         Opportunity.lost_reason.alias("lost_reason"),
                         fn.COUNT(Opportunity.id).alias("count"),
                         fn.SUM(Opportunity.amount_cents).alias("amount_cents"))
                 .where(Opportunity.owner == owner)
                 .group_by(Opportunity.stage, Opportunity.close_date, Opportunity.lost_reason))
        self.stage, self.close_date = deals.c.stage_id, deals.c.close_date
        self.lost_reason, self.count = deals.c.lost_reason, deals.c.count
        self.amount_cents = deals.c.amount_cents
        self.select = deals.select_from

    def days(self, start: dt.date, end: dt.date):
        """Close dates in [start, end) (never the deals without one)."""
        return (self.close_date >= max(start, NO_DATE + dt.timedelta(days=1))) \
            & (self.close_date < end)


EVERYONE = Totals()


def _tally(stage_ids: list[int], where, totals: Totals = EVERYONE) -> Tally:
    count, cents = (totals.select(fn.SUM(totals.count), fn.SUM(totals.amount_cents))
                    .where(totals.stage.in_(stage_ids) & where)
                    .tuples().get())
    return Tally(int(count or 0), from_cents(cents))


def open_by_stage(quarter: Quarter, order: Sequence[StageRow] | None = None,
                  totals: Totals = EVERYONE) -> list[StageLine]:
    """Open deals expected to close in the quarter, per open stage in order."""
    open_stages = [s for s in (order if order is not None else stages.all_stages())
                   if s.kind == "open"]
    rows = (totals
            .select(totals.stage, fn.SUM(totals.count), fn.SUM(totals.amount_cents))
            .where(totals.stage.in_([s.id for s in open_stages])
                   & totals.days(quarter.start, quarter.end))
            .group_by(totals.stage).tuples())
    sums = {stage_id: (int(count or 0), from_cents(cents)) for stage_id, count, cents in rows}
    lines = []
    for stage in open_stages:
        count, amount = sums.get(stage.id, (0, ZERO))
        lines.append(StageLine(stage.name, count, amount, stage.probability,
                               weighted(amount, stage.probability)))
    return lines


def total_of(lines: Sequence[StageLine]) -> StageLine:
    """The total line: counts, amounts and weighted amounts added up (no probability)."""
    return StageLine("Total", sum(x.count for x in lines), sum((x.amount for x in lines), ZERO),
                     0, sum((x.weighted for x in lines), ZERO))


def no_close_date(order: Sequence[StageRow] | None = None,
                  totals: Totals = EVERYONE) -> Tally:
    """Open deals (of any quarter) without an expected close date: they hurt the forecast."""
    return _tally(_ids("open", order), totals.close_date == NO_DATE, totals)


def overdue(today: dt.date | None = None, order: Sequence[StageRow] | None = None,
            totals: Totals = EVERYONE) -> Tally:
    """Open deals (of any quarter) whose expected close date has passed."""
    return _tally(_ids("open", order), totals.days(NO_DATE, today or dates.today()), totals)


def win_loss(quarter: Quarter, order: Sequence[StageRow] | None = None,
             totals: Totals = EVERYONE) -> WinLoss:
    """Deals closed in the quarter (by close date), won and lost."""
    won = _tally(_ids("won", order), totals.days(quarter.start, quarter.end), totals)
    lost = _tally(_ids("lost", order), totals.days(quarter.start, quarter.end), totals)
    return WinLoss(won.count, won.amount, lost.count, lost.amount)


def lost_reasons(quarter: Quarter, limit: int = 5, order: Sequence[StageRow] | None = None,
                 totals: Totals = EVERYONE) -> list[tuple[str, int]]:
    """The most common reasons given for deals lost in the quarter, most common first.

    Deals lost without a reason count under ``NO_REASON``.
    """
    count = fn.SUM(totals.count)
    rows = (totals
            .select(totals.lost_reason, count)
            .where(totals.stage.in_(_ids("lost", order))
                   & totals.days(quarter.start, quarter.end))
            .group_by(totals.lost_reason)
            .having(count > 0)
            .order_by(count.desc(), totals.lost_reason)
            .limit(limit).tuples())
    return [(reason or NO_REASON, int(n)) for reason, n in rows]


def month_starts(last_month: dt.date, months: int = 12) -> list[dt.date]:
    """The first days of ``months`` months, oldest first, ending with ``last_month``'s."""
    year, month = last_month.year, last_month.month
    starts = []
    for _ in range(months):
        starts.append(dt.date(year, month, 1))
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
    return starts[::-1]


def won_by_month(last_month: dt.date, months: int = 12, order: Sequence[StageRow] | None = None,
                 totals: Totals = EVERYONE) -> list[tuple[str, Decimal]]:
    """Won revenue per month (``YYYY-MM``) for ``months`` months ending with ``last_month``'s.

    One row from SQL: the won stages' running totals of those days, summed per month
    (one ``SUM(CASE ...)`` per month, with the months' bounds as parameters).
    """
    starts = month_starts(last_month, months)
    last = starts[-1]
    ends = [*starts[1:], dt.date(last.year + (last.month == 12), last.month % 12 + 1, 1)]
    # Written as SQL text: a dozen CASE expressions built as peewee nodes cost more
    # than the query itself.
    param = StageDayTotal._meta.database.param
    per_month = (f'SUM(CASE WHEN "close_date" >= {param} AND "close_date" < {param} '
                 'THEN "amount_cents" ELSE 0 END)')
    sums = [SQL(per_month, (start, end)) for start, end in zip(starts, ends, strict=True)]
    row = (totals.select(*sums)
           .where(totals.stage.in_(_ids("won", order)) & totals.days(starts[0], ends[-1]))
           .tuples().get())
    return [(start.strftime("%Y-%m"), from_cents(cents)) for start, cents in zip(starts, row,
                                                                             strict=True)]


def forecast(quarter: Quarter | None = None, today: dt.date | None = None,
             owner: str | None = None) -> Forecast:
    """Everything the forecast shows for a quarter (the current one by default), of
    every deal or of one ``owner``'s.

    The warnings (no close date, overdue) cover open deals of every quarter; the
    trend of won revenue covers the twelve months ending with the quarter's last
    month, or with today's month when the quarter is still running or ahead.
    """
    today = today or dates.today()
    quarter = quarter or Quarter.containing(today)
    order = stages.all_stages()
    totals = EVERYONE if owner is None else Totals(owner)
    lines = open_by_stage(quarter, order, totals)
    return Forecast(
        quarter, today, get_settings(), lines, total_of(lines),
        no_close_date(order, totals), overdue(today, order, totals),
        win_loss(quarter, order, totals), lost_reasons(quarter, order=order, totals=totals),
        won_by_month(min(today, quarter.last_day), order=order, totals=totals), owner,
    )
