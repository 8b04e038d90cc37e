"""The pipeline board's widgets: a column of deal cards, and the board that holds them.

A column draws only the cards that fit its height, from the window of cards it was
given; when the cursor nears either end of that window and the column goes on, it
asks for another page (``Board.PageWanted``). Nothing here touches the database. The
cursor keys wait for a change their screen is showing (``ChangesInTurn``).

A column draws line by line: each screen line has a key saying what it shows (the
header's figures, a card's line and whether the cursor is on it), rendered lines are
kept in the board's ``LRUCache`` under that key, and a change (a cursor step, a move,
a reload) refreshes only the lines whose key changed. A reload that reads the same
cards repaints nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from decimal import Decimal

from rich.segment import Segment
from rich.text import Text
from textual.binding import Binding
from textual.cache import LRUCache
from textual.containers import HorizontalScroll
from textual.geometry import Region
from textual.message import Message
from textual.strip import Strip
from textual.widget import Widget

from tui_crm.core import dates
from tui_crm.core.board import Card, Key, Page, Window
from tui_crm.core.forecast import Tally
from tui_crm.core.money import format_amount
from tui_crm.core.records import StageRow
from tui_crm.ui.text import safe

CARD_HEIGHT = 4  # name, parent, amount and date, a blank line
OWNER_HEIGHT = 28  # columns this tall give each card a line for its owner
HEADER_HEIGHT = 3  # stage name, count and sum, a rule
OVERDUE_SIGN = "!"
UNDATED_SIGN = "?"
NO_STEP_MARK = "?step"  # an open deal with no next step planned
ROTTING_SIGN = "~"  # ~45d: 45 days in a stage whose rot days are fewer
SLIPPING_SIGN = "↻"  # ↻3: the close date was pushed later three times
CURSOR_SIGN = "▌"
MIN_COLUMN_WIDTH = 24
CACHED_LINES = 2048  # rendered lines, for all the columns of a board


@dataclass(frozen=True)
class Place:
    """Where a column's cursor is: its card's key and its row on screen."""

    key: Key | None
    row: int


def shows_owner(height: int) -> bool:
    """Whether a column ``height`` rows tall gives each card its owner's line (at 24
    rows a line per card would cost a card in every column)."""
    return height >= OWNER_HEIGHT


def visible_cards(height: int) -> int:
    """How many whole cards fit in a column ``height`` rows tall."""
    return max(1, (height - HEADER_HEIGHT) // (CARD_HEIGHT + shows_owner(height)))


class BoardColumn(Widget):
    """One stage: its header (name, count, sum) and a window of its cards."""


    def __init__(self, stage: StageRow, **kwargs):
        super().__init__(**kwargs)
        self.stage = stage
        self.cards: list[Card] = []
        self.cursor = 0
        self.top = 0
        self.has_before = False
        self.has_after = False
        self.tally = Tally(0, Decimal("0.00"))
        self.current = False
        self.loading = False
        self.drawn_lines: dict[int, Hashable] = {}  # screen line -> the key it shows
        self.keys_now: list[Hashable] | None = None  # line_keys(), while drawing

    # -- state ------------------------------------------------------------------

    @property
    def selected(self) -> Card | None:
        return self.cards[self.cursor] if self.cards else None

    @property
    def visible(self) -> int:
        return visible_cards(self.height_now)

    @property
    def height_now(self) -> int:
        return self.size.height or self.app.size.height - 4

    @property
    def place(self) -> Place:
        card = self.selected
        return Place(card.key if card else None, self.cursor - self.top)

    def show(self, window: Window, tally: Tally, row: int, deal_id: int | None = None) -> None:
        """Take a fresh window of cards; the cursor goes to ``deal_id`` (or the anchor)."""
        self.cards = list(window.cards)
        self.has_before, self.has_after = window.has_before, window.has_after
        self.tally = tally
        ids = [card.id for card in self.cards]
        self.cursor = ids.index(deal_id) if deal_id in ids else window.anchor
        self.cursor = max(0, min(self.cursor, len(self.cards) - 1))
        self.top = max(0, self.cursor - row)
        self.loading = False
        self._follow_cursor()
        # every column: the header form they share may change with this one's totals
        for column in self.parent.query_children(BoardColumn):
            column.repaint_changed()

    def extend(self, page: Page, forward: bool) -> None:
        """Add a page read after the last card (``forward``) or before the first."""
        self.loading = False
        if forward:
            self.cards.extend(page.cards)
            self.has_after = page.more
        else:
            self.cards[:0] = page.cards
            self.cursor += len(page.cards)
            self.top += len(page.cards)
            self.has_before = page.more
        self.repaint_changed()

    def move_cursor(self, rows: int) -> None:
        if self.cards:
            self.cursor = max(0, min(self.cursor + rows, len(self.cards) - 1))
            self._follow_cursor()
            self.repaint_changed()

    def wanted_page(self) -> tuple[Key, bool] | None:
        """Where to read the next page from, when the cursor nears an end of the window
        (or the column shows more rows than it holds) and the column goes on."""
        if self.loading or not self.cards:
            return None
        if self.has_after and (self.cursor + 2 >= len(self.cards)
                               or self.top + self.visible > len(self.cards)):
            return self.cards[-1].key, True
        if self.has_before and self.cursor < 2:
            return self.cards[0].key, False
        return None

    def _follow_cursor(self) -> None:
        if self.cursor < self.top:
            self.top = self.cursor
        elif self.cursor >= self.top + self.visible:
            self.top = self.cursor - self.visible + 1
        self.top = max(0, min(self.top, max(0, len(self.cards) - 1)))

    def on_resize(self) -> None:
        self._follow_cursor()

    # -- drawing ----------------------------------------------------------------

    def line_keys(self) -> list[Hashable]:
        """What each line of the column shows, top to bottom: equal keys, equal lines."""
        today = dates.today()
        keys: list[Hashable] = [
            ("title", self.stage.name, self.current),
            ("totals", self.tally.count, self.tally.amount, self.shared_form()),
            ("rule", "▲" if self.top or self.has_before else "─")]
        if not self.cards:
            keys.append(("empty",))
        owner = shows_owner(self.height_now)
        for index in range(self.top, min(len(self.cards), self.top + self.visible)):
            at_cursor = self.current and index == self.cursor
            card = self.cards[index]
            keys.extend(("card", card, at_cursor, part, today, self.stage.rot_days, owner)
                        for part in range(3 + owner))
            keys.append(("blank",))
        if self.has_after or self.top + self.visible < len(self.cards):
            keys.append(("rule", "▼"))
        return keys

    def repaint_changed(self) -> None:
        """Refresh the lines whose content changed since they were drawn, only those."""
        keys = self.line_keys()
        width = self.size.width
        for y in range(self.size.height):
            if self.drawn_lines.get(y) != (keys[y] if y < len(keys) else ("blank",)):
                self.refresh(Region(0, y, width, 1))

    def render(self) -> Text:
        """The whole column as text (what the lines show, top to bottom)."""
        width = max(1, self.size.width)
        return Text("\n").join(self.line_text(key, width) for key in self.line_keys())

    def render_lines(self, crop: Region) -> list[Strip]:
        self.keys_now = self.line_keys()  # once for all the lines drawn now
        try:
            return super().render_lines(crop)
        finally:
            self.keys_now = None

    def render_line(self, y: int) -> Strip:
        keys = self.keys_now if self.keys_now is not None else self.line_keys()
        key = keys[y] if y < len(keys) else ("blank",)
        self.drawn_lines[y] = key
        width = max(1, self.size.width)
        board = self.parent
        cache: LRUCache = board.line_cache if isinstance(board, Board) else LRUCache(1)
        strip = cache.get((key, width))
        if strip is None:
            base = self.rich_style
            segments = list(self.line_text(key, width).render(self.app.console))
            strip = Strip(Segment.apply_style(segments, style=base)) \
                .adjust_cell_length(width, base)
            cache[(key, width)] = strip
        return strip

    def line_text(self, key: Hashable, width: int) -> Text:
        """One line of the column, from its key (see ``line_keys``)."""
        style = self.parent.get_component_rich_style  # the Board's COMPONENT_CLASSES
        kind = key[0]
        if kind == "title":
            title = "board-column--title-current" if key[2] else "board-column--title"
            mark = CURSOR_SIGN if key[2] else " "
            return self._fit(safe(mark + key[1], style=style(title)), width, pad=True)
        if kind == "totals":
            return self._fit(Text(self.totals_forms()[key[3]],
                                  style=style("board-column--totals")), width)
        if kind == "rule":
            return Text(key[1] + "─" * (width - 1), style=style("board-column--rule"))
        if kind == "empty":
            return Text("(no deals)", style=style("board-column--empty"))
        if kind == "card":
            _, card, at_cursor, part, today, rot_days, owner = key
            return self._card_lines(card, at_cursor, width, today, rot_days, owner)[part]
        return Text("")

    def totals_forms(self) -> list[str]:
        """The header's count and sum, from the longest form to the shortest."""
        count, amount = self.tally.count, self.tally.amount
        deals = f"{count:,} deal" + ("" if count == 1 else "s")
        return [f"{deals} · {format_amount(amount)}", f"{count:,} · {format_amount(amount)}",
                f"{count:,} · {format_amount(amount, short=True)}"]

    def shared_form(self) -> int:
        """Which of ``totals_forms`` every column of the board shows: the longest that
        fits in all of them ("0 deals · 0.00" beside "521 · 1.2m" reads as two
        different things)."""
        columns = list(self.parent.query_children(BoardColumn)) or [self]
        for form in range(2):
            if all(len(column.totals_forms()[form]) <= max(1, column.size.width)
                   for column in columns):
                return form
        return 2

    def _card_lines(self, card: Card, at_cursor: bool, width: int, today: dt.date,
                    rot_days: int | None = None, owner: bool = False) -> list[Text]:
        style = self.parent.get_component_rich_style  # the Board's COMPONENT_CLASSES
        mark = CURSOR_SIGN if at_cursor else " "
        parent = card.parent_name if card.parent_kind == "customer" else \
            f"Lead: {card.parent_name}"
        amount = format_amount(card.amount)
        if card.is_overdue(today):
            when, when_style = f"{OVERDUE_SIGN}{card.close_date.isoformat()}", "overdue"
        elif card.is_undated:
            when, when_style = f"{UNDATED_SIGN}no date", "undated"
        else:
            when, when_style = dates.format_date(card.close_date), "date"
        inner = width - 1
        if len(amount) + 1 + len(when) > inner:
            amount = format_amount(card.amount, short=True)
        gap = max(1, inner - len(amount) - len(when))
        bottom = Text.assemble((amount, style("board-column--amount")), " " * gap,
                               (when, style(f"board-column--{when_style}")))
        rows = [safe(card.name, style=style("board-column--name")),
                self._parent_line(card, parent, width - 1, today, rot_days), bottom]
        if owner:
            line = Text("Owner: ", style=style("board-column--owner"))
            line.append_text(safe(card.owner or "-", style=style("board-column--owner")))
            rows.insert(2, line)
        out = []
        for row in rows:
            line = Text(mark, style=style("board-column--cursor") if at_cursor else "")
            line.append_text(self._fit(row, inner, pad=at_cursor))
            if at_cursor:
                line.stylize(style("board-column--cursor"))
            out.append(line)
        return out

    def _parent_line(self, card: Card, parent: str, inner: int, today: dt.date,
                     rot_days: int | None) -> Text:
        """The parent's name, then the marks of a deal without a next step, of a
        rotting one and of a slipping one, at the right end."""
        style = self.parent.get_component_rich_style
        marks = Text()
        if card.lacks_next_step:
            marks.append(NO_STEP_MARK, style=style("board-column--no-step"))
        if card.is_rotting(rot_days, today):
            if marks:
                marks.append(" ")
            marks.append(f"{ROTTING_SIGN}{card.days_in_stage(today)}d",
                         style=style("board-column--rotting"))
        if card.is_slipping:
            if marks:
                marks.append(" ")
            marks.append(f"{SLIPPING_SIGN}{card.pushes}", style=style("board-column--slipping"))
        line = safe(parent, style=style("board-column--parent"))
        if not marks:
            return line
        room = max(inner - len(marks) - 1, 1)
        line.truncate(room, overflow="ellipsis", pad=True)
        line.append(" ")
        return line.append_text(marks)

    @staticmethod
    def _fit(text: Text, width: int, pad: bool = False) -> Text:
        text.truncate(width, overflow="ellipsis", pad=pad)
        return text


