"""Pages of a list in a chosen order (a column, up or down; ties by id): by key when
the previous page is known.

Keyset pages (``after`` the last row seen) cost the same at any depth; OFFSET is
kept for jumps (a scrollbar drag) where no neighbouring row is known. Each order is
served by an index on (column, id) (or, filtered by status, (status, column, id)), read
forwards or backwards, so no order sorts the table.
"""

from __future__ import annotations

from dataclasses import dataclass

from peewee import ModelSelect, Tuple

from tui_crm.core.errors import CrmError

NameKey = tuple[str, int]
SortKey = tuple[object, int]  # a row's value of the sorted column, and its id


@dataclass(frozen=True)
class SortOrder:
    """How a list is ordered: by one of the record's fields, up or down."""

    field: str = "name"
    descending: bool = False


BY_NAME = SortOrder()


def checked_order(order: SortOrder | None, fields: tuple[str, ...], nouns: str) -> SortOrder:
    """``order`` (by name when None), refused unless it sorts by one of ``fields``."""
    order = order or BY_NAME
    if order.field not in fields:
        raise CrmError(f"{nouns} sort by {', '.join(fields)}, not {order.field!r}.")
    return order


def _column(model, order: SortOrder):
    return getattr(model, order.field)


def sorted_page(query: ModelSelect, model, order: SortOrder = BY_NAME, *, offset: int = 0,
                limit: int = 100, after: SortKey | None = None) -> ModelSelect:
    """``query`` in ``order`` (ties by id, the same way), one page of it."""
    column = _column(model, order)
    if after is not None:
        value, record_id = after
        key, row = Tuple(column, model.id), Tuple(column.db_value(value), record_id)
        query = query.where(key < row if order.descending else key > row)
        offset = 0
    if order.descending:
        query = query.order_by(column.desc(), model.id.desc())
    else:
        query = query.order_by(column, model.id)
    return query.offset(max(offset, 0)).limit(limit)


def sorted_position(count_query: ModelSelect, model, record_id: int,
                    order: SortOrder = BY_NAME) -> int | None:
    """The index of a record in ``order`` among those ``count_query`` counts.

    None when the record does not exist or is not among them (filtered out).
    """
    column = _column(model, order)
    row = model.select(column.alias("value")).where(model.id == record_id).dicts().first()
    if row is None or not count_query.where(model.id == record_id).scalar():
        return None
    key, here = Tuple(column, model.id), Tuple(column.db_value(row["value"]), record_id)
    return count_query.where(key > here if order.descending else key < here).scalar()


def name_order(query: ModelSelect, model, *, offset: int = 0, limit: int = 100,
               after: NameKey | None = None) -> ModelSelect:
    """``query`` in (name, id) order, one page of it."""
    return sorted_page(query, model, BY_NAME, offset=offset, limit=limit, after=after)


def name_position(count_query: ModelSelect, model, record_id: int) -> int | None:
    """The index of a record in (name, id) order among those ``count_query`` counts."""
    return sorted_position(count_query, model, record_id, BY_NAME)
