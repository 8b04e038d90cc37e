"""A real terminal for the benchmarks: tmux, driven through one control-mode client.

Every command (start a program, press keys, read the screen) goes over the control
client's pipe, so polling the screen costs a round trip on a socket rather than a
process started per look. The server runs on its own socket, apart from any tmux the
user runs; ``close()`` ends it.
"""

from __future__ import annotations

import itertools
import os
import shlex
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

WIDTH, HEIGHT = 120, 40
POLL_S = 0.002  # between looks at the screen: fine enough, and leaves the CPU to the app


class TerminalError(RuntimeError):
    pass


class Tmux:
    """A private tmux server and a control client attached to a holding session."""

    def __init__(self, env: dict[str, str] | None = None):
        self.socket = f"tui-crm-bench-{os.getpid()}"
        self.env = {**os.environ, **(env or {})}
        self._names = itertools.count(1)
        subprocess.run(self._tmux("-f", "/dev/null", "new-session", "-d", "-s", "hold",
                                  "-x", str(WIDTH), "-y", str(HEIGHT), "cat"),
                       check=True, env=self.env)
        self._run_quiet("set-option", "-g", "remain-on-exit", "on")
        self._run_quiet("set-option", "-g", "status", "off")
        self.client = subprocess.Popen(self._tmux("-C", "attach-session", "-t", "hold"),
                                       stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                       stderr=subprocess.DEVNULL, env=self.env, text=True,
                                       bufsize=1)
        self._wait_attached()
        self.command("refresh-client", "-f", "no-output")

    def _wait_attached(self) -> None:
        """Commands sent before the client is attached fail with "no current client"."""
        assert self.client.stdout
        for line in self.client.stdout:
            if line.startswith("%session-changed"):
                return
        raise TerminalError("tmux control client did not attach")

    def _tmux(self, *args: str) -> list[str]:
        return ["tmux", "-L", self.socket, *args]

    def _run_quiet(self, *args: str) -> None:
        subprocess.run(self._tmux(*args), check=True, env=self.env)

    def command(self, *args: str) -> list[str]:
        """Run one tmux command over the control client; its output lines."""
        assert self.client.stdin and self.client.stdout
        self.client.stdin.write(" ".join(shlex.quote(a) for a in args) + "\n")
        self.client.stdin.flush()
        out: list[str] = []
        inside = False
        while True:
            line = self.client.stdout.readline()
            if not line:
                raise TerminalError(f"tmux control client ended during {args[0]}: {out}")
            line = line.rstrip("\n")
            if not inside:
                # Blocks flagged 0 answer no command of ours (the attach itself).
                inside = line.startswith("%begin ") and line.endswith(" 1")
                continue
            if line.startswith("%end "):
                return out
            if line.startswith("%error "):
                raise TerminalError(f"tmux {' '.join(args)}: {' '.join(out)}")
            out.append(line)

    def start(self, argv: list[str], cwd: Path | None = None,
              size: tuple[int, int] = (WIDTH, HEIGHT)) -> Pane:
        """Start ``argv`` in a new detached window of ``size`` (default WIDTH x HEIGHT);
        returns at once."""
        name = f"run{next(self._names)}"
        cmd = " ".join(shlex.quote(a) for a in argv)
        if cwd is not None:
            cmd = f"cd {shlex.quote(str(cwd))} && exec {cmd}"
        else:
            cmd = f"exec {cmd}"
        self.command("new-session", "-d", "-s", name, "-x", str(size[0]), "-y", str(size[1]),
                     cmd)
        return Pane(self, name)

    def close(self) -> None:
        try:
            self.client.stdin.close() if self.client.stdin else None
            self.client.wait(timeout=5)
        except (OSError, subprocess.TimeoutExpired):
            self.client.kill()
        subprocess.run(self._tmux("kill-server"), env=self.env, stderr=subprocess.DEVNULL)


class Pane:
    """One program running in its own tmux session."""

    def __init__(self, tmux: Tmux, name: str):
        self.tmux = tmux
        self.name = name

    def screen(self) -> str:
        return "\n".join(self.tmux.command("capture-pane", "-p", "-t", self.name))

    def press(self, *keys: str) -> None:
        """Press keys by tmux name (``Enter``, ``S-Right``, ``>``)."""
        self.tmux.command("send-keys", "-t", self.name, *keys)

    def type(self, text: str) -> None:
        self.tmux.command("send-keys", "-l", "-t", self.name, text)

    @property
    def pid(self) -> int:
        return int(self.tmux.command("display-message", "-p", "-t", self.name,
                                     "#{pane_pid}")[0])

    @property
    def dead(self) -> bool:
        return self.tmux.command("display-message", "-p", "-t", self.name,
                                 "#{pane_dead}")[0] == "1"

    def size(self) -> tuple[int, int]:
        width, height = self.tmux.command("display-message", "-p", "-t", self.name,
                                          "#{pane_width} #{pane_height}")[0].split()
        return int(width), int(height)

    def wait_for(self, ready: Callable[[str], bool], since: float, timeout: float = 60.0,
                 what: str = "the screen") -> float:
        """Seconds from ``since`` (a perf_counter) until ``ready(screen)`` holds."""
        deadline = since + timeout
        while True:
            screen = self.screen()
            now = time.perf_counter()
            if ready(screen):
                return now - since
            if now > deadline:
                raise TerminalError(f"timed out waiting for {what}; the screen shows:\n"
                                    f"{screen}")
            if self.dead:
                raise TerminalError(f"the program ended while waiting for {what}; the "
                                    f"screen shows:\n{screen}")
            time.sleep(POLL_S)

    def peak_rss_kib(self) -> int:
        """The program's peak resident memory so far (VmHWM), in KiB."""
        status = Path(f"/proc/{self.pid}/status").read_text()
        for line in status.splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
        raise TerminalError("no VmHWM in /proc status")

    def close(self, quit_keys: tuple[str, ...] = ("q",), timeout: float = 10.0) -> None:
        """Quit the program with its own keys; kill the session if it does not end."""
        if not self.dead:
            self.press(*quit_keys)
        deadline = time.perf_counter() + timeout
        while not self.dead and time.perf_counter() < deadline:
            time.sleep(0.05)
        self.tmux.command("kill-session", "-t", self.name)
