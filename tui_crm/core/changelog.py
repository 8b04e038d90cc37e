"""Who did what: the acting user and the ChangeLog rows every operation writes."""

from __future__ import annotations

import contextlib
import contextvars
import datetime as dt
import getpass
import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal

from tui_crm.core.models import ChangeLog, execute_later, stamp

_user: str | None = None
_intent: contextvars.ContextVar[str | None] = contextvars.ContextVar("intent", default=None)


@contextlib.contextmanager
def intent_scope() -> Iterator[str]:
    """Around one user intent (one write transaction): its ChangeLog rows share an id.
    A nested scope joins the one around it."""
    current = _intent.get()
    if current is not None:
        yield current
        return
    token = _intent.set(uuid.uuid4().hex)
    try:
        yield _intent.get()
    finally:
        _intent.reset(token)


def current_intent() -> str:
    """The id of the intent under way (a new one outside any)."""
    return _intent.get() or uuid.uuid4().hex


def set_user(name: str | None) -> None:
    """Act as ``name`` from now on (``--user``); None goes back to the OS user."""
    global _user
    _user = name.strip() if name and name.strip() else None


def current_user() -> str:
    """The user named by ``--user``, else the operating system's user name."""
    if _user:
        return _user
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return os.environ.get("USER") or "unknown"


def as_text(value: object) -> str | None:
    """A field value as the ChangeLog stores it."""
    if value is None:
        return None
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    return str(value)


def record(entity: str, entity_id: int, action: str,
           changes: dict[str, tuple[object, object]] | None = None) -> None:
    """Write one ChangeLog row per changed field (one row when there are none)."""
    user, at, intent = current_user(), stamp(), current_intent()
    rows = [
        {"at": at, "user": user, "entity": entity, "entity_id": entity_id, "action": action,
         "field": field, "old": as_text(old), "new": as_text(new), "intent": intent}
        for field, (old, new) in (changes or {}).items()
    ] or [{"at": at, "user": user, "entity": entity, "entity_id": entity_id, "action": action,
           "field": None, "old": None, "new": None, "intent": intent}]
    execute_later(ChangeLog.insert_many(rows))  # with the change's next statement


@dataclass(frozen=True)
class Change:
    at: dt.datetime
    user: str
    action: str
    field: str | None
    old: str | None
    new: str | None
    intent: str | None = None


def timeline(entity: str, entity_id: int, limit: int = 200) -> list[Change]:
    """The record's history, newest first."""
    query = (ChangeLog.select()
             .where((ChangeLog.entity == entity) & (ChangeLog.entity_id == entity_id))
             .order_by(ChangeLog.at.desc(), ChangeLog.id.desc())
             .limit(limit))
    return [Change(row.at, row.user, row.action, row.field, row.old, row.new, row.intent)
            for row in query]


@dataclass(frozen=True)
class LoggedChange:
    at: dt.datetime
    user: str
    entity: str
    entity_id: int
    action: str
    field: str | None
    old: str | None
    new: str | None
    intent: str | None


def changes(entity: str | None = None, entity_id: int | None = None,
            limit: int = 100) -> list[LoggedChange]:
    """The ChangeLog, newest first: all of it, one kind's, or one record's (with the
    history of the records merged into it, and of those merged into them)."""
    query = ChangeLog.select().where(ChangeLog.entity != "intent")
    if entity is not None:
        query = query.where(ChangeLog.entity == entity)
    if entity_id is not None:
        ids = merged_into(entity, entity_id) if entity is not None else {entity_id}
        query = query.where(ChangeLog.entity_id.in_(sorted(ids)))
    query = query.order_by(ChangeLog.id.desc()).limit(limit)
    return [LoggedChange(r.at, r.user, r.entity, r.entity_id, r.action, r.field, r.old, r.new,
                         r.intent) for r in query]


def merged_into(entity: str, record_id: int, limit: int = 100) -> set[int]:
    """``record_id`` and the ids of the records merged into it, at any depth (each
    merge logs the merged record's id on the one it went into)."""
    found, frontier = {record_id}, {record_id}
    while frontier and len(found) < limit:
        rows = (ChangeLog.select(ChangeLog.new)
                .where((ChangeLog.entity == entity) & ChangeLog.entity_id.in_(sorted(frontier))
                       & (ChangeLog.action == "merge") & (ChangeLog.field == "merged_id")))
        frontier = {int(row.new) for row in rows if row.new and row.new.isdigit()} - found
        found |= frontier
    return found
