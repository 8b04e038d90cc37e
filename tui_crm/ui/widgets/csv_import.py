"""Importing a CSV file from the app: pick the file, say how to read another program's
columns, dates, stage names, deals with no parent and records already here (the choices
of ``tui-crm import``), see what importing would do (a dry run: its summary, its first
rows, every bad line), then import all of it or nothing (the core's ``csvio`` does the
work)."""

from __future__ import annotations

from pathlib import Path

from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.reactive import reactive
from textual.widgets import Checkbox, Input, OptionList, Select, Static
from textual.widgets.option_list import Option
from textual.worker import Worker

from tui_crm.core.csvio import (
    DUPLICATE_CHOICES,
    KINDS,
    ImportFailed,
    ImportOptions,
    ImportPreview,
    ImportSummary,
    check_date_format,
    import_file,
    preview_import,
)
from tui_crm.core.errors import CrmError
from tui_crm.core.text import how_many, printable
from tui_crm.ui.footer_keys import KeyFooter
from tui_crm.ui.screens.base import DataModal
from tui_crm.ui.text import safe
from tui_crm.ui.widgets.form import Tick

PREVIEW_ROWS = 8
SHORT = 32  # terminal lines below which the file list is shorter
ERRORS_SHOWN = 20
# The choices typed as text: the field's id and its label.
CHOICES = (("import-map", "Columns"), ("import-date-format", "Dates"),
           ("import-stage", "Stages"), ("import-default-parent", "No parent"))
PLACEHOLDERS = {
    "import-map": "its column=ours, …  e.g. account=name, close_value=amount",
    "import-date-format": "e.g. %d-%m-%y (empty: 2026-12-31)",
    "import-stage": "its stage=ours, …  e.g. Won=ClosedWon, Lost=ClosedLost",
    "import-default-parent": "deals with no parent go to customer:NAME or lead:NAME",
}

# The command line's words in the core's messages, and this dialog's for them.
DIALOG_WORDS = (("--map SOURCE=FIELD", "Columns (its column=ours)"),
                ("--ignore-unknown", "Skip unknown columns"),
                ("--on-duplicate", "Existing:"), ("--default-parent", "No parent"),
                ("--date-format", "Dates"), ("--stage", "Stages"), ("--map", "Columns"),
                ("SOURCE=TARGET", "its=ours, …"))


def dialog_words(message: str) -> str:
    """A core message as this dialog says it: its fields' names for the flags."""
    for flag, words in DIALOG_WORDS:
        message = message.replace(flag, words)
    return message


# What to do with a lead or customer whose name is already here (--on-duplicate).
DUPLICATE_WORDS = {"error": "error: name them", "skip": "skip them", "update": "update them"}


class OptionProblem(CrmError):
    """A choice that cannot be read: where it was typed, and why."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field


def pairs(text: str) -> list[str]:
    """``a=b, c=d`` as the command line's repeated ``SOURCE=TARGET`` words."""
    return [item.strip() for item in text.split(",") if item.strip()]


def read_options(values: dict[str, str], ignore_unknown: bool,
                 on_duplicate: str) -> ImportOptions:
    """The import's options from what the dialog's fields hold (``values`` by field id).

    Raises OptionProblem naming the field of the first choice that cannot be read.
    """
    words = {"maps": pairs(values["import-map"]),
             "stage_maps": pairs(values["import-stage"]),
             "default_parent": values["import-default-parent"].strip() or None,
             "date_format": values["import-date-format"].strip() or None}
    for field, _ in CHOICES:
        try:
            if field == "import-map":
                ImportOptions.parse(maps=words["maps"])
            elif field == "import-stage":
                ImportOptions.parse(stage_maps=words["stage_maps"])
            elif field == "import-default-parent":
                ImportOptions.parse(default_parent=words["default_parent"])
            elif words["date_format"]:
                check_date_format(words["date_format"])
        except CrmError as exc:
            raise OptionProblem(field, dialog_words(str(exc))) from None
    return ImportOptions.parse(ignore_unknown=ignore_unknown, on_duplicate=on_duplicate,
                               **words)


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


def summary_text(summary: ImportSummary | None) -> Text:
    """What importing would do (or did), in a line or a few."""
    text = Text()
    if summary is None:
        return text
    would = "would be " if summary.dry_run else ""
    verb = "Would import" if summary.dry_run else "Imported"
    text.append(f"{verb} {how_many(summary.added, summary.kind)}", style="bold")
    text.append(" (a dry run: nothing is written until ctrl+s).\n" if summary.dry_run
                else ".\n")
    if summary.updated:
        text.append(f"{summary.updated:,} already here {would}updated from the file.\n")
    if summary.skipped:
        text.append(f"{summary.skipped:,} already here {would}skipped (kept as they are).\n")
    if summary.created_parent:
        text.append_text(safe(f"The {summary.created_parent} {would or 'was '}created for "
                              "the deals that name no parent.\n", single_line=False))
    if summary.ignored_columns:
        text.append_text(safe(f"Columns skipped: {', '.join(summary.ignored_columns)}.\n",
                              single_line=False))
    return text


