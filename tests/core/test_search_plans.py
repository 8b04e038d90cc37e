"""The plans PostgreSQL chooses for a search: through the search indexes, never a walk
of the (name, id) index filtering every row, never a sequential scan.

The lists hold a few thousand records, analyzed, and sequential scans are priced out
(``enable_seqscan``): on a table this small the planner would rightly read it all, on
a big one it takes an index. What is checked is which index, and the shape: the ids
found first, then ordered, never the (name, id) order walked with a filter.
"""

from __future__ import annotations

import datetime as dt

import pytest
from peewee import PostgresqlDatabase

from tui_crm.core import bulk, customers, leads
from tui_crm.core.demo import FIRST, LAST
from tui_crm.core.models import Customer, Lead
from tui_crm.core.paging import name_order
from tui_crm.core.search import matches

pytestmark = pytest.mark.pg

RECORDS = 5_000
FIELDS = ("created_at", "created_by", "updated_at", "updated_by", "version", "name",
          "company", "email", "phone", "notes")


@pytest.fixture
def pg(db):
    if not isinstance(db, PostgresqlDatabase):
        pytest.skip("PostgreSQL only")
    stamp = dt.datetime(2026, 11, 1)
    rows = [(stamp, "t", stamp, "t", 1,
             f"{FIRST[n % 50]} {chr(65 + n // 2500 % 26)}. {LAST[n // 50 % 50]}",
             f"Company {n % 37}", f"p{n}@mail{n % 11}.example", "", "") for n in range(RECORDS)]
    with db.atomic():  # COPY: the fixture is quick
        bulk.insert_rows(Customer, FIELDS, rows)
        bulk.insert_rows(Lead, (*FIELDS, "source", "status"),
                         [(*row, "", "New") for row in rows])
    db.execute_sql("ANALYZE")
    db.execute_sql("SET enable_seqscan = off")
    yield db
    db.execute_sql("RESET enable_seqscan")


def plan(database, query) -> str:
    sql, params = query.sql()
    return "\n".join(row[0] for row in database.execute_sql("EXPLAIN " + sql, params))


TERMS = [("Grace", "_trgm"), ("Grace Hopper", "_trgm"), ("gr", "_prefix"), ("g", "_prefix")]


def test_a_page_of_matches_is_found_by_the_search_indexes(pg):
    for model in (Lead, Customer):
        table = model._meta.table_name
        for term, index in TERMS:
            for after in (None, ("Grace A. Hopper", 1)):
                query = name_order(model.select().where(matches(model, term)), model,
                                   limit=100, after=after)
                shown = plan(pg, query)
                assert f"{table}_name{index}" in shown, shown
                assert f"{table}_name_id" not in shown and "Seq Scan" not in shown, shown


def test_counting_matches_reads_the_search_indexes(pg):
    from peewee import fn

    from tui_crm.core.search import _condition

    for term, index in TERMS:
        shown = plan(pg, Lead.select(fn.COUNT(Lead.id)).where(_condition(Lead, term)))
        assert f"lead_name{index}" in shown and "Seq Scan" not in shown, shown


def _found(record, term: str) -> bool:
    values = [value.lower() for value in (record.name, record.company, record.email)]
    if len(term) < 3:
        return any(value.startswith(term.lower()) for value in values)
    return any(term.lower() in value for value in values)


def test_the_answers_are_those_of_the_plain_conditions(pg):
    for term in ("Grace", "gr", "G", "hopper", "ada l", "mail3", "p12", "zz"):
        want = sorted((r.name, r.id) for r in Lead.select() if _found(r, term))
        assert leads.count_leads(term) == len(want), term
        assert [(r.name, r.id) for r in leads.list_leads(term, limit=50)] == want[:50], term
        page = customers.list_customers(term, limit=3)
        assert len(page) == min(3, customers.count_customers(term)), term
