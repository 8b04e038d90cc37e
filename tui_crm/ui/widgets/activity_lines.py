"""A record's activities as lines of text: the open ones first, then the log of what
was done, newest first (``core.activities.activities_of`` gives them in that order)."""

from __future__ import annotations

import datetime as dt

from rich.text import Text

from tui_crm.core.dates import format_date
from tui_crm.core.records import ActivityRow
from tui_crm.ui.text import safe

OPEN_SIGN, DONE_SIGN, LATE_SIGN = "○", "✓", "!"


EMPTY = "none yet: press a on the board, in Customers or Today to plan one"


def activity_lines(rows: list[ActivityRow], today: dt.date, *, empty: str = EMPTY) -> Text:
    """``Activities`` then a line per activity: its sign (``!`` overdue, ``○`` planned,
    ``✓`` done), when, kind, subject and whose; "none yet" when there are none."""
    text = Text("Activities", style="bold underline")
    if not rows:
        text.append(f"\n  {empty}")
        return text
    for row in rows:
        text.append("\n")
        if row.is_done:
            sign, when, style = DONE_SIGN, format_date(row.done_at.date()), ""
        elif row.is_overdue(today):
            sign, when, style = LATE_SIGN, format_date(row.due_date), "bold reverse"
        else:
            sign, when, style = OPEN_SIGN, format_date(row.due_date) or "no date", ""
        text.append(f"{sign} {when:<10}", style=style)
        if row.due_time and not row.is_done:
            text.append(f" {row.due_time}")
        text.append(f" {row.kind}: ")
        text.append_text(safe(row.subject))
        text.append(" (")
        text.append_text(safe(row.done_by if row.is_done else row.owner))
        text.append(")")
    return text
