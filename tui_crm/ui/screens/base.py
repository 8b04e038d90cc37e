"""The one pattern of a data screen: read and write in workers, fail in one sentence.

A data screen (or a form, a dialog) declares its typed app, reads and writes in
thread workers (``@work(thread=True, exclusive=True, exit_on_error=False,
group=...)``) whose results come back as typed Messages (``self.post_message(
self.Read(...))`` is safe from a thread; a thread never touches a widget), handled by
``@on(Read)``, and leaves failures to the one handler of ``ui.workers.FailsSoftly``.
A result that a newer read makes out of date is dropped: the worker's group is
exclusive, and the Message carries the read's number where a cancelled thread could
still answer.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from typing import TYPE_CHECKING, TypeVar

from textual.screen import ModalScreen, Screen

from tui_crm.ui.workers import FailsSoftly

if TYPE_CHECKING:
    from tui_crm.ui.app import CrmApp

ResultType = TypeVar("ResultType")


class DataScreen(Screen, FailsSoftly):
    """The base of a full screen of CRM data (Leads, Customers, Pipeline, Forecast)."""

    if TYPE_CHECKING:
        @property
        def app(self) -> CrmApp: ...


class ChangesInTurn:
    """Keys that change data act one after another, each on what the last one left.

    While a change is on its way (``changing``: a write, or a read that replaces what
    the keys act on, as the board's `m`), a key that acts on the record under the
    cursor, or moves the cursor, waits for it: ``waits_for_change(action)`` keeps the
    action and says so, and ``change_shown()`` (once the screen shows what the change
    left) runs the actions kept, in order, until one starts another change. So `> > >`
    moves a deal three stages on, `>` then `w` closes the deal just moved, and `m j
    enter` opens the second of my deals; no key is dropped. ``change_failed()`` forgets
    the keys kept: they counted on a change that did not happen. Keys kept for a screen
    that another one has covered meanwhile (`enter` opened a form) are forgotten too:
    they were typed for what the screen showed.
    """

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.changing = False
        self.changes_waiting: deque[Callable[[], None]] = deque()

    def waits_for_change(self, action: Callable[[], None]) -> bool:
        if self.changing:
            self.changes_waiting.append(action)
        return self.changing

    def change_shown(self) -> None:
        self.changing = False
        while self.changes_waiting and not self.changing:
            if isinstance(self, Screen) and not self.is_active:
                self.changes_waiting.clear()
                break
            self.changes_waiting.popleft()()

    def change_failed(self) -> None:
        self.changing = False
        self.changes_waiting.clear()


class DataModal(ModalScreen[ResultType], FailsSoftly):
    """The base of a form or dialog that reads or writes CRM data."""

    if TYPE_CHECKING:
        @property
        def app(self) -> CrmApp: ...
