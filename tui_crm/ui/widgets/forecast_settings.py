"""The settings form of a database: what Amount means (ARR or one-time) and the currency.

Opened with `s` on the forecast screen and from the command palette anywhere.
"""

from __future__ import annotations

from rich.text import Text
from textual import on, work
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.validation import ValidationResult, Validator
from textual.widgets import Input, Label, RadioButton, RadioSet, Static

from tui_crm.core.errors import CrmError, ValidationError
from tui_crm.core.models import AMOUNT_BASES
from tui_crm.core.settings import Settings, check_currency, get_settings, update_settings

BASIS_TEXT = {"ARR": "ARR: annual recurring value",
              "one-time": "one-time: the contract's whole size"}
COMMAND = "Settings: amount basis and currency"


class CurrencyCode(Validator):
    """The core's own rule for a currency code, shown at the field as it is typed."""

    def validate(self, value: str) -> ValidationResult:
        try:
            check_currency(value)
        except CrmError as exc:
            return self.failure(str(exc))
        return self.success()


class SettingsForm(ModalScreen[Settings | None]):
    """Amount basis and currency code; ``ctrl+s`` saves, ``escape`` cancels."""

    BINDINGS = [
        Binding("ctrl+s", "save", "Save", priority=True, id="form.save"),
        Binding("escape", "cancel", "Cancel", id="form.cancel"),
    ]

    def __init__(self, current: Settings):
        super().__init__()
        self.current = current
        self.discard_armed = False

    def compose(self) -> ComposeResult:
        with Vertical(id="settings-form"):
            yield Static("Settings of this database", classes="settings-heading")
            yield Label("What an amount means (one basis for every deal)")
            with RadioSet(id="settings-basis"):
                for basis in AMOUNT_BASES:
                    yield RadioButton(BASIS_TEXT[basis], value=basis == self.current.amount_basis,
                                      id=f"basis-{basis}")
            yield Static("", id="settings-basis-error", classes="settings-error")
            yield Label("Currency code (three letters, e.g. USD, EUR, GBP)")
            yield Input(self.current.currency, max_length=3, id="settings-currency",
                        validators=[CurrencyCode()], validate_on=["changed", "blur"])
            yield Static("", id="settings-currency-error", classes="settings-error")
            yield Static(self.preview(), id="settings-preview")
            yield Static("ctrl+s save   escape cancel", id="settings-status",
                         classes="settings-hint")

    def on_mount(self) -> None:
        self.query_one(RadioSet).focus()

    def chosen_basis(self) -> str:
        pressed = self.query_one(RadioSet).pressed_button
        return pressed.id.removeprefix("basis-") if pressed and pressed.id else ""

    def typed_currency(self) -> str:
        return self.query_one("#settings-currency", Input).value

    def preview(self) -> Text:
        """The chosen settings in words, so the choice reads without colour."""
        basis = self.chosen_basis() if self.is_mounted else self.current.amount_basis
        code = self.typed_currency() if self.is_mounted else self.current.currency
        return Text.assemble("Amounts will read: ", (f"{basis or '?'}, {code.upper() or '?'}",
                                                      "bold"))

    def changed(self) -> bool:
        return (self.chosen_basis() != self.current.amount_basis
                or self.typed_currency().strip().upper() != self.current.currency)

    @on(Input.Changed, "#settings-currency")
    def _currency_changed(self, event: Input.Changed) -> None:
        result = event.validation_result
        message = "" if result is None or result.is_valid else result.failure_descriptions[0]
        self.show_error("currency", message)
        self._edited()

    @on(RadioSet.Changed)
    def _basis_changed(self) -> None:
        self.show_error("amount_basis", "")
        self._edited()

    def _edited(self) -> None:
        self.discard_armed = False
        self.query_one("#settings-preview", Static).update(self.preview())

    def show_error(self, field: str, message: str) -> None:
        target = "#settings-basis-error" if field == "amount_basis" else "#settings-currency-error"
        self.query_one(target, Static).update(message)

    def say(self, message: str) -> None:
        self.query_one("#settings-status", Static).update(message)

    def action_save(self) -> None:
        currency = self.query_one("#settings-currency", Input)
        result = currency.validate(currency.value)
        if result is not None and not result.is_valid:
            self.show_error("currency", result.failure_descriptions[0])
            currency.focus()
            return
        self.say("Saving...")
        self._save(self.chosen_basis(), currency.value)

    @work(thread=True, exclusive=True, group="settings-save")
    def _save(self, basis: str, currency: str) -> None:
        try:
            saved = update_settings(amount_basis=basis, currency=currency)
        except ValidationError as exc:
            self.app.call_from_thread(self._rejected, exc.errors)
        except CrmError as exc:
            self.app.call_from_thread(self.say, f"Not saved: {exc}")
        else:
            self.app.call_from_thread(self.dismiss, saved)

    def _rejected(self, errors: dict[str, str]) -> None:
        for field, message in errors.items():
            self.show_error(field, message)
        self.say("Not saved: correct the fields marked above.")

    def action_cancel(self) -> None:
        if self.changed() and not self.discard_armed:
            self.discard_armed = True
            self.say("Unsaved changes: escape again discards them, ctrl+s saves.")
            return
        self.dismiss(None)


def open_settings(app: App) -> None:
    """Show the settings form; once saved, the screen underneath shows the new labels."""
    def saved(result: Settings | None) -> None:
        if result is None:
            return
        app.notify(f"Amounts are now {result.amount_basis}, {result.currency}.",
                   title="Settings saved")
        reload = getattr(app.screen, "reload", None)
        if callable(reload):
            reload()

    app.push_screen(SettingsForm(get_settings()), saved)


class SettingsCommands(Provider):
    """The command palette's way to the settings form, from any screen."""

    async def discover(self) -> Hits:
        yield DiscoveryHit(COMMAND, self._open, help="What amounts mean, and their currency")

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        score = matcher.match(COMMAND)
        if score > 0:
            yield Hit(score, matcher.highlight(COMMAND), self._open,
                      help="What amounts mean, and their currency")

    def _open(self) -> None:
        open_settings(self.app)
