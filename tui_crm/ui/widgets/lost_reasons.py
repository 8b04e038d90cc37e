"""The ClosedLost prompt: the lost reasons kept in the settings, or free text.

Typing filters the reasons (any part of a reason, any case) and highlights the first
that matches; `up`/`down` move the highlight (`up` past the first: none, the typed
text is taken as it is); `enter` takes the highlighted reason, or the typed text when
none is highlighted (empty is fine). The reasons are read in a worker; what is
typed before they arrive (text, `up`/`down`, `enter`) acts once they have, in the
order it was typed.
"""

from __future__ import annotations

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import Input, OptionList, Static
from textual.worker import Worker

from tui_crm.core.settings import get_list
from tui_crm.ui.footer_keys import KeyFooter
from tui_crm.ui.text import safe
from tui_crm.ui.widgets.dialogs import TextPrompt
from tui_crm.ui.workers import FailsSoftly

HINT = "type to filter, ↑↓ pick, enter confirms (a reason of the list, or what you typed; " \
    "empty is fine), escape cancels"


class LostReasonPrompt(TextPrompt, FailsSoftly):
    """Why a deal was lost: returns the reason picked or typed, or None on escape."""

    BINDINGS = [
        Binding("down", "step(1)", "Next reason", show=False, id="lost.next"),
        Binding("up", "step(-1)", "Previous reason", show=False, id="lost.previous"),
    ]

    def __init__(self, title: str | Text) -> None:
        super().__init__(title, "Why was it lost? (optional)", placeholder="a reason below, or "
                         "your own words", hint=HINT)
        self.reasons: list[str] | None = None  # None: not read yet
        self.shown: list[str] = []
        self.submitted: str | None = None  # enter pressed before the reasons came
        self.steps_waiting: list[tuple[str, int]] = []  # (typed so far, step), likewise

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog-box"):
            yield Static(self.title_text, classes="dialog-title")
            yield Static(self.label, classes="dialog-message")
            yield Input(self.value, placeholder=self.placeholder, compact=True,
                        classes="dialog-input", id="lost-reason")
            yield OptionList(id="lost-reasons", compact=True, classes="lost-reasons")
            yield Static(self.hint, classes="dialog-hint", markup=False)
        yield KeyFooter()

    def on_mount(self) -> None:
        self.query_one("#lost-reason", Input).focus()
        self.read_reasons()

    @work(thread=True, exclusive=True, exit_on_error=False, group="lost-reasons")
    def read_reasons(self) -> None:
        self.post_message(self.Read(get_list("lost_reasons")))

    class Read(Message):
        def __init__(self, reasons: list[str]) -> None:
            super().__init__()
            self.reasons = reasons

    @on(Read)
    def reasons_read(self, message: Read) -> None:
        self.reasons = message.reasons
        for typed, step in self.steps_waiting:  # as they were pressed, on what was typed
            self.show_matches(typed)
            self.action_step(step)
        if not self.steps_waiting or self.steps_waiting[-1][0] != self.value_typed():
            self.show_matches(self.value_typed())
        self.steps_waiting = []
        if self.submitted is not None:
            self.answer(self.submitted)

    def worker_failed(self, worker: Worker, message: str) -> None:
        # Without the list, free text still closes the deal.
        self.reasons = []
        self.query_one(".dialog-hint", Static).update(message)
        if self.submitted is not None:
            self.answer(self.submitted)

    def value_typed(self) -> str:
        return self.query_one("#lost-reason", Input).value

    @property
    def options(self) -> OptionList:
        return self.query_one("#lost-reasons", OptionList)

    def show_matches(self, typed: str) -> None:
        """Offer the reasons holding ``typed``; the first one highlighted when something
        was typed."""
        wanted = typed.strip().lower()
        self.shown = [r for r in self.reasons or [] if wanted in r.lower()]
        options = self.options
        options.clear_options()
        options.add_options([safe(reason) for reason in self.shown])
        options.highlighted = 0 if wanted and self.shown else None

    @on(Input.Changed, "#lost-reason")
    def typed(self, event: Input.Changed) -> None:
        event.stop()
        if self.reasons is not None:
            self.show_matches(event.value)

    def action_step(self, step: int) -> None:
        if self.reasons is None:  # taken once the reasons are read
            if self.submitted is None:
                self.steps_waiting.append((self.value_typed(), step))
            return
        options = self.options
        if not self.shown:
            return
        current = options.highlighted
        if current is None:
            options.highlighted = 0 if step > 0 else None
        elif current + step < 0:
            options.highlighted = None  # back to what was typed
        else:
            options.highlighted = min(current + step, len(self.shown) - 1)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        event.prevent_default()  # TextPrompt's own answer (the text as typed) is not run
        if self.reasons is None:
            self.submitted = event.value
            return
        self.answer(event.value)

    def answer(self, typed: str) -> None:
        highlighted = self.options.highlighted
        if highlighted is not None and highlighted < len(self.shown):
            self.dismiss(self.shown[highlighted])
        else:
            self.dismiss(typed.strip())

    @on(OptionList.OptionSelected, "#lost-reasons")
    def picked(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(self.shown[event.option_index])
