"""Screen 2: customers. The list, and the selected customer's detail with its deals."""

from __future__ import annotations

from collections.abc import Callable

from textual import events, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.timer import Timer
from textual.widgets import Collapsible, Header, OptionList, Static
from textual.widgets.option_list import OptionDoesNotExist

from tui_crm.core import customers, deals, leads
from tui_crm.core.errors import CrmError
from tui_crm.core.settings import get_settings
from tui_crm.ui.footer_keys import KeyFooter, refresh_keys
from tui_crm.ui.screens.base import DataScreen
from tui_crm.ui.widgets.deal_lines import (
    CustomerDetail,
    deal_options,
    detail_text,
    show_text,
    totals_text,
)
from tui_crm.ui.widgets.filtered_list import FilteredList
from tui_crm.ui.widgets.record_forms import CustomerForm
from tui_crm.ui.widgets.record_list import Column, PagedSource, RecordList

NARROW = 100  # below this width the detail goes under the list
DETAIL_WHILE_TYPING_S = 0.3  # while a search is typed, the detail waits for a pause

# Names get the room first: beside the detail panel (which shows the e-mail) the list
# keeps Name and Company.
CUSTOMER_COLUMNS = [
    Column("Name", lambda customer: customer.name, min_width=30),
    Column("Company", lambda customer: customer.company, min_width=20, priority=1),
    Column("E-mail", lambda customer: customer.email, min_width=24, priority=2),
    Column("Updated", lambda customer: f"{customer.updated_at:%Y-%m-%d}", width=10,
           priority=3),
]

CUSTOMER_SOURCE = PagedSource(
    count=customers.count_customers,
    page=lambda search, offset, limit, after: customers.list_customers(
        search, offset, limit, after=(after.name, after.id) if after else None),
    position=customers.customer_position,
)


