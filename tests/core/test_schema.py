"""The schema the migrations build is the schema the models describe: the same
tables, columns (type, NULL, primary key, default), indexes and foreign keys, on
SQLite and on PostgreSQL. A model changed without a migration (or the other way
round) fails here, not on a user's database."""

from __future__ import annotations

from importlib import import_module

import pytest
from playhouse.db_url import connect

from tests import conftest
from tui_crm.core.db import HISTORY_TABLE
from tui_crm.core.models import ALL_MODELS

# Name search (migrations 0006 and 0013) is the migrations' own, beside the models: FTS5
# tables on SQLite (with their shadow tables), trigram and prefix indexes on PostgreSQL.
SEARCH = import_module("tui_crm.core.migrations.0006_name_search")
PREFIX = import_module("tui_crm.core.migrations.0013_short_search")
SEARCH_INDEXES = {f"{table}_{column}_trgm" for table in SEARCH.TABLES
                  for column in SEARCH.COLUMNS} | {
    PREFIX.index_name(table, column) for table in PREFIX.TABLES for column in PREFIX.COLUMNS}


@pytest.fixture
def models_db(db_url, tmp_path):
    """A blank database of the same kind, its tables made from the models alone."""
    url = conftest._create_pg() if db_url.startswith("postgresql") else None
    database = connect(url or f"sqlite:///{tmp_path / 'models.db'}")
    with database.bind_ctx(ALL_MODELS):
        database.create_tables(ALL_MODELS)
    yield database
    database.close()
    if url:
        conftest._drop_pg(url)


def schema(database, table: str) -> dict:
    return {
        "columns": {(c.name, c.data_type.lower(), c.null, c.primary_key, c.default)
                    for c in database.get_columns(table)},
        "indexes": {(i.name, tuple(i.columns), i.unique) for i in database.get_indexes(table)
                    if i.name not in SEARCH_INDEXES},
        "foreign keys": {(f.column, f.dest_table, f.dest_column)
                         for f in database.get_foreign_keys(table)},
    }


@pytest.mark.pg
def test_the_migrated_schema_is_the_models_schema(db, models_db):
    for model in ALL_MODELS:
        table = model._meta.table_name
        assert schema(db, table) == schema(models_db, table), table


@pytest.mark.pg
def test_the_migrations_make_no_table_the_models_do_not_know(db, models_db):
    extra = set(db.get_tables()) - set(models_db.get_tables()) - {HISTORY_TABLE}
    searches = {f"{table}_search" for table in SEARCH.TABLES}
    assert {name for name in extra if not name.startswith(tuple(searches))} == set()
