"""Leads: the prospect funnel. One function per thing a user does, each one transaction."""

from __future__ import annotations

from collections.abc import Mapping

from peewee import fn

from tui_crm.core import changelog, tracking
from tui_crm.core.customers import CustomerTotals, name_in_use, parent_totals
from tui_crm.core.db import write
from tui_crm.core.errors import CrmError, ValidationError
from tui_crm.core.models import LEAD_STATUSES, Contact, Customer, Lead, Opportunity, now
from tui_crm.core.paging import (
    SortKey,
    SortOrder,
    checked_order,
    sorted_page,
    sorted_position,
)
from tui_crm.core.records import LeadRow
from tui_crm.core.search import count_matching, matches
from tui_crm.core.validate import CUSTOMER_FIELDS, LEAD_FIELDS, clean

ENTITY = "lead"
CONVERTED = "Converted"
CONVERTED_BY_PROMOTION = "A lead becomes Converted when it is promoted (c on the Leads screen)."
# The fields a list of leads sorts by (each has its indexes, migration 0012).
SORT_FIELDS = ("name", "company", "status", "source", "email", "updated_at")
STATUSES = LEAD_STATUSES  # what the list filters by


def lead_row(lead: Lead, customer_id: int | None = None) -> LeadRow:
    return LeadRow(lead.id, lead.name, lead.company, lead.email, lead.phone, lead.source,
                   lead.status, lead.notes, customer_id, lead.created_at, lead.updated_at,
                   lead.updated_by, lead.version)


@write
def create_lead(data: Mapping[str, object]) -> int:
    """Add a lead; returns its id. Raises ValidationError for bad fields."""
    return tracking.insert(Lead, ENTITY, clean(data, LEAD_FIELDS))


@write
def update_lead(lead_id: int, data: Mapping[str, object],
                expected_version: int | None = None) -> dict:
    """Change the given fields of a lead; returns what changed.

    Converted is not a status set by hand: promotion (``promote_lead``) sets it, and a
    promoted lead stays Converted."""
    fields = clean(data, LEAD_FIELDS, partial=True)
    if "status" in fields:
        current = tracking.fetch(Lead, ENTITY, lead_id).status
        if (current == CONVERTED) != (fields["status"] == CONVERTED):
            raise ValidationError({"status": CONVERTED_BY_PROMOTION if current != CONVERTED
                                   else "This lead was promoted: it stays Converted."})
    return tracking.update(Lead, ENTITY, lead_id, fields, expected_version)


def set_lead_status(lead_id: int, status: str, expected_version: int | None = None) -> dict:
    return update_lead(lead_id, {"status": status}, expected_version)


@write
def delete_lead(lead_id: int) -> None:
    """Delete a lead that has no deals (a lead with deals must keep its history)."""
    # Locked first (PostgreSQL), so a deal being added to it meanwhile is counted.
    tracking.fetch(Lead, ENTITY, lead_id)
    deals = Opportunity.select().where(Opportunity.lead == lead_id).count()
    if deals:
        raise CrmError(f"This lead has {deals:,} deal{'s' * (deals != 1)}: close or move "
                       "them first.")
    for customer in Customer.select(Customer.id).where(Customer.lead == lead_id):
        # The customer stays; its link to the lead goes, logged like any change.
        tracking.update(Customer, "customer", customer.id, {"lead": None})
    tracking.delete(Lead, ENTITY, lead_id)


def lead_totals(lead_id: int) -> CustomerTotals:
    """Open pipeline and won-to-date of one lead's deals, summed by SQL."""
    return parent_totals(Opportunity.lead == lead_id)


def name_taken(name: str, except_id: int | None = None) -> bool:
    """Whether a lead other than ``except_id`` is already called ``name`` (spaces around
    ignored): one seek on the name index."""
    return name_in_use(Lead, name, except_id)


