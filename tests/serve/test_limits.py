"""Limits hold (sessions, per user, idle time), and the server stops cleanly."""

from __future__ import annotations

import os
import signal
import stat
import subprocess

from tests.serve.ssh_tools import TIMEOUT_S, needs_ssh, wait_until
from tests.serve.test_sessions import add_lead, open_app

pytestmark = needs_ssh


def test_max_sessions_and_the_per_user_cap_hold(start_server, keys, terminals):
    server = start_server("--max-sessions", "2", "--max-per-user", "1")
    open_app(terminals, server, keys.allow("alice"))
    again = server.ssh(keys.allow("alice"), "-tt")
    assert again.returncode == 1
    assert "tui-crm: alice already has 1 sessions open." in again.stderr
    open_app(terminals, server, keys.allow("bob"))
    full = server.ssh(keys.allow("carol"), "-tt")
    assert full.returncode == 1 and "tui-crm: the server is full (2 sessions)." in full.stderr
    assert "user=carol" in server.logged("refused: the server is full")
    assert len(server.session_pids()) == 2


def test_an_idle_session_is_closed_and_says_why(start_server, keys, terminals):
    server = start_server("--idle-timeout", "3s")
    term = open_app(terminals, server, keys.allow("alice"))
    assert term.exit_status() == 0  # the app quit cleanly: the terminal is restored
    screen = term.screen()
    assert "tui-crm: closed after 3 s without a key." in screen
    assert "No leads yet" not in screen  # the app's screen is gone with it
    assert "ended: idle timeout" in server.logged("user=alice")
    wait_until(lambda: not server.session_pids(), "the app's process to end")


def test_sigterm_tells_every_session_closes_them_and_exits_0(start_server, keys, terminals):
    server = start_server("--grace", "2s")
    alice = open_app(terminals, server, keys.allow("alice"))
    bob = open_app(terminals, server, keys.allow("bob"))
    pids = wait_until(lambda: len(server.session_pids()) == 2 and server.session_pids(),
                      "both apps")
    alice.press("n")
    alice.shows("New lead", "^s Save")
    alice.type("Typed before the end")

    server.proc.send_signal(signal.SIGTERM)
    alice.shows("The server is shutting down", "closes in 2 s")  # told, in the app
    alice.press("C-s")  # and there is time to save
    assert server.proc.wait(timeout=TIMEOUT_S) == 0
    for term in (alice, bob):
        assert term.exit_status() == 0
        assert "tui-crm: the server is shutting down." in term.screen()
    assert all(not os.path.exists(f"/proc/{pid}") for pid in pids)
    lines = server.log_lines()
    assert sum("ended: server shutdown" in line for line in lines) == 2
    assert lines[-1].endswith("stopped")

    from tui_crm.core.db import open_database
    from tui_crm.core.models import Lead

    open_database(server.db)
    assert [lead.name for lead in Lead.select()] == ["Typed before the end"]


def test_ctrl_c_stops_the_server_too(start_server, keys, terminals):
    server = start_server("--grace", "1s")
    term = open_app(terminals, server, keys.allow("alice"))
    add_lead(term, "Kept")
    server.proc.send_signal(signal.SIGINT)
    assert server.proc.wait(timeout=TIMEOUT_S) == 0
    assert term.exit_status() == 0


def test_the_host_key_is_made_once_private_and_its_fingerprint_printed(start_server, keys):
    first = start_server()
    assert "made now" in first.banner[1]
    assert stat.S_IMODE(first.host_key.stat().st_mode) == 0o600
    listed = subprocess.run(["ssh-keygen", "-l", "-f", str(first.host_key)],
                            capture_output=True, text=True, timeout=TIMEOUT_S).stdout
    fingerprint = listed.split()[1]
    assert fingerprint.startswith("SHA256:") and fingerprint in first.banner[1]
    assert "ED25519" in listed and "(ED25519)" in first.banner[1]
    assert first.stop() == 0

    again = start_server()
    assert "made now" not in again.banner[1] and fingerprint in again.banner[1]
    # What a client is shown is that key: connecting with it as the only known host works.
    known = first.tmp / "known_hosts"
    public = subprocess.run(["ssh-keygen", "-y", "-f", str(first.host_key)],
                            capture_output=True, text=True, timeout=TIMEOUT_S).stdout
    known.write_text(f"[127.0.0.1]:{again.port} {public}")
    result = subprocess.run(
        ["ssh", "-F", "/dev/null", "-i", str(keys.allow("alice")), "-p", str(again.port),
         "-o", "StrictHostKeyChecking=yes", "-o", f"UserKnownHostsFile={known}",
         "-o", "BatchMode=yes", "-o", "IdentitiesOnly=yes", "127.0.0.1", "ls"],
        capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=TIMEOUT_S)
    assert result.returncode == 1 and "takes no command" in result.stderr


def test_a_connection_that_opens_no_session_times_out_too(start_server, keys):
    server = start_server("--idle-timeout", "2s")
    result = server.ssh(keys.allow("alice"), "-N")  # no session, no forwarding: waits
    assert result.returncode == 255
    assert "ended: closed: idle without a session" in server.logged("user=alice")


def test_connections_that_never_sign_in_are_capped(start_server, keys):
    import socket

    server = start_server("--max-sessions", "1")  # the cap: 16 waiting at most
    waiting = [socket.create_connection(("127.0.0.1", server.port), timeout=TIMEOUT_S)
               for _ in range(16)]
    try:
        for conn in waiting:  # each greeted, and kept
            assert conn.recv(7) == b"SSH-2.0"
        with socket.create_connection(("127.0.0.1", server.port), timeout=TIMEOUT_S) as extra:
            received = b""
            while chunk := extra.recv(1024):  # closed at once, with a disconnect message
                received += chunk
        assert b"Disconnected" in received
        assert "refused: 16 connections already waiting" in server.logged("16 connections")
        # A keyholder still gets in once the waiting ones go.
        for conn in waiting:
            conn.close()
        wait_until(lambda: sum("closed before authentication" in line
                               for line in server.log_lines()) == 16, "the 16 to be gone")
        assert "takes no command" in server.ssh(keys.allow("alice"), command=("ls",)).stderr
    finally:
        for conn in waiting:
            conn.close()
