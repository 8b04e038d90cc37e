"""A RecordList with `/` search: typing filters, enter keeps the filter, escape clears it."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Input, Static

from tui_crm.ui.footer_keys import refresh_keys
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

    @property
    def searching(self) -> bool:
        return self.has_class("-searching")

    def reload(self, keep_id: int | None = None) -> None:
        self.records.reload(keep_id)

    def show_record(self, record_id: int) -> None:
        """Put the cursor on a record, clearing a search that hides it."""
        self.remove_class("-searching")
        self.search_input.value = ""
        self.records.search = ""
        self.records.reload(record_id)
        self.records.focus()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "clear_search":
            return bool(self.searching or self.records.search)
        return True

    def action_search(self) -> None:
        self.add_class("-searching")
        self.search_input.value = self.records.search
        self.search_input.focus()

    def action_clear_search(self) -> None:
        row = self.records.highlighted
        self.remove_class("-searching")
        with self.search_input.prevent(Input.Changed):
            self.search_input.value = ""
        self.records.set_search("", keep_id=row.id if row is not None else None)
        self.records.focus()
        self.refresh_bindings()

    def on_input_changed(self, event: Input.Changed) -> None:
        event.stop()
        if self.searching:
            self.records.set_search(event.value.strip())

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.remove_class("-searching")
        self.records.move_to(0)
        self.records.focus()
        self.refresh_bindings()

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
        refresh_keys(self, "clear_search")
