"""Lists sort by any shown column, up or down, and leads filter by status: keyset pages
follow each order (ties by id), positions agree with the list, search composes with it,
and every order reads an index (no sort of the table) on SQLite."""

from __future__ import annotations

import datetime as dt

import pytest
from peewee import Tuple, fn

from tui_crm.core import customers, leads
from tui_crm.core.errors import CrmError
from tui_crm.core.models import Customer, Lead
from tui_crm.core.paging import SortOrder, sorted_page

ROWS = [  # name, company, status, source, email; ties on purpose in each column (and
    # nothing that byte order and a PostgreSQL locale would order differently)
    ("Delta", "Initech", "New", "web", "d@x.example"),
    ("Alpha", "Acme", "Qualified", "fair", "a@x.example"),
    ("Charlie", "Acme", "New", "web", "c@x.example"),
    ("Bravo", "Globex", "Contacted", "", "b@x.example"),
    ("Charlie", "Initech", "Qualified", "web", "c@x.example"),
    ("Echo", "", "New", "fair", "e@x.example"),
    ("Foxtrot", "Globex", "Disqualified", "web", "f@x.example"),
]


@pytest.fixture
def many_leads(db):
    ids = []
    for number, (name, company, status, source, email) in enumerate(ROWS):
        ids.append(leads.create_lead({"name": name, "company": company, "status": status,
                                      "source": source, "email": email}))
        # Updated times with a tie too (the 2nd and 3rd the same second).
        at = dt.datetime(2026, 11, 1, 9) + dt.timedelta(minutes=number - (number == 2))
        Lead.update(updated_at=at).where(Lead.id == ids[-1]).execute()
    return ids


def expected(field: str, descending: bool, status: str | None = None) -> list[int]:
    """The ids in the order the list must show: by the field, ties by id, as SQL
    compares text."""
    rows = Lead.select().order_by(Lead.id)
    chosen = [row for row in rows if status is None or row.status == status]
    return [row.id for row in sorted(chosen, key=lambda row: (getattr(row, field), row.id),
                                     reverse=descending)]


def walk(page_size: int, **how) -> list[int]:
    """Every lead, a page at a time, each page by key after the last."""
    seen, after = [], None
    order = how.get("order") or SortOrder()
    while page := leads.list_leads(limit=page_size, after=after, **how):
        seen += [row.id for row in page]
        after = (getattr(page[-1], order.field), page[-1].id)
    return seen


@pytest.mark.parametrize("descending", [False, True])
@pytest.mark.parametrize("field", leads.SORT_FIELDS)
def test_each_lead_order_pages_by_key_and_places_each_lead(many_leads, field, descending):
    order = SortOrder(field, descending)
    want = expected(field, descending)
    assert [row.id for row in leads.list_leads(order=order)] == want
    assert walk(2, order=order) == want
    assert [row.id for row in leads.list_leads(offset=3, limit=2, order=order)] == want[3:5]
    assert [leads.lead_position(lead_id, order=order) for lead_id in want] == \
        list(range(len(want)))


@pytest.mark.parametrize("field", ["name", "updated_at", "company"])
def test_a_status_filter_composes_with_the_order_and_the_search(many_leads, field):
    order = SortOrder(field, descending=True)
    want = expected(field, True, status="Qualified")
    assert [row.id for row in leads.list_leads(order=order, status="Qualified")] == want
    assert walk(1, order=order, status="Qualified") == want
    assert leads.count_leads(status="Qualified") == len(want) == 2
    assert leads.count_leads(status="New") == 3
    assert leads.lead_position(want[1], order=order, status="Qualified") == 1
    new_one = expected("name", False, status="New")[0]
    assert leads.lead_position(new_one, order=order, status="Qualified") is None
    # Search ("charl" and the trigram path "charlie") and status together.
    for term in ("charl", "charlie"):
        found = leads.list_leads(term, order=order, status="Qualified")
        assert [(row.name, row.status) for row in found] == [("Charlie", "Qualified")]
        assert leads.count_leads(term, status="Qualified") == 1
    assert leads.count_leads("charlie", status="Converted") == 0


def test_search_keeps_the_chosen_order(many_leads):
    order = SortOrder("company", descending=True)
    found = leads.list_leads("x.example", order=order)
    assert [row.id for row in found] == expected("company", True)
    charlies = leads.list_leads("charlie", order=order)
    assert [row.company for row in charlies] == ["Initech", "Acme"]


def test_unknown_orders_and_statuses_are_refused(db):
    with pytest.raises(CrmError, match="Leads sort by"):
        leads.list_leads(order=SortOrder("notes"))
    with pytest.raises(CrmError, match="status is one of"):
        leads.list_leads(status="Hot")
    with pytest.raises(CrmError, match="Customers sort by"):
        customers.list_customers(order=SortOrder("phone"))


@pytest.mark.parametrize("descending", [False, True])
@pytest.mark.parametrize("field", customers.SORT_FIELDS)
def test_each_customer_order_pages_by_key(db, field, descending):
    for name, company, _, _, email in ROWS:
        customers.create_customer({"name": name, "company": company, "email": email})
    order = SortOrder(field, descending)
    rows = list(Customer.select().order_by(Customer.id))
    want = [row.id for row in sorted(rows, key=lambda row: (getattr(row, field), row.id),
                                     reverse=descending)]
    seen, after = [], None
    while page := customers.list_customers(limit=3, after=after, order=order):
        seen += [row.id for row in page]
        after = (getattr(page[-1], field), page[-1].id)
    assert seen == want
    assert [customers.customer_position(i, order=order) for i in want] == \
        list(range(len(want)))


def plan(database, query) -> str:
    sql, params = query.sql()
    return " | ".join(row[-1] for row in database.execute_sql("EXPLAIN QUERY PLAN " + sql,
                                                              params))


@pytest.mark.parametrize("after", [False, True])
@pytest.mark.parametrize("descending", [False, True])
@pytest.mark.parametrize("status", [None, "Qualified"])
@pytest.mark.parametrize("field", leads.SORT_FIELDS)
def test_every_lead_order_reads_an_index(sqlite_db, field, status, descending, after):
    order = SortOrder(field, descending)
    query = Lead.select()
    if status:
        query = query.where(Lead.status == status)
    key = ("x", 5) if after else None
    steps = plan(sqlite_db, sorted_page(query, Lead, order, offset=0 if after else 500,
                                        after=key))
    if status and field != "status":
        index = f"lead_status_{field}_id"
    else:
        index = f"lead_{field}_id"
    assert f"INDEX {index}" in steps, steps
    assert "TEMP B-TREE" not in steps, steps
    # Counting a row's place reads a range of the index, not the table.
    place = Lead.select(fn.COUNT(Lead.id)).where(
        Tuple(getattr(Lead, field), Lead.id) < Tuple("x", 5))
    if status:
        place = place.where(Lead.status == status)
    counted = plan(sqlite_db, place)
    assert "SEARCH" in counted and "SCAN" not in counted, counted


@pytest.mark.parametrize("descending", [False, True])
@pytest.mark.parametrize("field", customers.SORT_FIELDS)
def test_every_customer_order_reads_an_index(sqlite_db, field, descending):
    steps = plan(sqlite_db, sorted_page(Customer.select(), Customer,
                                        SortOrder(field, descending), after=("x", 5)))
    assert f"INDEX customer_{field}_id" in steps, steps
    assert "TEMP B-TREE" not in steps, steps
