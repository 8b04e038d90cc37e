"""The forecast screen's look back: `p` shows the figures of a past moment beside
today's, `c` what changed in the quarter's pipeline since a moment (the waterfall)."""

from __future__ import annotations

import datetime as dt

from rich import box
from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.message import Message
from textual.widgets import Static

from tui_crm.core.dates import Quarter, parse_moment
from tui_crm.core.errors import CrmError
from tui_crm.core.forecast import Forecast, forecast
from tui_crm.core.money import format_amount
from tui_crm.core.past import BUCKETS, Waterfall, changes, forecast_as_of
from tui_crm.ui.footer_keys import KeyFooter
from tui_crm.ui.screens.base import DataModal
from tui_crm.ui.text import safe
from tui_crm.ui.widgets.dialogs import TextPrompt


def ask_moment(app, title: str, then) -> None:
    """Ask for a moment; ``then(moment)`` once one that reads is typed."""
    def typed(text: str | None) -> None:
        if text is None:
            return
        try:
            then(parse_moment(text))
        except CrmError as exc:
            app.notify(str(exc), severity="error", markup=False)
    app.push_screen(TextPrompt(title, "A past moment: 2026-11-24 09:00 (or just a date)",
                               placeholder="YYYY-MM-DD HH:MM",
                               hint="enter shows it, escape cancels"), typed)


def compared(now: Forecast, then: Forecast, moment: dt.datetime) -> Table:
    """Today's figures and the moment's, stage by stage."""
    table = Table(box=box.SIMPLE_HEAD, expand=False, pad_edge=False)
    table.add_column("")
    table.add_column(f"As of {moment:%Y-%m-%d %H:%M}", justify="right")
    table.add_column("Now", justify="right")
    table.add_column("Change", justify="right")
    past_lines = {line.stage: line for line in then.stages}
    for line in [*now.stages, now.total]:
        before = then.total if line is now.total else past_lines.get(line.stage)
        old = before.weighted if before else 0
        table.add_row(safe(line.stage, style="bold" if line is now.total else ""),
                      format_amount(old), format_amount(line.weighted),
                      format_amount(line.weighted - old))
    for stage, line in past_lines.items():
        if stage not in {shown.stage for shown in now.stages}:
            table.add_row(safe(f"{stage} (gone)"), format_amount(line.weighted), "-", "")
    wl_then, wl_now = then.win_loss, now.win_loss
    table.add_row("Won", format_amount(wl_then.won_amount), format_amount(wl_now.won_amount),
                  format_amount(wl_now.won_amount - wl_then.won_amount))
    table.add_row("No close date", str(then.no_close_date.count), str(now.no_close_date.count),
                  f"{now.no_close_date.count - then.no_close_date.count:+d}")
    return table


def waterfall_table(fall: Waterfall) -> Group:
    table = Table(box=box.SIMPLE_HEAD, expand=False, pad_edge=False)
    table.add_column("")
    table.add_column("Deals", justify="right")
    table.add_column("Amount", justify="right")
    rows = [("Start", fall.start)] + [(name.replace("_", " ").capitalize(), fall.bucket(name))
                                      for name in BUCKETS] + [("End", fall.end)]
    for label, tally in rows:
        style = "bold" if label in ("Start", "End") else ""
        table.add_row(Text(label, style=style), f"{tally.count:,}",
                      format_amount(tally.amount))
    slipping = [m for m in fall.movements if m.pushes >= 2]
    notes = Text()
    if slipping:
        notes.append(f"Slipping (close date pushed twice or more): {len(slipping):,}\n",
                     style="bold")
        for movement in slipping[:10]:
            notes.append_text(safe(f"  {movement.name}  pushed {movement.pushes} times\n"))
    return Group(table, notes)


class PastView(DataModal[None]):
    """A read-only look at the past: the comparison or the waterfall."""

    BINDINGS = [Binding("escape", "close", "Close", id="past.close")]

    class Read(Message):
        def __init__(self, shown) -> None:
            super().__init__()
            self.shown = shown

    def __init__(self, title: str, read) -> None:
        super().__init__(classes="dialog")
        self.title_text = title
        self.read = read

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="dialog-box past-box"):
            yield Static(Text(self.title_text), classes="dialog-title")
            yield Static("Reading the past…", id="past-body")
            yield Static("escape closes", classes="dialog-hint", markup=False)
        yield KeyFooter()

    def on_mount(self) -> None:
        self._load()

    @work(thread=True, exclusive=True, exit_on_error=False, group="past")
    def _load(self) -> None:
        self.post_message(self.Read(self.read()))

    @on(Read)
    def show(self, message: Read) -> None:
        self.query_one("#past-body", Static).update(message.shown)

    def action_close(self) -> None:
        self.dismiss(None)


def show_past(app, quarter: Quarter, owner: str | None = None) -> None:
    """`p`: the quarter's forecast at a moment typed, beside today's."""
    def at(moment: dt.datetime) -> None:
        def read():
            return compared(forecast(quarter, owner=owner),
                            forecast_as_of(moment, quarter, owner), moment)
        app.push_screen(PastView(f"Forecast {quarter}: then and now (weighted)", read))
    ask_moment(app, "The forecast as it was", at)


def show_changes(app, quarter: Quarter) -> None:
    """`c`: what changed in the quarter's pipeline since a moment typed."""
    def since(moment: dt.datetime) -> None:
        def read():
            return waterfall_table(changes(moment, quarter=quarter))
        app.push_screen(PastView(f"Pipeline of {quarter} since {moment:%Y-%m-%d %H:%M}", read))
    ask_moment(app, "What changed since", since)
