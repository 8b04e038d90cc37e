"""Undo and redo: each user intent (a save, a move, a close, a delete, a promotion, an
import) is one step, read back from the ChangeLog, so steps survive restarts.

Undoing an intent replays its ChangeLog rows backwards: an edited field gets its old
value, a created record is deleted (to the Trash), a deleted one is restored from the
Trash. The undo is an intent of its own, logged like any change, and a marker row
(entity ``intent``) says which intent it undid; redo undoes the undo. A field someone
else changed since is never overwritten silently: ``UndoConflict`` says who and what,
and ``force`` goes ahead.
"""

from __future__ import annotations

import datetime as dt
from collections import OrderedDict
from dataclasses import dataclass

from tui_crm.core import changelog, totals, tracking, trash
from tui_crm.core.db import write
from tui_crm.core.errors import CrmError
from tui_crm.core.models import (
    Activity,
    ChangeLog,
    Contact,
    Customer,
    Lead,
    Opportunity,
    Setting,
    Stage,
    StageTotal,
    Trash,
    now,
)

HISTORY = 2_000  # a user's intents read to find the steps (newest first)
MODELS = {"lead": Lead, "customer": Customer, "opportunity": Opportunity,
          "contact": Contact, "activity": Activity}
MARKER = "intent"  # entity of the rows saying which intent an undo or redo undid


class NothingToUndo(CrmError):
    pass


class UndoConflict(CrmError):
    """Someone changed what the step would put back: ``changes`` says what, by whom."""

    def __init__(self, description: str, changes: list[tuple[str, str, str]]):
        self.changes = changes  # (record, field, by whom)
        said = "; ".join(f"{field} of {record} (by {who})" for record, field, who in changes[:3])
        super().__init__(f"Undoing “{description}” would overwrite later changes: {said}.")


@dataclass(frozen=True)
class Step:
    intent: str
    description: str
    at: dt.datetime


@dataclass(frozen=True)
class Done:
    """What an undo or redo did, in words: "Undid: moved 'Pilot 2026' to Proposal"."""

    verb: str  # Undid | Redid
    step: Step

    def __str__(self) -> str:
        return f"{self.verb}: {self.step.description}"


def _stacks(user: str) -> tuple[list[str], list[tuple[str, str]]]:
    """(done, undone) of the user: the intents undo would take (last first), and the
    (undo intent, original intent) pairs redo would take (last first)."""
    rows = (ChangeLog.select(ChangeLog.intent, ChangeLog.entity, ChangeLog.action,
                             ChangeLog.old, ChangeLog.new)
            .where((ChangeLog.user == user) & ChangeLog.intent.is_null(False))
            .order_by(ChangeLog.id.desc()).limit(HISTORY * 4))
    intents: OrderedDict[str, tuple[str, str | None, str | None]] = OrderedDict()
    for intent, entity, action, old, new in rows.tuples():
        if entity == MARKER:
            intents[intent] = (action, old, new)
        else:
            intents.setdefault(intent, ("change", None, None))
    done: list[str] = []
    undone: list[tuple[str, str]] = []
    for intent, (kind, old, new) in reversed(intents.items()):  # oldest first
        if kind == "undo":
            if new in done:
                done.remove(new)
            undone.append((intent, new))
        elif kind == "redo":
            undone = [pair for pair in undone if pair[0] != new]
            if old is not None:
                done.append(old)
        else:
            done.append(intent)
            undone = []  # a new change: what was undone can no longer be redone
    return done[::-1], undone[::-1]


def steps(user: str | None = None, limit: int = 20) -> list[Step]:
    """The user's last steps that ``undo`` would take, latest first."""
    done, _ = _stacks(user or changelog.current_user())
    return [describe(intent) for intent in done[:limit]]


def _rows(intent: str) -> list[ChangeLog]:
    return list(ChangeLog.select().where((ChangeLog.intent == intent)
                                         & (ChangeLog.entity != MARKER))
                .order_by(ChangeLog.id.desc()))


