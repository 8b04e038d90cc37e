""""My deals" on the board: one owner's cards of a stage, read in the board's order.

The board pages a column by ``(close_date, id)`` within a stage; with an owner, the
index ``(owner, stage_id, close_date, id)`` gives that order directly (the forecast's
owner index carries amounts and reasons between the date and the id, so a page read
through it would be sorted afterwards).
"""

NAME = "opportunity_owner_stage_id_close_date_id"


def up(migrator, db):
    db.execute_sql(f'CREATE INDEX IF NOT EXISTS "{NAME}" ON "opportunity" '
                   '("owner", "stage_id", "close_date", "id")')
    if "sqlite_stat1" in db.get_tables():
        db.execute_sql(f'ANALYZE "{NAME}"')
