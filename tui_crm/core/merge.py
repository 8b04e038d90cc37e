"""Deleting a lead or customer that has deals, and merging two of a kind.

A record's deals are its history: it is deleted only once they are gone, moved to
another customer or lead or deleted along with it (to the Trash). A merge moves
everything of one record (deals, activities, contacts, notes, its lead link) into
another and deletes the first. Each is one transaction, written to the ChangeLog row
by row, so ``core.undo`` takes it back as one step.
"""

from __future__ import annotations

from dataclasses import dataclass

from tui_crm.core import changelog, tracking
from tui_crm.core.db import write
from tui_crm.core.errors import CrmError
from tui_crm.core.models import Activity, Contact, Customer, Lead, Opportunity

MODELS = {"customer": Customer, "lead": Lead}
FILLED_FROM_MERGED = ("company", "email", "phone")  # an empty one takes the merged value
MERGED = "merged_from"  # the ChangeLog field saying which record a merge took in
MERGED_ID = "merged_id"  # and its id: the history of a record includes its merged ones


@dataclass(frozen=True)
class RecordCounts:
    """What hangs from a customer or lead."""

    deals: int
    activities: int
    contacts: int


def _model(kind: str):
    if kind not in MODELS:
        raise CrmError("Only a customer or a lead is deleted or merged this way.")
    return MODELS[kind]


def _deals_of(kind: str, record_id: int):
    field = Opportunity.customer if kind == "customer" else Opportunity.lead
    return Opportunity.select(Opportunity.id).where(field == record_id)


def record_counts(kind: str, record_id: int) -> RecordCounts:
    """How many deals, activities (its own) and contacts a record has (indexed counts)."""
    _model(kind)
    about = Activity.customer if kind == "customer" else Activity.lead
    contacts = Contact.select().where(Contact.customer == record_id).count() \
        if kind == "customer" else 0
    return RecordCounts(_deals_of(kind, record_id).count(),
                        Activity.select().where(about == record_id).count(), contacts)


def _check_target(kind: str, record_id: int, to_kind: str, to_id: int) -> None:
    if (kind, record_id) == (to_kind, to_id):
        raise CrmError(f"Choose another {to_kind}: this is the one being deleted.")
    target = tracking.fetch(_model(to_kind), to_kind, to_id)
    if to_kind == "lead" and target.status == "Converted":
        raise CrmError("A Converted lead holds no deals: choose its customer instead.")


def _move_deals(kind: str, record_id: int, to_kind: str, to_id: int) -> int:
    parent = {"customer": to_id if to_kind == "customer" else None,
              "lead": to_id if to_kind == "lead" else None}
    moved = [row.id for row in _deals_of(kind, record_id)]
    for deal_id in moved:
        tracking.update(Opportunity, "opportunity", deal_id, parent)
    return len(moved)


@write
def move_deals(kind: str, record_id: int, to_kind: str, to_id: int) -> int:
    """Move every deal of a customer or lead to another one; returns how many moved."""
    tracking.fetch(_model(kind), kind, record_id)
    _check_target(kind, record_id, to_kind, to_id)
    return _move_deals(kind, record_id, to_kind, to_id)


@write
def delete_record(kind: str, record_id: int, *, move_to: tuple[str, int] | None = None,
                  with_deals: bool = False) -> int:
    """Delete a customer or lead (to the Trash, with its activities and contacts).

    A record with deals needs ``move_to`` (the kind and id of the customer or lead
    they go to) or ``with_deals`` (they are deleted too, to the Trash); otherwise
    CrmError says how many it has. Returns how many deals were moved or deleted.
    """
    from tui_crm.core import customers, deals, leads  # they build on these records

    tracking.fetch(_model(kind), kind, record_id)
    handled = 0
    if move_to is not None:
        _check_target(kind, record_id, *move_to)
        handled = _move_deals(kind, record_id, *move_to)
    elif with_deals:
        for row in _deals_of(kind, record_id):
            deals.delete_deal(row.id)
            handled += 1
    if kind == "customer":
        customers.delete_customer(record_id)
    else:
        leads.delete_lead(record_id)
    return handled


@write
def merge_records(kind: str, merged_id: int, into_id: int) -> RecordCounts:
    """Merge one customer (or lead) into another: its deals, activities, contacts and
    notes move to ``into_id``, the target's empty company, e-mail and phone take its
    values, and the merged record is deleted (to the Trash). Returns what moved."""
    model = _model(kind)
    if merged_id == into_id:
        raise CrmError(f"Choose another {kind} to merge into.")
    merged = tracking.fetch(model, kind, merged_id)
    into = tracking.fetch(model, kind, into_id)
    # First, so the step's oldest row says what it was (``core.undo.describe``).
    changelog.record(kind, into_id, "merge", {MERGED: (None, merged.name),
                                              MERGED_ID: (None, str(merged_id))})
    moved_deals = _move_deals(kind, merged_id, kind, into_id)
    about = Activity.customer if kind == "customer" else Activity.lead
    moved_activities = [row.id for row in Activity.select(Activity.id).where(about == merged_id)]
    for activity_id in moved_activities:
        tracking.update(Activity, "activity", activity_id, {kind: into_id})
    moved_contacts = [row.id for row in Contact.select(Contact.id)
                      .where(Contact.customer == merged_id)] if kind == "customer" else []
    for contact_id in moved_contacts:
        tracking.update(Contact, "contact", contact_id, {"customer": into_id})
    fields = _merged_fields(merged, into)
    if kind == "lead" and _move_customer_link(merged_id, into_id):
        fields["status"] = "Converted"  # the target is now the lead that customer came from
    lead_link = merged.__data__.get("lead") if kind == "customer" else None
    tracking.delete(model, kind, merged_id)
    if lead_link is not None and into.__data__.get("lead") is None:
        fields["lead"] = lead_link  # after the delete: one customer per lead
    if fields:
        tracking.update(model, kind, into_id, fields)
    return RecordCounts(moved_deals, len(moved_activities), len(moved_contacts))


def _merged_fields(merged, into) -> dict[str, object]:
    """The target's fields once it takes in the merged record: its notes follow the
    target's, and what the target leaves empty it takes from the merged one."""
    fields: dict[str, object] = {}
    for name in FILLED_FROM_MERGED + (("source",) if isinstance(into, Lead) else ()):
        if not getattr(into, name) and getattr(merged, name):
            fields[name] = getattr(merged, name)
    if merged.notes.strip():
        note = f"From {merged.name}:\n{merged.notes.strip()}"
        fields["notes"] = f"{into.notes.rstrip()}\n\n{note}" if into.notes.strip() else note
    return fields


def _move_customer_link(merged_id: int, into_id: int) -> bool:
    """The customer a merged lead was promoted to now comes from the target lead
    (unless the target has its own: then from none). Whether the target got it."""
    linked = Customer.get_or_none(Customer.lead == merged_id)
    if linked is None:
        return False
    taken = Customer.select().where(Customer.lead == into_id).exists()
    tracking.update(Customer, "customer", linked.id, {"lead": None if taken else into_id})
    return not taken
