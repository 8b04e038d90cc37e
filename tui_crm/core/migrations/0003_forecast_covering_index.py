"""One index covers every forecast query, the lost reasons included.

``(stage_id, close_date, amount_cents)`` becomes ``(stage_id, close_date,
amount_cents, lost_reason)``: the quarter's sums and its lost reasons are then
read from the index alone. Only lost deals carry a reason, so the index hardly
grows. A second index with the same leading columns would leave SQLite's planner
to guess between them on databases analysed before it existed.
"""

OLD = "opportunity_stage_id_close_date_amount_cents"
NEW = "opportunity_stage_id_close_date_amount_cents_lost_reason"


def up(migrator, db):
    db.execute_sql(f'CREATE INDEX IF NOT EXISTS "{NEW}" ON "opportunity" '
                   '("stage_id", "close_date", "amount_cents", "lost_reason")')
    db.execute_sql(f'DROP INDEX IF EXISTS "{OLD}"')
    if "sqlite_stat1" in db.get_tables():
        # Statistics of the new index, so the planner does not take it for a rare one.
        db.execute_sql(f'ANALYZE "{NEW}"')
