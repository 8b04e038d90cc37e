"""One SSH session's app process: ``python -m tui_crm.serve.session [--grace S] USER``.

The server starts it on a pseudo-terminal with the database in TUI_CRM_DB; the user is
fixed by the server from the key that signed in, and nothing in the session changes
it. The server tells the process what happens with signals:

- SIGTERM: the server is shutting down. The app says so and quits after the grace
  period, so a form being typed can still be saved.
- SIGUSR1: the session timed out. The app quits at once (restoring the terminal).
- SIGHUP: the client is gone (default action: the process ends).
"""

from __future__ import annotations

import argparse
import asyncio
import fcntl
import os
import signal
import sys
import termios

from tui_crm.__main__ import start_lean


def claim_terminal() -> None:
    """Make the pseudo-terminal on stdin this session's controlling terminal, so the
    kernel sends it SIGWINCH on resizes and SIGHUP when the server side closes."""
    try:
        fcntl.ioctl(sys.stdin.fileno(), termios.TIOCSCTTY, 0)
    except OSError:
        pass  # the server signals the process itself as well


async def run_served(app, grace: float) -> None:
    loop = asyncio.get_running_loop()

    def shutting_down() -> None:
        app.notify(f"The server is shutting down: this session closes in {grace:g} s. "
                   "ctrl+s saves the form you are typing.",
                   title="tui-crm serve", severity="warning", timeout=grace + 1, markup=False)
        loop.call_later(grace, app.exit)

    loop.add_signal_handler(signal.SIGTERM, shutting_down)
    loop.add_signal_handler(signal.SIGUSR1, app.exit)
    await app.run_async()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="tui-crm-session")
    parser.add_argument("--grace", type=float, default=5.0)
    parser.add_argument("user")
    args = parser.parse_args(argv)
    # A session that times out (or a server that stops) before the app is up: end at
    # once and cleanly, not killed by the signal's default action.
    signal.signal(signal.SIGUSR1, lambda *_: sys.exit(0))
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    claim_terminal()
    # As `tui-crm` starts the app: no driver on SQLite; on PostgreSQL psycopg2 for the
    # first screen, psycopg 3 once it is shown.
    start_lean([], os.environ.get("TUI_CRM_DB", ""))
    from tui_crm.core import changelog
    from tui_crm.core.db import hide_secrets, open_database, resolve_url
    from tui_crm.core.drivers import load_full_driver_if_far
    from tui_crm.core.errors import CrmError

    changelog.set_user(args.user)
    url = resolve_url(None)
    try:
        open_database(url)
        load_full_driver_if_far()
    except CrmError as exc:
        print(f"tui-crm: {hide_secrets(str(exc), url)}", file=sys.stderr)
        return 1
    from tui_crm.ui.app import CrmApp

    app = CrmApp(db_label=f"signed in as {args.user}")
    asyncio.run(run_served(app, args.grace))
    return app.return_code or 0


if __name__ == "__main__":
    raise SystemExit(main())
