"""The app of one SSH session: a process on a pseudo-terminal, wired to the channel.

Keys go from the channel to the pty, the screen from the pty to the channel; window
sizes are set on the pty (TIOCSWINSZ: the kernel sends the app SIGWINCH). The process
leads a session of its own, its pty its controlling terminal, so a signal reaches it
and only it. Its end is watched through a pidfd, without a thread.
"""

from __future__ import annotations

import asyncio
import errno
import fcntl
import os
import pty
import signal
import struct
import subprocess
import sys
import termios
from collections.abc import Callable, Mapping

READ_CHUNK = 65536
FEED_LIMIT = 256 * 1024  # keys waiting for the app beyond this pause the channel


# Of the server's own environment, what describes its terminal or login, not the
# session's: an agent socket, a display, the admin's terminal and multiplexer.
SERVER_ONLY = ("COLUMNS", "LINES", "TERM", "COLORTERM", "NO_COLOR", "DISPLAY", "XAUTHORITY",
               "WINDOWID", "STY", "TUI_CRM_USER")
SERVER_ONLY_PREFIXES = ("SSH_", "TMUX", "TERM_", "KONSOLE_", "VTE_", "WT_")
# What a client may set (ssh SendEnv/SetEnv): how its terminal shows colours.
FROM_CLIENT = ("COLORTERM", "NO_COLOR")


def child_environment(db_url: str, term: str,
                      client_env: Mapping[str, str] | None = None) -> dict[str, str]:
    """The server's environment, with the session's terminal type and database.

    Of what the client sends, only its colour settings are passed on. The database goes
    in the environment rather than on the command line, where a password in a
    PostgreSQL URL would show in ``ps``.
    """
    env = {k: v for k, v in os.environ.items()
           if k not in SERVER_ONLY and not k.startswith(SERVER_ONLY_PREFIXES)}
    for name in FROM_CLIENT:
        value = (client_env or {}).get(name)
        if isinstance(value, str) and len(value) <= 64 and value.isprintable():
            env[name] = value
    env.update(TERM=term, TUI_CRM_DB=db_url, TUI_CRM_SERVED="1")
    return env


def set_window_size(fd: int, size: tuple[int, int, int, int]) -> None:
    columns, rows, xpixels, ypixels = size
    fcntl.ioctl(fd, termios.TIOCSWINSZ,
                struct.pack("HHHH", max(rows, 1), max(columns, 1), ypixels, xpixels))


class AppProcess:
    """A running ``python -m tui_crm.serve.session USER`` on a pty, joined to a channel."""

    def __init__(self, popen: subprocess.Popen, master: int, channel,
                 on_exit: Callable[[int], None]):
        self.popen = popen
        self.master = master
        self.channel = channel
        self.on_exit = on_exit
        self.loop = asyncio.get_running_loop()
        self.pending = bytearray()
        self.writing = False
        self.reading = False
        self.ended = False
        self.kill_timer: asyncio.TimerHandle | None = None
        self.pidfd = os.pidfd_open(popen.pid)
        self.loop.add_reader(self.pidfd, self.exited)
        self.resume_output()

    @classmethod
    def start(cls, *, user: str, db_url: str, term: str, size: tuple[int, int, int, int],
              grace: float, channel, on_exit: Callable[[int], None],
              client_env: Mapping[str, str] | None = None) -> AppProcess:
        master, slave = pty.openpty()
        try:
            set_window_size(slave, size)
            popen = subprocess.Popen(
                [sys.executable, "-m", "tui_crm.serve.session", "--grace", f"{grace:g}",
                 "--", user],
                stdin=slave, stdout=slave, stderr=slave,
                env=child_environment(db_url, term, client_env),
                start_new_session=True, close_fds=True)
        except BaseException:
            os.close(master)
            raise
        finally:
            os.close(slave)  # the app's copy is its own: EIO on master once it is gone
        os.set_blocking(master, False)
        return cls(popen, master, channel, on_exit)

    @property
    def pid(self) -> int:
        return self.popen.pid

    # -- keys in ------------------------------------------------------------------------

    def feed(self, data: bytes) -> None:
        if self.ended:
            return
        self.pending += data
        self.flush_input()

    def flush_input(self) -> None:
        while self.pending:
            try:
                written = os.write(self.master, self.pending)
            except BlockingIOError:
                break
            except OSError:
                self.pending.clear()  # the app is gone; its end is on its way
                break
            del self.pending[:written]
        want = bool(self.pending) and not self.ended
        if want != self.writing:
            if want:
                self.loop.add_writer(self.master, self.flush_input)
            else:
                self.loop.remove_writer(self.master)
            self.writing = want
        if self.channel is not None:
            if len(self.pending) > FEED_LIMIT:
                self.channel.pause_reading()
            else:
                self.channel.resume_reading()

    def resize(self, size: tuple[int, int, int, int]) -> None:
        if not self.ended:
            set_window_size(self.master, size)

    # -- screen out -----------------------------------------------------------------------

    def pause_output(self) -> None:
        if self.reading:
            self.loop.remove_reader(self.master)
            self.reading = False

    def resume_output(self) -> None:
        if not self.reading and not self.ended:
            self.loop.add_reader(self.master, self.read_output)
            self.reading = True

    def read_output(self) -> bool:
        """Pass what the app wrote on to the channel; False once there is no more."""
        try:
            data = os.read(self.master, READ_CHUNK)
        except BlockingIOError:
            return True
        except OSError as exc:
            if exc.errno != errno.EIO:  # EIO: the app closed the terminal
                raise
            data = b""
        if not data:
            self.pause_output()
            return False
        if self.channel is not None:
            try:
                self.channel.write(data)
            except (BrokenPipeError, OSError):
                self.channel = None
        return True

    # -- ending ---------------------------------------------------------------------------

    def drain(self) -> None:
        """Pass on what the app wrote before it ended (still in the pty), up to a bound."""
        for _ in range(64):
            try:
                data = os.read(self.master, READ_CHUNK)
            except OSError:  # BlockingIOError: all read; EIO: the terminal is closed
                return
            if not data or self.channel is None:
                return
            try:
                self.channel.write(data)
            except (BrokenPipeError, OSError):
                return

    def signal(self, signum: int, kill_after: float) -> None:
        """Send ``signum`` to the app; kill it if it is still there ``kill_after`` later."""
        if self.ended:
            return
        try:
            os.killpg(self.pid, signum)
        except ProcessLookupError:
            return
        if self.kill_timer is None:
            self.kill_timer = self.loop.call_later(kill_after, self.kill)

    def hang_up(self, kill_after: float) -> None:
        """The client is gone: nothing more to show, end the app."""
        self.channel = None
        self.signal(signal.SIGHUP, kill_after)

    def kill(self) -> None:
        if not self.ended:
            try:
                os.killpg(self.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass

    def exited(self) -> None:
        """The process ended: pass on the last of its screen, then report its status."""
        self.loop.remove_reader(self.pidfd)
        os.close(self.pidfd)
        status = self.popen.wait()
        self.drain()
        self.ended = True
        self.pause_output()
        if self.writing:
            self.loop.remove_writer(self.master)
            self.writing = False
        os.close(self.master)
        if self.kill_timer is not None:
            self.kill_timer.cancel()
        self.on_exit(status if status >= 0 else 128 - status)
