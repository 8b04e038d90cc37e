"""The footer: the keys of the screen on one line, redrawn only when they change.

Textual's Footer is a widget per key, all rebuilt (unmounted, made, styled, mounted)
whenever the screen's bindings change: when a screen opens, when the focus moves, when
a list loads or its cursor moves. That took a fifth of the time the app needed to
draw its first screen, and as long again at each change. ``KeyFooter`` shows the same
keys, in the same order and style, as one line of text: a change is a repaint. A
click on a key presses it, as in Textual's footer.

`? Help` and `q Quit` are always shown, at the right end (beside the palette's key):
the screen's keys fill the room left, each one whole or not at all, and those that
do not fit are listed by the help screen.
"""

from __future__ import annotations

from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.screen import Screen
from textual.widget import Widget

PALETTE_RULE = "▏"
PINNED = ("app.help", "app.quit")  # binding ids always shown, at the right end


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
        self.places: list[tuple[int, int, Binding, bool]] = []  # cells of each key drawn
        self.drawn_keys: tuple = ()  # the keys (and their state) last drawn

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self._bindings_changed)

    def _bindings_changed(self, screen: Screen) -> None:
        # Bindings are refreshed on many changes (a cursor step, a focus move) that
        # leave the keys shown as they were: a repaint then sends the same line again.
        if self.shown_keys() != self.drawn_keys:
            self.refresh()

    def shown_keys(self) -> tuple:
        return tuple((binding.action, binding.key, binding.description, enabled)
                     for binding, enabled in self.keys())

    def key_text(self, binding: Binding, enabled: bool) -> Text:
        style = self.get_component_rich_style
        return Text.assemble((f" {self.app.get_key_display(binding)} ",
                              style("key-footer--key")),
                             (f"{binding.description} ", style("key-footer--description")),
                             style="" if enabled else "dim", end="")

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
        width = self.size.width
        keys = self.keys()
        self.drawn_keys = self.shown_keys()
        pinned = [(binding, on) for binding, on in keys if binding.id in PINNED]
        tail = Text(no_wrap=True, end="")
        for binding, enabled in pinned:
            tail.append_text(self.key_text(binding, enabled))
        palette = self._palette()
        if palette is not None:
            tail.append_text(palette)
        room = width - tail.cell_len
        line = Text(no_wrap=True, overflow="crop", end="")
        places = []
        for binding, enabled in keys:
            if binding.id in PINNED:
                continue
            text = self.key_text(binding, enabled)
            if line.cell_len + text.cell_len - 1 > room:  # its last cell is a space
                break  # the keys left are in the help screen
            places.append((line.cell_len, line.cell_len + text.cell_len, binding, enabled))
            line.append_text(text)
        line.truncate(room, pad=True)
        for binding, enabled in pinned:
            text = self.key_text(binding, enabled)
            places.append((line.cell_len, line.cell_len + text.cell_len, binding, enabled))
            line.append_text(text)
        if palette is not None:
            line.append_text(palette)
        line.truncate(width)
        self.places = places
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
                             (binding.description, style("key-footer--description")))

    def on_mouse_down(self, event: events.MouseDown) -> None:
        for start, end, binding, enabled in self.places:
            if start <= event.x < end:
                if enabled:
                    self.app.simulate_key(binding.key)
                else:
                    self.app.bell()
                return
        palette = self._palette()
        if palette is not None and event.x >= self.size.width - palette.cell_len:
            self.app.simulate_key(self.app.COMMAND_PALETTE_BINDING)
