"""Picking a record by typing part of its name: the parent of a deal, by keyboard alone.

``RecordPicker`` is a modal: type to search (the database is asked for a few
matches, never a whole table; the keys typed meanwhile wait for them, so `down` and
`enter` typed in a burst act on the matches of what was typed), `up`/`down` to move,
`enter` to choose, `escape` to cancel, `ctrl+n` to create the customer or lead that
was not found (a short form prefilled with what was typed; once saved, it is the
choice). ``ParentField`` is the form field that opens it and shows the choice.
"""

from __future__ import annotations

from rich.text import Text
from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.reactive import reactive
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option
from textual.worker import Worker

from tui_crm.core.lookup import RecordMatch, find_records
from tui_crm.ui.footer_keys import KeyFooter
from tui_crm.ui.screens.base import DataModal
from tui_crm.ui.text import safe

MATCHES = 30
KIND_LABELS = {"customer": "Customer", "lead": "Lead", "opportunity": "Deal"}


def match_label(match: RecordMatch) -> Text:
    """``Customer  Acme Corp  (Acme)``: kind, name and detail, all shown literally."""
    label = Text(f"{KIND_LABELS[match.kind]:<9}", style="italic")
    label.append_text(safe(match.name, style="bold"))
    if match.detail:
        label.append("  ")
        label.append_text(safe(match.detail))
    return label


