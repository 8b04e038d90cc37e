"""The past from the command line: forecast --as-of, changes, undo/redo, history and
the Trash, run as a user runs them."""

import datetime as dt
import json
import sqlite3
import subprocess
import sys


def tui_crm(db_path, *argv, user="ann") -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "tui_crm", "--user", user, *argv, "--db",
                           str(db_path)], capture_output=True, text=True, timeout=60)


def test_as_of_prints_what_forecast_printed_then(tmp_path):
    db_path = tmp_path / "crm.db"
    assert tui_crm(db_path, "demo", "--deals", "200").returncode == 0
    then = json.loads(tui_crm(db_path, "forecast", "--json").stdout)
    moment = dt.datetime.now().isoformat(timespec="microseconds")
    con = sqlite3.connect(db_path)
    deal = con.execute("SELECT id FROM opportunity WHERE stage_id = 2 LIMIT 1").fetchone()[0]
    assert tui_crm(db_path, "stage", "edit", "Proposal", "--probability", "90").returncode == 0
    assert tui_crm(db_path, "activity", "add", "--deal", str(deal), "--subject", "x"
                   ).returncode == 0
    assert json.loads(tui_crm(db_path, "forecast", "--json").stdout) != then
    past = json.loads(tui_crm(db_path, "forecast", "--json", "--as-of", moment).stdout)
    assert past.pop("as_of") == moment[:19]
    assert past == then
    bad = tui_crm(db_path, "forecast", "--as-of", "yesterday-ish")
    assert bad.returncode == 1 and "not a date and time" in bad.stderr


def test_undo_redo_history_and_trash(tmp_path):
    db_path = tmp_path / "crm.db"
    assert tui_crm(db_path, "demo", "--deals", "20").returncode == 0
    con = sqlite3.connect(db_path)
    assert tui_crm(db_path, "activity", "add", "--deal", "3", "--subject", "Call").returncode == 0
    undone = tui_crm(db_path, "undo")
    assert undone.returncode == 0 and undone.stdout.startswith("Undid: added the activity")
    assert con.execute("SELECT COUNT(*) FROM activity WHERE subject = 'Call'").fetchone() == (0,)
    assert tui_crm(db_path, "redo").stdout.startswith("Redid: added the activity")
    assert con.execute("SELECT COUNT(*) FROM activity WHERE subject = 'Call'").fetchone() == (1,)
    nothing = tui_crm(db_path, "undo", user="bob")
    assert nothing.returncode == 1 and "Nothing to undo" in nothing.stderr
    history = json.loads(tui_crm(db_path, "history", "--json", "--limit", "5").stdout)
    assert {row["user"] for row in history} == {"ann"}
    assert tui_crm(db_path, "trash", "list").stdout == "The Trash is empty.\n"  # redo took it
    assert tui_crm(db_path, "undo").returncode == 0  # the activity goes to the Trash again
    waiting = json.loads(tui_crm(db_path, "trash", "list", "--json").stdout)
    assert [(t["entity"], t["name"], t["deleted_by"]) for t in waiting] == [
        ("activity", "Call", "ann")]
    restored = tui_crm(db_path, "trash", "restore", str(waiting[0]["id"]))
    assert restored.returncode == 0 and "Restored the activity 'Call'" in restored.stdout
    assert con.execute("SELECT COUNT(*) FROM activity WHERE subject = 'Call'").fetchone() == (1,)
    again = tui_crm(db_path, "trash", "restore", str(waiting[0]["id"]))
    assert again.returncode == 1 and "not in the Trash" in again.stderr
    emptied = tui_crm(db_path, "trash", "empty", "--older-than", "0")
    assert emptied.returncode == 0 and "Emptied 2 items" in emptied.stdout


def test_changes_add_up(tmp_path):
    db_path = tmp_path / "crm.db"
    assert tui_crm(db_path, "demo", "--deals", "300").returncode == 0
    since = dt.datetime.now().isoformat(timespec="microseconds")
    con = sqlite3.connect(db_path)
    ids = [row[0] for row in con.execute(
        "SELECT id FROM opportunity WHERE stage_id IN (1, 2, 3) LIMIT 3")]
    con.close()
    script = ("import sys; from tui_crm.core.db import open_database; "
              "from tui_crm.core import deals; open_database(sys.argv[1]); "
              f"deals.close_won({ids[0]}); deals.update_deal({ids[1]}, {{'amount': '1'}}); "
              f"deals.delete_deal({ids[2]})")
    assert subprocess.run([sys.executable, "-c", script, str(db_path)]).returncode == 0
    got = json.loads(tui_crm(db_path, "changes", "--since", since, "--json").stdout)
    total = sum(float(got[name]["amount"]) for name in
                ("start", "created", "pulled_in", "pushed_out", "amount_up", "amount_down",
                 "won", "lost", "deleted"))
    assert round(total, 2) == float(got["end"]["amount"])
    assert {deal["id"] for deal in got["deals"]} <= set(ids)
    text = tui_crm(db_path, "changes", "--since", since)
    assert text.returncode == 0 and "Start" in text.stdout and "End" in text.stdout
