"""Opening a database: from a URL, with safe settings, upgraded to the current schema."""

from __future__ import annotations

import contextlib
import functools
import os
import random
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

import peewee
from peewee import Database, PostgresqlDatabase, SqliteDatabase

from tui_crm.core import changelog, faults, live, models
from tui_crm.core.errors import CrmError, DatabaseError
from tui_crm.core.files import create_database_file, make_folders

if TYPE_CHECKING:
    from playhouse.migrations import Runner

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
    from platformdirs import user_data_path

    return user_data_path("tui-crm", appauthor=False) / "crm.db"


def resolve_url(arg: str | None = None) -> str:
    """The database URL to use: ``--db``, else TUI_CRM_DB, else the default file."""
    return arg or os.environ.get(ENV_VAR) or str(default_path())


def is_postgres(url: str) -> bool:
    return url.startswith(("postgres://", "postgresql://"))


def url_secrets(url: str) -> list[str]:
    """The passwords a database URL holds (in its user part or a ``password=``
    parameter), as typed and decoded: never to be shown or printed."""
    if not is_postgres(url):
        return []
    from urllib.parse import parse_qsl, unquote, urlsplit

    parts = urlsplit(url)
    found = [parts.password or ""]
    found += [value for key, value in parse_qsl(parts.query) if key == "password"]
    return sorted({form for secret in found if secret for form in (secret, unquote(secret))},
                  key=len, reverse=True)


def hide_secrets(text: str, url: str) -> str:
    """``text`` with the URL's passwords replaced by ``***``."""
    for secret in url_secrets(url):
        text = text.replace(secret, "***")
    return text


def display_url(url: str) -> str:
    """The database URL as it may be shown: the password, if any, as ``***``."""
    return hide_secrets(url, url)


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
        _make_folder(path)
        create_shared_file(path)
    database = SqliteDatabase(
        str(path), pragmas=SQLITE_PRAGMAS, timeout=BUSY_TIMEOUT_S, lock_type="IMMEDIATE"
    )
    for last in _attempts():
        try:
            database.connect()
            return database
        except peewee.DatabaseError as exc:
            # Turning a new file to WAL fails at once, without waiting, while
            # another process is doing the same: try again.
            if not is_busy(exc) or last:
                raise DatabaseError(_cannot_open(path, exc)) from exc
    raise AssertionError("unreachable")  # pragma: no cover


def _make_folder(path: Path) -> None:
    """The folder a new database file goes in; a clear sentence when it cannot be."""
    blocker = next((parent for parent in path.parents
                    if parent.exists() and not parent.is_dir()), None)
    if blocker is not None:
        raise DatabaseError(f"Cannot create a database at {path}: {blocker} is a file, "
                            "not a folder.")
    try:
        make_folders(path.parent)
    except (FileExistsError, NotADirectoryError) as exc:
        raise DatabaseError(f"Cannot create a database at {path}: a part of its path is "
                            "a file, not a folder.") from exc
    except OSError as exc:
        raise DatabaseError(f"Cannot create the folder {path.parent}: "
                            f"{exc.strerror or exc}.") from exc


def _cannot_open(path: Path, exc: BaseException) -> str:
    if _disk_full(path.parent):
        return (f"{path} cannot be opened: the disk holding it is full (SQLite needs room "
                "beside the database for its -wal and -shm files); nothing was saved, free "
                "some space, then try again.")
    if not os.access(path.parent, os.W_OK) or _read_only_mount(path.parent):
        return (f"{path} cannot be opened: its folder is read-only, and SQLite needs to "
                "write beside the database (its -wal and -shm files). Make the folder "
                "writable, or copy the database to a folder that is.")
    return f"{path} cannot be opened as a database: {faults.explain(exc)}"


def _disk_full(folder: Path) -> bool:
    try:
        return os.statvfs(folder).f_bavail == 0
    except OSError:
        return False


def _read_only_mount(folder: Path) -> bool:
    try:
        return bool(os.statvfs(folder).f_flag & os.ST_RDONLY)
    except OSError:
        return False


