"""Lists sort by any shown column, and leads filter by status: an index on (column, id)
for each order (read forwards or backwards), and (status, column, id) for each order of
one status's leads, so that no page sorts the table and deep pages stay keyset reads."""

LEAD_SORTS = ("company", "status", "source", "email", "updated_at")  # name: 0002
CUSTOMER_SORTS = ("company", "email", "updated_at")
STATUS_SORTS = ("name", "company", "source", "email", "updated_at")  # status: (status, id)

INDEXES = (
    [("lead", (column, "id")) for column in LEAD_SORTS]
    + [("lead", ("status", column, "id")) for column in STATUS_SORTS]
    + [("customer", (column, "id")) for column in CUSTOMER_SORTS]
)


def up(migrator, db):
    for table, columns in INDEXES:
        name = "_".join((table, *columns))
        quoted = ", ".join(f'"{column}"' for column in columns)
        db.execute_sql(f'CREATE INDEX IF NOT EXISTS "{name}" ON "{table}" ({quoted})')
        if "sqlite_stat1" in db.get_tables():
            db.execute_sql(f'ANALYZE "{name}"')
