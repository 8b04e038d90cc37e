"""The customer's deal list in the detail panel, with the keys that act on its deal.

One `tab` from the customer list focuses it with the first deal highlighted. Its keys
(edit, delete, stage moves, won, lost) are the screen's actions on the highlighted
deal (``CustomersScreen.deal``): they show in the footer and the help screen while
the list has the focus.
"""

from __future__ import annotations

from textual.binding import Binding
from textual.widgets import OptionList


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

    def first_deal(self) -> int | None:
        """The index of the first deal (headings are not deals), or None."""
        return next((index for index in range(self.option_count)
                     if not self.get_option_at_index(index).disabled), None)
