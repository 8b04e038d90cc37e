"""What changed in deals (or stages, or settings) since a moment, read by entity and
time: the forecast as of a past moment walks back only the changes made since."""

NAME = "change_log_entity_at_id"


def up(migrator, db):
    db.execute_sql(f'CREATE INDEX IF NOT EXISTS "{NAME}" ON "change_log" '
                   '("entity", "at", "id")')
    if "sqlite_stat1" in db.get_tables():
        db.execute_sql(f'ANALYZE "{NAME}"')
