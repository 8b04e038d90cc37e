"""Time the quarter forecast on a large SQLite database, and show each query's plan.

    python bench/forecast_bench.py [--deals 1000000] [--db /tmp/forecast-1m.db]

The database is built once and reused by later runs: bulk inserts of deals in every
stage, closed ones over the last three years, open ones mostly ahead of today (a
few overdue, one in ten without a close date).
"""

from __future__ import annotations

import argparse
import datetime as dt
import logging
import random
import statistics
import time
from pathlib import Path

from tui_crm.core import dates, deals, forecast, stages
from tui_crm.core.db import open_database
from tui_crm.core.models import Customer, Opportunity, db

REASONS = ["price", "timing", "no budget", "competitor", "went silent", "", "feature gap"]


def build(deal_count: int) -> None:
    random.seed(7)
    stage_rows = stages.all_stages()
    weights = {"open": 4, "won": 3, "lost": 3}
    pool = [s for s in stage_rows for _ in range(weights[s.kind])]
    with db.atomic():
        Customer.insert_many([{"name": f"Customer {i}"} for i in range(1000)]).execute()
    customer_ids = [c.id for c in Customer.select(Customer.id)]
    today = dates.today()
    batch = []
    for n in range(deal_count):
        stage = random.choice(pool)
        if stage.kind == "open":
            # Mostly ahead of today, a few overdue, one in ten without a date.
            close = today + dt.timedelta(days=random.randrange(-60, 540))
            close = None if random.random() < 0.1 else close
        else:
            close = today - dt.timedelta(days=random.randrange(3 * 365))
        batch.append({"name": f"Deal {n}", "amount_cents": random.randrange(1, 10_000_000),
                      "close_date": close, "stage": stage.id,
                      "customer": random.choice(customer_ids),
                      "lost_reason": random.choice(REASONS) if stage.kind == "lost" else ""})
        if len(batch) == 5000:
            with db.atomic():
                Opportunity.insert_many(batch).execute()
            batch = []
    with db.atomic():
        if batch:
            Opportunity.insert_many(batch).execute()
        deals.recompute_stage_totals()
    db.execute_sql("ANALYZE")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--deals", type=int, default=1_000_000)
    parser.add_argument("--db", default="/tmp/forecast-1m.db")
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    fresh = not Path(args.db).exists()
    open_database(args.db)
    if fresh:
        print(f"building {args.deals:,} deals in {args.db} ...")
        build(args.deals)
    quarter = dates.Quarter.current()
    forecast.forecast(quarter)  # warm the cache
    timings = []
    for _ in range(args.runs):
        start = time.perf_counter()
        forecast.forecast(quarter)
        timings.append((time.perf_counter() - start) * 1000)
    count = Opportunity.select().count()
    print(f"{count:,} deals: forecast({quarter}) median {statistics.median(timings):.1f} ms, "
          f"max {max(timings):.1f} ms over {args.runs} runs")
    show_plans(quarter)


def show_plans(quarter) -> None:
    """Print EXPLAIN QUERY PLAN and the time of every query forecast() runs."""
    seen: list[tuple[str, tuple]] = []

    class Capture(logging.Handler):
        def emit(self, record):
            if isinstance(record.msg, tuple):
                seen.append(record.msg)

    logger = logging.getLogger("peewee")
    handler = Capture()
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    try:
        forecast.forecast(quarter)
    finally:
        logger.removeHandler(handler)
    for sql, params in seen:
        start = time.perf_counter()
        db.execute_sql(sql, params).fetchall()
        ms = (time.perf_counter() - start) * 1000
        plan = [row[-1] for row in db.execute_sql("EXPLAIN QUERY PLAN " + sql, params)]
        print(f"{ms:7.2f} ms  {sql[:110]}")
        for step in plan:
            print(f"            {step}")


if __name__ == "__main__":
    main()
