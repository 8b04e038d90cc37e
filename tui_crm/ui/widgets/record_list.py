"""A list of records of any size: only the visible rows are drawn, a page is fetched at a time.

``RecordList`` is a line-API ``ScrollView`` whose virtual height is the number of
records (counted by SQL). Rows come from a ``PagedSource`` a page at a time in a
worker thread; a page is fetched by key after the previous page when that one is
known (as scrolling does), by offset otherwise (a jump of the scrollbar).
``reload()`` re-counts and keeps the cursor on the same record.

Drawing is lean on the wire: each screen line remembers what it shows (a row, and
whether the cursor is on it); after a cursor step, a reload or a page arriving, only
the lines whose content changed are refreshed, and rendered lines are kept in an
``LRUCache`` keyed by what they show, so a step repaints two lines and a reload that
reads the same rows repaints nothing. At narrow widths the columns with the highest
``priority`` hide first, so the names keep their room.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Any

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events, on, work
from textual.binding import Binding
from textual.cache import LRUCache
from textual.geometry import Region, Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from tui_crm.core.faults import is_fault
from tui_crm.ui.text import safe
from tui_crm.ui.workers import FailsSoftly

PAGE_SIZE = 100
CACHED_PAGES = 24
CACHED_LINES = 1024  # rendered lines kept: a few screenfuls of rows, each with and
# without the cursor


@dataclass(frozen=True)
class Column:
    """One column: its title, its width (or share of the free width) and its text.

    ``priority`` 0 is always shown; when the columns do not fit the list's width, those
    with the highest priority hide first (the rightmost of equals first).
    """

    title: str
    cell: Callable[[Any], object]
    width: int = 0  # fixed width in cells; 0 shares the width left with other such columns
    min_width: int = 8  # of a shared column: the least it is shown at
    justify: str = "left"
    priority: int = 0
    sort: str = ""  # the record's field the list can be sorted by on this column, if any


def fit_columns(columns: list[Column], width: int) -> tuple[tuple[int, int], ...]:
    """The columns shown at ``width``, as (index, cells): low-priority columns hide
    until the rest fit at their minimum; shared columns then split what is left, the
    first of them (the name) taking the odd cells."""
    def needed(shown: list[int]) -> int:
        return sum(columns[i].width or columns[i].min_width for i in shown) + len(shown) - 1

    shown = list(range(len(columns)))
    for index in sorted(shown, key=lambda i: (-columns[i].priority, -i)):
        if needed(shown) <= width or not columns[index].priority:
            break
        shown.remove(index)
    shared = [i for i in shown if not columns[i].width]
    extra = max(width - needed(shown), 0)
    widths = {i: columns[i].width or columns[i].min_width + extra // len(shared)
              for i in shown}
    if shared:
        widths[shared[0]] += extra % len(shared)
    return tuple((i, widths[i]) for i in shown)


@dataclass(frozen=True)
class PagedSource:
    """Where a RecordList gets its rows; every row has an ``id``.

    - ``count(search)``: how many rows match.
    - ``page(search, offset, limit, after)``: a page in list order; ``after`` is the
      row just before the page when known (then ``offset`` may be ignored).
    - ``position(record_id, search)``: the row's index, or None when not listed.
    """

    count: Callable[[str], int]
    page: Callable[[str, int, int, Any], list]
    position: Callable[[int, str], int | None]


class RecordList(ScrollView, FailsSoftly, can_focus=True):
    """A cursor over a list of records, drawn line by line (see the module docstring).

    Messages: ``RecordList.Highlighted(row)`` when the cursor lands on a row (row is
    None when the list is empty), ``RecordList.Loaded(count)`` after each (re)load.
    """

    HELP_GROUP = "In the list"

    INHERIT_BINDINGS = False
    BINDINGS = [
        Binding("up", "cursor(-1)", "Previous row", show=False, id="list.up"),
        Binding("down", "cursor(1)", "Next row", show=False, id="list.down"),
        Binding("pageup", "page(-1)", "Page up", show=False, id="list.pageup"),
        Binding("pagedown", "page(1)", "Page down", show=False, id="list.pagedown"),
        Binding("home", "first", "First row", show=False, id="list.home"),
        Binding("end", "last", "Last row", show=False, id="list.end"),
    ]
    COMPONENT_CLASSES = {"record-list--header", "record-list--cursor", "record-list--empty",
                         "record-list--pending"}
    DEFAULT_CSS = """
    RecordList { overflow-x: hidden; }
    RecordList > .record-list--header { text-style: bold underline; }
    RecordList > .record-list--cursor { text-style: reverse; }
    RecordList:focus > .record-list--cursor { text-style: reverse bold; }
    RecordList > .record-list--empty { text-style: italic; }
    RecordList > .record-list--pending { text-style: dim; }
    """

    class Highlighted(Message):
        def __init__(self, record_list: RecordList, row: Any | None):
            super().__init__()
            self.record_list = record_list
            self.row = row

        @property
        def control(self) -> RecordList:
            return self.record_list

    class Loaded(Message):
        def __init__(self, record_list: RecordList, count: int):
            super().__init__()
            self.record_list = record_list
            self.count = count

        @property
        def control(self) -> RecordList:
            return self.record_list

    class LoadFailed(Message):
        """The rows could not be read (the fault is said where the user is); the rows
        shown stay."""

        def __init__(self, record_list: RecordList):
            super().__init__()
            self.record_list = record_list

        @property
        def control(self) -> RecordList:
            return self.record_list

    def __init__(self, columns: list[Column], source: PagedSource, *, empty_text: str = "",
                 page_size: int = PAGE_SIZE, name: str | None = None, id: str | None = None,
                 classes: str | None = None):
        super().__init__(name=name, id=id, classes=classes)
        self.columns = columns
        self.source = source
        self.empty_text = empty_text
        self.page_size = page_size
        self.search = ""
        self.sorted_by: tuple[int, bool] | None = None  # (column, descending): its title
        # says so
        self.count = 0
        self.cursor = 0
        self.loaded = False
        self._pages: OrderedDict[int, list] = OrderedDict()
        self._generation = 0
        self._load_lock = threading.Lock()
        self._fetching = False
        self._announced: object = ()
        # Keys that move the cursor while the list is being read in another order or
        # search wait for those rows, then apply in the order they were typed.
        self._rearranging = False
        self._waiting_moves: list[Callable[[], None]] = []
        self._lines: LRUCache[Hashable, Strip] = LRUCache(CACHED_LINES)
        self._drawn: dict[int, Hashable] = {}  # screen line -> what it shows
        self._layouts: dict[int, tuple[tuple[int, int], ...]] = {}  # width -> columns

    # -- what other code uses -------------------------------------------------------

    @property
    def highlighted(self) -> Any | None:
        """The row under the cursor, when it is loaded."""
        return self.row_at(self.cursor)

    @property
    def settled(self) -> bool:
        """Loaded, and no other order, filter or search being read: ``count`` is the
        count of what is asked for."""
        return self.loaded and not self._rearranging

    def row_at(self, index: int) -> Any | None:
        if not 0 <= index < self.count:
            return None
        page = self._pages.get(index // self.page_size)
        offset = index % self.page_size
        return page[offset] if page is not None and offset < len(page) else None

    def set_columns(self, columns: list[Column]) -> None:
        """Show ``columns`` instead (the same rows: nothing is read again)."""
        self.columns = columns
        self._layouts.clear()
        self._lines.clear()
        self._drawn.clear()
        self.refresh()

    def reload(self, keep_id: int | None = None) -> None:
        """Count again and refetch; the cursor stays on ``keep_id`` (default: its record)."""
        if keep_id is None and self.highlighted is not None:
            keep_id = self.highlighted.id
        self._start_load(keep_id, self.cursor)

    def set_source(self, source: PagedSource, *, keep_id: int | None = None,
                   sorted_by: tuple[int, bool] | None = None,
                   count: int | None = None) -> None:
        """Read the rows from ``source`` instead (another order or filter): the cursor
        goes to the first row (or stays on ``keep_id`` when it is listed).
        ``sorted_by`` marks the sorted column's title; ``count`` is how many rows there
        are when it is known (the same rows in another order): then the first page is
        all that is read, whatever the size."""
        self.source = source
        self.sorted_by = sorted_by
        self._rearranging = True
        self._start_load(keep_id, 0, count)

    def set_search(self, text: str, *, keep_id: int | None = None) -> None:
        """Show only the rows matching ``text``; the cursor goes to the first one
        (or stays on ``keep_id`` when it is listed)."""
        self.search = text
        self._rearranging = True
        self._start_load(keep_id, 0)

    # -- loading ------------------------------------------------------------------

    def on_mount(self) -> None:
        # The first page is read at once (milliseconds at any size, and no thread to
        # wait for while the new screen is being drawn), so the screen's first frame
        # shows its rows. Reloads and searches read in a worker.
        self._generation += 1
        try:
            first = self._read(self.source, self.search, None, 0, 0, self.body_height())
        except Exception as exc:
            if not is_fault(exc):
                raise
            self._start_load(None, 0)  # again in a worker, which says why it fails
            return
        self._loaded(self._generation, *first)

    class RowsRead(Message, bubble=False):
        """A (re)load's count, cursor, top row and pages, read in a worker for the
        load numbered ``generation`` (a newer load makes it out of date)."""

        def __init__(self, generation: int, count: int, index: int, top: int,
                     pages: dict[int, list]) -> None:
            super().__init__()
            self.generation, self.count, self.index, self.top, self.pages = \
                generation, count, index, top, pages

    class PagesRead(Message, bubble=False):
        """Pages of the visible rows, read in a worker for the load ``generation``."""

        def __init__(self, generation: int, pages: dict[int, list]) -> None:
            super().__init__()
            self.generation, self.pages = generation, pages

    @on(RowsRead)
    def rows_read(self, message: RowsRead) -> None:
        self._loaded(message.generation, message.count, message.index, message.top,
                     message.pages)

    @on(PagesRead)
    def pages_read(self, message: PagesRead) -> None:
        self._pages_arrived(message.generation, message.pages)

    def _start_load(self, keep_id: int | None, fallback: int,
                    count: int | None = None) -> None:
        self._generation += 1
        self._fetching = False
        screen_row = max(self.cursor - round(self.scroll_y), 0)
        self._load(self._generation, self.source, self.search, keep_id, fallback,
                   screen_row, self.body_height(), count)

    @work(thread=True, exclusive=True, exit_on_error=False, group="record-list-load")
    def _load(self, generation: int, source: PagedSource, search: str, keep_id: int | None,
              fallback: int, screen_row: int, height: int, count: int | None) -> None:
        # One load at a time, and none for a search already typed over: a burst of
        # keys (a fast typist, a paste) runs the first query and the last, not each.
        # The lock covers the queries only: the next load need not wait for this one
        # to be drawn.
        with self._load_lock:
            if generation != self._generation:
                return
            loaded = self._read(source, search, keep_id, fallback, screen_row, height, count)
        self.post_message(self.RowsRead(generation, *loaded))

    def _read(self, source: PagedSource, search: str, keep_id: int | None, fallback: int,
              screen_row: int, height: int, known: int | None = None
              ) -> tuple[int, int, int, dict[int, list]]:
        """Count (unless ``known``), find the kept record, and fetch every page the
        screen will show."""
        pages: dict[int, list] = {}
        if keep_id is None and fallback == 0:
            # From the top (a search typed, say): a first page that is not full says
            # how many rows there are, with no count to run.
            pages[0] = source.page(search, 0, self.page_size, None)
            count = len(pages[0]) if len(pages[0]) < self.page_size \
                else known if known is not None else source.count(search)
        else:
            count = source.count(search)
        index = source.position(keep_id, search) if keep_id is not None else None
        if index is None:
            index = min(fallback, count - 1)
        index = max(index, 0)
        top = max(min(index - screen_row, count - height), 0)
        if count:
            last = min(top + height, count) - 1
            for number in range(top // self.page_size, last // self.page_size + 1):
                if number in pages:
                    continue
                after = pages[number - 1][-1] if pages.get(number - 1) else None
                pages[number] = source.page(search, number * self.page_size,
                                            self.page_size, after)
        return count, index, top, {n: rows for n, rows in pages.items() if rows}

    def _loaded(self, generation: int, count: int, index: int, top: int,
                pages: dict[int, list]) -> None:
        if generation != self._generation:
            return
        self.count = count
        self.cursor = index
        self.loaded = True
        self._pages.clear()
        self._pages.update(pages)
        self.virtual_size = Size(self.scrollable_content_region.width, count + 1)
        self.scroll_to(y=top, animate=False, force=True, immediate=True)
        self._show_cursor()
        self._repaint_changed()
        self.post_message(self.Loaded(self, count))
        self._replay_moves()
        self._announce()

    def _replay_moves(self) -> None:
        self._rearranging = False
        moves, self._waiting_moves = self._waiting_moves, []
        for move in moves:
            move()

    def _waits(self, move: Callable[[], None]) -> bool:
        """Keep ``move`` for when the rows being read arrive; True when it waits."""
        if self._rearranging:
            self._waiting_moves.append(move)
        return self._rearranging

    def worker_failed(self, worker, message: str) -> None:
        self._replay_moves()  # over the rows shown: the new ones did not come
        if worker.group == "record-list-load":
            self.post_message(self.LoadFailed(self))
        super().worker_failed(worker, message)

    def _request_missing(self) -> None:
        """Fetch the pages of the visible rows that are not loaded yet."""
        if self._fetching or not self.count:
            return
        top = round(self.scroll_y)
        wanted = sorted({index // self.page_size
                         for index in range(top, min(top + self.body_height(), self.count))
                         if self.row_at(index) is None}
                        | ({self.cursor // self.page_size} if self.highlighted is None else set()))
        if not wanted:
            return
        self._fetching = True
        before = {page: self._pages[page - 1][-1] for page in wanted
                  if self._pages.get(page - 1)}
        self._fetch(self._generation, self.source, self.search, wanted, before)

    @work(thread=True, exit_on_error=False, group="record-list-pages")
    def _fetch(self, generation: int, source: PagedSource, search: str, wanted: list[int],
               before: dict) -> None:
        pages: dict[int, list] = {}
        for page in wanted:
            after = before.get(page) or (pages[page - 1][-1] if pages.get(page - 1) else None)
            pages[page] = source.page(search, page * self.page_size, self.page_size, after)
        self.post_message(self.PagesRead(generation, pages))

    def _pages_arrived(self, generation: int, pages: dict[int, list]) -> None:
        if generation != self._generation:
            return
        self._fetching = False
        for number, rows in pages.items():
            self._pages[number] = rows
            self._pages.move_to_end(number)
        while len(self._pages) > CACHED_PAGES:
            self._pages.popitem(last=False)
        self._repaint_changed()
        self._announce()

    def _announce(self) -> None:
        """Post Highlighted when the row under the cursor changed (or just arrived)."""
        row = self.highlighted
        key = row.id if row is not None else None
        if row is None and self.count:
            self.call_later(self._request_missing)
            return
        if key != self._announced:
            self._announced = key
            self.post_message(self.Highlighted(self, row))

    # -- moving the cursor ------------------------------------------------------------

    def body_height(self) -> int:
        """How many rows the list shows at once (its height less the header)."""
        return max(self.scrollable_content_region.height - 1, 1)

    def move_to(self, index: int) -> None:
        if self._waits(lambda: self.move_to(index)) or not self.count:
            return
        self.cursor = min(max(index, 0), self.count - 1)
        self._show_cursor()
        self._repaint_changed()
        self._announce()

    def _show_cursor(self) -> None:
        top = round(self.scroll_y)
        height = self.body_height()
        if self.cursor < top:
            self.scroll_to(y=self.cursor, animate=False, force=True, immediate=True)
        elif self.cursor >= top + height:
            self.scroll_to(y=self.cursor - height + 1, animate=False, force=True,
                           immediate=True)

    def action_cursor(self, step: int) -> None:
        if not self._waits(lambda: self.action_cursor(step)):
            self.move_to(self.cursor + step)

    def action_page(self, step: int) -> None:
        if not self._waits(lambda: self.action_page(step)):
            self.move_to(self.cursor + step * self.body_height())

    def action_first(self) -> None:
        self.move_to(0)

    def action_last(self) -> None:
        if not self._waits(self.action_last):
            self.move_to(self.count - 1)

    def on_click(self, event: events.Click) -> None:
        if event.y >= 1:
            self.move_to(round(self.scroll_y) + event.y - 1)

    def on_resize(self) -> None:
        self.virtual_size = Size(self.scrollable_content_region.width, self.count + 1)

    # -- drawing ------------------------------------------------------------------

    def column_widths(self, width: int) -> tuple[tuple[int, int], ...]:
        """The columns shown at ``width``: (index in ``columns``, cells) each."""
        if width not in self._layouts:
            self._layouts[width] = fit_columns(self.columns, width)
        return self._layouts[width]

    def _line_key(self, y: int) -> Hashable:
        """What screen line ``y`` shows: equal keys draw equal lines."""
        if y == 0:
            return ("header", self.sorted_by)
        index = round(self.scroll_y) + y - 1
        if index >= self.count:
            if self.count == 0 and y == 1 and self.loaded:
                return ("empty", self.search, self.empty_text)
            return ("blank",)
        row = self.row_at(index)
        if row is None:
            return ("pending", index)
        return ("row", row, index == self.cursor)

    def _repaint_changed(self) -> None:
        """Refresh only the screen lines whose content changed since they were drawn."""
        width = self.scrollable_content_region.width  # not the scroll bar: unchanged
        for y in range(self.scrollable_content_region.height):
            if self._drawn.get(y) != self._line_key(y):
                self.refresh(Region(0, y, width, 1))

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        key = self._line_key(y)
        self._drawn[y] = key
        kind = key[0]
        if kind == "pending":
            self.call_later(self._request_missing)
        component = {"header": "record-list--header", "empty": "record-list--empty",
                     "pending": "record-list--pending"}.get(kind)
        if kind == "row" and key[2]:
            component = "record-list--cursor"
        style = self.rich_style
        if component:
            style += self.get_component_rich_style(component)
        cache_key = (key, width, style)
        strip = self._lines.get(cache_key)
        if strip is None:
            strip = self._render_key(key, width, style)
            self._lines[cache_key] = strip
        return strip

    def _render_key(self, key: tuple, width: int, style: Style) -> Strip:
        kind = key[0]
        if kind == "header":
            titles = [Text(self.column_title(number)) for number in range(len(self.columns))]
            return self._line(titles, width, style)
        if kind == "empty":
            return Strip([Segment(self._empty_message(), style)]).crop_extend(0, width, style)
        if kind == "blank":
            return Strip.blank(width, style)
        if kind == "pending":
            return self._line([Text("…")] + [Text("") for _ in self.columns[1:]], width,
                              style)
        return self._line([safe(column.cell(key[1])) for column in self.columns], width,
                          style)

    def _line(self, cells: list[Text], width: int, style: Style) -> Strip:
        line = Text(no_wrap=True, overflow="ellipsis")
        for number, (index, cell_width) in enumerate(self.column_widths(width)):
            if number:
                line.append(" ")
            cell = cells[index].copy()
            cell.truncate(cell_width, overflow="ellipsis")
            cell.align(self.columns[index].justify, cell_width)
            line.append_text(cell)
        segments = list(line.render(self.app.console))
        strip = Strip(Segment.apply_style(segments, post_style=style))
        return strip.adjust_cell_length(width, style)

    def column_title(self, number: int) -> str:
        title = self.columns[number].title
        if self.sorted_by is not None and self.sorted_by[0] == number:
            return f"{title} {'↓' if self.sorted_by[1] else '↑'}"
        return title

    def _empty_message(self) -> str:
        if self.search:
            return f"Nothing matches “{safe(self.search).plain}”. escape clears the search."
        return self.empty_text or "Nothing here yet."
