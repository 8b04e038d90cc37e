"""Screen 1: leads, the prospect funnel. A list of any size with `/` search."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.reactive import reactive
from textual.widgets import Header

from tui_crm.core import leads
from tui_crm.core.records import LeadRow
from tui_crm.ui.footer_keys import KeyFooter
from tui_crm.ui.screens.base import DataScreen
from tui_crm.ui.widgets.filtered_list import FilteredList
from tui_crm.ui.widgets.record_forms import LeadForm, PromoteForm
from tui_crm.ui.widgets.record_list import Column, PagedSource, RecordList

# Names get the room first: at 80 columns Updated, Source and E-mail hide (in that order).
LEAD_COLUMNS = [
    Column("Name", lambda lead: lead.name, min_width=30),
    Column("Company", lambda lead: lead.company, min_width=20, priority=1),
    Column("Status", lambda lead: lead.status, width=12, priority=1),
    Column("Source", lambda lead: lead.source, width=10, priority=3),
    Column("E-mail", lambda lead: lead.email, min_width=24, priority=2),
    Column("Updated", lambda lead: f"{lead.updated_at:%Y-%m-%d}", width=10, priority=4),
]

LEAD_SOURCE = PagedSource(
    count=leads.count_leads,
    page=lambda search, offset, limit, after: leads.list_leads(
        search, offset, limit, after=(after.name, after.id) if after else None),
    position=leads.lead_position,
)


class LeadsScreen(DataScreen):
    BINDINGS = [
        Binding("n", "new_lead", "New lead", id="leads.new"),
        Binding("enter", "edit_lead", "Edit", id="leads.edit"),
        Binding("c", "promote_lead", "Promote", id="leads.promote"),
        Binding("a", "new_activity", "Activity", id="leads.activity"),
    ]
    # The lead under the cursor: what edit and promote apply to.
    lead: reactive[LeadRow | None] = reactive(None, bindings=True, repaint=False)

    def compose(self) -> ComposeResult:
        yield Header()
        yield FilteredList(LEAD_COLUMNS, LEAD_SOURCE, noun="leads", id="leads",
                           empty_text="No leads yet: press n to add one.")
        yield KeyFooter()

    @property
    def lead_list(self) -> FilteredList:
        return self.query_one("#leads", FilteredList)

    def reload(self) -> None:
        """Query again what is shown; the cursor stays on its lead."""
        self.lead_list.reload()

    def show_record(self, lead_id: int) -> None:
        """Put the cursor on a lead (clearing a search that hides it)."""
        self.lead_list.show_record(lead_id)

    @property
    def selected(self):
        return self.lead_list.records.highlighted

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("edit_lead", "new_activity"):
            return self.lead is not None
        if action == "promote_lead":
            return self.lead is not None and self.lead.status != "Converted"
        return True

    def on_record_list_highlighted(self, event: RecordList.Highlighted) -> None:
        self.lead = event.row

    def on_record_list_loaded(self, event: RecordList.Loaded) -> None:
        self.lead = self.selected  # a reload reads the lead again (promoted meanwhile)

    def action_new_lead(self) -> None:
        self.app.push_screen(LeadForm(), self._saved)

    def action_edit_lead(self) -> None:
        if self.selected is not None:
            self.app.push_screen(LeadForm(self.selected.id), self._saved)

    def _saved(self, lead_id: int | None) -> None:
        if lead_id is not None:
            self.lead_list.reload(lead_id)

    def action_new_activity(self) -> None:
        from tui_crm.ui.widgets.activity_form import add_activity

        if self.selected is not None:
            add_activity(self.app, lead_id=self.selected.id, about=self.selected.name)

    def action_promote_lead(self) -> None:
        if self.selected is None:
            return

        def promoted(customer_id: int | None) -> None:
            if customer_id is not None:
                self.lead_list.reload()
                self.app.show_record("customer", customer_id)

        self.app.push_screen(PromoteForm(self.selected.id), promoted)
