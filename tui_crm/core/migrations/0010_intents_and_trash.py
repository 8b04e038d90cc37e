"""Undo and the past: each ChangeLog row carries its user intent; deleted records wait in
a Trash, whole, so they can be restored (and the past rebuilt)."""

import datetime as dt

from peewee import DateTimeField, IntegerField, Model, TextField


def up(migrator, db):
    class Trash(Model):
        entity = TextField()
        entity_id = IntegerField()
        name = TextField(default="")
        data = TextField()
        deleted_at = DateTimeField(default=dt.datetime.now)
        deleted_by = TextField(default="")
        intent = TextField(null=True)
        restored_at = DateTimeField(null=True)

        class Meta:
            database = db
            legacy_table_names = False
            indexes = ((("entity", "entity_id"), False), (("deleted_at",), False))

    db.create_tables([Trash])
    migrator.migrate(migrator.add_column("change_log", "intent", TextField(null=True)))
    for name, columns in (("change_log_at", '"at"'), ("change_log_user_id", '"user", "id"'),
                          ("change_log_intent", '"intent"')):
        db.execute_sql(f'CREATE INDEX IF NOT EXISTS "{name}" ON "change_log" ({columns})')
