"""Opening a database: from a URL, with safe settings, upgraded to the current schema."""

from __future__ import annotations

import functools
import os
import random
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import peewee
from peewee import Database, PostgresqlDatabase, SqliteDatabase
from platformdirs import user_data_path
from playhouse.migrations import Runner

from tui_crm.core import models
from tui_crm.core.errors import DatabaseError

MIGRATIONS = Path(__file__).with_name("migrations")
HISTORY_TABLE = "schema_migration"
ENV_VAR = "TUI_CRM_DB"
BUSY_TIMEOUT_S = 30
SQLITE_PRAGMAS = {
    "journal_mode": "wal",
    "foreign_keys": 1,
    "synchronous": "normal",
    "busy_timeout": BUSY_TIMEOUT_S * 1000,
}
_SQLITE_MAGIC = b"SQLite format 3\x00"

T = TypeVar("T")


def default_path() -> Path:
    """The SQLite file used when neither ``--db`` nor TUI_CRM_DB names one."""
    return user_data_path("tui-crm", appauthor=False) / "crm.db"


def resolve_url(arg: str | None = None) -> str:
    """The database URL to use: ``--db``, else TUI_CRM_DB, else the default file."""
    return arg or os.environ.get(ENV_VAR) or str(default_path())


def is_postgres(url: str) -> bool:
    return url.startswith(("postgres://", "postgresql://"))


def sqlite_path(url: str) -> Path:
    if url.startswith("sqlite:///"):
        return Path(url.removeprefix("sqlite:///"))
    if url.startswith("sqlite://"):
        return Path(url.removeprefix("sqlite://"))
    return Path(url).expanduser()


def open_database(url: str | None = None) -> Database:
    """Open (creating if needed) the database at ``url`` and bind the models to it.

    The schema is brought up to date. Raises DatabaseError with one clear sentence
    when the target is not a tui-crm database or was made by a newer version.
    """
    url = resolve_url(url)
    database = _connect_postgres(url) if is_postgres(url) else _connect_sqlite(sqlite_path(url))
    models.db.initialize(database)
    try:
        upgrade_schema(database)
    except DatabaseError:
        database.close()
        raise
    return database


def _connect_sqlite(path: Path) -> SqliteDatabase:
    if path.exists():
        if path.is_dir():
            raise DatabaseError(f"{path} is a directory, not a tui-crm database.")
        with path.open("rb") as handle:
            head = handle.read(len(_SQLITE_MAGIC))
        if head and head != _SQLITE_MAGIC:
            raise DatabaseError(f"{path} is not a tui-crm database (it is not a SQLite file).")
    else:
        path.parent.mkdir(parents=True, exist_ok=True)
    database = SqliteDatabase(
        str(path), pragmas=SQLITE_PRAGMAS, timeout=BUSY_TIMEOUT_S, lock_type="IMMEDIATE"
    )
    try:
        database.connect()
    except peewee.DatabaseError as exc:
        raise DatabaseError(f"{path} cannot be opened as a database: {exc}.") from exc
    return database


def _connect_postgres(url: str) -> PostgresqlDatabase:
    # Imported here: db_url loads every backend peewee has, which SQLite runs never need.
    from playhouse.db_url import connect as connect_url

    database = connect_url(url)
    try:
        database.connect()
    except peewee.DatabaseError as exc:
        first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise DatabaseError(f"Cannot connect to PostgreSQL: {first_line}") from exc
    return database


def upgrade_schema(database: Database) -> list[str]:
    """Apply pending migrations; refuse databases this version cannot understand."""
    try:
        tables = set(database.get_tables())
    except peewee.DatabaseError as exc:
        raise DatabaseError("The file is not a tui-crm database (it is not a SQLite file).") \
            from exc
    if tables and HISTORY_TABLE not in tables:
        raise DatabaseError("The database belongs to another program: it is not a tui-crm "
                            "database.")
    runner = Runner(database, str(MIGRATIONS), table_name=HISTORY_TABLE)
    known = {migration.name for migration in runner.migrations()}
    unknown = set(runner.applied()) - known
    if unknown:
        raise DatabaseError("The database was made by a newer version of tui-crm; "
                            "upgrade tui-crm to open it.")
    with _schema_lock(database):
        return runner.up()


class _schema_lock:
    """Serialise schema upgrades between processes opening a database together."""

    def __init__(self, database: Database):
        self.database = database

    def __enter__(self):
        if isinstance(self.database, PostgresqlDatabase):
            self.database.execute_sql("SELECT pg_advisory_lock(7213)")
        return self

    def __exit__(self, *exc):
        if isinstance(self.database, PostgresqlDatabase):
            self.database.execute_sql("SELECT pg_advisory_unlock(7213)")
        return False


def schema_version(database: Database) -> int:
    """How many migrations the database has applied."""
    runner = Runner(database, str(MIGRATIONS), table_name=HISTORY_TABLE)
    return len(runner.applied())


def _is_busy(exc: Exception) -> bool:
    text = str(exc).lower()
    return "locked" in text or "busy" in text or "could not serialize" in text \
        or "deadlock" in text


def write(fn: Callable[..., T]) -> Callable[..., T]:
    """Run ``fn`` as one write transaction, retrying when the database is busy.

    On SQLite the transaction begins IMMEDIATE, so it holds the write lock from the
    start and never fails half-way on a lock. A nested call joins the outer one.
    """

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        database = models.db.obj
        if database.in_transaction():
            return fn(*args, **kwargs)
        delay = 0.02
        for attempt in range(12):
            try:
                with database.atomic():
                    return fn(*args, **kwargs)
            except peewee.OperationalError as exc:
                if not _is_busy(exc) or attempt == 11:
                    raise
            time.sleep(delay + random.random() * delay)
            delay = min(delay * 2, 1.0)
        raise AssertionError("unreachable")  # pragma: no cover

    return wrapper
