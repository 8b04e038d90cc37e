"""Screen 1: customers."""

from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import Footer, Header, Static


class CustomersScreen(Screen):
    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("Customers", id="placeholder")
        yield Footer()
