"""The baseline for launch time and memory: a minimal Textual app.

A header, a footer and a DataTable of a screenful of rows, nothing else: what any
Textual program costs to start. The benchmark waits for its last row to be drawn.
With --row-cursor the table has a row cursor, the reference of bench/wire.py.
"""

from __future__ import annotations

import sys

from textual.app import App, ComposeResult
from textual.widgets import DataTable, Footer, Header

ROWS = 30
READY_TEXT = f"Baseline row {ROWS}"


class BaselineApp(App):
    TITLE = "baseline"
    BINDINGS = [("q", "quit", "Quit")]

    def compose(self) -> ComposeResult:
        yield Header()
        # --row-cursor: the row cursor of a list (bench/wire.py counts its bytes per step)
        yield DataTable(cursor_type="row" if "--row-cursor" in sys.argv else "cell")
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns("Name", "Company", "Amount", "Close date")
        table.add_rows((f"Baseline row {n}", f"Company {n}", f"{n * 1000:,}.00",
                        f"2026-12-{n % 28 + 1:02d}") for n in range(1, ROWS + 1))
        table.focus()


if __name__ == "__main__":
    BaselineApp().run()
