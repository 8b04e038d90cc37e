"""Contacts: the people at a customer (any number), subjects of activities too."""

from __future__ import annotations

from collections.abc import Mapping

from tui_crm.core import tracking
from tui_crm.core.db import write
from tui_crm.core.errors import CrmError, ValidationError
from tui_crm.core.models import Contact, Customer
from tui_crm.core.records import ContactRow
from tui_crm.core.validate import clean

ENTITY = "contact"
CONTACT_FIELDS = ("name", "role", "email", "phone", "notes")


def contact_row(contact: Contact, customer_name: str = "") -> ContactRow:
    return ContactRow(contact.id, contact.name, contact.__data__["customer"], customer_name,
                      contact.role, contact.email, contact.phone, contact.notes,
                      contact.updated_at, contact.updated_by, contact.version)


def _customer(value: object) -> int:
    try:
        customer_id = int(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise CrmError("A contact belongs to a customer: choose one.") from None
    if not Customer.select().where(Customer.id == customer_id).exists():
        raise CrmError("That customer no longer exists.")
    return customer_id


def clean_contact(data: Mapping[str, object], *, partial: bool = False) -> dict[str, object]:
    """Check a contact's fields (``customer_id`` required unless ``partial``)."""
    errors: dict[str, str] = {}
    fields: dict[str, object] = {}
    try:
        fields = clean(data, CONTACT_FIELDS, partial=partial)
    except ValidationError as exc:
        errors.update(exc.errors)
    if not partial or "customer_id" in data:
        try:
            fields["customer"] = _customer(data.get("customer_id"))
        except CrmError as exc:
            errors["customer"] = str(exc)
    if errors:
        raise ValidationError(errors)
    return fields


@write
def create_contact(data: Mapping[str, object]) -> int:
    """Add a person at a customer; returns the contact's id."""
    return tracking.insert(Contact, ENTITY, clean_contact(data))


@write
def update_contact(contact_id: int, data: Mapping[str, object],
                   expected_version: int | None = None) -> dict:
    return tracking.update(Contact, ENTITY, contact_id, clean_contact(data, partial=True),
                           expected_version)


@write
def delete_contact(contact_id: int) -> None:
    """Delete a contact (with the activities about it alone)."""
    tracking.delete(Contact, ENTITY, contact_id)


def get_contact(contact_id: int) -> ContactRow:
    contact = (Contact.select(Contact, Customer.name).join(Customer)
               .where(Contact.id == contact_id).first())
    if contact is None:
        raise CrmError("This contact no longer exists (it was deleted).")
    return contact_row(contact, contact.customer.name)


def contacts_of(customer_id: int, limit: int = 200) -> list[ContactRow]:
    """A customer's contacts by name."""
    query = (Contact.select().where(Contact.customer == customer_id)
             .order_by(Contact.name, Contact.id).limit(limit))
    return [contact_row(contact) for contact in query]


def contact_named(name: str, customer_id: int | None = None) -> int:
    """The id of the one contact called ``name`` (at ``customer_id``, when given)."""
    query = Contact.select(Contact.id).where(Contact.name == name.strip())
    if customer_id is not None:
        query = query.where(Contact.customer == customer_id)
    ids = [row.id for row in query.limit(2)]
    if not ids:
        raise CrmError(f"No contact is named {name.strip()!r}.")
    if len(ids) > 1:
        raise CrmError(f"Several contacts are named {name.strip()!r}: name the customer too.")
    return ids[0]
