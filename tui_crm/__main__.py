"""`python -m tui_crm` and the `tui-crm` command: the command line, started lean."""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence

DRIVER = "psycopg"


def names_postgres(argv: Sequence[str], env_url: str) -> bool:
    """Whether the command could open a PostgreSQL database (``--db`` or TUI_CRM_DB)."""
    return any("postgres" in arg for arg in argv) or "postgres" in env_url


def run() -> int:
    """Run the command line; without loading the PostgreSQL driver when no PostgreSQL
    database is named.

    Peewee imports psycopg whenever it is installed, which costs a third of a second
    and more at every start, before the first screen is drawn; a SQLite run never uses it.
    """
    if not names_postgres(sys.argv[1:], os.environ.get("TUI_CRM_DB", "")):
        sys.modules.setdefault(DRIVER, None)  # `import psycopg` now fails fast
    from tui_crm.cli import main

    return main()


if __name__ == "__main__":
    raise SystemExit(run())
