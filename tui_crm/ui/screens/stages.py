"""The Stages screen: the pipeline's stages in board order, and keys to change them.

Opened from the command palette ("Edit stages") and from the forecast's settings. It
lists each stage with its win probability, kind, rot days and deal count (from the
running totals), and adds, edits, reorders and removes stages through the core's
``stages`` functions; every open screen reloads after a change, so the board, the
forecast and the forms follow at once.
"""

from __future__ import annotations

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.widgets import DataTable, Header, Static
from textual.worker import get_current_worker

from tui_crm.core.errors import CrmError
from tui_crm.core.stages import StageSummary, move_stage, remove_stage, stage_summaries
from tui_crm.ui.footer_keys import KeyFooter
from tui_crm.ui.screens.base import DataModal
from tui_crm.ui.text import safe
from tui_crm.ui.widgets.dialogs import ConfirmDialog

KIND_LABELS = {"open": "open", "won": "won", "lost": "lost"}


class StagesScreen(DataModal[None]):
    """Every stage, in board order; `a` adds, `e`/`enter` edits, shift+↑/↓ reorder,
    `d` removes, `l` edits the lost reasons, `escape` goes back."""

    HELP_GROUP = "Stages"
    BINDINGS = [
        Binding("a", "add", "Add stage", id="stages.add"),
        Binding("e", "edit", "Edit", id="stages.edit"),
        Binding("shift+up", "move(-1)", "Move up", key_display="shift+↑", id="stages.up"),
        Binding("shift+down", "move(1)", "Move down", key_display="shift+↓",
                id="stages.down"),
        Binding("d", "remove", "Remove", id="stages.remove"),
        Binding("l", "lost_reasons", "Lost reasons", id="stages.lost_reasons"),
        Binding("escape", "close", "Back", id="stages.close"),
    ]

    def __init__(self) -> None:
        super().__init__(classes="stages-screen")
        self.summaries: list[StageSummary] = []
        self.keep_id: int | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("Stages, in board order (open stages, then won, then lost)",
                     id="stages-title", markup=False)
        table = DataTable(id="stages-table", cursor_type="row", zebra_stripes=True)
        table.add_columns("Stage", "Probability", "Kind", "Rot days", "Deals")
        yield table
        yield Static("", id="stages-message", markup=False)
        yield KeyFooter()

    def on_mount(self) -> None:
        self.query_one(DataTable).focus()
        self.reload()

    @property
    def table(self) -> DataTable:
        return self.query_one("#stages-table", DataTable)

    @property
    def current(self) -> StageSummary | None:
        row = self.table.cursor_row
        return self.summaries[row] if 0 <= row < len(self.summaries) else None

    # -- reading ----------------------------------------------------------------------

    def reload(self) -> None:
        """Read the stages again, keeping the cursor on the same stage."""
        current = self.current
        if self.keep_id is None and current is not None:
            self.keep_id = current.stage.id
        self.load_stages()

    @work(thread=True, exclusive=True, exit_on_error=False, group="stages")
    def load_stages(self) -> None:
        summaries = stage_summaries()
        if not get_current_worker().is_cancelled:
            self.post_message(self.Read(summaries))

    class Read(Message):
        """The stages, read in a worker."""

        def __init__(self, summaries: list[StageSummary]) -> None:
            super().__init__()
            self.summaries = summaries

    @on(Read)
    def show_stages(self, message: Read) -> None:
        self.summaries = message.summaries
        table = self.table
        table.clear()
        for summary in self.summaries:
            stage = summary.stage
            table.add_row(safe(stage.name), Text(f"{stage.probability}%", justify="right"),
                          Text(KIND_LABELS[stage.kind]),
                          Text("never" if stage.rot_days is None else f"{stage.rot_days}",
                               justify="right"),
                          Text(f"{summary.deals:,}", justify="right"), key=str(stage.id))
        ids = [summary.stage.id for summary in self.summaries]
        if self.keep_id in ids:
            table.move_cursor(row=ids.index(self.keep_id), animate=False)
        self.keep_id = None
        self.refresh_bindings()

    def say(self, message: str) -> None:
        """A line under the table: why the last key did nothing (or what it did)."""
        self.query_one("#stages-message", Static).update(message)

    class Written(Message):
        """A change of the stages made (``done`` says what it did; "" for a move), or
        refused (``refused`` says why)."""

        def __init__(self, done: str, keep_id: int | None, refused: str = "") -> None:
            super().__init__()
            self.done, self.keep_id, self.refused = done, keep_id, refused

    @on(Written)
    def written(self, message: Written) -> None:
        if message.refused:
            self.say(message.refused)
            return
        self.say(message.done)
        self.changed(message.keep_id)

    def changed(self, keep_id: int | None) -> None:
        """After a change: this screen and every other open one read again."""
        self.keep_id = keep_id
        self.app.reload_screens()

    # -- keys ---------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("edit", "move", "remove"):
            return self.current is not None
        return True

    def action_add(self) -> None:
        from tui_crm.ui.widgets.stage_forms import StageForm

        self.say("")
        self.app.push_screen(StageForm([s.stage for s in self.summaries]), self.stage_saved)

    def action_edit(self) -> None:
        from tui_crm.ui.widgets.stage_forms import StageForm

        current = self.current
        if current is not None:
            self.say("")
            self.app.push_screen(StageForm([s.stage for s in self.summaries], current.stage),
                                 self.stage_saved)

    @on(DataTable.RowSelected, "#stages-table")
    def row_chosen(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_edit()

    def stage_saved(self, stage_id: int | None) -> None:
        if stage_id is not None:
            self.say("Stage saved.")
            self.changed(stage_id)

    def action_move(self, step: int) -> None:
        current = self.current
        if current is not None:
            self.write_stage(move_stage, current.stage.name, step, keep_id=current.stage.id)

    def action_remove(self) -> None:
        current = self.current
        if current is None:
            return
        stage = current.stage
        if not stage.is_open:
            self.say(f"{stage.name} is the {stage.kind} stage: a pipeline always has one; "
                     "rename it instead.")
            return
        targets = [s.stage for s in self.summaries if s.stage.is_open and s.stage.id != stage.id]
        if not targets:
            self.say(f"{stage.name} is the only open stage: add another before removing it.")
            return
        if current.deals == 0:
            title = Text("Remove the stage ")
            title.append_text(safe(stage.name, style="bold"))
            title.append("?")

            def confirmed(yes: bool | None) -> None:
                if yes:
                    self.write_stage(remove_stage, stage.name, keep_id=None)

            self.app.push_screen(ConfirmDialog(title, "It holds no deals.", confirm="Remove",
                                               cancel="Keep it"), confirmed)
            return
        from tui_crm.ui.widgets.stage_forms import MoveDealsDialog

        def picked(target: str | None) -> None:
            if target is not None:
                self.write_stage(remove_stage, stage.name, move_to=target, keep_id=None)

        self.app.push_screen(MoveDealsDialog(stage, current.deals, targets), picked)

    def action_lost_reasons(self) -> None:
        from tui_crm.ui.widgets.stage_forms import LostReasonsForm

        def saved(result: int | None) -> None:
            if result is not None:
                self.say("Lost reasons saved.")

        self.app.push_screen(LostReasonsForm(), saved)

    def action_close(self) -> None:
        self.dismiss(None)

    # -- writing ---------------------------------------------------------------------

    @work(thread=True, exit_on_error=False, group="stages-write")  # each key its own write
    def write_stage(self, change, name: str, *args, keep_id: int | None, **options) -> None:
        """Run ``change(name, *args, **options)`` (move_stage, remove_stage); a refusal is
        said under the table."""
        try:
            result = change(name, *args, **options)
        except CrmError as exc:
            self.post_message(self.Written("", keep_id, refused=str(exc)))
            return
        done = ""
        if change is remove_stage:
            moved = f", its {result:,} deal{'s' if result != 1 else ''} moved to " \
                f"{options['move_to']}" if result else ""
            done = f"{name} removed{moved}."
        self.post_message(self.Written(done, keep_id))

