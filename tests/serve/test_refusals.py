"""Only keyholders, and only the app: everything else is refused with a clear answer."""

from __future__ import annotations

import subprocess

from tests.serve.ssh_tools import TIMEOUT_S, needs_ssh

pytestmark = needs_ssh

NO_COMMAND = "tui-crm: this server runs the CRM only and takes no command"


def test_an_unknown_key_is_refused_at_authentication(start_server, keys):
    keys.allow("alice")
    stranger = keys.make("stranger")
    server = start_server()
    result = server.ssh(stranger, "-tt")
    assert result.returncode == 255
    assert "Permission denied (publickey)" in result.stderr
    line = server.logged("ended:")
    assert "user=- " in line and "refused: unknown key" in line


def test_passwords_and_keyboard_interactive_are_not_offered(start_server, keys):
    key = keys.allow("alice")
    server = start_server()
    result = server.ssh(key, "-tt", "-o", "PubkeyAuthentication=no",
                        "-o", "PreferredAuthentications=password,keyboard-interactive")
    assert result.returncode == 255
    assert "Permission denied (publickey)" in result.stderr  # the only method offered
    assert "refused: not authenticated" in server.logged("ended:")


def test_a_command_or_no_terminal_gets_one_line_and_a_failure_status(start_server, keys):
    key = keys.allow("alice")
    server = start_server()
    for extra, command in ((("-tt",), ("ls",)), ((), ("ls", "/")), (("-T",), ())):
        result = server.ssh(key, *extra, command=command)
        assert result.returncode == 1, result
        lines = [line for line in result.stderr.replace("\r", "").splitlines() if line]
        assert len(lines) == 1 and lines[0].startswith("tui-crm: "), lines
        assert (NO_COMMAND if command else "the CRM needs a terminal") in lines[0]
        assert result.stdout == ""
    assert not server.session_pids()


def test_sftp_and_scp_are_refused(start_server, keys, tmp_path):
    key = keys.allow("alice")
    server = start_server()
    common = ["-F", "/dev/null", "-i", str(key), "-P", str(server.port), "-o", "BatchMode=yes",
              "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null",
              "-o", "LogLevel=ERROR", "-o", "IdentitiesOnly=yes"]
    sftp = subprocess.run(["sftp", *common, "127.0.0.1"], capture_output=True, text=True,
                          stdin=subprocess.DEVNULL, timeout=TIMEOUT_S)
    assert sftp.returncode != 0 and "subsystem request failed" in sftp.stderr
    scp = subprocess.run(["scp", "-O", *common, "127.0.0.1:/etc/hostname", str(tmp_path / "x")],
                         capture_output=True, text=True, stdin=subprocess.DEVNULL,
                         timeout=TIMEOUT_S)
    assert scp.returncode != 0 and not (tmp_path / "x").exists()
    assert NO_COMMAND in scp.stderr
    assert "refused: subsystem sftp" in server.logged("subsystem")


def test_port_forwarding_is_refused_both_ways(start_server, keys):
    key = keys.allow("alice")
    server = start_server()
    remote = server.ssh(key, "-N", "-o", "ExitOnForwardFailure=yes", "-R", "0:127.0.0.1:9")
    assert remote.returncode == 255 and "remote port forwarding failed" in remote.stderr

    # -W opens the channel a -L tunnel opens for each connection (direct-tcpip), at once.
    local = server.ssh(key, "-o", "LogLevel=INFO", "-W", f"127.0.0.1:{server.port}")
    assert local.returncode == 255 and "administratively prohibited" in local.stderr
    assert local.stdout == ""  # no byte of what is behind it (an SSH server's greeting)
    assert "refused port forwarding" in server.logged("refused port forwarding")


def test_the_keys_file_is_read_again_when_it_changes(start_server, keys):
    alice = keys.allow("alice")
    bob = keys.make("bob")
    server = start_server()
    assert server.ssh(bob, command=("ls",)).returncode == 255  # not in the file
    keys.allow("bob")
    assert NO_COMMAND in server.ssh(bob, command=("ls",)).stderr  # in: past authentication
    keys.remove("alice")
    result = server.ssh(alice, command=("ls",))
    assert result.returncode == 255 and "Permission denied (publickey)" in result.stderr
    assert "keys: 1 keys for 1 users" in server.logged("keys: 1 keys for 1 users")