def create_shared_file(path: Path) -> None:
    """Create an empty database file: private (0600), or group-writable when its
    directory is a shared (setgid) one, whatever the creator's umask (core.files)."""
    try:
        create_database_file(path)
    except OSError as exc:
        raise DatabaseError(f"Cannot create {path}: {exc.strerror}.") from exc


# psycopg 3 prepares a statement on the server once it has run this many times on a
# connection: what a screen or a move repeats is parsed and planned once, not each time.
PREPARE_THRESHOLD = 1


def _driver_options() -> dict:
    """psycopg 3 when it is loaded, else psycopg2: a command that runs and exits loads
    only that one, and the app draws its first screen through it (``core.drivers``
    then brings psycopg 3; see ``tui_crm.__main__``)."""
    if peewee.psycopg is not None:
        return {"prefer_psycopg3": True}
    return {}


class Psycopg3Adapter(peewee.Psycopg3Adapter):
    """Peewee's psycopg 3 adapter, with prepared statements on every connection, and
    working with a psycopg loaded after peewee (peewee binds only a driver it found
    when it was imported)."""

    def __init__(self):
        import psycopg
        from psycopg.pq import TransactionStatus
        from psycopg.types.json import Json, Jsonb

        super().__init__()
        self.driver = psycopg
        self.connection_type = psycopg.Connection
        self.txn_idle = TransactionStatus.IDLE
        self.txn_intrans = TransactionStatus.INTRANS
        self.txn_inerror = TransactionStatus.INERROR
        self.txn_unknown = TransactionStatus.UNKNOWN
        self.json_type, self.jsonb_type = Json, Jsonb

    def check_driver(self):
        pass  # loaded when this was made

    def get_binary_type(self):
        return self.driver.Binary

    def connect(self, db, **params):
        params.setdefault("prepare_threshold", PREPARE_THRESHOLD)
        if db._encoding:
            params.setdefault("client_encoding", db._encoding)
        target = db.database
        params.setdefault("conninfo" if target.startswith("postgresql://") else "dbname", target)
        return self.driver.connect(**params)

    def server_side_cursor(self, conn):
        in_transaction = self.txn_status(conn) == self.txn_intrans
        return conn.cursor(name=str(uuid.uuid1()), withhold=not in_transaction)


def _connect_postgres(url: str) -> PostgresqlDatabase:
    # The URL goes to libpq as it is (it takes postgres:// and postgresql:// URIs with
    # their parameters): no parsing here, and no loading of peewee's db_url, which
    # imports every backend it knows.
    uri = "postgresql://" + url.removeprefix("postgres://") if url.startswith("postgres://") \
        else url
    database = ReconnectingPostgres(uri, **_driver_options())
    try:
        database.connect()
    except peewee.DatabaseError as exc:
        first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise DatabaseError(f"Cannot connect to PostgreSQL: {first_line}") from exc
    return database


BEGIN = "BEGIN"


