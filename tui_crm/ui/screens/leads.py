"""Screen 1: leads."""

from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import Footer, Header, Static


class LeadsScreen(Screen):
    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("Leads", id="placeholder")
        yield Footer()
