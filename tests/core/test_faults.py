"""Database errors in words (core.faults.explain), from errors the databases raise."""

from __future__ import annotations

import peewee
import pytest

from tui_crm.core import customers
from tui_crm.core.db import open_database, write
from tui_crm.core.errors import DatabaseError
from tui_crm.core.faults import explain, is_fault
from tui_crm.core.models import Customer, Opportunity
from tui_crm.core.models import db as proxy


def raised(fn) -> BaseException:
    try:
        fn()
    except Exception as exc:  # noqa: BLE001 - the error is what is tested
        return exc
    raise AssertionError("no error")


def test_a_number_too_large_for_the_database(db):
    sql = f"SELECT CAST({proxy.obj.param} AS BIGINT) + 0"
    error = raised(lambda: proxy.obj.execute_sql(sql, (2 ** 70,)).fetchone())
    assert is_fault(error)
    assert explain(error, writing=True) == "A number is too large to be stored: nothing was saved."


def test_a_parent_gone_and_a_rule_broken_inside_a_write(db):
    acme = customers.create_customer({"name": "Acme"})

    @write
    def insert_a_deal_for(customer_id: int) -> None:
        Opportunity.insert(name="Orphan", stage=1, customer=customer_id).execute()

    customers.delete_customer(acme)
    with pytest.raises(DatabaseError, match="deleted by someone else meanwhile: nothing was "
                                            "saved"):
        insert_a_deal_for(acme)

    @write
    def same_id_twice() -> None:
        Customer.insert(id=99, name="A").execute()
        Customer.insert(id=99, name="B").execute()

    with pytest.raises(DatabaseError, match="same value was saved meanwhile: nothing was saved"):
        same_id_twice()
    assert Customer.select().where(Customer.id == 99).count() == 0


@pytest.fixture
def quick_driver_db(monkeypatch, request):
    """PostgreSQL through psycopg2, the driver of the commands that run and exit."""
    from tests.conftest import PG_SKIP, PG_URL

    if not PG_URL:
        pytest.skip(PG_SKIP)
    monkeypatch.setattr(peewee, "psycopg", None)  # as when tui_crm.__main__ skips it
    database = open_database(request.getfixturevalue("pg_clones").take())
    assert type(database.connection()).__module__.split(".")[0] == "psycopg2"
    yield database
    database.close()


@pytest.mark.pg
def test_the_quick_driver_errors_read_the_same(quick_driver_db):
    test_a_number_too_large_for_the_database(quick_driver_db)
    test_a_parent_gone_and_a_rule_broken_inside_a_write(quick_driver_db)
    error = raised(lambda: proxy.obj.execute_sql("SET TRANSACTION READ ONLY; "
                                                 "INSERT INTO lead (name) VALUES ('A')"))
    assert explain(error).startswith("The database is read-only here")


def test_a_bug_is_not_dressed_as_a_fault():
    assert not is_fault(KeyError("x"))
    assert explain(KeyError("x")) == "Unexpected error (KeyError: 'x')."


@pytest.mark.pg
def test_a_bulk_load_through_the_quick_driver(quick_driver_db, tmp_path):
    """psycopg2 has no COPY of psycopg 3's kind: an import through it inserts instead."""
    from tui_crm.core.csvio import import_csv
    from tui_crm.core.models import Lead

    path = tmp_path / "leads.csv"
    path.write_text("name,company\nAda,Engines\nGrace [/] Hopper,Navy\n", encoding="utf-8")
    assert import_csv("leads", path) == 2
    assert sorted(lead.name for lead in Lead.select()) == ["Ada", "Grace [/] Hopper"]
