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
    the keys act on, as the board's `m`), the keys typed meanwhile wait: the app holds
    them (``KeysInOrder.hold_keys``, ``ui/keys.py``) and, once the screen shows what the
    change left (``change_shown()``), hands them on in order, to whatever has the focus
    then. So `> > >` moves a deal three stages on, `>` then `w` closes the deal just
    moved, `m j enter` opens the second of my deals, and a key typed after one that
    opened a form lands in the form; no key is dropped. A change that failed or was
    refused (``change_failed()``, ``forget_waiting()``) forgets the keys typed after it:
    they counted on it. An action called some other way while a change is on its way
    (not by a key) waits too: ``waits_for_change(action)`` keeps it for ``change_shown``.
    """

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.change_on_its_way = False
        self.changes_waiting: deque[Callable[[], None]] = deque()

    @property
    def changing(self) -> bool:
        return self.change_on_its_way

    @changing.setter
    def changing(self, value: bool) -> None:
        if value == self.change_on_its_way:
            return
        self.change_on_its_way = value
        if value:
            self.app.hold_keys()
        else:
            self.app.release_keys()

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

    def forget_waiting(self) -> None:
        """The change was refused: what was typed after it counted on it."""
        self.changes_waiting.clear()
        if self.changing:
            self.app.drop_held_keys()

    def change_failed(self) -> None:
        self.forget_waiting()
        self.changing = False


class DataModal(ModalScreen[ResultType], FailsSoftly):
    """The base of a form or dialog that reads or writes CRM data."""

    if TYPE_CHECKING:
        @property
        def app(self) -> CrmApp: ...