class ReconnectingPostgres(PostgresqlDatabase):
    """PostgreSQL that opens a new connection when the old one was lost (the server
    restarted, a network cut) and runs the statement again, but only outside a
    transaction: inside one, what it had written is gone with the connection, so the
    error stands (``write`` says nothing was saved) and the next statement reconnects.

    It also spares round trips, which count most when the server is across a network
    (psycopg 3's pipeline). What needs no answer is held and sent with the next
    statement that does, in one round trip: a transaction's BEGIN, and the writes
    whose results nobody reads (``send_later``). Its COMMIT goes with them and with the
    statements that must follow it (``after_commit_sql``).
    """

    psycopg3_adapter = Psycopg3Adapter

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Per thread: .held, what waits for the next round trip: (sql, params);
        # .after, what follows the COMMIT: (sql, then).
        self.pending = threading.local()

    # -- the driver: psycopg2's for the first screen, then psycopg 3's ---------------

    @property
    def _adapter(self):
        """Peewee's driver adapter: the one of this thread's connection, which may
        still be psycopg2's (``use_driver``); else the newest."""
        newest, earlier = self.adapters
        if earlier is not None and self._on_earlier_driver(newest):
            return earlier
        return newest

    @_adapter.setter
    def _adapter(self, adapter):  # peewee's choice, when the database is made
        self.adapters = (adapter, None)

    @property
    def adapter(self):
        """The adapter of the newest driver: the one new connections use."""
        return self.adapters[0]

    def use_driver(self, adapter: Psycopg3Adapter) -> None:
        """New connections use ``adapter``'s driver; each thread's connection moves to
        it at the thread's next statement outside a transaction."""
        self.adapters = (adapter, self.adapters[0])  # at once: other threads read it

    def _on_earlier_driver(self, newest) -> bool:
        conn = self._state.conn
        return conn is not None and not isinstance(conn, newest.connection_type)

    def _connect(self):
        """Peewee's, with the newest driver whichever this thread had before."""
        adapter = self.adapter
        adapter.check_driver()
        conn = adapter.connect(self, **self.connect_params)
        conn.autocommit = True
        return conn

    def move_to_newest_driver(self, conn=None) -> None:
        """A connection of the newest driver for this thread (``conn``, opened for it
        in another thread, or a new one), unless the server holds a transaction of its
        connection. The earlier connection is left to the cursors still reading it
        (peewee reads rows as they are iterated), and closed with them. Should the new
        one not open, the statement goes on the earlier one."""
        newest, earlier = self.adapters
        if earlier is None or not self._on_earlier_driver(newest) \
                or self._sent_in_transaction():
            if conn is not None:
                _close_quietly(conn)
            return
        conn = conn or self.spare_connection()
        if conn is not None:
            self._state.conn = conn

    def spare_connection(self):
        """A new connection of the newest driver, not this thread's; None when it
        cannot be opened (the fault is met by the statement, if it lasts)."""
        try:
            conn = self._connect()
            self._initialize_connection(conn)
        except Exception:  # noqa: BLE001 - any failure: the earlier connection goes on
            return None
        return conn

    def round_trip(self) -> float:
        """Seconds a round trip to the server takes now: the quicker of two."""
        times = []
        for _ in range(2):
            start = time.perf_counter()
            self.execute_sql("SELECT 1").fetchone()
            times.append(time.perf_counter() - start)
        return min(times)

    # -- statements ----------------------------------------------------------------

    def execute_sql(self, sql, params=None, *args, **kwargs):
        if getattr(self.pending, "sending", False):  # one of ``read_together``'s
            return PostgresqlDatabase.execute_sql(self, sql, params, *args, **kwargs)
        self.move_to_newest_driver()
        held = self._take_held()
        if held:
            return self._send(held, lambda: PostgresqlDatabase.execute_sql(self, sql, params))
        return self._again(super().execute_sql, sql, params, *args, **kwargs)

    def read_together(self, queries: Sequence) -> list[list]:
        """The rows of each SELECT of ``queries``, all sent in one round trip (with what
        this thread holds for its transaction). A connection found lost is opened
        again and they are all sent again, as for one statement."""
        def send() -> list:
            self.pending.sending = True
            try:  # each a copy: a query sent again must not keep the lost rows
                return [query.clone().execute(self) for query in queries]
            finally:
                self.pending.sending = False

        self.move_to_newest_driver()
        held = self._take_held()
        results = self._send(held, send) if held else self._again(self._send_once, [], send)
        return [list(result) for result in results]

    def begin(self, *args, **kwargs):
        if args or kwargs:  # an isolation level: as peewee sends it
            return self._again(super().begin, *args, **kwargs)
        if self.is_closed():
            self.connect()  # now: connecting inside the transaction would forget it
        else:
            self.move_to_newest_driver()
        self.pending.held = [(BEGIN, None)]  # sent with the first statement
        return None

    def send_later(self, sql: str, params=None) -> None:
        """Run ``sql``, a write whose result nobody reads, with this transaction's next
        statement or its COMMIT, in their round trip (its error, if any, is theirs)."""
        self.pending.held = [*getattr(self.pending, "held", ()), (sql, params)]

    def after_commit_sql(self, sql: str, then: Callable[[tuple | None], object]) -> None:
        """Run ``sql`` once this thread's transaction has committed, in the round trip
        of its COMMIT, and give ``then`` its first row. Should it fail after the commit
        (the connection lost just then), the change stands and ``then`` is not called."""
        self.pending.after = [*getattr(self.pending, "after", ()), (sql, then)]

    def commit(self):
        held, after = self._take_held(), self._take_after()
        if held == [(BEGIN, None)]:
            held = []  # nothing was sent: nothing to commit
        committing = bool(held) or self._sent_in_transaction()
        if not committing and not after:
            return
        done, cursors = None, []
        try:
            with peewee.__exception_wrapper__, self._together():
                for sql, params in held:
                    self._run(sql, params)
                if committing:
                    done = self.cursor()
                    done.execute("COMMIT")
                cursors = [(PostgresqlDatabase.execute_sql(self, sql), then)
                           for sql, then in after]
        except peewee.PeeweeException:
            if committing and (done is None or done.statusmessage != "COMMIT"):
                raise  # not committed: the write fails, and says so
            return  # committed; what was to follow it failed (the change stands)
        for cursor, then in cursors:
            then(cursor.fetchone())

    def rollback(self):
        held = self._take_held()
        self._take_after()
        if held[:1] == [(BEGIN, None)]:
            return  # nothing was sent: nothing to undo
        super().rollback()

    def _take_held(self) -> list:
        held, self.pending.held = getattr(self.pending, "held", []), []
        return held

    def _take_after(self) -> list:
        after, self.pending.after = getattr(self.pending, "after", []), []
        return after

    def _sent_in_transaction(self) -> bool:
        """Whether the server holds a transaction of this thread's (its BEGIN sent)."""
        conn = self._state.conn
        return conn is not None and conn.info.transaction_status != 0  # IDLE, in both

    def _together(self) -> contextlib.AbstractContextManager:
        """Within, what is sent goes in one round trip (psycopg 3's pipeline; psycopg2
        has none: a round trip a statement)."""
        conn = self.connection()
        return conn.pipeline() if hasattr(conn, "pipeline") else contextlib.nullcontext()

    def _send(self, held: list, send: Callable[[], T]) -> T:
        """What was held, then what ``send`` sends, in one round trip; what ``send``
        returns. When the connection is found lost before its transaction sent
        anything, all of it again on a new one."""
        try:
            return self._send_once(held, send)
        except peewee.PeeweeException as exc:
            if held[:1] != [(BEGIN, None)] or not faults.is_connection_lost(exc):
                raise
            self._reopen()
            return self._send_once(held, send)

    def _send_once(self, held: list, send: Callable[[], T]) -> T:
        with peewee.__exception_wrapper__, self._together():
            for before, before_params in held:
                self._run(before, before_params)
            return send()

    def _run(self, sql, params) -> None:
        """One held statement; BEGIN as peewee sends it (not one of the statements
        its query hooks see)."""
        if sql == BEGIN:
            with peewee.__exception_wrapper__:
                self.cursor().execute(BEGIN)
        else:
            PostgresqlDatabase.execute_sql(self, sql, params)

    def _again(self, statement: Callable[..., T], *args, **kwargs) -> T:
        try:
            return statement(*args, **kwargs)
        except peewee.PeeweeException as exc:
            if self.in_transaction() or not faults.is_connection_lost(exc):
                raise
            drop_connection(self)
            return statement(*args, **kwargs)

    def _reopen(self) -> None:
        """A new connection for this thread in the middle of a transaction that has
        sent nothing yet (peewee's close refuses while a transaction is open)."""
        state = self._state
        _close_quietly(state.conn)
        with peewee.__exception_wrapper__:
            state.conn = self._connect()
            self._initialize_connection(state.conn)


