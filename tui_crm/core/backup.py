"""A consistent copy of a SQLite database, made while other people keep working.

SQLite's online backup API copies the pages of one read snapshot: in WAL mode
writers are not blocked, and the copy holds exactly what was committed when it
began. The copy is written beside the destination and renamed into place, so an
interrupted backup never leaves a half-written file under the destination's name.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from peewee import PostgresqlDatabase

from tui_crm.core import models
from tui_crm.core.errors import CrmError
from tui_crm.core.files import check_destination, copy_mode, is_stream, replaced_atomically

PG_MESSAGE = ("A PostgreSQL database is backed up with PostgreSQL's own tool, e.g. "
              "`pg_dump --format=custom --file=crm.dump DBNAME`.")


@dataclass(frozen=True)
class BackupResult:
    path: Path
    size: int  # bytes


def backup_database(dest: str | Path, *, overwrite: bool = False) -> BackupResult:
    """Copy the open SQLite database to ``dest`` (a file, or a folder to put one in)."""
    database = models.db.obj
    if isinstance(database, PostgresqlDatabase):
        raise CrmError(PG_MESSAGE)
    source = Path(database.database).resolve()
    target = _target(Path(dest).expanduser())
    # A database file may be replaced by a newer backup; the live database and the
    # files SQLite keeps beside any database never.
    if is_stream(target):
        raise CrmError(f"{target} is not a file: a backup is a database file; name one.")
    check_destination(target, force=overwrite, database=source, allow_database=True)
    try:
        with replaced_atomically(target, copy_mode(source)) as (partial, handle):
            handle.close()
            _copy(database.connection(), partial)
    except (OSError, sqlite3.Error) as exc:
        reason = getattr(exc, "strerror", None) or str(exc)
        raise CrmError(f"Cannot write {target}: {reason}.") from exc
    return BackupResult(target, target.stat().st_size)


def _target(dest: Path) -> Path:
    if dest.is_dir():
        stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
        return dest / f"crm-{stamp}.db"
    return dest


def _copy(source: sqlite3.Connection, path: Path) -> None:
    copy = sqlite3.connect(str(path))
    try:
        # pages=-1: one step, one read snapshot. Copying in slices would restart
        # each time another connection commits, and might never finish on a busy
        # database.
        source.backup(copy, pages=-1)
        check = copy.execute("PRAGMA integrity_check").fetchone()[0]
        if check != "ok":
            raise sqlite3.DatabaseError(f"the copy failed its integrity check ({check})")
        # A self-contained file: no -wal beside it.
        copy.execute("PRAGMA journal_mode = DELETE")
    finally:
        copy.close()
