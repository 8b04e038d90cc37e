"""The `tui-crm` command loads only the PostgreSQL driver it uses: none on SQLite,
psycopg2 for a command that runs and exits, psycopg 3 for serve and bulk loads; the app
draws its first screen through psycopg2, then loads psycopg 3."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys

import pytest

from tui_crm.__main__ import command_of, drivers_to_skip, names_postgres
from tui_crm.core import customers, dates, deals
from tui_crm.core.dates import Quarter
from tui_crm.core.db import open_database
from tui_crm.core.forecast import forecast

PROBE = """
import sys
sys.argv = ["tui-crm", *sys.argv[1:]]
from tui_crm.__main__ import run
code = run()
drivers = [name for name in ("psycopg", "psycopg2") if sys.modules.get(name)]
print("drivers:", ",".join(drivers) or "none", file=sys.stderr)
raise SystemExit(code)
"""


def _run(*args: str, env_url: str | None = None) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "TUI_CRM_DB"}
    if env_url is not None:
        env["TUI_CRM_DB"] = env_url
    return subprocess.run([sys.executable, "-c", PROBE, *args], capture_output=True,
                          text=True, env=env, timeout=60)


@pytest.mark.parametrize(("argv", "env_url", "expected"), [
    (["--db", "/tmp/crm.db"], "", False),
    ([], "", False),
    (["--db", "postgresql://u@h/db"], "", True),
    (["--db=postgres://u@h/db", "forecast"], "", True),
    (["forecast"], "postgresql://u@h/db", True),
    (["forecast"], "/home/me/crm.db", False),
])
def test_names_postgres(argv, env_url, expected):
    assert names_postgres(argv, env_url) is expected


@pytest.mark.parametrize(("argv", "expected"), [
    ([], None),
    (["--db", "postgresql://u@h/db"], None),
    (["--db", "postgresql://u@h/db", "--screen", "today"], None),
    (["--user", "forecast", "today", "--json"], "today"),
    (["--db=postgresql://u@h/db", "forecast", "--json"], "forecast"),
    (["serve", "--db", "postgresql://u@h/db"], "serve"),
])
def test_command_of(argv, expected):
    assert command_of(argv) == expected


@pytest.mark.parametrize(("argv", "skipped"), [
    (["--db", "/tmp/crm.db"], ("psycopg", "psycopg2")),
    (["--db", "/tmp/crm.db", "forecast"], ("psycopg", "psycopg2")),
    (["--db", "postgresql://u@h/db"], ("psycopg",)),  # the app: psycopg 3 once shown
    (["--db", "postgresql://u@h/db", "--screen", "pipeline"], ("psycopg",)),
    (["--db", "postgresql://u@h/db", "serve"], ("psycopg2",)),
    (["--db", "postgresql://u@h/db", "demo"], ("psycopg2",)),
    (["--db", "postgresql://u@h/db", "import", "leads", "a.csv"], ("psycopg2",)),
    (["--db", "postgresql://u@h/db", "forecast", "--json"], ("psycopg",)),
    (["today", "--db", "postgresql://u@h/db"], ("psycopg",)),
])
def test_drivers_to_skip(argv, skipped):
    assert drivers_to_skip(argv, "") == skipped


def test_a_sqlite_command_runs_without_a_driver(tmp_path):
    open_database(str(tmp_path / "crm.db")).close()
    done = _run("--db", str(tmp_path / "crm.db"), "forecast", "--json")
    assert done.returncode == 0, done.stderr
    assert '"quarter"' in done.stdout
    assert "drivers: none" in done.stderr


def test_a_postgres_url_loads_the_quick_driver(tmp_path):
    done = _run("forecast", env_url="postgresql://nobody@127.0.0.1:1/none")
    assert done.returncode == 1
    assert "Cannot connect to PostgreSQL" in done.stderr
    assert "drivers: psycopg2" in done.stderr


def test_a_command_answers_as_the_app_reads(db, db_url, monkeypatch):
    """The command's own driver (psycopg2 on PostgreSQL, nothing on SQLite) gives the
    forecast this process reads through the app's driver (psycopg 3)."""
    monkeypatch.setattr(dates, "today", dt.date.today)  # the command's today
    customer = customers.create_customer({"name": "Acme [/] Corp"})
    for amount, close in (("1200.50", "2026-12-20"), ("99.99", "2026-11-30"), ("5k", "")):
        deals.create_deal({"name": "Renewal", "customer_id": customer, "amount": amount,
                           "close_date": close})
    done = _run("--db", db_url, "forecast", "--json", "--quarter", "2026Q4")
    assert done.returncode == 0, done.stderr
    quick = "psycopg2" if db_url.startswith("postgresql") else "none"
    assert f"drivers: {quick}" in done.stderr
    assert json.loads(done.stdout) == forecast(Quarter.parse("2026Q4")).as_json()


