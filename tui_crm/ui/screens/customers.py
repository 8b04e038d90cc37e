"""Screen 2: customers. The list, and the selected customer's detail with its deals."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Static

from tui_crm.core import contacts, customers, leads
from tui_crm.core.paging import SortOrder
from tui_crm.core.records import ContactRow
from tui_crm.core.settings import get_settings
from tui_crm.ui.screens.record_screen import DETAIL_WHILE_TYPING_S, NARROW, RecordScreen, named
from tui_crm.ui.widgets.deal_lines import RecordDetail
from tui_crm.ui.widgets.filtered_list import after_key
from tui_crm.ui.widgets.record_forms import CustomerForm
from tui_crm.ui.widgets.record_list import Column, PagedSource

__all__ = ["CustomersScreen", "DETAIL_WHILE_TYPING_S", "NARROW"]

CONTACTS_SHOWN = 20  # the customer's people in its detail panel

# Names get the room first: beside the detail panel (which shows the e-mail) the list
# keeps Name and Company.
CUSTOMER_COLUMNS = [
    Column("Name", lambda customer: customer.name, min_width=30, sort="name"),
    Column("Company", lambda customer: customer.company, min_width=20, priority=1,
           sort="company"),
    Column("E-mail", lambda customer: customer.email, min_width=24, priority=2,
           sort="email"),
    Column("Updated", lambda customer: f"{customer.updated_at:%Y-%m-%d}", width=10,
           priority=3, sort="updated_at"),
]


def customer_source(order: SortOrder, _filter: str | None = None) -> PagedSource:
    """The customers in ``order`` (customers have no filter: no status, no owner)."""
    return PagedSource(
        count=customers.count_customers,
        page=lambda search, offset, limit, after: customers.list_customers(
            search, offset, limit, after=after_key(after, order), order=order),
        position=lambda customer_id, search: customers.customer_position(
            customer_id, search, order=order),
    )


class CustomersScreen(RecordScreen):
    KIND = "customer"
    COLUMNS = CUSTOMER_COLUMNS
    SOURCE_FOR = staticmethod(customer_source)
    EMPTY_TEXT = ("No customers yet: press n to add one, or promote a lead (c on the "
                  "Leads screen).")
    BINDINGS = [
        Binding("n", "new_customer", "New customer", id="customers.new"),
        Binding("enter", "edit_customer", "Edit", id="customers.edit"),
        Binding("o", "add_opportunity", "Add opportunity", id="customers.add_opportunity"),
        Binding("a", "new_activity", "Activity", id="customers.activity"),
        Binding("k", "new_contact", "Contact", id="customers.contact"),
        Binding("d,delete", "delete_record", "Delete", id="customers.delete"),
        Binding("M", "merge_record", "Merge", key_display="M", id="customers.merge"),
        Binding("escape", "back_to_list", "Back to the list", id="customers.back"),
        # From the list, tab goes to the customer's deals (their keys: DealList).
        Binding("tab", "next_part", "To the deals", show=False, id="customers.next"),
        Binding("s", "sort", "Sort", id="customers.sort"),
    ]
    RECORD_ACTIONS = (*RecordScreen.RECORD_ACTIONS, "edit_customer", "new_contact")

    @property
    def customer_list(self):
        return self.record_list

    @property
    def customer_id(self) -> int | None:
        return self.record_id

    def read_detail(self, record_id: int) -> RecordDetail:
        customer = customers.get_customer(record_id)
        lead = leads.get_lead(customer.lead_id) if customer.lead_id else None
        return RecordDetail(customer, lead.name if lead is not None else "",
                            customers.customer_totals(record_id), self.deals_of(record_id),
                            self.activities_of(record_id), get_settings(),
                            contacts.contacts_of(record_id, limit=CONTACTS_SHOWN))

    def compose_people(self) -> ComposeResult:
        from tui_crm.ui.widgets.contact_form import ContactList

        yield Static(Text("Contacts", style="bold underline"), classes="record-people-title")
        yield ContactList(id="contact-list", compact=True)

    def show_people(self, detail: RecordDetail) -> None:
        from tui_crm.ui.widgets.contact_form import ContactList

        self.query_one(ContactList).show(detail.contacts or [])

    def focus_people(self) -> bool:
        from tui_crm.ui.widgets.contact_form import ContactList

        people = self.query_one(ContactList)
        if not people.rows:
            return False
        if people.highlighted is None:
            people.highlighted = 0  # the first person, as the deals' first deal
        people.focus()
        return True

    def highlighted_contact(self) -> ContactRow | None:
        """The contact under the contact list's cursor, when that list has the focus."""
        from tui_crm.ui.widgets.contact_form import ContactList

        people = self.query_one(ContactList)
        return people.contact if self.focused is people else None

    def action_new_activity(self) -> None:
        from tui_crm.ui.widgets.activity_form import add_activity

        contact = self.highlighted_contact()
        if contact is None:
            super().action_new_activity()
        else:
            add_activity(self.app, contact_id=contact.id, customer_id=contact.customer_id,
                         about=contact.name)

    def action_edit_contact(self) -> None:
        from tui_crm.ui.widgets.contact_form import ContactForm

        contact = self.highlighted_contact()
        if contact is not None and self.selected is not None:
            self.app.push_screen(ContactForm(contact.customer_id, self.selected.name,
                                             contact.id), self.contact_saved)

    def action_delete_contact(self) -> None:
        from tui_crm.ui.widgets.dialogs import ConfirmDialog

        contact, customer = self.highlighted_contact(), self.selected
        if contact is None or customer is None:
            return
        title = named("Delete the contact ", contact.name, "?")
        message = Text("The person goes to the Trash, with the activities about them "
                       "alone; u undoes it.")

        def confirmed(yes: bool | None) -> None:
            if yes:
                self.change_record(lambda: contacts.delete_contact(contact.id),
                                   named("Deleted ", contact.name, " (u undoes it)."),
                                   customer.id)

        self.app.push_screen(ConfirmDialog(title, message, confirm="Delete",
                                           cancel="Keep"), confirmed)

    def action_new_contact(self) -> None:
        from tui_crm.ui.widgets.contact_form import ContactForm

        if self.selected is not None:
            self.app.push_screen(ContactForm(self.selected.id, self.selected.name),
                                 self.contact_saved)

    def contact_saved(self, contact_id: int | None) -> None:
        if contact_id is not None:
            self.notify("Contact saved.")
            self.show_detail()

    def action_new_customer(self) -> None:
        self.app.push_screen(CustomerForm(), self.record_saved)

    def action_edit_customer(self) -> None:
        if self.selected is not None:
            self.app.push_screen(CustomerForm(self.selected.id), self.record_saved)