def _close_quietly(conn) -> None:
    try:
        conn.close()
    except Exception:  # noqa: BLE001 - a broken connection is closed all the same
        pass


def drop_connection(database: Database) -> None:
    """Close this thread's connection (a broken or read-only one): the next statement
    opens a new one. Nothing is lost: it is only called outside a transaction."""
    try:
        database.close()
    except peewee.PeeweeException:
        pass  # a broken connection is closed all the same


def upgrade_schema(database: Database) -> list[str]:
    """Apply pending migrations; refuse databases this version cannot understand.

    An up-to-date database is checked with one query (the migrations it applied); the
    tables are listed only when that fails (a new, empty or foreign database).
    """
    known = {path.stem for path in MIGRATIONS.glob("[0-9]*.py")}
    applied = _applied_if_any(database)
    if applied is not None and applied >= known:
        if applied - known:
            raise DatabaseError("The database was made by a newer version of tui-crm; "
                                "upgrade tui-crm to open it.")
        return []  # up to date: opening takes no write lock
    try:
        tables = set(database.get_tables())
    except peewee.DatabaseError as exc:
        if "malformed" in str(exc).lower():
            raise DatabaseError(faults.explain(exc)) from exc
        raise DatabaseError("The file is not a tui-crm database (it is not a SQLite file).") \
            from exc
    if tables and HISTORY_TABLE not in tables:
        raise DatabaseError("The database belongs to another program: it is not a tui-crm "
                            "database.")
    # Read as the runner reads them, without loading it (and the schema migrator
    # behind it) at every start: most opens have nothing to apply.
    applied = _applied(database, tables)
    if applied - known:
        raise DatabaseError("The database was made by a newer version of tui-crm; "
                            "upgrade tui-crm to open it.")
    if known <= applied:
        return []  # up to date: opening takes no write lock
    runner = _runner(database)
    if isinstance(database, PostgresqlDatabase):
        return _upgrade_postgres(database, runner)
    return _upgrade_sqlite(database, runner)


