"""Screen 3: the pipeline board. Every open deal by stage, moved with one key.

The screen reads the board in a worker (``core.board.board_view``: each column's
totals and just the cards that fit), and every move goes through ``core.deals`` with
the version the card was read at, so it lands in the ChangeLog and never overwrites
someone else's change unseen. Workers answer with typed Messages, each read carrying
its number: an answer older than what the board shows is dropped. A key that replaces
what the board shows (`m`, `[`/`]`, `home`/`end` beyond the cards read) reads in a
worker too, and the keys typed after it wait for it (``ChangesInTurn``).
"""

from __future__ import annotations

from collections.abc import Callable

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.reactive import reactive
from textual.widgets import Header, Input, Static
from textual.worker import Worker, get_current_worker

from tui_crm.core import board as board_queries
from tui_crm.core import deals, settings
from tui_crm.core.board import BoardView, Card, Key, Page, Window
from tui_crm.core.changelog import current_user
from tui_crm.core.dates import Quarter
from tui_crm.core.errors import ConflictError, CrmError
from tui_crm.core.faults import is_fault
from tui_crm.core.records import StageRow
from tui_crm.ui.footer_keys import KeyFooter
from tui_crm.ui.screens.base import ChangesInTurn, DataScreen
from tui_crm.ui.text import safe
from tui_crm.ui.widgets.board import Board, BoardColumn, visible_cards