class Board(HorizontalScroll, can_focus=True):
    """The columns side by side; the cursor is a column and a card in it."""

    HELP_GROUP = "Board"
    INHERIT_BINDINGS = False  # the cursor moves, not the scroll bars
    BINDINGS = [
        Binding("left,h", "cursor_column(-1)", "Previous column", show=False,
                id="board.cursor_left"),
        Binding("right,l", "cursor_column(1)", "Next column", show=False,
                id="board.cursor_right"),
        Binding("up,k", "cursor_card(-1)", "Card above", show=False, id="board.cursor_up"),
        Binding("down,j", "cursor_card(1)", "Card below", show=False, id="board.cursor_down"),
        Binding("pageup", "cursor_page(-1)", "Page up", show=False, id="board.page_up"),
        Binding("pagedown", "cursor_page(1)", "Page down", show=False, id="board.page_down"),
        # The first/last card of a column of any length: the screen reads it (here
        # these keys would scroll the board sideways).
        Binding("home", "screen.edge_card(False)", "First card of the column", show=False,
                id="board.first_card"),
        Binding("end", "screen.edge_card(True)", "Last card of the column", show=False,
                id="board.last_card"),
    ]

    class PageWanted(Message):
        """A column needs the page after (``forward``) or before ``key``."""

        def __init__(self, column: BoardColumn, key: Key, forward: bool):
            super().__init__()
            self.column, self.key, self.forward = column, key, forward

    class CursorMoved(Message):
        """The cursor is on another card (or column)."""

    # The columns' parts, styled here: Textual resolves component classes for each
    # widget that declares them, and a board has one set for all its columns.
    COMPONENT_CLASSES = {
        "board-column--title",
        "board-column--title-current",
        "board-column--totals",
        "board-column--rule",
        "board-column--name",
        "board-column--parent",
        "board-column--amount",
        "board-column--date",
        "board-column--overdue",
        "board-column--undated",
        "board-column--no-step",
        "board-column--rotting",
        "board-column--slipping",
        "board-column--owner",
        "board-column--cursor",
        "board-column--empty",
    }

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.columns: list[BoardColumn] = []
        self.current = 0
        self.line_cache: LRUCache[Hashable, Strip] = LRUCache(CACHED_LINES)

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self.line_cache.clear()  # the columns' parts are styled here: a new theme, say

    @property
    def column(self) -> BoardColumn | None:
        return self.columns[self.current] if self.columns else None

    @property
    def selected(self) -> Card | None:
        return self.column.selected if self.column else None

    def set_stages(self, stages: list[StageRow]) -> None:
        """Make one column per stage (keeping them when the stages did not change)."""
        if [c.stage for c in self.columns] == stages:
            return
        self.remove_children()
        self.columns = [BoardColumn(stage) for stage in stages]
        self.current = min(self.current, max(0, len(self.columns) - 1))
        self.mount_all(self.columns)
        self._size_columns()

    def _size_columns(self) -> None:
        """Share the width between the columns; below MIN_COLUMN_WIDTH each, scroll.

        Only whole columns are in view: the cells left over when the width is not a
        multiple of the columns' width are a margin at the right (never the first
        cells of the next column), and scrolling goes a column at a time."""
        width = self.outer_size.width or self.app.size.width
        shown = max(1, min(len(self.columns), width // MIN_COLUMN_WIDTH))
        column_width = max(1, width // shown)
        for column in self.columns:
            column.styles.width = column_width
        spare = width - shown * column_width
        if self.styles.padding.right != spare:
            self.styles.padding = (0, spare, 0, 0)

    def column_of(self, stage_id: int) -> int | None:
        return next((i for i, c in enumerate(self.columns) if c.stage.id == stage_id), None)

    def go_to_column(self, index: int) -> None:
        if not self.columns:
            return
        self.current = max(0, min(index, len(self.columns) - 1))
        for position, column in enumerate(self.columns):
            if column.current != (position == self.current):
                column.current = position == self.current
                column.repaint_changed()
        self.call_after_refresh(self._keep_column_in_view)

    def _keep_column_in_view(self) -> None:
        """Scroll by whole columns so that the current one is in view."""
        if not self.columns:
            return
        width = max(1, self.columns[0].outer_size.width)
        shown = max(1, self.scrollable_content_region.width // width)
        first = round(self.scroll_x / width)
        if self.current < first:
            first = self.current
        elif self.current >= first + shown:
            first = self.current - shown + 1
        self.scroll_to(x=first * width, animate=False)

    def ask_pages(self) -> None:
        """Ask for the pages the columns need next (after a cursor move or a resize)."""
        for column in self.columns:
            wanted = column.wanted_page()
            if wanted:
                column.loading = True
                self.post_message(self.PageWanted(column, *wanted))

    def waits_for_change(self, action: Callable[[], None]) -> bool:
        """Keep a cursor key for after the change its screen is showing (a move, `m`):
        it moves over the cards that change leaves (see ``ChangesInTurn``)."""
        from tui_crm.ui.screens.base import ChangesInTurn

        screen = self.screen
        return isinstance(screen, ChangesInTurn) and screen.waits_for_change(action)

    def action_cursor_column(self, step: int) -> None:
        if not self.waits_for_change(lambda: self.action_cursor_column(step)):
            self.go_to_column(self.current + step)
            self.post_message(self.CursorMoved())

    def action_cursor_card(self, step: int) -> None:
        if self.waits_for_change(lambda: self.action_cursor_card(step)):
            return
        if self.column is not None:
            self.column.move_cursor(step)
            self.ask_pages()
            self.post_message(self.CursorMoved())

    def action_cursor_page(self, step: int) -> None:
        if self.waits_for_change(lambda: self.action_cursor_page(step)):
            return
        if self.column is not None:
            self.action_cursor_card(step * self.column.visible)

    def on_resize(self) -> None:
        self._size_columns()
        self.call_after_refresh(self.ask_pages)
        self.call_after_refresh(self._keep_column_in_view)