def test_no_module_needs_the_driver_when_imported():
    """Every module must import on a SQLite run, where `import psycopg` fails."""
    probe = ("import sys, pkgutil, importlib, tui_crm\n"
             "sys.modules['psycopg'] = None\n"
             "for m in pkgutil.walk_packages(tui_crm.__path__, 'tui_crm.'):\n"
             "    importlib.import_module(m.name)\n")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr


VERSIONS = """
import sys
sys.argv = ["tui-crm", *sys.argv[1:]]
from tui_crm.__main__ import run
try:
    run()
finally:
    import psycopg, psycopg_binary
    print("versions:", psycopg.__version__, psycopg_binary.__version__,
          "importlib.metadata" in sys.modules, file=sys.stderr)
"""


def _metadata_versions() -> str:
    from importlib import metadata

    return f"versions: {metadata.version('psycopg')} {metadata.version('psycopg-binary')}"


def test_a_bulk_load_loads_psycopg_3_without_reading_its_metadata():
    """psycopg 3 reads its version through importlib.metadata (email, zipfile, csv: a
    start's 7-12 ms): it is given the version its distribution's folder names."""
    env = {k: v for k, v in os.environ.items() if k != "TUI_CRM_DB"}
    done = subprocess.run([sys.executable, "-c", VERSIONS, "--db",
                           "postgresql://nobody@127.0.0.1:1/none", "demo"],
                          capture_output=True, text=True, env=env, timeout=60)
    assert "Cannot connect to PostgreSQL" in done.stderr
    assert f"{_metadata_versions()} False" in done.stderr, done.stderr


APP_START = """
import sys
from tui_crm.__main__ import start_lean
start_lean(["--db", sys.argv[1]], "")  # as the app starts
from tui_crm.core import leads
from tui_crm.core.db import open_database
from tui_crm.core.drivers import load_full_driver
database = open_database(sys.argv[1])
leads.create_lead({"name": "Acme [/] Corp"})
first = type(database.connection()).__module__
loaded_first = "psycopg" in sys.modules and sys.modules["psycopg"] is not None
assert load_full_driver()
count = leads.count_leads()
import psycopg, psycopg_binary
print("first:", first, loaded_first)
print("then:", type(database.connection()).__module__, count,
      database.connection().prepare_threshold)
print("versions:", psycopg.__version__, psycopg_binary.__version__,
      "importlib.metadata" in sys.modules)
"""


@pytest.mark.pg
def test_the_app_starts_on_psycopg2_then_loads_psycopg_3(db_url):
    """The app's start: peewee imported without psycopg 3, the first statements
    through psycopg2; psycopg 3 then loads (without importlib.metadata) and serves the
    next ones, with prepared statements."""
    if not db_url.startswith("postgresql"):
        pytest.skip("PostgreSQL's drivers")
    env = {k: v for k, v in os.environ.items() if k != "TUI_CRM_DB"}
    done = subprocess.run([sys.executable, "-c", APP_START, db_url], capture_output=True,
                          text=True, env=env, timeout=60)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines == ["first: psycopg2.extensions False", "then: psycopg 1 1",
                     f"{_metadata_versions()} False"], done.stdout


KNOWN_VERSION_FILE = '''"""
psycopg distribution version file.
"""

# Copyright (C) 2020 The Psycopg Team

from importlib import metadata

try:
    __version__ = metadata.version("psycopg")
except metadata.PackageNotFoundError:
    __version__ = "0.0.0.0"
'''


@pytest.mark.parametrize(("version_file", "folders", "given"), [
    (KNOWN_VERSION_FILE, ["psycopg-9.8.7.dist-info"], "9.8.7"),
    (KNOWN_VERSION_FILE + "__version_info__ = (9, 8, 7)\n", ["psycopg-9.8.7.dist-info"],
     None),  # the file says more: it is imported as it is
    (KNOWN_VERSION_FILE.replace('"psycopg"', '"psycopg-c"'), ["psycopg-9.8.7.dist-info"],
     None),
    (KNOWN_VERSION_FILE, ["psycopg-9.8.7.dist-info", "psycopg-9.9.0.dist-info"], None),
    (KNOWN_VERSION_FILE, [], None),
])
def test_a_version_module_is_given_only_when_its_file_is_the_known_one(
        tmp_path, version_file, folders, given):
    package = tmp_path / "psycopg"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "version.py").write_text(version_file)
    for folder in folders:
        (tmp_path / folder).mkdir()
    probe = ("import sys\n"
             "from tui_crm.__main__ import versions_without_metadata\n"
             "versions_without_metadata()\n"
             "module = sys.modules.get('psycopg.version')\n"
             "print('given:', getattr(module, '__version__', None))\n")
    env = {**os.environ, "PYTHONPATH": str(tmp_path)}
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                          env=env, timeout=60)
    assert done.returncode == 0, done.stderr
    assert f"given: {given}" in done.stdout
