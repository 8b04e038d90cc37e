"""Screen 1: leads, the prospect funnel. The list (any size, `/` search, `s` sorts by any
column shown, `f` shows one status), and the selected lead's detail: the lead, its
activities and its deals."""

from __future__ import annotations

from textual.binding import Binding
from textual.reactive import reactive

from tui_crm.core import customers, leads
from tui_crm.core.paging import SortOrder
from tui_crm.core.records import LeadRow
from tui_crm.core.settings import get_settings
from tui_crm.ui.screens.record_screen import RecordScreen
from tui_crm.ui.widgets.deal_lines import RecordDetail
from tui_crm.ui.widgets.filtered_list import ListFilter, after_key
from tui_crm.ui.widgets.record_forms import LeadForm, PromoteForm
from tui_crm.ui.widgets.record_list import Column, PagedSource

# Names get the room first: beside the detail panel Updated, Source and E-mail hide
# (in that order).
LEAD_COLUMNS = [
    Column("Name", lambda lead: lead.name, min_width=30, sort="name"),
    Column("Company", lambda lead: lead.company, min_width=20, priority=1, sort="company"),
    Column("Status", lambda lead: lead.status, width=12, priority=1, sort="status"),
    Column("Source", lambda lead: lead.source, width=10, priority=3, sort="source"),
    Column("E-mail", lambda lead: lead.email, min_width=24, priority=2, sort="email"),
    Column("Updated", lambda lead: f"{lead.updated_at:%Y-%m-%d}", width=10, priority=4,
           sort="updated_at"),
]
STATUS_FILTER = ListFilter("status", leads.STATUSES)


def lead_source(order: SortOrder, status: str | None) -> PagedSource:
    """The leads in ``order``, of one status (None: all)."""
    return PagedSource(
        count=lambda search: leads.count_leads(search, status),
        page=lambda search, offset, limit, after: leads.list_leads(
            search, offset, limit, after=after_key(after, order), order=order,
            status=status),
        position=lambda lead_id, search: leads.lead_position(lead_id, search, order=order,
                                                             status=status),
    )


class LeadsScreen(RecordScreen):
    KIND = "lead"
    COLUMNS = LEAD_COLUMNS
    SOURCE_FOR = staticmethod(lead_source)
    LIST_FILTER = STATUS_FILTER
    EMPTY_TEXT = "No leads yet: press n to add one."
    BINDINGS = [
        Binding("n", "new_lead", "New lead", id="leads.new"),
        Binding("enter", "edit_lead", "Edit", id="leads.edit"),
        Binding("c", "promote_lead", "Promote", id="leads.promote"),
        Binding("o", "add_opportunity", "Add opportunity", id="leads.add_opportunity"),
        Binding("a", "new_activity", "Activity", id="leads.activity"),
        Binding("d,delete", "delete_record", "Delete", id="leads.delete"),
        Binding("M", "merge_record", "Merge", key_display="M", id="leads.merge"),
        Binding("escape", "back_to_list", "Back to the list", id="leads.back"),
        # From the list, tab goes to the lead's deals (their keys: DealList).
        Binding("tab", "next_part", "To the deals", show=False, id="leads.next"),
        Binding("s", "sort", "Sort", id="leads.sort"),
        Binding("f", "filter", "Status filter", id="leads.filter"),
    ]
    RECORD_ACTIONS = (*RecordScreen.RECORD_ACTIONS, "edit_lead")
    # The lead under the cursor: what edit and promote apply to.
    lead: reactive[LeadRow | None] = reactive(None, bindings=True, repaint=False)

    @property
    def lead_list(self):
        return self.record_list

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("promote_lead", "add_opportunity"):
            # A Converted lead's deals went to its customer: it takes no new ones.
            return self.lead is not None and self.lead.status != leads.CONVERTED
        return super().check_action(action, parameters)

    def record_highlighted(self, row: object | None) -> None:
        self.lead = row  # type: ignore[assignment]

    def on_record_list_loaded(self, event) -> None:
        # (RecordScreen's handler runs too, after this one: Textual calls each class's)
        self.lead = self.selected  # a reload reads the lead again (promoted meanwhile)

    def read_detail(self, record_id: int) -> RecordDetail:
        lead = leads.get_lead(record_id)
        customer = customers.get_customer(lead.customer_id) if lead.customer_id else None
        return RecordDetail(lead, customer.name if customer is not None else "",
                            leads.lead_totals(record_id), self.deals_of(record_id),
                            self.activities_of(record_id), get_settings())

    def action_new_lead(self) -> None:
        self.app.push_screen(LeadForm(), self.record_saved)

    def action_edit_lead(self) -> None:
        if self.selected is not None:
            self.app.push_screen(LeadForm(self.selected.id), self.record_saved)

    def action_promote_lead(self) -> None:
        if self.selected is None:
            return

        def promoted(customer_id: int | None) -> None:
            if customer_id is not None:
                self.reload()  # the lead is Converted now, its deals moved
                self.app.show_record("customer", customer_id)

        self.app.push_screen(PromoteForm(self.selected.id), promoted)
