"""The settings form of a database: what Amount means (ARR or one-time) and the currency.

Opened with `s` on the forecast screen and from the command palette anywhere. It is
a ``RecordForm`` like every other form: errors at the field, ``ctrl+s`` saves in a
worker, ``escape`` asks before dropping changes.
"""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.app import App
from textual.binding import Binding
from textual.command import DiscoveryHit, Hit, Hits, Provider

from tui_crm.core.settings import (
    AMOUNT_BASES,
    Settings,
    check_amount_basis,
    check_currency,
    get_settings,
    update_settings,
)
from tui_crm.ui.widgets.form import FieldSpec, RecordForm

BASIS_TEXT = {"ARR": "ARR: annual recurring value",
              "one-time": "one-time: the contract's whole size"}
COMMAND = "Settings: amount basis and currency"
COMMAND_HELP = "What amounts mean, and their currency"


class SettingsForm(RecordForm):
    """Amount basis and currency code of the whole database; dismissed with 0 when saved."""

    form_title = "Settings of this database"
    saved: Settings | None = None  # what the save wrote
    BINDINGS = [Binding("ctrl+t", "app.open_stages", "Stages and lost reasons",
                        id="settings.stages")]

    def field_specs(self) -> list[FieldSpec]:
        return [
            FieldSpec("amount_basis", "Amount means", kind="select",
                      options=tuple((BASIS_TEXT[basis], basis) for basis in AMOUNT_BASES),
                      check=check_amount_basis),
            FieldSpec("currency", "Currency", placeholder="three letters, e.g. USD, EUR, GBP",
                      check=check_currency),
        ]

    def title_text(self) -> Text:
        return Text.assemble((self.form_title, "bold"),
                             "\nOne basis and one currency for every amount summed."
                             "\nctrl+t: the stages and the lost reasons.")

    def load(self) -> dict[str, Any]:
        current = get_settings()
        return {"amount_basis": current.amount_basis, "currency": current.currency}

    def save_values(self, values: dict[str, Any], expected_version: int | None) -> int:
        self.saved = update_settings(amount_basis=values["amount_basis"],
                                     currency=values["currency"])
        return 0


def open_settings(app: App) -> None:
    """Show the settings form; once saved, the screen underneath shows the new labels."""
    form = SettingsForm()

    def saved(result: int | None) -> None:
        if result is None:
            return
        current = form.saved  # as written, in the save's worker: nothing read here
        app.notify(f"Amounts are now {current.amount_basis}, {current.currency}.",
                   title="Settings saved")
        reload = getattr(app.screen, "reload", None)
        if callable(reload):
            reload()

    app.push_screen(form, saved)


class SettingsCommands(Provider):
    """The command palette's way to the settings form, from any screen."""

    async def discover(self) -> Hits:
        yield DiscoveryHit(COMMAND, self._open, help=COMMAND_HELP)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        score = matcher.match(COMMAND)
        if score > 0:
            yield Hit(score, matcher.highlight(COMMAND), self._open, help=COMMAND_HELP)

    def _open(self) -> None:
        open_settings(self.app)
