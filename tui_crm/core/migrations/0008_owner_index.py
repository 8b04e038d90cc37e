"""One owner's forecast ("my deals") from an index: its deals' stage, close date, amount
and lost reason, read without touching the table."""

NAME = "opportunity_owner_stage_id_close_date_amount_cents_lost_reason"


def up(migrator, db):
    db.execute_sql(f'CREATE INDEX IF NOT EXISTS "{NAME}" ON "opportunity" '
                   '("owner", "stage_id", "close_date", "amount_cents", "lost_reason")')
    if "sqlite_stat1" in db.get_tables():
        db.execute_sql(f'ANALYZE "{NAME}"')
