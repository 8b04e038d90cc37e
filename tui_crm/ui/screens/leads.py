"""Screen 1: leads, the prospect funnel. A list of any size with `/` search."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import Footer, Header

from tui_crm.core import leads
from tui_crm.ui.widgets.filtered_list import FilteredList
from tui_crm.ui.widgets.record_list import Column, PagedSource

LEAD_COLUMNS = [
    Column("Name", lambda lead: lead.name),
    Column("Company", lambda lead: lead.company),
    Column("Status", lambda lead: lead.status, width=12),
    Column("Source", lambda lead: lead.source, width=10),
    Column("E-mail", lambda lead: lead.email),
    Column("Updated", lambda lead: f"{lead.updated_at:%Y-%m-%d}", width=10),
]

LEAD_SOURCE = PagedSource(
    count=leads.count_leads,
    page=lambda search, offset, limit, after: leads.list_leads(
        search, offset, limit, after=(after.name, after.id) if after else None),
    position=leads.lead_position,
)


class LeadsScreen(Screen):
    def compose(self) -> ComposeResult:
        yield Header()
        yield FilteredList(LEAD_COLUMNS, LEAD_SOURCE, noun="leads", id="leads",
                           empty_text="No leads yet: press n to add one.")
        yield Footer()

    @property
    def lead_list(self) -> FilteredList:
        return self.query_one("#leads", FilteredList)

    def on_mount(self) -> None:
        self.lead_list.records.focus()

    def reload(self) -> None:
        self.lead_list.reload()
