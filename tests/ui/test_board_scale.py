"""The board at 200,000 deals: opening it and moving a deal stay bounded.

The database is built once per test session (bulk inserts in one transaction, then
the running totals recomputed) and copied for each test. The test counts the
queries, the rows fetched and the SQLite virtual-machine steps spent opening the board
and moving a deal: none of them may grow with the table.
"""

from __future__ import annotations

import datetime as dt
import random
import shutil
import threading
from collections import Counter

import pytest
from peewee import fn

from tests.ui.pilot_helpers import settle
from tui_crm.core import deals
from tui_crm.core.db import open_database
from tui_crm.core.models import Customer, Lead, Opportunity, Stage, db
from tui_crm.ui.app import CrmApp
from tui_crm.ui.widgets.board import Board

TODAY = dt.date(2026, 11, 15)


def fill_deals(count: int, seed: int = 7) -> None:
    """Add ``count`` deals (with customers and leads to hang them on) in bulk, on SQLite."""
    rng = random.Random(seed)
    stage_ids = {s.name: s.id for s in Stage.select()}
    open_ids = [stage_ids["Qualification"], stage_ids["Proposal"], stage_ids["Negotiation"]]
    now = "2026-11-01 09:00:00"
    customers, leads = max(1, count // 20), max(1, count // 40)
    with db.atomic():
        first_customer = _bulk(Customer, ("name", "company", "created_at", "updated_at"),
                               ((f"Customer {i:06d}", f"Company {i % 997}", now, now)
                                for i in range(customers)))
        first_lead = _bulk(Lead, ("name", "created_at", "updated_at"),
                           ((f"Lead {i:06d}", now, now) for i in range(leads)))
        rows = []
        for i in range(count):
            roll = rng.random()
            if roll < 0.8:
                stage = open_ids[i % 3]
                close = None if rng.random() < 0.1 else TODAY + dt.timedelta(
                    days=rng.randint(-120, 400))
            else:
                stage = stage_ids["ClosedWon" if roll < 0.9 else "ClosedLost"]
                close = TODAY - dt.timedelta(days=rng.randint(0, 700))
            customer, lead = first_customer + i % customers, None
            if i % 5 == 0:
                customer, lead = None, first_lead + i % leads
            rows.append((f"Deal {i:07d}", rng.randint(0, 5_000_000),
                         close.isoformat() if close else None, stage, customer, lead, now,
                         now))
        _bulk(Opportunity, ("name", "amount_cents", "close_date", "stage", "customer", "lead",
                            "created_at", "updated_at"), rows)
        deals.recompute_stage_totals()


def _bulk(model, fields: tuple[str, ...], rows) -> int:
    """Insert rows of raw values with one prepared statement; returns the first new id.

    Columns not named in ``fields`` get their model default (a fixed value: it is the
    same for every row).
    """
    first = (model.select(fn.MAX(model.id)).scalar() or 0) + 1
    rest = [f for f in model._meta.sorted_fields
            if f.name not in fields and f.name != "id" and f.default is not None]
    constants = tuple(f.db_value(f.default() if callable(f.default) else f.default)
                      for f in rest)
    names = [model._meta.fields[name].column_name for name in fields] + \
        [f.column_name for f in rest]
    columns = ", ".join(f'"{name}"' for name in names)
    marks = ", ".join("?" for _ in names)
    db.cursor().executemany(
        f'INSERT INTO "{model._meta.table_name}" ({columns}) VALUES ({marks})',
        (row + constants for row in rows))
    return first


class Meter:
    """Counts what the database does: statements, rows handed back, and SQLite
    virtual-machine steps per statement.

    Attached to the opened database, it sees every thread's connection, the workers'
    included.
    """

    STEP = 100  # the progress handler ticks every STEP virtual-machine instructions

    def __init__(self, database):
        self.database = database
        self._execute = database.execute_sql
        self._connect = database._connect
        self._running = threading.local()
        self.reset()
        database.execute_sql = self._count_execute
        database._connect = self._count_connect
        database.connection().set_progress_handler(self._tick, self.STEP)

    def reset(self) -> None:
        self.queries = self.rows = 0
        self.steps: Counter[str] = Counter()

    def detach(self) -> None:
        self.database.execute_sql = self._execute
        self.database._connect = self._connect

    def _tick(self) -> int:
        self.steps[getattr(self._running, "sql", "")] += self.STEP
        return 0

    def _count_connect(self, *args, **kwargs):
        connection = self._connect(*args, **kwargs)
        connection.set_progress_handler(self._tick, self.STEP)
        return connection

    def _count_execute(self, sql, params=None, *args, **kwargs):
        self.queries += 1
        self._running.sql = sql
        return _CountingCursor(self._execute(sql, params, *args, **kwargs), self)


class _CountingCursor:
    def __init__(self, cursor, meter: Meter):
        self._cursor, self._meter = cursor, meter

    def __getattr__(self, name):
        return getattr(self._cursor, name)

    def fetchone(self):
        row = self._cursor.fetchone()
        self._meter.rows += row is not None
        return row

    def fetchmany(self, *args):
        rows = self._cursor.fetchmany(*args)
        self._meter.rows += len(rows)
        return rows

    def fetchall(self):
        rows = self._cursor.fetchall()
        self._meter.rows += len(rows)
        return rows

    def __iter__(self):
        for row in self._cursor:
            self._meter.rows += 1
            yield row


@pytest.fixture(scope="session")
def built(tmp_path_factory):
    """Two databases built once: 4,000 and 200,000 deals, the same mix of stages."""
    paths = {}
    for count in (4_000, 200_000):
        path = tmp_path_factory.mktemp(f"deals{count}") / "crm.db"
        database = open_database(str(path))
        fill_deals(count)
        database.close()
        paths[count] = path
    return paths


def closed_this_quarter(path) -> int:
    """Won and lost deals closed this quarter: what the Won/Lost sums walk."""
    database = open_database(str(path))
    try:
        won_lost = Stage.select(Stage.id).where(Stage.kind != "open")
        return (Opportunity.select()
                .where(Opportunity.stage.in_(won_lost)
                       & (Opportunity.close_date >= dt.date(2026, 10, 1))
                       & (Opportunity.close_date < dt.date(2027, 1, 1))).count())
    finally:
        database.close()


def is_quarter_sum(sql: str) -> bool:
    return sql.startswith("SELECT COUNT(") and '"close_date" >= ?' in sql


async def open_and_move(path) -> dict[str, Meter]:
    """Open the board on ``path`` and move its first deal on; what each step cost."""
    database = open_database(str(path))
    meter = Meter(database)
    cost = {}
    try:
        app = CrmApp(start_mode="pipeline")
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(pilot)
            board = app.screen.query_one(Board)
            assert board.selected is not None and all(c.cards for c in board.columns)
            cost["open"] = (meter.queries, meter.rows, dict(meter.steps))
            deal = board.selected.id
            meter.reset()
            await pilot.press("greater_than_sign")
            await settle(pilot)
            assert board.selected.id == deal and board.column.stage.name == "Proposal"
            cost["move"] = (meter.queries, meter.rows, dict(meter.steps))
    finally:
        meter.detach()
        database.close()
    return cost


async def test_opening_the_board_and_moving_a_deal_cost_the_same_at_any_size(built, tmp_path):
    """Queries, rows and VM steps at 200,000 deals against 4,000.

    Everything is bounded but the Won/Lost header sums, which by design walk the
    quarter's closed deals on the covering index: their steps are checked against the
    number of deals closed this quarter, not against the whole table.
    """
    costs, closed = {}, {}
    for count, path in built.items():
        copy = tmp_path / f"{count}.db"
        shutil.copyfile(path, copy)
        closed[count] = closed_this_quarter(copy)
        costs[count] = await open_and_move(copy)
    small, large = costs[4_000], costs[200_000]
    for phase in ("open", "move"):
        queries, rows, steps = large[phase]
        # the same statements fetch the same few rows: the cards that fit, the totals
        assert queries <= small[phase][0] + 2, (phase, queries, small[phase][0])
        assert rows <= small[phase][1] + 5, (phase, rows, small[phase][1])
        # 5 columns of 8 visible cards read with a spare each, plus stages and totals
        assert rows <= 5 * 12 + 30, (phase, rows)
        # SQLite walks no more of the tables, whatever their size (a scan of one stage
        # would be millions of steps)
        walked = sum(n for sql, n in steps.items() if not is_quarter_sum(sql))
        walked_small = sum(n for sql, n in small[phase][2].items() if not is_quarter_sum(sql))
        assert walked <= 2 * walked_small + 20_000, (phase, walked, walked_small)
        sums = sum(n for sql, n in steps.items() if is_quarter_sum(sql))
        assert sums <= 2 * 30 * closed[200_000], (phase, sums, closed)
