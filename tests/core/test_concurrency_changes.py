"""The change watcher: "has anything changed since token T?", cheaply, on both databases."""

from __future__ import annotations

import threading

import pytest

from tests.core.test_concurrency import start_child, wait_for
from tui_crm.core import leads
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
