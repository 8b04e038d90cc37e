"""Activities and contacts; each deal's time in stage; default rot days.

``stage_entered_at`` is filled from each deal's last stage move in the ChangeLog (or its
creation when it never moved). The default stages get rot days when they have none.
"""

import datetime as dt

from peewee import (
    SQL,
    Check,
    DateField,
    DateTimeField,
    ForeignKeyField,
    IntegerField,
    Model,
    TextField,
)

DEFAULT_ROT_DAYS = {"Qualification": 30, "Proposal": 21, "Negotiation": 14}


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

    class Lead(Base):
        pass

    class Customer(Base):
        pass

    class Opportunity(Base):
        pass

    class Contact(Tracked):
        name = TextField(constraints=[Check("name <> ''")])
        customer = ForeignKeyField(Customer, on_delete="CASCADE")
        role = TextField(default="")
        email = TextField(default="")
        phone = TextField(default="")
        notes = TextField(default="")

        class Meta:
            indexes = ((("customer", "name", "id"), False),)

    class Activity(Tracked):
        kind = TextField(default="Task")
        subject = TextField(constraints=[Check("subject <> ''")])
        due_date = DateField(null=True)
        due_time = TextField(default="")
        done_at = DateTimeField(null=True)
        done_by = TextField(default="")
        notes = TextField(default="")
        owner = TextField(default="")
        deal = ForeignKeyField(Opportunity, null=True, on_delete="CASCADE")
        customer = ForeignKeyField(Customer, null=True, on_delete="CASCADE")
        lead = ForeignKeyField(Lead, null=True, on_delete="CASCADE")
        contact = ForeignKeyField(Contact, null=True, on_delete="CASCADE")

        class Meta:
            constraints = [SQL("CHECK (deal_id IS NOT NULL OR customer_id IS NOT NULL OR "
                               "lead_id IS NOT NULL OR contact_id IS NOT NULL)")]
            indexes = (
                (("done_at", "due_date", "id"), False),
                (("owner", "done_at", "due_date", "id"), False),
                (("deal", "done_at", "due_date"), False),
                (("customer", "done_at", "due_date"), False),
                (("lead", "done_at", "due_date"), False),
                (("contact", "done_at", "due_date"), False),
            )

    db.create_tables([Contact, Activity])
    migrator.migrate(migrator.add_column("opportunity", "stage_entered_at",
                                         DateTimeField(null=True)))
    db.execute_sql(
        'UPDATE "opportunity" SET "stage_entered_at" = COALESCE('
        '(SELECT MAX("at") FROM "change_log" WHERE "entity" = \'opportunity\' '
        'AND "entity_id" = "opportunity"."id" AND "field" = \'stage\'), "created_at")')
    # Partial: the board's queries never take it for theirs.
    db.execute_sql('CREATE INDEX IF NOT EXISTS "opportunity_time_in_stage" ON "opportunity" '
                   '("stage_id", "stage_entered_at", "id") WHERE "stage_entered_at" IS NOT NULL')
    for name, days in DEFAULT_ROT_DAYS.items():
        db.execute_sql(f'UPDATE "stage" SET "rot_days" = {db.param} '
                       f'WHERE "name" = {db.param} AND "rot_days" IS NULL', (days, name))
