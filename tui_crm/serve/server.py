"""The SSH server: keyholders in, each session the app in its own process on a pty.

Nothing else is served: no passwords, no shell, no commands, no forwarding of any
kind, no agent, no SFTP or SCP. The interface is not imported here; the app runs in
``python -m tui_crm.serve.session`` processes.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import re
import signal
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

import asyncssh

from tui_crm.core.errors import CrmError
from tui_crm.core.text import printable
from tui_crm.serve.hostkey import load_or_create_host_key
from tui_crm.serve.keys import KeysFile, KeyUser
from tui_crm.serve.pty_process import AppProcess

DEFAULT_TERM = "xterm-256color"
TERM_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._+-]{0,63}")
KILL_AFTER_S = 3.0  # after being told to end, a session process that lingers is killed
LOGIN_TIMEOUT_S = 60
PENDING_MIN = 16  # connections not yet signed in, at least; else twice --max-sessions


@dataclass
class Options:
    """What `tui-crm serve` was asked for."""

    host: str
    port: int
    db_url: str
    keys_path: Path
    host_key_path: Path
    max_sessions: int = 32
    max_per_user: int = 4
    idle_timeout: float = 30 * 60.0
    grace: float = 5.0
    log: TextIO = field(default_factory=lambda: sys.stderr)


def parse_duration(text: str) -> float:
    """Seconds from ``90s``, ``30m``, ``2h`` or a plain number of minutes."""
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([smh]?)\s*", text)
    if not match:
        raise ValueError(f"not a duration: {text!r} (e.g. 90s, 30m, 2h)")
    number, unit = float(match[1]), match[2] or "m"
    return number * {"s": 1, "m": 60, "h": 3600}[unit]


def describe_duration(seconds: float) -> str:
    if seconds >= 3600 and seconds % 3600 == 0:
        return f"{seconds / 3600:g} h"
    if seconds >= 60 and seconds % 60 == 0:
        return f"{seconds / 60:g} min"
    return f"{seconds:g} s"


class Server:
    """The state shared by every connection: keys, open sessions, limits, the log."""

    def __init__(self, options: Options):
        self.options = options
        self.keys = KeysFile(options.keys_path, self.note)
        self.sessions: set[Session] = set()
        self.connections: set[Connection] = set()
        self.closing = False
        self.pending_limit = max(PENDING_MIN, 2 * options.max_sessions)

    # -- the log ------------------------------------------------------------------------

    def note(self, text: str) -> None:
        """One line of the log: the time, then ``text``."""
        stamp = dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        try:
            self.options.log.write(f"{stamp} {printable(text, single_line=True)}\n")
            self.options.log.flush()
        except (OSError, ValueError):
            pass  # a full disk or a closed log must not take sessions down

    # -- limits -------------------------------------------------------------------------

    def refusal(self, user: str) -> str | None:
        """Why a new session for ``user`` is refused, or None when it may open."""
        if self.closing:
            return "the server is shutting down"
        if len(self.sessions) >= self.options.max_sessions:
            return f"the server is full ({self.options.max_sessions} sessions)"
        per_user = Counter(s.user for s in self.sessions)
        if per_user[user] >= self.options.max_per_user:
            return f"{user} already has {self.options.max_per_user} sessions open"
        return None

    # -- shutdown -----------------------------------------------------------------------

    async def shut_down(self) -> None:
        """Tell every session, give them the grace period, then close what is left."""
        self.closing = True
        sessions = list(self.sessions)
        if sessions:
            self.note(f"shutting down: {len(sessions)} sessions told, "
                      f"{self.options.grace:g} s to save")
        for session in sessions:
            session.end("server shutdown", signal.SIGTERM)
        await wait_all([session.finished.wait() for session in sessions],
                       self.options.grace + 2 * KILL_AFTER_S)
        # Clients hang up once their session's channel is closed; then the rest are cut.
        await wait_all([c.closed.wait() for c in self.connections], KILL_AFTER_S)
        for connection in list(self.connections):
            connection.close()
        await wait_all([c.closed.wait() for c in self.connections], KILL_AFTER_S)


async def wait_all(waits, timeout: float) -> None:
    """Wait for every one of ``waits``, for ``timeout`` seconds at most."""
    if waits:
        await asyncio.wait([asyncio.ensure_future(w) for w in waits], timeout=timeout)


class Connection(asyncssh.SSHServer):
    """One client connection: public key authentication only, sessions only."""

    def __init__(self, server: Server):
        self.server = server
        self.conn: asyncssh.SSHServerConnection | None = None
        self.address = "?"
        self.offered: KeyUser | None = None  # the key user being authenticated
        self.offered_fingerprint = ""
        self.who: KeyUser | None = None
        self.sessions = 0
        self.outcome = "closed before authentication"
        self.closed = asyncio.Event()
        self.idle_timer: asyncio.TimerHandle | None = None
        self.refused: list[str] = []  # forwarding asked for and refused
        self.lost = False

    # -- connection -------------------------------------------------------------------

    def connection_made(self, conn: asyncssh.SSHServerConnection) -> None:
        self.conn = conn
        peer = conn.get_extra_info("peername") or ("?", 0)
        self.address = f"{peer[0]}:{peer[1]}"
        self.server.connections.add(self)
        waiting = sum(1 for c in self.server.connections if c.who is None)
        if waiting > self.server.pending_limit:
            # A flood of connections that never sign in (scanners, a denial of service)
            # must not use up the memory the sessions need.
            self.outcome = (f"refused: {self.server.pending_limit} connections already "
                            "waiting to authenticate")
            conn.close()

    def connection_lost(self, exc: Exception | None) -> None:
        self.server.connections.discard(self)
        if self.idle_timer:
            self.idle_timer.cancel()
        self.lost = True
        if self.sessions == 0:
            self.report()

    def session_ended(self) -> None:
        self.sessions -= 1
        if self.lost and self.sessions == 0:
            self.report()

    def report(self) -> None:
        """The connection's log line, once it and its sessions are over."""
        user = self.who.user if self.who else "-"
        key = (self.who.fingerprint if self.who else self.offered_fingerprint) or "-"
        refused = "".join(f"; refused {what}" for what in dict.fromkeys(self.refused))
        self.server.note(f"connection from={self.address} user={user} key={key} "
                         f"ended: {self.outcome}{refused}")
        self.closed.set()

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()

    # -- authentication: public keys only ------------------------------------------------

    def begin_auth(self, username: str) -> bool:
        self.outcome = "refused: not authenticated (no known key offered)"
        return True  # every connection authenticates; the login name itself is unused

    def password_auth_supported(self) -> bool:
        return False

    def kbdint_auth_supported(self) -> bool:
        return False

    def host_based_auth_supported(self) -> bool:
        return False

    def public_key_auth_supported(self) -> bool:
        return True

    def validate_public_key(self, username: str, key: asyncssh.SSHKey) -> bool:
        entry = self.server.keys.user_of(key)
        if entry is None:
            self.offered_fingerprint = key.get_fingerprint("sha256")
            self.outcome = "refused: unknown key"
            return False
        self.offered = entry
        return True

    def validate_ca_key(self, username: str, key: asyncssh.SSHKey) -> bool:
        return False  # certificates are not accepted: a key is in the file or it is not

    def auth_completed(self) -> None:
        self.who = self.offered
        self.outcome = "closed without a session"
        self.arm_idle_timer()

    # -- nothing but sessions -----------------------------------------------------------

    def session_requested(self) -> asyncssh.SSHServerSession | bool:
        if self.who is None:
            return False
        return Session(self.server, self, self.who)

    def connection_requested(self, *args) -> bool:
        self.refused.append("port forwarding")
        raise asyncssh.ChannelOpenError(asyncssh.OPEN_ADMINISTRATIVELY_PROHIBITED,
                                        "this server serves the CRM only")

    def server_requested(self, *args) -> bool:
        self.refused.append("remote port forwarding")
        return False

    def unix_connection_requested(self, *args) -> bool:
        self.refused.append("socket forwarding")
        raise asyncssh.ChannelOpenError(asyncssh.OPEN_ADMINISTRATIVELY_PROHIBITED,
                                        "this server serves the CRM only")

    def unix_server_requested(self, *args) -> bool:
        self.refused.append("remote socket forwarding")
        return False

    def tun_requested(self, *args) -> bool:
        self.refused.append("tunnel")
        return False

    def tap_requested(self, *args) -> bool:
        self.refused.append("tunnel")
        return False

    # -- a connection holding no session times out too ----------------------------------

    def arm_idle_timer(self) -> None:
        loop = asyncio.get_running_loop()
        self.idle_timer = loop.call_later(self.server.options.idle_timeout, self.idle_check)

    def idle_check(self) -> None:
        if self.sessions == 0:
            self.outcome = "closed: idle without a session"
            self.close()
        else:
            self.arm_idle_timer()


