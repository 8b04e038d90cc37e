"""Sorted lists in a real terminal: `s` on Leads re-reads the list in the next order.
Timed from the `s` that reaches an order to that order drawn: the line under the list
says it ("· by Company ↑", written once its rows are read) and the order's first lead
(read from the database first, through the core) is on screen, where the cursor goes.

Two orders: Company ↑ (the second `s`) and Updated ↓ (the eleventh, the last of the
cycle). At 180x40, where every column of Leads is shown beside the detail panel.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from sessions import PAUSE, TEXT_PREFIX
from terminal import Tmux

SIZE = (180, 40)
# The orders `s` steps through from the first (Name ↑), as the list's status line says.
CYCLE = [("name", True, "Name ↓"), ("company", False, "Company ↑"),
         ("company", True, "Company ↓"), ("status", False, "Status ↑"),
         ("status", True, "Status ↓"), ("source", False, "Source ↑"),
         ("source", True, "Source ↓"), ("email", False, "E-mail ↑"),
         ("email", True, "E-mail ↓"), ("updated_at", False, "Updated ↑"),
         ("updated_at", True, "Updated ↓")]
TIMED = {"sort_company": 1, "sort_updated": 10}  # figure key -> index in CYCLE


@dataclass(frozen=True)
class Step:
    words: str  # the status line's words for the order
    first: str  # the name of the order's first lead
    key: str | None  # the figure it times, if any


def read_steps(path: Path) -> tuple[str, list[Step]]:
    """The lead the cursor starts on and, for each `s`, what the screen must show."""
    from tui_crm.core import leads
    from tui_crm.core.db import open_database
    from tui_crm.core.paging import SortOrder

    if not path.exists():  # opening would create an empty database there
        raise FileNotFoundError(path)
    database = open_database(str(path))
    try:
        first = leads.list_leads(limit=1)[0]
        timed = {index: key for key, index in TIMED.items()}
        steps = []
        for index, (field, descending, words) in enumerate(CYCLE):
            order = SortOrder(field, descending)
            top = leads.list_leads(order=order, limit=1)[0]
            steps.append(Step(f"by {words}", top.name, timed.get(index)))
        return first.name, steps
    finally:
        database.close()


def sort_session(tmux: Tmux, command: list[str], db: Path, first: str, steps: list[Step]
                 ) -> dict[str, float]:
    """Open Leads; press `s` through the cycle, each drawn before the next."""
    pane = tmux.start([*command, "--db", str(db), "--screen", "leads"], size=SIZE)
    timed = {}
    try:
        pane.wait_for(lambda s: first[:TEXT_PREFIX] in s and " leads" in s,
                      time.perf_counter(), what="the leads")
        for step in steps:
            time.sleep(PAUSE)
            start = time.perf_counter()
            pane.press("s")
            seconds = pane.wait_for(
                lambda s, step=step: f"· {step.words}" in s
                and step.first[:TEXT_PREFIX] in s, start, what=f"leads {step.words}")
            if step.key:
                timed[step.key] = seconds
    finally:
        pane.close(("C-q",))
    return timed
