"""The Trash: a deleted record waits here, whole, with what was deleted along with it
(a deal's activities; a customer's contacts and their activities), until it is restored
or the Trash is emptied. The past is rebuilt from here too (``core.past``)."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

from peewee import IntegrityError, Model

from tui_crm.core import changelog, totals
from tui_crm.core.db import write
from tui_crm.core.errors import CrmError
from tui_crm.core.models import (
    Activity,
    Contact,
    Customer,
    Lead,
    Opportunity,
    Stage,
    StageTotal,
    Trash,
    stamp,
)

MODELS: dict[str, type[Model]] = {"lead": Lead, "customer": Customer, "opportunity": Opportunity,
                                  "contact": Contact, "activity": Activity, "stage": Stage}
TABLES = {model._meta.table_name: (entity, model) for entity, model in MODELS.items()}


@dataclass(frozen=True)
class TrashItem:
    id: int
    entity: str
    entity_id: int
    name: str
    deleted_at: dt.datetime
    deleted_by: str
    along: int  # records deleted with it (activities, contacts)


def _as_json(value: object) -> object:
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _rows(model: type[Model], where) -> list[tuple[str, dict]]:
    table = model._meta.table_name
    return [(table, {name: _as_json(value) for name, value in row.__data__.items()})
            for row in model.select().where(where)]


def _with_it(entity: str, record_id: int) -> list[tuple[str, dict]]:
    """What goes when the record goes (foreign keys cascade): its activities, contacts."""
    if entity == "opportunity":
        return _rows(Activity, Activity.deal == record_id)
    if entity == "lead":
        return _rows(Activity, Activity.lead == record_id)
    if entity == "contact":
        return _rows(Activity, Activity.contact == record_id)
    if entity == "customer":
        people = Contact.select(Contact.id).where(Contact.customer == record_id)
        return _rows(Contact, Contact.customer == record_id) + _rows(
            Activity, (Activity.customer == record_id) | Activity.contact.in_(people))
    return []


def bury(entity: str, record_id: int) -> None:
    """Keep the record (and what goes with it) in the Trash: call just before deleting it,
    in the same transaction."""
    model = MODELS[entity]
    main = _rows(model, model.id == record_id)
    if not main:
        return
    rows = main + _with_it(entity, record_id)
    name = str(main[0][1].get("name") or main[0][1].get("subject") or "")
    Trash.insert(entity=entity, entity_id=record_id, name=name,
                 data=json.dumps({"rows": rows}), deleted_at=stamp(),
                 deleted_by=changelog.current_user(),
                 intent=changelog.current_intent()).execute()


def snapshot_of(entity: str, record_id: int, intent: str | None) -> dict | None:
    """The record as it was when the intent ``intent`` deleted it (its own row only)."""
    query = Trash.select(Trash.data).where((Trash.entity == entity)
                                           & (Trash.entity_id == record_id))
    if intent is not None:
        query = query.where(Trash.intent == intent)
    row = query.order_by(Trash.id.desc()).first()
    if row is None:
        return None
    table, data = json.loads(row.data)["rows"][0]
    return _typed(MODELS[entity], data)


def _typed(model: type[Model], data: dict) -> dict:
    fields = model._meta.fields
    typed = {}
    for name, value in data.items():
        field = fields.get(name)
        typed[name] = field.python_value(value) if field is not None and value is not None \
            else value
    return typed


def list_trash(limit: int = 200, offset: int = 0) -> list[TrashItem]:
    """What waits in the Trash, latest first."""
    query = (Trash.select().where(Trash.restored_at.is_null())
             .order_by(Trash.deleted_at.desc(), Trash.id.desc()).offset(offset).limit(limit))
    return [TrashItem(row.id, row.entity, row.entity_id, row.name, row.deleted_at,
                      row.deleted_by, len(json.loads(row.data)["rows"]) - 1) for row in query]


@write
def restore(trash_id: int) -> TrashItem:
    """Put a deleted record back, with its id, its history and what was deleted with it."""
    row = Trash.get_or_none(Trash.id == trash_id)
    if row is None or row.restored_at is not None:
        raise CrmError("That is not in the Trash (restored already, or emptied).")
    rows = json.loads(row.data)["rows"]
    for table, data in rows:
        entity, model = TABLES[table]
        values = _typed(model, data)
        _check_parents(entity, values)
        try:
            with model._meta.database.atomic():
                model.insert(values).execute()
        except IntegrityError:
            raise CrmError(f"This {entity} cannot come back: its id is taken again, or "
                           "what it belongs to is gone.") from None
        if entity == "opportunity":
            totals.retally(None, totals.key_of(values))
        elif entity == "stage":
            StageTotal.insert(stage=values["id"], count=0, amount_cents=0).execute()
        changelog.record(entity, values["id"], "restore")
    Trash.update(restored_at=stamp()).where(Trash.id == trash_id).execute()
    return TrashItem(row.id, row.entity, row.entity_id, row.name, row.deleted_at,
                     row.deleted_by, len(rows) - 1)


def _check_parents(entity: str, values: dict) -> None:
    """A record comes back only where what it belongs to still is."""
    if entity == "opportunity":
        if not Stage.select().where(Stage.id == values["stage"]).exists():
            raise CrmError("This deal's stage was removed: add the stage back first.")
        for field, model in (("customer", Customer), ("lead", Lead)):
            if values.get(field) and not model.select().where(
                    model.id == values[field]).exists():
                raise CrmError(f"This deal's {field} was deleted: restore it first.")
    if entity == "contact" and not Customer.select().where(
            Customer.id == values["customer"]).exists():
        raise CrmError("This contact's customer was deleted: restore it first.")


@write
def empty_trash(older_than_days: int = 30) -> int:
    """Delete for good what has waited in the Trash more than ``older_than_days`` days."""
    if older_than_days < 0:
        raise CrmError("--older-than takes a number of days, 0 or more.")
    cutoff = stamp() - dt.timedelta(days=older_than_days)
    return Trash.delete().where((Trash.deleted_at < cutoff)
                                | Trash.restored_at.is_null(False)).execute()
