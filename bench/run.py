"""`make bench`: a million deals against a thousand, each as a ratio taken in one run.

    .venv/bin/python bench/run.py [--runs N]
        [--only demo,app,today,drill,sorts,forecast,wire,serve,pg,launch]

Builds (or reuses, see databases.py) demo databases of 1,000, 100,000 and 1,000,000
deals, measures the figures of BENCHMARKS.md, prints them and the ratios with their
targets, writes bench/out/results.md and results.json, and exits 1 when a ratio misses
its target. The 100,000-deal figures show the trend; no target uses them.

- demo: `tui-crm demo --deals 1000000` (wall time of the command) against the same
  rows written with sqlite3 executemany (load_sql.py), interleaved.
- app: the app in a real terminal (tmux, 120x40; terminal.py, sessions.py), a session
  per database and round: launch on the board, moves, Leads and Customers opened and
  searched, peak RSS; plus short sessions (launch, open Leads and Customers); and the
  minimal Textual app.
- today: the Today queue in tmux at 80x24 (today_queue.py): `5` opens it, `space` marks
  its first line done (the next step asked), `enter` skips that step, at 1k and 1M deals
  (at 80x24 the user's queue fills the list at both sizes; the app part's 120x40 figures
  are for information).
- drill: the forecast's drill-down in tmux at 80x24 (drill.py): `enter` on the biggest
  stage row of the quarter and on Overdue, key to the list drawn, at 1k and 1M deals.
- sorts: Leads sorted in tmux at 180x40 (sorted_lists.py): `s` to Company ↑ and on to
  Updated ↓, key to the rows of that order drawn, at 1k and 1M deals.
- serve: deal moves over `tui-crm serve` (ssh -tt in tmux) against the app run in tmux
  directly, with 1 and 10 sessions open, and each session's memory (serve_sessions.py).
- pg: PostgreSQL (a cluster of the bench's own, pg.py) against SQLite, the same demo
  data: the app's sessions at 1M deals both ways and at 1k on PostgreSQL (with short
  sessions, as the app part: 15 launches a side), the whole `forecast --json` command,
  and the demo load, interleaved.
- launch (only when asked, `--only launch`): launches alone, at 1k and 1M deals and of
  the minimal Textual app, interleaved: ratios 1a and 1b in a couple of minutes.
- forecast: the query part of `tui-crm forecast --json` in the core against the same
  queries by hand (forecast_query.py), each in a fresh process; and the whole command;
  then `forecast --json --as-of` a week back against `forecast --json`, on a copy of the
  1M database with 10,000 changes made since (as_of.py).
- wire: bytes written to a real pseudo-terminal at 120x40 per key (wire.py): a cursor
  step in Leads, Customers and on the board against a row step of Textual's DataTable;
  a deal move and a Customers step against 12 kB; nothing written while idle.
"""

from __future__ import annotations

import argparse
import compileall
import datetime as dt
import json
import os
import platform
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import databases
import drill
import pg
import serve_sessions
import sessions
import sorted_lists
import today_queue
import wire
from databases import BIN, OUT, ROOT, TUI_CRM, Cache, run_demo
from report import Figure, Ratio, compute, figures_table, ratios_table
from terminal import Tmux

SMALL, MIDDLE, LARGE = 1_000, 100_000, 1_000_000
SIZES = (SMALL, MIDDLE, LARGE)
PARTS = ("demo", "app", "today", "drill", "sorts", "forecast", "wire", "serve", "pg",
         "launch")
DEFAULT_PARTS = PARTS[:-1]  # launch: a quick look at ratios 1a and 1b alone
# Searches: a name (what one looks up: a record or a few at any size, so the screens
# draw the same), then a common word (a couple of matches at 1k, a screenful at 1M).
LEAD_TERMS = ["Grace Lovelace", "Grace"]
CUSTOMER_TERMS = ["Harborwave GmbH", "wave"]
PYTHON = str(BIN / "python")
BASELINE = [PYTHON, str(ROOT / "bench" / "baseline_app.py")]
BASELINE_LAUNCH = "launch: minimal Textual app (header, footer, DataTable)"
LAUNCH = "launch to board with cards"
SHORT_SESSIONS = 2  # per round and database, beside each full session: more launches
# and list openings, the figures that vary most
AS_OF_CHANGES = 10_000  # a week of a sales team's work, walked back by --as-of
FORECAST_RUNS_PER_RUN = 3  # a forecast takes milliseconds: more runs steady its median

