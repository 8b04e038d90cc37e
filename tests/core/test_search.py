"""Searching leads and customers: "contains, case ignored" (a term of one or two
characters: "starts with"), served by an index.

On SQLite a term of three characters or more goes through the trigram FTS5 table kept
by triggers; these tests check the answers match LIKE's on both databases, that every
kind of change reaches the index, and that the index is what the query uses (the
PostgreSQL plans: test_search_plans.py).
"""

from __future__ import annotations

import pytest
from peewee import PostgresqlDatabase

from tui_crm.core import customers, leads
from tui_crm.core.db import open_database
from tui_crm.core.models import Customer, Lead


def _names(rows) -> list[str]:
    return [row.name for row in rows]


@pytest.fixture
def people(db):
    for name, company, email in [
        ("Grace Hopper", "Navy Labs", "grace@navy.example"),
        ("Ada Lovelace", "Analytical Engines", "ada@engines.example"),
        ("Alan Turing", "Bletchley", "alan@bletchley.example"),
        ("Émile Zola", "Éditions \"Quoted\" Ltd", "emile@zola.example"),
        ("100% Growth", "Under_score Inc", "growth@percent.example"),
    ]:
        leads.create_lead({"name": name, "company": company, "email": email})
        customers.create_customer({"name": name, "company": company, "email": email})
    return db


@pytest.mark.parametrize(("term", "expected"), [
    ("grace", ["Grace Hopper"]),  # name, case ignored
    ("ENGINES", ["Ada Lovelace"]),  # company and e-mail
    ("bletchley.ex", ["Alan Turing"]),  # e-mail only
    ("xam", ["100% Growth", "Ada Lovelace", "Alan Turing", "Grace Hopper", "Émile Zola"]),
    # Shorter than a trigram: the start of the name, company or e-mail.
    ("a", ["Ada Lovelace", "Alan Turing"]),
    ("an", ["Ada Lovelace"]),  # Analytical Engines, not Alan
    ("gr", ["100% Growth", "Grace Hopper"]),  # growth@..., Grace
    ("ce", []),  # inside Grace: not its start
    ("un", ["100% Growth"]),  # the company
    ("1", ["100% Growth"]),
    ("É", ["Émile Zola"]),
    ("A", ["Ada Lovelace", "Alan Turing"]),
    ('"Quoted"', ["Émile Zola"]),  # quotes are text, not query syntax
    ("0% G", ["100% Growth"]),
    ("der_sc", ["100% Growth"]),
    ("nobody here", []),
    ("  grace  ", ["Grace Hopper"]),  # surrounding blanks ignored
    ("_", []),  # LIKE's wildcards are plain characters
    ("%", []),
    ("%%", []),
    ("r_", []),
    ("0%", []),
    ("% G", ["100% Growth"]),
    ("re_sc", []),
    ("___", []),
    ("%_%", []),
    ("\\", []),
    ("gr\x00ace", ["Grace Hopper"]),  # a NUL is dropped, as from what is saved
    ("\x00", ["100% Growth", "Ada Lovelace", "Alan Turing", "Grace Hopper", "Émile Zola"]),
])
def test_search_finds_what_contains_the_term(people, term, expected):
    assert _names(leads.list_leads(term)) == expected
    assert leads.count_leads(term) == len(expected)
    assert _names(customers.list_customers(term)) == expected
    assert customers.count_customers(term) == len(expected)


@pytest.mark.parametrize(("term", "expected"), [
    ("_", []), ("%", ["100% Growth"]), ("a%", []), ("gr\x00ace", ["Grace Hopper"]),
])
def test_finding_a_record_by_name_takes_the_term_literally(people, term, expected):
    from tui_crm.core.lookup import find_records

    assert sorted({match.name for match in find_records(term)}) == expected


def test_the_board_filter_takes_the_term_literally(people):
    from tui_crm.core import board, deals

    growth = customers.list_customers("growth")[0].id
    grace = customers.list_customers("grace")[0].id
    deals.create_deal({"name": "Half_price", "customer_id": growth})
    deals.create_deal({"name": "Hopper deal", "customer_id": grace})
    first = board.board_stages()[0]
    for term, expected in (("_", ["Half_price"]), ("%", ["Half_price"]), ("f%p", []),
                           ("hop\x00per", ["Hopper deal"])):
        page = board.column_page(first, search=term).cards
        assert [card.name for card in page] == expected, term


def test_edits_and_deletes_reach_the_search(people):
    grace = leads.list_leads("grace")[0]
    leads.update_lead(grace.id, {"name": "Rear Admiral Hopper", "email": "rah@navy.example"})
    assert leads.count_leads("grace") == 0
    assert _names(leads.list_leads("admiral")) == ["Rear Admiral Hopper"]
    leads.delete_lead(grace.id)
    assert leads.count_leads("admiral") == 0 and leads.count_leads("hopper") == 0
    ada = customers.list_customers("lovelace")[0]
    customers.update_customer(ada.id, {"company": "Difference Engines"})
    assert _names(customers.list_customers("difference")) == ["Ada Lovelace"]


def test_positions_and_keyset_pages_follow_the_search(people):
    matching = leads.list_leads("xam", limit=2)
    rest = leads.list_leads("xam", after=(matching[-1].name, matching[-1].id))
    assert _names(matching + rest) == _names(leads.list_leads("xam"))
    assert leads.lead_position(rest[0].id, "xam") == 2
    grace = leads.list_leads("grace")[0]
    assert leads.lead_position(grace.id, "gr") == 1  # after 100% Growth (growth@)
    assert leads.lead_position(rest[0].id, "zzz") is None


def test_sqlite_searches_through_the_trigram_index(sqlite_db):
    leads.create_lead({"name": "Grace Hopper"})
    query = leads._search(Lead.select(Lead.id), "hopper")
    sql, params = query.sql()
    plan = " ".join(str(row) for row in sqlite_db.execute_sql(f"EXPLAIN QUERY PLAN {sql}",
                                                              params))
    assert "VIRTUAL TABLE" in plan and "SCAN lead " not in plan


def test_upgrading_an_older_database_indexes_its_records(tmp_path):
    path = str(tmp_path / "crm.db")
    database = open_database(path)
    for name in ("lead", "customer"):  # back to the schema before the search index
        for trigger in ("insert", "update", "delete"):
            database.execute_sql(f"DROP TRIGGER {name}_search_{trigger}")
        database.execute_sql(f"DROP TABLE {name}_search")
    database.execute_sql("DELETE FROM schema_migration WHERE name = '0006_name_search'")
    Lead.insert(name="Grace Hopper").execute()
    Customer.insert(name="Hopper Navy Yard").execute()
    database.close()
    open_database(path)
    assert _names(leads.list_leads("hopper")) == ["Grace Hopper"]
    assert _names(customers.list_customers("hopper")) == ["Hopper Navy Yard"]


@pytest.mark.pg
def test_postgres_has_trigram_indexes_for_the_search(db):
    if not isinstance(db, PostgresqlDatabase):
        pytest.skip("PostgreSQL only")
    indexes = {name for (name,) in db.execute_sql("SELECT indexname FROM pg_indexes")}
    assert {f"{t}_{c}_trgm" for t in ("lead", "customer")
            for c in ("name", "company", "email")} <= indexes
