"""The query part of `tui-crm forecast --json`, timed inside one process, two ways.

    python bench/forecast_query.py core DB     what `tui-crm forecast --json` runs
    python bench/forecast_query.py sql DB      the same figures, SQL written by hand

``core`` opens the database as the command does (untimed), then times exactly what
``cmd_forecast`` does after that: ``forecast()``, ``as_json()`` and ``json.dumps``.
``sql`` connects with the sqlite3 module (untimed), then times hand-written queries
giving the same figures and the same JSON. Each prints ``{"seconds": s, "json": {...}}``
so the caller can check that both computed the same forecast.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
import sys
import time
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")


def core(path: str) -> tuple[float, dict]:
    from tui_crm.core.db import open_database
    from tui_crm.core.forecast import forecast

    open_database(path)
    start = time.perf_counter()
    text = json.dumps(forecast().as_json(), indent=2)
    return time.perf_counter() - start, json.loads(text)


def _money(cents: int | None) -> str:
    return f"{Decimal(cents or 0) / 100:.2f}"


def _quarter(today: dt.date) -> tuple[str, dt.date, dt.date]:
    first_month = (today.month - 1) // 3 * 3 + 1
    start = dt.date(today.year, first_month, 1)
    end = dt.date(today.year + (first_month == 10), (first_month + 2) % 12 + 1, 1)
    return f"{today.year}Q{(today.month - 1) // 3 + 1}", start, end


def _months(last: dt.date, count: int = 12) -> list[dt.date]:
    year, month, out = last.year, last.month, []
    for _ in range(count):
        out.append(dt.date(year, month, 1))
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
    return out[::-1]


STAGES = "SELECT id, name, probability, kind FROM stage ORDER BY position"
BY_STAGE = """
SELECT stage_id, COUNT(*), SUM(amount_cents) FROM opportunity
WHERE stage_id IN ({}) AND close_date >= ? AND close_date < ? GROUP BY stage_id"""
TALLY = "SELECT COUNT(*), SUM(amount_cents) FROM opportunity WHERE stage_id IN ({}) AND {}"
LOST_REASONS = """
SELECT lost_reason, COUNT(*) FROM opportunity
WHERE stage_id IN ({}) AND close_date >= ? AND close_date < ?
GROUP BY lost_reason ORDER BY COUNT(*) DESC, lost_reason LIMIT 5"""
WON_BY_DAY = """
SELECT close_date, SUM(amount_cents) FROM opportunity
WHERE stage_id IN ({}) AND close_date >= ? AND close_date < ? GROUP BY close_date"""


def sql(path: str) -> tuple[float, dict]:
    """The forecast as one would write it by hand: the stages first, then one query per
    figure with the stage ids inline, each a range search on the covering index."""
    from tui_crm.core import dates

    conn = sqlite3.connect(path)
    today = dates.today()
    start = time.perf_counter()
    name, q_start, q_end = _quarter(today)
    stages = conn.execute(STAGES).fetchall()
    ids = {kind: ", ".join(str(i) for i, _, _, k in stages if k == kind)
           for kind in ("open", "won", "lost")}
    sums = {sid: (count, cents) for sid, count, cents
            in conn.execute(BY_STAGE.format(ids["open"]), (q_start, q_end))}
    lines, total = [], [0, 0, Decimal(0)]
    for sid, stage, probability, kind in stages:
        if kind != "open":
            continue
        count, cents = sums.get(sid, (0, 0))
        amount = Decimal(cents or 0) / 100
        weighted = (amount * probability / 100).quantize(CENT, rounding=ROUND_HALF_UP)
        lines.append({"stage": stage, "count": count, "amount": f"{amount:.2f}",
                      "probability": probability, "weighted": f"{weighted:.2f}"})
        total = [total[0] + count, total[1] + (cents or 0), total[2] + weighted]
    undated = conn.execute(TALLY.format(ids["open"], "close_date IS NULL")).fetchone()
    overdue = conn.execute(TALLY.format(ids["open"], "close_date < ?"), (today,)).fetchone()
    in_quarter = "close_date >= ? AND close_date < ?"
    won = conn.execute(TALLY.format(ids["won"], in_quarter), (q_start, q_end)).fetchone()
    lost = conn.execute(TALLY.format(ids["lost"], in_quarter), (q_start, q_end)).fetchone()
    reasons = conn.execute(LOST_REASONS.format(ids["lost"]), (q_start, q_end)).fetchall()
    months = _months(min(today, q_end - dt.timedelta(days=1)))
    after_last = (months[-1] + dt.timedelta(days=31)).replace(day=1)
    by_month = {f"{m:%Y-%m}": 0 for m in months}
    for day, cents in conn.execute(WON_BY_DAY.format(ids["won"]), (months[0], after_last)):
        by_month[day[:7]] += cents
    settings = dict(conn.execute("SELECT key, value FROM setting"))
    result = {
        "quarter": name, "amount_basis": settings["amount_basis"],
        "currency": settings["currency"], "stages": lines,
        "total": {"count": total[0], "amount": _money(total[1]), "weighted": f"{total[2]:.2f}"},
        "no_close_date": {"count": undated[0], "amount": _money(undated[1])},
        "overdue": {"count": overdue[0], "amount": _money(overdue[1])},
        "win_loss": {"won_count": won[0], "won_amount": _money(won[1]),
                     "lost_count": lost[0], "lost_amount": _money(lost[1]),
                     "win_rate": round(100 * won[0] / (won[0] + lost[0]), 1)
                     if won[0] + lost[0] else 0.0},
        "lost_reasons": [{"reason": r or "(no reason given)", "count": c} for r, c in reasons],
        "won_by_month": [{"month": m, "amount": _money(c)} for m, c in by_month.items()],
    }
    text = json.dumps(result, indent=2)
    return time.perf_counter() - start, json.loads(text)


if __name__ == "__main__":
    how, db_path = sys.argv[1], sys.argv[2]
    seconds, result = {"core": core, "sql": sql}[how](db_path)
    print(json.dumps({"seconds": seconds, "json": result}))