def preview_text(preview: ImportPreview) -> Group | Text:
    """What importing would do, then the first rows as they would be saved; or every bad
    line (first ones)."""
    if not preview.ok:
        lines = {error.line for error in preview.errors}
        count = len(lines) + preview.more_errors
        text = Text(f"{count:,} bad line{'s' * (count != 1)}: nothing can be imported until "
                    "the file is fixed.\n", style="bold")
        for error in preview.errors[:ERRORS_SHOWN]:
            # The command line's words for the choice are this dialog's field.
            text.append_text(safe(dialog_words(str(error))))
            text.append("\n")
        hidden = len(preview.errors) - ERRORS_SHOWN + preview.more_errors
        if hidden > 0:
            text.append(f"… and {hidden:,} more.", style="italic")
        return text
    table = Table(title=f"{how_many(preview.total, preview.kind)} ready: ctrl+s imports "
                        f"{'it' if preview.total == 1 else 'them all'}",
                  title_justify="left", expand=True, box=None, show_edge=False)
    summary = summary_text(preview.summary)
    columns = [c for c in preview.columns if any(row.get(c) for row in preview.rows)][:6]
    for column in columns:
        table.add_column(column, overflow="ellipsis", no_wrap=True)
    for row in preview.rows[:PREVIEW_ROWS]:
        table.add_row(*(safe(row.get(column, "")) for column in columns))
    return Group(summary, table)


