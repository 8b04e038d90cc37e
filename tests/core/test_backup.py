import sqlite3
import threading

import pytest

from tui_crm.core import customers, deals, demo
from tui_crm.core.backup import backup_database
from tui_crm.core.db import is_postgres, open_database, schema_version
from tui_crm.core.errors import CrmError
from tui_crm.core.models import Opportunity


def consistent(path) -> tuple[int, int]:
    """Integrity of a copy, and that its running totals match its deals."""
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
        deal_count, cents = conn.execute(
            "SELECT COUNT(*), COALESCE(SUM(amount_cents), 0) FROM opportunity").fetchone()
        kept = conn.execute("SELECT SUM(count), SUM(amount_cents) FROM stage_total").fetchone()
    assert kept == (deal_count, cents)
    return deal_count, cents


def test_backup_while_another_thread_writes(sqlite_db, tmp_path):
    demo.load_demo(deals=5000, seed=1)
    acme = customers.create_customer({"name": "Acme"})
    started, stop = threading.Event(), threading.Event()
    written = []
    failures = []

    def writer():
        try:
            while not stop.is_set():
                written.append(deals.create_deal({"name": "W", "amount": "10",
                                                  "customer_id": acme}))
                started.set()
        except Exception as exc:  # reported by the test below
            failures.append(exc)
            started.set()
        finally:
            sqlite_db.close()  # this thread's connection

    thread = threading.Thread(target=writer)
    thread.start()
    started.wait()
    try:
        copies = [backup_database(tmp_path / f"copy{i}.db") for i in range(3)]
    finally:
        stop.set()
        thread.join()
    assert not failures
    counts = [consistent(copy.path)[0] for copy in copies]
    assert 5000 < counts[0] <= counts[1] <= counts[2] <= 5000 + len(written)
    assert Opportunity.select().count() == 5000 + len(written)
    database = open_database(str(copies[-1].path))  # a working tui-crm database
    assert schema_version(database) > 0 and Opportunity.select().count() == counts[-1]


def test_backup_into_a_folder_and_over_an_existing_file(sqlite_db, tmp_path):
    customers.create_customer({"name": "Acme"})
    folder = tmp_path / "backups"
    folder.mkdir()
    result = backup_database(folder)
    assert result.path.parent == folder and result.path.name.startswith("crm-")
    assert result.size == result.path.stat().st_size > 0
    with pytest.raises(CrmError, match="already exists.*--force"):
        backup_database(result.path)
    customers.create_customer({"name": "Beta"})
    backup_database(result.path, overwrite=True)
    with sqlite3.connect(result.path) as conn:
        assert conn.execute("SELECT COUNT(*) FROM customer").fetchone()[0] == 2
    assert [p.name for p in folder.iterdir()] == [result.path.name]  # no partial left


def test_backup_refuses_the_database_itself_and_missing_folders(sqlite_db, tmp_path):
    with pytest.raises(CrmError, match="is the database itself"):
        backup_database(tmp_path / "crm.db", overwrite=True)
    with pytest.raises(CrmError, match="does not exist"):
        backup_database(tmp_path / "no" / "such" / "x.db")


def test_postgresql_points_to_pg_dump(db, db_url, tmp_path):
    if not is_postgres(db_url):
        pytest.skip("about PostgreSQL")
    with pytest.raises(CrmError, match="pg_dump"):
        backup_database(tmp_path / "x.db")
    assert not (tmp_path / "x.db").exists()