class RecordPicker(DataModal[RecordMatch | None]):
    """Choose one record of ``kinds`` by part of its name; dismisses with the match."""

    BINDINGS = [
        Binding("escape", "dismiss_none", "Cancel", id="picker.cancel"),
        Binding("down", "move(1)", "Next match", show=False, id="picker.down"),
        Binding("up", "move(-1)", "Previous match", show=False, id="picker.up"),
        Binding("pagedown", "move(10)", "Page down", show=False, id="picker.pagedown"),
        Binding("pageup", "move(-10)", "Page up", show=False, id="picker.pageup"),
        Binding("ctrl+n", "create", "New", id="picker.create"),
    ]

    def __init__(self, kinds: tuple[str, ...] = ("customer", "lead"), *, text: str = "",
                 title: str = "Choose a customer or a lead", parents: bool = True,
                 exclude: tuple[str, int] | None = None, can_create: bool = True):
        super().__init__(classes="dialog picker")
        self.kinds = kinds
        self.text = text
        self.title_text = title
        self.parents = parents  # only records a deal can hang from (no Converted lead)
        self.exclude = exclude  # (kind, id) of a record not to offer (the one merged)
        self.can_create = can_create
        self.matches: list[RecordMatch] = []
        self.looking = False  # a search on its way: the keys typed meanwhile wait

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog-box picker-box"):
            yield Static(self.title_text, classes="dialog-title", markup=False)
            # The letters typed in the form's field are kept, not selected: the next
            # key adds to them.
            yield Input(self.text, placeholder="Type part of a name", compact=True,
                        select_on_focus=False, classes="picker-input")
            yield OptionList(classes="picker-options")
            yield Static("type to search  up/down move  enter choose  "
                         + ("ctrl+n new  " if self.can_create else "") + "escape cancel",
                         classes="dialog-hint", markup=False)
        yield KeyFooter()

    def on_mount(self) -> None:
        self.look(self.text)

    def on_unmount(self) -> None:
        self.looked()

    @on(Input.Changed, ".picker-input")
    def search_typed(self, event: Input.Changed) -> None:
        event.stop()
        self.look(event.value)

    def look(self, text: str) -> None:
        """Search for ``text``; the keys typed meanwhile wait for its matches."""
        if not self.looking:
            self.looking = True
            self.app.hold_keys()
        self._search(text)

    def looked(self) -> None:
        if self.looking:
            self.looking = False
            self.app.release_keys()

    def worker_failed(self, worker: Worker, message: str) -> None:
        self.looked()
        super().worker_failed(worker, message)

    class Found(Message):
        """The records matching ``text``, read in a worker."""

        def __init__(self, text: str, matches: list[RecordMatch]) -> None:
            super().__init__()
            self.text = text
            self.matches = matches

    @work(thread=True, exclusive=True, exit_on_error=False, group="record-picker")
    def _search(self, text: str) -> None:
        found = find_records(text, self.kinds, limit=MATCHES + 1, parents=self.parents)
        matches = [match for match in found if (match.kind, match.id) != self.exclude]
        self.post_message(self.Found(text, matches[:MATCHES * len(self.kinds)]))

    @on(Found)
    def show_matches(self, message: Found) -> None:
        self._show(message.text, message.matches)

    def _show(self, text: str, matches: list[RecordMatch]) -> None:
        if text != self.query_one(Input).value:
            return  # an older search, overtaken by typing
        self.looked()
        self.matches = matches
        options = self.query_one(OptionList)
        options.clear_options()
        if matches:
            options.add_options(Option(match_label(match)) for match in matches)
            options.highlighted = 0
        else:
            options.add_option(Option(self.nothing_found(text), disabled=True))

    def nothing_found(self, text: str) -> Text:
        """What an empty list of matches says: there are none at all, or none match."""
        nouns = " or ".join(f"{KIND_LABELS[kind].lower()}s" for kind in self.kinds)
        if not text.strip():
            said = Text(f"No {nouns} yet", style="italic")
            if self.can_create:
                said.append(": ctrl+n creates one")
            return said.append(".")
        said = Text("No match: try fewer letters", style="italic")
        if self.can_create:
            said.append(", or ctrl+n creates “")
            said.append_text(safe(text.strip()))
            said.append("”")
        return said.append(".")

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "create":
            return self.can_create
        return True

    def action_create(self) -> None:
        """A short form for a new customer or lead, named as typed; once saved, it is
        the choice."""
        from tui_crm.ui.widgets.record_forms import QuickRecordForm

        form = QuickRecordForm(self.kinds, self.query_one(Input).value.strip())

        def saved(record_id: int | None) -> None:
            if record_id is not None and form.saved is not None:
                self.dismiss(form.saved)

        self.app.push_screen(form, saved)

    def action_move(self, step: int) -> None:
        options = self.query_one(OptionList)
        if self.matches:
            current = options.highlighted or 0
            options.highlighted = min(max(current + step, 0), len(self.matches) - 1)

    @on(Input.Submitted, ".picker-input")
    def search_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self._choose(self.query_one(OptionList).highlighted)

    @on(OptionList.OptionSelected, ".picker-options")
    def match_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self._choose(event.option_index)

    def _choose(self, index: int | None) -> None:
        if index is not None and 0 <= index < len(self.matches):
            self.dismiss(self.matches[index])

    def action_dismiss_none(self) -> None:
        self.dismiss(None)


class ParentField(Static, can_focus=True):
    """Shows the chosen customer or lead; `enter` (or typing a name) opens the picker.

    ``value`` is a RecordMatch or None.
    """

    BINDINGS = [Binding("enter,space", "choose", "Choose", id="parent.choose")]
    value: reactive[RecordMatch | None] = reactive(None)

    def __init__(self, kinds: tuple[str, ...] = ("customer", "lead"), *, id: str | None = None):
        super().__init__("", id=id, markup=False)
        self.kinds = kinds

    def render(self) -> Text:
        if self.value is None:
            return Text("(none)  enter or type a name to choose", style="italic")
        return match_label(self.value)

    def action_choose(self, text: str = "") -> None:
        def chosen(match: RecordMatch | None) -> None:
            if match is not None:
                self.value = match

        self.app.push_screen(RecordPicker(self.kinds, text=text), chosen)

    def on_key(self, event: events.Key) -> None:
        # Typing a name starts the search with what was typed.
        if event.is_printable and event.character and event.character != " ":
            event.stop()
            self.action_choose(event.character)
