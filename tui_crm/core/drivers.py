"""The PostgreSQL driver of the open database: the app draws its first screen through
psycopg2, which loads in a fifth of psycopg 3's time, then brings psycopg 3 (prepared
statements, the pipeline, COPY); each thread's connection moves to it at its next
statement outside a transaction (``core.db.ReconnectingPostgres``)."""

from __future__ import annotations

import sys

from tui_crm.core import models
from tui_crm.core.db import Psycopg3Adapter, ReconnectingPostgres


def _started_on_psycopg2() -> ReconnectingPostgres | None:
    """The open database, when it is PostgreSQL still on psycopg2's adapter."""
    database = models.db.obj
    if isinstance(database, ReconnectingPostgres) \
            and not isinstance(database.adapter, Psycopg3Adapter):
        return database
    return None


def load_full_driver() -> bool:
    """Bring psycopg 3 to the open database when it started on psycopg2, as the app
    does: psycopg2 loads in a fifth of the time, so the first screen is drawn sooner,
    and psycopg 3 (prepared statements, the pipeline, COPY) is loaded once it is
    shown. Each thread's connection moves to it at the thread's next statement
    outside a transaction. True when it was loaded now."""
    database = _started_on_psycopg2()
    if database is None:
        return False
    if "psycopg" in sys.modules and sys.modules["psycopg"] is None:
        del sys.modules["psycopg"]  # kept out at the start (tui_crm.__main__)
    try:
        adapter = Psycopg3Adapter()
    except ImportError:
        return False  # not installed: psycopg2 it stays
    database.use_driver(adapter)
    return True


# From this far (a round trip), psycopg 3 reads the first screen sooner, though it
# loads 50-60 ms later: its pipeline sends the first board's five statements in two
# round trips, where psycopg2 takes five.
FAR_ROUND_TRIP_S = 0.015


def load_full_driver_if_far() -> bool:
    """Load psycopg 3 now, before the first screen is read, when the open database's
    server is far (``FAR_ROUND_TRIP_S``); this thread's connection moves to it. True
    when it did. Called before the app starts: near a server, the app loads psycopg 3
    only once its first screen is shown (``load_full_driver``)."""
    database = _started_on_psycopg2()
    if database is None or database.round_trip() < FAR_ROUND_TRIP_S:
        return False
    if not load_full_driver():
        return False
    move_to_full_driver()
    return True


def connection_to_move_to() -> object | None:
    """A connection of the open database's newest driver, opened here for another
    thread to move to (``move_to_full_driver``): that thread waits on no network.
    None when it cannot be opened (the other thread moves at its next statement)."""
    database = models.db.obj
    if not isinstance(database, ReconnectingPostgres):
        return None
    return database.spare_connection()


def move_to_full_driver(connection: object | None = None) -> None:
    """This thread's connection to psycopg 3 now, if ``load_full_driver`` brought it
    and the thread is outside a transaction (else it moves at its next statement):
    to ``connection`` (``connection_to_move_to``) if given, closed if not taken."""
    database = models.db.obj
    if isinstance(database, ReconnectingPostgres):
        database.move_to_newest_driver(connection)
