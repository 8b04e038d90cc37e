"""`tui-crm activity add|done` and `tui-crm today`, run as a script or cron job runs them."""

import json
import sqlite3
import subprocess
import sys


def tui_crm(db_path, *argv) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "tui_crm", *argv, "--db", str(db_path)],
                          capture_output=True, text=True, timeout=60)


def test_add_log_and_finish_activities(tmp_path):
    db_path = tmp_path / "crm.db"
    assert tui_crm(db_path, "demo", "--deals", "30").returncode == 0
    con = sqlite3.connect(db_path)
    deal_id, customer = con.execute(
        "SELECT o.id, c.name FROM opportunity o JOIN customer c ON c.id = o.customer_id "
        "LIMIT 1").fetchone()
    added = tui_crm(db_path, "activity", "add", "--deal", str(deal_id), "--subject",
                    "Call [bold]back", "--kind", "call", "--due", "2026-12-20")
    assert added.returncode == 0, added.stderr
    assert "Call [bold]back" in added.stdout
    logged = tui_crm(db_path, "activity", "add", "--customer", customer, "--subject",
                     "Called: they want a discount", "--done")
    assert logged.returncode == 0, logged.stderr
    rows = con.execute("SELECT id, kind, subject, due_date, done_at IS NOT NULL, deal_id, "
                       "customer_id FROM activity ORDER BY id DESC LIMIT 2").fetchall()
    (log_id, _, _, _, log_done, _, log_customer), (plan_id, kind, subject, due, done, deal,
                                                    _) = rows
    assert (kind, subject, due, done, deal) == ("Call", "Call [bold]back", "2026-12-20", 0,
                                                deal_id)
    assert log_done == 1 and log_customer is not None
    finished = tui_crm(db_path, "activity", "done", str(plan_id))
    assert finished.returncode == 0, finished.stderr
    assert con.execute("SELECT done_at IS NOT NULL, done_by FROM activity WHERE id = ?",
                       (plan_id,)).fetchone()[0] == 1


def test_bad_activity_commands_are_one_line(tmp_path):
    db_path = tmp_path / "crm.db"
    assert tui_crm(db_path, "demo", "--deals", "5").returncode == 0
    for argv, words in [
        (("activity", "add", "--customer", "Nobody", "--subject", "x"), "No customer"),
        (("activity", "add", "--deal", "1", "--subject", "x", "--due", "2026-13-45"),
         "No such date"),
        (("activity", "add", "--deal", "1", "--subject", "  "), "Subject is required"),
        (("activity", "done", "424242"), "no longer exists"),
        (("activity", "add", "--subject", "x"), "one of the arguments"),
    ]:
        done = tui_crm(db_path, *argv)
        assert done.returncode != 0, argv
        assert words in done.stderr and len(done.stderr.strip().splitlines()) == 1, done.stderr


def test_today_lists_the_demo_queue(tmp_path):
    db_path = tmp_path / "crm.db"
    assert tui_crm(db_path, "demo", "--deals", "400").returncode == 0
    got = json.loads(tui_crm(db_path, "today", "--json").stdout)
    reasons = [item["reason"] for item in got]
    assert reasons == sorted(reasons, key=["overdue_activity", "due_today", "no_next_step",
                                           "rotting", "past_close_date",
                                           "no_close_date"].index)
    assert {"overdue_activity", "no_next_step", "rotting"} <= set(reasons)  # a real queue
    text = tui_crm(db_path, "today", "--limit", "5")
    assert text.returncode == 0 and text.stdout.startswith("Overdue")
