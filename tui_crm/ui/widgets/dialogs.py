"""Small modal dialogs: a choice among a few answers, a confirmation, a line of text,
and what to do when someone else saved the record meanwhile.

Every dialog works by keyboard alone: each answer has a key, `tab` moves between
the buttons, `enter` presses the focused one, `escape` cancels. Messages and titles
may hold user text: they are shown literally (``safe``).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Static

from tui_crm.core.errors import ConflictError
from tui_crm.ui.footer_keys import KeyFooter
from tui_crm.ui.text import safe


def _text(value: str | Text) -> Text:
    return value if isinstance(value, Text) else safe(value, single_line=False)


@dataclass(frozen=True)
class Choice:
    """One answer of a ChoiceDialog: what it returns, its button label and its key."""

    value: str
    label: str
    key: str


class ChoiceDialog(ModalScreen[str | None]):
    """Ask a question with a few answers; returns the chosen answer's ``value``.

    The ``default`` answer's button has the focus, so `enter` picks it; `escape`
    returns None. Example (the board's delete)::

        ChoiceDialog("Delete this deal?", "Its win/loss record would be lost.",
                     [Choice("lost", "Mark ClosedLost instead", "l"),
                      Choice("delete", "Delete for good", "d")], default="lost")
    """

    BINDINGS = [Binding("escape", "dismiss_none", "Cancel", id="dialog.cancel"),
                Binding("left", "app.focus_previous", "Previous answer", show=False),
                Binding("right", "app.focus_next", "Next answer", show=False)]

    def __new__(cls, *args, **kwargs):
        # Each answer is a binding, so the footer and the help list it. Textual keeps
        # bindings per class: a dialog is made of a subclass holding its answers' keys.
        return super().__new__(_answering(cls, tuple(cls.answers(*args, **kwargs))))

    @staticmethod
    def answers(title: str | Text, message: str | Text, choices: list[Choice],
                default: str | None = None) -> list[Choice]:
        """The answers a dialog made with these arguments offers."""
        return choices

    def __init__(self, title: str | Text, message: str | Text, choices: list[Choice],
                 default: str | None = None):
        super().__init__(classes="dialog")
        self.title_text = _text(title)
        self.message = _text(message)
        self.choices = choices
        self.default = default if default is not None else choices[0].value
        self.answers: dict[Button, str] = {}  # each button's answer

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog-box"):
            yield Static(self.title_text, classes="dialog-title")
            yield Static(self.message, classes="dialog-message")
            with Horizontal(classes="dialog-buttons"):
                for choice in self.choices:
                    button = Button(f"{choice.label} ({choice.key})", compact=True)
                    self.answers[button] = choice.value
                    yield button
        yield KeyFooter()

    def on_mount(self) -> None:
        next(button for button, value in self.answers.items()
             if value == self.default).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(self.answers[event.button])

    def action_choose(self, value: str) -> None:
        self.dismiss(value)

    def action_dismiss_none(self) -> None:
        self.dismiss(None)


@cache
def _answering(dialog: type[ChoiceDialog], choices: tuple[Choice, ...]) -> type[ChoiceDialog]:
    bindings = [Binding(choice.key, f"choose({choice.value!r})", choice.label)
                for choice in choices]
    return type(dialog.__name__, (dialog,), {"BINDINGS": bindings,
                                             "__module__": dialog.__module__})


class ConfirmDialog(ChoiceDialog):
    """A yes/no question; returns True only when confirmed (``y``)."""

    @staticmethod
    def answers(title: str | Text, message: str | Text, *, confirm: str = "Yes",
                cancel: str = "No", default_confirm: bool = False) -> list[Choice]:
        return [Choice("yes", confirm, "y"), Choice("no", cancel, "n")]

    def __init__(self, title: str | Text, message: str | Text, *, confirm: str = "Yes",
                 cancel: str = "No", default_confirm: bool = False):
        super().__init__(title, message, self.answers(title, message, confirm=confirm,
                                                      cancel=cancel),
                         default="yes" if default_confirm else "no")

    def dismiss(self, result=None):
        return super().dismiss(result == "yes")


class QuitDialog(ConfirmDialog):
    """Asked when quitting with a form that holds unsaved changes."""

    @staticmethod
    def answers(*args, **kwargs) -> list[Choice]:
        return [Choice("yes", "Quit", "y"), Choice("no", "Keep editing", "n")]

    def __init__(self) -> None:
        super().__init__("Quit without saving?",
                         "A form holds changes that are not saved yet: quitting loses them.",
                         confirm="Quit", cancel="Keep editing")


DELETE, MARK_LOST = "delete", "lost"


def lost_reason_prompt(name: str) -> TextPrompt:
    """Ask why a deal was lost, before closing it as ClosedLost: the settings' lost
    reasons (typing filters them, ``enter`` picks the highlighted one) or free text
    (empty is allowed)."""
    from tui_crm.ui.widgets.lost_reasons import LostReasonPrompt

    title = Text("Close as lost: ")
    title.append_text(safe(name, style="bold"))
    return LostReasonPrompt(title)


def delete_deal_dialog(name: str, is_open: bool) -> ModalScreen:
    """Ask before deleting a deal. An open deal is better closed as lost (the default
    answer, ``MARK_LOST``): the win/loss record is worth keeping. A closed one is
    deleted only when confirmed. Returns ``DELETE``, ``MARK_LOST``, "keep" or None."""
    title = Text("Delete ")
    title.append_text(safe(name, style="bold"))
    title.append("?")
    if is_open:
        return ChoiceDialog(title, "Deleting it loses it from the win/loss record: a deal "
                            "that died is better marked ClosedLost, with the reason.",
                            [Choice(MARK_LOST, "Mark ClosedLost instead", "l"),
                             Choice(DELETE, "Delete for good", "d")], default=MARK_LOST)
    return ChoiceDialog(title, "It leaves the win/loss record for good.",
                        [Choice(DELETE, "Delete for good", "d"), Choice("keep", "Keep it", "k")],
                        default="keep")


class TextPrompt(ModalScreen[str | None]):
    """Ask for one line of text: `enter` returns it (empty is allowed), `escape` None.

    Example (the board's lost reason): ``TextPrompt("Closed lost", "Lost reason")``.
    """

    BINDINGS = [Binding("escape", "dismiss_none", "Cancel", id="dialog.cancel")]

    def __init__(self, title: str | Text, label: str | Text, *, value: str = "",
                 placeholder: str = "", hint: str = "enter confirms (empty is fine), "
                                                   "escape cancels"):
        super().__init__(classes="dialog")
        self.title_text = _text(title)
        self.label = _text(label)
        self.value = value
        self.placeholder = placeholder
        self.hint = hint

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog-box"):
            yield Static(self.title_text, classes="dialog-title")
            yield Static(self.label, classes="dialog-message")
            yield Input(self.value, placeholder=self.placeholder, compact=True,
                        classes="dialog-input")
            yield Static(self.hint, classes="dialog-hint", markup=False)
        yield KeyFooter()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.dismiss(event.value.strip())

    def action_dismiss_none(self) -> None:
        self.dismiss(None)


RELOAD, OVERWRITE, BACK = "reload", "overwrite", "back"


class ConflictDialog(ChoiceDialog):
    """Someone else saved the record while it was being edited.

    Says who saved, when, and which fields they changed (``changed``: labels).
    Returns ``"reload"`` (their version, with what was typed shown beside it),
    ``"overwrite"`` (save what was typed over theirs) or ``"back"``/None (return to
    the form, everything typed kept; the default).
    """

    @staticmethod
    def answers(error: ConflictError, changed: list[str] | None = None) -> list[Choice]:
        return [Choice(RELOAD, "Reload", "r"), Choice(OVERWRITE, "Overwrite", "o"),
                Choice(BACK, "Back to my form", "b")]

    def __init__(self, error: ConflictError, changed: list[str] | None = None):
        when = error.at.strftime("%Y-%m-%d %H:%M") if error.at else "just now"
        message = Text("This ")
        message.append(error.kind)
        message.append(" was changed by ")
        message.append_text(safe(error.by or "someone", style="bold"))
        message.append(f" at {when}, after you opened it.\n")
        if changed:
            message.append("They changed: ")
            message.append_text(safe(", ".join(changed), style="bold"))
            message.append(".\n")
        message.append("Reload shows their version, with what you typed under each field "
                       "you changed; overwrite saves yours over theirs; back returns to "
                       "your form.")
        super().__init__("Someone else saved meanwhile", message,
                         self.answers(error, changed), default=BACK)
