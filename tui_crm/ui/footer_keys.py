"""The footer's keys, built once and refreshed only when what they offer has changed.

Textual's Footer rebuilds every key widget on each ``refresh_bindings`` (tens of
milliseconds, more on a busy machine), and lists call it on each load and cursor
move: while a search is typed that is several rebuilds on the way to the matches,
for keys that mostly stay as they were.

``KeyFooter`` is that footer made cheaper: a burst of binding changes (a screen
opening moves the focus, loads its data, enables its keys) rebuilds the keys once,
not once per change; and each key gets the footer's style before it is mounted
(Textual's start "compact" and are restyled once mounted: two restyles a key).
"""

from __future__ import annotations

from weakref import WeakKeyDictionary

from textual.app import ComposeResult
from textual.dom import DOMNode
from textual.screen import Screen
from textual.widgets import Footer
from textual.widgets._footer import FooterKey

REBUILD_DELAY = 1 / 30  # seconds: changes within it (a screen opening) rebuild the keys once

_shown: WeakKeyDictionary[DOMNode, tuple] = WeakKeyDictionary()


def refresh_keys(node: DOMNode, *actions: str) -> None:
    """Refresh ``node``'s bindings if one of ``actions`` changed state since last time."""
    state = tuple(node.check_action(action, ()) for action in actions)
    if _shown.get(node) != state:
        _shown[node] = state
        node.refresh_bindings()


class KeyFooter(Footer):
    """Textual's footer, its keys rebuilt once per burst of changes and styled once."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self._rebuild_pending = False

    def bindings_changed(self, screen: Screen) -> None:
        self._bindings_ready = True
        if not screen.app.app_focus:
            return
        if self.is_attached and screen is self.screen and not self._rebuild_pending:
            self._rebuild_pending = True
            self.set_timer(REBUILD_DELAY, self._rebuild)

    async def _rebuild(self) -> None:
        self._rebuild_pending = False  # a change from here on asks for another rebuild
        await self.recompose()

    def compose(self) -> ComposeResult:
        for widget in super().compose():
            if isinstance(widget, FooterKey):
                widget.set_reactive(FooterKey.compact, self.compact)
                widget.set_class(self.compact, "-compact", update=False)
            yield widget