def get_lead(lead_id: int) -> LeadRow:
    lead = tracking.fetch(Lead, ENTITY, lead_id)
    customer = Customer.get_or_none(Customer.lead == lead_id)
    return lead_row(lead, customer.id if customer else None)


def _search(query, search: str | None, status: str | None = None):
    if search and search.strip():
        query = query.where(matches(Lead, search))
    if status is not None:
        query = query.where(Lead.status == _status(status))
    return query


def _status(status: str) -> str:
    if status not in LEAD_STATUSES:
        raise CrmError(f"A lead's status is one of {', '.join(LEAD_STATUSES)}, "
                       f"not {status!r}.")
    return status


def _order(order: SortOrder | None) -> SortOrder:
    return checked_order(order, SORT_FIELDS, "Leads")


def count_leads(search: str | None = None, status: str | None = None) -> int:
    """How many leads match ``search`` (and have ``status``, when given)."""
    if status is None:
        return count_matching(Lead, search)
    return _search(Lead.select(fn.COUNT(Lead.id)), search, status).scalar() or 0


def list_leads(search: str | None = None, offset: int = 0, limit: int = 100,
               after: SortKey | None = None, *, order: SortOrder | None = None,
               status: str | None = None) -> list[LeadRow]:
    """A page of leads in ``order`` (by name by default), optionally filtered by name,
    company or e-mail and by status.

    ``after`` (a row's value of the sorted field and its id) starts the page just after
    that row, which stays fast at any depth; ``offset`` is then ignored.
    """
    query = sorted_page(_search(Lead.select(), search, status), Lead, _order(order),
                        offset=offset, limit=limit, after=after)
    return [lead_row(lead) for lead in query]


def lead_position(lead_id: int, search: str | None = None, *,
                  order: SortOrder | None = None, status: str | None = None) -> int | None:
    """Where a lead sits in ``list_leads(search, ...)``; None when it is not listed."""
    return sorted_position(_search(Lead.select(fn.COUNT(Lead.id)), search, status), Lead,
                           lead_id, _order(order))


@write
def promote_lead(lead_id: int, customer: Mapping[str, object],
                 first_deal: Mapping[str, object] | None = None) -> int:
    """Turn a lead into a customer, optionally with a first deal, in one transaction.

    The lead stays, marked Converted and linked to the new customer; the deals it
    had move to the customer. Returns the customer's id.
    """
    from tui_crm.core.deals import clean_deal, create_deal  # deals build on leads

    lead = tracking.fetch(Lead, ENTITY, lead_id)
    if Customer.select().where(Customer.lead == lead_id).exists():
        raise CrmError("This lead was already promoted to a customer.")
    errors = {}
    try:
        fields = clean(customer, CUSTOMER_FIELDS)
    except ValidationError as exc:
        errors.update(exc.errors)
    if first_deal is not None:
        try:
            clean_deal(first_deal, parent_required=False)
        except ValidationError as exc:
            errors.update({f"deal_{field}": msg for field, msg in exc.errors.items()})
    if errors:
        raise ValidationError(errors)
    customer_id = tracking.insert(Customer, "customer", {**fields, "lead": lead_id})
    # The lead's person is the customer's first contact.
    tracking.insert(Contact, "contact", {"name": lead.name, "customer": customer_id,
                                         "email": lead.email, "phone": lead.phone,
                                         "notes": ""})
    moved = list(Opportunity.select(Opportunity.id).where(Opportunity.lead == lead_id))
    if moved:
        Opportunity.update(customer=customer_id, lead=None, version=Opportunity.version + 1,
                           updated_at=now(), updated_by=changelog.current_user()).where(
            Opportunity.lead == lead_id).execute()
        for deal in moved:
            changelog.record("opportunity", deal.id, "update",
                             {"customer": (None, customer_id), "lead": (lead_id, None)})
    tracking.update(Lead, ENTITY, lead_id, {"status": "Converted"})
    if first_deal is not None:
        create_deal({**first_deal, "customer_id": customer_id, "lead_id": None})
    return customer_id
