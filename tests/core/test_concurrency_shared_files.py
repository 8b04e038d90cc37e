"""One SQLite file shared by the users of a server through a group-owned directory."""

from __future__ import annotations

import os
import stat

import pytest

from tui_crm.core import leads
from tui_crm.core.db import open_database

SIDE_FILES = ("crm.db", "crm.db-wal", "crm.db-shm")


@pytest.fixture
def strict_umask():
    old = os.umask(0o077)
    yield
    os.umask(old)


def modes_of(directory) -> dict[str, int]:
    return {name: stat.S_IMODE((directory / name).stat().st_mode) for name in SIDE_FILES}


def open_and_write(directory):
    database = open_database(str(directory / "crm.db"))
    leads.create_lead({"name": "Ada"})
    modes = modes_of(directory)  # while open: the -wal and -shm files exist
    database.close()
    return modes


def test_files_in_a_setgid_directory_are_group_writable(tmp_path, strict_umask):
    shared = tmp_path / "team"
    shared.mkdir()
    shared.chmod(0o2770)
    modes = open_and_write(shared)
    for name, mode in modes.items():
        assert mode & 0o060 == 0o060, f"{name} is {oct(mode)}"
        assert mode & 0o007 == 0, f"{name} is {oct(mode)}: others must get what umask says"


def test_files_in_a_private_directory_follow_the_umask(tmp_path, strict_umask):
    modes = open_and_write(tmp_path)
    assert set(modes.values()) == {0o600}


def test_a_group_writable_database_keeps_its_wal_and_shm_group_writable(tmp_path,
                                                                        strict_umask):
    open_database(str(tmp_path / "crm.db")).close()
    (tmp_path / "crm.db").chmod(0o660)  # shared by hand after it was made
    assert set(open_and_write(tmp_path).values()) == {0o660}


@pytest.mark.skipif(os.geteuid() != 0, reason="changing a directory's group needs root")
def test_files_take_the_group_of_a_setgid_directory(tmp_path, strict_umask):
    shared = tmp_path / "team"
    shared.mkdir()
    os.chown(shared, -1, 100)
    shared.chmod(0o2770)
    database = open_database(str(shared / "crm.db"))
    leads.create_lead({"name": "Ada"})
    assert {(shared / name).stat().st_gid for name in SIDE_FILES} == {100}
    database.close()
