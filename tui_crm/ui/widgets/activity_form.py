"""The activity form: plan a call, a meeting, an e-mail or a task, or log one done.

``ActivityForm(deal_id=..., customer_id=..., lead_id=..., about="name")`` is a
``ModalScreen[int | None]`` dismissed with the new activity's id (None when
cancelled). With ``next_step=True`` it asks for a deal's next step after an activity
was done: `enter` on the empty subject skips it.
"""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual import on
from textual.widgets import Input

from tui_crm.core import activities, settings
from tui_crm.core.validate import check_date, check_text
from tui_crm.ui.widgets.deal_form import DATE_HINT
from tui_crm.ui.widgets.form import FieldSpec, RecordForm
from tui_crm.ui.widgets.record_forms import titled

SKIP_HINT = "enter on an empty subject (or escape) skips the next step"


class ActivityForm(RecordForm):
    """A new activity about a deal, a customer, a lead or a contact: subject, kind, due date,
    time, notes, and "done already" to log what was done."""

    def __init__(self, *, deal_id: int | None = None, customer_id: int | None = None,
                 lead_id: int | None = None, contact_id: int | None = None, about: str = "",
                 next_step: bool = False):
        super().__init__()
        self.about_ids = {"deal_id": deal_id, "customer_id": customer_id, "lead_id": lead_id,
                          "contact_id": contact_id}
        self.about = about
        self.next_step = next_step
        self.kinds: list[str] = []

    def read_choices(self) -> None:
        self.kinds = settings.get_list("activity_kinds")

    def title_text(self) -> Text:
        return titled("Next step" if self.next_step else "New activity", self.about)

    def field_specs(self) -> list[FieldSpec]:
        return [
            FieldSpec("subject", "Subject",
                      placeholder="empty skips" if self.next_step else "required",
                      check=activities.check_subject),
            FieldSpec("kind", "Kind", kind="select",
                      options=tuple((kind, kind) for kind in self.kinds)),
            FieldSpec("due", "Due date", placeholder=DATE_HINT, check=check_date),
            FieldSpec("due_time", "Time", placeholder="HH:MM, optional",
                      check=activities.check_time),
            FieldSpec("notes", "Notes", kind="notes", check=check_text),
            FieldSpec("done", "Done", kind="checkbox", placeholder="done already (a log)"),
        ]

    def load(self) -> dict[str, Any]:
        return {"kind": activities.check_kind(""), "done": False}

    def form_filled(self) -> None:
        if self.next_step:
            self.fields["subject"].set_hint(SKIP_HINT)

    @on(Input.Submitted, "#field-subject")
    def subject_submitted(self, event: Input.Submitted) -> None:
        if self.next_step and not event.value.strip():
            event.stop()
            event.prevent_default()  # not on to the next field (RecordForm's handler)
            self.dismiss(None)

    def save_values(self, values: dict[str, Any], expected_version: int | None) -> int:
        data = {name: values[name] for name in ("kind", "subject", "due", "due_time", "notes")}
        data.update({name: value for name, value in self.about_ids.items() if value})
        return activities.create_activity(data, done=bool(values["done"]))


def add_activity(app, **about) -> None:
    """Open the activity form for a record (``deal_id=``, ``customer_id=`` or
    ``lead_id=``, and ``about``: its name) from a data screen; once saved, say so,
    count the overdue activities again and reload the screen."""

    screen = app.screen

    def saved(activity_id: int | None) -> None:
        if activity_id is not None:
            app.notify("Activity saved.")
            app.refresh_overdue()
            screen.reload()  # its marks (a board card's next step) may have changed

    app.push_screen(ActivityForm(**about), saved)
