"""Files the CRM creates: private by default, never written over a database.

A new folder is 0700 and a new database 0600, whatever the umask, unless it is made in
a group-owned setgid folder: that is how a server's users share files with a group,
so it is then writable by the group (others still get what the umask allows). A copy
(backup, export) is never more readable than the database it comes from, and is
written beside its destination and renamed into place, so that an interrupted copy
never leaves a half-written file under the destination's name.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

from tui_crm.core.errors import CrmError

SQLITE_MAGIC = b"SQLite format 3\x00"
SIDE_SUFFIXES = ("-wal", "-shm", "-journal")  # SQLite's files beside a database
PRIVATE_FILE = 0o600
PRIVATE_FOLDER = 0o700


def is_shared_folder(folder: Path) -> bool:
    """A setgid folder: its files belong to its group, and are meant for the group."""
    try:
        return bool(os.stat(folder).st_mode & stat.S_ISGID)
    except OSError:
        return False


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def new_file_mode(folder: Path) -> int:
    """The mode of a database file created in ``folder``."""
    if is_shared_folder(folder):
        return (0o666 & ~_umask()) | stat.S_IRGRP | stat.S_IWGRP
    return PRIVATE_FILE


def make_folders(folder: Path) -> None:
    """Create ``folder`` and its missing parents, each private (or group-shared in a
    setgid parent, as the database files are)."""
    missing = []
    for candidate in (folder, *folder.parents):
        if candidate.exists():
            break
        missing.append(candidate)
    for path in reversed(missing):
        try:
            path.mkdir()
        except FileExistsError:
            continue  # someone else just made it
        if is_shared_folder(path.parent):
            mode = (0o777 & ~_umask()) | stat.S_IRWXG | stat.S_ISGID
        else:
            mode = PRIVATE_FOLDER
        os.chmod(path, mode)


def create_database_file(path: Path) -> None:
    """Create an empty database file with ``new_file_mode``; nothing if it exists.

    SQLite gives the -wal, -shm and -journal files the mode of the database file, so
    they follow.
    """
    mode = new_file_mode(path.parent)
    try:
        fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, mode)
    except FileExistsError:
        return
    try:
        os.fchmod(fd, mode)  # the umask may have taken the group's bits away
    finally:
        os.close(fd)


def copy_mode(source: Path | None) -> int:
    """The mode of a copy of ``source``: its read/write bits, never more (0600 when
    the source is not a file, e.g. a PostgreSQL database)."""
    if source is None:
        return PRIVATE_FILE
    try:
        return stat.S_IMODE(source.stat().st_mode) & 0o666 & ~_umask() or PRIVATE_FILE
    except OSError:
        return PRIVATE_FILE


def is_database_file(path: Path) -> bool:
    """True for a SQLite database or one of the files SQLite keeps beside one."""
    if path.name.endswith(SIDE_SUFFIXES):
        return True
    try:
        with path.open("rb") as handle:
            return handle.read(len(SQLITE_MAGIC)) == SQLITE_MAGIC
    except OSError:
        return False


def is_stream(path: Path) -> bool:
    """A pipe, socket or device: written to as it is, never replaced or read."""
    return path.exists() and not path.is_file() and not path.is_dir()


def check_destination(path: Path, *, force: bool, database: Path | None = None,
                      allow_database: bool = False) -> None:
    """Refuse a destination that would lose data: the open database or a file beside
    it, any database file (unless ``allow_database``), an existing file (unless
    ``force``), a missing folder."""
    if database is not None:
        live = database.resolve()
        target = path.resolve()
        if target in {live, *(live.with_name(live.name + s) for s in SIDE_SUFFIXES)}:
            what = "the database itself" if target == live else "part of the database"
            raise CrmError(f"{path} is {what}; choose another destination.")
    if path.name.endswith(SIDE_SUFFIXES):
        raise CrmError(f"{path} is named like a file SQLite keeps beside a database "
                       f"({', '.join(SIDE_SUFFIXES)}); choose another name.")
    if path.is_dir():
        raise CrmError(f"{path} is a folder; name a file.")
    if is_stream(path):
        return  # a pipe or a device (/dev/stdout): nothing there to lose
    if path.exists():
        if not allow_database and is_database_file(path):
            raise CrmError(f"{path} is a database; it is never written over. Choose "
                           "another name.")
        if not force:
            raise CrmError(f"{path} already exists; choose another name, or --force to "
                           "replace it.")
    if not path.parent.is_dir():
        raise CrmError(f"Cannot write {path}: the folder {path.parent} does not exist.")


@contextmanager
def replaced_atomically(path: Path, mode: int) -> Iterator[tuple[Path, BinaryIO]]:
    """A new file beside ``path`` (with ``mode``), renamed onto ``path`` when the block
    ends without error, removed otherwise. Yields its path and an open handle.

    A pipe or device (``is_stream``) is written to directly instead.
    """
    if is_stream(path):
        try:
            stream = path.open("wb")
        except OSError as exc:
            raise CrmError(f"Cannot write {path}: {exc.strerror or exc}.") from exc
        with stream:
            yield path, stream
        return
    partial = path.with_name(f".{path.name}.partial")
    try:
        fd = os.open(partial, os.O_CREAT | os.O_TRUNC | os.O_WRONLY, mode)
        os.fchmod(fd, mode)  # an old partial file keeps its mode otherwise
    except OSError as exc:
        raise CrmError(f"Cannot write {path}: {exc.strerror or exc}.") from exc
    handle = os.fdopen(fd, "wb")
    try:
        with handle:
            yield partial, handle
        _flush_to_disk(partial)  # renamed only once whole on disk, not just in cache
        os.replace(partial, path)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise


def _flush_to_disk(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