class Session(asyncssh.SSHServerSession):
    """One session channel: the app on a pty, or one line saying why not."""

    def __init__(self, server: Server, connection: Connection, who: KeyUser):
        self.server = server
        self.connection = connection
        self.who = who
        self.user = who.user
        self.chan: asyncssh.SSHServerChannel | None = None
        self.term: str | None = None
        self.size = (80, 24, 0, 0)
        self.command: str | None = None
        self.process: AppProcess | None = None
        self.ending: str | None = None  # why the server ends it, when it does
        self.finished = asyncio.Event()
        self.last_input = 0.0
        self.idle_timer: asyncio.TimerHandle | None = None
        self.gone = False  # the client closed its side

    # -- what the client asks for --------------------------------------------------------

    def connection_made(self, chan: asyncssh.SSHServerChannel) -> None:
        self.chan = chan

    def pty_requested(self, term_type: str, term_size, term_modes) -> bool:
        self.term = term_type if TERM_NAME.fullmatch(term_type or "") else DEFAULT_TERM
        self.size = term_size
        return True

    def shell_requested(self) -> bool:
        return True  # "the shell" is the app

    def exec_requested(self, command: str) -> bool:
        self.command = command  # accepted, to be answered with one line (a refusal)
        return True

    def subsystem_requested(self, subsystem: str) -> bool:
        self.connection.outcome = f"refused: subsystem {subsystem}"
        return False

    def session_started(self) -> None:
        why = self.refusal()
        if why:
            self.refuse(why)
            return
        self.start_app()

    def refusal(self) -> str | None:
        if self.command is not None:
            return "this server runs the CRM only and takes no command: connect without one"
        if self.term is None:
            return "the CRM needs a terminal: connect with ssh -t"
        return self.server.refusal(self.user)

    def refuse(self, why: str) -> None:
        what = f" {self.command!r}" if self.command is not None else ""
        self.connection.outcome = f"refused{what}: {why}"
        assert self.chan is not None
        self.chan.write_stderr(f"tui-crm: {why}.\r\n".encode())
        self.chan.exit(1)
        self.finished.set()

    # -- the app ---------------------------------------------------------------------

    def start_app(self) -> None:
        self.server.sessions.add(self)
        self.connection.sessions += 1
        self.connection.outcome = "session open"
        try:
            self.process = AppProcess.start(
                user=self.user, db_url=self.server.options.db_url, term=self.term or "",
                size=self.size, grace=self.server.options.grace, channel=self.chan,
                on_exit=self.app_exited, client_env=self.client_environment())
        except OSError as exc:
            self.server.sessions.discard(self)
            self.connection.session_ended()
            self.refuse(f"the app could not start ({exc.strerror or exc})")
            return
        self.last_input = asyncio.get_running_loop().time()
        self.arm_idle_timer()

    def client_environment(self) -> dict[str, str]:
        """What the client asked to set (ssh SendEnv, SetEnv), as text."""
        assert self.chan is not None
        env = {}
        for name, value in self.chan.get_environment().items():
            if isinstance(name, bytes):
                name = name.decode("utf-8", "replace")
            if isinstance(value, bytes):
                value = value.decode("utf-8", "replace")
            env[name] = value
        return env

    def app_exited(self, status: int) -> None:
        """The app's process ended: say why if the server ended it, close the channel."""
        self.server.sessions.discard(self)
        if self.idle_timer:
            self.idle_timer.cancel()
        if status < 0:  # ended by a signal: the shell's convention, 128 + its number
            status = 128 - status
        status = min(max(status, 0), 255)
        how = self.ending or f"app quit (status {status})"
        if self.ending is None and status != 0:
            how = f"app failed (status {status})"
        self.connection.outcome = how
        self.finished.set()
        self.connection.session_ended()
        if self.chan is None or self.gone:
            return
        try:
            if self.ending in ("server shutdown", "idle timeout"):
                text = ("the server is shutting down" if self.ending == "server shutdown"
                        else "closed after "
                        f"{describe_duration(self.server.options.idle_timeout)} without a key")
                self.chan.write_stderr(f"\r\ntui-crm: {text}.\r\n".encode())
            self.chan.exit(status)
        except (BrokenPipeError, OSError):
            pass  # the client went away meanwhile
        except Exception:  # noqa: BLE001 - the channel must close whatever went wrong
            self.chan.close()

    def end(self, why: str, signum: int) -> None:
        """The server ends this session: tell the app with ``signum``."""
        if self.process is None or self.finished.is_set():
            return
        self.ending = self.ending or why
        self.process.signal(signum, kill_after=(self.server.options.grace + KILL_AFTER_S
                                                if signum == signal.SIGTERM else KILL_AFTER_S))

    # -- what flows in --------------------------------------------------------------------

    def data_received(self, data: bytes, datatype) -> None:
        if self.process is None:
            return
        self.last_input = asyncio.get_running_loop().time()
        self.process.feed(data)

    def terminal_size_changed(self, width: int, height: int, pixwidth: int,
                              pixheight: int) -> None:
        self.size = (width, height, pixwidth, pixheight)
        if self.process is not None:
            self.process.resize(self.size)

    def eof_received(self) -> bool:
        self.client_gone()
        return False

    def connection_lost(self, exc: Exception | None) -> None:
        self.client_gone()

    def client_gone(self) -> None:
        """Closing the client ends the app's process."""
        self.gone = True
        if self.process is not None and not self.finished.is_set():
            self.ending = self.ending or "client closed"
            self.process.hang_up(kill_after=KILL_AFTER_S)

    def pause_writing(self) -> None:
        if self.process is not None:
            self.process.pause_output()

    def resume_writing(self) -> None:
        if self.process is not None:
            self.process.resume_output()

    # -- idle timeout -------------------------------------------------------------------

    def arm_idle_timer(self, delay: float | None = None) -> None:
        loop = asyncio.get_running_loop()
        self.idle_timer = loop.call_later(
            self.server.options.idle_timeout if delay is None else delay, self.idle_check)

    def idle_check(self) -> None:
        if self.finished.is_set():
            return
        left = self.last_input + self.server.options.idle_timeout \
            - asyncio.get_running_loop().time()
        if left > 0:
            self.arm_idle_timer(left)
            return
        self.end("idle timeout", signal.SIGUSR1)