def describe(intent: str) -> Step:
    """An intent in a few words, from its ChangeLog rows."""
    rows = _rows(intent)
    if not rows:
        return Step(intent, "nothing", now())
    first = rows[-1]
    records = {(row.entity, row.entity_id) for row in rows}
    entities = {row.entity for row in rows}
    actions = {row.action for row in rows}
    if len(records) > 3 and actions == {"create"} and len(entities) == 1:
        noun = {"opportunity": "opportunities", "activity": "activities"}.get(
            first.entity, first.entity + "s")
        return Step(intent, f"imported {len(records):,} {noun}", first.at)
    entity, record_id = first.entity, first.entity_id
    fields = {row.field: row for row in rows if (row.entity, row.entity_id) == (entity, record_id)}
    # The name the step gave (a rename), else the record's own.
    named = fields.get("name") or fields.get("subject")
    name = f"“{named.new}”" if named is not None and named.new else _name(entity, record_id)
    if first.action == "create" and entity == "customer" and "lead" in fields:
        text = f"promoted a lead to the customer {name}"
    elif first.action == "move" and "stage" in fields:
        stage = Stage.get_or_none(Stage.id == int(fields["stage"].new or 0))
        text = f"moved {name} to {stage.name if stage else 'another stage'}"
    elif first.action == "merge" and "merged_from" in fields:
        text = f"merged “{fields['merged_from'].new}” into {name}"
    elif first.action in ("create", "delete", "restore", "done"):
        verb = {"create": "added", "delete": "deleted", "restore": "restored",
                "done": "marked done"}[first.action]
        text = f"{verb} the {entity} {name}"
    elif entity == "setting":
        text = f"changed the setting {first.field}"
    else:
        text = f"edited {name}"
    if len(records) > 1 and not text.startswith("imported"):
        text += f" (and {len(records) - 1} more record{'s' * (len(records) > 2)})"
    return Step(intent, text, first.at)


def _name(entity: str, record_id: int) -> str:
    model = MODELS.get(entity) or (Stage if entity == "stage" else None)
    if model is not None:
        field = model.subject if model is Activity else model.name
        row = model.select(field).where(model.id == record_id).tuples().first()
        if row:
            return f"“{row[0]}”"
    kept = Trash.select(Trash.name).where((Trash.entity == entity)
                                          & (Trash.entity_id == record_id)).first()
    return f"“{kept.name}”" if kept else f"#{record_id}"


@write
def undo(user: str | None = None, *, force: bool = False) -> Done:
    """Undo the user's last step (their own changes only)."""
    user = user or changelog.current_user()
    done, _ = _stacks(user)
    if not done:
        raise NothingToUndo("Nothing to undo.")
    step = describe(done[0])
    _revert(done[0], step, force)
    _mark("undo", None, done[0])
    return Done("Undid", step)


@write
def redo(user: str | None = None, *, force: bool = False) -> Done:
    """Redo the user's last undone step."""
    user = user or changelog.current_user()
    _, undone = _stacks(user)
    if not undone:
        raise NothingToUndo("Nothing to redo.")
    undo_intent, original = undone[0]
    step = describe(original)
    _revert(undo_intent, step, force)
    _mark("redo", original, undo_intent)
    return Done("Redid", step)


def _mark(action: str, old: str | None, new: str) -> None:
    ChangeLog.insert(at=changelog.stamp(), user=changelog.current_user(), entity=MARKER,
                     entity_id=0, action=action, old=old, new=new,
                     intent=changelog.current_intent()).execute()


def _revert(intent: str, step: Step, force: bool) -> None:
    """Replay the intent's rows backwards (newest first), record by record."""
    rows = _rows(intent)
    if not force:
        conflicts = _conflicts(intent, rows)
        if conflicts:
            raise UndoConflict(step.description, conflicts)
    # Rows of one record and one action are applied together (a save's fields at once).
    groups: list[tuple[tuple[str, int, str], list[ChangeLog]]] = []
    for row in rows:
        key = (row.entity, row.entity_id, "fields" if row.field and row.action not in
               ("create", "delete", "restore") else row.action)
        if groups and groups[-1][0] == key:
            groups[-1][1].append(row)
        else:
            groups.append((key, [row]))
    for (entity, record_id, action), group in groups:
        if action in ("create", "restore"):
            _delete(entity, record_id)
        elif action == "delete":
            _restore(entity, record_id, group[0].intent)
        else:
            # Newest first: a field written twice in the step gets its oldest value.
            _set_back(entity, record_id, {row.field: row.old for row in group})


