"""Lists page by (name, id): index exactly that, on both SQLite and PostgreSQL.

SQLite's single-column name index already ends in the rowid; PostgreSQL needs the
id in the index for keyset paging and for counting a record's position.
"""


def up(migrator, db):
    for table in ("lead", "customer"):
        db.execute_sql(f'DROP INDEX IF EXISTS "{table}_name"')
        db.execute_sql(f'CREATE INDEX IF NOT EXISTS "{table}_name_id" ON "{table}" ("name", "id")')
