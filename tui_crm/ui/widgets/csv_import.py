"""Importing a CSV file from the app: pick the file, see its first rows and every bad
line, then import all of it or nothing (the core's ``csvio`` does the work)."""

from __future__ import annotations

from pathlib import Path

from rich.table import Table
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.widgets import Input, OptionList, Select, Static
from textual.widgets.option_list import Option
from textual.worker import Worker

from tui_crm.core.csvio import KINDS, ImportFailed, ImportPreview, import_csv, preview_import
from tui_crm.core.errors import CrmError
from tui_crm.core.text import how_many, printable
from tui_crm.ui.footer_keys import KeyFooter
from tui_crm.ui.screens.base import DataModal
from tui_crm.ui.text import safe

PREVIEW_ROWS = 8
ERRORS_SHOWN = 20


class CsvFilePicker(OptionList):
    """The folders and .csv files of a folder: `enter` opens a folder or picks a file.

    (Textual's DirectoryTree keeps a loader worker running for good; this list reads
    one folder at a time, at most ``MAX_ENTRIES`` names, shown literally.)
    """

    MAX_ENTRIES = 500

    class Picked(Message):
        def __init__(self, path: Path):
            super().__init__()
            self.path = path

    def __init__(self, folder: Path, *, id: str | None = None):
        super().__init__(id=id, compact=True)
        self.folder = folder.resolve()
        self.paths: list[Path] = []

    def on_mount(self) -> None:
        self.show_folder(self.folder)

    def show_folder(self, folder: Path) -> None:
        try:
            entries = sorted((p for p in folder.iterdir() if not p.name.startswith(".")),
                             key=lambda p: (not p.is_dir(), p.name.lower()))
        except OSError:
            return
        entries = [p for p in entries if p.is_dir() or p.suffix.lower() == ".csv"]
        self.folder = folder
        self.paths = [folder.parent, *entries[:self.MAX_ENTRIES]]
        self.clear_options()
        self.add_options(Option(Text("../", style="bold") if path == folder.parent else
                                Text(printable(path.name, single_line=True)
                                     + ("/" if path.is_dir() else "")))
                         for path in self.paths)
        self.highlighted = 0

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        path = self.paths[event.option_index]
        if path.is_dir():
            self.show_folder(path)
        else:
            self.post_message(self.Picked(path))


def preview_text(preview: ImportPreview) -> Table | Text:
    """The first rows as they would be saved, or every bad line (first ones)."""
    if not preview.ok:
        lines = {error.line for error in preview.errors}
        count = len(lines) + preview.more_errors
        text = Text(f"{count:,} bad line{'s' * (count != 1)}: nothing can be imported until "
                    "the file is fixed.\n", style="bold")
        for error in preview.errors[:ERRORS_SHOWN]:
            text.append_text(safe(str(error)))
            text.append("\n")
        hidden = len(preview.errors) - ERRORS_SHOWN + preview.more_errors
        if hidden > 0:
            text.append(f"… and {hidden:,} more.", style="italic")
        return text
    table = Table(title=f"{how_many(preview.total, preview.kind)} ready: ctrl+s imports "
                        f"{'it' if preview.total == 1 else 'them all'}",
                  title_justify="left", expand=True, box=None, show_edge=False)
    columns = [c for c in preview.columns if any(row.get(c) for row in preview.rows)][:6]
    for column in columns:
        table.add_column(column, overflow="ellipsis", no_wrap=True)
    for row in preview.rows[:PREVIEW_ROWS]:
        table.add_row(*(safe(row.get(column, "")) for column in columns))
    return table


