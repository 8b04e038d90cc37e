"""The one screen of people records (leads, customers): the list, and beside it the
selected record's detail: its fields, its activities, and its deals with their keys.

``CustomersScreen`` and ``LeadsScreen`` say what differs: their kind, columns, source
and how their detail is read; the rest (the detail following the cursor, `tab` into
the deals, the deal keys, `d` delete and `M` merge) is here once.
"""

from __future__ import annotations

from collections.abc import Callable

from rich.text import Text
from textual import events, on, work
from textual.app import ComposeResult
from textual.containers import Horizontal, VerticalScroll
from textual.message import Message
from textual.reactive import reactive
from textual.timer import Timer
from textual.widgets import Collapsible, Header, OptionList, Static
from textual.worker import Worker

from tui_crm.core import activities, deals, merge, stages
from tui_crm.core.errors import CrmError
from tui_crm.core.lookup import RecordMatch
from tui_crm.core.paging import SortOrder
from tui_crm.core.records import DealRow
from tui_crm.ui.footer_keys import KeyFooter
from tui_crm.ui.screens.base import ChangesInTurn, DataScreen
from tui_crm.ui.text import safe
from tui_crm.ui.widgets.customer_deals import DealList
from tui_crm.ui.widgets.deal_lines import (
    RecordDetail,
    activities_text,
    deal_options,
    detail_text,
    show_text,
    totals_text,
)
from tui_crm.ui.widgets.filtered_list import FilteredList, ListFilter
from tui_crm.ui.widgets.record_list import Column, PagedSource, RecordList

NARROW = 100  # below this width the detail goes under the list
DETAIL_WHILE_TYPING_S = 0.3  # while a search is typed, the detail waits for a pause
ACTIVITIES_SHOWN = 5  # open ones, and as many of the log: a bounded read
MOVE, WITH_DEALS, DELETE, KEEP = "move", "with_deals", "delete", "keep"


def plural(count: int, noun: str, nouns: str = "") -> str:
    """``1 deal``, ``3 deals``; ``nouns`` when the plural is not noun + s."""
    return f"{count:,} {noun if count == 1 else nouns or noun + 's'}"


def named(before: str, name: str, after: str = "") -> Text:
    """``before“name”after``, the name shown literally."""
    text = Text(before)
    text.append("“")
    text.append_text(safe(name, style="bold"))
    text.append(f"”{after}")
    return text


