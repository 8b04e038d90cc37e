"""Files the command line writes: export and backup never lose a database, and
nothing the app creates is readable by more people than the database it holds."""

from __future__ import annotations

import csv
import io
import os
import sqlite3
import stat
import subprocess

import pytest

from tui_crm.cli import main
from tui_crm.core import customers, deals
from tui_crm.core.db import open_database


def run(capsys, *argv):
    try:
        code = main(list(argv))
    except SystemExit as exc:
        code = exc.code
    out, err = capsys.readouterr()
    return code, out, err


def mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


@pytest.fixture
def usual_umask():
    old = os.umask(0o022)
    yield
    os.umask(old)


def customers_in(path) -> int:
    with sqlite3.connect(path) as conn:
        return conn.execute("SELECT COUNT(*) FROM customer").fetchone()[0]


def test_export_refuses_an_existing_file_unless_forced(db_url, tmp_path, capsys):
    open_database(db_url)
    customers.create_customer({"name": "Acme"})
    target = tmp_path / "out.csv"
    target.write_text("precious\n")
    code, out, err = run(capsys, "export", "customers", str(target), "--db", db_url)
    assert (code, out) == (1, "")
    assert err == f"tui-crm: {target} already exists; choose another name, or --force to " \
                  "replace it.\n"
    assert target.read_text() == "precious\n"
    code, out, err = run(capsys, "export", "customers", str(target), "--force", "--db", db_url)
    assert (code, err) == (0, "")
    assert next(csv.DictReader(io.StringIO(target.read_text())))["name"] == "Acme"
    assert sorted(p.name for p in tmp_path.iterdir() if "out" in p.name) == ["out.csv"]


@pytest.mark.parametrize("suffix", ["", "-wal", "-shm", "-journal"])
def test_export_never_writes_over_the_database_or_its_side_files(tmp_path, capsys, suffix):
    path = tmp_path / "victim.db"
    open_database(str(path))
    customers.create_customer({"name": "Acme"})
    target = tmp_path / f"victim.db{suffix}"
    existed = target.exists()
    code, out, err = run(capsys, "export", "leads", str(target), "--force", "--db", str(path))
    assert (code, out) == (1, "")
    assert "database" in err and "choose another" in err
    assert target.exists() == existed
    assert not existed or not target.read_bytes().startswith(b"id,")
    assert customers_in(path) == 1


def test_export_never_writes_over_another_database(tmp_path, capsys):
    other = tmp_path / "other.db"
    open_database(str(other))
    customers.create_customer({"name": "Kept"})
    db = tmp_path / "crm.db"
    open_database(str(db))
    code, _, err = run(capsys, "export", "leads", str(other), "--force", "--db", str(db))
    assert code == 1
    assert err == f"tui-crm: {other} is a database; it is never written over. Choose " \
                  "another name.\n"
    assert customers_in(other) == 1


@pytest.fixture
def small_disk(tmp_path):
    """A 64 KiB file system: full after a few hundred lines."""
    if os.geteuid() != 0:
        pytest.skip("mounting a small file system needs root (CI runs as root)")
    folder = tmp_path / "small"
    folder.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(folder)],
                   check=True)
    yield folder
    subprocess.run(["umount", str(folder)], check=True)


def test_a_full_disk_leaves_the_old_export_whole(tmp_path, capsys, small_disk):
    path = tmp_path / "crm.db"
    source = tmp_path / "many.csv"
    source.write_text("name,notes\n" + "".join(f"Customer {i},{'n' * 60}\n"
                                               for i in range(2_000)))
    assert run(capsys, "import", "customers", str(source), "--db", str(path))[0] == 0
    target = small_disk / "out.csv"
    target.write_text("old export\n")
    code, out, err = run(capsys, "export", "customers", str(target), "--force",
                         "--db", str(path))
    assert (code, out) == (1, "")
    assert err == f"tui-crm: Cannot write {target}: No space left on device; out.csv " \
                  "was left as it was.\n"
    assert target.read_text() == "old export\n"
    assert [p.name for p in small_disk.iterdir()] == ["out.csv"]


