"""Stages gain rot days: how long a deal may rest in the stage before it is rotting."""

from peewee import IntegerField


def up(migrator, db):
    migrator.migrate(migrator.add_column("stage", "rot_days", IntegerField(null=True)))