class RecordScreen(ChangesInTurn, DataScreen):
    """A list of leads or customers with the highlighted one's detail panel."""

    KIND = "record"  # lead | customer
    COLUMNS: list[Column] = []
    # The rows in an order, of one filter value (a staticmethod: SortOrder, value ->
    # PagedSource); LIST_FILTER is what `f` cycles, if the records have one.
    SOURCE_FOR: Callable[[SortOrder, str | None], PagedSource]
    LIST_FILTER: ListFilter | None = None
    EMPTY_TEXT = ""
    DEAL_ACTIONS = ("edit_deal", "delete_deal", "step_deal", "close_deal_won",
                    "close_deal_lost")
    RECORD_ACTIONS = ("new_activity", "add_opportunity", "delete_record", "merge_record")

    # What the keys depend on: the record under the list's cursor, and the deal
    # under the deal list's cursor (its keys work while that list has the focus).
    record_id: reactive[int | None] = reactive(None, bindings=True, repaint=False)
    deal: reactive[DealRow | None] = reactive(None, bindings=True, repaint=False)

    def __init__(self) -> None:
        super().__init__()
        self.detail: RecordDetail | None = None
        self._detail_timer: Timer | None = None
        self._detail_shown = False
        self._detail_drawn: object = ()  # the detail on screen (none drawn yet)
        self.first_stage_id: int | None = None  # a deal there has no stage before it
        self.detail_reads = 0  # reads of the detail asked for; only the last is shown

    def compose(self) -> ComposeResult:
        kind = self.KIND
        yield Header()
        with Horizontal(id=f"{kind}s-body", classes="record-body"):
            yield FilteredList(self.COLUMNS, source_for=self.SOURCE_FOR,
                               list_filter=self.LIST_FILTER, noun=f"{kind}s", id=f"{kind}s",
                               empty_text=self.EMPTY_TEXT, positioned=True)
            with VerticalScroll(id=f"{kind}-detail", classes="record-detail",
                                can_focus=False):
                yield Static("", id=f"{kind}-fields", classes="record-fields")
                with Collapsible(title="Opportunities", collapsed=False, id=f"{kind}-deals",
                                 classes="record-deals"):
                    yield Static("", id="deal-totals")
                    yield DealList(id="deal-list", compact=True)
                yield from self.compose_people()
                yield Static("", id=f"{kind}-activities", classes="record-activities")
        yield KeyFooter()

    def compose_people(self) -> ComposeResult:
        """What the panel shows between the deals and the activities (a customer's
        contacts)."""
        yield from ()

    def show_people(self, detail: RecordDetail) -> None:
        """Fill what ``compose_people`` made, for the record shown."""

    def focus_people(self) -> bool:
        """Focus what ``compose_people`` made, if it has anything to select."""
        return False

    @property
    def record_list(self) -> FilteredList:
        return self.query_one(f"#{self.KIND}s", FilteredList)

    @property
    def selected(self):
        return self.record_list.records.highlighted

    def on_resize(self, event: events.Resize) -> None:
        self.set_class(event.size.width < NARROW, "-narrow")

    def reload(self) -> None:
        """Query again what is shown; the cursor stays on its record."""
        self.record_list.reload()
        self.show_detail()

    def show_record(self, record_id: int) -> None:
        """Put the cursor on a record (clearing a search or filter that hides it)."""
        self.record_list.show_record(record_id)

    def action_sort(self) -> None:
        """The next order: the next column shown, up then down (`s`)."""
        self.record_list.action_sort()

    def action_filter(self) -> None:
        """The next value of the list's filter: All, then each one (`f`)."""
        self.record_list.action_filter()

    # -- the detail panel ---------------------------------------------------------

    def on_record_list_highlighted(self, event: RecordList.Highlighted) -> None:
        self.record_id = event.row.id if event.row is not None else None
        self.record_highlighted(event.row)
        if self._detail_timer is not None:
            self._detail_timer.stop()
            self._detail_timer = None
        if self.record_list.searching:
            # Each key typed brings another top match: reading and drawing the detail
            # of every one keeps the screen busy behind the typing. It follows once the
            # typing pauses.
            self._wait_for_pause()
        elif not self._detail_shown:
            # The screen's first frame shows the list; the first record's detail is
            # read after it, not in a thread competing with drawing it.
            self._detail_shown = True
            self.call_after_refresh(self.show_detail)
        else:
            self.show_detail()

    def record_highlighted(self, row: object | None) -> None:
        """The list's cursor is on ``row`` (or on nothing)."""

    def on_record_list_loaded(self, event: RecordList.Loaded) -> None:
        if self._detail_timer is not None:  # a key typed, the same top match: still typing
            self._wait_for_pause()

    def _wait_for_pause(self) -> None:
        if self._detail_timer is not None:
            self._detail_timer.stop()
        self._detail_timer = self.set_timer(DETAIL_WHILE_TYPING_S, self._detail_after_pause)

    def _detail_after_pause(self) -> None:
        self._detail_timer = None
        self.show_detail()

    def show_detail(self) -> None:
        """Read the highlighted record's detail (in a worker) and show it."""
        row = self.selected
        self.detail_reads += 1
        self._load_detail(self.detail_reads, row.id if row is not None else None)

    @work(thread=True, exclusive=True, exit_on_error=False, group="record-detail")
    def _load_detail(self, number: int, record_id: int | None) -> None:
        detail, first_stage_id = self.read_detail_and_stage(record_id)
        self.post_message(self.DetailRead(number, record_id, detail, first_stage_id))

    class DetailRead(Message, bubble=False):
        """A record's detail and the first open stage, read in a worker; ``number``
        is the read's (a later read makes it out of date)."""

        def __init__(self, number: int, record_id: int | None, detail: RecordDetail | None,
                     first_stage_id: int | None) -> None:
            super().__init__()
            self.number, self.record_id, self.detail, self.first_stage_id = \
                number, record_id, detail, first_stage_id

    @on(DetailRead)
    def detail_read(self, message: DetailRead) -> None:
        if message.number == self.detail_reads:
            self._detail_loaded(message.record_id, message.detail, message.first_stage_id)

    def read_detail_and_stage(self, record_id: int | None
                              ) -> tuple[RecordDetail | None, int | None]:
        """The record's detail (None when there is none) and the first open stage's
        id (in a worker thread)."""
        detail = None
        if record_id is not None:
            try:
                detail = self.read_detail(record_id)
            except CrmError:
                detail = None  # deleted meanwhile: the list's next reload drops it
        first_stage = stages.open_stages()[:1]
        return detail, first_stage[0].id if first_stage else None

    def read_detail(self, record_id: int) -> RecordDetail:
        """The record with its deals, totals and activities (in a worker thread)."""
        raise NotImplementedError

    def activities_of(self, record_id: int) -> list:
        return activities.activities_of(**{f"{self.KIND}_id": record_id},
                                        limit=ACTIVITIES_SHOWN)

    def deals_of(self, record_id: int) -> list[DealRow]:
        return deals.deals_of(**{f"{self.KIND}_id": record_id})

    def _detail_loaded(self, record_id: int | None, detail: RecordDetail | None,
                       first_stage_id: int | None) -> None:
        self.first_stage_id = first_stage_id
        with self.app.batch_update():  # the panel's parts go out in one frame
            self._show_loaded_detail(record_id, detail)
        self.deal = self.deal_at(self.query_one(DealList).highlighted)

    def _show_loaded_detail(self, record_id: int | None, detail: RecordDetail | None
                            ) -> None:
        current = self.selected
        if (current.id if current is not None else None) != record_id:
            return  # the cursor moved on meanwhile
        self.detail = detail
        if detail == self._detail_drawn:
            return  # a reload that read the same: nothing to repaint
        self._detail_drawn = detail
        # Only what changed is repainted: texts are compared, and the deal list fills
        # the panel (app.tcss), so another record's deals do not move the panel.
        show_text(self.query_one(".record-fields", Static), detail_text(detail, self.KIND))
        activity_box = self.query_one(".record-activities", Static)
        if activity_box.display != (detail is not None):
            activity_box.display = detail is not None
        section = self.query_one(".record-deals", Collapsible)
        if section.display != (detail is not None):  # setting it repaints the section
            section.display = detail is not None
        if detail is None:
            return
        show_text(activity_box, activities_text(detail))
        self.show_people(detail)
        section.title = f"Opportunities ({len(detail.deals)})"
        show_text(self.query_one("#deal-totals", Static), totals_text(detail))
        self.query_one(DealList).show_deals(deal_options(detail))

    # -- which keys apply -----------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in self.RECORD_ACTIONS:
            return self.record_id is not None
        if action in self.DEAL_ACTIONS:
            return self.deal_action_applies(action, parameters)
        if action == "back_to_list":
            return self.focused is not None \
                and self.record_list not in self.focused.ancestors_with_self
        return True

    def deal_action_applies(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Whether a deal key applies to the highlighted deal (None: shown dimmed)."""
        deal = self.deal
        if deal is None:
            return None
        if action == "step_deal":
            forward = bool(parameters) and parameters[0] == 1
            applies = deal.is_open if forward else deal.stage_id != self.first_stage_id
        elif action == "close_deal_won":
            applies = deal.stage_kind != "won"
        elif action == "close_deal_lost":
            applies = deal.stage_kind != "lost"
        else:
            applies = True
        return applies or None

    def on_descendant_focus(self) -> None:
        self.refresh_bindings()

    # -- the record's keys --------------------------------------------------------------

    def action_back_to_list(self) -> None:
        self.set_focus(self.record_list.records)

    def record_saved(self, record_id: int | None) -> None:
        """A form closed: the list and the detail show what it saved."""
        if record_id is not None:
            self.record_list.reload(record_id)
            self.show_detail()

    def action_add_opportunity(self) -> None:
        from tui_crm.ui.widgets.deal_form import DealForm

        if self.selected is not None:
            self.app.push_screen(DealForm(**{f"{self.KIND}_id": self.selected.id}),
                                 self._deal_saved)

    def action_new_activity(self) -> None:
        """An activity for the highlighted deal (in the record's deals), else for the
        record."""
        from tui_crm.ui.widgets.activity_form import add_activity

        # Once saved, the screen reloads (the detail shows the activity).
        if self.deal is not None and isinstance(self.focused, DealList):
            add_activity(self.app, deal_id=self.deal.id, about=self.deal.name)
        elif self.selected is not None:
            add_activity(self.app, **{f"{self.KIND}_id": self.selected.id},
                         about=self.selected.name)

    def action_next_part(self) -> None:
        """From the record list: the deal list, its first deal highlighted."""
        deal_list = self.query_one(DealList)
        first = deal_list.first_deal()
        from_list = self.focused is not None \
            and self.record_list in self.focused.ancestors_with_self
        if from_list and first is None and self.focus_people():
            return  # no deals: the part after them
        if first is None or not from_list:
            self.focus_next()
            return
        deal_list.highlighted = first
        self.deal = self.deal_at(first)
        deal_list.focus()

    # -- delete and merge ---------------------------------------------------------------

    def action_delete_record(self) -> None:
        """Delete the highlighted record, after saying what becomes of its deals."""
        row = self.selected
        if row is not None:
            self._ask_delete(row.id, row.name, self.deal_count(row.id))

    def action_merge_record(self) -> None:
        """Merge the highlighted record into another one of its kind, picked by name."""
        from tui_crm.ui.widgets.pickers import RecordPicker

        row = self.selected
        if row is None:
            return

        def picked(match: RecordMatch | None) -> None:
            if match is not None:
                self._ask_merge(row.id, row.name, self.deal_count(row.id), match)

        self.app.push_screen(RecordPicker((self.KIND,), title=f"Merge “{row.name}” into…",
                                          parents=False, exclude=(self.KIND, row.id),
                                          can_create=False), picked)

    def deal_count(self, record_id: int) -> int:
        """How many deals the record has: its detail's totals (counted by SQL) when on
        view, so the question is asked at once, in the order keys were typed."""
        detail = self.detail
        if detail is None or detail.record.id != record_id:
            return merge.record_counts(self.KIND, record_id).deals  # one indexed count
        totals = detail.totals
        return totals.open_count + totals.won_count + totals.lost_count

    @property
    def along(self) -> str:
        return "activities and contacts" if self.KIND == "customer" else "activities"

    def _ask_delete(self, record_id: int, name: str, deal_count: int) -> None:
        from tui_crm.ui.widgets.dialogs import Choice, ChoiceDialog

        title = named(f"Delete the {self.KIND} ", name, "?")
        message = Text(f"It goes to the Trash with its {self.along}; u undoes it.")
        choices = [Choice(DELETE, "Delete", "d"), Choice(KEEP, "Keep it", "k")]
        if deal_count:
            message = Text(f"It has {plural(deal_count, 'deal')}: they go first. Move them "
                           "to another customer or lead (picked next), or delete them too "
                           f"(to the Trash, with it and its {self.along}). u undoes either.")
            choices = [Choice(MOVE, "Move its deals", "m"),
                       Choice(WITH_DEALS, "Delete with its deals", "d"),
                       Choice(KEEP, "Keep it", "k")]

        def answered(answer: str | None) -> None:
            if answer == MOVE:
                self._pick_deals_home(record_id, name)
            elif answer in (DELETE, WITH_DEALS):
                self.change_record(
                    lambda: merge.delete_record(self.KIND, record_id,
                                                with_deals=answer == WITH_DEALS),
                    named("Deleted ", name, " (u undoes it)."), None)

        self.app.push_screen(ChoiceDialog(title, message, choices, default=KEEP), answered)

    def _pick_deals_home(self, record_id: int, name: str) -> None:
        from tui_crm.ui.widgets.pickers import RecordPicker

        def picked(match: RecordMatch | None) -> None:
            if match is not None:
                self.change_record(
                    lambda: merge.delete_record(self.KIND, record_id,
                                                move_to=(match.kind, match.id)),
                    named("Deleted ", name, f"; its deals are {match.kind} "
                          f"“{match.name}”'s now (u undoes it)."), None)

        self.app.push_screen(RecordPicker(title=f"Move the deals of “{name}” to…",
                                          exclude=(self.KIND, record_id)), picked)

    def _ask_merge(self, record_id: int, name: str, deal_count: int,
                   into: RecordMatch) -> None:
        from tui_crm.ui.widgets.dialogs import ConfirmDialog

        title = named("Merge ", name, "")
        title.append_text(named(" into ", into.name, "?"))
        message = named(f"Its {plural(deal_count, 'deal')}, {self.along}, notes and "
                        "history move to ", into.name,
                        f"; this {self.KIND} goes to the Trash. u undoes it.")

        def confirmed(yes: bool | None) -> None:
            if yes:
                self.change_record(lambda: merge.merge_records(self.KIND, record_id, into.id),
                                   named("Merged into ", into.name, " (u undoes it)."),
                                   into.id)

        self.app.push_screen(ConfirmDialog(title, message, confirm="Merge",
                                           cancel="Keep both"), confirmed)

    def change_record(self, change: Callable[[], object], done: Text,
                      keep_id: int | None) -> None:
        """Write a delete or merge in a worker; then say so and show the list with the
        cursor on ``keep_id`` (or where it was)."""
        self._write_record_change(change, done, keep_id)

    @work(thread=True, exit_on_error=False, group="record-change")
    def _write_record_change(self, change: Callable[[], object], done: Text,
                             keep_id: int | None) -> None:
        try:
            change()
        except CrmError as exc:
            self.post_message(self.RecordChanged(Text(), keep_id, refused=str(exc)))
            return
        self.post_message(self.RecordChanged(done, keep_id))

    class RecordChanged(Message, bubble=False):
        """A delete or merge written (``done`` says what it did), or ``refused``."""

        def __init__(self, done: Text, keep_id: int | None, refused: str = "") -> None:
            super().__init__()
            self.done, self.keep_id, self.refused = done, keep_id, refused

    @on(RecordChanged)
    def record_changed(self, message: RecordChanged) -> None:
        if message.refused:
            self.notify(message.refused, title="Not changed", severity="warning",
                        markup=False)
            return
        done, keep_id = message.done, message.keep_id
        self.notify(done.plain, markup=False)
        self.record_list.reload(keep_id)
        self.show_detail()

    # -- the deal list's keys -----------------------------------------------------------

    def deal_at(self, index: int | None) -> DealRow | None:
        """The deal at ``index`` of the deal list (None on a heading or nothing)."""
        return self.query_one(DealList).deal_at(index) if self.detail is not None else None

    @on(OptionList.OptionHighlighted, "#deal-list")
    def deal_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        self.deal = self.deal_at(event.option_index)

    @on(OptionList.OptionSelected, "#deal-list")
    def deal_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()  # a click on a deal: edit it
        self.deal = self.deal_at(event.option_index)
        self.action_edit_deal()

    def action_edit_deal(self) -> None:
        from tui_crm.ui.widgets.deal_form import DealForm

        if self.deal is not None:
            self.app.push_screen(DealForm(self.deal.id), self._deal_saved)

    def action_step_deal(self, step: int) -> None:
        deal = self.deal
        if self.waits_for_change(lambda: self.action_step_deal(step)):
            return
        if deal is not None:
            self.change_deal(lambda: deals.step_deal(deal.id, step, deal.version))

    def action_close_deal_won(self) -> None:
        deal = self.deal
        if self.waits_for_change(self.action_close_deal_won):
            return
        if deal is not None:
            self.change_deal(lambda: deals.close_won(deal.id, deal.version))

    def action_close_deal_lost(self) -> None:
        from tui_crm.ui.widgets.dialogs import lost_reason_prompt

        deal = self.deal
        if self.waits_for_change(self.action_close_deal_lost) or deal is None:
            return

        def reason_given(reason: str | None) -> None:
            if reason is not None:
                self.change_deal(lambda: deals.close_lost(deal.id, reason, deal.version))

        self.app.push_screen(lost_reason_prompt(deal.name), reason_given)

    def action_delete_deal(self) -> None:
        from tui_crm.ui.widgets.dialogs import (
            DELETE,
            MARK_LOST,
            delete_deal_dialog,
            lost_reason_prompt,
        )

        deal = self.deal
        if self.waits_for_change(self.action_delete_deal) or deal is None:
            return

        def reason_given(reason: str | None) -> None:
            if reason is not None:
                self.change_deal(lambda: deals.close_lost(deal.id, reason, deal.version))

        def answered(answer: str | None) -> None:
            if answer == MARK_LOST:
                self.app.push_screen(lost_reason_prompt(deal.name), reason_given)
            elif answer == DELETE:
                self.change_deal(lambda: deals.delete_deal(deal.id))

        self.app.push_screen(delete_deal_dialog(deal.name, deal.is_open), answered)

    def change_deal(self, change: Callable[[], object]) -> None:
        """Run one change of the highlighted deal (one at a time: see
        ``ChangesInTurn``)."""
        self.changing = True
        row = self.selected
        self.detail_reads += 1  # reads asked for before the change show what it changed
        self._write_deal_change(change, self.detail_reads,
                                row.id if row is not None else None)

    @work(thread=True, exit_on_error=False, group="record-deal-change")
    def _write_deal_change(self, change: Callable[[], object], number: int,
                           record_id: int | None) -> None:
        """The change, then the detail as it left it, read in the same thread."""
        try:
            change()
            problem = ""
        except CrmError as exc:
            problem = str(exc)
        detail, first_stage_id = self.read_detail_and_stage(record_id)
        self.post_message(self.DealChanged(problem, self.DetailRead(
            number, record_id, detail, first_stage_id)))

    class DealChanged(Message, bubble=False):
        """A change of a deal of the panel written (``problem``: refused, and why),
        with the detail read after it."""

        def __init__(self, problem: str, read: RecordScreen.DetailRead) -> None:
            super().__init__()
            self.problem, self.read = problem, read

    @on(DealChanged)
    def deal_changed(self, message: DealChanged) -> None:
        if message.problem:
            self.notify(message.problem, title="Not changed", severity="warning",
                        markup=False)
            self.forget_waiting()  # what was typed next counted on this change
        self.detail_read(message.read)
        self.change_shown()

    def worker_failed(self, worker: Worker, message: str) -> None:
        if worker.group == "record-deal-change":
            self.change_failed()  # the keys kept counted on a change that did not happen
        super().worker_failed(worker, message)

    def _deal_saved(self, deal_id: int | None) -> None:
        if deal_id is not None:
            self.show_detail()
