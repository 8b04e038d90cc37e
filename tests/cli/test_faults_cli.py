"""The command line meets real faults: one sentence naming the cause and what was (not)
written, exit status 1, no traceback (TUI_CRM_DEBUG=1 keeps it)."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys

import peewee
import pytest

from tests.faults import damage, fill
from tui_crm import cli
from tui_crm.core import leads
from tui_crm.core.db import open_database


def tui_crm(*args: str, debug: bool = False) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("TUI_CRM_DB", "TUI_CRM_DEBUG")}
    if debug:
        env["TUI_CRM_DEBUG"] = "1"
    return subprocess.run([sys.executable, "-m", "tui_crm", *args], capture_output=True,
                          text=True, env=env, timeout=120)


def one_sentence(done: subprocess.CompletedProcess, *words: str) -> str:
    """The command failed with one line on stderr holding ``words``, and no traceback."""
    assert done.returncode == 1, (done.stdout, done.stderr)
    assert done.stderr.startswith("tui-crm: ") and done.stderr.count("\n") == 1, done.stderr
    assert "Traceback" not in done.stderr and "unexpected error" not in done.stderr
    for word in words:
        assert word in done.stderr, done.stderr
    return done.stderr


def a_database(path, leads_in_it: int = 1) -> None:
    database = open_database(str(path))
    for number in range(leads_in_it):
        leads.create_lead({"name": f"Lead {number}", "notes": "x" * 300})
    database.close()


def lead_count(path) -> int:
    with sqlite3.connect(path) as conn:
        return conn.execute("SELECT COUNT(*) FROM lead").fetchone()[0]


def test_an_import_into_a_read_only_file(tmp_path, mounts):
    path = tmp_path / "crm.db"
    a_database(path)
    source = tmp_path / "leads.csv"
    source.write_text("name\nGrace Hopper\n")
    mounts.read_only(path)
    one_sentence(tui_crm("import", "leads", str(source), "--db", str(path)),
                 "read-only", "nothing was saved")
    debug = tui_crm("import", "leads", str(source), "--db", str(path), debug=True)
    assert debug.returncode == 1 and "Traceback" in debug.stderr, "TUI_CRM_DEBUG keeps it"
    mounts.writable(path)
    done = tui_crm("import", "leads", str(source), "--db", str(path))
    assert done.returncode == 0, done.stderr
    assert lead_count(path) == 2


def test_a_database_in_a_read_only_folder(tmp_path, mounts):
    folder = tmp_path / "data"
    folder.mkdir()
    a_database(folder / "crm.db")
    view = mounts.read_only(folder, tmp_path / "view")
    for command in (["forecast"], ["export", "leads", "-"], ["demo"]):
        one_sentence(tui_crm(*command, "--db", str(view / "crm.db")),
                     "its folder is read-only")


def test_a_full_disk_says_so_not_cannot_rollback(tmp_path, mounts):
    disk = mounts.tiny_disk(tmp_path / "disk", "1m")
    path = disk / "crm.db"
    a_database(path)
    source = tmp_path / "leads.csv"
    source.write_text("name,notes\n" + "".join(f"New {n},{'n' * 1000}\n" for n in range(50)))
    filler = fill(disk)
    # Not even opened: SQLite has no room for its -wal and -shm files.
    one_sentence(tui_crm("import", "leads", str(source), "--db", str(path)),
                 "the disk holding it is full", "nothing was saved")
    filler.unlink()
    holder = sqlite3.connect(path)  # someone else works on it: -wal and -shm exist
    holder.execute("SELECT COUNT(*) FROM lead").fetchone()
    filler = fill(disk)
    try:
        message = one_sentence(tui_crm("import", "leads", str(source), "--db", str(path)),
                               "disk holding the database is full", "nothing was saved")
    finally:
        holder.close()
    assert "rollback" not in message
    filler.unlink()
    assert lead_count(path) == 1, "nothing was written"
    done = tui_crm("import", "leads", str(source), "--db", str(path))
    assert done.returncode == 0, done.stderr
    assert lead_count(path) == 51


def test_a_damaged_database_points_to_the_last_backup(tmp_path):
    path = tmp_path / "crm.db"
    a_database(path, leads_in_it=300)
    damage(path)
    one_sentence(tui_crm("export", "leads", "-", "--db", str(path)), "damaged", "backup")


def test_a_database_under_a_file(tmp_path):
    (tmp_path / "notes.txt").write_text("not a folder")
    for command in (["demo"], ["import", "leads", str(tmp_path / "x.csv")]):
        one_sentence(tui_crm(*command, "--db", str(tmp_path / "notes.txt" / "crm.db")),
                     "notes.txt is a file, not a folder")


def test_a_new_database_is_announced_and_none_is_made_for_reading(tmp_path):
    done = tui_crm("demo", "--deals", "3", "--db", str(tmp_path / "new.db"))
    assert done.returncode == 0
    assert done.stderr == f"tui-crm: Created a new database at {tmp_path / 'new.db'}.\n"
    for command in (["forecast"], ["export", "leads"], ["backup", str(tmp_path / "b.db")]):
        one_sentence(tui_crm(*command, "--db", str(tmp_path / "typo" / "x.db")),
                     "There is no database at")
    assert not (tmp_path / "typo").exists()


@pytest.mark.parametrize("driver", ["psycopg", "psycopg2"])
def test_the_postgresql_connection_lost_mid_command(driver, own_postgres, monkeypatch, capsys):
    """On either driver: the app's (psycopg 3) and the quick commands' (psycopg2)."""
    if driver == "psycopg2":
        monkeypatch.setattr(peewee, "psycopg", None)  # as when tui_crm.__main__ skips it
    database = open_database(own_postgres.url)
    assert type(database.connection()).__module__.split(".")[0] == driver
    leads.create_lead({"name": "Ada Lovelace"})
    export = cli.cmd_export

    def server_stops_then_export(args):
        own_postgres.stop()  # after the database was opened, before it is read
        return export(args)

    monkeypatch.setattr(cli, "cmd_export", server_stops_then_export)
    code = cli.main(["export", "leads", "-", "--db", own_postgres.url])
    out, err = capsys.readouterr()
    assert code == 1
    assert err.count("\n") == 1 and "connection to the database server was lost" in err, err
    own_postgres.start()
    monkeypatch.setattr(cli, "cmd_export", export)
    assert cli.main(["export", "leads", "-", "--db", own_postgres.url]) == 0
    assert "Ada Lovelace" in capsys.readouterr().out
