"""Pages of a list ordered by (name, id): by key when the previous page is known.

Keyset pages (``after`` the last row seen) cost the same at any depth; OFFSET is
kept for jumps (a scrollbar drag) where no neighbouring row is known.
"""

from __future__ import annotations

from peewee import ModelSelect, Tuple

NameKey = tuple[str, int]


def name_order(query: ModelSelect, model, *, offset: int = 0, limit: int = 100,
               after: NameKey | None = None) -> ModelSelect:
    """``query`` in (name, id) order, one page of it."""
    if after is not None:
        query = query.where(Tuple(model.name, model.id) > Tuple(*after))
        offset = 0
    return query.order_by(model.name, model.id).offset(max(offset, 0)).limit(limit)


def name_position(count_query: ModelSelect, model, record_id: int) -> int | None:
    """The index of a record in (name, id) order among those ``count_query`` counts.

    None when the record does not exist or is not among them (filtered out).
    """
    row = model.select(model.name).where(model.id == record_id).first()
    if row is None or not count_query.where(model.id == record_id).scalar():
        return None
    return count_query.where(Tuple(model.name, model.id) < Tuple(row.name, record_id)).scalar()
