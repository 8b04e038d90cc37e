"""Finding leads and customers by part of their name, company or e-mail, at any size.

Matching is "contains, case ignored", as SQL's LIKE. On SQLite a term of three
characters or more is looked up in the record's trigram index (``<table>_search``,
see migration 0006) instead of scanning the table; shorter terms, and databases
without the index, use LIKE. On PostgreSQL, ILIKE is served by trigram indexes.
"""

from __future__ import annotations

import functools
import operator

from peewee import SQL, Expression, Model, SqliteDatabase

from tui_crm.core.models import db

SEARCHED = ("name", "company", "email")
TRIGRAM = 3  # the trigram index finds terms at least this long


def matches(model: type[Model], text: str) -> Expression:
    """A condition: ``model``'s name, company or e-mail contains ``text``."""
    text = text.strip()
    table = f"{model._meta.table_name}_search"
    if len(text) >= TRIGRAM and _has_index(table):
        phrase = '"' + text.replace('"', '""') + '"'
        return model.id.in_(SQL(f'(SELECT rowid FROM "{table}" WHERE "{table}" MATCH ?)',
                                [phrase]))
    pattern = f"%{text}%"
    return functools.reduce(operator.or_, (getattr(model, column) ** pattern
                                           for column in SEARCHED))


def _has_index(table: str) -> bool:
    database = db.obj
    return isinstance(database, SqliteDatabase) and table in _search_tables(database)


@functools.lru_cache(maxsize=8)
def _search_tables(database: SqliteDatabase) -> frozenset[str]:
    # Read once per opened database: the migrations made them before anything searches.
    return frozenset(name for (name,) in database.execute_sql(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE '%\\_search' "
        "ESCAPE '\\'"))
