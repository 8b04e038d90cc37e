"""The customer's deal list in the detail panel, with the keys that act on its deal.

One `tab` from the customer list focuses it with the first deal highlighted. Its keys
(edit, delete, stage moves, won, lost) are the screen's actions on the highlighted
deal (``CustomersScreen.deal``): they show in the footer and the help screen while
the list has the focus.
"""

from __future__ import annotations

from textual.binding import Binding
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from tui_crm.core.records import DealRow


class DealList(OptionList):
    """A customer's deals: open first, then the won and lost history."""

    HELP_GROUP = "In the deal list"
    BINDINGS = [
        Binding("enter", "screen.edit_deal", "Edit deal", id="customer_deals.edit"),
        Binding(">,shift+right", "screen.step_deal(1)", "Next stage",
                id="customer_deals.next_stage"),
        Binding("<,shift+left", "screen.step_deal(-1)", "Prev stage",
                id="customer_deals.previous_stage"),
        Binding("w", "screen.close_deal_won", "Won", id="customer_deals.close_won"),
        Binding("x", "screen.close_deal_lost", "Lost", id="customer_deals.close_lost"),
        Binding("d,delete", "screen.delete_deal", "Delete deal", id="customer_deals.delete"),
    ]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.deals: list[DealRow | None] = []  # the deal of each option (a heading: None)

    def show_deals(self, options: list[tuple[Option, DealRow | None]]) -> None:
        """Show these options (one change of the list's height, not two); the cursor
        stays on the deal it was on, when it is still listed."""
        kept = self.deal_at(self.highlighted)
        self.deals = [deal for _, deal in options]
        self.set_options([option for option, _ in options])
        if kept is not None:
            index = next((i for i, deal in enumerate(self.deals)
                          if deal is not None and deal.id == kept.id), None)
            if index is not None:
                self.highlighted = index

    def deal_at(self, index: int | None) -> DealRow | None:
        """The deal at ``index`` (None on a heading or nothing)."""
        if index is None or not 0 <= index < len(self.deals):
            return None
        return self.deals[index]

    def first_deal(self) -> int | None:
        """The index of the first deal (headings are not deals), or None."""
        return next((index for index in range(self.option_count)
                     if not self.get_option_at_index(index).disabled), None)
