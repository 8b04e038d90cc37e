"""`tui-crm serve` started for real on a loopback port, reached with OpenSSH's client.

Screens are read from ssh running in a private tmux server; every wait is for a
condition, with a deadline.
"""

from __future__ import annotations

import os
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path

import asyncssh
import pytest

TIMEOUT_S = 40.0  # generous: the two cores are shared with other test runs
POLL_S = 0.05

needs_ssh = pytest.mark.skipif(
    not (shutil.which("ssh") and shutil.which("tmux")),
    reason="needs OpenSSH's client and tmux (.ci/run installs them)")


def wait_until(check: Callable[[], object], what: str, timeout: float = TIMEOUT_S):
    """``check()``'s first true value, looked at every POLL_S until ``timeout``."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        select.select([], [], [], POLL_S)


class Keys:
    """Key pairs made for the test, and the keys file naming their users."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.file = folder / "keys"
        self.lines: dict[str, str] = {}

    def make(self, name: str) -> Path:
        """A new ed25519 key pair; the private key's path."""
        key = asyncssh.generate_private_key("ssh-ed25519")
        path = self.folder / f"id_{name}"
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(key.export_private_key())
        (self.folder / f"id_{name}.pub").write_bytes(key.export_public_key())
        return path

    def allow(self, name: str, user: str | None = None) -> Path:
        """A key for ``user`` (default: ``name``) written in the keys file."""
        path = self.folder / f"id_{name}"
        if not path.exists():
            self.make(name)
        public = (self.folder / f"id_{name}.pub").read_text().split()[:2]
        self.lines[name] = f"{' '.join(public)} {user or name}"
        self.write()
        return path

    def remove(self, name: str) -> None:
        del self.lines[name]
        self.write()

    def write(self) -> None:
        self.file.write_text("".join(f"{line}\n" for line in self.lines.values()))


class Server:
    """A running `tui-crm serve`, stopped (SIGTERM) at the end of the test."""

    def __init__(self, tmp_path: Path, keys: Keys, *args: str, db: str | None = None):
        self.tmp = tmp_path
        self.db = db or str(tmp_path / "crm.db")
        self.log = tmp_path / "serve.log"
        self.host_key = tmp_path / "host_key"
        self.keys = keys
        env = {**os.environ, "XDG_DATA_HOME": str(tmp_path / "data"),
               "XDG_CONFIG_HOME": str(tmp_path / "config"),
               # as if started from the admin's own SSH login, agent and all:
               "SSH_AUTH_SOCK": str(tmp_path / "agent.sock"), "SSH_CONNECTION": "x"}
        env.pop("TUI_CRM_DB", None)
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "tui_crm", "serve", "--host", "127.0.0.1", "--port", "0",
             "--db", self.db, "--keys", str(keys.file), "--host-key", str(self.host_key),
             "--log", str(self.log), *args],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, text=True)
        self.banner = self.read_banner()
        self.port = int(self.banner[0].rsplit(":", 1)[1])

    def read_banner(self) -> list[str]:
        """The three lines the server prints once it listens (written in one go)."""
        assert self.proc.stdout
        ready, _, _ = select.select([self.proc.stdout], [], [], TIMEOUT_S)
        lines = [self.proc.stdout.readline() for _ in range(3)] if ready else []
        if len(lines) < 3 or not all(lines):
            self.proc.kill()
            raise AssertionError(f"the server did not start: {lines} "
                                 f"{self.proc.stderr.read() if self.proc.stderr else ''}")
        return [line.strip() for line in lines]

    def log_lines(self) -> list[str]:
        return self.log.read_text().splitlines() if self.log.exists() else []

    def logged(self, text: str) -> str:
        """The first log line holding ``text``, once there is one."""
        return wait_until(lambda: next((ln for ln in self.log_lines() if text in ln), None),
                          f"{text!r} in the server's log")

    def session_pids(self) -> list[int]:
        """The app processes of the open sessions (the server's children)."""
        pids = []
        for task in Path(f"/proc/{self.proc.pid}/task").glob("*"):
            try:
                pids += [int(p) for p in (task / "children").read_text().split()]
            except OSError:
                pass
        return pids

    def ssh_args(self, key: Path, *extra: str) -> list[str]:
        # ssh keeps the first value given for an option: the test's own come first.
        return ["ssh", *extra, "-F", "/dev/null", "-i", str(key), "-p", str(self.port),
                "-o", "IdentitiesOnly=yes", "-o", "IdentityAgent=none",
                "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null",
                "-o", "BatchMode=yes", "-o", "LogLevel=ERROR", "-o", "ConnectTimeout=20",
                "127.0.0.1"]

    def ssh(self, key: Path, *extra: str, command: tuple[str, ...] = ()
            ) -> subprocess.CompletedProcess:
        """ssh run to its end, with no terminal of its own."""
        return subprocess.run([*self.ssh_args(key, *extra), *command], capture_output=True,
                              text=True, stdin=subprocess.DEVNULL, timeout=TIMEOUT_S)

    def stop(self) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        try:
            return self.proc.wait(timeout=TIMEOUT_S)
        finally:
            if self.proc.poll() is None:
                self.proc.kill()
            for stream in (self.proc.stdout, self.proc.stderr):
                if stream:
                    stream.close()


