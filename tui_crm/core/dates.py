"""Dates as people type them (ISO, 2026-12-15) and quarters (2026Q4)."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from tui_crm.core.errors import CrmError


class DateError(CrmError, ValueError):
    """Text that is not a date or a quarter."""


_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$", re.ASCII)
_QUARTER = re.compile(r"^(\d{4})\s*-?\s*Q([1-4])$", re.I | re.ASCII)


def today() -> dt.date:
    """Today's date; one place so tests can freeze it."""
    return dt.date.today()


def parse_date(text: str | None) -> dt.date | None:
    """Parse an ISO date (``2026-12-15``); empty text is None (no date)."""
    raw = (text or "").strip()
    if not raw:
        return None
    match = _ISO.match(raw)
    if not match:
        raise DateError("Not a date: use YYYY-MM-DD, e.g. 2026-12-15.")
    year, month, day = (int(part) for part in match.groups())
    try:
        return dt.date(year, month, day)
    except ValueError as exc:
        raise DateError(f"No such date: {raw} (use YYYY-MM-DD).") from exc


def format_date(value: dt.date | None) -> str:
    return value.isoformat() if value else ""


@dataclass(frozen=True, order=True)
class Quarter:
    year: int
    number: int  # 1..4

    @classmethod
    def containing(cls, day: dt.date) -> Quarter:
        return cls(day.year, (day.month - 1) // 3 + 1)

    @classmethod
    def current(cls) -> Quarter:
        return cls.containing(today())

    @classmethod
    def parse(cls, text: str) -> Quarter:
        match = _QUARTER.match((text or "").strip())
        if not match:
            raise DateError(f"Not a quarter: {text!r} (use e.g. 2026Q4).")
        return cls(int(match[1]), int(match[2]))

    @property
    def start(self) -> dt.date:
        return dt.date(self.year, 3 * self.number - 2, 1)

    @property
    def end(self) -> dt.date:
        """The first day after the quarter (exclusive bound)."""
        return self.next().start

    @property
    def last_day(self) -> dt.date:
        return self.end - dt.timedelta(days=1)

    def next(self) -> Quarter:
        if self.number == 4:
            return Quarter(self.year + 1, 1)
        return Quarter(self.year, self.number + 1)

    def previous(self) -> Quarter:
        if self.number == 1:
            return Quarter(self.year - 1, 4)
        return Quarter(self.year, self.number - 1)

    def __str__(self) -> str:
        return f"{self.year}Q{self.number}"


def parse_moment(text: str) -> dt.datetime:
    """A moment as typed: ``2026-11-24 09:00``, ``2026-11-24T09:00:30`` or ``2026-11-24``
    (its start); CrmError with the form to use otherwise."""
    try:
        return dt.datetime.fromisoformat(text.strip())
    except ValueError:
        raise CrmError(f"{text!r} is not a date and time; write it like "
                       "2026-11-24 09:00.") from None
