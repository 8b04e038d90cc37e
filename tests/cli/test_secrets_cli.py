"""A PostgreSQL password in --db or TUI_CRM_DB is never shown: not in the app's
header, not in an error, not in --help."""

from __future__ import annotations

import os
import pty
import select
import subprocess
import sys

import pytest

from tests.cli.test_files_cli import run
from tests.conftest import PG_SKIP, PG_URL, _create_pg, _drop_pg
from tui_crm.core.db import display_url

SECRET = "s3cr%3At"  # percent-encoded: the decoded form is kept out too


def with_password(url: str) -> str:
    scheme, rest = url.split("://", 1)
    user, host = rest.split("@", 1)
    return f"{scheme}://{user}:{SECRET}@{host}"


def test_the_url_shown_has_no_password():
    assert display_url("postgresql://sam:s3cr%3At@db.example:5432/crm") == \
        "postgresql://sam:***@db.example:5432/crm"
    assert display_url("postgresql://sam@db/crm?password=hunter2&sslmode=require") == \
        "postgresql://sam@db/crm?password=***&sslmode=require"
    assert display_url("/home/sam/crm.db") == "/home/sam/crm.db"


def test_a_failed_connection_does_not_print_the_password(capsys):
    url = f"postgresql://sam:{SECRET}@127.0.0.1:1/{SECRET}"
    code, out, err = run(capsys, "forecast", "--db", url)
    assert (code, out) == (1, "")
    assert err.startswith("tui-crm: Cannot connect to PostgreSQL")
    assert "s3cr" not in err


def test_help_does_not_print_the_environment_url(capsys, monkeypatch):
    monkeypatch.setenv("TUI_CRM_DB", f"postgresql://sam:{SECRET}@db/crm")
    for argv in (["--help"], ["forecast", "--help"], ["export", "--help"]):
        code, out, err = run(capsys, *argv)
        assert code == 0 and "s3cr" not in out + err


@pytest.mark.pg
def test_an_error_quoting_the_password_hides_it(capsys):
    if not PG_URL:
        pytest.skip(PG_SKIP)
    # The server's answer names the database, which here is spelled like the password.
    code, _, err = run(capsys, "forecast", "--db", with_password(PG_URL) + "s3cr:t")
    assert code == 1 and "does not exist" in err
    assert "s3cr" not in err and '"***"' in err


@pytest.mark.pg
def test_the_app_header_shows_the_url_without_its_password():
    if not PG_URL:
        pytest.skip(PG_SKIP)
    url = with_password(_create_pg())
    leader, follower = pty.openpty()
    env = {**os.environ, "TERM": "xterm-256color", "COLUMNS": "120", "LINES": "40"}
    process = subprocess.Popen([sys.executable, "-m", "tui_crm", "--db", url],
                               stdin=follower, stdout=follower, stderr=follower, env=env)
    os.close(follower)
    shown = b""
    try:
        while b"postgres:***@" not in shown:
            ready, _, _ = select.select([leader], [], [], 30)
            assert ready, f"the header never showed: {shown[-400:]!r}"
            shown += os.read(leader, 65536)
        os.write(leader, b"\x11")  # ctrl+q
        while True:
            ready, _, _ = select.select([leader], [], [], 30)
            if not ready:
                break
            try:
                chunk = os.read(leader, 65536)
            except OSError:
                break
            if not chunk:
                break
            shown += chunk
        assert process.wait(timeout=30) == 0
    finally:
        if process.poll() is None:
            process.kill()
        os.close(leader)
        _drop_pg(url.replace(f":{SECRET}", ""))
    assert b"s3cr" not in shown
