"""The forecast's drill-down in a real terminal: `enter` on a row of the figures lists
its deals. Timed from `enter` to the list drawn: its title, its count and its first
deal, read from the database first (through the core), so "ready" means the right
list is on screen.

Two rows: the stage with the most deals expected in the current quarter, and Overdue
(the open deals of every stage past their close date). At 80x24, where both lists
fill the screen at 1,000 deals too (19 and 24 deals), so both sizes draw as many rows.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from sessions import PAUSE, TEXT_PREFIX
from terminal import Tmux

FIGURES_READY = ("Warnings", "Total")  # the forecast's figures drawn (not "loading...")
SIZE = (80, 24)


@dataclass(frozen=True)
class Row:
    key: str  # the figure's key: drill_stage, drill_overdue
    label: str
    downs: int  # `down` presses from the first row of the figures
    title: str  # the list's title, as it starts
    count: int
    first: str  # the first deal's name


def read_rows(path: Path) -> list[Row]:
    from tui_crm.core import deal_lists
    from tui_crm.core.dates import Quarter
    from tui_crm.core.db import open_database
    from tui_crm.core.forecast import forecast

    if not path.exists():  # opening would create an empty database there
        raise FileNotFoundError(path)
    database = open_database(str(path))
    try:
        figures = forecast(Quarter.current())
        biggest = max(range(len(figures.stages)), key=lambda n: figures.stages[n].count)
        stage = figures.stages[biggest].stage
        rows = []
        for key, label, downs, selection in (
                ("drill_stage", f"enter on the {stage} row", biggest,
                 deal_lists.stage_deals(stage, figures.quarter)),
                ("drill_overdue", "enter on Overdue", len(figures.stages) + 1,
                 deal_lists.overdue_deals(figures.today))):
            first = deal_lists.list_deals(selection, limit=1)
            if not first:
                raise SystemExit(f"no deal to list for {selection.title!r} in {path}")
            rows.append(Row(key, label, downs, selection.title.split(" (")[0],
                            deal_lists.count_deals(selection), first[0].name))
        return rows
    finally:
        database.close()


def drill_session(tmux: Tmux, command: list[str], db: Path, rows: list[Row]
                  ) -> dict[str, float]:
    """Open the forecast; for each row: step to it, `enter`, wait for its list, then
    `escape` back to the figures and up to the first row again."""
    pane = tmux.start([*command, "--db", str(db), "--screen", "forecast"], size=SIZE)
    timed = {}
    try:
        pane.wait_for(lambda s: all(t in s for t in FIGURES_READY) and "loading" not in s,
                      time.perf_counter(), what="the forecast's figures")
        for row in rows:
            for _ in range(row.downs):
                pane.press("Down")
            time.sleep(PAUSE)
            start = time.perf_counter()
            pane.press("Enter")
            status = f"{row.count:,} deal" + ("" if row.count == 1 else "s")
            timed[row.key] = pane.wait_for(
                lambda s, row=row, status=status: row.title in s and status in s
                and row.first[:TEXT_PREFIX] in s, start, what=f"the list {row.title!r}")
            time.sleep(PAUSE)
            pane.press("Escape")
            pane.wait_for(lambda s: all(t in s for t in FIGURES_READY),
                          time.perf_counter(), what="the forecast again")
            for _ in range(row.downs):
                pane.press("Up")
    finally:
        pane.close(("C-q",))
    return timed
