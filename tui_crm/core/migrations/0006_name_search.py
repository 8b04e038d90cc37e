"""Search leads and customers by part of a name, company or e-mail without a scan.

SQLite: an FTS5 table per list with the trigram tokenizer (any substring of three
characters or more is an index lookup), holding no copy of the text (external
content) and kept in step with its table by triggers. PostgreSQL: trigram GIN
indexes (pg_trgm), which serve the same ILIKE the search runs there. Where neither
is available the search still works, by scanning.
"""

from peewee import PostgresqlDatabase, SqliteDatabase

TABLES = ("lead", "customer")
COLUMNS = ("name", "company", "email")


def up(migrator, db):
    if isinstance(db, SqliteDatabase):
        _sqlite(db)
    elif isinstance(db, PostgresqlDatabase):
        _postgres(db)


def _sqlite(db):
    try:
        db.execute_sql("CREATE VIRTUAL TABLE temp.trigram_probe USING fts5(x, tokenize='trigram')")
        db.execute_sql("DROP TABLE temp.trigram_probe")
    except Exception:  # noqa: BLE001 - an SQLite without FTS5 or trigram: search scans
        return
    cols = ", ".join(COLUMNS)
    new = ", ".join(f"new.{c}" for c in COLUMNS)
    old = ", ".join(f"old.{c}" for c in COLUMNS)
    for table in TABLES:
        fts = f"{table}_search"
        delete = f"INSERT INTO {fts}({fts}, rowid, {cols}) VALUES ('delete', old.id, {old});"
        insert = f"INSERT INTO {fts}(rowid, {cols}) VALUES (new.id, {new});"
        db.execute_sql(f"CREATE VIRTUAL TABLE {fts} USING fts5({cols}, content='{table}', "
                       "content_rowid='id', tokenize='trigram')")
        db.execute_sql(f"CREATE TRIGGER {fts}_insert AFTER INSERT ON {table} BEGIN {insert} END")
        db.execute_sql(f"CREATE TRIGGER {fts}_delete AFTER DELETE ON {table} BEGIN {delete} END")
        db.execute_sql(f"CREATE TRIGGER {fts}_update AFTER UPDATE OF {cols} ON {table} "
                       f"BEGIN {delete} {insert} END")
        db.execute_sql(f"INSERT INTO {fts}({fts}) VALUES ('rebuild')")


def _postgres(db):
    try:
        with db.atomic():  # a savepoint: without the right to add the extension, go on
            db.execute_sql("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    except Exception:  # noqa: BLE001 - no pg_trgm here: search scans
        return
    for table in TABLES:
        for column in COLUMNS:
            db.execute_sql(f'CREATE INDEX IF NOT EXISTS "{table}_{column}_trgm" ON "{table}" '
                           f'USING gin ("{column}" gin_trgm_ops)')
