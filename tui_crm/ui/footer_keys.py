"""Refreshing the footer's keys only when what they offer has changed.

Textual's Footer rebuilds every key widget on each ``refresh_bindings`` (tens of
milliseconds, more on a busy machine), and lists call it on each load and cursor
move: while a search is typed that is several rebuilds on the way to the matches,
for keys that mostly stay as they were.
"""

from __future__ import annotations

from weakref import WeakKeyDictionary

from textual.dom import DOMNode

_shown: WeakKeyDictionary[DOMNode, tuple] = WeakKeyDictionary()


def refresh_keys(node: DOMNode, *actions: str) -> None:
    """Refresh ``node``'s bindings if one of ``actions`` changed state since last time."""
    state = tuple(node.check_action(action, ()) for action in actions)
    if _shown.get(node) != state:
        _shown[node] = state
        node.refresh_bindings()
