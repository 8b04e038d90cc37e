"""The one pattern of a data screen: read and write in workers, fail in one sentence.

A data screen (or a form, a dialog) declares its typed app, reads and writes in
thread workers (``@work(thread=True, exclusive=True, exit_on_error=False,
group=...)``) whose results come back as typed Messages or through
``call_from_thread`` (a thread never touches a widget), and leaves failures to the
one handler of ``ui.workers.FailsSoftly``.
"""

from __future__ import annotations

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


class DataModal(ModalScreen[ResultType], FailsSoftly):
    """The base of a form or dialog that reads or writes CRM data."""

    if TYPE_CHECKING:
        @property
        def app(self) -> CrmApp: ...
