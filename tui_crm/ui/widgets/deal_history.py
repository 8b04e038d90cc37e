"""A deal's timeline: its stage moves and edits, newest first, with who and when.

``DealHistory(deal_id)`` is a ``ModalScreen[None]`` (``escape`` closes it); the deal
form opens it with ``ctrl+t``.
"""

from __future__ import annotations

from decimal import Decimal

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.message import Message
from textual.widgets import Static
from textual.worker import Worker

from tui_crm.core.errors import CrmError
from tui_crm.core.history import Entry, FieldChange, deal_timeline
from tui_crm.core.money import format_amount
from tui_crm.ui.footer_keys import KeyFooter
from tui_crm.ui.screens.base import DataModal
from tui_crm.ui.text import safe

LABELS = {"name": "Name", "amount_cents": "Amount", "close_date": "Close date",
          "stage": "Stage", "customer": "Customer", "lead": "Lead", "notes": "Notes",
          "lost_reason": "Lost reason", "owner": "Owner"}
VERBS = {"create": "created it", "update": "edited", "move": "moved it",
         "delete": "deleted it"}
LONGEST = 40  # a value longer than this (notes) is cut short


def shown(value: object) -> str:
    if value is None or value == "":
        return "(empty)"
    if isinstance(value, Decimal):
        return format_amount(value)
    text = " ".join(str(value).split())
    return text if len(text) <= LONGEST else text[:LONGEST - 1] + "…"


def change_line(change: FieldChange, action: str) -> Text:
    line = Text("    ")
    line.append(LABELS.get(change.field, change.field), style="bold")
    line.append(": ")
    if action != "create":
        line.append_text(safe(shown(change.old)))
        line.append(" → ")
    line.append_text(safe(shown(change.new)))
    return line


def entry_text(entry: Entry) -> Text:
    """``2026-11-15 10:42  alice moved it`` and a line per field it changed."""
    text = Text(f"{entry.at:%Y-%m-%d %H:%M}  ", style="dim")
    text.append_text(safe(entry.user or "someone", style="bold"))
    text.append(f" {VERBS.get(entry.action, entry.action)}")
    for change in entry.changes:
        text.append("\n")
        text.append_text(change_line(change, entry.action))
    return text


class DealHistory(DataModal[None]):
    """The deal's timeline, read in a worker; scrolls when long."""

    AUTO_FOCUS = ".history-entries"
    BINDINGS = [Binding("escape", "close", "Close", id="history.close")]

    def __init__(self, deal_id: int, title: str = ""):
        super().__init__(classes="dialog")
        self.deal_id = deal_id
        self.deal_name = title

    def compose(self) -> ComposeResult:
        heading = Text("History")
        if self.deal_name:
            heading.append(" — ")
            heading.append_text(safe(self.deal_name))
        with Vertical(classes="dialog-box history-box"):
            yield Static(heading, classes="dialog-title")
            with VerticalScroll(classes="history-entries"):
                yield Static("Reading…", id="history", markup=False)
        yield KeyFooter()

    def on_mount(self) -> None:
        self._read()

    @work(thread=True, exclusive=True, exit_on_error=False, group="deal-history")
    def _read(self) -> None:
        try:
            entries = deal_timeline(self.deal_id)
            text = Text("\n\n").join(entry_text(e) for e in entries) if entries else \
                Text("No changes recorded.")
        except CrmError as exc:
            text = safe(str(exc))
        self.post_message(self.Read(text))

    class Read(Message):
        """The deal's timeline, read in a worker."""

        def __init__(self, text: Text) -> None:
            super().__init__()
            self.text = text

    @on(Read)
    def show_timeline(self, message: Read) -> None:
        self.query_one("#history", Static).update(message.text)

    def worker_failed(self, worker: Worker, message: str) -> None:
        self.query_one("#history", Static).update(safe(message))

    def action_close(self) -> None:
        self.dismiss(None)
