"""Shared fixtures: a fresh database per test, on SQLite and (when configured) PostgreSQL.

Set TUI_CRM_TEST_PG to a PostgreSQL server URL (``postgresql://user@host:port/``) to
run the tests marked ``pg`` against PostgreSQL too; ``.ci/run`` always sets it.
"""

from __future__ import annotations

import os
import uuid

import pytest

from tui_crm.core import changelog, dates
from tui_crm.core.db import open_database
from tui_crm.core.models import db as db_proxy

PG_URL = os.environ.get("TUI_CRM_TEST_PG", "")
FROZEN_TODAY = __import__("datetime").date(2026, 11, 15)


@pytest.fixture(autouse=True)
def _isolated(monkeypatch, tmp_path):
    """Every test: its own data dir, a known user and a frozen 'today'."""
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    monkeypatch.delenv("TUI_CRM_DB", raising=False)
    monkeypatch.setattr(dates, "today", lambda: FROZEN_TODAY)
    changelog.set_user("tester")
    yield
    changelog.set_user(None)


def _pg_database_url() -> str:
    import psycopg

    name = f"t_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(PG_URL + "postgres", autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return PG_URL + name


def _drop_pg(url: str) -> None:
    import psycopg

    name = url.rsplit("/", 1)[1]
    with psycopg.connect(PG_URL + "postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.pg)])
def db_url(request, tmp_path):
    """A URL for a fresh, empty database of each kind."""
    if request.param == "sqlite":
        yield str(tmp_path / "crm.db")
        return
    if not PG_URL:
        pytest.skip("PostgreSQL not configured: set TUI_CRM_TEST_PG to run these")
    url = _pg_database_url()
    yield url
    if not db_proxy.is_closed() if db_proxy.obj else False:
        db_proxy.close()
    _drop_pg(url)


@pytest.fixture
def db(db_url):
    """An opened, migrated database on each kind; the models are bound to it."""
    database = open_database(db_url)
    yield database
    database.close()


@pytest.fixture
def sqlite_db(tmp_path):
    """An opened SQLite database, for tests about SQLite itself."""
    path = tmp_path / "crm.db"
    database = open_database(str(path))
    yield database
    database.close()
