"""`python -m tui_crm` and the `tui-crm` command: the command line, started lean."""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence

DRIVER = "psycopg"  # psycopg 3: prepared statements, COPY, LISTEN
QUICK_DRIVER = "psycopg2"  # loads in a fifth of the time: for commands that run and exit

# Commands that stay (the app, the server) or load rows in bulk (COPY) keep psycopg 3.
STAYING = frozenset({None, "serve", "demo", "import"})
_GLOBAL_OPTIONS_WITH_VALUE = frozenset({"--db", "--user", "--screen"})


def names_postgres(argv: Sequence[str], env_url: str) -> bool:
    """Whether the command could open a PostgreSQL database (``--db`` or TUI_CRM_DB)."""
    return any("postgres" in arg for arg in argv) or "postgres" in env_url


def command_of(argv: Sequence[str]) -> str | None:
    """The command named in ``argv`` (None: the app), read the way the parser reads it."""
    words = iter(argv)
    for word in words:
        if word in _GLOBAL_OPTIONS_WITH_VALUE:
            next(words, None)
        elif not word.startswith("-"):
            return word
    return None


def drivers_to_skip(argv: Sequence[str], env_url: str) -> tuple[str, ...]:
    """The PostgreSQL drivers this run does without.

    Peewee imports every driver that is installed, and each costs time at every start:
    psycopg 3 about a tenth of a second, psycopg2 a fiftieth. A SQLite run needs
    neither; a command that runs a few statements and exits (``forecast --json``, a
    script's ``today``) needs only the quick one, and takes psycopg 3 only when psycopg2
    is missing; the app, ``serve`` and the bulk loads need psycopg 3.
    """
    if not names_postgres(argv, env_url):
        return (DRIVER, QUICK_DRIVER)
    if command_of(argv) in STAYING or not _installed(QUICK_DRIVER):
        return (QUICK_DRIVER,)
    return (DRIVER,)


def _installed(name: str) -> bool:
    from importlib.util import find_spec

    return find_spec(name) is not None


def run() -> int:
    """Run the command line, loading only the database driver it uses."""
    for name in drivers_to_skip(sys.argv[1:], os.environ.get("TUI_CRM_DB", "")):
        sys.modules.setdefault(name, None)  # `import name` now fails fast
    from tui_crm.cli import main

    return main()


if __name__ == "__main__":
    raise SystemExit(run())
