"""Finding leads and customers by part of their name, company or e-mail, at any size.

A term of three characters or more matches anywhere ("contains, case ignored", as
SQL's LIKE). A term of one or two characters matches the start of the name, the
company or the e-mail (``gr`` finds Grace and Green Labs, not Hungry): no index can
find every record containing a single letter without reading them all, and the first
letters typed are what a user starts a name with.

Where each is served from:
- SQLite: a term of three characters or more is looked up in the record's trigram
  index (``<table>_search``, migration 0006); shorter terms, and databases without the
  index, use LIKE.
- PostgreSQL: ILIKE is served by the trigram indexes (migration 0006); a short term by
  the prefix indexes on ``lower(column) COLLATE "C"`` (migration 0013), as a range.
  A page of matches selects the matching ids first (through those indexes) and then
  orders them, so the planner never walks the (name, id) index filtering every row.
"""

from __future__ import annotations

import functools
import operator

from peewee import SQL, Expression, Model, NodeList, PostgresqlDatabase, SqliteDatabase, fn

from tui_crm.core.models import db

SEARCHED = ("name", "company", "email")
TRIGRAM = 3  # the trigram indexes find terms at least this long; shorter: a prefix
LAST_CHARACTER = "\U0010ffff"  # sorts after any character in C collation (UTF-8 bytes)


def search_term(text: str | None) -> str:
    """The term as records hold text: NUL bytes dropped (as ``validate.check_text``
    drops them from what is saved), then trimmed."""
    return (text or "").replace("\x00", "").strip()


def is_short(text: str) -> bool:
    """True when ``text`` is matched at the start of a field, not anywhere in it."""
    return len(search_term(text)) < TRIGRAM


def matches(model: type[Model], text: str) -> Expression:
    """A condition: ``model``'s name, company or e-mail contains ``text`` (starts with
    it, for a term of one or two characters).

    Every character is literal: ``_`` and ``%`` are escaped for LIKE (peewee's
    ``contains``), and the trigram index is given the term as one quoted phrase.
    """
    text = search_term(text)
    if _is_postgres():
        # The ids first, through the search indexes; the outer query then orders only
        # those (a top-N sort of the matches), whatever page it reads.
        inner = model.alias()
        found = inner.select(inner.id).where(_condition(inner, text))
        return model.id == fn.ANY(fn.ARRAY(found))
    return _condition(model, text)


def count_matching(model: type[Model], text: str | None) -> int:
    """How many records of ``model`` match ``text`` (all of them without a text).

    On SQLite, read from the trigram index alone when it serves the term: it holds a
    row for each record, kept by the triggers, so no record needs to be looked up.
    """
    text = search_term(text)
    table = _index_for(model, text)
    if table is not None:
        return db.obj.execute_sql(f'SELECT COUNT(*) FROM "{table}" WHERE "{table}" MATCH ?',
                                  (_phrase(text),)).fetchone()[0]
    query = model.select(fn.COUNT(model.id))
    return (query.where(_condition(model, text)) if text else query).scalar() or 0


def _condition(model, text: str) -> Expression:
    """The match itself, on ``model`` (a model class or an alias of one)."""
    if len(text) < TRIGRAM:
        return _any_column(model, lambda column: _starts_with(column, text))
    table = _index_for(model, text)
    if table is not None:
        return model.id.in_(SQL(f'(SELECT rowid FROM "{table}" WHERE "{table}" MATCH ?)',
                                [_phrase(text)]))
    return _any_column(model, lambda column: column.contains(text))


def _any_column(model, condition) -> Expression:
    return functools.reduce(operator.or_, (condition(getattr(model, column))
                                           for column in SEARCHED))


def _starts_with(column, text: str) -> Expression:
    if not _is_postgres():
        return column.startswith(text)  # LIKE 'text%', case ignored (ASCII), escaped
    # A range on the prefix index (migration 0013): the same expression, the C
    # collation's byte order, bounds any planner can use (prepared or not).
    folded = NodeList((fn.LOWER(column), SQL('COLLATE "C"')))
    return (folded >= fn.LOWER(text)) & (folded < fn.LOWER(text + LAST_CHARACTER))


def _is_postgres() -> bool:
    return isinstance(db.obj, PostgresqlDatabase)


def _phrase(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def _index_for(model, text: str) -> str | None:
    """The SQLite trigram table that can find ``text`` in ``model``'s records, if any."""
    table = f"{model._meta.table_name}_search"
    return table if len(text) >= TRIGRAM and _has_index(table) else None


def _has_index(table: str) -> bool:
    database = db.obj
    return isinstance(database, SqliteDatabase) and table in _search_tables(database)


@functools.lru_cache(maxsize=8)
def _search_tables(database: SqliteDatabase) -> frozenset[str]:
    # Read once per opened database: the migrations made them before anything searches.
    return frozenset(name for (name,) in database.execute_sql(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE '%\\_search' "
        "ESCAPE '\\'"))
