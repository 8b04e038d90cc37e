"""Loading many rows at once (demo data, CSV imports): big batches, one transaction.

The caller holds the transaction (``@write``); these helpers only stream rows into
it the fastest way each database offers: ``executemany`` on SQLite, ``COPY`` on
PostgreSQL. Rows bypass the per-record ChangeLog and StageTotal bookkeeping, so
callers recompute totals (``deals.recompute_stage_totals``) and log what they must.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from contextlib import contextmanager
from itertools import islice

from peewee import Model, PostgresqlDatabase, fn

from tui_crm.core import models

BATCH = 20_000
INDEX_BUILD_MEMORY = "128MB"
Progress = Callable[[int], None]  # called with the number of rows just written


def is_postgres() -> bool:
    return isinstance(models.db.obj, PostgresqlDatabase)


def columns(model: type[Model], fields: Sequence[str]) -> list[str]:
    return [model._meta.fields[name].column_name for name in fields]


def insert_rows(model: type[Model], fields: Sequence[str], rows: Iterable[Sequence],
                progress: Progress | None = None) -> int:
    """Insert ``rows`` (tuples in the order of ``fields``); returns how many."""
    table = model._meta.table_name
    cols = columns(model, fields)
    names = ", ".join(f'"{c}"' for c in cols)
    database = models.db.obj
    cursor = database.cursor()
    total = 0
    if is_postgres() and hasattr(cursor, "copy"):  # psycopg 3 (psycopg2: INSERTs below)
        with cursor.copy(f'COPY "{table}" ({names}) FROM STDIN') as copy:
            for row in rows:
                copy.write_row(row)
                total += 1
                if progress and total % BATCH == 0:
                    progress(BATCH)
        if progress and total % BATCH:
            progress(total % BATCH)
        return total
    marks = ", ".join([database.param] * len(cols))
    sql = f'INSERT INTO "{table}" ({names}) VALUES ({marks})'
    iterator = iter(rows)
    while batch := list(islice(iterator, BATCH)):
        cursor.executemany(sql, batch)
        total += len(batch)
        if progress:
            progress(len(batch))
    return total


def next_id(model: type[Model]) -> int:
    """The id after the highest one in use, for rows inserted with explicit ids.

    On PostgreSQL this first locks the table against other writers until the
    transaction ends, so nobody takes those ids from the sequence meanwhile
    (SQLite's write transaction already excludes other writers).
    """
    if is_postgres():
        models.db.obj.execute_sql(
            f'LOCK TABLE "{model._meta.table_name}" IN SHARE ROW EXCLUSIVE MODE')
    return (model.select(fn.MAX(model.id)).scalar() or 0) + 1


def sync_id_sequence(model: type[Model]) -> None:
    """After explicit ids on PostgreSQL, move the id sequence past them."""
    if is_postgres():
        table = model._meta.table_name
        models.db.obj.execute_sql(
            f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), "
            f'COALESCE((SELECT MAX(id) FROM "{table}"), 0) + 1, false)')


@contextmanager
def fast_sqlite_load():
    """On SQLite, a big page cache and memory temp storage while a bulk load runs."""
    database = models.db.obj
    if is_postgres():
        yield
        return
    old_cache = database.execute_sql("PRAGMA cache_size").fetchone()[0]
    old_temp = database.execute_sql("PRAGMA temp_store").fetchone()[0]
    database.execute_sql("PRAGMA cache_size = -1048576")  # 1 GiB, used only as it fills
    database.execute_sql("PRAGMA temp_store = MEMORY")
    try:
        yield
    finally:
        database.execute_sql(f"PRAGMA cache_size = {int(old_cache)}")
        database.execute_sql(f"PRAGMA temp_store = {int(old_temp)}")


@contextmanager
def indexes_dropped(model: type[Model]):
    """Drop the table's plain (non-unique) indexes and rebuild them afterwards; on
    PostgreSQL its foreign keys too, added back (each checked by one join) after.

    Building an index once over a million new rows is several times faster than
    updating it row by row, and one check of a foreign key over the table faster than
    a trigger per row. Run inside the loading transaction.
    """
    database = models.db.obj
    table = model._meta.table_name
    keys: list[tuple[str, str]] = []
    if is_postgres():
        found = database.execute_sql(
            "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema() "
            "AND tablename = %s AND indexdef NOT LIKE 'CREATE UNIQUE%%'", (table,)).fetchall()
        keys = database.execute_sql(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid = %s::regclass AND contype = 'f'", (f'"{table}"',)).fetchall()
        # Sorting for the rebuilt indexes in memory, not in temporary files (this
        # transaction only).
        database.execute_sql(f"SET LOCAL maintenance_work_mem = '{INDEX_BUILD_MEMORY}'")
    else:
        found = database.execute_sql(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? "
            "AND sql IS NOT NULL AND sql NOT LIKE 'CREATE UNIQUE%'", (table,)).fetchall()
    for name, _ in keys:
        database.execute_sql(f'ALTER TABLE "{table}" DROP CONSTRAINT "{name}"')
    for name, _ in found:
        database.execute_sql(f'DROP INDEX "{name}"')
    yield
    for _, sql in found:
        database.execute_sql(sql)
    for name, definition in keys:
        database.execute_sql(f'ALTER TABLE "{table}" ADD CONSTRAINT "{name}" {definition}')


def analyze(*tables: type[Model]) -> None:
    """Give PostgreSQL's planner the new rows' statistics at once (after a big load it
    would plan on an empty table's until autovacuum came by)."""
    if is_postgres():
        models.db.obj.execute_sql(f"ANALYZE {_names(tables)}")


def settle(*tables: type[Model]) -> None:
    """After a big load has committed, on PostgreSQL: VACUUM the tables, which marks
    their pages all-visible. Until then (autovacuum comes by minutes later) an index
    cannot answer a query alone: a capped count such as Today's overdue activities,
    an index-only scan stopping at the thousandth entry once the pages are marked, is
    planned as a bitmap scan of every matching row instead. Outside a transaction."""
    if is_postgres():
        models.db.obj.execute_sql(f"VACUUM {_names(tables)}")


def _names(tables: Sequence[type[Model]]) -> str:
    return ", ".join(f'"{model._meta.table_name}"' for model in tables)