def _applied_if_any(database: Database) -> set[str] | None:
    """The migrations applied, read straight from their table; None when that cannot
    be read (no such table, not a database): the caller then looks closer."""
    try:
        # Outside any transaction: a failure leaves nothing to roll back.
        cursor = database.execute_sql(f'SELECT name FROM "{HISTORY_TABLE}"')
        return {name for (name,) in cursor.fetchall()}
    except peewee.DatabaseError:
        return None


def _applied(database: Database, tables: set[str]) -> set[str]:
    """The names of the migrations the database has applied."""
    if HISTORY_TABLE not in tables:
        return set()
    cursor = database.execute_sql(f'SELECT name FROM "{HISTORY_TABLE}"')
    return {name for (name,) in cursor.fetchall()}


def _runner(database: Database) -> Runner:
    from playhouse.migrations import Runner

    return Runner(database, str(MIGRATIONS), table_name=HISTORY_TABLE)


def _upgrade_postgres(database: PostgresqlDatabase, runner: Runner) -> list[str]:
    # Processes opening a new database together: one migrates, the others wait
    # and then find nothing left to do.
    database.execute_sql("SELECT pg_advisory_lock(7213)")
    try:
        return runner.up()
    finally:
        database.execute_sql("SELECT pg_advisory_unlock(7213)")


def _upgrade_sqlite(database: SqliteDatabase, runner: Runner) -> list[str]:
    # One IMMEDIATE transaction around every pending migration: a second process
    # waits for the write lock, then sees them applied. Foreign keys can only be
    # switched off outside a transaction (migrations that rebuild tables need that).
    database.pragma("foreign_keys", 0)
    try:
        with database.atomic():
            applied = runner.up()
            broken = database.execute_sql("PRAGMA foreign_key_check").fetchall()
            if broken:
                raise DatabaseError("Upgrading the database would break links between "
                                    "records; it was left unchanged.")
            return applied
    finally:
        database.pragma("foreign_keys", 1)


