"""The `tui-crm` command starts without the PostgreSQL driver unless it may need it."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tui_crm.__main__ import names_postgres
from tui_crm.core.db import open_database

PROBE = """
import sys
sys.argv = ["tui-crm", *sys.argv[1:]]
from tui_crm.__main__ import run
code = run()
print("driver:", "loaded" if sys.modules.get("psycopg") else "not loaded", file=sys.stderr)
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


def test_a_sqlite_command_runs_without_the_driver(tmp_path):
    open_database(str(tmp_path / "crm.db")).close()
    done = _run("--db", str(tmp_path / "crm.db"), "forecast", "--json")
    assert done.returncode == 0, done.stderr
    assert '"quarter"' in done.stdout
    assert "driver: not loaded" in done.stderr


def test_a_postgres_url_keeps_the_driver(tmp_path):
    done = _run("forecast", env_url="postgresql://nobody@127.0.0.1:1/none")
    assert done.returncode == 1
    assert "Cannot connect to PostgreSQL" in done.stderr
    assert "driver: loaded" in done.stderr


def test_no_module_needs_the_driver_when_imported():
    """Every module must import on a SQLite run, where `import psycopg` fails."""
    probe = ("import sys, pkgutil, importlib, tui_crm\n"
             "sys.modules['psycopg'] = None\n"
             "for m in pkgutil.walk_packages(tui_crm.__path__, 'tui_crm.'):\n"
             "    importlib.import_module(m.name)\n")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