class CsvImportScreen(DataModal[int | None]):
    """Dismissed with the number of records imported, or None."""

    AUTO_FOCUS = "#import-path"
    BINDINGS = [
        Binding("ctrl+s", "import_file", "Import", priority=True, id="import.run"),
        Binding("escape", "cancel", "Cancel", id="import.cancel"),
    ]

    def __init__(self, kind: str = "leads", folder: str | Path = "."):
        super().__init__(classes="dialog")
        self.kind = kind if kind in KINDS else KINDS[0]
        self.folder = Path(folder)
        self.preview: ImportPreview | None = None
        self.previewed: tuple[str, str] | None = None  # (kind, path) of the preview
        self.importing = False

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog-box import-box"):
            yield Static("Import a CSV file (all of it, or nothing)", classes="dialog-title",
                         markup=False)
            with Horizontal(classes="import-row"):
                yield Static("Records", classes="field-label", markup=False)
                yield Select([(kind, kind) for kind in KINDS], value=self.kind,
                             allow_blank=False, compact=True, id="import-kind")
            with Horizontal(classes="import-row"):
                yield Static("File", classes="field-label", markup=False)
                yield Input(placeholder="path/to/file.csv (enter previews) or pick below",
                            compact=True, id="import-path")
            yield CsvFilePicker(self.folder, id="import-tree")
            with VerticalScroll(id="import-preview"):
                yield Static("Pick a file to see its first rows and any bad line.",
                             id="import-result")
        yield KeyFooter()

    @property
    def path_text(self) -> str:
        return self.query_one("#import-path", Input).value.strip()

    def on_csv_file_picker_picked(self, event: CsvFilePicker.Picked) -> None:
        event.stop()
        self.query_one("#import-path", Input).value = str(event.path)
        self._start_preview()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self._start_preview()

    def on_select_changed(self, event: Select.Changed) -> None:
        event.stop()
        self.kind = str(event.value)
        if self.path_text:
            self._start_preview()

    def _start_preview(self) -> None:
        if not self.path_text:
            return
        self.preview = None
        self.refresh_bindings()
        self.query_one("#import-result", Static).update(Text("Checking the file…",
                                                             style="italic"))
        self._preview(self.kind, self.path_text)

    @work(thread=True, exclusive=True, exit_on_error=False, group="csv-preview")
    def _preview(self, kind: str, path: str) -> None:
        try:
            preview = preview_import(kind, Path(path).expanduser(), limit=PREVIEW_ROWS)
        except CrmError as exc:
            self.app.call_from_thread(self._show_problem, str(exc))
            return
        self.app.call_from_thread(self._show_preview, kind, path, preview)

    def _show_preview(self, kind: str, path: str, preview: ImportPreview) -> None:
        if (kind, path) != (self.kind, self.path_text):
            return  # the choice changed meanwhile
        self.preview = preview
        self.previewed = (kind, path)
        self.query_one("#import-result", Static).update(preview_text(preview))
        self.refresh_bindings()

    def _show_problem(self, message: str) -> None:
        self.preview = None
        self.importing = False
        self.query_one("#import-result", Static).update(safe(message, style="bold",
                                                             single_line=False))
        self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "import_file":
            ready = (self.preview is not None and self.preview.ok and not self.importing
                     and self.previewed == (self.kind, self.path_text))
            return True if ready else None  # shown dimmed until a good file is previewed
        return True

    def action_import_file(self) -> None:
        if not self.check_action("import_file", ()):
            return
        self.importing = True
        self.refresh_bindings()
        self.query_one("#import-result", Static).update(Text("Importing…", style="italic"))
        self._import(self.kind, self.path_text)

    @work(thread=True, exclusive=True, exit_on_error=False, group="csv-import")
    def _import(self, kind: str, path: str) -> None:
        try:
            count = import_csv(kind, Path(path).expanduser())
        except ImportFailed as exc:
            preview = ImportPreview(kind, (), [], 0, exc.errors, exc.more)
            self.app.call_from_thread(self._failed, preview)
            return
        except CrmError as exc:
            self.app.call_from_thread(self._show_problem, str(exc))
            return
        self.app.call_from_thread(self.dismiss, count)

    def worker_failed(self, worker: Worker, message: str) -> None:
        self._show_problem(message)

    def _failed(self, preview: ImportPreview) -> None:
        self.importing = False
        self._show_preview(*self.previewed, preview)  # type: ignore[misc]

    def action_cancel(self) -> None:
        self.dismiss(None)
