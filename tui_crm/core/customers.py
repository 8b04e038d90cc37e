"""Customers: the relationships, and the deals that hang from them."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from peewee import fn

from tui_crm.core import tracking
from tui_crm.core.db import write
from tui_crm.core.errors import CrmError
from tui_crm.core.models import Customer, Opportunity, Stage
from tui_crm.core.money import from_cents
from tui_crm.core.paging import (
    SortKey,
    SortOrder,
    checked_order,
    sorted_page,
    sorted_position,
)
from tui_crm.core.records import CustomerRow
from tui_crm.core.search import count_matching, matches
from tui_crm.core.validate import CUSTOMER_FIELDS, clean

ENTITY = "customer"
# The fields a list of customers sorts by (each has its index, migration 0012).
SORT_FIELDS = ("name", "company", "email", "updated_at")


def customer_row(customer: Customer) -> CustomerRow:
    return CustomerRow(customer.id, customer.name, customer.company, customer.email,
                       customer.phone, customer.notes, customer.__data__.get("lead"),
                       customer.created_at, customer.updated_at, customer.updated_by,
                       customer.version)


@write
def create_customer(data: Mapping[str, object]) -> int:
    return tracking.insert(Customer, ENTITY, clean(data, CUSTOMER_FIELDS))


@write
def update_customer(customer_id: int, data: Mapping[str, object],
                    expected_version: int | None = None) -> dict:
    return tracking.update(Customer, ENTITY, customer_id,
                           clean(data, CUSTOMER_FIELDS, partial=True), expected_version)


@write
def delete_customer(customer_id: int) -> None:
    """Delete a customer that has no deals (deals are history worth keeping)."""
    # Locked first (PostgreSQL), so a deal being added to it meanwhile is counted.
    tracking.fetch(Customer, ENTITY, customer_id)
    deals = Opportunity.select().where(Opportunity.customer == customer_id).count()
    if deals:
        raise CrmError(f"This customer has {deals:,} deal{'s' * (deals != 1)}: they keep "
                       "the win/loss record, so the customer stays.")
    tracking.delete(Customer, ENTITY, customer_id)


def name_taken(name: str, except_id: int | None = None) -> bool:
    """Whether a customer other than ``except_id`` is already called ``name`` (spaces
    around ignored): one seek on the name index."""
    return name_in_use(Customer, name, except_id)


def name_in_use(model, name: str, except_id: int | None) -> bool:
    """Whether a record of ``model`` (Customer or Lead) other than ``except_id`` is
    called ``name``."""
    query = model.select(model.id).where(model.name == (name or "").strip())
    if except_id is not None:
        query = query.where(model.id != except_id)
    return query.exists()


def get_customer(customer_id: int) -> CustomerRow:
    return customer_row(tracking.fetch(Customer, ENTITY, customer_id))


def _search(query, search: str | None):
    if search and search.strip():
        query = query.where(matches(Customer, search))
    return query


def _order(order: SortOrder | None) -> SortOrder:
    return checked_order(order, SORT_FIELDS, "Customers")


def count_customers(search: str | None = None) -> int:
    return count_matching(Customer, search)


def list_customers(search: str | None = None, offset: int = 0, limit: int = 100,
                   after: SortKey | None = None, *,
                   order: SortOrder | None = None) -> list[CustomerRow]:
    """A page of customers in ``order``, by name by default (see ``leads.list_leads``
    for ``after``)."""
    query = sorted_page(_search(Customer.select(), search), Customer, _order(order),
                        offset=offset, limit=limit, after=after)
    return [customer_row(c) for c in query]


def customer_position(customer_id: int, search: str | None = None, *,
                      order: SortOrder | None = None) -> int | None:
    """Where a customer sits in ``list_customers(search, order=order)``; None when not
    listed."""
    return sorted_position(_search(Customer.select(fn.COUNT(Customer.id)), search),
                           Customer, customer_id, _order(order))


@dataclass(frozen=True)
class CustomerTotals:
    open_count: int
    open_amount: Decimal
    won_count: int
    won_amount: Decimal
    lost_count: int
    lost_amount: Decimal


def customer_totals(customer_id: int) -> CustomerTotals:
    """Open pipeline and won-to-date of one customer, summed by SQL."""
    return parent_totals(Opportunity.customer == customer_id)


def parent_totals(of_parent) -> CustomerTotals:
    """Open, won and lost count and sum of one parent's deals (``of_parent``: the
    condition naming it), summed by SQL."""
    rows = (Opportunity
            .select(Stage.kind, fn.COUNT(Opportunity.id), fn.SUM(Opportunity.amount_cents))
            .join(Stage)
            .where(of_parent)
            .group_by(Stage.kind)
            .tuples())
    by_kind = {kind: (count, from_cents(cents)) for kind, count, cents in rows}
    zero = (0, from_cents(0))
    return CustomerTotals(*by_kind.get("open", zero), *by_kind.get("won", zero),
                          *by_kind.get("lost", zero))