async def run_server(options: Options, ready=None) -> int:
    """Serve until SIGTERM or SIGINT; 0 once every session is closed."""
    host_key, created = load_or_create_host_key(options.host_key_path)
    server = Server(options)
    logging.getLogger("asyncssh").setLevel(logging.CRITICAL)
    try:
        listener = await asyncssh.create_server(
            lambda: Connection(server), options.host, options.port,
            server_host_keys=[host_key], encoding=None,
            password_auth=False, kbdint_auth=False, host_based_auth=False,
            public_key_auth=True, gss_host=None,
            agent_forwarding=False, x11_forwarding=False, allow_scp=False,
            sftp_factory=None, login_timeout=LOGIN_TIMEOUT_S,
            keepalive_interval=60, keepalive_count_max=3)
    except OSError as exc:
        raise CrmError(f"Cannot listen on {options.host}:{options.port}: "
                       f"{exc.strerror or exc}.") from exc
    port = listener.sockets[0].getsockname()[1]
    made = "made now, " if created else ""
    print(f"tui-crm serve: listening on {options.host}:{port}\n"
          f"host key ({made}{options.host_key_path}): "
          f"{host_key.get_fingerprint('sha256')} (ED25519)\n"
          f"users connect with: ssh -p {port} {options.host}", flush=True)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    if ready is not None:
        ready(port)
    await stop.wait()
    server.note("signal received: stopping")
    listener.close()
    await server.shut_down()
    server.note("stopped")
    return 0


def serve(options: Options) -> int:
    return asyncio.run(run_server(options))

