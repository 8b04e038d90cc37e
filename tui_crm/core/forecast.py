"""The forecast: aggregate queries over deals, summed by SQL, never Python loops.

The interface's forecast screen and ``tui-crm forecast`` both call ``forecast()``,
so they always agree.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from peewee import fn

from tui_crm.core import dates, stages
from tui_crm.core.dates import Quarter
from tui_crm.core.models import Opportunity
from tui_crm.core.money import CENT, from_cents


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
    def win_rate(self) -> float:
        closed = self.won_count + self.lost_count
        return round(100 * self.won_count / closed, 1) if closed else 0.0


@dataclass(frozen=True)
class Forecast:
    quarter: Quarter
    stages: list[StageLine]
    total: StageLine
    no_close_date: Tally
    overdue: Tally
    win_loss: WinLoss
    lost_reasons: list[tuple[str, int]] = field(default_factory=list)
    won_by_month: list[tuple[str, Decimal]] = field(default_factory=list)

    def as_json(self) -> dict:
        """The shape of ``tui-crm forecast --json``: amounts as decimal strings."""
        def money(value: Decimal) -> str:
            return f"{value:.2f}"

        def line(item: StageLine) -> dict:
            return {"stage": item.stage, "count": item.count, "amount": money(item.amount),
                    "probability": item.probability, "weighted": money(item.weighted)}

        win_loss = asdict(self.win_loss)
        return {
            "quarter": str(self.quarter),
            "stages": [line(item) for item in self.stages],
            "total": {"count": self.total.count, "amount": money(self.total.amount),
                      "weighted": money(self.total.weighted)},
            "no_close_date": {"count": self.no_close_date.count,
                              "amount": money(self.no_close_date.amount)},
            "overdue": {"count": self.overdue.count, "amount": money(self.overdue.amount)},
            "win_loss": {
                "won_count": win_loss["won_count"], "won_amount": money(win_loss["won_amount"]),
                "lost_count": win_loss["lost_count"],
                "lost_amount": money(win_loss["lost_amount"]),
                "win_rate": self.win_loss.win_rate,
            },
            "lost_reasons": [{"reason": r, "count": c} for r, c in self.lost_reasons],
            "won_by_month": [{"month": m, "amount": money(a)} for m, a in self.won_by_month],
        }


def weighted(amount: Decimal, probability: int) -> Decimal:
    return (amount * probability / 100).quantize(CENT, rounding=ROUND_HALF_UP)


def _tally(query) -> Tally:
    count, cents = query.select(fn.COUNT(Opportunity.id),
                                fn.SUM(Opportunity.amount_cents)).tuples().get()
    return Tally(count or 0, from_cents(cents))


def _in_stages(ids: list[int]):
    return Opportunity.select().where(Opportunity.stage.in_(ids))


def open_by_stage(quarter: Quarter) -> list[StageLine]:
    """Open deals expected to close in the quarter, per open stage in order."""
    open_stages = stages.open_stages()
    rows = (Opportunity
            .select(Opportunity.stage, fn.COUNT(Opportunity.id), fn.SUM(Opportunity.amount_cents))
            .where(Opportunity.stage.in_([s.id for s in open_stages])
                   & (Opportunity.close_date >= quarter.start)
                   & (Opportunity.close_date < quarter.end))
            .group_by(Opportunity.stage).tuples())
    sums = {stage_id: (count, from_cents(cents)) for stage_id, count, cents in rows}
    lines = []
    for stage in open_stages:
        count, amount = sums.get(stage.id, (0, from_cents(0)))
        lines.append(StageLine(stage.name, count, amount, stage.probability,
                               weighted(amount, stage.probability)))
    return lines


def no_close_date() -> Tally:
    """Open deals without an expected close date: they hurt the forecast."""
    ids = [s.id for s in stages.open_stages()]
    return _tally(_in_stages(ids).where(Opportunity.close_date.is_null()))


def overdue(today: dt.date | None = None) -> Tally:
    """Open deals whose expected close date has passed."""
    ids = [s.id for s in stages.open_stages()]
    return _tally(_in_stages(ids).where(Opportunity.close_date < (today or dates.today())))


def _closed_in(kind: str, start: dt.date, end: dt.date):
    ids = [s.id for s in stages.all_stages() if s.kind == kind]
    return _in_stages(ids).where((Opportunity.close_date >= start)
                                 & (Opportunity.close_date < end))


def win_loss(quarter: Quarter) -> WinLoss:
    """Deals closed in the quarter (by close date), won and lost."""
    won = _tally(_closed_in("won", quarter.start, quarter.end))
    lost = _tally(_closed_in("lost", quarter.start, quarter.end))
    return WinLoss(won.count, won.amount, lost.count, lost.amount)


def lost_reasons(quarter: Quarter, limit: int = 5) -> list[tuple[str, int]]:
    """The most common reasons given for deals lost in the quarter."""
    # Grouped by the plain column: PostgreSQL does not see two parametrised
    # expressions as the same one in GROUP BY.
    query = (_closed_in("lost", quarter.start, quarter.end)
             .select(Opportunity.lost_reason, fn.COUNT(Opportunity.id))
             .group_by(Opportunity.lost_reason)
             .order_by(fn.COUNT(Opportunity.id).desc(), Opportunity.lost_reason)
             .limit(limit).tuples())
    return [(text or "(no reason given)", count) for text, count in query]


def won_by_month(last_month: dt.date, months: int = 12) -> list[tuple[str, Decimal]]:
    """Won revenue per month for ``months`` months ending with ``last_month``'s."""
    out = []
    year, month = last_month.year, last_month.month
    starts = []
    for _ in range(months):
        starts.append(dt.date(year, month, 1))
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
    for start in reversed(starts):
        end = dt.date(start.year + (start.month == 12), start.month % 12 + 1, 1)
        out.append((start.strftime("%Y-%m"), _tally(_closed_in("won", start, end)).amount))
    return out


def forecast(quarter: Quarter | None = None, today: dt.date | None = None) -> Forecast:
    """Everything the forecast shows for a quarter (the current one by default)."""
    today = today or dates.today()
    quarter = quarter or Quarter.containing(today)
    lines = open_by_stage(quarter)
    total = StageLine("Total", sum(x.count for x in lines),
                      sum((x.amount for x in lines), Decimal("0.00")), 0,
                      sum((x.weighted for x in lines), Decimal("0.00")))
    return Forecast(quarter, lines, total, no_close_date(), overdue(today), win_loss(quarter),
                    lost_reasons(quarter), won_by_month(min(today, quarter.last_day)))
