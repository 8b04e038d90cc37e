"""Real faults for tests: read-only mounts, a full disk, a PostgreSQL server that stops.

Each fault is made for real (root can mount; root ignores permission bits, so
"read-only" is a read-only mount, never a chmod) and undone by the fixture that made
it, also when the test fails.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

import pytest

PG_BIN = next(iter(sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True)), None)


def need_root() -> None:
    if os.geteuid() != 0:
        pytest.skip("making a mount read-only or a tiny disk needs root (CI runs as root)")


def run(*command: str) -> None:
    subprocess.run(command, check=True, capture_output=True, timeout=60)


class Mounts:
    """Mounts made by a test, undone at its end (the last first)."""

    def __init__(self) -> None:
        self.made: list[Path] = []

    def read_only(self, source: Path, target: Path | None = None) -> Path:
        """``source`` (a file or a folder) seen read-only at ``target`` (default:
        over itself)."""
        target = target or source
        if source.is_dir():
            target.mkdir(exist_ok=True)
        run("mount", "--bind", str(source), str(target))
        self.made.append(target)
        run("mount", "-o", "remount,bind,ro", str(target))
        return target

    def writable(self, target: Path) -> None:
        """The cause is gone: ``target`` can be written again (a mount in use cannot be
        unmounted, but it can be made writable)."""
        run("mount", "-o", "remount,bind,rw", str(target))

    def tiny_disk(self, folder: Path, size: str = "512k") -> Path:
        folder.mkdir(exist_ok=True)
        run("mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder))
        self.made.append(folder)
        return folder

    def undo(self) -> None:
        for target in reversed(self.made):
            subprocess.run(["umount", "-l", str(target)], capture_output=True, timeout=60)
        self.made.clear()


def fill(folder: Path) -> Path:
    """Fill the disk holding ``folder``; the returned file holds the space."""
    filler = folder / "filler"
    with filler.open("wb", buffering=0) as handle:
        try:
            while True:
                handle.write(b"\0" * 4096)
        except OSError:
            pass
    return filler


def damage(path: Path) -> None:
    """Overwrite the second half of a SQLite file with noise, as a failing disk or a
    bad copy does (the schema, at the start, stays readable)."""
    size = path.stat().st_size
    with path.open("r+b") as handle:
        handle.seek(size // 2 // 4096 * 4096)
        handle.write(os.urandom(size - size // 2 // 4096 * 4096))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class ThrowawayPostgres:
    """A PostgreSQL cluster of the test's own, on its own port and folder, that the
    test may stop and start (never the shared server other tests use)."""

    def __init__(self) -> None:
        if PG_BIN is None:
            pytest.skip("PostgreSQL server binaries not found under /usr/lib/postgresql")
        self.folder = Path(tempfile.mkdtemp(prefix="tui-crm-pg-", dir="/tmp"))
        self.port = free_port()
        if os.geteuid() == 0:
            shutil.chown(self.folder, "postgres")
        self.as_owner(f"{PG_BIN}/initdb -D {self.folder}/data -A trust -U postgres")
        self.start()
        self.as_owner(f"{PG_BIN}/createdb -h 127.0.0.1 -p {self.port} -U postgres crm")
        self.url = f"postgresql://postgres@127.0.0.1:{self.port}/crm"

    def as_owner(self, command: str) -> None:
        if os.geteuid() == 0:
            run("su", "postgres", "-s", "/bin/bash", "-c", command)
        else:
            run("bash", "-c", command)

    def start(self) -> None:
        # A log file: the server must not hold the test's output pipes open.
        self.as_owner(f"{PG_BIN}/pg_ctl -D {self.folder}/data -l {self.folder}/log -w -o "
                      f"'-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 "
                      "-c fsync=off' start")

    def stop(self) -> None:
        self.as_owner(f"{PG_BIN}/pg_ctl -D {self.folder}/data -m fast -w stop")

    def remove(self) -> None:
        subprocess.run(["su", "postgres", "-s", "/bin/bash", "-c",
                        f"{PG_BIN}/pg_ctl -D {self.folder}/data -m immediate -w stop"]
                       if os.geteuid() == 0 else
                       ["bash", "-c", f"{PG_BIN}/pg_ctl -D {self.folder}/data -m immediate "
                                      "-w stop"], capture_output=True, timeout=60)
        shutil.rmtree(self.folder, ignore_errors=True)


@pytest.fixture
def mounts():
    need_root()
    made = Mounts()
    yield made
    made.undo()


@pytest.fixture
def own_postgres():
    """A PostgreSQL server of this test's own, with an empty database ``crm``."""
    server = ThrowawayPostgres()
    yield server
    server.remove()
