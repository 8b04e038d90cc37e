"""The opportunity (deal) form, used by the customers screen, the board and the palette.

``DealForm(deal_id=None, customer_id=None, lead_id=None, stage_id=None)`` is a
``ModalScreen[int | None]``: push it and receive the saved deal's id (None when
cancelled)::

    self.app.push_screen(DealForm(customer_id=7), on_saved)       # a new deal
    self.app.push_screen(DealForm(deal_id=42), on_saved)          # edit a deal
    deal_id = await self.app.push_screen_wait(DealForm(stage_id=2))  # from a worker
"""

from __future__ import annotations

import asyncio
from typing import Any

from rich.text import Text
from textual import on, work
from textual.message import Message
from textual.suggester import Suggester
from textual.widgets import Select, Static

from tui_crm.core import activities, changelog, customers, dates, deals, leads, stages
from tui_crm.core.dates import format_date
from tui_crm.core.errors import CrmError
from tui_crm.core.lookup import RecordMatch
from tui_crm.core.money import format_amount
from tui_crm.core.records import StageRow
from tui_crm.core.settings import get_settings
from tui_crm.core.validate import check_amount, check_date, check_name, check_text
from tui_crm.ui.widgets.form import FieldSpec, RecordForm

AMOUNT_HINT = "e.g. 12500, 12,500.50, 12.5k or 1.2m"
DATE_HINT = "YYYY-MM-DD"
NO_DATE = "No expected close date: the deal is flagged in the forecast until it has one."


def check_parent(value: object) -> None:
    if value is None:
        raise CrmError("Choose a customer or a lead (enter, or type a name).")


def check_owner(value: object) -> str:
    owner = check_text(value).strip()
    if not owner:
        raise CrmError("Every deal has an owner: a user name, e.g. yours.")
    if "\n" in owner or len(owner) > MAX_OWNER:
        raise CrmError(f"An owner is one line of at most {MAX_OWNER} characters.")
    return owner


MAX_OWNER = 80


class OwnerSuggester(Suggester):
    """Offers the owners already used, as the name is typed (`right` takes it)."""

    def __init__(self) -> None:
        super().__init__(use_cache=True, case_sensitive=True)

    async def get_suggestion(self, value: str) -> str | None:
        return await asyncio.to_thread(deals.owner_completing, value)


def amount_hint(text: str, currency: str) -> str:
    """What a typed amount means, e.g. ``= USD 12,500.00`` (empty when not an amount)."""
    try:
        return f"= {format_amount(check_amount(text), currency)}" if text.strip() else ""
    except CrmError:
        return ""


