"""Screen 1: pipeline."""

from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import Footer, Header, Static


class PipelineScreen(Screen):
    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("Pipeline", id="placeholder")
        yield Footer()
