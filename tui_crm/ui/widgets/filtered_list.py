"""A RecordList with `/` search: typing filters, enter keeps the filter, escape clears it."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.reactive import reactive
from textual.widgets import Input, Static

from tui_crm.ui.text import safe
from tui_crm.ui.widgets.record_list import Column, PagedSource, RecordList


class FilteredList(Vertical):
    """A record list, a search box under it (shown by `/`) and a one-line status.

    ``records`` is the RecordList; its Highlighted and Loaded messages bubble up.
    ``noun`` names what is listed in the status line ("leads").
    """

    HELP_GROUP = "In the list"

    BINDINGS = [
        Binding("slash", "search", "Search", key_display="/", id="list.search"),
        Binding("escape", "clear_search", "Clear search", id="list.clear_search"),
    ]
    DEFAULT_CSS = """
    FilteredList { height: 1fr; }
    FilteredList > RecordList { height: 1fr; }
    FilteredList > .list-search { display: none; height: 1; }
    FilteredList.-searching > .list-search { display: block; }
    FilteredList > .list-status { height: 1; }
    """

    # The search box is open; a search is applied (kept after enter). Both drive
    # whether escape (clear the search) applies.
    searching: reactive[bool] = reactive(False, bindings=True, repaint=False)
    filtered: reactive[bool] = reactive(False, bindings=True, repaint=False)

    def __init__(self, columns: list[Column], source: PagedSource, *, noun: str = "records",
                 empty_text: str = "", id: str | None = None, classes: str | None = None):
        super().__init__(id=id, classes=classes)
        self.noun = noun
        self.records = RecordList(columns, source, empty_text=empty_text)

    def compose(self) -> ComposeResult:
        yield self.records
        yield Input(placeholder="Search: type to filter, enter keeps it, escape clears",
                    compact=True, classes="list-search")
        yield Static("", classes="list-status", markup=False)

    @property
    def search_input(self) -> Input:
        return self.query_one(".list-search", Input)

    def watch_searching(self, searching: bool) -> None:
        self.set_class(searching, "-searching")

    def reload(self, keep_id: int | None = None) -> None:
        self.records.reload(keep_id)

    def show_record(self, record_id: int) -> None:
        """Put the cursor on a record, clearing a search that hides it."""
        self.searching = False
        self.search_input.value = ""
        self.records.search = ""
        self.records.reload(record_id)
        self.records.focus()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "clear_search":
            return self.searching or self.filtered
        return True

    def action_search(self) -> None:
        self.searching = True
        self.search_input.value = self.records.search
        self.search_input.focus()

    def action_clear_search(self) -> None:
        row = self.records.highlighted
        self.searching = False
        with self.search_input.prevent(Input.Changed):
            self.search_input.value = ""
        self.records.set_search("", keep_id=row.id if row is not None else None)
        self.records.focus()

    @on(Input.Changed, ".list-search")
    def search_typed(self, event: Input.Changed) -> None:
        event.stop()
        # A blank typed at either end searches for the same term: nothing to read.
        if self.searching and event.value.strip() != self.records.search:
            self.records.set_search(event.value.strip())

    @on(Input.Submitted, ".list-search")
    def search_kept(self, event: Input.Submitted) -> None:
        event.stop()
        self.searching = False
        self.records.move_to(0)
        self.records.focus()

    def on_record_list_loaded(self, event: RecordList.Loaded) -> None:
        noun = self.noun.removesuffix("s") if event.count == 1 else self.noun
        status = Text(f"{event.count:,} {noun}")
        if self.records.search:
            status = Text(f"{event.count:,} {noun} {'matches' if event.count == 1 else 'match'} “")
            status.append_text(safe(self.records.search))
            status.append("”  (/ to change, escape to clear)")
        line = self.query_one(".list-status", Static)
        if line.content != status:  # a reload that counts the same repaints nothing
            line.update(status)
        self.filtered = bool(self.records.search)
