"""A record's timeline as people read it: who did what and when, one entry per save.

The ChangeLog keeps one row per changed field, with ids and cents as text; here the
rows of one save become one entry, stage, customer and lead ids become names and
amounts become Decimal again. Deals, leads, customers and contacts all have one.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from tui_crm.core import changelog, stages
from tui_crm.core.models import ChangeLog, Customer, Lead
from tui_crm.core.money import from_cents


@dataclass(frozen=True)
class FieldChange:
    field: str  # the model's name: name, amount_cents, close_date, stage, customer...
    old: object  # None, str, Decimal (amounts) or date
    new: object


@dataclass(frozen=True)
class Entry:
    at: dt.datetime
    user: str
    action: str  # create | update | move | delete
    changes: tuple[FieldChange, ...]


def timeline(entity: str, record_id: int, limit: int = 200) -> list[Entry]:
    """The saves of the ``entity`` record (a ChangeLog kind: opportunity, lead,
    customer, contact), newest first, with who and when."""
    rows = changelog.timeline(entity, record_id, limit)
    names = _names(rows)
    entries: list[Entry] = []
    last_intent: str | None = None
    for row in rows:
        change = (FieldChange(row.field, _value(row.field, row.old, names),
                              _value(row.field, row.new, names))
                  if row.field else None)
        last = entries[-1] if entries else None
        # One save is one entry: its rows share an intent (older rows: a time and user).
        same = last is not None and (last_intent == row.intent if row.intent else
                                     (last.at, last.user, last.action) ==
                                     (row.at, row.user, row.action))
        last_intent = row.intent
        if same:
            if change:
                entries[-1] = Entry(last.at, last.user, last.action, (*last.changes, change))
        else:
            entries.append(Entry(row.at, row.user, row.action, (change,) if change else ()))
    # The rows came newest first; within one save, keep the order it wrote them in.
    return [Entry(e.at, e.user, e.action, e.changes[::-1]) for e in entries]


def _names(rows: list[changelog.Change]) -> dict[tuple[str, str], str]:
    """Names for the stage, customer and lead ids the rows mention (one query each)."""
    ids: dict[str, set[int]] = {"customer": set(), "lead": set()}
    for row in rows:
        if row.field in ids:
            ids[row.field].update(int(v) for v in (row.old, row.new) if v and v.isdigit())
    names = {("stage", str(stage.id)): stage.name for stage in stages.all_stages()}
    removed = {int(v) for row in rows if row.field == "stage" for v in (row.old, row.new)
               if v and v.isdigit() and ("stage", v) not in names}
    if removed:  # a stage since removed: its last name, from its own history
        query = ChangeLog.select(ChangeLog.entity_id, ChangeLog.old).where(
            (ChangeLog.entity == "stage") & (ChangeLog.action == "delete")
            & (ChangeLog.entity_id.in_(removed)))
        names.update({("stage", str(stage_id)): f"{name} (removed)"
                      for stage_id, name in query.tuples()})
    for field, model in (("customer", Customer), ("lead", Lead)):
        if ids[field]:
            query = model.select(model.id, model.name).where(model.id.in_(ids[field]))
            names.update({(field, str(record.id)): record.name for record in query})
    return names


def _value(field: str, text: str | None, names: dict[tuple[str, str], str]) -> object:
    if text is None or text == "":
        return None
    if field == "amount_cents":
        return from_cents(int(text)) if text.lstrip("-").isdigit() else Decimal(text)
    if field == "close_date":
        try:
            return dt.date.fromisoformat(text)
        except ValueError:
            return text
    if field in ("stage", "customer", "lead"):
        return names.get((field, text), f"#{text}")
    return text
