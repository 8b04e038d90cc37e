"""A RecordList with `/` search (typing filters, enter keeps the filter, escape clears
it), `s` to cycle its order through the sortable columns shown, and `f` to cycle a filter
(a lead's status, say) when the list has one."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.reactive import reactive
from textual.widgets import Input, Static

from tui_crm.core.paging import BY_NAME, SortKey, SortOrder
from tui_crm.ui.text import safe
from tui_crm.ui.widgets.record_list import Column, PagedSource, RecordList

# A list's rows in an order, of one filter value (None: all of them).
SourceFor = Callable[[SortOrder, "str | None"], PagedSource]


def after_key(row, order: SortOrder) -> SortKey | None:
    """The key a page in ``order`` starts after: the previous row's sorted value and id."""
    return (getattr(row, order.field), row.id) if row is not None else None


@dataclass(frozen=True)
class ListFilter:
    """What ``f`` cycles: All, then each of ``values`` (a lead's statuses, say)."""

    name: str  # what is filtered, in words ("status")
    values: tuple[str, ...]


class FilteredList(Vertical):
    """A record list, a search box under it (shown by `/`) and a one-line status.

    With ``source_for``, ``action_sort`` and ``action_filter`` change its order and
    filter: the screen binds them (to `s` and `f`), after its own keys in the footer.

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
    /* Beside (or over) a detail panel, whose changes of height make Textual lay the
       screen out again and send every scrollbar again: the row's place is said in the
       status line instead of a scrollbar. */
    FilteredList.-positioned > RecordList { scrollbar-size-vertical: 0; }
    """

    # The search box is open; a search is applied (kept after enter). Both drive
    # whether escape (clear the search) applies.
    searching: reactive[bool] = reactive(False, bindings=True, repaint=False)
    filtered: reactive[bool] = reactive(False, bindings=True, repaint=False)

    def __init__(self, columns: list[Column], source: PagedSource | None = None, *,
                 source_for: SourceFor | None = None, list_filter: ListFilter | None = None,
                 noun: str = "records", empty_text: str = "", id: str | None = None,
                 classes: str | None = None, positioned: bool = False):
        """``source_for`` gives the rows in another order (or filter value): with it, `s`
        sorts by the columns that have a ``sort`` field, and `f` cycles ``list_filter``.
        ``positioned``: no scrollbar; the status line says which row the cursor is on
        ("· 12 of 1,000")."""
        super().__init__(id=id, classes=classes)
        self.set_class(positioned, "-positioned")
        self.positioned = positioned
        self.status = Text("")  # the status line without the cursor's place
        self.noun = noun
        self.source_for = source_for
        self.list_filter = list_filter
        self.order = BY_NAME
        self.filter_value: str | None = None
        self.all_text = empty_text
        if source is None:
            assert source_for is not None, "a FilteredList needs a source or a source_for"
            source = source_for(self.order, None)
        self.records = RecordList(columns, source, empty_text=empty_text)
        self.records.sorted_by = self.sorted_column()

    def compose(self) -> ComposeResult:
        yield self.records
        yield Input(placeholder="Search: type to filter, enter keeps it, escape clears",
                    compact=True, classes="list-search")
        yield Static("", classes="list-status", markup=False)

    @property
    def search_input(self) -> Input:
        return self.query_one(".list-search", Input)

    def on_mount(self) -> None:
        if self.source_for is not None:
            # The screen's header says the filter and order, after the app's own words
            # (the database, the overdue count), which change meanwhile.
            self.watch(self.app, "sub_title", self.retitle, init=False)

    def retitle(self) -> None:
        """The screen's header: the app's, then the filter and a chosen order."""
        arranged = self.describe(header=True)
        words = " · ".join(part for part in (self.app.sub_title, arranged) if part)
        self.screen.sub_title = words if arranged else None

    def watch_searching(self, searching: bool) -> None:
        self.set_class(searching, "-searching")

    def reload(self, keep_id: int | None = None) -> None:
        self.records.reload(keep_id)

    def show_record(self, record_id: int) -> None:
        """Put the cursor on a record, clearing a search or a filter that hides it."""
        self.searching = False
        self.search_input.value = ""
        self.records.search = ""
        if self.filter_value is not None:
            self.filter_value = None
            self.rearrange(record_id)
        else:
            self.records.reload(record_id)
        self.records.focus()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "clear_search":
            return self.searching or self.filtered
        return True

    # -- order and filter -------------------------------------------------------------

    def sort_choices(self) -> list[tuple[int, SortOrder]]:
        """What `s` steps through: each sortable column shown, up then down."""
        width = self.records.scrollable_content_region.width or self.size.width
        shown = [index for index, _ in self.records.column_widths(max(width, 1))]
        columns = self.records.columns
        return [(index, SortOrder(columns[index].sort, descending))
                for index in shown if columns[index].sort
                for descending in (False, True)]

    def sorted_column(self) -> tuple[int, bool] | None:
        for index, column in enumerate(self.records.columns):
            if column.sort == self.order.field:
                return index, self.order.descending
        return None

    def describe(self, header: bool = False) -> str:
        """The filter and the order, in words: "status Qualified · by Company ↓" (for
        the ``header``, the order only when it is not the first one, by name)."""
        parts = []
        if self.filter_value is not None and self.list_filter is not None:
            parts.append(f"{self.list_filter.name} {self.filter_value}")
        sorted_by = self.sorted_column()
        if sorted_by is not None and not (header and self.order == BY_NAME):
            title = self.records.columns[sorted_by[0]].title
            parts.append(f"by {title} {'↓' if sorted_by[1] else '↑'}")
        return " · ".join(parts)

    def action_sort(self) -> None:
        choices = [order for _, order in self.sort_choices()]
        if not choices or self.source_for is None:
            return
        after = choices.index(self.order) + 1 if self.order in choices else 0
        self.order = choices[after % len(choices)]
        self.rearrange(same_rows=True)

    def action_filter(self) -> None:
        if self.list_filter is None or self.source_for is None:
            return
        values: list[str | None] = [None, *self.list_filter.values]
        self.filter_value = values[(values.index(self.filter_value) + 1) % len(values)]
        self.rearrange()

    def rearrange(self, keep_id: int | None = None, same_rows: bool = False) -> None:
        """Read the rows again in the chosen order and filter, the cursor on the first
        (or on ``keep_id``). Another order of the ``same_rows`` is not counted again: one
        page is read, at any size."""
        assert self.source_for is not None
        count = self.records.count if same_rows and self.records.settled else None
        if self.filter_value is None:
            self.records.empty_text = self.all_text
        else:
            self.records.empty_text = (f"No {self.noun} with {self.list_filter.name} "
                                       f"{self.filter_value}: f shows the others.")
        self.records.set_source(self.source_for(self.order, self.filter_value), keep_id=keep_id,
                                sorted_by=self.sorted_column(), count=count)
        self.retitle()

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

    def on_record_list_highlighted(self, event: RecordList.Highlighted) -> None:
        if self.positioned:  # the message goes on up to the screen
            self.show_status()

    def show_status(self) -> None:
        status = self.status
        records = self.records
        if self.positioned and records.count:
            status = status + Text(f"  · {records.cursor + 1:,} of {records.count:,}")
        line = self.query_one(".list-status", Static)
        if line.content != status:  # a reload that counts the same repaints nothing
            line.update(status, layout=False)  # one line, always: no layout needed

    def on_record_list_loaded(self, event: RecordList.Loaded) -> None:
        noun = self.noun.removesuffix("s") if event.count == 1 else self.noun
        status = Text(f"{event.count:,} {noun}")
        if self.records.search:
            status = Text(f"{event.count:,} {noun} {'matches' if event.count == 1 else 'match'} “")
            status.append_text(safe(self.records.search))
            status.append("”  (/ to change, escape to clear)")
        if self.source_for is not None and (arranged := self.describe()):
            status.append(f"  · {arranged}")
        self.status = status
        self.show_status()
        self.filtered = bool(self.records.search)
