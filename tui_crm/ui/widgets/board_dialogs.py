"""The board's small dialog: closing a deal as lost, with an optional reason."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label

from tui_crm.ui.text import safe


class LostReasonDialog(ModalScreen[str | None]):
    """Asks why a deal was lost: ``enter`` closes it (an empty reason is fine),
    ``escape`` leaves it open. Dismisses with the reason, or None when cancelled."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="lost_reason.cancel")]

    def __init__(self, deal_name: str):
        super().__init__()
        self.deal_name = deal_name

    def compose(self) -> ComposeResult:
        with Vertical(id="lost-reason"):
            title = safe("Close as lost: ")
            title.append_text(safe(self.deal_name, style="bold"))
            yield Label(title, id="lost-reason-title")
            yield Input(placeholder="Lost reason (optional)", id="lost-reason-input")
            yield Label("enter closes the deal as lost · escape cancels", markup=False,
                        id="lost-reason-hint")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.dismiss(event.value.strip())

    def action_cancel(self) -> None:
        self.dismiss(None)
