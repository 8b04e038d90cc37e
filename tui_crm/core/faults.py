"""Faults in words: any error met while reading or writing the database, as one sentence.

The interface and the command line both show ``explain(exc)`` instead of a traceback:
a read-only file, a full disk, a damaged file, a lost PostgreSQL server, a record
deleted by someone else meanwhile. Peewee wraps the driver's error (and a failed
rollback can hide the error that caused it), so the whole chain of causes is read.
"""

from __future__ import annotations

import errno
from collections.abc import Iterator

import peewee

from tui_crm.core.errors import CrmError

# PostgreSQL SQLSTATE classes and codes (https://www.postgresql.org/docs/current/errcodes-appendix.html)
_PG_CONNECTION_CLASSES = ("08", "57")  # connection exception; operator intervention
_PG_DISK_FULL = "53100"
_PG_OUT_OF_RANGE = ("22003", "22008")  # numeric value out of range; datetime field overflow
_PG_FOREIGN_KEY = "23503"
_PG_UNIQUE = "23505"
_PG_READ_ONLY = "25006"

# Words the drivers use when the connection to a server is gone.
_CONNECTION_LOST = ("server closed the connection", "terminating connection",
                    "connection is closed", "connection already closed", "connection refused",
                    "consuming input failed", "could not receive data", "could not send data",
                    "no connection to the server", "connection timed out", "ssl syscall",
                    "the connection is lost", "connection failed")


def causes(exc: BaseException) -> Iterator[BaseException]:
    """``exc``, then what caused it (explicitly or while it was being handled)."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        current = current.__cause__ or current.__context__


def _text(exc: BaseException) -> str:
    return str(exc).strip().lower()


def _sqlstate(exc: BaseException) -> str:
    # psycopg 3 names it sqlstate, psycopg2 pgcode
    return str(getattr(exc, "sqlstate", None) or getattr(exc, "pgcode", None) or "")


def is_connection_lost(exc: BaseException) -> bool:
    """True when the connection to a database server broke (the server stopped,
    restarted or cannot be reached): a new connection may well work."""
    for cause in causes(exc):
        state = _sqlstate(cause)
        if state[:2] in _PG_CONNECTION_CLASSES:
            return True
        if type(cause).__module__.startswith(("psycopg", "peewee")) \
                and any(words in _text(cause) for words in _CONNECTION_LOST):
            return True
    return False


def is_read_only(exc: BaseException) -> bool:
    return any("readonly database" in _text(cause) or "read-only" in _text(cause)
               or _sqlstate(cause) == _PG_READ_ONLY
               or getattr(cause, "errno", None) == errno.EROFS for cause in causes(exc))


def is_fault(exc: BaseException) -> bool:
    """True when ``exc`` comes from the database, the disk or a number out of range
    (what ``explain`` puts in words), rather than from a bug."""
    return any(isinstance(cause, (CrmError, peewee.PeeweeException, OSError, OverflowError))
               or type(cause).__module__.startswith(("psycopg", "sqlite3"))
               for cause in causes(exc))


def _first_line(exc: BaseException) -> str:
    lines = str(exc).strip().splitlines()
    return lines[0].rstrip(".") if lines else type(exc).__name__


def explain(exc: BaseException, *, writing: bool = False) -> str:
    """One sentence for a person: what went wrong and what to do.

    ``writing``: the error stopped a save, so the sentence says that nothing was
    saved (every save is one transaction: it is all or nothing).
    """
    if isinstance(exc, CrmError):
        return str(exc)
    # One sentence: the cause, what was (not) written when saving, what to do.
    nothing = ": nothing was saved" if writing else ""
    chain = list(causes(exc))
    texts = [_text(cause) for cause in chain]
    states = [_sqlstate(cause) for cause in chain]
    if is_connection_lost(exc):
        return (f"The connection to the database server was lost{nothing}; check that the "
                "server is running, the next try reconnects.")
    if is_read_only(exc):
        return (f"The database is read-only here (its file or its folder cannot be "
                f"written){nothing}; make it writable, then try again.")
    if any("disk is full" in text for text in texts) or _PG_DISK_FULL in states \
            or any(getattr(cause, "errno", None) == errno.ENOSPC for cause in chain):
        return f"The disk holding the database is full{nothing}; free some space, then try again."
    if any("disk i/o error" in text for text in texts):
        return (f"The disk holding the database could not be read or written (it may be "
                f"full or failing){nothing}; check it, then try again.")
    if any("malformed" in text or "file is not a database" in text for text in texts):
        return ("The database file is damaged (database disk image is malformed): restore "
                "your last backup (tui-crm backup makes one).")
    if any("unable to open database file" in text for text in texts):
        return ("The database file cannot be opened: check that its folder exists and can "
                "be written.")
    if any(isinstance(cause, OverflowError) or "too large" in text
           for cause, text in zip(chain, texts, strict=True)) \
            or any(state in _PG_OUT_OF_RANGE for state in states):
        return f"A number is too large to be stored{nothing}."
    if any(isinstance(cause, peewee.IntegrityError) for cause in chain):
        if _PG_FOREIGN_KEY in states or any("foreign key" in text for text in texts):
            return (f"A record this one refers to was deleted by someone else "
                    f"meanwhile{nothing}; pick another one, then save again.")
        if _PG_UNIQUE in states or any("unique" in text for text in texts):
            return f"Another record with the same value was saved meanwhile{nothing}."
        return f"The change breaks a rule of the database ({_first_line(exc)}){nothing}."
    if any("locked" in text or "busy" in text for text in texts):
        return f"The database stayed busy with other users' changes{nothing}; try again."
    database = next((cause for cause in chain if isinstance(cause, peewee.PeeweeException)),
                    None)
    if database is not None:
        return f"The database reported an error ({_first_line(database)}){nothing}."
    if isinstance(exc, OSError):
        where = f" ({exc.filename})" if exc.filename else ""
        return f"{exc.strerror or _first_line(exc)}{where}{nothing}."
    return f"Unexpected error ({type(exc).__name__}: {_first_line(exc)}){nothing}."