class CustomersScreen(DataScreen):
    BINDINGS = [
        Binding("n", "new_customer", "New customer", id="customers.new"),
        Binding("enter", "edit_customer", "Edit", id="customers.edit"),
        Binding("o", "add_opportunity", "Add opportunity", id="customers.add_opportunity"),
        Binding("escape", "back_to_list", "Back to the list", id="customers.back"),
        Binding("d,delete", "delete_deal", "Delete deal", show=False, id="customers.delete_deal"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.detail: CustomerDetail | None = None
        self._detail_timer: Timer | None = None
        self._detail_shown = False
        self._detail_drawn: object = ()  # the detail on screen (none drawn yet)

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="customers-body"):
            yield FilteredList(CUSTOMER_COLUMNS, CUSTOMER_SOURCE, noun="customers",
                               id="customers",
                               empty_text="No customers yet: press n to add one, or promote "
                                          "a lead (c on the Leads screen).")
            with VerticalScroll(id="customer-detail"):
                yield Static("", id="customer-fields")
                with Collapsible(title="Opportunities", collapsed=False, id="customer-deals"):
                    yield Static("", id="deal-totals")
                    yield OptionList(id="deal-list", compact=True)
        yield KeyFooter()

    @property
    def customer_list(self) -> FilteredList:
        return self.query_one("#customers", FilteredList)

    @property
    def selected(self):
        return self.customer_list.records.highlighted

    def on_resize(self, event: events.Resize) -> None:
        self.set_class(event.size.width < NARROW, "-narrow")

    def reload(self) -> None:
        """Query again what is shown; the cursor stays on its customer."""
        self.customer_list.reload()
        self._show_detail()

    def show_record(self, customer_id: int) -> None:
        """Put the cursor on a customer (clearing a search that hides it)."""
        self.customer_list.show_record(customer_id)

    # -- the detail panel ---------------------------------------------------------

    def on_record_list_highlighted(self, event: RecordList.Highlighted) -> None:
        refresh_keys(self, "edit_customer", "add_opportunity")
        if self._detail_timer is not None:
            self._detail_timer.stop()
            self._detail_timer = None
        if self.customer_list.searching:
            # Each key typed brings another top match: reading and drawing the detail
            # of every one keeps the screen busy behind the typing. It follows once the
            # typing pauses.
            self._wait_for_pause()
        elif not self._detail_shown:
            # The screen's first frame shows the list; the first customer's detail is
            # read after it, not in a thread competing with drawing it.
            self._detail_shown = True
            self.call_after_refresh(self._show_detail)
        else:
            self._show_detail()

    def on_record_list_loaded(self, event: RecordList.Loaded) -> None:
        if self._detail_timer is not None:  # a key typed, the same top match: still typing
            self._wait_for_pause()

    def _wait_for_pause(self) -> None:
        if self._detail_timer is not None:
            self._detail_timer.stop()
        self._detail_timer = self.set_timer(DETAIL_WHILE_TYPING_S, self._detail_after_pause)

    def _detail_after_pause(self) -> None:
        self._detail_timer = None
        self._show_detail()

    def _show_detail(self) -> None:
        row = self.selected
        self._load_detail(row.id if row is not None else None)

    @work(thread=True, exclusive=True, exit_on_error=False, group="customer-detail")
    def _load_detail(self, customer_id: int | None) -> None:
        detail = None
        if customer_id is not None:
            try:
                customer = customers.get_customer(customer_id)
                lead = leads.get_lead(customer.lead_id) if customer.lead_id else None
                detail = CustomerDetail(customer, lead, customers.customer_totals(customer_id),
                                        deals.deals_of(customer_id=customer_id),
                                        get_settings())
            except CrmError:
                detail = None  # deleted meanwhile: the list's next reload drops it
        self.app.call_from_thread(self._detail_loaded, customer_id, detail)

    def _detail_loaded(self, customer_id: int | None, detail: CustomerDetail | None) -> None:
        with self.app.batch_update():  # the panel's parts go out in one frame
            self._show_loaded_detail(customer_id, detail)

    def _show_loaded_detail(self, customer_id: int | None, detail: CustomerDetail | None
                            ) -> None:
        current = self.selected
        if (current.id if current is not None else None) != customer_id:
            return  # the cursor moved on meanwhile
        self.detail = detail
        if detail == self._detail_drawn:
            return  # a reload that read the same: nothing to repaint
        self._detail_drawn = detail
        # Only what changed is repainted: texts are compared, and the deal list fills
        # the panel (app.tcss), so another customer's deals do not move the panel.
        show_text(self.query_one("#customer-fields", Static), detail_text(detail))
        section = self.query_one("#customer-deals", Collapsible)
        if section.display != (detail is not None):  # setting it repaints the section
            section.display = detail is not None
        if detail is None:
            return
        section.title = f"Opportunities ({len(detail.deals)})"
        show_text(self.query_one("#deal-totals", Static), totals_text(detail))
        deal_list = self.query_one("#deal-list", OptionList)
        highlighted = deal_list.highlighted_option
        deal_list.set_options(deal_options(detail))  # one change of its height, not two
        if highlighted is not None and highlighted.id:
            try:
                deal_list.highlighted = deal_list.get_option_index(highlighted.id)
            except (LookupError, OptionDoesNotExist):
                pass  # that deal is gone (deleted, or moved to another customer)

    # -- actions ------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("edit_customer", "add_opportunity"):
            return self.selected is not None
        if action == "delete_deal":
            return self._highlighted_deal() is not None
        if action == "back_to_list":
            return self.focused is not None \
                and self.customer_list not in self.focused.ancestors_with_self
        return True

    def on_descendant_focus(self) -> None:
        self.refresh_bindings()

    def action_back_to_list(self) -> None:
        self.set_focus(self.customer_list.records)

    def action_new_customer(self) -> None:
        self.app.push_screen(CustomerForm(), self._saved)

    def action_edit_customer(self) -> None:
        if self.selected is not None:
            self.app.push_screen(CustomerForm(self.selected.id), self._saved)

    def _saved(self, customer_id: int | None) -> None:
        if customer_id is not None:
            self.customer_list.reload(customer_id)
            self._show_detail()

    def action_add_opportunity(self) -> None:
        from tui_crm.ui.widgets.deal_form import DealForm

        if self.selected is not None:
            self.app.push_screen(DealForm(customer_id=self.selected.id), self._deal_saved)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        from tui_crm.ui.widgets.deal_form import DealForm

        event.stop()
        if event.option.id and event.option.id.startswith("deal-"):
            deal_id = int(event.option.id.removeprefix("deal-"))
            self.app.push_screen(DealForm(deal_id), self._deal_saved)

    def _highlighted_deal(self):
        """The deal under the cursor of the detail's deal list, when that has focus."""
        deal_list = self.query_one("#deal-list", OptionList)
        option = deal_list.highlighted_option
        if self.focused is not deal_list or option is None or self.detail is None \
                or not (option.id or "").startswith("deal-"):
            return None
        deal_id = int(option.id.removeprefix("deal-"))
        return next((deal for deal in self.detail.deals if deal.id == deal_id), None)

    def action_delete_deal(self) -> None:
        from tui_crm.ui.widgets.dialogs import (
            DELETE,
            MARK_LOST,
            delete_deal_dialog,
            lost_reason_prompt,
        )

        deal = self._highlighted_deal()
        if deal is None:
            return

        def reason_given(reason: str | None) -> None:
            if reason is not None:
                self._change_deal(lambda: deals.close_lost(deal.id, reason, deal.version))

        def answered(answer: str | None) -> None:
            if answer == MARK_LOST:
                self.app.push_screen(lost_reason_prompt(deal.name), reason_given)
            elif answer == DELETE:
                self._change_deal(lambda: deals.delete_deal(deal.id))

        self.app.push_screen(delete_deal_dialog(deal.name, deal.is_open), answered)

    @work(thread=True, exit_on_error=False, group="customer-deal-change")
    def _change_deal(self, change: Callable[[], object]) -> None:
        try:
            change()
            problem = ""
        except CrmError as exc:
            problem = str(exc)
        self.app.call_from_thread(self._deal_changed, problem)

    def _deal_changed(self, problem: str) -> None:
        if problem:
            self.notify(problem, title="Not changed", severity="warning", markup=False)
        self._show_detail()

    def _deal_saved(self, deal_id: int | None) -> None:
        if deal_id is not None:
            self._show_detail()
