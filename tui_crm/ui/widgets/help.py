"""`?`: every key of the current screen, grouped by where it works."""

from __future__ import annotations

from dataclasses import replace

from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Static

from tui_crm.ui.footer_keys import KeyFooter

EVERYWHERE = "Everywhere"
THIS_SCREEN = "This screen"


def _group(node: object) -> str:
    if isinstance(node, App):
        return EVERYWHERE
    if isinstance(node, Screen):
        return THIS_SCREEN
    return getattr(node, "HELP_GROUP", "Here")


def keys_label(app: App, binding: Binding) -> str:
    """Every key of ``binding``, as the footer shows keys: ``shift+→ >``, ``d del``."""
    if binding.key_display:
        return binding.key_display
    return " ".join(app.get_key_display(replace(binding, key=key.strip()))
                    for key in binding.key.split(","))


def screen_keys(app: App, screen: Screen) -> list[tuple[str, str, str, bool]]:
    """(group, key, description, available now) for every key of ``screen``.

    The keys of the focused widget and its containers, of the screen and of the
    app, including those that do not apply at this moment (say, edit on an empty
    list); only the CRM's own bindings (they all have an id).
    """
    active = {item.binding.id: item for item in screen.active_bindings.values()
              if item.binding.id}
    chain = list(screen.focused.ancestors_with_self) if screen.focused else [screen, app]
    keys: list[tuple[str, str, str, bool]] = []
    seen: set[str] = set()
    for node in chain:
        bindings = [binding for binding in node.BINDINGS if isinstance(binding, Binding)]
        bindings += [item.binding for item in active.values() if item.node is node]
        for binding in bindings:
            if binding.id and binding.description and binding.id not in seen:
                seen.add(binding.id)
                item = active.get(binding.id)
                keys.append((_group(node), keys_label(app, binding), binding.description,
                             item is not None and item.enabled))
    keys.append((EVERYWHERE, "^p", "Command palette", True))
    order = {THIS_SCREEN: 0, EVERYWHERE: 2}
    return sorted(keys, key=lambda entry: order.get(entry[0], 1))


class HelpScreen(ModalScreen[None]):
    """The keys of the screen it was opened from; `escape`, `?` or `q` closes it."""

    BINDINGS = [Binding("escape,question_mark,q", "dismiss", "Close", id="help.close")]

    def __init__(self, title: str, keys: list[tuple[str, str, str, bool]]):
        super().__init__(classes="dialog")
        self.title_text = title
        self.keys = keys

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog-box help-box"):
            yield Static(f"Keys: {self.title_text}", classes="dialog-title", markup=False)
            with VerticalScroll(classes="help-keys"):
                yield Static(self.key_table())
            yield Static("escape closes.  ctrl+p opens the command palette.",
                         classes="dialog-hint", markup=False)
        yield KeyFooter()

    def key_table(self) -> Group:
        """Each group under its heading, its keys in two columns to fit 80x24."""
        groups: dict[str, list[tuple[str, Text]]] = {}
        for group, key, description, available in self.keys:
            label = Text(description)
            if not available:
                label.append(" (not now)", style="italic")
            groups.setdefault(group, []).append((key, label))
        key_width = max((len(key) for _, key, _, _ in self.keys), default=1)
        parts: list[Text | Table] = []
        for group, entries in groups.items():
            parts.append(Text(group, style="bold underline"))
            table = Table.grid(padding=(0, 1))
            for _ in range(2):
                table.add_column(no_wrap=True, style="bold", width=key_width)
                table.add_column(width=25, no_wrap=True, overflow="ellipsis")
            for left, right in zip(entries[::2], [*entries[1::2], ("", Text(""))],
                                   strict=False):
                table.add_row(left[0], left[1], right[0], right[1])
            parts.append(table)
        return Group(*parts)
