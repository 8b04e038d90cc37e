"""`u` undo and `ctrl+r` redo, from any screen: the user's last step taken back (or put
back), said in a sentence; a step over someone else's later change asks first."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import work

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
            self.call_from_thread(self._ask_to_force, which, conflict)
            return
        except steps.NothingToUndo as nothing:
            self.call_from_thread(self.notify, str(nothing), markup=False, timeout=3)
            return
        except CrmError as refused:
            self.call_from_thread(self.notify, str(refused), title="Not done",
                                  severity="error", markup=False, timeout=8)
            return
        self.call_from_thread(self._stepped, str(done))

    def _stepped(self: CrmApp, said: str) -> None:
        self.notify(said + ".", markup=False, timeout=5)
        self.reload_screens()

    def _ask_to_force(self: CrmApp, which: str, conflict: UndoConflict) -> None:
        from tui_crm.ui.widgets.dialogs import ConfirmDialog

        def decided(yes: bool | None) -> None:
            if yes:
                self._when_written(which, True)

        self.push_screen(ConfirmDialog(f"{which.capitalize()} over a later change?",
                                       str(conflict), confirm=f"{which.capitalize()} anyway",
                                       cancel="Leave it"), decided)
