"""What the forecast screen shows, built from one ``Forecast``: tables, lines and bars.

Plain functions from the core's figures to Rich renderables, so the screen only
places them. Amounts are labelled with the database's basis and currency; user
text (stage names, lost reasons) goes through ``safe``.
"""

from __future__ import annotations

from decimal import Decimal

from rich import box
from rich.console import Group
from rich.table import Table
from rich.text import Text

from tui_crm.core.dates import Quarter
from tui_crm.core.forecast import Forecast, Tally
from tui_crm.core.money import format_amount
from tui_crm.core.settings import Settings
from tui_crm.ui.text import safe
from tui_crm.ui.widgets.forecast_charts import FULL, LIGHT, Bar

MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
WARN = "bold yellow"
PICKED = "reverse"  # the row `enter` lists the deals of: reversed, not only coloured
OK = "green"
HEADING = "bold"


def amount_label(settings: Settings) -> str:
    """``ARR, USD`` or ``one-time, EUR``: what every summed amount on the screen means."""
    return f"{settings.amount_basis}, {settings.currency}"


def short(amount: Decimal) -> str:
    return format_amount(amount, short=True)


def deals(count: int) -> str:
    return f"{count:,} deal" if count == 1 else f"{count:,} deals"


def month_name(month: str) -> str:
    """``2026-03`` as ``Mar 2026``."""
    year, number = month.split("-")
    return f"{MONTHS[int(number) - 1]} {year}"


def quarter_span(quarter: Quarter) -> str:
    """``Oct-Dec 2026``."""
    first = MONTHS[quarter.start.month - 1]
    last = MONTHS[quarter.last_day.month - 1]
    return f"{first}-{last} {quarter.year}"


def title(quarter: Quarter, result: Forecast | None) -> Text:
    """The heading: which quarter, whether it is the current one, what amounts mean."""
    text = Text.assemble(("Forecast ", HEADING), (str(quarter), HEADING),
                         f"  {quarter_span(quarter)}")
    if result is None or result.quarter != quarter:
        text.append("  loading...", "italic")
        return text
    if quarter == Quarter.containing(result.today):
        text.append("  (this quarter)")
    text.append("   Amounts: ")
    text.append(amount_label(result.settings), HEADING)
    return text


def stage_table(result: Forecast, picked: int | None = None) -> Table:
    """Open deals expected to close in the quarter, by stage, with the total; the
    ``picked`` stage's row reversed."""
    settings = result.settings
    table = Table(title=f"Open deals expected to close in {result.quarter}",
                  title_justify="left", title_style=HEADING, box=box.SIMPLE, show_edge=False,
                  show_footer=True, pad_edge=False, expand=False)
    total = result.total
    table.add_column("Stage", footer=Text("Total", style=HEADING), max_width=18,
                     overflow="ellipsis", no_wrap=True)
    table.add_column("Deals", footer=Text(f"{total.count:,}", style=HEADING), justify="right")
    table.add_column(amount_label(settings), justify="right",
                     footer=Text(format_amount(total.amount), style=HEADING))
    table.add_column("Win %", justify="right")
    table.add_column("Weighted", justify="right",
                     footer=Text(format_amount(total.weighted), style=HEADING))
    for index, line in enumerate(result.stages):
        table.add_row(safe(line.stage), f"{line.count:,}", format_amount(line.amount),
                      f"{line.probability}%", format_amount(line.weighted),
                      style=PICKED if index == picked else None)
    if not total.count:
        table.caption = f"No open deal is expected to close in {result.quarter}."
        table.caption_justify = "left"
    return table


def _warning(grid: Table, label: str, tally: Tally, bad: str, good: str,
             picked: bool = False) -> None:
    """Two lines: the figures, then what they mean (so a narrow column never wraps).
    The amount is in the screen's basis and currency, said once in its title."""
    marker = Text("!", style=WARN) if tally.count else Text("ok", style=OK)
    grid.add_row(marker, Text(label, style=HEADING if tally.count else ""), deals(tally.count),
                 format_amount(tally.amount), style=PICKED if picked else None)
    grid.add_row("", Text(bad if tally.count else good, style="italic"), "", "")


def warnings(result: Forecast, picked: int | None = None) -> Group:
    """Open deals (of any quarter) without a close date, and those past it; ``picked``
    0 or 1 reverses the one `enter` lists."""
    grid = Table.grid(padding=(0, 1))
    grid.add_column(width=2)
    grid.add_column(no_wrap=True)
    grid.add_column(justify="right", no_wrap=True)
    grid.add_column(justify="right", no_wrap=True)
    _warning(grid, "No close date", result.no_close_date, "they hurt the forecast",
             "every open deal has one", picked == 0)
    _warning(grid, "Overdue", result.overdue, "their close date has passed",
             "none past its close date", picked == 1)
    heading = Text("Warnings", style=HEADING)
    heading.append(" (open deals of every quarter)", style="")
    return Group(Text(""), heading, grid)


def win_loss(result: Forecast) -> Group:
    """Deals closed in the quarter: won, lost, win rate, most common lost reasons."""
    wl = result.win_loss
    grid = Table.grid(padding=(0, 1))
    grid.add_column(no_wrap=True)
    grid.add_column(justify="right", no_wrap=True)
    grid.add_column(justify="right", no_wrap=True)
    grid.add_row(Text("Won", style=HEADING), deals(wl.won_count), format_amount(wl.won_amount))
    grid.add_row(Text("Lost", style=HEADING), deals(wl.lost_count),
                 format_amount(wl.lost_amount))
    if wl.closed_count:
        rate = Text.assemble(("Win rate ", HEADING), (f"{wl.win_rate:.1f}%", HEADING),
                             f"  ({wl.won_count:,} won of {wl.closed_count:,} closed)")
    else:
        rate = Text.assemble(("Win rate ", HEADING), "-  (no deal closed in the quarter)")
    reasons = Text("Lost reasons ", style=HEADING)
    if result.lost_reasons:
        for n, (reason, count) in enumerate(result.lost_reasons):
            if n:
                reasons.append(" · ")
            reasons.append_text(safe(reason))
            reasons.append(f" {count:,}")
    else:
        reasons.append("none")
    heading = Text(f"Closed in {result.quarter}", style=HEADING)
    heading.append(" (by close date)", style="")
    return Group(Text(""), heading, grid, rate, reasons)


def pipeline_title(result: Forecast) -> Text:
    return Text.assemble((f"Pipeline by stage, {result.quarter}", HEADING),
                         f" ({amount_label(result.settings)})\n",
                         f"{FULL} weighted, then {LIGHT} up to the unweighted amount")


def pipeline_bars(result: Forecast) -> list[Bar]:
    return [Bar(line.stage, line.weighted, line.amount,
                f"{short(line.weighted)} of {short(line.amount)}") for line in result.stages]


def trend_title(result: Forecast) -> Text:
    months = result.won_by_month
    span = f"{month_name(months[0][0])} - {month_name(months[-1][0])}" if months else ""
    return Text.assemble(("Won by month", HEADING), f", {span} ({amount_label(result.settings)})")


def trend_bars(result: Forecast) -> list[Bar]:
    return [Bar(month_name(month), amount, amount, short(amount))
            for month, amount in result.won_by_month]
