"""The PostgreSQL part of `make bench`: a cluster of its own, the same demo data as the
SQLite files, the same sessions, interleaved.

    .venv/bin/python bench/run.py --only pg

The cluster lives in bench/out/pg (initdb once, as the postgres user when run as
root), on loopback, port 54349, started for the run and stopped after. Its settings
are initdb's except ``synchronous_commit = off``, the durability SQLite gives in WAL
mode with ``synchronous = normal`` (no flush at each commit; a crash loses at most
the last commits, never the database). Its demo databases are built once with
`tui-crm demo` (the same seed as the SQLite files) and kept, named by the code
version as bench/databases.py names its files; each run measures a fresh copy
(``CREATE DATABASE ... TEMPLATE``), never the cached one.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from pathlib import Path

from databases import OUT, TUI_CRM

PORT = 54349
PG_BIN = next(iter(sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True)), None)


class Cluster:
    """A PostgreSQL cluster of the benchmark's own."""

    def __init__(self, folder: Path = OUT / "pg", port: int = PORT):
        if PG_BIN is None:
            raise SystemExit("PostgreSQL server binaries not found under /usr/lib/postgresql "
                             "(Debian: apt-get install postgresql)")
        self.folder = folder
        self.port = port
        self.data = folder / "data"

    def _as_owner(self, command: str, check: bool = True) -> subprocess.CompletedProcess:
        argv = ["su", "postgres", "-s", "/bin/bash", "-c", command] if os.geteuid() == 0 \
            else ["bash", "-c", command]
        return subprocess.run(argv, check=check, capture_output=True, text=True)

    def start(self) -> None:
        if not (self.data / "PG_VERSION").exists():
            shutil.rmtree(self.folder, ignore_errors=True)
            self.folder.mkdir(parents=True)
            if os.geteuid() == 0:
                shutil.chown(self.folder, "postgres")
            self._as_owner(f"{PG_BIN}/initdb -D {self.data} -A trust -U postgres")
        if self._as_owner(f"{PG_BIN}/pg_isready -q -h 127.0.0.1 -p {self.port}",
                          check=False).returncode == 0:
            return  # left running by a run that was stopped: use it
        self._as_owner(f"{PG_BIN}/pg_ctl -D {self.data} -l {self.folder}/log -w -o "
                       f"'-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 "
                       "-c synchronous_commit=off' start")

    def stop(self) -> None:
        self._as_owner(f"{PG_BIN}/pg_ctl -D {self.data} -m fast -w stop", check=False)

    def url(self, name: str) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{name}"

    def admin(self, sql: str) -> list[tuple]:
        import psycopg

        with psycopg.connect(self.url("postgres"), autocommit=True) as conn:
            cursor = conn.execute(sql)
            return cursor.fetchall() if cursor.description else []

    def databases(self) -> set[str]:
        return {name for (name,) in self.admin("SELECT datname FROM pg_database")}


class PgCache:
    """Demo databases in the cluster, one per size and code version."""

    def __init__(self, cluster: Cluster, version: str):
        self.cluster = cluster
        self.version = version

    def name(self, deals: int) -> str:
        return f"deals_{deals}_{self.version}"

    def ensure(self, deals: int) -> None:
        name = self.name(deals)
        if name in self.cluster.databases():
            return
        print(f"  building {deals:,} deals in PostgreSQL with tui-crm demo ...", flush=True)
        building = f"building_{deals}"
        seconds = demo_into(self.cluster, building, deals)
        self.cluster.admin(f'ALTER DATABASE "{building}" RENAME TO "{name}"')
        print(f"  built in {seconds:.1f} s", flush=True)

    def prune(self) -> None:
        for name in self.cluster.databases():
            if name.startswith("deals_") and not name.endswith(self.version):
                self.cluster.admin(f'DROP DATABASE "{name}" WITH (FORCE)')

    def working_copy(self, deals: int) -> str:
        self.ensure(deals)
        work = f"work_{deals}"
        self.cluster.admin(f'DROP DATABASE IF EXISTS "{work}" WITH (FORCE)')
        self.cluster.admin(f'CREATE DATABASE "{work}" TEMPLATE "{self.name(deals)}"')
        return self.cluster.url(work)


