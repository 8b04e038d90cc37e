"""Running totals per stage, close date and lost reason, filled from the deals.

The forecast then sums a few hundred days per quarter instead of every deal in it.
Deals without a close date are counted under the day 0001-01-01; only lost deals
have a lost reason, so the other stages have one row per day.
"""

import datetime as dt

from peewee import (
    SQL,
    BigIntegerField,
    CompositeKey,
    DateField,
    ForeignKeyField,
    Model,
    TextField,
    fn,
)

NO_DATE = dt.date(1, 1, 1)


def up(migrator, db):
    class Base(Model):
        class Meta:
            database = db
            legacy_table_names = False

    class Stage(Base):
        pass

    class Opportunity(Base):
        stage = ForeignKeyField(Stage)
        close_date = DateField(null=True)
        amount_cents = BigIntegerField()
        lost_reason = TextField()

    class StageDayTotal(Base):
        stage = ForeignKeyField(Stage, on_delete="CASCADE")
        close_date = DateField()
        lost_reason = TextField(default="")
        count = BigIntegerField(default=0)
        amount_cents = BigIntegerField(default=0)

        class Meta:
            primary_key = CompositeKey("stage", "close_date", "lost_reason")

    db.create_tables([StageDayTotal])
    # Grouped by the plain column: PostgreSQL does not match a parametrised
    # COALESCE in the select list with one in GROUP BY.
    StageDayTotal.insert_from(
        Opportunity.select(Opportunity.stage, fn.COALESCE(Opportunity.close_date, NO_DATE),
                           Opportunity.lost_reason, fn.COUNT(SQL("*")),
                           fn.SUM(Opportunity.amount_cents))
        .group_by(Opportunity.stage, Opportunity.close_date, Opportunity.lost_reason),
        fields=[StageDayTotal.stage, StageDayTotal.close_date, StageDayTotal.lost_reason,
                StageDayTotal.count, StageDayTotal.amount_cents],
    ).execute()
