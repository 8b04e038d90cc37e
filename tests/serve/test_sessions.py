"""A keyholder gets the app over SSH, signed in as the key's user; nothing else does."""

from __future__ import annotations

import os
import signal

from tests.serve.ssh_tools import needs_ssh, wait_until
from tui_crm.core.db import open_database
from tui_crm.core.models import ChangeLog, Lead

pytestmark = needs_ssh


def open_app(terminals, server, key, width=100, height=30, ssh_options=(), env=()):
    """A terminal with ssh -tt to the server, once the app's first screen is drawn."""
    argv = server.ssh_args(key, "-tt", *ssh_options)
    term = terminals.open(["env", *env, *argv] if env else argv, width, height)
    term.shows("No leads yet", "esc Dismiss")
    term.press("Escape")  # the first-run offer of demo data
    wait_until(lambda: "esc Dismiss" not in term.screen(), "the first-run offer to close")
    return term


def add_lead(term, name: str) -> None:
    term.press("n")
    term.shows("New lead", "^s Save")
    term.type(name)
    term.shows(name)
    term.press("C-s")
    term.shows(name, "c Promote")  # back on the list (its keys in the footer), the lead in it


def test_a_known_key_gets_the_app_and_its_changes_are_signed_by_its_user(
        start_server, keys, terminals):
    key = keys.allow("laptop", "alice")
    server = start_server()
    term = open_app(terminals, server, key)
    assert "signed in as alice" in term.screen()
    add_lead(term, "Acme [/] Corp [bold]")
    term.shows("Acme [/] Corp [bold]", "1 lead")

    open_database(server.db)
    lead = Lead.get(Lead.name == "Acme [/] Corp [bold]")
    assert {row.user for row in ChangeLog.select().where(ChangeLog.entity_id == lead.id)} \
        == {"alice"}

    term.press("q")  # the app ending closes the channel: ssh ends, with the app's status
    assert term.exit_status() == 0
    line = server.logged("ended:")
    assert "user=alice" in line and "key=SHA256:" in line and "from=127.0.0.1:" in line
    assert "app quit (status 0)" in line
    wait_until(lambda: not server.session_pids(), "the session's process to end")


def test_a_resize_redraws_the_app_at_the_new_size(start_server, keys, terminals):
    server = start_server()
    term = open_app(terminals, server, keys.allow("alice"), 100, 30)
    title = "tui-crm — signed in as alice"

    def title_at() -> int:
        return term.screen().splitlines()[0].find(title)

    wide = title_at()
    assert abs(wide + len(title) / 2 - 50) <= 2  # centred in 100 columns
    term.resize(80, 24)
    wait_until(lambda: abs(title_at() + len(title) / 2 - 40) <= 2,
               "the title centred in 80 columns")
    # the list's status line above the detail panel (under the list below 100 columns),
    # once the screen is laid out again at the new size
    wait_until(lambda: any("0 leads" in line for line in term.screen().splitlines()[2:22]),
               "the list's status line in 80x24")
    screen = term.screen().splitlines()
    assert len(screen) == 24
    assert "^p palette" in screen[23]  # the footer on the last line of 24


def test_the_session_gets_the_clients_terminal_type_and_nothing_else_it_sends(
        start_server, keys, terminals, tmp_path):
    server = start_server()
    other_db = tmp_path / "elsewhere.db"
    open_app(terminals, server, keys.allow("alice"), env=("TERM=tmux-256color",),
             ssh_options=("-o", f"SetEnv=TUI_CRM_DB={other_db} TUI_CRM_USER=root "
                          "TEXTUAL=devtools COLORTERM=truecolor NO_COLOR=1"))
    pid = wait_until(lambda: server.session_pids(), "the app's process")[0]
    environ = dict(item.split("=", 1) for item in
                   open(f"/proc/{pid}/environ").read().split("\0") if "=" in item)
    assert environ["TERM"] == "tmux-256color"
    assert environ["TUI_CRM_DB"] == server.db and "TEXTUAL" not in environ
    assert "TUI_CRM_USER" not in environ
    assert environ["COLORTERM"] == "truecolor" and environ["NO_COLOR"] == "1"  # colours: yes
    assert not any(name.startswith("SSH_") for name in environ)  # the server's login: no
    command = open(f"/proc/{pid}/cmdline").read().split("\0")
    assert command[-2:] == ["alice", ""] and "--user" not in command
    assert not other_db.exists()
    # Its pty is its controlling terminal: hang-ups and resizes reach it from the kernel.
    stat = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    assert int(stat[4]) != 0 and int(stat[3]) == pid  # tty_nr; leads its own session


def test_two_users_at_once_see_each_others_changes(db_url, start_server, keys, terminals):
    server = start_server(db=db_url)  # SQLite, and PostgreSQL when there is a server
    alice = open_app(terminals, server, keys.allow("alice"))
    bob = open_app(terminals, server, keys.allow("bob"))
    add_lead(alice, "Harborwave GmbH")
    bob.shows("Harborwave GmbH")  # the live refresh of bob's list
    add_lead(bob, "Grace Lovelace")
    alice.shows("Grace Lovelace")

    open_database(server.db)
    users = {lead.name: {row.user for row in ChangeLog.select().where(
        ChangeLog.entity == "lead", ChangeLog.entity_id == lead.id)} for lead in Lead.select()}
    assert users == {"Harborwave GmbH": {"alice"}, "Grace Lovelace": {"bob"}}


def test_a_session_that_crashes_or_loses_its_client_leaves_the_others_alone(
        start_server, keys, terminals):
    server = start_server()
    alice = open_app(terminals, server, keys.allow("alice"))
    alice_pid = wait_until(lambda: server.session_pids(), "alice's app process")[0]
    bob = open_app(terminals, server, keys.allow("bob"))
    bob_pid = next(p for p in wait_until(lambda: len(server.session_pids()) == 2 and
                                         server.session_pids(), "bob's app process")
                   if p != alice_pid)

    os.kill(alice_pid, signal.SIGKILL)  # alice's app crashes: her channel closes
    assert alice.exit_status() != 0
    assert "app failed (status 137)" in server.logged("user=alice")
    add_lead(bob, "Still here")  # bob works on
    bob.shows("Still here")

    bob.kill()  # closing the client ends its app's process
    wait_until(lambda: not os.path.exists(f"/proc/{bob_pid}"), "bob's app to end")
    assert "ended: client closed" in server.logged("user=bob")
