"""Screen 1: forecast."""

from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import Footer, Header, Static


class ForecastScreen(Screen):
    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("Forecast", id="placeholder")
        yield Footer()
