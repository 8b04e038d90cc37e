"""Shared fixtures: a fresh database per test, on SQLite and (when configured) PostgreSQL.

Set TUI_CRM_TEST_PG to a PostgreSQL server URL (``postgresql://user@host:port/``) to
run the tests marked ``pg`` against PostgreSQL too; ``.ci/run`` always sets it.
"""

from __future__ import annotations

import gc
import os
import queue
import threading
import uuid

import pytest

from tui_crm.core import changelog, dates
from tui_crm.core.db import open_database
from tui_crm.ui.live import LiveRefresh

pytest_plugins = ["tests.faults"]  # mounts, own_postgres: real faults for tests

PG_URL = os.environ.get("TUI_CRM_TEST_PG", "")
FROZEN_TODAY = __import__("datetime").date(2026, 11, 15)


@pytest.fixture(autouse=True)
def _isolated(monkeypatch, tmp_path):
    """Every test: its own data dir, a known user and a frozen 'today'."""
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    monkeypatch.delenv("TUI_CRM_DB", raising=False)
    monkeypatch.setattr(dates, "today", lambda: FROZEN_TODAY)
    # Live refresh reloads screens in the background whenever the database changes:
    # only the tests about it (tests/ui/test_live*) switch it on, with a short interval.
    monkeypatch.setattr(LiveRefresh, "live_interval", None)
    changelog.set_user("tester")
    yield
    changelog.set_user(None)
    gc.unfreeze()  # an app froze what it held at its first frame: in tests it ends


PG_SKIP = "PostgreSQL not configured: set TUI_CRM_TEST_PG to run these (.ci/run does)"


def pytest_report_header(config):
    if PG_URL:
        return f"PostgreSQL for the tests: {PG_URL}"
    return f"{PG_SKIP}: the postgres variants of the tests are skipped"


def _pg_admin(sql: str) -> None:
    import psycopg

    with psycopg.connect(PG_URL + "postgres", autocommit=True) as conn:
        conn.execute(sql)


def _create_pg(template: str | None = None) -> str:
    name = f"t_{uuid.uuid4().hex[:12]}"
    _pg_admin(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""))
    return PG_URL + name


def _drop_pg(url: str) -> None:
    _pg_admin(f'DROP DATABASE IF EXISTS "{url.rsplit("/", 1)[1]}" WITH (FORCE)')


class _PgClones:
    """Fresh copies of a migrated template database, made one step ahead.

    A thread clones the next database (CREATE DATABASE ... TEMPLATE) while a test
    runs, so a test rarely waits for one; cloning needs a template nobody is
    connected to, which is why each test process has its own template.
    """

    def __init__(self, template: str):
        self.template = template
        self.ready: queue.Queue[str] = queue.Queue(maxsize=1)
        self.stopping = threading.Event()
        self.failure: Exception | None = None
        self.thread = threading.Thread(target=self._clone_ahead, daemon=True)
        self.thread.start()

    def _clone_ahead(self) -> None:
        try:
            self._clone_until_stopped()
        except Exception as exc:  # noqa: BLE001 - handed to the test that waits
            self.failure = exc

    def _clone_until_stopped(self) -> None:
        while not self.stopping.is_set():
            url = _create_pg(self.template)
            while not self.stopping.is_set():
                try:
                    self.ready.put(url, timeout=0.1)
                    break
                except queue.Full:
                    continue
            else:
                _drop_pg(url)

    def take(self) -> str:
        while True:
            try:
                return self.ready.get(timeout=0.5)
            except queue.Empty:
                if self.failure is not None:
                    raise self.failure from None

    def close(self) -> None:
        self.stopping.set()
        self.thread.join()
        while not self.ready.empty():
            _drop_pg(self.ready.get())


@pytest.fixture(scope="session")
def pg_clones():
    """Migrated PostgreSQL databases to hand out: one per test, never migrated again."""
    template = _create_pg()
    open_database(template).close()
    clones = _PgClones(template.rsplit("/", 1)[1])
    yield clones
    clones.close()
    _drop_pg(template)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.pg)])
def db_url(request, tmp_path):
    """A URL for a fresh database of each kind, dropped after the test.

    Empty, unless the test also uses ``db``: then on PostgreSQL it is a clone of a
    migrated template (much faster than migrating every time).
    """
    if request.param == "sqlite":
        yield str(tmp_path / "crm.db")
        return
    if not PG_URL:
        pytest.skip(PG_SKIP)
    migrated = "db" in request.fixturenames
    url = request.getfixturevalue("pg_clones").take() if migrated else _create_pg()
    yield url
    _drop_pg(url)  # FORCE: connections left in worker threads go with it


@pytest.fixture
def db(db_url):
    """An opened, migrated database on each kind; the models are bound to it."""
    database = open_database(db_url)
    yield database
    database.close()


@pytest.fixture
def quick_db(db_url, monkeypatch):
    """A PostgreSQL database opened as the app opens it, on psycopg2: peewee saw no
    psycopg 3 (``core.drivers.load_full_driver`` brings it)."""
    import peewee

    if not db_url.startswith("postgresql"):
        pytest.skip("PostgreSQL's drivers")
    with monkeypatch.context() as patched:
        patched.setattr(peewee, "psycopg", None)
        database = open_database(db_url)
    yield database
    database.close()


def driver(database) -> str:
    """The driver of this thread's connection: psycopg2 or psycopg (3)."""
    return type(database.connection()).__module__.split(".")[0]


@pytest.fixture
def sqlite_db(tmp_path):
    """An opened SQLite database, for tests about SQLite itself."""
    path = tmp_path / "crm.db"
    database = open_database(str(path))
    yield database
    database.close()
