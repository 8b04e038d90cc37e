"""The benchmark databases, built with `tui-crm demo` and cached under bench/out/.

A built file is keyed by the code that made it (every file of ``tui_crm/core`` and the
command line) and by the day (demo dates are relative to today), so a rerun reuses it
until that code changes. Measurements run on a working copy, never on the cache.
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
BIN = Path(sys.executable).parent
TUI_CRM = str(BIN / "tui-crm")


def code_version() -> str:
    from tui_crm.core import dates

    digest = hashlib.sha256(dates.today().isoformat().encode())
    for path in sorted([*(ROOT / "tui_crm" / "core").rglob("*.py"), ROOT / "tui_crm" / "cli.py"]):
        digest.update(str(path.relative_to(ROOT)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def remove(path: Path) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def run_demo(deals: int, path: Path) -> float:
    """Run `tui-crm demo --deals N` into a new file; its wall time in seconds."""
    remove(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    subprocess.run([TUI_CRM, "demo", "--deals", str(deals), "--db", str(path)], check=True,
                   stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


class Cache:
    def __init__(self):
        self.version = code_version()
        self.dir = OUT / "db" / self.version

    def path(self, deals: int) -> Path:
        return self.dir / f"deals-{deals}.db"

    def has(self, deals: int) -> bool:
        return self.path(deals).exists()

    def keep(self, deals: int, built: Path) -> None:
        """Take a file `tui-crm demo --deals N` just built as the cached one."""
        self.dir.mkdir(parents=True, exist_ok=True)
        shutil.move(built, self.path(deals))

    def ensure(self, deals: int) -> Path:
        if not self.has(deals):
            building = self.dir / f"building-{deals}.db"
            print(f"  building {deals:,} deals with tui-crm demo ...", flush=True)
            seconds = run_demo(deals, building)
            print(f"  built in {seconds:.1f} s", flush=True)
            self.keep(deals, building)
        return self.path(deals)

    def with_changes(self, deals: int, changes: int) -> Path:
        """The N-deal database with ``changes`` more made through the core (as_of.py),
        built once per code version."""
        path = self.dir / f"deals-{deals}-changes-{changes}.db"
        if not path.exists():
            building = self.dir / f"building-changes-{deals}.db"
            print(f"  making {changes:,} changes in {deals:,} deals ...", flush=True)
            subprocess.run([str(BIN / "python"), str(ROOT / "bench" / "as_of.py"),
                            str(self.ensure(deals)), str(building), "--changes", str(changes)],
                           check=True)
            remove(path)
            shutil.move(building, path)
        return path

    def prune(self) -> None:
        """Remove databases built by other versions of the code."""
        for old in (OUT / "db").glob("*"):
            if old != self.dir:
                shutil.rmtree(old, ignore_errors=True)

    def working_copy(self, deals: int) -> Path:
        copy = OUT / "work" / f"deals-{deals}.db"
        remove(copy)
        copy.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(self.ensure(deals), copy)
        return copy
