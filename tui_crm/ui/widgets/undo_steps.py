"""`u` undo and `ctrl+r` redo, from any screen: the user's last step taken back (or put
back), said in a sentence; a step over someone else's later change asks first."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import work
from textual.message import Message

from tui_crm.core.errors import CrmError

if TYPE_CHECKING:
    from tui_crm.core.undo import UndoConflict
    from tui_crm.ui.app import CrmApp

# The undo code and its dialog load when first used, not as the app starts.
WAIT_S = 0.02  # while other work is under way, look again this often...
WAIT_TRIES = 250  # ...for at most five seconds


class UndoSteps:
    """Mixed into the app: the actions behind `u` and `ctrl+r`."""

    def action_undo(self: CrmApp) -> None:
        self._when_written("undo", False)

    def action_redo(self: CrmApp) -> None:
        self._when_written("redo", False)

    def _when_written(self: CrmApp, which: str, force: bool, tries: int = 0) -> None:
        """Take the step once the work under way is done: `u` typed straight after a
        move undoes that move, not the step before it."""
        from tui_crm.ui.screens.base import ChangesInTurn

        screen = self.screen
        if isinstance(screen, ChangesInTurn) and screen.waits_for_change(
                lambda: self._when_written(which, force, tries)):
            return  # after the change on its way (the board's move) is shown
        busy = any(worker.is_running or worker.state.name == "PENDING"
                   for worker in self.workers)
        if busy and tries < WAIT_TRIES:
            self.set_timer(WAIT_S, lambda: self._when_written(which, force, tries + 1))
            return
        self._take_step(which, force)

    @work(thread=True, exclusive=True, exit_on_error=False, group="undo")
    def _take_step(self: CrmApp, which: str, force: bool) -> None:
        from tui_crm.core import undo as steps

        try:
            done = (steps.undo if which == "undo" else steps.redo)(force=force)
        except steps.UndoConflict as conflict:
            self.post_message(UndoSteps.Conflicts(which, conflict))
            return
        except steps.NothingToUndo as nothing:
            self.post_message(UndoSteps.Stepped("", nothing=str(nothing)))
            return
        except CrmError as refused:
            self.post_message(UndoSteps.Stepped("", refused=str(refused)))
            return
        self.post_message(UndoSteps.Stepped(str(done)))

    class Stepped(Message, bubble=False):
        """A step taken (``said`` says which), or none: ``nothing`` to take, or
        ``refused`` and why."""

        def __init__(self, said: str, nothing: str = "", refused: str = "") -> None:
            super().__init__()
            self.said, self.nothing, self.refused = said, nothing, refused

    class Conflicts(Message, bubble=False):
        """The step would go over someone else's later change: ask first."""

        def __init__(self, which: str, conflict: UndoConflict) -> None:
            super().__init__()
            self.which, self.conflict = which, conflict

    def on_undo_steps_stepped(self: CrmApp, message: UndoSteps.Stepped) -> None:
        if message.nothing:
            self.notify(message.nothing, markup=False, timeout=3)
        elif message.refused:
            self.notify(message.refused, title="Not done", severity="error", markup=False,
                        timeout=8)
        else:
            self.notify(message.said + ".", markup=False, timeout=5)
            self.reload_screens()

    def on_undo_steps_conflicts(self: CrmApp, message: UndoSteps.Conflicts) -> None:
        from tui_crm.ui.widgets.dialogs import ConfirmDialog

        which, conflict = message.which, message.conflict

        def decided(yes: bool | None) -> None:
            if yes:
                self._when_written(which, True)

        self.push_screen(ConfirmDialog(f"{which.capitalize()} over a later change?",
                                       str(conflict), confirm=f"{which.capitalize()} anyway",
                                       cancel="Leave it"), decided)
