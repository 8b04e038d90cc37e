"""A person at a customer: add or edit a contact (name, role, e-mail, phone, notes)."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.binding import Binding
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from tui_crm.core import contacts
from tui_crm.core.records import ContactRow
from tui_crm.core.validate import check_email, check_name, check_text
from tui_crm.ui.text import safe
from tui_crm.ui.widgets.form import FieldSpec, RecordForm
from tui_crm.ui.widgets.record_forms import titled

CONTACT_FORM_FIELDS = [
    FieldSpec("name", "Name", placeholder="required", check=check_name),
    FieldSpec("role", "Role", placeholder="e.g. Head of IT, buyer", check=check_text),
    FieldSpec("email", "E-mail", placeholder="name@example.com", check=check_email),
    FieldSpec("phone", "Phone", check=check_text),
    FieldSpec("notes", "Notes", kind="notes", check=check_text),
]


class ContactForm(RecordForm):
    """Add a contact to ``customer_id`` (named ``about`` in the title), or edit
    ``contact_id``."""

    form_title = "Contact"
    history_entity = "contact"

    def __init__(self, customer_id: int, about: str = "", contact_id: int | None = None):
        super().__init__()
        self.customer_id = customer_id
        self.about = about
        self.contact_id = self.record_id = contact_id

    def field_specs(self) -> list[FieldSpec]:
        return CONTACT_FORM_FIELDS

    def title_text(self) -> Text:
        return titled("Edit contact at" if self.contact_id else "New contact at", self.about)

    def load(self) -> dict[str, Any]:
        if self.contact_id is None:
            return {}
        contact = contacts.get_contact(self.contact_id)
        self.version = contact.version
        return {field: getattr(contact, field) for field in contacts.CONTACT_FIELDS}

    def save_values(self, values: dict[str, Any], expected_version: int | None) -> int:
        if self.contact_id is None:
            return contacts.create_contact({**values, "customer_id": self.customer_id})
        contacts.update_contact(self.contact_id, values, expected_version)
        return self.contact_id


class ContactList(OptionList):
    """A customer's people, in its detail panel: `tab` reaches them after the deals;
    `enter` edits one, `a` plans an activity with that person, `d` deletes one (to the
    Trash; `u` undoes it)."""

    HELP_GROUP = "In the contact list"
    BINDINGS = [Binding("enter", "screen.edit_contact", "Edit contact", id="contacts.edit"),
                Binding("d,delete", "screen.delete_contact", "Delete contact",
                        id="contacts.delete")]

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.rows: list[ContactRow] = []  # the people listed, in the options' order

    def on_focus(self) -> None:
        if self.highlighted is None and self.rows:  # reached by tab from the deals too
            self.highlighted = 0  # the first person, as the deal list's first deal

    def show(self, rows: list[ContactRow]) -> None:
        """The people, a line each (the one highlighted stays, when still here)."""
        kept = self.contact.id if self.contact is not None else None
        self.rows = rows
        self.set_options([Option(contact_line(row)) for row in rows]
                         or [Option(Text("  none yet: k adds the people you deal with",
                                         style="italic"), disabled=True)])
        place = next((index for index, row in enumerate(rows) if row.id == kept), None)
        if place is not None:
            self.highlighted = place

    @property
    def contact(self) -> ContactRow | None:
        """The person under the cursor (None on an empty list)."""
        index = self.highlighted
        return self.rows[index] if index is not None and index < len(self.rows) else None


def contact_line(row: ContactRow) -> Text:
    """A person: name, then role, e-mail and phone where known, shown as typed."""
    text = safe(row.name, style="bold")
    for part in (row.role, row.email, row.phone):
        if part:
            text.append(" · ")
            text.append_text(safe(part))
    return text
