"""The footer: the keys of the screen on one line, redrawn only when they change.

Textual's Footer is a widget per key, all rebuilt (unmounted, made, styled, mounted)
whenever the screen's bindings change: when a screen opens, when the focus moves, when
a list loads or its cursor moves. That took a fifth of the time the app needed to
draw its first screen, and as long again at each change. ``KeyFooter`` shows the same
keys, in the same order and style, as one line of text: a change is a repaint. A
click on a key presses it, as in Textual's footer.

``refresh_keys`` asks for that repaint only when the keys' state has changed.
"""

from __future__ import annotations

from weakref import WeakKeyDictionary

from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.dom import DOMNode
from textual.screen import Screen
from textual.widget import Widget

_shown: WeakKeyDictionary[DOMNode, tuple] = WeakKeyDictionary()

PALETTE_RULE = "▏"


def refresh_keys(node: DOMNode, *actions: str) -> None:
    """Refresh ``node``'s bindings if one of ``actions`` changed state since last time."""
    state = tuple(node.check_action(action, ()) for action in actions)
    if _shown.get(node) != state:
        _shown[node] = state
        node.refresh_bindings()


class KeyFooter(Widget, can_focus=False):
    """The screen's keys (those shown in a footer), then the command palette's key."""

    ALLOW_SELECT = False
    COMPONENT_CLASSES = {"key-footer--key", "key-footer--description", "key-footer--rule"}
    DEFAULT_CSS = """
    KeyFooter {
        dock: bottom;
        height: 1;
        color: $footer-foreground;
        background: $footer-background;
    }
    KeyFooter > .key-footer--key {
        color: $footer-key-foreground;
        background: $footer-key-background;
        text-style: bold;
    }
    KeyFooter > .key-footer--description {
        color: $footer-description-foreground;
        background: $footer-description-background;
    }
    KeyFooter > .key-footer--rule { color: $foreground 20%; }
    """

    def __init__(self) -> None:
        super().__init__()
        self._places: list[tuple[int, int, Binding, bool]] = []  # cells of each key drawn

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self._bindings_changed)

    def _bindings_changed(self, screen: Screen) -> None:
        self.refresh()

    def keys(self) -> list[tuple[Binding, bool]]:
        """The keys shown, each with whether it applies now: one per action, the
        screen's and its widgets' first, as Textual's footer lists them."""
        shown: dict[str, tuple[Binding, bool]] = {}
        palette = self.app.COMMAND_PALETTE_BINDING
        for key, (_node, binding, enabled, _tip) in self.screen.active_bindings.items():
            if binding.show and key != palette and binding.action not in shown:
                shown[binding.action] = (binding, enabled)
        return list(shown.values())

    def render(self) -> Text:
        style = self.get_component_rich_style
        key_style, description_style = style("key-footer--key"), style("key-footer--description")
        width = self.size.width
        palette = self._palette()
        room = width - (palette.cell_len if palette else 0)
        line = Text(no_wrap=True, overflow="crop", end="")
        self._places = []
        for binding, enabled in self.keys():
            start = line.cell_len
            if start >= room:
                break
            line.append_text(Text.assemble(
                (f" {self.app.get_key_display(binding)} ", key_style),
                (f"{binding.description} ", description_style),
                style="" if enabled else "dim"))
            self._places.append((start, min(line.cell_len, room), binding, enabled))
        line.truncate(room, pad=palette is not None)
        if palette is not None:
            line.append_text(palette)
        return line

    def _palette(self) -> Text | None:
        active = self.screen.active_bindings.get(self.app.COMMAND_PALETTE_BINDING)
        if not self.app.ENABLE_COMMAND_PALETTE or active is None:
            return None
        binding = active.binding
        style = self.get_component_rich_style
        return Text.assemble((PALETTE_RULE, style("key-footer--rule")),
                             (f" {self.app.get_key_display(binding)} ",
                              style("key-footer--key")),
                             (f"{binding.description} ", style("key-footer--description")))

    def on_mouse_down(self, event: events.MouseDown) -> None:
        for start, end, binding, enabled in self._places:
            if start <= event.x < end:
                if enabled:
                    self.app.simulate_key(binding.key)
                else:
                    self.app.bell()
                return
        palette = self._palette()
        if palette is not None and event.x >= self.size.width - palette.cell_len:
            self.app.simulate_key(self.app.COMMAND_PALETTE_BINDING)
