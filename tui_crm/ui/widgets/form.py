"""The keyboard form every record uses: fields in order, errors at the field, safe saves.

A ``RecordForm`` is a ``ModalScreen[int | None]``: it dismisses with the saved
record's id, or None when cancelled. Subclasses list their fields
(``field_specs``), read the record (``load``) and write it (``save_values``, run in
a worker thread: it may wait for another writer's lock). A save that fails keeps
everything typed: field errors are shown beside their fields, a ConflictError
(someone else saved meanwhile) asks what to do.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from rich.text import Text
from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.widget import Widget
from textual.widgets import Checkbox, Input, Select, Static, TextArea
from textual.worker import Worker

from tui_crm.core.errors import ConflictError, CrmError, ValidationError
from tui_crm.core.faults import explain, is_fault
from tui_crm.core.text import printable
from tui_crm.ui.footer_keys import KeyFooter
from tui_crm.ui.screens.base import DataModal
from tui_crm.ui.text import safe
from tui_crm.ui.widgets.dialogs import OVERWRITE, RELOAD, ConfirmDialog, ConflictDialog
from tui_crm.ui.widgets.pickers import ParentField


class Tick(Checkbox):
    """A checkbox whose mark shows only when it is checked, so it reads right without
    colour (NO_COLOR, 16 colours): Textual's draws its X either way, in another colour."""

    @property
    def BUTTON_INNER(self) -> str:  # noqa: N802 (Textual's name for the mark)
        return "X" if self.value else " "


@dataclass(frozen=True)
class FieldSpec:
    """One field of a form.

    ``kind``: ``text`` (one line), ``notes`` (several lines), ``select`` (one of
    ``options``: (label, value) pairs), ``checkbox`` (yes or no, ``placeholder`` its
    label), ``parent`` (a customer or lead, picked by
    name) or ``section`` (a heading, not a field). ``check`` is the core's check
    for the value (it raises CrmError with the message to show).
    """

    name: str
    label: str
    kind: str = "text"
    placeholder: str = ""
    options: tuple[tuple[str, Any], ...] = ()
    check: Callable[[Any], Any] | None = None


class FormField(Horizontal):
    """A label, the editor, and under the editor its error (or a hint), and after a
    conflict what this user had typed there."""

    def __init__(self, spec: FieldSpec):
        super().__init__(classes=f"form-field form-field-{spec.kind}", id=f"row-{spec.name}")
        self.spec = spec
        self.editor = self._make_editor(spec)
        self.error = ""
        self.hint: str | Text = ""

    @staticmethod
    def _make_editor(spec: FieldSpec) -> Widget:
        editor_id = f"field-{spec.name}"
        if spec.kind == "notes":
            return TextArea(id=editor_id, compact=True, soft_wrap=True, show_line_numbers=False)
        if spec.kind == "select":
            return Select([(safe(label), value) for label, value in spec.options],
                          allow_blank=False, compact=True, id=editor_id)
        if spec.kind == "parent":
            return ParentField(id=editor_id)
        if spec.kind == "checkbox":
            return Tick(spec.placeholder, compact=True, id=editor_id)
        return Input(placeholder=spec.placeholder, compact=True, id=editor_id)

    def compose(self) -> ComposeResult:
        yield Static(self.spec.label, classes="field-label", markup=False)
        with Vertical(classes="field-body"):
            yield self.editor
            yield Static("", classes="field-error", markup=False)
            yield Static("", classes="field-hint", markup=False)
            yield Static("", classes="field-mine", markup=False)

    @property
    def value(self) -> Any:
        editor = self.editor
        if isinstance(editor, TextArea):
            return editor.text
        if isinstance(editor, Select):
            return None if editor.is_blank() else editor.value
        return editor.value  # an Input's text, a Checkbox's bool

    def set_value(self, value: Any) -> None:
        editor = self.editor
        # Control characters (ESC sequences...) never reach the terminal, even in editors.
        if isinstance(editor, TextArea):
            editor.load_text(printable(value))
        elif isinstance(editor, Select):
            if value is not None:
                editor.value = value
        elif isinstance(editor, ParentField | Checkbox):
            editor.value = value
        else:
            editor.value = printable(value, single_line=True)
            editor.cursor_position = len(editor.value)

    def check(self) -> str | None:
        """The field's error message, or None when its value is fine."""
        if self.spec.check is None:
            return None
        try:
            self.spec.check(self.value)
        except CrmError as exc:
            return str(exc)
        return None

    def set_error(self, message: str | None) -> None:
        if (message or "") == self.error:
            return  # no layout pass for nothing
        self.error = message or ""
        self.query_one(".field-error", Static).update(message or "")
        self.set_class(bool(message), "-invalid")

    def set_hint(self, hint: str | Text | None) -> None:
        if (hint or "") == self.hint:
            return
        self.hint = hint or ""
        self.query_one(".field-hint", Static).update(hint or "")
        self.set_class(bool(hint), "-hinted")

    def shown(self, value: Any) -> str:
        """``value`` as this field shows it, on one line."""
        if value is None:
            return ""
        if self.spec.kind == "select":
            return next((label for label, option in self.spec.options if option == value),
                        str(value))
        if self.spec.kind == "parent":
            return value.name
        return printable(str(value), single_line=True)

    def set_mine(self, typed: str | None) -> None:
        """Show, under someone else's value, what this user had typed (None: nothing)."""
        line = Text("yours: ", style="bold")
        line.append_text(safe(typed or "(empty)"))
        self.query_one(".field-mine", Static).update(line if typed is not None else "")
        self.set_class(typed is not None, "-mine")

    def on_descendant_blur(self, event: events.DescendantBlur) -> None:
        # Format errors show as soon as the field is left; "required" waits for save.
        if self.value not in (None, ""):
            self.set_error(self.check())


