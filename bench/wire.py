"""Bytes per key: what one keystroke costs on the wire, against Textual's DataTable.

    .venv/bin/python bench/wire.py [--runs N] [--db FILE]

Each program runs on a real pseudo-terminal at 120x40 with TERM=xterm-256color
(pty_terminal.py). Once its screen has settled, a key is pressed and every byte the
program writes until it is quiet again is counted. Measured in the same run:

- a row step of Textual's own DataTable with a row cursor, in a minimal app
  (baseline_app.py --row-cursor): the reference;
- a cursor step in Leads and in Customers (the whole screen: the list and the detail
  panel, which shows another record; and the list's part alone), on the board;
- a deal move on the board (`>` then `<`, each counted);
- a few seconds with no key pressed, the live refresh on: nothing should be written.

Used by `make bench` (run.py, part "wire") and on its own. The database is a 1,000-deal
demo (bench/out/db, see databases.py) unless --db names one.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from baseline_app import READY_TEXT
from databases import BIN, ROOT, TUI_CRM
from pty_terminal import HEIGHT, WIDTH, PtyProgram, by_column

STEPS = 6  # cursor steps measured per screen and run (down, and up again)
MOVES = 2  # a deal moved on and back this many times per run
IDLE_S = 4.0  # with the live refresh looking once a second: four looks
DETAIL_WIDTH = 56  # the customers' detail panel, at the right (app.tcss .record-detail)
BASELINE = [str(BIN / "python"), str(ROOT / "bench" / "baseline_app.py"), "--row-cursor"]


@dataclass
class WireResult:
    """Bytes written per key (lists of samples) and while idle."""

    samples: dict[str, list[int]] = field(default_factory=dict)

    def add(self, key: str, value: int) -> None:
        self.samples.setdefault(key, []).append(value)

    def median(self, key: str) -> float:
        return statistics.median(self.samples[key])


LABELS = {
    "datatable_step": "DataTable (row cursor), one row step",
    "leads_list_step": "Leads, one cursor step: the list's lines",
    "leads_step": "Leads, one cursor step: the whole screen (detail changes)",
    "customers_list_step": "Customers, one cursor step: the list's lines",
    "customers_step": "Customers, one cursor step: the whole screen (detail changes)",
    "board_step": "board, one cursor step",
    "move": "board, a deal moved a stage (> or <)",
    "idle": f"idle {IDLE_S:g} s, live refresh on",
}


def _steps(program: PtyProgram, result: WireResult, key: str, steps: int = STEPS,
           split: int | None = None, list_key: str | None = None) -> None:
    for number in range(steps):
        out = program.press("down" if number < steps // 2 else "up")
        result.add(key, len(out))
        if split is not None and list_key is not None:
            result.add(list_key, by_column(out, split)[0])


def datatable(result: WireResult) -> None:
    with PtyProgram(BASELINE) as program:
        program.wait_for(READY_TEXT.encode())
        _steps(program, result, "datatable_step")


def app(db: Path, screen: str) -> PtyProgram:
    program = PtyProgram([TUI_CRM, "--db", str(db), "--screen", screen])
    program.settle()
    return program


def measure(db: Path, runs: int, result: WireResult | None = None) -> WireResult:
    """Every figure of LABELS, ``runs`` times, on a copy of ``db``."""
    result = result or WireResult()
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / "wire.db"
        shutil.copyfile(db, copy)
        for _ in range(runs):
            datatable(result)
            with app(copy, "leads") as program:  # a detail panel beside it, as Customers
                _steps(program, result, "leads_step", split=WIDTH - DETAIL_WIDTH,
                       list_key="leads_list_step")
            with app(copy, "customers") as program:
                _steps(program, result, "customers_step", split=WIDTH - DETAIL_WIDTH,
                       list_key="customers_list_step")
            with app(copy, "pipeline") as program:
                _steps(program, result, "board_step")
                for _ in range(MOVES):
                    result.add("move", len(program.press(">")))
                    result.add("move", len(program.press("<")))
                result.add("idle", len(program.idle(IDLE_S)))
    return result


@dataclass(frozen=True)
class Target:
    key: str
    label: str
    limit: float
    relative: bool  # limit is a multiple of the DataTable's step, else bytes


TARGETS = [
    Target("leads_list_step", "Leads list step / DataTable step", 1.5, True),
    Target("customers_list_step", "Customers list step / DataTable step", 1.5, True),
    Target("board_step", "board step / DataTable step", 1.5, True),
    Target("customers_step", "Customers step, whole screen (bytes)", 12_000, False),
    Target("leads_step", "Leads step, whole screen (bytes)", 12_000, False),
    Target("move", "deal move (bytes)", 12_000, False),
    Target("idle", f"idle {IDLE_S:g} s (bytes)", 0, False),
]


def report(result: WireResult) -> tuple[list[str], list[str], bool]:
    """The figures table, the targets table, and whether every target is met."""
    figures = ["| figure (bytes written) | median | min | max | samples |",
               "|---|---:|---:|---:|---:|"]
    for key, label in LABELS.items():
        values = result.samples.get(key)
        if values:
            figures.append(f"| {label} | {statistics.median(values):,.0f} | {min(values):,} "
                           f"| {max(values):,} | {len(values)} |")
    targets = ["| target | value | limit | |", "|---|---:|---:|---|"]
    met_all = True
    base = result.median("datatable_step")
    for target in TARGETS:
        value = result.median(target.key)
        if target.relative:
            value /= base
            shown, limit = f"{value:.2f}", f"<= {target.limit:g}"
        else:
            shown, limit = f"{value:,.0f}", f"<= {target.limit:,.0f}"
        met = value <= target.limit
        met_all &= met
        targets.append(f"| {target.label} | {shown} | {limit} | {'met' if met else 'MISSED'} |")
    return figures, targets, met_all


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--db", type=Path, help="a database file (default: a 1k-deal demo)")
    args = parser.parse_args(argv)
    if args.db is None:
        from databases import Cache

        args.db = Cache().ensure(1_000)
    print(f"bytes per key at {WIDTH}x{HEIGHT} on a pty, {args.runs} runs", flush=True)
    figures, targets, met = report(measure(args.db, args.runs))
    print("\n".join([*figures, "", *targets]))
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
