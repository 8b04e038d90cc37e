"""The first schema: leads, customers, opportunities, stages, change log, settings."""

import datetime as dt

from peewee import (
    SQL,
    BigIntegerField,
    Check,
    DateField,
    DateTimeField,
    ForeignKeyField,
    IntegerField,
    Model,
    TextField,
)


def up(migrator, db):
    class Base(Model):
        class Meta:
            database = db
            legacy_table_names = False

    class Tracked(Base):
        created_at = DateTimeField(default=dt.datetime.now)
        created_by = TextField(default="")
        updated_at = DateTimeField(default=dt.datetime.now)
        updated_by = TextField(default="")
        version = IntegerField(default=1)

    class Stage(Base):
        name = TextField(unique=True)
        position = IntegerField()
        probability = IntegerField(constraints=[Check("probability BETWEEN 0 AND 100")])
        kind = TextField(constraints=[Check("kind IN ('open', 'won', 'lost')")])

    class Lead(Tracked):
        name = TextField(constraints=[Check("name <> ''")], index=True)
        company = TextField(default="")
        email = TextField(default="")
        phone = TextField(default="")
        source = TextField(default="")
        status = TextField(
            default="New",
            constraints=[Check("status IN ('New', 'Contacted', 'Qualified', 'Disqualified', "
                               "'Converted')")],
        )
        notes = TextField(default="")

    class Customer(Tracked):
        name = TextField(constraints=[Check("name <> ''")], index=True)
        company = TextField(default="")
        email = TextField(default="")
        phone = TextField(default="")
        notes = TextField(default="")
        lead = ForeignKeyField(Lead, null=True, unique=True, on_delete="SET NULL")

    class Opportunity(Tracked):
        name = TextField(constraints=[Check("name <> ''")])
        amount_cents = BigIntegerField(default=0, constraints=[Check("amount_cents >= 0")])
        close_date = DateField(null=True)
        stage = ForeignKeyField(Stage, on_delete="RESTRICT")
        customer = ForeignKeyField(Customer, null=True, on_delete="RESTRICT")
        lead = ForeignKeyField(Lead, null=True, on_delete="RESTRICT")
        notes = TextField(default="")
        lost_reason = TextField(default="")
        owner = TextField(default="")

        class Meta:
            constraints = [SQL("CHECK ((customer_id IS NULL) <> (lead_id IS NULL))")]
            indexes = (
                (("stage", "close_date", "id"), False),
                (("stage", "close_date", "amount_cents"), False),
            )

    class StageTotal(Base):
        stage = ForeignKeyField(Stage, primary_key=True, on_delete="CASCADE")
        count = BigIntegerField(default=0)
        amount_cents = BigIntegerField(default=0)

    class ChangeLog(Base):
        at = DateTimeField(default=dt.datetime.now)
        user = TextField()
        entity = TextField()
        entity_id = IntegerField()
        action = TextField()
        field = TextField(null=True)
        old = TextField(null=True)
        new = TextField(null=True)

        class Meta:
            indexes = ((("entity", "entity_id", "at"), False),)

    class Setting(Base):
        key = TextField(primary_key=True)
        value = TextField()

    db.create_tables([Stage, Lead, Customer, Opportunity, StageTotal, ChangeLog, Setting])
    Stage.insert_many(
        [
            ("Qualification", 1, 10, "open"),
            ("Proposal", 2, 40, "open"),
            ("Negotiation", 3, 70, "open"),
            ("ClosedWon", 4, 100, "won"),
            ("ClosedLost", 5, 0, "lost"),
        ],
        fields=[Stage.name, Stage.position, Stage.probability, Stage.kind],
    ).execute()
    StageTotal.insert_from(
        Stage.select(Stage.id, SQL("0"), SQL("0")),
        fields=[StageTotal.stage, StageTotal.count, StageTotal.amount_cents],
    ).execute()
    Setting.insert_many(
        [("amount_basis", "ARR"), ("currency", "USD")], fields=[Setting.key, Setting.value]
    ).execute()
