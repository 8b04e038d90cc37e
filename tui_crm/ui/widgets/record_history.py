"""A record's timeline: its edits (and a deal's stage moves), newest first, with who
and when.

``RecordHistory(entity, record_id)`` is a ``ModalScreen[None]`` (``escape`` closes it);
the forms of deals, leads, customers and contacts open it with ``ctrl+t``.
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
from tui_crm.core.history import Entry, FieldChange, timeline
from tui_crm.core.money import format_amount
from tui_crm.ui.footer_keys import KeyFooter
from tui_crm.ui.screens.base import DataModal
from tui_crm.ui.text import safe

LABELS = {"name": "Name", "amount_cents": "Amount", "close_date": "Close date",
          "stage": "Stage", "customer": "Customer", "lead": "Lead", "notes": "Notes",
          "lost_reason": "Lost reason", "owner": "Owner", "company": "Company",
          "email": "E-mail", "phone": "Phone", "source": "Source", "status": "Status",
          "role": "Role"}
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


class RecordHistory(DataModal[None]):
    """A record's timeline, read in a worker; scrolls when long. ``entity`` is its
    ChangeLog kind (opportunity, lead, customer, contact); ``title`` its name."""

    AUTO_FOCUS = ".history-entries"
    BINDINGS = [Binding("escape", "close", "Close", id="history.close")]

    def __init__(self, entity: str, record_id: int, title: str = ""):
        super().__init__(classes="dialog")
        self.entity = entity
        self.record_id = record_id
        self.record_name = title

    def compose(self) -> ComposeResult:
        heading = Text("History")
        if self.record_name:
            heading.append(" — ")
            heading.append_text(safe(self.record_name))
        with Vertical(classes="dialog-box history-box"):
            yield Static(heading, classes="dialog-title")
            with VerticalScroll(classes="history-entries"):
                yield Static("Reading…", id="history", markup=False)
        yield KeyFooter()

    def on_mount(self) -> None:
        self._read()

    @work(thread=True, exclusive=True, exit_on_error=False, group="record-history")
    def _read(self) -> None:
        try:
            entries = timeline(self.entity, self.record_id)
            text = Text("\n\n").join(entry_text(e) for e in entries) if entries else \
                Text("No changes recorded.")
        except CrmError as exc:
            text = safe(str(exc))
        self.post_message(self.Read(text))

    class Read(Message):
        """The record's timeline, read in a worker."""

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