class Terminals:
    """Terminals (panes of a private tmux server) running ssh, read as a user sees them."""

    def __init__(self):
        self.socket = f"crm-serve-{uuid.uuid4().hex[:10]}"
        self.count = 0
        self.folder = Path(tempfile.mkdtemp(prefix="crm-serve-terminals-"))

    def tmux(self, *args: str) -> str:
        return subprocess.run(["tmux", "-L", self.socket, *args], check=True,
                              capture_output=True, text=True, timeout=TIMEOUT_S).stdout

    def open(self, argv: list[str], width: int = 100, height: int = 30) -> Terminal:
        self.count += 1
        name = f"t{self.count}"
        # ssh's exit status goes to a file: tmux does not always know a dead pane's.
        status = self.folder / f"{name}.status"
        command = " ".join(_quote(a) for a in argv) + f"; echo $? > {_quote(str(status))}"
        if self.count == 1:
            self.tmux("-f", "/dev/null", "new-session", "-d", "-s", name, "-x", str(width),
                      "-y", str(height), command)
            self.tmux("set-option", "-g", "remain-on-exit", "on")
            self.tmux("set-option", "-g", "status", "off")
        else:
            self.tmux("new-session", "-d", "-s", name, "-x", str(width), "-y", str(height),
                      command)
        return Terminal(self, name, status)

    def close(self) -> None:
        subprocess.run(["tmux", "-L", self.socket, "kill-server"], capture_output=True,
                       timeout=TIMEOUT_S)
        shutil.rmtree(self.folder, ignore_errors=True)


def _quote(arg: str) -> str:
    import shlex

    return shlex.quote(arg)


class Terminal:
    def __init__(self, terminals: Terminals, name: str, status: Path):
        self.terminals = terminals
        self.name = name
        self.status = status

    def screen(self) -> str:
        return self.terminals.tmux("capture-pane", "-p", "-t", self.name)

    def press(self, *keys: str) -> None:
        self.terminals.tmux("send-keys", "-t", self.name, *keys)

    def type(self, text: str) -> None:
        self.terminals.tmux("send-keys", "-t", self.name, "-l", text)

    def shows(self, *texts: str, timeout: float = TIMEOUT_S) -> str:
        """The screen, once it shows every one of ``texts``."""
        return wait_until(lambda: (lambda s: s if all(t in s for t in texts) else None)(
            self.screen()), f"{texts} on screen {self.name}", timeout)

    def info(self, fmt: str) -> str:
        return self.terminals.tmux("display-message", "-p", "-t", self.name, fmt).strip()

    def exit_status(self) -> int:
        """ssh's exit status, once it has ended."""
        text = wait_until(lambda: self.status.exists() and self.status.read_text().strip(),
                          f"ssh to end in {self.name}")
        return int(text)

    def resize(self, width: int, height: int) -> None:
        self.terminals.tmux("resize-window", "-t", self.name, "-x", str(width), "-y",
                            str(height))

    def kill(self) -> None:
        """Close the terminal, and the ssh client in it."""
        self.terminals.tmux("kill-session", "-t", self.name)