RATIOS = [
    Ratio("1a", "launch to board with cards: 1M / 1k", f"launch.{LARGE}", f"launch.{SMALL}",
          1.2),
    Ratio("1b", "launch to board with cards: 1M / minimal Textual app", f"launch.{LARGE}",
          "launch.baseline", 1.5),
    Ratio("2", "deal move, key to updated board: 1M / 1k", f"move.{LARGE}", f"move.{SMALL}",
          1.2),
    Ratio("3a", "open Leads: 1M / 1k", f"open_leads.{LARGE}", f"open_leads.{SMALL}", 1.2),
    Ratio("3b", "search Leads for a name, first matches: 1M / 1k",
          f"search_leads_0.{LARGE}", f"search_leads_0.{SMALL}", 1.2),
    Ratio("3c", "search Leads for a common word (37 rows drawn at 1M, 2 at 1k): 1M / 1k",
          f"search_leads_1.{LARGE}", f"search_leads_1.{SMALL}", None),
    Ratio("3d", "open Customers: 1M / 1k", f"open_customers.{LARGE}",
          f"open_customers.{SMALL}", 1.2),
    Ratio("3e", "search Customers for a name, first matches: 1M / 1k",
          f"search_customers_0.{LARGE}", f"search_customers_0.{SMALL}", 1.2),
    Ratio("3f", "search Customers for a common word (37 rows at 1M, 2 at 1k): 1M / 1k",
          f"search_customers_1.{LARGE}", f"search_customers_1.{SMALL}", None),
    Ratio("3g", "open Today (mine only) at 80x24, key to its first line drawn: 1M / 1k",
          f"queue_open.{LARGE}", f"queue_open.{SMALL}", 1.2),
    Ratio("3h", "space on Today's first line at 80x24, key to the next step asked: 1M / 1k",
          f"queue_done.{LARGE}", f"queue_done.{SMALL}", 1.2),
    Ratio("3i", "enter skips the next step at 80x24, key to the next line first: 1M / 1k",
          f"queue_skip.{LARGE}", f"queue_skip.{SMALL}", 1.2),
    Ratio("3n", "open Today at 120x40 (the 1k queue fills 2/3 of the list): 1M / 1k",
          f"open_today.{LARGE}", f"open_today.{SMALL}", None),
    Ratio("3o", "space on Today's first line at 120x40: 1M / 1k",
          f"today_done.{LARGE}", f"today_done.{SMALL}", None),
    Ratio("3p", "enter skips the next step at 120x40: 1M / 1k",
          f"today_skip.{LARGE}", f"today_skip.{SMALL}", None),
    Ratio("3j", "forecast, enter on a stage row, key to its deals listed: 1M / 1k",
          f"drill_stage.{LARGE}", f"drill_stage.{SMALL}", 1.2),
    Ratio("3k", "forecast, enter on Overdue, key to the overdue deals listed: 1M / 1k",
          f"drill_overdue.{LARGE}", f"drill_overdue.{SMALL}", 1.2),
    Ratio("3l", "Leads, s to Company ↑, key to the leads in that order drawn: 1M / 1k",
          f"sort_company.{LARGE}", f"sort_company.{SMALL}", 1.2),
    Ratio("3m", "Leads, s to Updated ↓, key to the leads in that order drawn: 1M / 1k",
          f"sort_updated.{LARGE}", f"sort_updated.{SMALL}", 1.2),
    Ratio("4", "forecast --json query part at 1M: core / hand-written SQL",
          f"forecast_core.{LARGE}", f"forecast_sql.{LARGE}", 1.5),
    Ratio("4b", "forecast --json --as-of a week back (10,000 changes since) / forecast "
          "--json, whole commands at 1M", f"forecast_as_of.{LARGE}",
          f"forecast_now.{LARGE}", 2.0),
    Ratio("5", "peak RSS of the app: 1M / 1k", f"rss.{LARGE}", f"rss.{SMALL}", 1.3),
    Ratio("6", "demo --deals 1000000 / sqlite3 executemany of its rows", f"demo.{LARGE}",
          f"executemany.{LARGE}", 2.0),
    Ratio("7a", "bytes of a cursor step in the Leads list / a DataTable row step",
          "wire.leads_list_step", "wire.datatable_step", 1.5),
    Ratio("7b", "bytes of a cursor step in the Customers list / a DataTable row step",
          "wire.customers_list_step", "wire.datatable_step", 1.5),
    Ratio("7c", "bytes of a cursor step on the board / a DataTable row step",
          "wire.board_step", "wire.datatable_step", 1.5),
    Ratio("7d", "bytes of a cursor step in Customers, the detail panel changing",
          "wire.customers_step", None, 12_000),
    Ratio("7g", "bytes of a cursor step in Leads, the detail panel changing",
          "wire.leads_step", None, 12_000),
    Ratio("7e", "bytes of a deal move on the board", "wire.move", None, 12_000),
    Ratio("7f", f"bytes written idle for {wire.IDLE_S:g} s, live refresh on", "wire.idle",
          None, 0),
    Ratio("8a", "deal move, key to updated board, 1 session: over SSH / direct",
          "serve_move_1.ssh", "serve_move_1.direct", 1.3),
    Ratio("8b", "deal move, key to updated board, 10 sessions: over SSH / direct",
          "serve_move_10.ssh", "serve_move_10.direct", 1.3),
    Ratio("8c", "RSS of a served session's app, 10 open (largest of each round), MiB",
          "serve_rss_10_max.ssh", None, 80),
]
RATIOS += pg.ratios(Ratio)