def test_backup_refuses_the_write_ahead_log_and_other_side_files(tmp_path, capsys):
    path = tmp_path / "w.db"
    open_database(str(path))
    customers.create_customer({"name": "Acme"})
    wal = tmp_path / "w.db-wal"
    before = wal.read_bytes()
    code, out, err = run(capsys, "backup", str(wal), "--force", "--db", str(path))
    assert (code, out) == (1, "")
    assert err == f"tui-crm: {wal} is part of the database; choose another destination.\n"
    assert wal.read_bytes() == before
    elsewhere = tmp_path / "copy.db-journal"
    code, _, err = run(capsys, "backup", str(elsewhere), "--db", str(path))
    assert code == 1 and "named like a file SQLite keeps beside a database" in err
    assert not elsewhere.exists()
    assert customers_in(path) == 1


def test_new_data_folders_and_databases_are_private(tmp_path, capsys, usual_umask,
                                                    monkeypatch):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "home" / "share"))
    code, _, _ = run(capsys, "demo", "--deals", "5")
    assert code == 0
    data = tmp_path / "home" / "share" / "tui-crm"
    assert mode(tmp_path / "home") == 0o700
    assert mode(tmp_path / "home" / "share") == 0o700
    assert mode(data) == 0o700
    files = sorted(p.name for p in data.iterdir())
    assert "crm.db" in files
    assert {name: mode(data / name) for name in files} == dict.fromkeys(files, 0o600)


def test_a_setgid_folder_keeps_sharing_with_its_group(tmp_path, capsys, usual_umask):
    team = tmp_path / "team"
    team.mkdir()
    team.chmod(0o2775)
    db = team / "crm" / "crm.db"
    assert run(capsys, "demo", "--deals", "5", "--db", str(db))[0] == 0
    assert mode(db.parent) & 0o2070 == 0o2070
    assert mode(db) == 0o664


def test_backup_and_export_are_no_more_readable_than_the_database(tmp_path, capsys,
                                                                  usual_umask):
    db = tmp_path / "crm.db"
    open_database(str(db))
    customer = customers.create_customer({"name": "Acme"})
    deals.create_deal({"name": "Big", "amount": "10", "customer_id": customer})
    assert mode(db) == 0o600
    backup, export = tmp_path / "backup.db", tmp_path / "deals.csv"
    assert run(capsys, "backup", str(backup), "--db", str(db))[0] == 0
    assert run(capsys, "export", "opportunities", str(export), "--db", str(db))[0] == 0
    assert (mode(backup), mode(export)) == (0o600, 0o600)
    db.chmod(0o640)  # shared with a group by hand: copies may be, no more
    assert run(capsys, "backup", str(backup), "--force", "--db", str(db))[0] == 0
    assert run(capsys, "export", "leads", str(export), "--force", "--db", str(db))[0] == 0
    assert (mode(backup), mode(export)) == (0o640, 0o640)
    assert customers_in(backup) == 1


def test_export_to_a_pipe_or_device_writes_straight_into_it(tmp_path, capsys):
    db = tmp_path / "crm.db"
    open_database(str(db))
    customers.create_customer({"name": "Acme"})
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    reader = subprocess.Popen(["cat", str(fifo)], stdout=subprocess.PIPE, text=True)
    code, out, err = run(capsys, "export", "customers", str(fifo), "--db", str(db))
    assert (code, err) == (0, "")
    assert reader.communicate(timeout=30)[0].splitlines()[1].split(",")[1] == "Acme"
    assert run(capsys, "export", "customers", "/dev/null", "--db", str(db))[0] == 0
    code, _, err = run(capsys, "backup", "/dev/null", "--force", "--db", str(db))
    assert code == 1 and "/dev/null is not a file" in err
    assert sorted(p.name for p in tmp_path.iterdir() if not p.name.startswith("crm.db")) == \
        ["pipe"]


def test_an_export_is_private_on_either_database(db_url, tmp_path, capsys, usual_umask):
    open_database(db_url)
    customers.create_customer({"name": "Acme"})
    target = tmp_path / "customers.csv"
    assert run(capsys, "export", "customers", str(target), "--db", db_url)[0] == 0
    assert mode(target) == 0o600
