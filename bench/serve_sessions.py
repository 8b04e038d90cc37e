"""`tui-crm serve` against the app run directly: key-to-screen time and memory.

The same deal moves as the app sessions (sessions.py: `>` or `<`, until both columns'
new counts are drawn) are timed in a tmux pane running the app itself, and in one
running `ssh -tt` to a `tui-crm serve` on a loopback port, with the session alone and
with nine more open beside it (idle, on the board). Memory is the resident set of
the session's app process (VmRSS; VmHWM, its peak, is kept beside it).
"""

from __future__ import annotations

import os
import select
import signal
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

from databases import OUT, TUI_CRM
from sessions import MOVES, Expected, _shows, header_counts
from terminal import Pane, TerminalError, Tmux

PAUSE = 0.2
BESIDE = 9  # sessions open beside the timed one, for the "10 sessions" figures
WORK = OUT / "serve"


@dataclass
class ModeResult:
    moves_alone: list[float] = field(default_factory=list)
    moves_among_10: list[float] = field(default_factory=list)
    rss_alone_mib: float = 0.0
    rss_among_10_mib: list[float] = field(default_factory=list)  # each of the ten
    server_rss_mib: float = 0.0  # the SSH server with ten sessions (ssh mode only)


def status_kib(pid: int, field_name: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(f"{field_name}:"):
            return int(line.split()[1])
    raise TerminalError(f"no {field_name} for process {pid}")


class SshServer:
    """`tui-crm serve` on a free loopback port, with one key allowed (user `bench`)."""

    def __init__(self, db: Path):
        import asyncssh

        WORK.mkdir(parents=True, exist_ok=True)
        self.key = WORK / "id_bench"
        if not self.key.exists():
            private = asyncssh.generate_private_key("ssh-ed25519")
            fd = os.open(self.key, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "wb") as handle:
                handle.write(private.export_private_key())
        public = asyncssh.read_private_key(self.key).export_public_key().decode().split()
        keys = WORK / "keys"
        keys.write_text(f"{public[0]} {public[1]} bench\n")
        self.proc = subprocess.Popen(
            [TUI_CRM, "serve", "--port", "0", "--db", str(db), "--keys", str(keys),
             "--host-key", str(WORK / "host_key"), "--log", str(WORK / "serve.log"),
             "--max-per-user", str(BESIDE + 1)],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        assert self.proc.stdout
        ready, _, _ = select.select([self.proc.stdout], [], [], 60)
        first = self.proc.stdout.readline() if ready else ""
        if "listening on" not in first:
            self.proc.kill()
            raise TerminalError(f"tui-crm serve did not start: {first!r}")
        self.port = int(first.strip().rsplit(":", 1)[1])

    def argv(self) -> list[str]:
        return ["ssh", "-tt",
                "-F", "/dev/null", "-i", str(self.key), "-p", str(self.port),
                "-o", "IdentitiesOnly=yes", "-o", "IdentityAgent=none",
                "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null",
                "-o", "BatchMode=yes", "-o", "LogLevel=ERROR", "127.0.0.1"]

    def session_pids(self) -> set[int]:
        pids: set[int] = set()
        for task in Path(f"/proc/{self.proc.pid}/task").glob("*"):
            try:
                pids |= {int(p) for p in (task / "children").read_text().split()}
            except OSError:
                pass
        return pids

    def close(self) -> None:
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        for stream in (self.proc.stdout, self.proc.stderr):
            if stream:
                stream.close()


class Mode:
    """How a session is started: the app itself, or over SSH."""

    name = "direct"

    def __init__(self, tmux: Tmux, db: Path, expected: Expected):
        self.tmux = tmux
        self.db = db
        self.expected = expected

    def open(self) -> tuple[Pane, int]:
        """A session on the board, its first card drawn; the pane and the app's pid."""
        pane = self.tmux.start([TUI_CRM, "--db", str(self.db), "--screen", "pipeline"])
        self.wait_for_board(pane)
        return pane, pane.pid

    def wait_for_board(self, pane: Pane) -> None:
        pane.wait_for(lambda s: _shows(s, *self.expected.first_card), time.perf_counter(),
                      what="the board's first card")


class SshMode(Mode):
    name = "ssh"

    def __init__(self, tmux: Tmux, db: Path, expected: Expected, server: SshServer):
        super().__init__(tmux, db, expected)
        self.server = server

    def open(self) -> tuple[Pane, int]:
        before = self.server.session_pids()
        pane = self.tmux.start(self.server.argv())
        pane.wait_for(lambda s: "signed in as bench" in s, time.perf_counter(),
                      what="the served app")
        pane.press("3")  # a served session opens on Leads
        self.wait_for_board(pane)
        new = self.server.session_pids() - before
        if len(new) != 1:
            raise TerminalError(f"cannot tell the session's process among {new}")
        return pane, new.pop()


def timed_moves(pane: Pane, expected: Expected, moves: int) -> list[float]:
    """The first deal moved a stage on and back ``moves`` times: each key to both
    columns' new counts drawn."""
    times = []
    for _ in range(moves):
        for key, forward in ((">", True), ("<", False)):
            counts = list(expected.column_counts)
            if forward:
                counts[0] -= 1
                counts[1] += 1
            want = tuple(counts)
            time.sleep(PAUSE)
            start = time.perf_counter()
            pane.press(key)
            times.append(pane.wait_for(lambda s, w=want: header_counts(s, len(w)) == w, start,
                                       what=f"column counts {want} after {key}"))
    return times


def run_mode(mode: Mode, moves: int = MOVES) -> ModeResult:
    """One round of a mode: the session alone, then with nine more open beside it."""
    result = ModeResult()
    panes: list[Pane] = []
    try:
        pane, pid = mode.open()
        panes.append(pane)
        result.moves_alone = timed_moves(pane, mode.expected, moves)
        result.rss_alone_mib = status_kib(pid, "VmRSS") / 1024
        pids = [pid]
        for _ in range(BESIDE):
            other, other_pid = mode.open()
            panes.append(other)
            pids.append(other_pid)
        result.moves_among_10 = timed_moves(pane, mode.expected, moves)
        result.rss_among_10_mib = [status_kib(p, "VmRSS") / 1024 for p in pids]
        if isinstance(mode, SshMode):
            result.server_rss_mib = status_kib(mode.server.proc.pid, "VmRSS") / 1024
    finally:
        for each in panes:
            each.close(("C-q",))
    return result