def schema_version(database: Database) -> int:
    """How many migrations the database has applied."""
    return len(_applied(database, set(database.get_tables())))


# PostgreSQL's "try again" states: serialization failure, deadlock, lock not available.
_RETRY_SQLSTATES = {"40001", "40P01", "55P03"}
WRITE_ATTEMPTS = 12


def is_busy(exc: BaseException | None) -> bool:
    """True when ``exc`` means another writer was in the way (worth a retry)."""
    for _ in range(4):  # peewee wraps the driver's error: look through the wrapping
        if exc is None:
            return False
        if getattr(exc, "sqlstate", None) in _RETRY_SQLSTATES:
            return True
        if isinstance(exc, peewee.OperationalError):
            text = str(exc).lower()
            if "locked" in text or "busy" in text:
                return True
        inner = exc.args[0] if exc.args and isinstance(exc.args[0], BaseException) else None
        exc = exc.__cause__ or inner
    return False


def _attempts() -> Iterator[bool]:
    """One step per attempt (True for the last), pausing in between: 20 ms doubling
    up to 1 s, with jitter so that processes retrying together spread out."""
    delay = 0.02
    for attempt in range(WRITE_ATTEMPTS):
        if attempt:
            time.sleep(delay + random.random() * delay)
            delay = min(delay * 2, 1.0)
        yield attempt == WRITE_ATTEMPTS - 1


def write(fn: Callable[..., T]) -> Callable[..., T]:
    """Run ``fn`` as one write transaction, retrying when the database is busy.

    On SQLite the transaction begins IMMEDIATE, so it holds the write lock from the
    start and never fails half-way on a lock; the busy timeout makes it wait for
    other writers. On PostgreSQL a deadlock or serialization failure runs it again.
    A nested call joins the outer transaction. Each commit is announced to live
    screens (``core.live``). Any other database fault (read-only,
    disk full, lost connection, a record deleted meanwhile...) is raised as a
    DatabaseError saying so in one sentence; the connection is dropped when it may be
    the cause (read-only, lost), so the next try reconnects and succeeds once the
    cause is gone.
    """

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        database = models.db.obj
        if database.in_transaction():
            return fn(*args, **kwargs)
        _reconnect_after_fault(database)
        for last in _attempts():
            try:
                with database.atomic(), changelog.intent_scope():
                    result = fn(*args, **kwargs)
                    live.announce_change(database)  # once committed
            except CrmError:
                raise
            except Exception as exc:
                if not is_busy(exc):
                    if not faults.is_fault(exc):
                        raise  # a bug: its traceback matters
                    raise _fault(database, exc) from exc
                if last:
                    raise DatabaseError("The database stayed busy with other users' changes; "
                                        "nothing was saved, try again.") from exc
            else:
                return result
        raise AssertionError("unreachable")  # pragma: no cover

    return wrapper


def _fault(database: Database, exc: Exception) -> DatabaseError:
    """The sentence a write that met a database fault raises."""
    if faults.is_connection_lost(exc) or faults.is_read_only(exc):
        # Every thread's connection may be read-only or broken (each thread has its
        # own, and reads may have opened it again while the cause lasted): each opens
        # a new one before its next write.
        with _fault_lock:
            _faults_met[0] += 1
    return DatabaseError(faults.explain(exc, writing=True))


_faults_met = [0]  # read-only or lost-connection faults met by writes, in any thread
_fault_lock = threading.Lock()
_thread = threading.local()  # .faults_met: the count when this thread last reconnected


def _reconnect_after_fault(database: Database) -> None:
    """Open a new connection for this thread if a write (in any thread) met a fault
    since this thread last did: SQLite opens a file it cannot write read-only, and
    the connection stays so once the file can be written again."""
    if getattr(_thread, "faults_met", 0) != _faults_met[0]:
        _thread.faults_met = _faults_met[0]
        drop_connection(database)
