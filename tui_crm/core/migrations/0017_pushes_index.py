"""A deal's slippage (how often its close date was pushed later), shown on every card,
read from an index of the pushes alone.

The board counts each card's pushes in its cards' statement. On PostgreSQL, while the
change log is small (a new database, a day of moves), the planner took a scan of the
whole log for each card (256 cards: 15 ms of a board's 20) rather than the (entity,
entity_id, at) index; this partial index holds only the pushes, so it is the cheaper
read from the first row on, and it stays small as the log grows.
"""

NAME = "change_log_pushes"
# The rows that pushed a deal's close date later (core.models.PUSHED_LATER, as SQL).
WHERE = "\"entity\" = 'opportunity' AND \"field\" = 'close_date' AND \"new\" > \"old\""


def up(migrator, db):
    db.execute_sql(f'CREATE INDEX IF NOT EXISTS "{NAME}" ON "change_log" ("entity_id") '
                   f'WHERE {WHERE}')
    if "sqlite_stat1" in db.get_tables():
        db.execute_sql(f'ANALYZE "{NAME}"')
