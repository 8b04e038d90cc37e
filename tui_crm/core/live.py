"""Has anything changed since I last looked? The cheap question live screens ask.

SQLite: ``PRAGMA data_version`` read on a connection of the watcher's own. It
changes whenever another connection commits, and since the watcher's connection
never writes, that is every commit: other processes', and this process's from any
thread. PostgreSQL: every write transaction takes the next number of the
``change_counter`` sequence once it has committed (``announce_change``, called by
``db.write``; sent with the COMMIT, in its round trip); the watcher reads the
sequence's last value. A sequence takes no row lock, so writers never queue behind
each other for it. The number a write took also tells the app where the database
stood just after its own change (``numbers_taken``, ``token_after``), with no look.

A token is ``(epoch, value)``: the epoch grows whenever the watcher had to
reconnect, so a token from before a reconnect always counts as "changed". The tokens
of one watcher only grow (both counters do), so of two tokens the later is the larger.
"""

from __future__ import annotations

import contextlib
import sqlite3
import threading
from collections.abc import Iterator

from peewee import Database, PostgresqlDatabase, SqliteDatabase

from tui_crm.core.errors import DatabaseError

SEQUENCE = "change_counter"
Token = tuple[int, int]


_taken = threading.local()  # .numbers: where this thread's writes are collected


def announce_change(database: Database) -> None:
    """Tell watchers of ``database`` about the change this thread's transaction is
    making: called inside it; on PostgreSQL the sequence's next number is taken once
    it has committed (taken before, a watcher could look before the change shows)."""
    if not isinstance(database, PostgresqlDatabase):
        return
    statement = f"SELECT nextval('{SEQUENCE}')"
    after_commit_sql = getattr(database, "after_commit_sql", None)
    if after_commit_sql is not None:  # core.db's: in the COMMIT's round trip
        after_commit_sql(statement, _took)
    else:
        database.after_commit(lambda: _took(database.execute_sql(statement).fetchone()))


def _took(row: tuple | None) -> None:
    numbers = getattr(_taken, "numbers", None)
    if numbers is not None and row is not None:
        numbers.append(int(row[0]))


@contextlib.contextmanager
def numbers_taken() -> Iterator[list[int]]:
    """Collects the numbers that this thread's writes take while within (none on
    SQLite): the last of them is where the database stood just after them."""
    outer = getattr(_taken, "numbers", None)
    _taken.numbers = numbers = []
    try:
        yield numbers
    finally:
        _taken.numbers = outer
        if outer is not None:
            outer.extend(numbers)


class ChangeWatcher:
    """Answers "has anything changed since token T?" with one tiny query.

    Safe to call from any thread (one call at a time is served); holds one
    connection of its own, opened on first use.
    """

    def __init__(self, database: Database):
        if not isinstance(database, (SqliteDatabase, PostgresqlDatabase)):
            raise DatabaseError(f"Cannot watch a {type(database).__name__} for changes.")
        self._database = database
        self._lock = threading.Lock()
        self._conn = None
        self._epoch = 0

    def token(self) -> Token:
        """Where the database is now."""
        with self._lock:
            try:
                if self._conn is None:
                    self._conn = self._connect()
                    self._epoch += 1
                return self._epoch, self._read()
            except Exception as exc:  # noqa: BLE001 - any failure: reconnect next time
                self._drop()
                raise DatabaseError(f"Cannot check the database for changes: {exc}") from exc

    def token_after(self, numbers: list[int]) -> Token:
        """Where the database stood just after this thread's writes that took
        ``numbers`` (``numbers_taken``): no query when it can say (PostgreSQL, the
        watcher connected); else where it is now. Writes of others that took a higher
        number since are changes still to see."""
        with self._lock:
            if numbers and self._conn is not None and not isinstance(
                    self._conn, sqlite3.Connection):
                return self._epoch, max(numbers)
        return self.token()

    def changed_since(self, token: Token | None) -> tuple[bool, Token]:
        """Whether anything was committed since ``token``, and the token for now."""
        now = self.token()
        return now != token, now

    def close(self) -> None:
        with self._lock:
            self._drop()

    def _connect(self):
        if isinstance(self._database, SqliteDatabase):
            return sqlite3.connect(self._database.database, isolation_level=None,
                                   check_same_thread=False)
        # As the database opens its own (in autocommit), with its driver: psycopg2 or
        # psycopg 3, whichever it uses now (core.drivers.load_full_driver).
        return self._database._connect()

    def _read(self) -> int:
        if isinstance(self._conn, sqlite3.Connection):
            return self._conn.execute("PRAGMA data_version").fetchone()[0]
        # A sequence never used yet says last_value = 1 as well: count it as 0.
        with self._conn.cursor() as cursor:  # psycopg2's or psycopg 3's
            cursor.execute(f"SELECT CASE WHEN is_called THEN last_value ELSE 0 END "
                           f"FROM {SEQUENCE}")
            row = cursor.fetchone()
        return int(row[0])

    def _drop(self) -> None:
        if self._conn is not None:
            try:
                self._conn.close()
            except Exception:  # noqa: BLE001 - a broken connection is closed anyway
                pass
            self._conn = None


def watch_open_database() -> ChangeWatcher | None:
    """A watcher of the database the models are bound to; None when none is open or
    it cannot be watched (live screens then simply stay as they are)."""
    from tui_crm.core import models

    if models.db.obj is None:
        return None
    try:
        return ChangeWatcher(models.db.obj)
    except DatabaseError:
        return None
