"""Screen 5: Today, the queue of what to do, most urgent first.

One list, grouped by reason in the core's order (overdue activities, due today, deals
without a next step, rotting deals, past close dates, no close date), paged like every
list (``core.today.queue`` by key). Each key acts on the line under the cursor, in a
worker; the list then reads the queue again and the cleared line is gone, the cursor
on the line that took its place. Keys typed while a change is on its way wait for it
(the app holds them), so a burst acts on what the change left: `z z z` snoozes one
line after the other, and `space` then the next step's subject and `ctrl+s` fill the
form that `space` opens.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.reactive import reactive
from textual.widgets import Header, Static
from textual.worker import Worker

from tui_crm.core import activities, changelog, deals, today
from tui_crm.core.dates import format_date
from tui_crm.core.errors import CrmError
from tui_crm.core.faults import is_fault
from tui_crm.core.today import QueueItem
from tui_crm.ui.footer_keys import KeyFooter
from tui_crm.ui.screens.base import ChangesInTurn, DataScreen
from tui_crm.ui.text import safe
from tui_crm.ui.widgets.record_list import Column, PagedSource, RecordList

ACTIVITY_REASONS = ("overdue_activity", "due_today")


def _what(item: QueueItem) -> str:
    return item.subject if item.activity_id is not None else item.deal_name


def _for(item: QueueItem) -> str:
    names = [item.deal_name] if item.activity_id is not None else []
    return " · ".join(name for name in [*names, item.parent] if name)


# The reason and the record get the room first: in narrow terminals Due, then Owner
# hide. The user's own queue has no Owner column: it would say their name on every line.
TODAY_COLUMNS = [
    Column("Why", QueueItem.why, min_width=24),
    Column("What", _what, min_width=18),
    Column("For", _for, min_width=14, priority=1),
    Column("Owner", lambda item: item.owner, width=10, priority=2),
    Column("Due", lambda item: format_date(item.due), width=10, priority=3),
]
MINE_COLUMNS = [column for column in TODAY_COLUMNS if column.title != "Owner"]


class TodayScreen(ChangesInTurn, DataScreen):
    BINDINGS = [
        Binding("space", "done", "Done", id="today.done"),
        Binding("a", "new_activity", "Activity", id="today.activity"),
        Binding("z", "snooze(1)", "Snooze", id="today.snooze"),
        Binding("Z", "snooze(7)", "Next week", key_display="Z", id="today.snooze_week"),
        Binding("c", "close_date", "Close date", id="today.close_date"),
        Binding("x", "close_lost", "Lost", id="today.close_lost"),
        Binding("enter", "open_deal", "Open", id="today.open"),
        Binding("m", "toggle_mine", "Mine", id="today.mine"),
    ]
    # The line under the cursor: which keys apply to it.
    item: reactive[QueueItem | None] = reactive(None, bindings=True, repaint=False)
    mine: reactive[bool] = reactive(False, repaint=False, init=False)

    def __init__(self) -> None:
        super().__init__()
        self.user = changelog.current_user()
        self.counts: dict[str, int] = {}
        self.source = PagedSource(count=self._count, page=self._page,
                                  position=lambda record_id, search: None)

    # -- the queue as a paged source (called in the list's worker threads) -------------

    @property
    def owner(self) -> str | None:
        return self.user if self.mine else None

    def _count(self, search: str) -> int:
        self.counts = today.counts(self.owner)
        return sum(self.counts.values())

    def _page(self, search: str, offset: int, limit: int, after: QueueItem | None) -> list:
        if after is not None:
            return today.queue(self.owner, after=after.key, limit=limit)
        # A jump (the scrollbar, the end key) with no line known before the page: the
        # queue up to it (the counts stop at their cap, so this is bounded too).
        items = today.queue(self.owner, limit=offset + limit)[offset:]
        if not offset and len(items) < limit:  # the whole queue: the list counts no more
            found = Counter(item.reason for item in items)
            self.counts = {reason: found[reason] for reason in today.REASONS}
        return items

    # -- composing and reading ---------------------------------------------------------

    def compose(self) -> ComposeResult:
        # Part of the first screenful: "mine only" is on when the deals have several
        # owners (two steps through the owner index).
        try:
            several = len(today.deal_owners(limit=2)) > 1
        except Exception as exc:
            if not is_fault(exc):
                raise
            several = False  # the list's own read says what is wrong
        self.set_reactive(TodayScreen.mine, several)
        yield Header()
        yield RecordList(self.queue_columns(), self.source, id="today-list",
                         empty_text=self.empty_text())
        yield Static("", id="today-status", markup=False)
        yield KeyFooter()

    @property
    def queue_list(self) -> RecordList:
        return self.query_one("#today-list", RecordList)

    def on_mount(self) -> None:
        self.queue_list.focus()

    def reload(self) -> None:
        """Read the queue again; the cursor stays where it was."""
        self.queue_list.reload()

    @on(RecordList.Highlighted, "#today-list")
    def highlighted(self, event: RecordList.Highlighted) -> None:
        self.item = event.row

    @on(RecordList.Loaded, "#today-list")
    def loaded(self, event: RecordList.Loaded) -> None:
        self.item = self.queue_list.highlighted
        self.show_status(event.count)
        if self.changing:  # the queue as the change left it: the next key may act
            self.change_shown()

    def show_status(self, count: int) -> None:
        def more(number: int) -> str:  # a count stops at its cap: "10,000+"
            return f"{number:,}+" if number >= today.COUNT_CAP else f"{number:,}"

        capped = any(number >= today.COUNT_CAP for number in self.counts.values())
        line = Text()
        if self.mine:  # first: in a narrow terminal the counts' end is cut, not this
            line.append("Mine only (")
            line.append_text(safe(self.user))
            line.append("; m shows everyone's) · ")
        line.append(f"{count:,}{'+' if capped else ''} to do" if count else "Nothing to do")
        groups = [f"{today.TITLES[reason]} {more(number)}"
                  for reason, number in self.counts.items() if number]
        if groups:
            line.append(": " + ", ".join(groups))
        self.query_one("#today-status", Static).update(line)

    def queue_columns(self) -> list[Column]:
        return MINE_COLUMNS if self.mine else TODAY_COLUMNS

    def watch_mine(self) -> None:
        self.queue_list.empty_text = self.empty_text()
        self.queue_list.set_columns(self.queue_columns())
        self.queue_list.reload()

    def empty_text(self) -> str:
        if self.mine:
            return "Nothing of yours to do today: m shows everyone's queue."
        return "Nothing to do today: every deal has its next step."

    # -- which keys apply ----------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        item = self.item
        if action in ("done", "new_activity", "snooze", "close_date", "close_lost",
                      "open_deal") and item is None:
            return None
        # Keys that do not apply to the line hide, so the footer lists those that do.
        if action == "done":
            return item.activity_id is not None or item.reason == "no_next_step"
        if action == "snooze":
            return item.activity_id is not None
        if action in ("close_date", "close_lost", "open_deal"):
            return item.deal_id is not None
        return True

    # -- the keys ------------------------------------------------------------------------

    def action_done(self) -> None:
        item = self.item
        if self.waits_for_change(self.action_done) or item is None:
            return
        if item.activity_id is None:
            self.ask_next_step(item)
            return
        self.change(lambda: activities.complete_activity(item.activity_id),
                    then=lambda: self.ask_next_step(item))

    def ask_next_step(self, item: QueueItem) -> None:
        """After a line is done: the deal's (else the customer's or lead's) next step."""
        from tui_crm.ui.widgets.activity_form import ActivityForm

        self.app.push_screen(ActivityForm(**self.about(item), next_step=True),
                             self.activity_saved)

    @staticmethod
    def about(item: QueueItem) -> dict:
        if item.deal_id is not None:
            return {"deal_id": item.deal_id, "about": item.deal_name}
        if item.customer_id is not None:
            return {"customer_id": item.customer_id, "about": item.customer or ""}
        return {"lead_id": item.lead_id, "about": item.lead or ""}

    def action_new_activity(self) -> None:
        from tui_crm.ui.widgets.activity_form import ActivityForm

        item = self.item
        if self.waits_for_change(self.action_new_activity) or item is None:
            return
        self.app.push_screen(ActivityForm(**self.about(item)), self.activity_saved)

    def activity_saved(self, activity_id: int | None) -> None:
        if activity_id is not None:
            self.notify("Activity saved.")
        self.changing = True  # the queue read again before the next key acts
        self.reload()
        self.app.refresh_overdue()

    def action_snooze(self, days: int) -> None:
        item = self.item
        if self.waits_for_change(lambda: self.action_snooze(days)) or item is None \
                or item.activity_id is None:
            return
        self.change(lambda: activities.snooze_activity(item.activity_id, days))

    def action_close_date(self) -> None:
        from tui_crm.ui.widgets.date_prompt import DatePicked, DatePrompt

        item = self.item
        if self.waits_for_change(self.action_close_date) or item is None \
                or item.deal_id is None:
            return
        title = Text("Expected close date: ")
        title.append_text(safe(item.deal_name, style="bold"))

        def picked(answer: DatePicked | None) -> None:
            if answer is not None:
                self.change(lambda: deals.update_deal(item.deal_id,
                                                      {"close_date": answer.date}))

        self.app.push_screen(DatePrompt(title, "When will it close?",
                                        value=format_date(item.due) if item.due else ""),
                             picked)

    def action_close_lost(self) -> None:
        from tui_crm.ui.widgets.dialogs import lost_reason_prompt

        item = self.item
        if self.waits_for_change(self.action_close_lost) or item is None \
                or item.deal_id is None:
            return

        def reason_given(reason: str | None) -> None:
            if reason is not None:
                self.change(lambda: deals.close_lost(item.deal_id, reason))

        self.app.push_screen(lost_reason_prompt(item.deal_name), reason_given)

    def action_open_deal(self) -> None:
        from tui_crm.ui.widgets.deal_form import DealForm

        item = self.item
        if self.waits_for_change(self.action_open_deal) or item is None \
                or item.deal_id is None:
            return
        self.app.push_screen(DealForm(item.deal_id), lambda _: self.reload())

    def action_toggle_mine(self) -> None:
        if self.waits_for_change(self.action_toggle_mine):
            return
        self.mine = not self.mine

    # -- writing -------------------------------------------------------------------------

    def change(self, write: Callable[[], object], then: Callable[[], None] | None = None
               ) -> None:
        """Run one change of the line in a worker; then read the queue again."""
        self.changing = True
        self.write_change(write, then)

    @work(thread=True, exit_on_error=False, group="today-change")
    def write_change(self, write: Callable[[], object], then: Callable[[], None] | None
                     ) -> None:
        try:
            with self.app.own_change():
                write()
        except CrmError as exc:
            self.post_message(self.Written(str(exc), None))
        else:
            self.post_message(self.Written("", then))

    class Written(Message, bubble=False):
        """A change of a line written (``problem``: refused, and why); ``then`` runs
        after it."""

        def __init__(self, problem: str, then: Callable[[], None] | None) -> None:
            super().__init__()
            self.problem, self.then = problem, then

    @on(Written)
    def changed(self, message: Written) -> None:
        problem, then = message.problem, message.then
        if problem:
            self.notify(problem, title="Not changed", severity="warning", markup=False)
            self.forget_waiting()  # what was typed next counted on this change
        self.app.saw_own_change(self)
        self.app.refresh_overdue()
        if then is not None:  # the next step asked first: the queue is read once it is
            then()            # answered (``activity_saved``), not behind the dialog too
            # The keys typed meanwhile go to the form, once it is up.
            self.app.screen.call_later(self.change_shown)
            return
        self.reload()  # ``loaded`` shows the change: the keys typed meanwhile go on

    @on(RecordList.LoadFailed, "#today-list")
    def load_failed(self) -> None:
        if self.changing:  # the queue cannot show what the change left
            self.change_failed()

    def worker_failed(self, worker: Worker, message: str) -> None:
        if worker.group == "today-change":
            self.change_failed()
        super().worker_failed(worker, message)
