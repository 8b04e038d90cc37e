"""The query part of `tui-crm forecast --json`, timed inside one process, two ways.

    python bench/forecast_query.py core DB     what `tui-crm forecast --json` runs
    python bench/forecast_query.py sql DB      the same queries, written by hand
    python bench/forecast_query.py sql-deals DB  the same figures summed from the deals

``core`` opens the database as the command does (untimed), then times exactly what
``cmd_forecast`` does after that: ``forecast()``, ``as_json()`` and ``json.dumps``.
``sql`` connects with the sqlite3 module (untimed), then times hand-written queries
over the same running totals (``stage_day_total``) giving the same JSON; ``sql-deals``
sums the deals themselves instead, as one would without those totals. Each prints
``{"seconds": s, "json": {...}}`` so the caller can check they computed the same.
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
NO_DATE = "0001-01-01"  # how stage_day_total files deals without a close date
DEALS = ("opportunity", "COUNT(*)", "close_date", "close_date IS NULL")
DAYS = ("stage_day_total", "SUM(count)", "close_date", f"close_date = '{NO_DATE}'")


def sql(path: str, source: tuple[str, str, str, str] = DAYS) -> tuple[float, dict]:
    """The forecast as one would write it by hand: the stages first, then one query per
    figure with the stage ids inline. ``source`` says what is summed: the running totals
    per stage and day the app keeps (``DAYS``, the app's own queries), or the deals."""
    from tui_crm.core import dates

    table, count, day, undated_day = source
    dated = f"{day} > '{NO_DATE}'" if table == DAYS[0] else f"{day} IS NOT NULL"
    tally = f"SELECT {count}, SUM(amount_cents) FROM {table} WHERE stage_id IN ({{}}) AND "
    in_range = f"{dated} AND {day} >= ? AND {day} < ?"
    conn = sqlite3.connect(path)
    today = dates.today()
    start = time.perf_counter()
    name, q_start, q_end = _quarter(today)
    stages = conn.execute(STAGES).fetchall()
    ids = {kind: ", ".join(str(i) for i, _, _, k in stages if k == kind)
           for kind in ("open", "won", "lost")}
    sums = {sid: (n, cents) for sid, n, cents in conn.execute(
        f"SELECT stage_id, {count}, SUM(amount_cents) FROM {table} WHERE stage_id IN "
        f"({ids['open']}) AND {in_range} GROUP BY stage_id", (q_start, q_end))}
    lines, total = [], [0, 0, Decimal(0)]
    for sid, stage, probability, kind in stages:
        if kind != "open":
            continue
        n, cents = sums.get(sid, (0, 0))
        amount = Decimal(cents or 0) / 100
        weighted = (amount * probability / 100).quantize(CENT, rounding=ROUND_HALF_UP)
        lines.append({"stage": stage, "count": n, "amount": f"{amount:.2f}",
                      "probability": probability, "weighted": f"{weighted:.2f}"})
        total = [total[0] + n, total[1] + (cents or 0), total[2] + weighted]
    undated = conn.execute(tally.format(ids["open"]) + undated_day).fetchone()
    overdue = conn.execute(tally.format(ids["open"]) + f"{dated} AND {day} < ?",
                           (today,)).fetchone()
    won = conn.execute(tally.format(ids["won"]) + in_range, (q_start, q_end)).fetchone()
    lost = conn.execute(tally.format(ids["lost"]) + in_range, (q_start, q_end)).fetchone()
    reasons = conn.execute(
        f"SELECT lost_reason, {count} FROM {table} WHERE stage_id IN ({ids['lost']}) AND "
        f"{in_range} GROUP BY lost_reason HAVING {count} > 0 ORDER BY {count} DESC, "
        "lost_reason LIMIT 5", (q_start, q_end)).fetchall()
    months = _months(min(today, q_end - dt.timedelta(days=1)))
    ends = [*months[1:], (months[-1] + dt.timedelta(days=31)).replace(day=1)]
    per_month = ", ".join(f"SUM(CASE WHEN {day} >= ? AND {day} < ? THEN amount_cents "
                          "ELSE 0 END)" for _ in months)
    sums = conn.execute(
        f"SELECT {per_month} FROM {table} WHERE stage_id IN ({ids['won']}) AND {in_range}",
        [d for bounds in zip(months, ends, strict=True) for d in bounds]
        + [months[0], ends[-1]]).fetchone()
    by_month = {f"{m:%Y-%m}": cents for m, cents in zip(months, sums, strict=True)}
    settings = dict(conn.execute("SELECT key, value FROM setting"))
    result = {
        "quarter": name, "owner": None, "amount_basis": settings["amount_basis"],
        "currency": settings["currency"], "stages": lines,
        "total": {"count": total[0], "amount": _money(total[1]), "weighted": f"{total[2]:.2f}"},
        "no_close_date": {"count": undated[0] or 0, "amount": _money(undated[1])},
        "overdue": {"count": overdue[0] or 0, "amount": _money(overdue[1])},
        "win_loss": {"won_count": won[0] or 0, "won_amount": _money(won[1]),
                     "lost_count": lost[0] or 0, "lost_amount": _money(lost[1]),
                     "win_rate": round(100 * won[0] / (won[0] + lost[0]), 1)
                     if (won[0] or 0) + (lost[0] or 0) else None},
        "lost_reasons": [{"reason": r or "(no reason given)", "count": c} for r, c in reasons],
        "won_by_month": [{"month": m, "amount": _money(c)} for m, c in by_month.items()],
    }
    text = json.dumps(result, indent=2)
    return time.perf_counter() - start, json.loads(text)


def sql_on_deals(path: str) -> tuple[float, dict]:
    return sql(path, DEALS)

if __name__ == "__main__":
    how, db_path = sys.argv[1], sys.argv[2]
    seconds, result = {"core": core, "sql": sql, "sql-deals": sql_on_deals}[how](db_path)
    print(json.dumps({"seconds": seconds, "json": result}))
