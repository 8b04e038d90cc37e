"""The Trash (command palette "Trash"): what was deleted, who deleted it and when;
`enter` puts the highlighted record back with what was deleted with it. Keys typed
while the list is read (as the dialog opens, after a restore) wait for it
(``ChangesInTurn``): `down down enter` typed in one burst restores the third record."""

from __future__ import annotations

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option
from textual.worker import Worker

from tui_crm.core.trash import TrashItem, list_trash, restore
from tui_crm.ui.footer_keys import KeyFooter
from tui_crm.ui.screens.base import ChangesInTurn, DataModal
from tui_crm.ui.text import safe

NOUNS = {"opportunity": "deal", "lead": "lead", "customer": "customer", "contact": "contact",
         "activity": "activity", "stage": "stage"}


def item_line(item: TrashItem) -> Text:
    line = Text(f"{NOUNS.get(item.entity, item.entity):<9}")
    line.append_text(safe(item.name or f"#{item.entity_id}", style="bold"))
    line.append(f"  deleted {item.deleted_at:%Y-%m-%d %H:%M} by ")
    line.append_text(safe(item.deleted_by or "someone"))
    if item.along:
        line.append(f"  (+{item.along} with it)", style="italic")
    return line


class TrashScreen(ChangesInTurn, DataModal[int | None]):
    """Deleted records, latest first; returns how many were restored."""

    BINDINGS = [
        Binding("enter", "restore", "Restore", id="trash.restore"),
        Binding("escape", "close", "Close", id="trash.close"),
    ]

    class Listed(Message):
        """The Trash's items, read in a worker."""

        def __init__(self, items: list[TrashItem]) -> None:
            super().__init__()
            self.items = items

    class Restored(Message):
        """An item put back, in a worker."""

        def __init__(self, item: TrashItem) -> None:
            super().__init__()
            self.item = item

    def __init__(self) -> None:
        super().__init__(classes="dialog")
        self.items: list[TrashItem] = []
        self.restored = 0

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog-box trash-box"):
            yield Static("Trash", classes="dialog-title")
            yield OptionList(id="trash-items", compact=True)
            yield Static("enter restores the highlighted record (with its activities); "
                         "escape closes", classes="dialog-hint", markup=False)
        yield KeyFooter()

    def on_mount(self) -> None:
        self.query_one(OptionList).focus()
        self.changing = True  # the keys typed meanwhile act on the list, once it is read
        self._read()

    @work(thread=True, exclusive=True, exit_on_error=False, group="trash")
    def _read(self) -> None:
        self.post_message(self.Listed(list_trash()))

    @on(Listed)
    def show_items(self, message: Listed) -> None:
        self.items = message.items
        options = self.query_one(OptionList)
        options.clear_options()
        if self.items:
            options.add_options([Option(item_line(item), id=str(item.id))
                                 for item in self.items])
            options.highlighted = 0
        else:
            options.add_option(Option(Text("The Trash is empty.", style="italic"),
                                      disabled=True))
        self.change_shown()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "restore":
            return bool(self.items)
        return True

    def action_restore(self) -> None:
        options = self.query_one(OptionList)
        if options.highlighted is None or not self.items:
            return
        self.changing = True  # until the list is read again
        self._restore(self.items[options.highlighted])

    @on(OptionList.OptionSelected)
    def selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.action_restore()

    @work(thread=True, exclusive=True, exit_on_error=False, group="trash-restore")
    def _restore(self, item: TrashItem) -> None:
        restore(item.id)
        self.post_message(self.Restored(item))

    @on(Restored)
    def show_restored(self, message: Restored) -> None:
        item = message.item
        self.restored += 1
        noun = NOUNS.get(item.entity, item.entity)
        self.notify(f"Restored the {noun} “{item.name}”.", markup=False)
        self.app.reload_screens()
        self._read()

    def worker_failed(self, worker: Worker, message: str) -> None:
        if worker.group == "trash-restore":
            self.change_failed()  # what was typed after it counted on it
        else:
            self.changing = False  # the list unread: the keys go on, escape closes
        super().worker_failed(worker, message)

    def action_close(self) -> None:
        self.dismiss(self.restored)
