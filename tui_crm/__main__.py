"""`python -m tui_crm` and the `tui-crm` command: the command line, started lean."""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence

DRIVER = "psycopg"  # psycopg 3: prepared statements, COPY, the pipeline
QUICK_DRIVER = "psycopg2"  # loads in a fifth of the time

# The server and the bulk loads (COPY) start with psycopg 3.
FULL_FROM_THE_START = frozenset({"serve", "demo", "import"})
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
    """The PostgreSQL drivers this run starts without.

    Peewee imports every driver that is installed, and each costs time at every start:
    psycopg 3 about a tenth of a second, psycopg2 a fiftieth. A SQLite run needs
    neither. A command that runs a few statements and exits (``forecast --json``, a
    script's ``today``) needs only the quick one. So does the app until its first
    screen is shown: it loads psycopg 3 then (``core.drivers.load_full_driver``). ``serve``
    and the bulk loads need psycopg 3 from the start. Without psycopg2, psycopg 3
    does it all.
    """
    if not names_postgres(argv, env_url):
        return (DRIVER, QUICK_DRIVER)
    if command_of(argv) in FULL_FROM_THE_START or not _installed(QUICK_DRIVER):
        return (QUICK_DRIVER,)
    return (DRIVER,)


def _installed(name: str) -> bool:
    from importlib.util import find_spec

    return find_spec(name) is not None


# psycopg 3's version modules, each as it reads its distribution's version: nothing
# else in them (checked before one is replaced).
_VERSION_MODULES = {"psycopg": "psycopg", "psycopg_binary": "psycopg-binary"}
_VERSION_FILE = """from importlib import metadata
try:
    __version__ = metadata.version("{distribution}")
except metadata.PackageNotFoundError:
    __version__ = "0.0.0.0"
"""


def versions_without_metadata() -> None:
    """Give psycopg 3 its version modules, read from the names of their distributions'
    folders.

    psycopg and psycopg_binary each read their version with importlib.metadata, which
    loads email, zipfile and csv and reads the distribution's METADATA: 7-12 ms of
    every start on PostgreSQL, for a string. A version file that is not the one this
    knows, word for word (another psycopg), is imported as it is.
    """
    import types
    from importlib.util import find_spec

    found = find_spec("psycopg")
    if found is None or found.origin is None:
        return
    packages = os.path.dirname(os.path.dirname(found.origin))
    try:
        folders = os.listdir(packages)
    except OSError:
        return
    for package, distribution in _VERSION_MODULES.items():
        version = _version_of(packages, folders, package, distribution)
        if version is None:
            continue
        module = types.ModuleType(f"{package}.version")
        module.__version__ = version
        sys.modules.setdefault(module.__name__, module)


def _version_of(packages: str, folders: list[str], package: str, distribution: str) -> str | None:
    """The version in ``package``'s distribution folder's name, when its version file
    is the known one and one such folder is there."""
    try:
        with open(os.path.join(packages, package, "version.py"), encoding="utf-8") as file:
            code = [line for line in file if line.strip() and not line.startswith("#")]
    except OSError:
        return None
    text = "".join(code)
    if text.startswith('"""'):  # its docstring
        text = text.split('"""', 2)[-1].lstrip("\n")
    if text != _VERSION_FILE.format(distribution=distribution):
        return None
    prefix = distribution.replace("-", "_") + "-"
    versions = [name[len(prefix):-len(".dist-info")] for name in folders
                if name.startswith(prefix) and name.endswith(".dist-info")]
    return versions[0] if len(versions) == 1 else None


def start_lean(argv: Sequence[str], env_url: str) -> None:
    """Keep out the drivers the run of ``argv`` starts without (``drivers_to_skip``),
    and spare psycopg 3, if it is to load, its reading of importlib.metadata."""
    skipped = drivers_to_skip(argv, env_url)
    if names_postgres(argv, env_url) and (DRIVER not in skipped or command_of(argv) is None):
        versions_without_metadata()  # psycopg 3 is loaded now, or once the app is shown
    for name in skipped:
        sys.modules.setdefault(name, None)  # `import name` now fails fast


def run() -> int:
    """Run the command line, loading only the database driver it uses."""
    start_lean(sys.argv[1:], os.environ.get("TUI_CRM_DB", ""))
    from tui_crm.cli import main

    return main()


if __name__ == "__main__":
    raise SystemExit(run())
