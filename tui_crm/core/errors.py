"""Errors the CRM reports to people: each carries one clear sentence."""

from __future__ import annotations

import datetime as dt


class CrmError(Exception):
    """An error whose message is fit to show a user as it is."""


class DatabaseError(CrmError):
    """The database cannot be opened or used (not a database, newer version...)."""


class NotFound(CrmError):
    """The record asked for does not exist (any more)."""


class ValidationError(CrmError):
    """Input that cannot be saved; ``errors`` maps each field to its message."""

    def __init__(self, errors: dict[str, str]):
        self.errors = dict(errors)
        super().__init__("; ".join(f"{field}: {msg}" for field, msg in self.errors.items()))


class ConflictError(CrmError):
    """The record changed since it was read: someone else saved it in between."""

    def __init__(self, kind: str, record_id: int, by: str, at: dt.datetime | None):
        self.kind = kind
        self.record_id = record_id
        self.by = by
        self.at = at
        when = at.strftime("%Y-%m-%d %H:%M:%S") if at else "just now"
        super().__init__(f"This {kind} was changed by {by} at {when} since you opened it.")
