"""The plans PostgreSQL chooses for the board, the forecast's deal lists and Today's
counts, on demo data loaded as `tui-crm demo` loads it. Each plan is checked as the
app runs it: a custom plan (the first runs of a statement) and the generic one that
psycopg's prepared statements settle on.

- A page of undated deals walks the (stage, close date, id) index: ordered by id
  alone, PostgreSQL took it for an order that index does not give and walked the
  primary key of every deal instead, filtering (a whole table when a stage holds few
  undated deals).
- Today's deals without a close date likewise (ordered by the empty date, then id).
- Today's overdue count stops at its cap in an index-only scan: a demo load ends with
  a VACUUM, without which the pages are not marked all-visible and the count was a
  bitmap scan of every overdue activity.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from peewee import PostgresqlDatabase
from psycopg.sql import Literal

from tests.helpers import statements
from tui_crm.core import activities, board, dates, deal_lists, deals, demo, today
from tui_crm.core.models import Activity, ChangeLog, Opportunity

pytestmark = pytest.mark.pg

DEALS = 20_000


@pytest.fixture(scope="module")
def loaded():
    """A demo database kept for the module (building one takes seconds)."""
    from tests.conftest import PG_URL, _create_pg, _drop_pg

    if not PG_URL:
        pytest.skip("PostgreSQL not configured")
    url = _create_pg()
    yield url
    _drop_pg(url)


@pytest.fixture
def pg(loaded):
    from tui_crm.core.db import open_database

    database = open_database(loaded)
    if not isinstance(database, PostgresqlDatabase):
        pytest.skip("PostgreSQL only")
    if Opportunity.select().count() == 0:
        demo.load_demo(DEALS)
    yield database
    database.close()


TYPES = {int: "bigint", str: "text", dt.date: "date", dt.datetime: "timestamp",
         bool: "boolean"}  # what psycopg sends each parameter as, near enough for a plan


def plans(database, query) -> list[str]:
    """The custom and the generic plan of ``query``."""
    sql, params = query.sql()
    custom = "\n".join(row[0] for row in database.execute_sql("EXPLAIN " + sql, params))
    numbered = iter(range(1, len(params) + 1))
    prepared = re.sub("%s", lambda _: f"${next(numbered)}", sql)
    types = ", ".join(TYPES[type(value)] for value in params)
    database.execute_sql(f"PREPARE checked ({types}) AS {prepared}" if params
                         else f"PREPARE checked AS {prepared}")
    try:
        database.execute_sql("SET plan_cache_mode = force_generic_plan")
        connection = database.connection()
        arguments = ", ".join(Literal(value).as_string(connection) for value in params) \
            .replace("%", "%%")  # the statement is sent without parameters: % is literal
        generic = "\n".join(row[0] for row in database.execute_sql(
            f"EXPLAIN EXECUTE checked({arguments})" if params else "EXPLAIN EXECUTE checked"))
    finally:
        database.execute_sql("RESET plan_cache_mode")
        database.execute_sql("DEALLOCATE checked")
    return [custom, generic]


def walks_the_stage_index(plan: str, index: str = "opportunity_stage_id_close_date") -> bool:
    """Every walk goes through a (stage, close date, ...) index (``index``) in its order:
    never the primary key filtered, a scan of the table or a sort of all it found (a
    sort within rows of one date, ``Incremental Sort``, or of a page's worth of rows the
    planner expects from a small range is a small one)."""
    sorted_rows = [int(rows) for rows in re.findall(
        r"(?:^|->)\s*Sort\s+\(cost=\S+ rows=(\d+)", plan, re.MULTILINE)]
    return (index in plan
            and "using opportunity_pkey on opportunity" not in plan
            and "Seq Scan on opportunity" not in plan
            and all(rows <= 100 for rows in sorted_rows))


@pytest.mark.parametrize("shown", [{}, {"search": "pilot"}, {"owner": "sam"}])
def test_the_board_reads_every_column_through_the_stage_index(pg, shown):
    columns = board.board_stages()
    first = board.board_view({}, 10, **shown)
    places = {column.stage.id: (column.window.cards[3].key, 3)
              for column in first.columns if len(column.window.cards) > 3}
    undated = Opportunity.select().where(Opportunity.close_date.is_null()).first()
    places[undated.__data__["stage"]] = ((None, undated.id), 3)
    with statements(pg) as seen:
        board.board_view(places, 10, **shown)
    (cards,) = [event for event in seen if "UNION ALL" in event.sql and "activity" in event.sql]
    assert cards.sql.count("IS NULL)") >= len([c for c in columns if c.is_open])

    class Sent:  # the statement as sent, for plans()
        def sql(self):
            return cards.sql, list(cards.params)

    index = "opportunity_owner_stage_id_close_date" if "owner" in shown \
        else "opportunity_stage_id_close_date"
    for plan in plans(pg, Sent()):
        assert walks_the_stage_index(plan, index), plan


def test_the_undated_deals_of_the_forecast_list_by_the_stage_index(pg):
    selection = deal_lists.undated_deals()
    page = deal_lists.list_deals(selection, limit=5)
    assert page and all(line.close_date is None for line in page)
    with statements(pg) as seen:
        deal_lists.list_deals(selection, limit=5, after=page[-1])

    pages = [event for event in seen if '"opportunity"' in event.sql]
    assert pages and all("IS NULL" in event.sql for event in pages)
    for event in pages:
        class Sent:
            def sql(self, event=event):
                return event.sql, list(event.params)

        for plan in plans(pg, Sent()):
            assert walks_the_stage_index(plan), plan


def test_a_demo_load_leaves_the_pages_all_visible(pg):
    for table in ("activity", "opportunity"):
        pages, visible = pg.execute_sql(
            "SELECT relpages, relallvisible FROM pg_class WHERE relname = %s",
            (table,)).fetchone()
        assert pages > 0 and visible == pages, (table, pages, visible)


def test_the_overdue_count_stops_at_its_cap_in_the_index(pg):
    owner = Activity.select(Activity.owner).where(Activity.done_at.is_null()).limit(1).scalar()
    for who in (None, owner):
        (query,) = today._activity_queries("overdue_activity", who, dates.today())
        capped = query.select(Activity.id).limit(today.COUNT_CAP)
        for plan in plans(pg, capped):
            assert "Index Only Scan" in plan and "Bitmap" not in plan, plan
    assert 0 < today.overdue_count() <= today.COUNT_CAP


@pytest.mark.parametrize("mine", [False, True])
def test_todays_deals_without_a_close_date_by_the_stage_index(pg, mine):
    """Today's last group, a page of it and the next: through a (.., stage, close date,
    id) index in its order, for everyone and for one owner."""
    owner = Opportunity.select(Opportunity.owner).limit(1).scalar() if mine else None
    first = [item for item in today.queue(owner, limit=100_000)
             if item.reason == "no_close_date"][:3]
    assert first, "the demo has open deals without a close date"
    with statements(pg) as seen:
        today.queue(owner, after=first[0].key, limit=2)
    pages = [event for event in seen if '"opportunity"' in event.sql and "IS NULL" in event.sql
             and "LIMIT" in event.sql]
    assert pages
    index = ("opportunity_owner_stage_id_close_date_id" if mine
             else "opportunity_stage_id_close_date")
    for event in pages:
        class Sent:
            def sql(self, event=event):
                return event.sql, list(event.params)

        for plan in plans(pg, Sent()):
            assert walks_the_stage_index(plan, index), plan


def test_a_customers_activities_join_nothing_but_their_record(pg):
    """The detail panel's activity reads (the customer's own, its deals', its
    contacts'): each walks one record index, at most one join (the deals or the
    contacts of the customer), the names of what they are about read per row shown.
    Joined instead, five tables took PostgreSQL 3-5 ms to plan each time."""
    customer = (Opportunity.select(Opportunity.customer)
                .join(Activity, on=(Activity.deal == Opportunity.id))
                .where(Opportunity.customer.is_null(False)).limit(1).scalar())
    with statements(pg) as seen:
        shown = activities.activities_of(customer_id=customer, limit=5)
    assert shown and all(row.about for row in shown)
    reads = [event for event in seen if 'FROM "activity"' in event.sql]
    assert len(reads) == 6  # open and done, of the customer, its deals, its contacts
    for event in reads:
        class Sent:
            def sql(self, event=event):
                return event.sql, list(event.params)

        for plan in plans(pg, Sent()):
            joins = len(re.findall(r"Nested Loop|Hash Join|Merge Join", plan))
            assert joins <= 1 and "Seq Scan" not in plan and "SubPlan" in plan, plan


def test_the_cards_slippage_reads_the_pushes_index_while_the_log_is_small(pg):
    """Each card's slippage is counted in the cards' statement. While the change log is
    small (a new database, a day of work), PostgreSQL planned a scan of the whole log
    for each card (a board's 256 cards: 15 ms); the partial index of the pushes alone
    is the cheaper read from the first row on."""
    with pg.atomic() as changes:
        for column in board.board_view({}, 30).columns:
            for card in column.window.cards:
                if card.close_date is not None:
                    deals.update_deal(card.id, {"close_date": card.close_date
                                                + dt.timedelta(days=30)})
        assert 100 < ChangeLog.select().count() < 1000
        with statements(pg) as seen:
            shown = board.board_view({}, 30)
        assert any(card.pushes == 1 for column in shown.columns
                   for card in column.window.cards)
        (cards,) = [event for event in seen if "UNION ALL" in event.sql
                    and "change_log" in event.sql]

        class Sent:
            def sql(self):
                return cards.sql, list(cards.params)

        for plan in plans(pg, Sent()):
            assert "change_log_pushes" in plan and "Seq Scan on change_log" not in plan, plan
        changes.rollback()
