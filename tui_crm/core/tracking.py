"""Creating and updating tracked records: who, when, version, ChangeLog, in one place."""

from __future__ import annotations

from typing import Any

from tui_crm.core import changelog
from tui_crm.core.errors import ConflictError, NotFound
from tui_crm.core.models import Tracked, db, execute_later, now


def insert(model: type[Tracked], entity: str, fields: dict[str, Any]) -> int:
    """Insert a record stamped with the acting user; log its creation."""
    user, at = changelog.current_user(), now()
    record_id = model.insert(
        **fields, created_at=at, created_by=user, updated_at=at, updated_by=user, version=1
    ).execute()
    changelog.record(entity, record_id, "create",
                     {name: (None, value) for name, value in fields.items()
                      if value not in (None, "")})
    return record_id


def fetch(model: type[Tracked], entity: str, record_id: int) -> Tracked:
    """The record, or NotFound.

    Inside a write transaction on PostgreSQL the row stays locked until commit, so
    a concurrent writer waits and then reads what this one wrote (SQLite's write
    transactions are serial already).
    """
    return fetched(entity, list(fetch_query(model, record_id)))


def locks_rows() -> bool:
    """Whether what this transaction reads can be locked until it commits (a write on
    PostgreSQL; SQLite's write transactions are serial already)."""
    return db.in_transaction() and db.obj.for_update


def fetch_query(model: type[Tracked], record_id: int):
    """The statement of ``fetch``, for reading it with others (``read_together``)."""
    query = model.select().where(model.id == record_id).limit(1)
    if locks_rows():
        query = query.for_update()
    return query


def fetched(entity: str, found: list[Tracked]) -> Tracked:
    """The record ``fetch_query`` found, or NotFound."""
    if not found:
        raise NotFound(f"This {entity} no longer exists (it was deleted).")
    return found[0]


def update(model: type[Tracked], entity: str, record_id: int, fields: dict[str, Any],
           expected_version: int | None = None, *, action: str = "update",
           current: Tracked | None = None, unlogged: dict[str, Any] | None = None) -> dict:
    """Write the fields that changed; return them as ``{field: (old, new)}``.

    With ``expected_version`` the write happens only if nobody saved the record
    since it was read, otherwise ConflictError says who did and when. ``current`` is
    the record as ``fetch`` just read it in this transaction (it is not read again);
    ``unlogged`` fields are written in the same statement when anything changed,
    without a ChangeLog row (bookkeeping, such as when a deal entered its stage).
    """
    if current is None:
        current = fetch(model, entity, record_id)
    if expected_version is not None and current.version != expected_version:
        raise ConflictError(entity, record_id, current.updated_by, current.updated_at)
    changes = {}
    for name, value in fields.items():
        old = current.__data__.get(name)  # foreign keys hold the raw id here
        if old != value:
            changes[name] = (old, value)
    if not changes:
        return {}
    query = model.update(
        **{name: new for name, (_, new) in changes.items()}, **(unlogged or {}),
        updated_at=now(), updated_by=changelog.current_user(), version=model.version + 1,
    ).where((model.id == record_id) & (model.version == current.version))
    if locks_rows():
        # The row is locked since ``fetch`` read it: its version cannot have moved, so
        # nothing waits for the update's answer (on PostgreSQL it goes with the next
        # statement, in its round trip).
        execute_later(query)
    elif query.execute() != 1:
        fresh = fetch(model, entity, record_id)
        raise ConflictError(entity, record_id, fresh.updated_by, fresh.updated_at)
    changelog.record(entity, record_id, action, changes)
    return changes


def delete(model: type[Tracked], entity: str, record_id: int) -> None:
    """Delete a record: it (and what goes with it) waits in the Trash."""
    from tui_crm.core import trash  # the Trash builds on the records

    fetch(model, entity, record_id)
    trash.bury(entity, record_id)
    model.delete().where(model.id == record_id).execute()
    changelog.record(entity, record_id, "delete")
