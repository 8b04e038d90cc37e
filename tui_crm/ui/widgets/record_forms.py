"""The lead form, the customer form, the promotion form (a lead becomes a customer)
and the short form the parent picker opens to create the record it did not find.

Each is a ``ModalScreen[int | None]`` dismissed with the saved record's id:
``LeadForm(lead_id=None)``, ``CustomerForm(customer_id=None)``,
``PromoteForm(lead_id)`` (its result is the new customer's id) and
``QuickRecordForm(kinds, name)`` (``saved`` then holds the new record's match).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rich.text import Text
from textual import on, work
from textual.message import Message
from textual.widgets import Input, Select

from tui_crm.core import customers, leads, stages
from tui_crm.core.errors import ValidationError
from tui_crm.core.lookup import RecordMatch
from tui_crm.core.records import StageRow
from tui_crm.core.settings import get_settings
from tui_crm.core.validate import (
    CUSTOMER_FIELDS,
    LEAD_FIELDS,
    LEAD_STATUSES,
    check_amount,
    check_date,
    check_email,
    check_name,
    check_text,
)
from tui_crm.ui.text import safe
from tui_crm.ui.widgets.deal_form import AMOUNT_HINT, DATE_HINT, amount_hint
from tui_crm.ui.widgets.form import FieldSpec, RecordForm

CONTACT_FIELDS = [
    FieldSpec("name", "Name", placeholder="required", check=check_name),
    FieldSpec("company", "Company", check=check_text),
    FieldSpec("email", "E-mail", placeholder="name@example.com", check=check_email),
    FieldSpec("phone", "Phone", check=check_text),
]
NOTES = FieldSpec("notes", "Notes", kind="notes", check=check_text)


def titled(action: str, name: str | None) -> Text:
    """``Edit lead — Acme [/] Corp``, the name shown literally."""
    title = Text(action)
    if name:
        title.append(" — ")
        title.append_text(safe(name))
    return title


class NameCheck(RecordForm):
    """A form whose record's name should not be taken by another of its kind: a
    warning shows at the name as it is typed (checked in a worker), and a save of a
    taken name not yet warned about is held once with that warning; saving again
    then makes the second record."""

    record_kind = "record"
    name_taken: Callable[[str, int | None], bool] = staticmethod(lambda name, except_id: False)

    def __init__(self) -> None:
        super().__init__()
        self.warned_name: str | None = None  # the taken name the user has been shown
        self.record_id: int | None = None  # the record edited (its own name is not taken)
        self.name_at_open: str | None = None

    def taken_text(self, name: str) -> str:
        return (f"Another {self.record_kind} is already named “{name}”: saving makes a "
                "second one.")

    class NameChecked(Message):
        def __init__(self, name: str, taken: bool) -> None:
            super().__init__()
            self.name = name
            self.taken = taken

    @on(Input.Changed, "#field-name")
    def name_typed(self, event: Input.Changed) -> None:
        self.check_name_typed(event.value.strip())

    @work(thread=True, exclusive=True, exit_on_error=False, group="name-check")
    def check_name_typed(self, name: str) -> None:
        taken = bool(name) and name != self.name_at_open \
            and self.name_taken(name, self.record_id)
        self.post_message(self.NameChecked(name, taken))

    @on(NameChecked)
    def name_checked(self, message: NameChecked) -> None:
        field = self.fields["name"]
        if message.name != str(field.value).strip():
            return  # typing went on meanwhile
        if message.taken:
            self.warned_name = message.name
        field.set_hint(self.taken_text(message.name) if message.taken else None)

    def hold_taken_name(self, name: str) -> None:
        """In the save worker: refuse once a taken name the user was not warned of."""
        name = name.strip()
        if name == self.warned_name or name == self.name_at_open \
                or not self.name_taken(name, self.record_id):
            return
        self.warned_name = name
        raise ValidationError({"name": self.taken_text(name) + " ctrl+s again saves it."})


class LeadForm(NameCheck):
    """Add or edit a lead (its status too): name, company, e-mail, phone, source,
    status, notes."""

    record_kind = "lead"
    history_entity = "lead"
    name_taken = staticmethod(leads.name_taken)

    def __init__(self, lead_id: int | None = None):
        super().__init__()
        self.lead_id = self.record_id = lead_id

    def field_specs(self) -> list[FieldSpec]:
        return [*CONTACT_FIELDS,
                FieldSpec("source", "Source", placeholder="e.g. referral, web, event",
                          check=check_text),
                FieldSpec("status", "Status", kind="select",
                          options=tuple((status, status) for status in LEAD_STATUSES
                                        if status != leads.CONVERTED)),
                NOTES]

    def title_text(self) -> Text:
        return titled("Edit lead" if self.lead_id else "New lead", self.name_at_open)

    def load(self) -> dict[str, Any]:
        if self.lead_id is None:
            return {"status": "New"}
        lead = leads.get_lead(self.lead_id)
        self.version = lead.version
        self.name_at_open = lead.name
        return {field: getattr(lead, field) for field in LEAD_FIELDS}

    def fill(self, values: dict[str, Any]) -> None:
        if values.get("status") == leads.CONVERTED:
            # Promotion set it, and a promoted lead stays Converted: shown, not offered.
            status = self.fields["status"]
            status.editor.set_options([(leads.CONVERTED, leads.CONVERTED)])
            status.editor.disabled = True
            status.set_hint("Set when the lead was promoted: it stays Converted.")
        super().fill(values)

    def save_values(self, values: dict[str, Any], expected_version: int | None) -> int:
        self.hold_taken_name(values["name"])
        if self.lead_id is None:
            return leads.create_lead(values)
        leads.update_lead(self.lead_id, values, expected_version)
        return self.lead_id


class CustomerForm(NameCheck):
    """Add or edit a customer: name, company, e-mail, phone, notes."""

    record_kind = "customer"
    history_entity = "customer"
    name_taken = staticmethod(customers.name_taken)

    def __init__(self, customer_id: int | None = None):
        super().__init__()
        self.customer_id = self.record_id = customer_id

    def field_specs(self) -> list[FieldSpec]:
        return [*CONTACT_FIELDS, NOTES]

    def title_text(self) -> Text:
        return titled("Edit customer" if self.customer_id else "New customer", self.name_at_open)

    def load(self) -> dict[str, Any]:
        if self.customer_id is None:
            return {}
        customer = customers.get_customer(self.customer_id)
        self.version = customer.version
        self.name_at_open = customer.name
        return {field: getattr(customer, field) for field in CUSTOMER_FIELDS}

    def save_values(self, values: dict[str, Any], expected_version: int | None) -> int:
        self.hold_taken_name(values["name"])
        if self.customer_id is None:
            return customers.create_customer(values)
        customers.update_customer(self.customer_id, values, expected_version)
        return self.customer_id


class QuickRecordForm(NameCheck):
    """A new customer or lead from the parent picker: its name (prefilled with what was
    typed there), which kind it is, and its company; ``saved`` is its match once
    saved. It warns of a taken name as the other forms do."""

    def __init__(self, kinds: tuple[str, ...] = ("customer", "lead"), name: str = ""):
        super().__init__()
        self.kinds = tuple(kind for kind in kinds if kind in ("customer", "lead"))
        self.typed_name = name
        self.saved: RecordMatch | None = None
        self.record_kind = self.kinds[0]  # the kind chosen (read by the save worker too)

    def name_taken(self, name: str, except_id: int | None) -> bool:
        check = customers.name_taken if self.record_kind == "customer" else leads.name_taken
        return check(name, except_id)

    @on(Select.Changed, "#field-kind")
    def kind_chosen(self, event: Select.Changed) -> None:
        self.record_kind = str(event.value)
        self.check_name_typed(str(self.fields["name"].value).strip())

    def title_text(self) -> Text:
        return Text("New " + " or ".join(self.kinds))

    def field_specs(self) -> list[FieldSpec]:
        return [CONTACT_FIELDS[0],
                FieldSpec("kind", "Kind", kind="select",
                          options=tuple((kind.capitalize(), kind) for kind in self.kinds)),
                CONTACT_FIELDS[1]]

    def load(self) -> dict[str, Any]:
        return {"name": self.typed_name, "kind": self.kinds[0]}

    def fill(self, values: dict[str, Any]) -> None:
        super().fill(values)
        if len(self.kinds) == 1:
            self.fields["kind"].display = False  # nothing to choose

    def save_values(self, values: dict[str, Any], expected_version: int | None) -> int:
        self.hold_taken_name(values["name"])
        record = {"name": values["name"], "company": values["company"]}
        kind = values["kind"]
        record_id = customers.create_customer(record) if kind == "customer" \
            else leads.create_lead(record)
        self.saved = RecordMatch(kind, record_id, values["name"].strip(),
                                 values["company"].strip())
        return record_id


DEAL_FIELDS = ("deal_name", "deal_amount", "deal_close_date")


class PromoteForm(RecordForm):
    """Promote a lead: the customer (prefilled from the lead) and an optional first
    opportunity, saved together by the core's ``promote_lead`` in one transaction."""

    def __init__(self, lead_id: int):
        super().__init__()
        self.lead_id = lead_id
        self.lead_name = ""
        self.open_stages: list[StageRow] = []
        self.currency = ""

    def read_choices(self) -> None:
        self.open_stages = stages.open_stages()
        self.currency = get_settings().currency

    def field_specs(self) -> list[FieldSpec]:
        return [*CONTACT_FIELDS, NOTES,
                FieldSpec("first", "First opportunity (optional: leave its name empty for none)",
                          kind="section"),
                FieldSpec("deal_name", "Deal name", placeholder="e.g. Pilot, Annual plan",
                          check=check_text),
                FieldSpec("deal_amount", f"Amount ({self.currency})", placeholder=AMOUNT_HINT,
                          check=check_amount),
                FieldSpec("deal_close_date", "Close date", placeholder=DATE_HINT,
                          check=check_date),
                FieldSpec("deal_stage", "Stage", kind="select",
                          options=tuple((s.name, s.id) for s in self.open_stages))]

    def title_text(self) -> Text:
        return titled("Promote lead to customer", self.lead_name)

    def load(self) -> dict[str, Any]:
        lead = leads.get_lead(self.lead_id)
        self.lead_name = lead.name
        values: dict[str, Any] = {field: getattr(lead, field)
                                  for field in CUSTOMER_FIELDS}
        if self.open_stages:
            values["deal_stage"] = self.open_stages[0].id
        return values

    def on_input_changed(self, event) -> None:
        # (RecordForm's own handler runs too, after this one: Textual calls each
        # class's handler in turn)
        field = self.fields["deal_amount"]
        field.set_hint(amount_hint(field.value, self.currency))

    def check_values(self, values: dict[str, Any]) -> dict[str, str]:
        if not values["deal_name"].strip() and any(str(values[f]).strip()
                                                   for f in DEAL_FIELDS[1:]):
            return {"deal_name": "Name the first opportunity, or clear its amount and date."}
        return {}

    def save_values(self, values: dict[str, Any], expected_version: int | None) -> int:
        customer = {field: values[field] for field in CUSTOMER_FIELDS}
        first_deal = None
        if values["deal_name"].strip():
            first_deal = {"name": values["deal_name"], "amount": values["deal_amount"],
                          "close_date": values["deal_close_date"],
                          "stage_id": values["deal_stage"]}
        return leads.promote_lead(self.lead_id, customer, first_deal)
