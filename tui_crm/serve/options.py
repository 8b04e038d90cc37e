"""`tui-crm serve`'s options, kept here so the command line only names the command."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from tui_crm.core.db import is_postgres, resolve_url, sqlite_path
from tui_crm.core.errors import CrmError


def duration(text: str) -> float:
    from tui_crm.serve.server import parse_duration

    try:
        seconds = parse_duration(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    if seconds <= 0:
        raise argparse.ArgumentTypeError("must be more than 0")
    return seconds


def positive(text: str) -> int:
    try:
        number = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if number < 1:
        raise argparse.ArgumentTypeError("must be 1 or more")
    return number


def add_serve_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--host", default="127.0.0.1",
                        help="address to listen on (default: 127.0.0.1; 0.0.0.0 for all)")
    parser.add_argument("--port", type=int, default=2222, help="port (default: 2222; 0 picks "
                        "a free one)")
    parser.add_argument("--keys", metavar="FILE", type=Path,
                        help="authorized_keys file; the last word of each line is the CRM "
                             "user of that key (default: keys in the config directory)")
    parser.add_argument("--host-key", metavar="FILE", type=Path,
                        help="the server's private key, made on first start (default: "
                             "ssh_host_ed25519_key in the data directory)")
    parser.add_argument("--max-sessions", type=positive, default=32, metavar="N",
                        help="sessions open at once (default: 32)")
    parser.add_argument("--max-per-user", type=positive, default=4, metavar="N",
                        help="sessions open at once per user (default: 4)")
    parser.add_argument("--idle-timeout", type=duration, default=30 * 60.0, metavar="TIME",
                        help="close a session after this long without a key: 90s, 30m, 2h "
                             "(default: 30m)")
    parser.add_argument("--grace", type=duration, default=5.0, metavar="TIME",
                        help="how long sessions have to save when the server stops "
                             "(default: 5s)")
    parser.add_argument("--log", metavar="FILE", type=Path,
                        help="append the log (a line per connection) to FILE instead of "
                             "standard error")


def serve_from_args(args: argparse.Namespace) -> int:
    from tui_crm.serve.hostkey import default_host_key_path
    from tui_crm.serve.keys import default_keys_path
    from tui_crm.serve.server import Options, serve

    url = resolve_url(args.db)
    if not is_postgres(url):
        url = str(sqlite_path(url).resolve())  # sessions may start elsewhere
    keys = args.keys or default_keys_path()
    if not keys.exists():
        raise CrmError(f"There is no keys file at {keys}: write one line per user, an "
                       "OpenSSH public key followed by the user's name "
                       "(ssh-ed25519 AAAA... alice), or name one with --keys.")
    log = sys.stderr
    if args.log:
        try:
            log = args.log.open("a", encoding="utf-8")
        except OSError as exc:
            raise CrmError(f"Cannot write the log {args.log}: {exc.strerror}.") from exc
    from tui_crm.core import models

    models.db.close()  # the sessions open their own connections
    options = Options(host=args.host, port=args.port, db_url=url, keys_path=keys,
                      host_key_path=args.host_key or default_host_key_path(),
                      max_sessions=args.max_sessions, max_per_user=args.max_per_user,
                      idle_timeout=args.idle_timeout, grace=args.grace, log=log)
    try:
        return serve(options)
    finally:
        if log is not sys.stderr:
            log.close()