def deals_label(size: int) -> str:
    return {SMALL: "1k", MIDDLE: "100k", LARGE: "1M"}[size]


class Bench:
    def __init__(self, runs: int):
        self.runs = runs
        self.cache = Cache()
        self.figures: dict[str, Figure] = {}

    def figure(self, key: str, label: str, unit: str = "s") -> Figure:
        if key not in self.figures:
            self.figures[key] = Figure(key, label, unit)
        return self.figures[key]

    # -- 6: demo against executemany ---------------------------------------------

    def demo(self) -> None:
        print(f"demo --deals {LARGE:,} and sqlite3 executemany, {self.runs} runs each",
              flush=True)
        demo = self.figure(f"demo.{LARGE}", "tui-crm demo --deals 1000000 (wall)")
        plain = self.figure(f"executemany.{LARGE}",
                            "sqlite3 executemany of the same rows, indexes built after")
        built = OUT / "work" / "demo-run.db"
        plain_db = OUT / "work" / "executemany.db"
        loader = None
        try:
            for run in range(self.runs):
                demo.samples.append(run_demo(LARGE, built))
                if not self.cache.has(LARGE):
                    self.cache.keep(LARGE, built)
                if loader is None:  # reads the rows once, then writes them on request
                    loader = subprocess.Popen(
                        [PYTHON, str(ROOT / "bench" / "load_sql.py"),
                         str(self.cache.path(LARGE)), str(plain_db)],
                        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
                    loader.stdout.readline()
                loader.stdin.write("run\n")
                loader.stdin.flush()
                plain.samples.append(json.loads(loader.stdout.readline())["seconds"])
                print(f"  run {run + 1}: demo {demo.samples[-1]:.1f} s, executemany "
                      f"{plain.samples[-1]:.1f} s", flush=True)
        finally:
            if loader is not None:
                loader.stdin.close()
                loader.wait()
            databases.remove(built)

    # -- 1, 2, 3, 5: the app in a terminal ---------------------------------------

    def app(self) -> None:
        copies = {size: self.cache.working_copy(size) for size in SIZES}
        expected = {size: sessions.read_expected(path, LEAD_TERMS, CUSTOMER_TERMS)
                    for size, path in copies.items()}
        for size, exp in expected.items():
            if not all(n for _, n in exp.lead_searches + exp.customer_searches):
                raise SystemExit(f"a search term matches nothing at {size:,} deals: {exp}")
        print(f"the app in tmux at 120x40, {self.runs} sessions per database", flush=True)
        tmux = Tmux()
        try:
            for run in range(self.runs):
                # Every other round in reverse, so a drift in the machine's load
                # weighs on each database alike.
                order = [None, *SIZES][::-1 if run % 2 else 1]
                for size in order:
                    if size is None:
                        self._baseline_session(tmux)
                    else:
                        self._app_session(tmux, size, copies[size], expected[size])
                for _ in range(SHORT_SESSIONS):
                    for size in order:
                        self._short_session(tmux, size, copies, expected)
                print(f"  round {run + 1} done", flush=True)
        finally:
            tmux.close()

    def launch(self) -> None:
        copies = {size: self.cache.working_copy(size) for size in (SMALL, LARGE)}
        expected = {size: sessions.read_expected(path, LEAD_TERMS, CUSTOMER_TERMS)
                    for size, path in copies.items()}
        runs = self.runs * (1 + SHORT_SESSIONS)  # as many launches as the app part
        print(f"launches alone in tmux at 120x40, {runs} of each", flush=True)
        tmux = Tmux()
        try:
            for run in range(runs):
                for size in [None, SMALL, LARGE][::-1 if run % 2 else 1]:
                    if size is None:
                        seconds = sessions.baseline_session(tmux, BASELINE).launch
                        self.figure("launch.baseline", BASELINE_LAUNCH).samples.append(seconds)
                        continue
                    seconds = sessions.launch_session(tmux, [TUI_CRM], copies[size],
                                                      expected[size])
                    self.figure(f"launch.{size}", f"{LAUNCH}: {deals_label(size)} deals"
                                ).samples.append(seconds)
        finally:
            tmux.close()

    def _short_session(self, tmux: Tmux, size: int | None, copies: dict[int, Path],
                       expected: dict[int, sessions.Expected]) -> None:
        if size is None:
            seconds = sessions.baseline_session(tmux, BASELINE).launch
            self.figure("launch.baseline", BASELINE_LAUNCH).samples.append(seconds)
            return
        result = sessions.short_session(tmux, [TUI_CRM], copies[size], expected[size])
        name = deals_label(size)
        for key, label, value in (("launch", LAUNCH, result.launch),
                                  ("open_leads", "open Leads", result.open_leads),
                                  ("open_customers", "open Customers", result.open_customers)):
            self.figure(f"{key}.{size}", f"{label}: {name} deals").samples.append(value)
        self._searches(size, expected[size], result)

    def _searches(self, size: int, expected: sessions.Expected,
                  result: sessions.SessionResult) -> None:
        name = deals_label(size)
        for noun, searches, times in (
                ("Leads", expected.lead_searches, result.search_leads),
                ("Customers", expected.customer_searches, result.search_customers)):
            # a short session searches for the first term only
            for number, ((term, matches), seconds) in enumerate(zip(searches, times,
                                                                    strict=False)):
                self.figure(f"search_{noun.lower()}_{number}.{size}",
                            f"search {noun} for {term!r} ({matches:,} found): {name} deals"
                            ).samples.append(seconds)

    def _baseline_session(self, tmux: Tmux) -> None:
        result = sessions.baseline_session(tmux, BASELINE)
        self.figure("launch.baseline", BASELINE_LAUNCH).samples.append(result.launch)
        self.figure("rss.baseline", "peak RSS: minimal Textual app", "MiB").samples.append(
            result.peak_rss_mib)

    def _app_session(self, tmux: Tmux, size: int, db: Path,
                     expected: sessions.Expected) -> None:
        name = deals_label(size)
        session = sessions.AppSession(tmux, [TUI_CRM], db, expected)
        result = session.run()
        for key, label, value in (
            ("launch", LAUNCH, [result.launch]),
            ("move", "deal move, key to updated board", result.moves),
            ("open_leads", "open Leads", [result.open_leads]),
            ("open_customers", "open Customers", [result.open_customers]),
            ("open_today", "open Today (mine only)", [result.open_today]),
            ("today_done", "space on Today's first line (done, next step asked)",
             [result.today_done]),
            ("today_skip", "enter skips the next step (next line first)",
             [result.today_skip]),
        ):
            self.figure(f"{key}.{size}", f"{label}: {name} deals").samples.extend(value)
        self._searches(size, expected, result)
        self.figure(f"rss.{size}", f"peak RSS of the app: {name} deals", "MiB").samples.append(
            result.peak_rss_mib)

    # -- 3g, 3h, 3i: the Today queue at 80x24 ---------------------------------------------

    def today(self) -> None:
        owners = {size: today_queue.queue_owner(self.cache.working_copy(size))
                  for size in (SMALL, LARGE)}
        print(f"the Today queue in tmux at 80x24, {self.runs} sessions per database, "
              f"{today_queue.LINES_DONE} lines done in each", flush=True)
        labels = {"queue_open": "open Today (mine only) at 80x24",
                  "queue_done": "space on Today's first line at 80x24 (next step asked)",
                  "queue_skip": "enter skips the next step at 80x24 (next line first)"}
        tmux = Tmux()
        try:
            for run in range(self.runs):
                for size in [SMALL, LARGE][::-1 if run % 2 else 1]:
                    copy = self.cache.working_copy(size)  # the lines done come back
                    os.sync()  # the copy written out now, not during the session
                    timed = today_queue.today_session(tmux, [TUI_CRM], copy, owners[size])
                    for key, label in labels.items():
                        self.figure(f"{key}.{size}", f"{label}: {deals_label(size)} "
                                    "deals").samples.extend(timed[key])
        finally:
            tmux.close()

    # -- 3j, 3k: the forecast's drill-down ----------------------------------------------

    def drill(self) -> None:
        copies = {size: self.cache.working_copy(size) for size in (SMALL, LARGE)}
        rows = {size: drill.read_rows(path) for size, path in copies.items()}
        print(f"the forecast's drill-down in tmux at 80x24, {self.runs} sessions per "
              "database", flush=True)
        tmux = Tmux()
        try:
            for run in range(self.runs):
                for size in [SMALL, LARGE][::-1 if run % 2 else 1]:
                    timed = drill.drill_session(tmux, [TUI_CRM], copies[size], rows[size])
                    for row in rows[size]:
                        self.figure(f"{row.key}.{size}",
                                    f"forecast, {row.label} ({row.count:,} listed): "
                                    f"{deals_label(size)} deals").samples.append(
                                        timed[row.key])
        finally:
            tmux.close()

    # -- 3l, 3m: sorted lists --------------------------------------------------------

    def sorts(self) -> None:
        copies = {size: self.cache.working_copy(size) for size in (SMALL, LARGE)}
        steps = {size: sorted_lists.read_steps(path) for size, path in copies.items()}
        print(f"Leads sorted in tmux at 180x40, {self.runs} sessions per database",
              flush=True)
        labels = {"sort_company": "s to Company ↑", "sort_updated": "s to Updated ↓"}
        tmux = Tmux()
        try:
            for run in range(self.runs):
                for size in [SMALL, LARGE][::-1 if run % 2 else 1]:
                    first, cycle = steps[size]
                    timed = sorted_lists.sort_session(tmux, [TUI_CRM], copies[size], first,
                                                      cycle)
                    for key, label in labels.items():
                        self.figure(f"{key}.{size}", f"Leads, {label}: {deals_label(size)} "
                                    "deals").samples.append(timed[key])
        finally:
            tmux.close()

    # -- 7: served over SSH -----------------------------------------------------------

    def serve(self) -> None:
        db = self.cache.working_copy(SMALL)
        expected = sessions.read_expected(db, LEAD_TERMS, CUSTOMER_TERMS)
        print(f"tui-crm serve against the app in tmux, 1k deals, {self.runs} rounds",
              flush=True)
        server = serve_sessions.SshServer(db)
        tmux = Tmux()
        try:
            modes = [serve_sessions.Mode(tmux, db, expected),
                     serve_sessions.SshMode(tmux, db, expected, server)]
            for run in range(self.runs):
                for mode in modes[::-1 if run % 2 else 1]:
                    self._serve_round(mode)
                print(f"  round {run + 1} done", flush=True)
        finally:
            tmux.close()
            server.close()

    def _serve_round(self, mode: serve_sessions.Mode) -> None:
        result = serve_sessions.run_mode(mode)
        how = "over SSH" if mode.name == "ssh" else "direct (tmux)"
        for key, label, values in (
            ("serve_move_1", "deal move, 1 session open", result.moves_alone),
            ("serve_move_10", "deal move, 10 sessions open", result.moves_among_10),
        ):
            self.figure(f"{key}.{mode.name}", f"{label}: {how}").samples.extend(values)
        for key, label, values in (
            ("serve_rss_1", "RSS of the app, 1 session open", [result.rss_alone_mib]),
            ("serve_rss_10", "RSS of each app, 10 sessions open", result.rss_among_10_mib),
            ("serve_rss_10_max", "RSS of the largest app, 10 sessions open",
             [max(result.rss_among_10_mib)]),
        ):
            self.figure(f"{key}.{mode.name}", f"{label}: {how}", "MiB").samples.extend(values)
        if result.server_rss_mib:
            self.figure("serve_server_rss", "RSS of the SSH server, 10 sessions open",
                        "MiB").samples.append(result.server_rss_mib)

    # -- P: PostgreSQL against SQLite (pg.py) --------------------------------------------

    def pg(self) -> None:
        pg.measure(self, sessions, Tmux, LEAD_TERMS, CUSTOMER_TERMS, SHORT_SESSIONS)

    # -- 4: forecast --------------------------------------------------------------

    def forecast(self) -> None:
        runs = self.runs * FORECAST_RUNS_PER_RUN
        print(f"forecast at {LARGE:,} deals, {runs} runs each way", flush=True)
        db = self.cache.working_copy(LARGE)
        ways = {
            "core": self.figure(f"forecast_core.{LARGE}", "forecast query part at 1M: core "
                                "(forecast(), as_json, json.dumps)"),
            "sql": self.figure(f"forecast_sql.{LARGE}", "forecast query part at 1M: the same "
                               "queries by hand, sqlite3"),
            "sql-deals": self.figure(f"forecast_sql_deals.{LARGE}", "forecast at 1M by hand, "
                                     "summing the deals (no running totals)"),
        }
        cli = self.figure(f"forecast_cli.{LARGE}",
                          "tui-crm forecast --json at 1M, whole command (wall)")
        script = str(ROOT / "bench" / "forecast_query.py")
        for _ in range(runs):
            answers = {}
            for way, figure in ways.items():
                out = json.loads(subprocess.check_output([PYTHON, script, way, str(db)]))
                figure.samples.append(out["seconds"])
                answers[way] = out["json"]
            if any(answer != answers["core"] for answer in answers.values()):
                raise SystemExit(f"the hand-written forecast disagrees with the core: {answers}")
            start = time.perf_counter()
            subprocess.run([TUI_CRM, "forecast", "--json", "--db", str(db)], check=True,
                           stdout=subprocess.DEVNULL)
            cli.samples.append(time.perf_counter() - start)
        self._as_of(runs)

    def _as_of(self, runs: int) -> None:
        """4b: the forecast as of a week back, every change since walked back, against
        the forecast of now, on the same database (a week of work made in it)."""
        week_ago = (dt.date.today() - dt.timedelta(days=7)).isoformat()
        db = self.cache.with_changes(LARGE, AS_OF_CHANGES)
        ways = {
            "as_of": (self.figure(f"forecast_as_of.{LARGE}", "tui-crm forecast --json "
                                  f"--as-of {week_ago} at 1M, {AS_OF_CHANGES:,} changes "
                                  "since (wall)"), ["--as-of", week_ago]),
            "now": (self.figure(f"forecast_now.{LARGE}", "tui-crm forecast --json at 1M, "
                                "the same database (wall)"), []),
        }
        print(f"forecast --as-of at {LARGE:,} deals, {runs} runs each way", flush=True)
        for run in range(runs):
            for figure, extra in list(ways.values())[::-1 if run % 2 else 1]:
                start = time.perf_counter()
                subprocess.run([TUI_CRM, "forecast", "--json", "--db", str(db), *extra],
                               check=True, stdout=subprocess.DEVNULL)
                figure.samples.append(time.perf_counter() - start)

    # -- 7: bytes per key on a pseudo-terminal --------------------------------------

    def wire(self) -> None:
        print(f"bytes per key on a pty at 120x40, {self.runs} runs", flush=True)
        result = wire.measure(self.cache.ensure(SMALL), self.runs)
        for key, label in wire.LABELS.items():
            self.figure(f"wire.{key}", f"bytes written: {label}", "B").samples.extend(
                result.samples.get(key, []))


def machine() -> list[str]:
    cpu = next((line.split(":", 1)[1].strip() for line in
                Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    memory = next(int(line.split()[1]) for line in Path("/proc/meminfo").read_text()
                  .splitlines() if line.startswith("MemTotal:"))
    from importlib.metadata import version

    return [f"CPU: {cpu}, {os.cpu_count()} cores; memory {memory / 1024 / 1024:.0f} GiB",
            f"{platform.system()} {platform.release()}; Python {platform.python_version()}, "
            f"SQLite {sqlite3.sqlite_version}, Textual {version('textual')}, "
            f"Peewee {version('peewee')}; tmux {_tmux_version()}"]


def _tmux_version() -> str:
    return subprocess.check_output(["tmux", "-V"], text=True).split()[-1]


def load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=5, help="runs of each figure (default 5)")
    parser.add_argument("--only", default=",".join(DEFAULT_PARTS),
                        help=f"comma-separated parts to run, of {', '.join(PARTS)}")
    args = parser.parse_args(argv)
    parts = [p for p in args.only.split(",") if p]
    if unknown := set(parts) - set(PARTS):
        parser.error(f"unknown parts: {', '.join(sorted(unknown))}")
    started, load_before = time.perf_counter(), load()
    bench = Bench(args.runs)
    print(f"tui-crm benchmarks; code version {bench.cache.version}; load average "
          f"{load_before}", flush=True)
    bench.cache.prune()
    # An installed tui-crm has its bytecode compiled (pip does it); a checkout run with
    # PYTHONDONTWRITEBYTECODE would compile every module at every launch instead.
    compileall.compile_dir(ROOT / "tui_crm", quiet=1)
    for part in PARTS:
        if part in parts:
            getattr(bench, part)()
    minutes = (time.perf_counter() - started) / 60
    results = compute([r for r in RATIOS if r.numerator in bench.figures
                       and r.denominator in (None, *bench.figures)], bench.figures)
    lines = [*machine(),
             f"Load average (1, 5, 15 min): {load_before} before, {load()} after; "
             f"took {minutes:.1f} min.", "",
             *figures_table(list(bench.figures.values())), "",
             *ratios_table(results, bench.figures)]
    print("\n" + "\n".join(lines))
    (OUT / "results.md").write_text("\n".join(lines) + "\n")
    (OUT / "results.json").write_text(json.dumps(
        {"figures": {k: f.samples for k, f in bench.figures.items()},
         "ratios": {r.ratio.number: r.value for r in results}}, indent=2))
    missed = [r.ratio.number for r in results if not r.met]
    if missed:
        print(f"\nmissed: {', '.join(missed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