def _conflicts(intent: str, rows: list[ChangeLog]) -> list[tuple[str, str, str]]:
    """Fields of this step whose value is no longer the one the step wrote (someone
    changed them since), with who changed them last."""
    newest: dict[tuple[str, int, str], str | None] = {}
    for row in rows:  # newest first: the first seen is the value the step left
        if row.field and row.action not in ("create", "delete", "restore"):
            newest.setdefault((row.entity, row.entity_id, row.field), row.new)
    found = []
    for (entity, record_id, field), wrote in newest.items():
        model = MODELS.get(entity)
        if model is None or field not in model._meta.fields:
            continue
        record = model.get_or_none(model.id == record_id)
        if record is None:
            found.append((_name(entity, record_id), "the record (deleted)",
                          _last_by(entity, record_id, None)))
            continue
        if changelog.as_text(record.__data__.get(field)) != wrote:
            found.append((_name(entity, record_id), field, _last_by(entity, record_id, field)))
    return found


def _last_by(entity: str, record_id: int, field: str | None) -> str:
    query = ChangeLog.select(ChangeLog.user).where((ChangeLog.entity == entity)
                                                   & (ChangeLog.entity_id == record_id))
    if field is not None:
        query = query.where(ChangeLog.field == field)
    row = query.order_by(ChangeLog.id.desc()).first()
    return row.user if row else "someone"


def _typed(model, field: str, text: str | None) -> object:
    """A ChangeLog value back in the field's type."""
    if text is None:
        return None
    return model._meta.fields[field].python_value(text)


def _set_back(entity: str, record_id: int, fields: dict[str, str | None]) -> None:
    if entity == "setting":
        for key, old in fields.items():
            if old is None:
                Setting.delete().where(Setting.key == key).execute()
            else:
                Setting.insert(key=key, value=old).on_conflict(
                    conflict_target=[Setting.key], update={Setting.value: old}).execute()
            changelog.record("setting", 0, "undo", {key: (None, old)})
        return
    if entity == "stage":
        values = {name: (int(old) if name in ("position", "probability", "rot_days")
                         and old not in (None, "") else old) for name, old in fields.items()}
        Stage.update(values).where(Stage.id == record_id).execute()
        changelog.record("stage", record_id, "undo", {k: (None, v) for k, v in values.items()})
        return
    model = MODELS[entity]
    values = {name: _typed(model, name, old) for name, old in fields.items()
              if name in model._meta.fields}
    before = model.get_or_none(model.id == record_id)
    if before is None:
        raise CrmError(f"The {entity} this step changed was deleted since.")
    tracking.update(model, entity, record_id, values, action="undo")
    if entity == "opportunity":
        after = {**before.__data__, **values}
        totals.retally(totals.key_of(before.__data__), totals.key_of(after))
        if "stage" in values:
            Opportunity.update(stage_entered_at=now()).where(
                Opportunity.id == record_id).execute()


def _delete(entity: str, record_id: int) -> None:
    if entity == "stage":
        if Opportunity.select().where(Opportunity.stage == record_id).exists():
            raise CrmError("The stage this step added holds deals now: move them first.")
        trash.bury("stage", record_id)
        Stage.delete().where(Stage.id == record_id).execute()
        changelog.record("stage", record_id, "delete")
        return
    model = MODELS[entity]
    record = model.get_or_none(model.id == record_id)
    if record is None:
        return  # gone already
    if entity in ("lead", "customer"):
        field = Opportunity.lead if entity == "lead" else Opportunity.customer
        if Opportunity.select().where(field == record_id).exists():
            raise CrmError(f"The {entity} this step added has deals now: it stays.")
        if entity == "lead":
            Customer.update(lead=None).where(Customer.lead == record_id).execute()
    tracking.delete(model, entity, record_id)
    if entity == "opportunity":
        totals.retally(totals.key_of(record.__data__), None)


def _restore(entity: str, record_id: int, intent: str | None) -> None:
    kept = (Trash.select(Trash.id).where((Trash.entity == entity) & (Trash.entity_id ==
                                                                     record_id)
                                         & Trash.restored_at.is_null())
            .order_by(Trash.id.desc()))
    if intent is not None:
        match = kept.where(Trash.intent == intent).first()
        kept = match or kept.first()
    else:
        kept = kept.first()
    if kept is None:
        raise CrmError(f"The {entity} this step deleted is no longer in the Trash.")
    trash.restore(kept.id)
    if entity == "stage" and not StageTotal.select().where(
            StageTotal.stage == record_id).exists():
        StageTotal.insert(stage=record_id, count=0, amount_cents=0).execute()
