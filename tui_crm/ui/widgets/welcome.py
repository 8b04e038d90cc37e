"""The first run: an empty database says what to press and offers demo data."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static

from tui_crm.core.demo import DEFAULT_DEALS
from tui_crm.ui.footer_keys import KeyFooter

DEMO, NEW_LEAD = "demo", "new-lead"
KEYS = [
    ("n", "add a lead (on Leads) or a customer (on Customers)"),
    ("1 2 3 4", "Leads, Customers, Pipeline, Forecast"),
    ("ctrl+p", "command palette: commands, and any record by name"),
    ("?", "every key of the screen you are on"),
    ("q", "quit"),
]


class WelcomeScreen(ModalScreen[str | None]):
    """Dismissed with ``"demo"`` (load demo data), ``"new-lead"`` or None (escape)."""

    BINDINGS = [
        Binding("d", "choose('demo')", "Load demo data", id="welcome.demo"),
        Binding("n", "choose('new-lead')", "Add a lead", id="welcome.new_lead"),
        Binding("escape", "choose(None)", "Dismiss", id="welcome.dismiss"),
    ]

    def __init__(self) -> None:
        super().__init__(classes="dialog")

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog-box welcome-box"):
            yield Static("Welcome to tui-crm: this database is empty.", classes="dialog-title",
                         markup=False)
            yield Static(self._keys(), classes="dialog-message")
            offer = Text("Press ")
            offer.append("d", style="bold reverse")
            offer.append(f" to fill it with demo data ({DEFAULT_DEALS:,} deals, with their "
                         "customers and leads) to try things out, ")
            offer.append("n", style="bold reverse")
            offer.append(" to add your first lead, or ")
            offer.append("escape", style="bold reverse")
            offer.append(" to start from nothing.")
            yield Static(offer, classes="dialog-message")
        yield KeyFooter()

    @staticmethod
    def _keys() -> Table:
        table = Table.grid(padding=(0, 2))
        table.add_column(no_wrap=True, style="bold")
        table.add_column()
        for key, what in KEYS:
            table.add_row(key, what)
        return table

    def action_choose(self, choice: str | None) -> None:
        self.dismiss(choice)
