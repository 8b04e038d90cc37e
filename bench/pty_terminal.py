"""A program on a real pseudo-terminal, and the bytes it writes to it.

What an SSH link carries is what the program writes to its terminal. ``PtyProgram``
starts a program on a pty of a fixed size and TERM, reads everything it writes, and
counts it: until the screen settles (nothing written for a while), after a key, or
over an idle stretch. ``by_column`` splits a burst of output by where on the screen
it was drawn (each cursor-position sequence starts a new piece), so the bytes of one
part of the screen (a list beside a detail panel) can be told apart.
"""

from __future__ import annotations

import fcntl
import os
import re
import select
import signal
import struct
import termios
import time

WIDTH, HEIGHT = 120, 40
TERM = "xterm-256color"
QUIET_S = 0.5  # nothing written for this long: the screen has settled
SETTLE_LIMIT_S = 60.0

KEYS = {"down": b"\x1b[B", "up": b"\x1b[A", "right": b"\x1b[C", "left": b"\x1b[D",
        "ctrl+q": b"\x11", "escape": b"\x1b"}

_CURSOR_TO = re.compile(rb"\x1b\[(\d+);(\d+)H")


class PtyError(RuntimeError):
    pass


def terminal_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    """The environment of a plain 256-colour terminal: nothing of the caller's own
    terminal (its colour depth, tmux, a Textual dev console) leaks in."""
    env = {key: value for key, value in os.environ.items()
           if key not in ("COLORTERM", "NO_COLOR", "TMUX", "TERM_PROGRAM", "TEXTUAL",
                          "FORCE_COLOR", "COLUMNS", "LINES")}
    env["TERM"] = TERM
    env.update(extra or {})
    return env


class PtyProgram:
    """``argv`` running on a pty of ``width`` x ``height``."""

    def __init__(self, argv: list[str], *, width: int = WIDTH, height: int = HEIGHT,
                 env: dict[str, str] | None = None, cwd: str | None = None):
        self.width, self.height = width, height
        pid, fd = os.forkpty()
        if pid == 0:  # the child: the size is set before the program looks at it
            try:
                fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", height, width, 0, 0))
                if cwd:
                    os.chdir(cwd)
                os.execvpe(argv[0], argv, env if env is not None else terminal_env())
            finally:
                os._exit(127)
        self.pid, self.fd = pid, fd
        self.output = bytearray()  # everything written so far
        self.ended = False

    def _read(self, timeout: float) -> bytes:
        """What the program writes within ``timeout`` seconds (b"" if nothing)."""
        if self.ended:
            return b""
        ready, _, _ = select.select([self.fd], [], [], timeout)
        if not ready:
            return b""
        try:
            data = os.read(self.fd, 65536)
        except OSError:  # EIO: the program ended and closed the terminal
            data = b""
        if not data:
            self.ended = True
        self.output += data
        return data

    def busy(self) -> bool:
        """Whether a thread of the program is running or waiting for a CPU (on a loaded
        machine a busy program can be silent for a while: that is not settled)."""
        try:
            tasks = os.listdir(f"/proc/{self.pid}/task")
        except FileNotFoundError:
            return False
        for task in tasks:
            try:
                with open(f"/proc/{self.pid}/task/{task}/stat", "rb") as stat:
                    state = stat.read().rsplit(b")", 1)[1].split()[0]
            except (FileNotFoundError, IndexError):
                continue
            if state in (b"R", b"D"):
                return True
        return False

    def settle(self, quiet: float = QUIET_S, limit: float = SETTLE_LIMIT_S) -> bytes:
        """Everything written until nothing more comes for ``quiet`` seconds and the
        program is idle (a program that has written nothing yet is waited for first:
        it is starting)."""
        got = bytearray()
        deadline = time.monotonic() + limit
        while not self.output and not self.ended and time.monotonic() < deadline:
            got += self._read(0.1)
        while True:
            data = self._read(quiet)
            if not data and not (self.busy() and not self.ended):
                return bytes(got)
            got += data
            if time.monotonic() > deadline:
                raise PtyError(f"still writing after {limit} s")

    def wait_for(self, text: bytes, limit: float = SETTLE_LIMIT_S) -> None:
        """Read until ``text`` has been written (then until the screen settles)."""
        deadline = time.monotonic() + limit
        while text not in self.output:
            if self.ended:
                raise PtyError(f"the program ended before writing {text!r}: "
                               f"{bytes(self.output[-2000:])!r}")
            if time.monotonic() > deadline:
                raise PtyError(f"{text!r} not written within {limit} s")
            self._read(0.1)
        self.settle()

    def press(self, key: str, quiet: float = QUIET_S) -> bytes:
        """Send one key (a name of KEYS, or the characters themselves); what the program
        writes in answer, until it is quiet again."""
        os.write(self.fd, KEYS.get(key, key.encode()))
        return self.settle(quiet)

    def idle(self, seconds: float) -> bytes:
        """What the program writes in ``seconds`` with no key pressed."""
        got = bytearray()
        deadline = time.monotonic() + seconds
        while (left := deadline - time.monotonic()) > 0:
            got += self._read(left)
        return bytes(got)

    def close(self) -> None:
        """Quit with ctrl+q; kill the program if it does not end."""
        if not self.ended:
            try:
                os.write(self.fd, KEYS["ctrl+q"])
            except OSError:
                pass
            deadline = time.monotonic() + 5
            while not self.ended and time.monotonic() < deadline:
                self._read(0.1)
        try:
            if os.waitpid(self.pid, os.WNOHANG) == (0, 0):
                os.kill(self.pid, signal.SIGKILL)
                os.waitpid(self.pid, 0)
        except ChildProcessError:
            pass
        os.close(self.fd)

    def __enter__(self) -> PtyProgram:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def by_column(data: bytes, split: int) -> tuple[int, int]:
    """Bytes drawn left of screen column ``split`` (0-based) and from it on: each
    cursor-position sequence starts a piece, counted where that sequence points."""
    left = right = 0
    pieces = list(_CURSOR_TO.finditer(data))
    left += pieces[0].start() if pieces else len(data)  # before any positioning
    for number, match in enumerate(pieces):
        end = pieces[number + 1].start() if number + 1 < len(pieces) else len(data)
        if int(match.group(2)) - 1 < split:
            left += end - match.start()
        else:
            right += end - match.start()
    return left, right


_ESCAPE = re.compile(rb"\x1b\[[0-9;?]*[A-Za-z]")


def rows_drawn(data: bytes) -> set[int]:
    """The screen rows (1-based) that ``data`` draws characters on (a cursor moved
    to a row and back draws nothing there)."""
    rows = set()
    pieces = list(_CURSOR_TO.finditer(data))
    for number, match in enumerate(pieces):
        end = pieces[number + 1].start() if number + 1 < len(pieces) else len(data)
        if _ESCAPE.sub(b"", data[match.end():end]).strip(b"\r\n"):
            rows.add(int(match.group(1)))
    return rows
