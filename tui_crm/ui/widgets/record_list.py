"""A list of records of any size: only the visible rows are drawn, a page is fetched at a time.

``RecordList`` is a line-API ``ScrollView`` whose virtual height is the number of
records (counted by SQL). Rows come from a ``PagedSource`` a page at a time in a
worker thread; a page is fetched by key after the previous page when that one is
known (as scrolling does), by offset otherwise (a jump of the scrollbar).
``reload()`` re-counts and keeps the cursor on the same record.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events, work
from textual.binding import Binding
from textual.geometry import Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from tui_crm.ui.text import safe

PAGE_SIZE = 100
CACHED_PAGES = 24


@dataclass(frozen=True)
class Column:
    """One column: its title, its width (or share of the free width) and its text."""

    title: str
    cell: Callable[[Any], object]
    width: int = 0  # fixed width in cells; 0 shares the width left with other such columns
    min_width: int = 8
    justify: str = "left"


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


class RecordList(ScrollView, can_focus=True):
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

    def __init__(self, columns: list[Column], source: PagedSource, *, empty_text: str = "",
                 page_size: int = PAGE_SIZE, name: str | None = None, id: str | None = None,
                 classes: str | None = None):
        super().__init__(name=name, id=id, classes=classes)
        self.columns = columns
        self.source = source
        self.empty_text = empty_text
        self.page_size = page_size
        self.search = ""
        self.count = 0
        self.cursor = 0
        self.loaded = False
        self._pages: OrderedDict[int, list] = OrderedDict()
        self._generation = 0
        self._load_lock = threading.Lock()
        self._fetching = False
        self._announced: object = ()

    # -- what other code uses -------------------------------------------------------

    @property
    def highlighted(self) -> Any | None:
        """The row under the cursor, when it is loaded."""
        return self.row_at(self.cursor)

    def row_at(self, index: int) -> Any | None:
        if not 0 <= index < self.count:
            return None
        page = self._pages.get(index // self.page_size)
        offset = index % self.page_size
        return page[offset] if page is not None and offset < len(page) else None

    def reload(self, keep_id: int | None = None) -> None:
        """Count again and refetch; the cursor stays on ``keep_id`` (default: its record)."""
        if keep_id is None and self.highlighted is not None:
            keep_id = self.highlighted.id
        self._start_load(keep_id, self.cursor)

    def set_search(self, text: str, *, keep_id: int | None = None) -> None:
        """Show only the rows matching ``text``; the cursor goes to the first one
        (or stays on ``keep_id`` when it is listed)."""
        self.search = text
        self._start_load(keep_id, 0)

    # -- loading ------------------------------------------------------------------

    def on_mount(self) -> None:
        # The first page is read at once (milliseconds at any size, and no thread to
        # wait for while the new screen is being drawn), so the screen's first frame
        # shows its rows. Reloads and searches read in a worker.
        self._generation += 1
        self._loaded(self._generation, *self._read(self.search, None, 0, 0,
                                                   self._body_height()))

    def _start_load(self, keep_id: int | None, fallback: int) -> None:
        self._generation += 1
        self._fetching = False
        screen_row = max(self.cursor - round(self.scroll_y), 0)
        self._load(self._generation, self.search, keep_id, fallback, screen_row,
                   self._body_height())

    @work(thread=True, exclusive=True, group="record-list-load")
    def _load(self, generation: int, search: str, keep_id: int | None, fallback: int,
              screen_row: int, height: int) -> None:
        # One load at a time, and none for a search already typed over: a burst of
        # keys (a fast typist, a paste) runs the first query and the last, not each.
        # The lock covers the queries only: the next load need not wait for this one
        # to be drawn.
        with self._load_lock:
            if generation != self._generation:
                return
            loaded = self._read(search, keep_id, fallback, screen_row, height)
        self.app.call_from_thread(self._loaded, generation, *loaded)

    def _read(self, search: str, keep_id: int | None, fallback: int, screen_row: int,
              height: int) -> tuple[int, int, int, dict[int, list]]:
        """Count, find the kept record, and fetch every page the screen will show."""
        pages: dict[int, list] = {}
        if keep_id is None and fallback == 0:
            # From the top (a search typed, say): a first page that is not full says
            # how many rows there are, with no count to run.
            pages[0] = self.source.page(search, 0, self.page_size, None)
            count = len(pages[0]) if len(pages[0]) < self.page_size \
                else self.source.count(search)
        else:
            count = self.source.count(search)
        index = self.source.position(keep_id, search) if keep_id is not None else None
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
                pages[number] = self.source.page(search, number * self.page_size,
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
        self.refresh()
        self.post_message(self.Loaded(self, count))
        self._announce()

    def _request_missing(self) -> None:
        """Fetch the pages of the visible rows that are not loaded yet."""
        if self._fetching or not self.count:
            return
        top = round(self.scroll_y)
        wanted = sorted({index // self.page_size
                         for index in range(top, min(top + self._body_height(), self.count))
                         if self.row_at(index) is None}
                        | ({self.cursor // self.page_size} if self.highlighted is None else set()))
        if not wanted:
            return
        self._fetching = True
        before = {page: self._pages[page - 1][-1] for page in wanted
                  if self._pages.get(page - 1)}
        self._fetch(self._generation, self.search, wanted, before)

    @work(thread=True, group="record-list-pages")
    def _fetch(self, generation: int, search: str, wanted: list[int], before: dict) -> None:
        pages: dict[int, list] = {}
        for page in wanted:
            after = before.get(page) or (pages[page - 1][-1] if pages.get(page - 1) else None)
            pages[page] = self.source.page(search, page * self.page_size, self.page_size,
                                           after)
        self.app.call_from_thread(self._pages_arrived, generation, pages)

    def _pages_arrived(self, generation: int, pages: dict[int, list]) -> None:
        if generation != self._generation:
            return
        self._fetching = False
        for number, rows in pages.items():
            self._pages[number] = rows
            self._pages.move_to_end(number)
        while len(self._pages) > CACHED_PAGES:
            self._pages.popitem(last=False)
        self.refresh()
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

    def _body_height(self) -> int:
        return max(self.scrollable_content_region.height - 1, 1)

    def move_to(self, index: int) -> None:
        if not self.count:
            return
        self.cursor = min(max(index, 0), self.count - 1)
        self._show_cursor()
        self.refresh()
        self._announce()

    def _show_cursor(self) -> None:
        top = round(self.scroll_y)
        height = self._body_height()
        if self.cursor < top:
            self.scroll_to(y=self.cursor, animate=False, force=True, immediate=True)
        elif self.cursor >= top + height:
            self.scroll_to(y=self.cursor - height + 1, animate=False, force=True,
                           immediate=True)

    def action_cursor(self, step: int) -> None:
        self.move_to(self.cursor + step)

    def action_page(self, step: int) -> None:
        self.move_to(self.cursor + step * self._body_height())

    def action_first(self) -> None:
        self.move_to(0)

    def action_last(self) -> None:
        self.move_to(self.count - 1)

    def on_click(self, event: events.Click) -> None:
        if event.y >= 1:
            self.move_to(round(self.scroll_y) + event.y - 1)

    def on_resize(self) -> None:
        self.virtual_size = Size(self.scrollable_content_region.width, self.count + 1)

    # -- drawing ------------------------------------------------------------------

    def column_widths(self, width: int) -> list[int]:
        gaps = len(self.columns) - 1
        fixed = sum(column.width for column in self.columns)
        shared = [column for column in self.columns if not column.width]
        free = max(width - fixed - gaps, 0)
        widths = []
        for column in self.columns:
            if column.width:
                widths.append(column.width)
            else:
                widths.append(max(free // len(shared), column.min_width))
        if shared:  # the first shared column takes the remainder
            first = next(i for i, column in enumerate(self.columns) if not column.width)
            widths[first] += max(free - sum(free // len(shared) for _ in shared), 0)
        return widths

    def _line(self, cells: list[Text], style: Style) -> Strip:
        width = self.scrollable_content_region.width
        line = Text(no_wrap=True, overflow="ellipsis")
        for number, (cell, cell_width) in enumerate(zip(cells, self.column_widths(width),
                                                        strict=True)):
            if number:
                line.append(" ")
            cell = cell.copy()
            cell.truncate(cell_width, overflow="ellipsis")
            cell.align(self.columns[number].justify, cell_width)
            line.append_text(cell)
        segments = list(line.render(self.app.console))
        strip = Strip(Segment.apply_style(segments, post_style=style))
        return strip.adjust_cell_length(width, style)

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        base = self.rich_style
        if y == 0:
            header = self.get_component_rich_style("record-list--header")
            return self._line([Text(column.title) for column in self.columns], base + header)
        index = round(self.scroll_y) + y - 1
        if index >= self.count:
            if self.count == 0 and y == 1 and self.loaded:
                style = base + self.get_component_rich_style("record-list--empty")
                return Strip([Segment(self._empty_message(), style)]).crop_extend(0, width,
                                                                                   style)
            return Strip.blank(width, base)
        row = self.row_at(index)
        if row is None:
            self.call_later(self._request_missing)
            style = base + self.get_component_rich_style("record-list--pending")
            return self._line([Text("…")] + [Text("") for _ in self.columns[1:]], style)
        style = base
        if index == self.cursor:
            style = base + self.get_component_rich_style("record-list--cursor")
        return self._line([safe(column.cell(row)) for column in self.columns], style)

    def _empty_message(self) -> str:
        if self.search:
            return f"Nothing matches “{safe(self.search).plain}”. escape clears the search."
        return self.empty_text or "Nothing here yet."