class RecordForm(DataModal[int | None]):
    """The base of every record form (see the module docstring)."""

    BINDINGS = [
        Binding("ctrl+s", "save", "Save", priority=True, id="form.save"),
        Binding("escape", "cancel", "Cancel", id="form.cancel"),
        Binding("tab", "app.focus_next", "Next field", show=False, id="form.next"),
        Binding("shift+tab", "app.focus_previous", "Previous field", show=False,
                id="form.previous"),
        Binding("ctrl+t", "history", "History", id="form.history"),
    ]
    form_title = "Record"
    # The record's kind in the ChangeLog (opportunity, lead, customer, contact): when
    # set, ctrl+t shows the history of the record edited (``record_id``).
    history_entity: str | None = None
    record_id: int | None = None
    AUTO_FOCUS = "FormField *"  # the first field's editor (not the scrolling box)

    def __init__(self) -> None:
        super().__init__(classes="form-screen")
        self.version: int | None = None
        self._initial: dict[str, Any] = {}
        self.save_on_its_way = False
        self.unreadable: Exception | None = None  # why the first screenful failed

    @property
    def saving(self) -> bool:
        """A save is on its way. Keys typed meanwhile wait for it (the app holds them):
        they then reach what it leaves, the screen below once saved, the form when not."""
        return self.save_on_its_way

    @saving.setter
    def saving(self, value: bool) -> None:
        if value and not self.save_on_its_way:
            self.app.hold_keys()
        elif not value and self.save_on_its_way:
            self.app.release_keys()
        self.save_on_its_way = value

    # -- what a form defines ---------------------------------------------------------

    def field_specs(self) -> list[FieldSpec]:
        raise NotImplementedError

    def read_choices(self) -> None:
        """Read what the fields offer (a deal's stages, the currency in its amount's
        label) before they are built: with ``load``, the form's first screenful."""

    def load(self) -> dict[str, Any]:
        """The values to start from (and set ``self.version`` when editing)."""
        return {}

    def save_values(self, values: dict[str, Any], expected_version: int | None) -> int:
        """Write the record (in a worker thread); return its id."""
        raise NotImplementedError

    def title_text(self) -> Text:
        return Text(self.form_title)

    def check_values(self, values: dict[str, Any]) -> dict[str, str]:
        """Errors across fields (beyond each field's own check), by field name."""
        return {}

    # -- the record's history ---------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "history":  # a new record has none yet
            return self.history_entity is not None and self.record_id is not None
        return super().check_action(action, parameters)

    def action_history(self) -> None:
        if self.history_entity is not None and self.record_id is not None:
            from tui_crm.ui.widgets.record_history import RecordHistory

            name = self.fields["name"].value if "name" in self.fields else ""
            self.app.push_screen(RecordHistory(self.history_entity, self.record_id, name))

    # -- building and reading ---------------------------------------------------------

    def compose(self) -> ComposeResult:
        # The form's first screenful (what the fields offer, then the record in
        # ``on_mount``) is read here, before the first frame, so the keys typed into
        # the form (a burst) land in fields that are there with their values: a few
        # rows, milliseconds at any size.
        try:
            self.read_choices()
        except Exception as exc:
            if not is_fault(exc):
                raise
            self.unreadable = exc  # said, and the form closed, once it is mounted
            return
        with Vertical(classes="form-box"):
            yield Static(self.title_text(), classes="form-title")
            with VerticalScroll(classes="form-fields"):
                for spec in self.field_specs():
                    if spec.kind == "section":
                        yield Static(spec.label, classes="form-section", markup=False)
                    else:
                        yield FormField(spec)
            yield Static("", classes="form-error -empty", markup=False)
        yield KeyFooter()

    @property
    def fields(self) -> dict[str, FormField]:
        return {field.spec.name: field for field in self.query(FormField)}

    def values(self) -> dict[str, Any]:
        return {name: field.value for name, field in self.fields.items()}

    def on_mount(self) -> None:
        try:
            if self.unreadable is not None:
                raise self.unreadable
            values = self.load()  # one record: read before the first frame
        except Exception as exc:
            if not is_fault(exc):
                raise
            # Deleted meanwhile, or the database cannot be read: say so where the
            # user was, and open nothing.
            self.app.notify(explain(exc), title="Cannot open the form", severity="error",
                            markup=False)
            self.unreadable = exc
            self.dismiss(None)
            return
        self.fill(values)
        self.query_one(".form-title", Static).update(self.title_text())
        self.form_filled()

    def form_filled(self) -> None:
        """The form shows the record's values (what a subclass does on mount: Textual
        runs each class's ``on_mount`` in turn, the subclass's first)."""

    def fill(self, values: dict[str, Any]) -> None:
        fields = self.fields
        for name, value in values.items():
            if name in fields:
                fields[name].set_value(value)
        self._remember_initial()  # at once: keys typed next (a burst) are changes

    def _remember_initial(self) -> None:
        self._initial = self.values()

    @property
    def changed(self) -> bool:
        return self.values() != self._initial

    # -- errors -----------------------------------------------------------------

    def show_errors(self, errors: dict[str, str]) -> None:
        """Show each message beside its field; others go under the form."""
        fields = self.fields
        for name, field in fields.items():
            field.set_error(errors.get(name))
        general = [message for name, message in errors.items() if name not in fields]
        self.query_one(".form-error", Static).update(" ".join(general))
        self.query_one(".form-error", Static).set_class(not general, "-empty")
        for name in fields:
            if name in errors:
                fields[name].editor.focus()
                fields[name].scroll_visible(animate=False)
                break

    def on_input_changed(self, event: Input.Changed) -> None:
        field = self._field_of(event.input)
        if field is not None and field.error:
            field.set_error(field.check())  # clear the message as soon as it is fixed

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.focus_next()

    def _field_of(self, widget: Widget) -> FormField | None:
        for node in widget.ancestors_with_self:
            if isinstance(node, FormField):
                return node
        return None

    # -- saving and cancelling ------------------------------------------------------

    def action_save(self) -> None:
        if self.saving:
            return
        values = self.values()
        errors = {name: message for name, field in self.fields.items()
                  if (message := field.check())}
        errors.update({k: v for k, v in self.check_values(values).items() if k not in errors})
        self.show_errors(errors)
        if errors:
            return
        self._write(values, self.version)

    def _write(self, values: dict[str, Any], expected_version: int | None) -> None:
        self.saving = True
        self._save(values, expected_version)

    class Saved(Message):
        """The save worker wrote the record."""

        def __init__(self, record_id: int) -> None:
            super().__init__()
            self.record_id = record_id

    class Refused(Message):
        """The save worker wrote nothing: the message of each field (or "" for the
        form as a whole)."""

        def __init__(self, errors: dict[str, str]) -> None:
            super().__init__()
            self.errors = errors

    class Conflicted(Message):
        """Someone else saved the record since it was read: their version, and what
        this user typed."""

        def __init__(self, error: ConflictError, mine: dict[str, Any],
                     theirs: tuple[dict[str, Any], int | None] | None) -> None:
            super().__init__()
            self.error = error
            self.mine = mine
            self.theirs = theirs

    @work(thread=True, exclusive=True, exit_on_error=False, group="form-save")
    def _save(self, values: dict[str, Any], expected_version: int | None) -> None:
        try:
            saved = self.save_values(values, expected_version)
        except ValidationError as exc:
            self.post_message(self.Refused(exc.errors))
        except ConflictError as exc:
            self.post_message(self.Conflicted(exc, values, self._read_theirs()))
        except CrmError as exc:  # a database fault among them, in one sentence
            self.post_message(self.Refused({"": str(exc)}))
        else:
            self.post_message(self.Saved(saved))

    @on(Saved)
    def record_saved(self, message: Saved) -> None:
        self._saved(message.record_id)

    @on(Refused)
    def save_refused(self, message: Refused) -> None:
        self._failed(message.errors)

    @on(Conflicted)
    def save_conflicted(self, message: Conflicted) -> None:
        self._conflict(message.error, message.mine, message.theirs)

    def worker_failed(self, worker: Worker, message: str) -> None:
        """A save (or a read) that failed: the sentence under the fields, everything
        typed kept, and ctrl+s saves again."""
        self.saving = False
        self.show_errors({"": message})

    def _saved(self, record_id: int) -> None:
        self.dismiss(record_id)
        self.saving = False  # once closed: the keys typed meanwhile go below

    def _failed(self, errors: dict[str, str]) -> None:
        self.saving = False
        self.show_errors(errors)

    def _read_theirs(self) -> tuple[dict[str, Any], int | None] | None:
        """The record as saved now, and its version (the form keeps its own version
        until the user chooses); None when it cannot be read."""
        kept = self.version
        try:
            return self.load(), self.version
        except CrmError:
            return None
        finally:
            self.version = kept

    def _conflict(self, error: ConflictError, mine: dict[str, Any],
                  theirs: tuple[dict[str, Any], int | None] | None) -> None:
        """Someone saved the record meanwhile: say who, when and what, then reload
        (their values, what this user typed shown under each field they had changed),
        overwrite (over the version just read, so a third save is not lost either) or
        go back to the form."""
        self.saving = False
        values, version = theirs or ({}, None)
        fields = {name: field for name, field in self.fields.items() if name in values}
        before = {name: field.shown(self._initial.get(name)) for name, field in fields.items()}
        changed = [field.spec.label for name, field in fields.items()
                   if field.shown(values[name]) != before[name]]

        def decided(choice: str | None) -> None:
            if choice == OVERWRITE:
                self._write(mine, version)
            elif choice == RELOAD and theirs is not None:
                self.version = version
                self.fill(values)
                self.show_errors({})
                for name, field in fields.items():
                    typed = field.shown(mine.get(name))
                    edited = typed != before[name] and typed != field.shown(values[name])
                    field.set_mine(typed if edited else None)

        self.app.push_screen(ConflictDialog(error, changed), decided)

    def action_cancel(self) -> None:
        if not self.changed:
            self.dismiss(None)
            return

        def decided(discard: bool | None) -> None:
            if discard:
                self.dismiss(None)

        self.app.push_screen(ConfirmDialog("Discard your changes?",
                                           "What you typed in this form is not saved yet.",
                                           confirm="Discard", cancel="Keep editing"), decided)
