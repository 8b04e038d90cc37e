"""The forms of the Stages screen: a stage (add or edit), where a removed stage's deals
go, and the list of lost reasons.

Each is a ``RecordForm`` (errors at the field, ``ctrl+s`` saves in a worker,
``escape`` asks before dropping changes) or a small dialog.
"""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from tui_crm.core.errors import CrmError, ValidationError
from tui_crm.core.records import StageRow
from tui_crm.core.settings import get_list, set_list
from tui_crm.core.stages import (
    add_stage,
    check_probability,
    check_rot_days,
    check_stage_name,
    edit_stage,
)
from tui_crm.ui.footer_keys import KeyFooter
from tui_crm.ui.screens.base import DataModal
from tui_crm.ui.text import safe
from tui_crm.ui.widgets.form import FieldSpec, RecordForm

FRONT = ""  # "after" this: the stage goes first on the board


class StageForm(RecordForm):
    """Add a stage (``stage`` None) or edit one: name, probability, rot days and, for an
    open stage, the stage it comes after. ``order``: every stage in board order.
    Dismissed with the stage's id once saved."""

    def __init__(self, order: list[StageRow], stage: StageRow | None = None) -> None:
        self.stage = stage
        self.order = order
        super().__init__()

    @property
    def form_title(self) -> str:  # type: ignore[override]
        return "New stage" if self.stage is None else "Edit stage"

    def title_text(self) -> Text:
        title = Text(self.form_title, style="bold")
        if self.stage is not None:
            title.append(": ")
            title.append_text(safe(self.stage.name, style="bold"))
            if not self.stage.is_open:
                title.append(f"\nThe {self.stage.kind} stage: it stays at the end of the board.")
        return title

    def field_specs(self) -> list[FieldSpec]:
        specs = [
            FieldSpec("name", "Name", placeholder="e.g. Discovery",
                      check=lambda value: check_stage_name(value, renaming=self.stage)),
            FieldSpec("probability", "Probability", placeholder="win chance in %, 0 to 100",
                      check=check_probability),
            FieldSpec("rot_days", "Rot days", placeholder="days a deal may rest here "
                      "(empty: never rots)", check=check_rot_days),
        ]
        if self.stage is None or self.stage.is_open:
            others = [s for s in self.order if s.is_open
                      and (self.stage is None or s.id != self.stage.id)]
            specs.append(FieldSpec("after", "After", kind="select", options=(
                ("(first on the board)", FRONT),
                *((f"after {s.name}", s.name) for s in others))))
        return specs

    def load(self) -> dict[str, Any]:
        open_stages = [s for s in self.order if s.is_open]
        if self.stage is None:
            return {"probability": "", "after": open_stages[-1].name if open_stages else FRONT}
        place = next((i for i, s in enumerate(open_stages) if s.id == self.stage.id), 0)
        return {"name": self.stage.name, "probability": str(self.stage.probability),
                "rot_days": "" if self.stage.rot_days is None else str(self.stage.rot_days),
                "after": open_stages[place - 1].name if place > 0 else FRONT}

    def save_values(self, values: dict[str, Any], expected_version: int | None) -> int:
        try:
            if self.stage is None:
                return add_stage(values["name"], values["probability"],
                                 after=values.get("after"), rot_days=values["rot_days"]).id
            return edit_stage(self.stage.name, new_name=values["name"],
                              probability=values["probability"], rot_days=values["rot_days"],
                              after=values.get("after")).id
        except ValidationError:
            raise
        except CrmError as exc:  # another user's stage took the name meanwhile...
            raise ValidationError({"name" if "name" in str(exc) else "": str(exc)}) from None


class MoveDealsDialog(DataModal[str | None]):
    """Where the deals of a stage being removed go: one of the other open stages
    (``enter`` picks); ``escape`` keeps the stage."""

    BINDINGS = [Binding("escape", "dismiss_none", "Keep the stage", id="dialog.cancel")]

    def __init__(self, stage: StageRow, deals: int, targets: list[StageRow]) -> None:
        super().__init__(classes="dialog")
        self.stage = stage
        self.deals = deals
        self.targets = targets

    def compose(self) -> ComposeResult:
        title = Text("Remove ")
        title.append_text(safe(self.stage.name, style="bold"))
        with Vertical(classes="dialog-box picker-box"):
            yield Static(title, classes="dialog-title")
            yield Static(f"It holds {self.deals:,} deal{'s' if self.deals != 1 else ''}: "
                         "pick the open stage they move to (enter), escape keeps it.",
                         classes="dialog-message", markup=False)
            yield OptionList(*(Option(safe(s.name), id=str(s.id)) for s in self.targets),
                             id="move-to", classes="picker-options", compact=True)
        yield KeyFooter()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(self.targets[event.option_index].name)

    def action_dismiss_none(self) -> None:
        self.dismiss(None)


class LostReasonsForm(RecordForm):
    """The lost reasons the ClosedLost prompt offers, one a line, in order."""

    form_title = "Lost reasons"

    def field_specs(self) -> list[FieldSpec]:
        return [FieldSpec("reasons", "Reasons", kind="notes")]

    def title_text(self) -> Text:
        return Text.assemble((self.form_title, "bold"), "\nOne a line: the ClosedLost prompt "
                             "offers them in this order (free text is still taken).")

    def load(self) -> dict[str, Any]:
        return {"reasons": "\n".join(get_list("lost_reasons"))}

    def save_values(self, values: dict[str, Any], expected_version: int | None) -> int:
        try:
            set_list("lost_reasons", str(values["reasons"]).split("\n"))
        except CrmError as exc:
            raise ValidationError({"reasons": str(exc)}) from None
        return 0
