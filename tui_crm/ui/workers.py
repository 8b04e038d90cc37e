"""Workers that fail softly: one handler turns any failed worker into one sentence.

Every screen, form and dialog that touches the database reads and writes in thread
workers declared ``@work(thread=True, exclusive=True, exit_on_error=False, group=...)``.
A worker that fails does not end the app: ``FailsSoftly`` handles
``Worker.StateChanged`` once for all of them and turns the error into one sentence
(``core.faults.explain``) shown where the user is: a notification on a screen, the
line under the fields in a form. A class that must undo some state of its own when a
worker fails (a "saving" flag) overrides ``worker_failed``.
"""

from __future__ import annotations

from textual import on
from textual.dom import DOMNode
from textual.worker import Worker, WorkerState

from tui_crm.core.faults import explain


class FailsSoftly(DOMNode):
    """A node whose failed workers say what went wrong instead of ending the app.

    ``Worker.StateChanged`` goes only to the node that started the worker, so each
    node that runs workers (screens, forms, lists) takes this in, after its Textual
    base (``class RecordList(ScrollView, FailsSoftly)``): Textual inherits styles
    along the first base.
    """

    @on(Worker.StateChanged)
    def worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state is WorkerState.ERROR and event.worker.error is not None:
            self.worker_failed(event.worker, explain(event.worker.error))

    def worker_failed(self, worker: Worker, message: str) -> None:
        """Show ``message`` (why ``worker`` failed, in one sentence)."""
        self.app.notify(message, title="Not done", severity="error", markup=False, timeout=8)