def demo_into(cluster: Cluster, name: str, deals: int) -> float:
    """`tui-crm demo --deals N` into a new database ``name``; its wall time in seconds
    (creating the empty database is not counted, as creating a file is not)."""
    cluster.admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    cluster.admin(f'CREATE DATABASE "{name}"')
    start = time.perf_counter()
    subprocess.run([TUI_CRM, "demo", "--deals", str(deals), "--db", cluster.url(name)],
                   check=True, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


# -- the measurements ------------------------------------------------------------------

SMALL, LARGE = 1_000, 1_000_000
DEMO_DEALS = 100_000  # the demo load timed both ways, every round (a million: once)
FORECAST_RUNS = 3  # per round, on each database: a forecast takes a fraction of a second
# (key, label, part of a session)
SESSION_FIGURES = [
    ("launch", "launch to board with cards"),
    ("move", "deal move, key to updated board"),
    ("open_leads", "open Leads"),
    ("search_leads_0", "search Leads for a name"),
    ("search_leads_1", "search Leads for a common word"),
    ("open_customers", "open Customers"),
    ("search_customers_0", "search Customers for a name"),
    ("search_customers_1", "search Customers for a common word"),
]
TARGET_PG = 1.3  # PostgreSQL / SQLite, the same data
TARGET_DEMO = 1.5  # the demo load, PostgreSQL / SQLite
TARGET_SIZE = 1.2  # 1M / 1k on PostgreSQL, as on SQLite


def ratios(ratio_class) -> list:
    """The PostgreSQL part's ratios (``report.Ratio``), numbered P1...."""
    out = []
    figures = [*SESSION_FIGURES, ("forecast_cli", "tui-crm forecast --json, whole command")]
    for number, (key, label) in enumerate(figures, 1):
        out.append(ratio_class(f"P{number}", f"{label} at 1M: PostgreSQL / SQLite",
                               f"pg.{key}.pg_{LARGE}", f"pg.{key}.sqlite_{LARGE}",
                               TARGET_PG))
    out.append(ratio_class(f"P{len(figures) + 1}",
                           f"tui-crm demo --deals {DEMO_DEALS}: PostgreSQL / SQLite",
                           "pg.demo.pg", "pg.demo.sqlite", TARGET_DEMO))
    for number, (key, label) in enumerate(SESSION_FIGURES, len(figures) + 2):
        target = None if key.endswith("_1") else TARGET_SIZE  # as for SQLite (3c, 3f)
        out.append(ratio_class(f"P{number}", f"{label} on PostgreSQL: 1M / 1k",
                               f"pg.{key}.pg_{LARGE}", f"pg.{key}.pg_{SMALL}", target))
    return out


def measure(bench, sessions, tmux_class, lead_terms, customer_terms,
            short_sessions: int) -> None:
    """Run the part: PostgreSQL at 1k and 1M deals and SQLite at 1M, the same sessions
    in turn (every other round in reverse), each round also ``short_sessions`` short
    ones of each (launch, open and search the lists: the figures that vary most, as
    many samples as the SQLite part takes of them), then the forecasts and the demo
    loads."""
    cluster = Cluster()
    cluster.start()
    try:
        cache = PgCache(cluster, bench.cache.version)
        cache.prune()
        targets = {f"pg_{SMALL}": cache.working_copy(SMALL),
                   f"pg_{LARGE}": cache.working_copy(LARGE),
                   f"sqlite_{LARGE}": bench.cache.working_copy(LARGE)}
        # The copies (and any database just built) are written through the server's
        # buffers and WAL: written out now, not by the checkpointer during the sessions
        # (where it slowed PostgreSQL's writes, a move by a third), nor the files'
        # pages by the kernel meanwhile.
        cluster.admin("CHECKPOINT")
        os.sync()
        expected = {name: sessions.read_expected(target, lead_terms, customer_terms)
                    for name, target in targets.items()}
        _check_same_data(expected)
        print(f"PostgreSQL against SQLite: the app in tmux, {bench.runs} rounds", flush=True)
        tmux = tmux_class()
        try:
            for run in range(bench.runs):
                order = list(targets)[::-1 if run % 2 else 1]
                for name in order:
                    result = sessions.AppSession(tmux, [TUI_CRM], targets[name],
                                                 expected[name]).run()
                    _record(bench, name, result, expected[name])
                for _ in range(short_sessions):  # as the SQLite part: 15 launches a side
                    for name in order:
                        result = sessions.short_session(tmux, [TUI_CRM], targets[name],
                                                        expected[name])
                        _record(bench, name, result, expected[name])
                print(f"  round {run + 1} done", flush=True)
        finally:
            tmux.close()
        _forecasts(bench, targets)
        _demo_loads(bench, cluster)
    finally:
        cluster.stop()


def _label(name: str) -> str:
    kind, size = name.split("_")
    return f"{'PostgreSQL' if kind == 'pg' else 'SQLite'}, {int(size) // 1000:,}k deals" \
        if int(size) < LARGE else f"{'PostgreSQL' if kind == 'pg' else 'SQLite'}, 1M deals"


def _check_same_data(expected: dict) -> None:
    pg, sqlite = expected[f"pg_{LARGE}"], expected[f"sqlite_{LARGE}"]
    same = (pg.first_card, pg.column_counts, pg.leads, pg.lead_searches, pg.customers,
            pg.customer_searches) == (sqlite.first_card, sqlite.column_counts, sqlite.leads,
                                      sqlite.lead_searches, sqlite.customers,
                                      sqlite.customer_searches)
    if not same:
        raise SystemExit(f"PostgreSQL and SQLite do not hold the same demo data:\n{pg}\n"
                         f"{sqlite}")


def _record(bench, name: str, result, expected) -> None:
    """The figures of one session (a short one has no moves and no common words)."""
    values = {"launch": [result.launch], "move": result.moves,
              "open_leads": [result.open_leads], "open_customers": [result.open_customers]}
    for number, seconds in enumerate(result.search_leads):
        values[f"search_leads_{number}"] = [seconds]
    for number, seconds in enumerate(result.search_customers):
        values[f"search_customers_{number}"] = [seconds]
    searches = {"search_leads": expected.lead_searches,
                "search_customers": expected.customer_searches}
    for key, label in SESSION_FIGURES:
        if key.startswith("search"):
            term, found = searches[key[:-2]][int(key[-1])]
            label = f"{label.rsplit(' for ', 1)[0]} for {term!r} ({found:,} found)"
        bench.figure(f"pg.{key}.{name}", f"{label}: {_label(name)}").samples.extend(
            values.get(key, []))


def _forecasts(bench, targets: dict[str, str]) -> None:
    """`forecast --json` on each database in turn, one run each, the order reversed
    every other time: both sides meet the same moments of the machine (on these two
    shared cores a process sometimes runs a third slower for a while), and none runs
    while a session's server is still busy after it."""
    runs = bench.runs * FORECAST_RUNS
    print(f"tui-crm forecast --json, {runs} runs on each database in turn", flush=True)
    figures = {name: bench.figure(f"pg.forecast_cli.{name}",
                                  f"tui-crm forecast --json, whole command (wall): "
                                  f"{_label(name)}") for name in targets}
    for run in range(runs):
        for name in list(targets)[::-1 if run % 2 else 1]:
            start = time.perf_counter()
            subprocess.run([TUI_CRM, "forecast", "--json", "--db", targets[name]], check=True,
                           stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL)
            figures[name].samples.append(time.perf_counter() - start)


def _demo_loads(bench, cluster: Cluster) -> None:
    from databases import remove, run_demo

    print(f"demo --deals {DEMO_DEALS:,} into PostgreSQL and SQLite, {bench.runs} runs each",
          flush=True)
    pg = bench.figure("pg.demo.pg", f"tui-crm demo --deals {DEMO_DEALS:,}: PostgreSQL")
    sqlite = bench.figure("pg.demo.sqlite", f"tui-crm demo --deals {DEMO_DEALS:,}: SQLite")
    path = OUT / "work" / "demo-pg-part.db"
    try:
        for run in range(bench.runs):
            ways = [lambda: pg.samples.append(demo_into(cluster, "demo_load", DEMO_DEALS)),
                    lambda: sqlite.samples.append(run_demo(DEMO_DEALS, path))]
            for way in ways[::-1 if run % 2 else 1]:
                way()
            print(f"  run {run + 1}: PostgreSQL {pg.samples[-1]:.1f} s, SQLite "
                  f"{sqlite.samples[-1]:.1f} s", flush=True)
    finally:
        remove(path)
        cluster.admin('DROP DATABASE IF EXISTS "demo_load" WITH (FORCE)')
