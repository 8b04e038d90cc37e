"""The footer's keys are rebuilt only when what they offer changed."""

from __future__ import annotations

from tui_crm.ui.footer_keys import refresh_keys


class Node:
    def __init__(self):
        self.allowed = {"edit": True, "promote": False}
        self.refreshes = 0

    def check_action(self, action: str, parameters: tuple) -> bool | None:
        return self.allowed[action]

    def refresh_bindings(self) -> None:
        self.refreshes += 1


def test_keys_refresh_only_when_an_action_changes_state():
    node, other = Node(), Node()
    refresh_keys(node, "edit", "promote")
    refresh_keys(node, "edit", "promote")
    assert node.refreshes == 1, "the first call shows the keys, the same state again does not"
    node.allowed["promote"] = True
    refresh_keys(node, "edit", "promote")
    refresh_keys(node, "edit", "promote")
    assert node.refreshes == 2
    refresh_keys(other, "edit", "promote")
    assert other.refreshes == 1, "each node keeps its own state"
