"""Ask for one date (a deal's expected close date), checked as the forms check dates.

``DatePrompt(title, label, value="")`` is a ``ModalScreen[DatePicked | None]``: `enter`
returns the date typed (``DatePicked.date`` None when left empty), a date that is not
one keeps the dialog open with the message under the field; `escape` returns None.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.validation import Function
from textual.widgets import Input, Static

from tui_crm.core.errors import CrmError
from tui_crm.core.validate import check_date
from tui_crm.ui.footer_keys import KeyFooter
from tui_crm.ui.text import safe

DATE_HINT = "YYYY-MM-DD; enter saves, escape cancels"


@dataclass(frozen=True)
class DatePicked:
    date: dt.date | None


def date_error(text: str) -> str | None:
    """Why ``text`` is not a date (None when it is one, or empty)."""
    try:
        check_date(text)
    except CrmError as exc:
        return str(exc)
    return None


class DatePrompt(ModalScreen[DatePicked | None]):
    BINDINGS = [Binding("escape", "dismiss_none", "Cancel", id="dialog.cancel")]

    def __init__(self, title: str | Text, label: str, *, value: str = ""):
        super().__init__(classes="dialog")
        self.title_text = title if isinstance(title, Text) else safe(title)
        self.label = label
        self.value = value

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog-box"):
            yield Static(self.title_text, classes="dialog-title")
            yield Static(self.label, classes="dialog-message", markup=False)
            yield Input(self.value, placeholder="YYYY-MM-DD", compact=True,
                        classes="dialog-input", id="date-prompt-input",
                        validators=[Function(lambda text: date_error(text) is None)],
                        validate_on=["submitted"])
            yield Static("", classes="field-error", id="date-prompt-error", markup=False)
            yield Static(DATE_HINT, classes="dialog-hint", markup=False)
        yield KeyFooter()

    @on(Input.Submitted, "#date-prompt-input")
    def picked(self, event: Input.Submitted) -> None:
        event.stop()
        problem = date_error(event.value)
        self.query_one("#date-prompt-error", Static).update(problem or "")
        if problem is None:
            self.dismiss(DatePicked(check_date(event.value)))

    @on(Input.Changed, "#date-prompt-input")
    def typed(self) -> None:
        self.query_one("#date-prompt-error", Static).update("")

    def action_dismiss_none(self) -> None:
        self.dismiss(None)
