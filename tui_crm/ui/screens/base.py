"""The one pattern of a data screen: read and write in workers, fail in one sentence.

A data screen (or a form, a dialog) declares its typed app, reads and writes in
thread workers (``@work(thread=True, exclusive=True, exit_on_error=False,
group=...)``) whose results come back as typed Messages or through
``call_from_thread`` (a thread never touches a widget), and leaves failures to the
one handler of ``ui.workers.FailsSoftly``.
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

    While a change is on its way (``changing``), a key that acts on the record under
    the cursor waits for it: ``waits_for_change(action)`` keeps the action and says so,
    and ``change_shown()`` (once the screen shows what the change left) runs the next
    one kept. So `> > >` moves a deal three stages on, and `>` then `w` closes the deal
    just moved; no key is dropped. ``change_failed()`` forgets the keys kept: they
    counted on a change that did not happen.
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
        if self.changes_waiting:
            self.changes_waiting.popleft()()

    def change_failed(self) -> None:
        self.changing = False
        self.changes_waiting.clear()


class DataModal(ModalScreen[ResultType], FailsSoftly):
    """The base of a form or dialog that reads or writes CRM data."""

    if TYPE_CHECKING:
        @property
        def app(self) -> CrmApp: ...
