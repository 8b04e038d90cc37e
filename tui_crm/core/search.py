"""Finding leads and customers by part of their name, company or e-mail, at any size.

Matching is "contains, case ignored", as SQL's LIKE. On SQLite a term of three
characters or more is looked up in the record's trigram index (``<table>_search``,
see migration 0006) instead of scanning the table; shorter terms, and databases
without the index, use LIKE. On PostgreSQL, ILIKE is served by trigram indexes.
"""

from __future__ import annotations

import functools
import operator

from peewee import SQL, Expression, Model, SqliteDatabase, fn

from tui_crm.core.models import db

SEARCHED = ("name", "company", "email")
TRIGRAM = 3  # the trigram index finds terms at least this long


def search_term(text: str | None) -> str:
    """The term as records hold text: NUL bytes dropped (as ``validate.check_text``
    drops them from what is saved), then trimmed."""
    return (text or "").replace("\x00", "").strip()


def matches(model: type[Model], text: str) -> Expression:
    """A condition: ``model``'s name, company or e-mail contains ``text``.

    Every character is literal: ``_`` and ``%`` are escaped for LIKE (peewee's
    ``contains``), and the trigram index is given the term as one quoted phrase.
    """
    text = search_term(text)
    table = _index_for(model, text)
    if table is not None:
        return model.id.in_(SQL(f'(SELECT rowid FROM "{table}" WHERE "{table}" MATCH ?)',
                                [_phrase(text)]))
    return functools.reduce(operator.or_, (getattr(model, column).contains(text)
                                           for column in SEARCHED))


def count_matching(model: type[Model], text: str | None) -> int:
    """How many records of ``model`` match ``text`` (all of them without a text).

    Read from the trigram index alone when it serves the term: it holds a row for
    each record, kept by the triggers, so no record needs to be looked up.
    """
    text = search_term(text)
    table = _index_for(model, text)
    if table is not None:
        return db.obj.execute_sql(f'SELECT COUNT(*) FROM "{table}" WHERE "{table}" MATCH ?',
                                  (_phrase(text),)).fetchone()[0]
    query = model.select(fn.COUNT(model.id))
    return (query.where(matches(model, text)) if text else query).scalar() or 0


def _phrase(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def _index_for(model: type[Model], text: str) -> str | None:
    """The trigram table that can find ``text`` in ``model``'s records, if any."""
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