class CsvImportScreen(DataModal[int | None]):
    """Dismissed with the number of records imported, or None."""

    AUTO_FOCUS = "#import-path"
    BINDINGS = [
        Binding("ctrl+s", "import_file", "Import", priority=True, id="import.run"),
        Binding("escape", "cancel", "Cancel", id="import.cancel"),
    ]

    # What ctrl+s depends on (``check_action``): the preview shown, whether an import
    # is under way, and (kind, path, options) of the preview: ctrl+s imports only what
    # was previewed.
    preview: reactive[ImportPreview | None] = reactive(None, bindings=True, repaint=False,
                                                       always_update=True, init=False)
    importing: reactive[bool] = reactive(False, bindings=True, repaint=False, init=False)
    previewed: reactive[tuple[str, str, ImportOptions] | None] = reactive(
        None, bindings=True, repaint=False, init=False)

    def __init__(self, kind: str = "leads", folder: str | Path = "."):
        super().__init__(classes="dialog")
        self.kind = kind if kind in KINDS else KINDS[0]
        self.folder = Path(folder)

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
            # Related choices share a row: the columns and skipping the others; dates
            # and what to do with records already here.
            with Horizontal(classes="import-row"):
                yield from self.choice("import-map")
                yield Tick("Skip unknown columns", compact=True, id="import-ignore")
            with Horizontal(classes="import-row"):
                yield from self.choice("import-date-format")
                yield Static("Existing", classes="field-label", markup=False)
                yield Select([(DUPLICATE_WORDS[choice], choice) for choice in DUPLICATE_CHOICES],
                             value="error", allow_blank=False, compact=True,
                             id="import-duplicate")
            with Horizontal(classes="import-row"):
                yield from self.choice("import-stage")
            with Horizontal(classes="import-row"):
                yield from self.choice("import-default-parent")
            yield Static("", id="import-option-error", markup=False)
            with VerticalScroll(id="import-preview"):
                yield Static("Pick a file to see its first rows and any bad line.",
                             id="import-result")
        yield KeyFooter()

    @staticmethod
    def choice(field: str) -> ComposeResult:
        label = dict(CHOICES)[field]
        yield Static(label, classes="field-label", markup=False)
        yield Input(placeholder=PLACEHOLDERS[field], compact=True, id=field,
                    classes="import-choice")

    def on_resize(self, event: events.Resize) -> None:
        # A short terminal (24 lines) keeps its lines for the preview.
        self.set_class(event.size.height < SHORT, "-short")

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

    @on(Select.Changed, "#import-kind")
    def kind_changed(self, event: Select.Changed) -> None:
        event.stop()
        self.kind = str(event.value)
        if self.path_text:
            self._start_preview()

    @on(Select.Changed, "#import-duplicate")
    @on(Checkbox.Changed, "#import-ignore")
    def choice_changed(self, event: Select.Changed | Checkbox.Changed) -> None:
        event.stop()
        if self.path_text:
            self._start_preview()

    @on(Input.Changed, ".import-choice")
    def choice_typed(self, event: Input.Changed) -> None:
        event.stop()
        self.refresh_bindings()  # ctrl+s waits for a preview of what is typed now

    def options(self) -> ImportOptions:
        """The choices as typed; raises OptionProblem (at its field) for a bad one."""
        values = {field: self.query_one(f"#{field}", Input).value for field, _ in CHOICES}
        return read_options(values, self.query_one("#import-ignore", Checkbox).value,
                            str(self.query_one("#import-duplicate", Select).value))

    def current_options(self) -> ImportOptions | None:
        try:
            return self.options()
        except CrmError:
            return None

    def _start_preview(self) -> None:
        for field, _ in CHOICES:
            self.query_one(f"#{field}", Input).remove_class("-invalid")
        problem = self.query_one("#import-option-error", Static)
        try:
            options = self.options()
        except OptionProblem as exc:
            self.preview = None
            self.query_one(f"#{exc.field}", Input).add_class("-invalid")
            problem.update(safe(str(exc), style="bold"))
            problem.display = True
            self.query_one(f"#{exc.field}", Input).focus()
            return
        problem.update("")
        problem.display = False
        if not self.path_text:
            return
        self.preview = None
        self.query_one("#import-result", Static).update(Text("Checking the file…",
                                                             style="italic"))
        self._preview(self.kind, self.path_text, options)

    @work(thread=True, exclusive=True, exit_on_error=False, group="csv-preview")
    def _preview(self, kind: str, path: str, options: ImportOptions) -> None:
        try:
            preview = preview_import(kind, Path(path).expanduser(), limit=PREVIEW_ROWS,
                                     options=options)
        except CrmError as exc:
            self.post_message(self.Refused(str(exc)))
            return
        self.post_message(self.Previewed(kind, path, options, preview))

    class Previewed(Message):
        """What importing a file with some choices would do, read in a worker."""

        def __init__(self, kind: str, path: str, options: ImportOptions,
                     preview: ImportPreview) -> None:
            super().__init__()
            self.kind, self.path, self.options, self.preview = kind, path, options, preview

    class Refused(Message):
        """Why a file could not be previewed or imported, in one sentence."""

        def __init__(self, problem: str) -> None:
            super().__init__()
            self.problem = problem

    class Imported(Message):
        """What an import did."""

        def __init__(self, summary: ImportSummary) -> None:
            super().__init__()
            self.summary = summary

    class ImportRefused(Message):
        """The rows that kept a file from being imported (nothing was written)."""

        def __init__(self, preview: ImportPreview) -> None:
            super().__init__()
            self.preview = preview

    @on(Previewed)
    def previewed_read(self, message: Previewed) -> None:
        self._show_preview(message.kind, message.path, message.options, message.preview)

    @on(Refused)
    def refused(self, message: Refused) -> None:
        self._show_problem(message.problem)

    def _show_preview(self, kind: str, path: str, options: ImportOptions,
                      preview: ImportPreview) -> None:
        if (kind, path, options) != (self.kind, self.path_text, self.current_options()):
            return  # the choice changed meanwhile
        self.preview = preview
        self.previewed = (kind, path, options)
        self.query_one("#import-result", Static).update(preview_text(preview))

    def _show_problem(self, message: str) -> None:
        self.preview = None
        self.importing = False
        self.query_one("#import-result", Static).update(safe(dialog_words(message),
                                                             style="bold",
                                                             single_line=False))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "import_file":
            ready = (self.preview is not None and self.preview.ok and not self.importing
                     and self.previewed == (self.kind, self.path_text,
                                            self.current_options()))
            return True if ready else None  # shown dimmed until a good file is previewed
        return True

    def action_import_file(self) -> None:
        if not self.check_action("import_file", ()):
            return
        self.importing = True
        self.query_one("#import-result", Static).update(Text("Importing…", style="italic"))
        self._import(*self.previewed)  # type: ignore[misc]

    @work(thread=True, exclusive=True, exit_on_error=False, group="csv-import")
    def _import(self, kind: str, path: str, options: ImportOptions) -> None:
        try:
            summary = import_file(kind, Path(path).expanduser(), options)
        except ImportFailed as exc:
            preview = ImportPreview(kind, (), [], 0, exc.errors, exc.more)
            self.post_message(self.ImportRefused(preview))
            return
        except CrmError as exc:
            self.post_message(self.Refused(str(exc)))
            return
        self.post_message(self.Imported(summary))

    @on(Imported)
    def imported(self, message: Imported) -> None:
        summary = message.summary
        more = summary_text(summary).plain.split("\n", 1)[1].strip()
        if more:  # beyond the count the app tells: what else was done
            self.app.notify(more, markup=False)
        self.dismiss(summary.added)

    def worker_failed(self, worker: Worker, message: str) -> None:
        self._show_problem(message)

    @on(ImportRefused)
    def import_refused(self, message: ImportRefused) -> None:
        self.importing = False
        self._show_preview(*self.previewed, message.preview)  # type: ignore[misc]

    def action_cancel(self) -> None:
        self.dismiss(None)
