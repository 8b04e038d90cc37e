"""The change counter live screens poll on PostgreSQL (SQLite has PRAGMA data_version)."""

from peewee import PostgresqlDatabase


def up(migrator, db):
    if isinstance(db, PostgresqlDatabase):
        db.execute_sql("CREATE SEQUENCE IF NOT EXISTS change_counter")
