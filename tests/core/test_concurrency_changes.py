"""The change watcher: "has anything changed since token T?", cheaply, on both databases."""

from __future__ import annotations

import threading

import pytest
from peewee import IntegrityError, PostgresqlDatabase

from tests.core.test_concurrency import start_child, wait_for
from tui_crm.core import leads, live
from tui_crm.core.errors import ValidationError
from tui_crm.core.live import ChangeWatcher


@pytest.fixture
def watcher(db):
    watching = ChangeWatcher(db)
    yield watching
    watching.close()


def test_nothing_changed_while_nobody_writes(watcher):
    token = watcher.token()
    leads.count_leads()
    leads.list_leads()
    assert watcher.changed_since(token) == (False, token)


def test_a_write_in_this_thread_is_seen(watcher):
    token = watcher.token()
    leads.create_lead({"name": "Ada"})
    changed, later = watcher.changed_since(token)
    assert changed
    assert watcher.changed_since(later) == (False, later)


def test_a_write_from_another_thread_is_seen(watcher):
    token = watcher.token()
    thread = threading.Thread(target=leads.create_lead, args=({"name": "Ada"},))
    thread.start()
    thread.join()
    assert watcher.changed_since(token)[0]


def test_a_write_from_another_process_is_seen(watcher, db_url):
    token = watcher.token()
    child = start_child("hold", db_url)
    wait_for(child, "holding")
    assert not watcher.changed_since(token)[0], "not committed yet"
    child.stdin.write("commit\n")
    child.stdin.flush()
    wait_for(child, "done")
    child.wait()
    assert watcher.changed_since(token)[0]


def test_a_write_that_fails_changes_nothing(watcher):
    token = watcher.token()
    with pytest.raises(ValidationError):
        leads.create_lead({"name": ""})
    assert not watcher.changed_since(token)[0]


def test_after_a_reconnect_an_old_token_counts_as_changed(watcher):
    token = watcher.token()
    watcher.close()
    changed, fresh = watcher.changed_since(token)
    assert changed
    assert watcher.changed_since(fresh) == (False, fresh)


def test_after_its_own_write_a_thread_knows_where_the_database_stands(watcher, db):
    """The number a write took on PostgreSQL says where the database stood just after
    it, with no look; its own change is then no news, a later one is."""
    token = watcher.token()
    with live.numbers_taken() as numbers:
        leads.create_lead({"name": "Ada"})
    assert len(numbers) == (1 if isinstance(db, PostgresqlDatabase) else 0)
    after = watcher.token_after(numbers)
    assert after > token
    assert watcher.changed_since(after) == (False, after)
    thread = threading.Thread(target=leads.create_lead, args=({"name": "Grace"},))
    thread.start()
    thread.join()
    assert watcher.changed_since(after)[0]


def test_a_change_stands_when_its_announcement_fails_after_the_commit(db):
    if not isinstance(db, PostgresqlDatabase):
        pytest.skip("PostgreSQL announces a change after its commit")
    db.execute_sql(f"ALTER SEQUENCE {live.SEQUENCE} RENAME TO gone_for_now")
    try:
        lead = leads.create_lead({"name": "Ada"})  # committed; what follows it fails
    finally:
        db.execute_sql(f"ALTER SEQUENCE gone_for_now RENAME TO {live.SEQUENCE}")
    assert leads.get_lead(lead).name == "Ada"


def test_a_commit_that_fails_raises_with_the_announcement_that_followed_it(db):
    if not isinstance(db, PostgresqlDatabase):
        pytest.skip("the COMMIT and what follows it go in one round trip")
    db.execute_sql("CREATE TABLE held (x int UNIQUE DEFERRABLE INITIALLY DEFERRED)")
    with pytest.raises(IntegrityError), db.atomic():
        db.execute_sql("INSERT INTO held VALUES (1), (1)")  # refused only at the COMMIT
        live.announce_change(db)
    assert db.execute_sql("SELECT count(*) FROM held").fetchone() == (0,)
    token = live.ChangeWatcher(db).token()
    leads.create_lead({"name": "Ada"})  # the connection goes on as before
    assert leads.count_leads() == 1 and live.ChangeWatcher(db).token() > token
