"""The PostgreSQL driver the open database uses, as the interface sees it: the app
draws its first screen through psycopg2 and then brings psycopg 3 (``core.db``)."""

from __future__ import annotations

from tui_crm.core import db


def load_full_driver() -> bool:
    """psycopg 3 for the open database, if it started on psycopg2; True when loaded now."""
    return db.load_full_driver()


def connection_to_move_to() -> object | None:
    """A psycopg 3 connection opened here for the screens' thread to take."""
    return db.connection_to_move_to()


def move_to_full_driver(connection: object | None = None) -> None:
    """This thread's connection to psycopg 3 now, outside a transaction."""
    db.move_to_full_driver(connection)