class DealForm(RecordForm):
    """Add or edit an opportunity: name, amount, close date, stage, parent, notes.

    A new deal starts in ``stage_id`` (default: the first open stage) with the
    parent given by ``customer_id`` or ``lead_id`` (or picked in the form).
    The lost reason field shows when the stage is a lost one.
    """

    form_title = "Opportunity"
    history_entity = "opportunity"

    def __init__(self, deal_id: int | None = None, *, customer_id: int | None = None,
                 lead_id: int | None = None, stage_id: int | None = None):
        super().__init__()
        self.deal_id = self.record_id = deal_id
        self.customer_id = customer_id
        self.lead_id = lead_id
        self.stage_id = stage_id
        self.stages: list[StageRow] = []
        self.currency = ""

    def read_choices(self) -> None:
        self.stages = stages.all_stages()
        self.currency = get_settings().currency

    def title_text(self) -> Text:
        return Text("Edit opportunity" if self.deal_id else "New opportunity")

    def field_specs(self) -> list[FieldSpec]:
        return [
            FieldSpec("name", "Name", placeholder="short, e.g. Q3 expansion", check=check_name),
            FieldSpec("amount", f"Amount ({self.currency})", placeholder=AMOUNT_HINT,
                      check=check_amount),
            FieldSpec("close_date", "Close date", placeholder=DATE_HINT, check=check_date),
            FieldSpec("stage", "Stage", kind="select",
                      options=tuple((stage.name, stage.id) for stage in self.stages)),
            FieldSpec("parent", "Parent", kind="parent", check=check_parent),
            FieldSpec("owner", "Owner", placeholder="who works the deal (→ takes the name "
                      "offered)", check=check_owner),
            FieldSpec("notes", "Notes", kind="notes", check=check_text),
            FieldSpec("lost_reason", "Lost reason", placeholder="optional", check=check_text),
        ]

    def load(self) -> dict[str, Any]:
        if self.deal_id is None:
            return {"stage": self.stage_id or stages.first_open_stage().id,
                    "parent": self._parent_match(self.customer_id, self.lead_id),
                    "owner": changelog.current_user()}
        deal = deals.get_deal(self.deal_id)
        self.version = deal.version
        kind = deal.parent_kind
        parent_id = deal.customer_id if kind == "customer" else deal.lead_id
        return {"name": deal.name, "amount": f"{deal.amount:,.2f}",
                "close_date": format_date(deal.close_date), "stage": deal.stage_id,
                "parent": RecordMatch(kind, parent_id, deal.parent_name, ""),
                "notes": deal.notes, "lost_reason": deal.lost_reason, "owner": deal.owner}

    @staticmethod
    def _parent_match(customer_id: int | None, lead_id: int | None) -> RecordMatch | None:
        if customer_id is not None:
            customer = customers.get_customer(customer_id)
            return RecordMatch("customer", customer.id, customer.name, customer.company)
        if lead_id is not None:
            lead = leads.get_lead(lead_id)
            return RecordMatch("lead", lead.id, lead.name, lead.company)
        return None

    def form_filled(self) -> None:
        self.fields["owner"].editor.suggester = OwnerSuggester()
        self._show_stage_fields()
        self._show_hints()
        if self.deal_id is not None:
            self.query_one(".form-fields").mount(
                Static("", classes="deal-activities", markup=False))
            self._read_activities(self.deal_id)

    @work(thread=True, exclusive=True, exit_on_error=False, group="deal-activities")
    def _read_activities(self, deal_id: int) -> None:
        rows = activities.activities_of(deal_id=deal_id, limit=20)
        self.post_message(self.ActivitiesRead(rows))

    class ActivitiesRead(Message):
        """The deal's activities, read in a worker."""

        def __init__(self, rows: list) -> None:
            super().__init__()
            self.rows = rows

    @on(ActivitiesRead)
    def show_activities(self, message: ActivitiesRead) -> None:
        from tui_crm.ui.widgets.activity_lines import activity_lines

        self.query_one(".deal-activities", Static).update(
            activity_lines(message.rows, dates.today()))

    def on_select_changed(self, event: Select.Changed) -> None:
        self._show_stage_fields()

    def on_input_changed(self, event) -> None:
        self._show_hints()  # (RecordForm's handler runs too: Textual calls each class's)

    def _show_stage_fields(self) -> None:
        fields = self.fields
        kind = next((s.kind for s in self.stages if s.id == fields["stage"].value), "open")
        fields["lost_reason"].display = kind == "lost"

    def _show_hints(self) -> None:
        fields = self.fields
        fields["amount"].set_hint(amount_hint(fields["amount"].value, self.currency))
        fields["close_date"].set_hint(NO_DATE if not fields["close_date"].value.strip()
                                      else "")

    def save_values(self, values: dict[str, Any], expected_version: int | None) -> int:
        parent: RecordMatch = values["parent"]
        stage_kind = next((s.kind for s in self.stages if s.id == values["stage"]), "open")
        data = {"name": values["name"], "amount": values["amount"],
                "close_date": values["close_date"], "stage_id": values["stage"],
                "notes": values["notes"], "owner": values["owner"].strip(),
                "lost_reason": values["lost_reason"] if stage_kind == "lost" else "",
                "customer_id": parent.id if parent.kind == "customer" else None,
                "lead_id": parent.id if parent.kind == "lead" else None}
        if self.deal_id is None:
            return deals.create_deal(data)
        deals.update_deal(self.deal_id, data, expected_version)
        return self.deal_id
