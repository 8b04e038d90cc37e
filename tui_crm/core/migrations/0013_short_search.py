"""Search by the first one or two letters without a scan (PostgreSQL).

A term of one or two characters matches the start of a lead's or customer's name,
company or e-mail (core.search). Trigrams cannot find so short a term, so each column
gets a B-tree on ``lower(column) COLLATE "C"``: the search asks for a range of it.
SQLite reads its small tables for such terms, as it always did.
"""

from peewee import PostgresqlDatabase

TABLES = ("lead", "customer")
COLUMNS = ("name", "company", "email")


def index_name(table: str, column: str) -> str:
    return f"{table}_{column}_prefix"


def up(migrator, db):
    if not isinstance(db, PostgresqlDatabase):
        return
    for table in TABLES:
        for column in COLUMNS:
            db.execute_sql(f'CREATE INDEX IF NOT EXISTS "{index_name(table, column)}" ON '
                           f'"{table}" ((lower("{column}") COLLATE "C"))')