class PipelineScreen(ChangesInTurn, DataScreen):
    """A column per open stage, then Won and Lost (closed this quarter)."""

    AUTO_FOCUS = "Board"  # the board, not the filter above it (shown by `/`)
    BINDINGS = [
        # `>` first: the footer shows a binding's first key, and it is the shorter
        Binding(">,shift+right", "step(1)", "Next stage", id="board.next_stage"),
        Binding("<,shift+left", "step(-1)", "Prev stage", id="board.previous_stage"),
        Binding("w", "close_won", "Won", id="board.close_won"),
        Binding("x", "close_lost", "Lost", id="board.close_lost"),
        Binding("enter", "edit", "Edit", id="board.edit"),
        Binding("n", "new", "New deal", id="board.new"),
        Binding("a", "new_activity", "Activity", id="board.activity"),
        Binding("d,delete", "delete", "Delete deal", show=False, id="board.delete"),
        Binding("slash", "filter", "Filter", key_display="/", id="board.filter"),
        Binding("escape", "clear_filter", "Clear filter", id="board.clear_filter"),
        Binding("m", "toggle_mine", "My deals", id="board.mine"),
        Binding("left_square_bracket", "quarter(-1)", "Won/Lost: prev quarter",
                key_display="[", show=False, id="board.previous_quarter"),
        Binding("right_square_bracket", "quarter(1)", "Won/Lost: next quarter",
                key_display="]", show=False, id="board.next_quarter"),
    ]

    # Only the deals of the current user ("my deals"), or everyone's.
    mine: reactive[bool] = reactive(False, bindings=True, init=False)
    # Whether each move (next, previous stage, won, lost) applies to the selected card.
    moves: reactive[tuple] = reactive((), bindings=True, repaint=False, init=False)

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.search = ""
        self.quarter = Quarter.current()
        self.follow: int | None = None  # a deal the cursor must go to on the next read
        self.reads = 0  # reads asked for so far; each read's answer carries its number
        self.floor = 0  # answers of reads up to this number are out of date: dropped

    def compose(self) -> ComposeResult:
        yield Header()
        yield Input(placeholder="Filter by deal, customer or lead name (enter keeps it, "
                                "escape clears it)", compact=True, id="board-filter")
        yield Static(id="board-status")
        yield Board(id="board")
        yield KeyFooter()

    @property
    def board(self) -> Board:
        return self.query_one(Board)

    def on_screen_resume(self) -> None:
        if self.board.columns:
            self.reload()
        else:  # the first time: a screenful read at once, drawn with the first frame
            try:
                first = board_queries.board_view({}, self._rows(), None, **self.shown())
            except Exception as exc:
                if not is_fault(exc):
                    raise
                self.reload()  # again in a worker, which says why it fails
                return
            self._show(first, False)

    # -- reading -----------------------------------------------------------------

    def reload(self) -> None:
        """Re-read what the board shows; the cursor stays on the same deal."""
        selected = self.board.selected
        focus = self.follow if self.follow is not None else (selected.id if selected else None)
        self._read(self._places(), focus)

    def go_to_deal(self, deal_id: int) -> None:
        """Re-read the board with the cursor on ``deal_id``, wherever it is now."""
        self.follow = deal_id
        self.reload()

    def show_record(self, deal_id: int) -> None:
        """Put the cursor on a deal, clearing a filter that could hide it."""
        if self.search:
            self.action_clear_filter()
        self.go_to_deal(deal_id)

    def shown(self) -> dict:
        """Which deals the board shows: the filter, the Won/Lost quarter, the owner."""
        return {"search": self.search, "quarter": self.quarter,
                "owner": current_user() if self.mine else None}

    def _places(self) -> dict[int, tuple[Key | None, int]]:
        return {column.stage.id: (column.place.key, column.place.row)
                for column in self.board.columns}

    def _rows(self) -> int:
        column = self.board.column
        return column.visible if column else visible_cards(self.app.size.height - 4)

    def _read(self, places: dict, focus_id: int | None, first_match: bool = False) -> None:
        self.reads += 1
        self._read_board(self.reads, places, focus_id, self._rows(), self.shown(),
                         first_match, (self._places(), self.shown()))

    @work(thread=True, exclusive=True, exit_on_error=False, group="board")
    def _read_board(self, number: int, places: dict, focus_id: int | None, rows: int,
                    shown: dict, first_match: bool, asked_for: tuple) -> None:
        view = board_queries.board_view(places, rows, focus_id, **shown)
        if not get_current_worker().is_cancelled:
            self.post_message(self.Read(number, view, first_match,
                                        asked_for=asked_for))

    class Read(Message, bubble=False):
        """The board, read in a worker: the answer to read ``number``, asked for while
        the cursors were at ``asked_for`` (their places, and what was shown).
        ``held``: the keys typed after the one that asked for it wait for it."""

        def __init__(self, number: int, view: BoardView, first_match: bool = False,
                     held: bool = False, asked_for: tuple | None = None) -> None:
            super().__init__()
            self.number, self.view = number, view
            self.first_match, self.held, self.asked_for = first_match, held, asked_for

    @on(Read)
    def board_read(self, message: Read) -> None:
        if message.number <= self.floor:
            pass  # an older answer arriving after a newer one: dropped
        elif message.asked_for not in (None, (self._places(), self.shown())):
            # The cursor moved while the board was read (`j` during a reload): its
            # cursors would go back to where they were; read again from here.
            if message.number == self.reads:
                self.reload()
        else:
            self.floor = message.number
            self._show(message.view, message.first_match)
        if message.held:
            self.change_shown()

    def _show(self, view: BoardView, first_match: bool) -> None:
        board = self.board
        current = board.column.stage.id if board.column else None
        board.set_stages([column.stage for column in view.columns])
        focus_id = view.focus.id if view.focus else None
        if focus_id is None or focus_id == self.follow:
            self.follow = None
        for column, data in zip(board.columns, view.columns, strict=True):
            column.show(data.window, data.tally, data.row, focus_id)
        if first_match:
            target = next((i for i, c in enumerate(board.columns) if c.cards), 0)
        elif view.focus is not None:
            target = board.column_of(view.focus.stage_id)
        else:
            target = board.column_of(current) if current is not None else 0
        board.go_to_column(target or 0)
        self._show_status(view.amounts)
        self._refresh_moves()

    def _show_status(self, amounts: settings.Settings) -> None:
        # What narrows the board first: at 80 columns the amounts' words go last.
        line = Text(style="dim")
        if self.mine:
            line.append_text(safe(f"my deals ({current_user()})", style="bold"))
            line.append(" · ")
        if self.search:
            line.append("filter: ")
            line.append_text(safe(self.search, style="bold"))
            line.append(" · ")
        line.append(f"Won/Lost closed in {self.quarter} ([ ]) · amounts: "
                    f"{amounts.amount_basis} {amounts.currency}")
        line.truncate(self.app.size.width, overflow="ellipsis")
        status = self.query_one("#board-status", Static)
        if status.content != line:  # the same words: nothing to send to the terminal
            status.update(line)

    def on_board_page_wanted(self, event: Board.PageWanted) -> None:
        self._read_page(event.column, event.key, event.forward, event.column.visible,
                        self.shown())

    @work(thread=True, exit_on_error=False, group="board-page")
    def _read_page(self, column: BoardColumn, key: Key, forward: bool, rows: int,
                   shown: dict) -> None:
        where = {"after": key} if forward else {"before": key}
        page = board_queries.column_page(column.stage, limit=rows, **shown, **where)
        self.post_message(self.PageRead(column, key, forward, page, shown))

    class PageRead(Message, bubble=False):
        """A column's page after (``forward``) or before ``key``, read in a worker."""

        def __init__(self, column: BoardColumn, key: Key, forward: bool, page: Page,
                     shown: dict) -> None:
            super().__init__()
            self.column, self.key, self.forward, self.page, self.shown = \
                column, key, forward, page, shown

    @on(PageRead)
    def page_read(self, message: PageRead) -> None:
        column, key, forward = message.column, message.key, message.forward
        edge = (column.cards[-1] if forward else column.cards[0]).key if column.cards else None
        if column in self.board.columns and edge == key and message.shown == self.shown():
            column.extend(message.page, forward)
        else:
            column.loading = False

    def on_board_cursor_moved(self) -> None:
        self._refresh_moves()

    def _refresh_moves(self) -> None:
        """Which moves apply to the card under the cursor: the footer follows when they
        change (``moves`` is reactive), not on every key."""
        self.moves = tuple(self.check_action(action, params) for action, params in (
            ("step", (1,)), ("step", (-1,)), ("close_won", ()), ("close_lost", ())))

    # -- moving deals --------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "clear_filter":
            return bool(self.search) or self.query_one("#board-filter", Input).display
        if action in ("step", "close_won", "close_lost", "edit", "delete", "new_activity"):
            column = self.board.column if self.is_mounted else None
            if column is None or column.selected is None:
                return None
            return self._can_move(action, parameters, column.stage) or None
        return True

    def _can_move(self, action: str, parameters: tuple[object, ...], stage: StageRow) -> bool:
        if action in ("edit", "delete", "new_activity"):
            return True
        if action == "close_won":
            return stage.kind != "won"
        if action == "close_lost":
            return stage.kind != "lost"
        first_open = next((c.stage for c in self.board.columns if c.stage.is_open), None)
        if parameters and parameters[0] == 1:
            return stage.is_open
        return stage != first_open

    def action_step(self, step: int) -> None:
        card = self.board.selected
        if not self.waits_for_change(lambda: self.action_step(step)) and card is not None:
            self._write(card, lambda: deals.step_deal(card.id, step, card.version))

    def action_close_won(self) -> None:
        card = self.board.selected
        if not self.waits_for_change(self.action_close_won) and card is not None:
            self._write(card, lambda: deals.close_won(card.id, card.version))

    def action_close_lost(self) -> None:
        from tui_crm.ui.widgets.dialogs import lost_reason_prompt

        card = self.board.selected
        if self.waits_for_change(self.action_close_lost) or card is None:
            return

        def closed(reason: str | None) -> None:
            if reason is not None:
                self._write(card, lambda: deals.close_lost(card.id, reason, card.version))

        self.app.push_screen(lost_reason_prompt(card.name), closed)

    def action_delete(self) -> None:
        from tui_crm.ui.widgets.dialogs import DELETE, MARK_LOST, delete_deal_dialog

        card = self.board.selected
        if self.waits_for_change(self.action_delete) or card is None:
            return

        def answered(answer: str | None) -> None:
            if answer == MARK_LOST:
                self.action_close_lost()
            elif answer == DELETE:
                self._write(card, lambda: deals.delete_deal(card.id), refused="Not deleted")

        self.app.push_screen(delete_deal_dialog(card.name, card.is_open), answered)

    # -- adding and editing ----------------------------------------------------------

    def action_edit(self) -> None:
        from tui_crm.ui.widgets.deal_form import DealForm

        card = self.board.selected
        if not self.waits_for_change(self.action_edit) and card is not None:
            self.app.push_screen(DealForm(card.id), self._saved)

    def action_new_activity(self) -> None:
        from tui_crm.ui.widgets.activity_form import add_activity

        card = self.board.selected
        if not self.waits_for_change(self.action_new_activity) and card is not None:
            add_activity(self.app, deal_id=card.id, about=card.name)

    def action_new(self) -> None:
        from tui_crm.ui.widgets.deal_form import DealForm

        column = self.board.column
        stage = column.stage.id if column is not None and column.stage.is_open else None
        self.app.push_screen(DealForm(stage_id=stage), self._saved)

    def _saved(self, deal_id: int | None) -> None:
        """After the form: the cursor goes to the deal saved (or stays, if cancelled);
        the keys typed after the form closed wait for the board read again."""
        if deal_id is not None:
            self.follow = deal_id  # every read goes there until one shows it
        selected = self.board.selected
        focus = self.follow if self.follow is not None else selected.id if selected else None
        self._read_held(self._places(), focus)

    def _write(self, card: Card, change: Callable[[], object], refused: str = "Not moved"
               ) -> None:
        """Run one change of a deal; keys pressed before it is shown wait for it (see
        ``ChangesInTurn``). ``refused`` titles the message shown when the change cannot
        be made."""
        self.changing = True
        self.floor = self.reads  # reads asked for before it would show the deal unmoved
        self.reads += 1
        self._write_deal(self.reads, card, change, refused, self._places(), self._rows(),
                         self.shown())

    @work(thread=True, exit_on_error=False, group="board-write")
    def _write_deal(self, number: int, card: Card, change: Callable[[], object],
                    refused: str, places: dict, rows: int, shown: dict) -> None:
        """The change, then the board as it left it, read in the same thread: one trip
        to the database's thread and back per key."""
        try:
            with self.app.own_change():
                change()
            problem = ""
        except ConflictError as exc:
            problem = (f"{exc} It was not moved: the board now shows it as it is; "
                       "press the key again to move it.")
        except CrmError as exc:
            problem = str(exc)
        view = board_queries.board_view(places, rows, card.id, **shown)
        self.post_message(self.Written(card, refused, problem, (places, shown),
                                       self.Read(number, view)))

    class Written(Message, bubble=False):
        """A change of ``card`` written (``problem``: refused, and why, under the title
        ``refused``), with the board read after it for the cursor's places and what
        was shown (``read_for``)."""

        def __init__(self, card: Card, refused: str, problem: str, read_for: tuple,
                     read: PipelineScreen.Read) -> None:
            super().__init__()
            self.card, self.refused, self.problem = card, refused, problem
            self.read_for, self.read = read_for, read

    def worker_failed(self, worker: Worker, message: str) -> None:
        # The board stays as it was shown; the next key (or the live refresh) reads it
        # again.
        if worker.group in ("board-write", "board-held"):
            self.change_failed()
        for column in self.board.columns:
            column.loading = False
        super().worker_failed(worker, message)

    @on(Written)
    def written(self, message: Written) -> None:
        if message.problem:
            self.notify(message.problem, title=message.refused, severity="warning",
                        markup=False)
            self.forget_waiting()  # what was typed next counted on this change
        if message.read_for != (self._places(), self.shown()):  # the cursor moved
            self.go_to_deal(message.card.id)
            self.change_shown()
            return
        self.floor = self.reads  # reads asked for before now may predate the change
        self._show(message.read.view, False)
        self.app.saw_own_change(self)
        self.change_shown()

    # -- filtering -------------------------------------------------------------------

    def action_filter(self) -> None:
        field = self.query_one("#board-filter", Input)
        field.display = True
        field.focus()
        self.refresh_bindings()

    @on(Input.Changed, "#board-filter")
    def filter_typed(self, event: Input.Changed) -> None:
        if event.value.strip() != self.search:
            self.search = event.value.strip()
            self._read({}, None)

    @on(Input.Submitted, "#board-filter")
    def filter_kept(self, event: Input.Submitted) -> None:
        self.search = event.value.strip()
        if not self.search:
            event.input.display = False
        self.board.focus()
        self._read({}, None, first_match=True)

    def action_clear_filter(self) -> None:
        field = self.query_one("#board-filter", Input)
        had_search = bool(self.search)
        self.search = ""
        field.value = ""
        field.display = False
        self.board.focus()
        if had_search:
            self.reload()
        self.refresh_bindings()

    # -- whose deals, which quarter, the ends of a column ---------------------------------

    def action_toggle_mine(self) -> None:
        if not self.waits_for_change(self.action_toggle_mine):
            self.mine = not self.mine

    def watch_mine(self, mine: bool) -> None:
        # The header says whose deals these are; each column starts again at its top.
        self.sub_title = f"{self.app.sub_title} · my deals ({current_user()})" if mine \
            else None
        self._read_held({}, None)

    def action_quarter(self, step: int) -> None:
        """The Won and Lost columns show the deals closed in the previous/next quarter."""
        if self.waits_for_change(lambda: self.action_quarter(step)):
            return
        self.quarter = self.quarter.next() if step > 0 else self.quarter.previous()
        open_ids = {column.stage.id for column in self.board.columns if column.stage.is_open}
        # the open columns keep their cursor; Won and Lost start at their top
        self._read_held({stage: place for stage, place in self._places().items()
                         if stage in open_ids}, None)

    def _read_held(self, places: dict, focus_id: int | None) -> None:
        """Read the board in a worker; the keys typed after this one wait for it and
        act on the cards it shows. Reads asked for before it are out of date."""
        self.changing = True
        self.floor = self.reads
        self.reads += 1
        self._read_board_held(self.reads, places, focus_id, self._rows(), self.shown())

    @work(thread=True, exit_on_error=False, group="board-held")  # never cancelled:
    def _read_board_held(self, number: int, places: dict, focus_id: int | None,  # the
                         rows: int, shown: dict) -> None:  # keys kept wait for its answer
        view = board_queries.board_view(places, rows, focus_id, **shown)
        self.post_message(self.Read(number, view, held=True))

    def action_edge_card(self, last: bool) -> None:
        """The cursor to the first (or last) card of its column, however long it is."""
        column = self.board.column
        if self.waits_for_change(lambda: self.action_edge_card(last)) or column is None \
                or not column.cards:
            return
        if not (column.has_after if last else column.has_before):
            column.move_cursor(len(column.cards) if last else -len(column.cards))
            self.board.ask_pages()
            self._refresh_moves()
            return
        # One seek for the end card and a window around it, in a worker; the keys
        # typed after this one wait for it and act on the card it lands on.
        self.changing = True
        self._read_edge(column, last, column.visible, self.shown())

    @work(thread=True, exit_on_error=False, group="board-held")
    def _read_edge(self, column: BoardColumn, last: bool, rows: int, shown: dict) -> None:
        card = board_queries.column_edge(column.stage, last, **shown)
        row = rows - 1 if last else 0
        window = None if card is None else board_queries.column_window(
            column.stage, card.key, before=row, after=rows - row + 1, **shown)
        self.post_message(self.EdgeRead(column, card, window, row, shown))

    class EdgeRead(Message, bubble=False):
        """The first (or last) card of ``column`` and the cards around it (``window``;
        None when the column has no card now), read in a worker."""

        def __init__(self, column: BoardColumn, card: Card | None, window: Window | None,
                     row: int, shown: dict) -> None:
            super().__init__()
            self.column, self.card, self.window = column, card, window
            self.row, self.shown = row, shown

    @on(EdgeRead)
    def edge_read(self, message: EdgeRead) -> None:
        column, window, card = message.column, message.window, message.card
        if column in self.board.columns and message.shown == self.shown() \
                and window is not None and card is not None:
            column.show(window, column.tally, min(message.row, window.anchor), card.id)
            self.board.ask_pages()
            self._refresh_moves()
        self.change_shown()
