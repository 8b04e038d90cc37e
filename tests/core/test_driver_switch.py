"""On PostgreSQL the app draws its first screen through psycopg2, which loads in a
fifth of psycopg 3's time, then loads psycopg 3 (prepared statements, the pipeline,
COPY): each thread's connection moves to it at its next statement outside a
transaction, and nothing is lost on the way."""

from __future__ import annotations

import threading

import pytest

from tests.conftest import driver
from tui_crm.core import customers, deals, leads, live
from tui_crm.core.db import PREPARE_THRESHOLD, ReconnectingPostgres
from tui_crm.core.drivers import (
    connection_to_move_to,
    load_full_driver,
    load_full_driver_if_far,
    move_to_full_driver,
)
from tui_crm.core.models import Lead


@pytest.mark.pg
def test_the_first_statements_go_through_psycopg2_and_the_next_through_psycopg_3(quick_db):
    acme = customers.create_customer({"name": "Acme [/] Corp"})
    deal = deals.create_deal({"name": "Big", "amount": "1200", "customer_id": acme})
    assert driver(quick_db) == "psycopg2"

    before = deals.get_deal(deal)

    assert load_full_driver()
    assert not load_full_driver(), "loaded once"
    stage = deals.step_deal(deal, 1)  # the move's transaction begins on a new connection
    assert driver(quick_db) == "psycopg"
    assert quick_db.connection().prepare_threshold == PREPARE_THRESHOLD
    moved = deals.get_deal(deal)
    assert moved.stage_id == stage != before.stage_id
    assert (moved.parent_name, moved.amount, moved.version) == \
        ("Acme [/] Corp", before.amount, before.version + 1)


@pytest.mark.pg
def test_a_transaction_begun_on_psycopg2_ends_on_it(quick_db):
    with quick_db.atomic():
        leads.create_lead({"name": "Ada"})
        assert load_full_driver()
        leads.create_lead({"name": "Grace"})  # the server holds the transaction
        assert driver(quick_db) == "psycopg2"
    assert leads.count_leads() == 2  # both committed; the count on psycopg 3
    assert driver(quick_db) == "psycopg"


@pytest.mark.pg
def test_rows_read_as_they_are_iterated_survive_the_move(quick_db):
    for number in range(40):
        leads.create_lead({"name": f"Lead {number:02}"})
    names = []
    for row in Lead.select(Lead.name).order_by(Lead.name):  # read row by row
        names.append(row.name)
        if len(names) == 3:
            assert load_full_driver()
            assert leads.count_leads() == 40  # moves this thread to psycopg 3
            assert driver(quick_db) == "psycopg"
    assert names == [f"Lead {number:02}" for number in range(40)]


@pytest.mark.pg
def test_each_thread_moves_at_its_own_next_statement(quick_db):
    leads.create_lead({"name": "Ada"})
    seen: dict[str, str] = {}
    loaded, done = threading.Event(), threading.Event()

    def other_thread():
        leads.count_leads()
        seen["before"] = driver(quick_db)
        loaded.wait(10)
        seen["after"] = driver(quick_db)  # nothing sent since: still psycopg2
        seen["count"] = str(leads.count_leads())
        seen["then"] = driver(quick_db)
        quick_db.close()
        done.set()

    thread = threading.Thread(target=other_thread)
    thread.start()
    while "before" not in seen and thread.is_alive():
        thread.join(0.01)
    assert load_full_driver()
    loaded.set()
    thread.join(10)
    assert done.is_set()
    assert seen == {"before": "psycopg2", "after": "psycopg2", "count": "1",
                    "then": "psycopg"}
    assert driver(quick_db) == "psycopg2", "this thread sent nothing since"


@pytest.mark.pg
def test_a_connection_opened_elsewhere_is_taken_outside_a_transaction(quick_db):
    leads.count_leads()
    with quick_db.atomic():
        leads.create_lead({"name": "Ada"})
        assert load_full_driver()
        refused = connection_to_move_to()
        move_to_full_driver(refused)  # the server holds a transaction: not now
        assert refused.closed and driver(quick_db) == "psycopg2"
    opened: list = []
    thread = threading.Thread(target=lambda: opened.append(connection_to_move_to()))
    thread.start()
    thread.join(10)
    handed = opened[0]
    move_to_full_driver(handed)
    assert quick_db.connection() is handed
    assert leads.count_leads() == 1


@pytest.mark.pg
def test_a_move_needs_no_connection_it_cannot_open(quick_db, monkeypatch):
    """Should psycopg 3's connection fail to open (the server gone just then), the
    statement goes on the connection it had, and the move waits for the next one."""
    leads.create_lead({"name": "Ada"})
    assert load_full_driver()
    adapter = quick_db.adapter

    def refused(*args, **kwargs):
        raise adapter.driver.OperationalError("connection refused")

    monkeypatch.setattr(adapter, "connect", refused)
    assert leads.count_leads() == 1
    assert driver(quick_db) == "psycopg2"
    monkeypatch.undo()
    assert leads.count_leads() == 1
    assert driver(quick_db) == "psycopg"


@pytest.mark.pg
def test_the_change_watcher_reads_through_either_driver(quick_db):
    watching = live.ChangeWatcher(quick_db)
    before = watching.token()
    leads.create_lead({"name": "Ada"})
    changed, now = watching.changed_since(before)
    assert changed
    assert load_full_driver()
    fresh = live.ChangeWatcher(quick_db)  # opened on psycopg 3
    start = fresh.token()
    leads.create_lead({"name": "Grace"})
    assert fresh.changed_since(start)[0] and watching.changed_since(now)[0]
    watching.close()
    fresh.close()


@pytest.mark.pg
def test_a_far_server_gets_psycopg_3_before_the_first_screen(quick_db, monkeypatch):
    """Far from the server, psycopg 3's pipeline (the first board in two round trips,
    not five) saves more than its later load: it is loaded before the first screen."""
    assert 0 < quick_db.round_trip() < 1
    monkeypatch.setattr(ReconnectingPostgres, "round_trip", lambda self: 0.001)  # loopback
    assert not load_full_driver_if_far()
    assert driver(quick_db) == "psycopg2"
    monkeypatch.setattr(ReconnectingPostgres, "round_trip", lambda self: 0.040)  # a WAN
    assert load_full_driver_if_far()
    assert driver(quick_db) == "psycopg", "this thread moved at once"
    assert not load_full_driver_if_far(), "loaded already"
    assert leads.count_leads() == 0
