"""One owner's Today queue from an index: the deals without a next step and the
rotting ones are read by owner, stage and time in stage, never by the whole stage."""

NAME = "opportunity_owner_time_in_stage"


def up(migrator, db):
    # Partial, as opportunity_time_in_stage: the board's queries never take it.
    db.execute_sql(f'CREATE INDEX IF NOT EXISTS "{NAME}" ON "opportunity" '
                   '("owner", "stage_id", "stage_entered_at", "id") '
                   'WHERE "stage_entered_at" IS NOT NULL')
    if "sqlite_stat1" in db.get_tables():
        db.execute_sql(f'ANALYZE "{NAME}"')
