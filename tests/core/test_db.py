import sqlite3
from pathlib import Path

import pytest

from tui_crm.core import db as dbmod
from tui_crm.core.db import (
    MIGRATIONS,
    default_path,
    open_database,
    resolve_url,
    schema_version,
    upgrade_schema,
)
from tui_crm.core.errors import DatabaseError
from tui_crm.core.models import Lead, Setting, Stage, StageTotal
from tui_crm.core.settings import get_settings


def migration_files() -> list[str]:
    return sorted(p.stem for p in MIGRATIONS.glob("[0-9][0-9][0-9][0-9]_*.py"))


def test_url_comes_from_the_argument_then_the_environment_then_the_data_dir(
        monkeypatch, tmp_path):
    monkeypatch.setenv("TUI_CRM_DB", str(tmp_path / "env.db"))
    assert resolve_url(str(tmp_path / "arg.db")) == str(tmp_path / "arg.db")
    assert resolve_url(None) == str(tmp_path / "env.db")
    monkeypatch.delenv("TUI_CRM_DB")
    assert resolve_url(None) == str(tmp_path / "xdg" / "tui-crm" / "crm.db")
    assert default_path() == tmp_path / "xdg" / "tui-crm" / "crm.db"


def test_default_database_is_created_in_the_data_dir(tmp_path):
    database = open_database()
    try:
        assert (tmp_path / "xdg" / "tui-crm" / "crm.db").is_file()
        assert Stage.select().count() == 5
    finally:
        database.close()


def test_environment_database_is_used(monkeypatch, tmp_path):
    monkeypatch.setenv("TUI_CRM_DB", str(tmp_path / "team.db"))
    open_database().close()
    assert (tmp_path / "team.db").is_file()
    assert not default_path().exists()


@pytest.mark.parametrize("form", ["plain", "sqlite_relative", "sqlite_absolute"])
def test_sqlite_url_forms(form, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    url, expected = {
        "plain": (str(tmp_path / "a.db"), tmp_path / "a.db"),
        "sqlite_relative": ("sqlite:///rel.db", tmp_path / "rel.db"),
        "sqlite_absolute": (f"sqlite:///{tmp_path}/abs.db", tmp_path / "abs.db"),
    }[form]
    open_database(url).close()
    assert expected.is_file()


def test_missing_parent_directories_are_made(tmp_path):
    open_database(str(tmp_path / "deep" / "er" / "crm.db")).close()
    assert (tmp_path / "deep" / "er" / "crm.db").is_file()


def test_migrations_build_the_schema_from_an_empty_database(db):
    assert set(db.get_tables()) >= {"stage", "lead", "customer", "opportunity", "stage_total",
                                    "change_log", "setting", "schema_migration"}
    stages = [(s.name, s.position, s.probability, s.kind)
              for s in Stage.select().order_by(Stage.position)]
    assert stages == [("Qualification", 1, 10, "open"), ("Proposal", 2, 40, "open"),
                      ("Negotiation", 3, 70, "open"), ("ClosedWon", 4, 100, "won"),
                      ("ClosedLost", 5, 0, "lost")]
    assert [(t.count, t.amount_cents) for t in StageTotal.select()] == [(0, 0)] * 5
    assert {s.key: s.value for s in Setting.select()} == {"amount_basis": "ARR",
                                                          "currency": "USD"}
    assert get_settings().basis_label == "annual recurring value"
    assert schema_version(db) == len(migration_files())
    assert upgrade_schema(db) == []  # nothing left to apply


def test_reopening_keeps_the_data(db_url):
    open_database(db_url)
    Lead.create(name="Ada")
    database = open_database(db_url)
    try:
        assert [lead.name for lead in Lead.select()] == ["Ada"]
        assert schema_version(database) == len(migration_files())
    finally:
        database.close()


def test_sqlite_runs_in_wal_with_foreign_keys(sqlite_db):
    assert sqlite_db.execute_sql("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert sqlite_db.execute_sql("PRAGMA foreign_keys").fetchone()[0] == 1
    assert sqlite_db.execute_sql("PRAGMA busy_timeout").fetchone()[0] >= 5000


@pytest.mark.parametrize("content", [b"name,amount\nAda,12\n", b"\x00\x01\x02garbage" * 100,
                                     b"SQLite form"])
def test_a_file_that_is_not_a_database_is_refused(tmp_path, content):
    path = tmp_path / "notes.db"
    path.write_bytes(content)
    with pytest.raises(DatabaseError, match="not a tui-crm database"):
        open_database(str(path))
    assert path.read_bytes() == content  # left untouched


def test_a_corrupt_sqlite_file_is_refused(tmp_path):
    path = tmp_path / "broken.db"
    path.write_bytes(b"SQLite format 3\x00" + b"\xff" * 4000)
    with pytest.raises(DatabaseError):
        open_database(str(path))


def test_a_directory_is_refused(tmp_path):
    with pytest.raises(DatabaseError, match="directory"):
        open_database(str(tmp_path))


def test_an_empty_file_becomes_a_database(tmp_path):
    path = tmp_path / "empty.db"
    path.touch()
    open_database(str(path)).close()
    assert path.stat().st_size > 0


def _foreign_table(url: str, tmp_path: Path) -> None:
    if dbmod.is_postgres(url):
        import psycopg

        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute("CREATE TABLE people (id serial PRIMARY KEY, name text)")
    else:
        with sqlite3.connect(url) as conn:
            conn.execute("CREATE TABLE people (id INTEGER PRIMARY KEY, name TEXT)")


def test_another_programs_database_is_refused(db_url, tmp_path):
    _foreign_table(db_url, tmp_path)
    with pytest.raises(DatabaseError, match="another program"):
        open_database(db_url)
    if not dbmod.is_postgres(db_url):
        with sqlite3.connect(db_url) as conn:  # and nothing was added to it
            tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master "
                                                 "WHERE type = 'table'")}
        assert tables == {"people"}


def test_a_database_from_a_newer_version_is_refused(db_url):
    database = open_database(db_url)
    database.execute_sql("INSERT INTO schema_migration (name, applied) VALUES (%s, %s)"
                         .replace("%s", database.param),
                         ("9999_from_the_future", "2030-01-01 00:00:00"))
    database.close()
    with pytest.raises(DatabaseError, match="newer version of tui-crm"):
        open_database(db_url)
