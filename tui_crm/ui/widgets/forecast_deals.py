"""The deals behind a forecast row (`enter` on a stage, "No close date" or "Overdue"):
a paged list of any length, `/` to search it, `enter` edits a deal, `escape` goes back."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Header, Static

from tui_crm.core import dates, deal_lists
from tui_crm.core.deal_lists import DealLine, DealSelection
from tui_crm.core.money import format_amount
from tui_crm.ui.footer_keys import KeyFooter
from tui_crm.ui.screens.base import DataScreen
from tui_crm.ui.text import safe
from tui_crm.ui.widgets.filtered_list import FilteredList
from tui_crm.ui.widgets.record_list import Column, PagedSource


def close_date(line: DealLine) -> str:
    return dates.format_date(line.close_date) if line.close_date else "no date"


DEAL_COLUMNS = [
    Column("Deal", lambda line: line.name, min_width=18),
    Column("Parent", lambda line: line.parent, min_width=16, priority=1),
    Column("Stage", lambda line: line.stage, width=13, priority=2),
    Column("Close date", close_date, width=10),
    Column("Amount", lambda line: format_amount(line.amount), width=14, justify="right"),
    Column("Owner", lambda line: line.owner, min_width=10, priority=3),
]


def deal_source(selection: DealSelection) -> PagedSource:
    return PagedSource(
        count=lambda search: deal_lists.count_deals(selection, search),
        page=lambda search, offset, limit, after: deal_lists.list_deals(
            selection, search, offset, limit, after),
        position=lambda deal_id, search: deal_lists.deal_position(selection, deal_id, search),
    )


class ForecastDeals(DataScreen):
    """The deals a forecast row counts, by stage and close date."""

    BINDINGS = [
        Binding("enter", "edit", "Edit deal", id="forecast_deals.edit"),
        Binding("escape", "back", "Back", id="forecast_deals.back"),
    ]

    def __init__(self, selection: DealSelection) -> None:
        super().__init__()
        self.selection = selection

    def compose(self) -> ComposeResult:
        yield Header()
        title = Text(style="bold")
        title.append_text(safe(self.selection.title))
        if self.selection.owner is not None:
            title.append(" · my deals (")
            title.append_text(safe(self.selection.owner))
            title.append(")")
        yield Static(title, id="forecast-deals-title")
        yield FilteredList(DEAL_COLUMNS, deal_source(self.selection), noun="deals",
                           id="forecast-deals", empty_text="No deal here any more.")
        yield KeyFooter()

    @property
    def deal_list(self) -> FilteredList:
        return self.query_one(FilteredList)

    def on_mount(self) -> None:
        self.deal_list.records.focus()

    def reload(self) -> None:
        """Read the list again (another change here or elsewhere); the cursor stays."""
        self.deal_list.reload()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "edit":
            return self.is_mounted and self.deal_list.records.highlighted is not None or None
        return True

    def on_record_list_highlighted(self) -> None:
        self.refresh_bindings()

    def action_edit(self) -> None:
        from tui_crm.ui.widgets.deal_form import DealForm

        line = self.deal_list.records.highlighted
        if line is not None:
            self.app.push_screen(DealForm(line.id), self._saved)

    def _saved(self, deal_id: int | None) -> None:
        self.deal_list.reload(deal_id)

    def action_back(self) -> None:
        self.dismiss()
