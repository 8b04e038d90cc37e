"""CrmApp: the screens, the global keys and the command palette."""

from __future__ import annotations

from textual.app import App
from textual.binding import Binding
from textual.screen import ModalScreen

from tui_crm.ui.screens.customers import CustomersScreen
from tui_crm.ui.screens.forecast import ForecastScreen
from tui_crm.ui.screens.leads import LeadsScreen
from tui_crm.ui.screens.pipeline import PipelineScreen
from tui_crm.ui.widgets.forecast_settings import SettingsCommands


class CrmApp(App):
    """The CRM. The database is opened (and the models bound) before it runs."""

    TITLE = "tui-crm"
    CSS_PATH = "app.tcss"
    COMMANDS = App.COMMANDS | {SettingsCommands}
    MODES = {
        "leads": LeadsScreen,
        "customers": CustomersScreen,
        "pipeline": PipelineScreen,
        "forecast": ForecastScreen,
    }
    BINDINGS = [
        Binding("1", "switch_mode('leads')", "Leads", id="screen.leads"),
        Binding("2", "switch_mode('customers')", "Customers", id="screen.customers"),
        Binding("3", "switch_mode('pipeline')", "Pipeline", id="screen.pipeline"),
        Binding("4", "switch_mode('forecast')", "Forecast", id="screen.forecast"),
        Binding("q", "quit", "Quit", id="app.quit"),
        Binding("ctrl+q", "quit_now", "Quit", show=False, priority=True, id="app.quit_ctrl"),
    ]

    def __init__(self, db_label: str = "", start_mode: str = "leads"):
        super().__init__()
        self.db_label = db_label
        self.start_mode = start_mode

    def on_mount(self) -> None:
        self.sub_title = self.db_label
        self.switch_mode(self.start_mode)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # Screen switches and one-letter keys wait while a form or dialog is open.
        if isinstance(self.screen, ModalScreen) and action in ("switch_mode", "quit"):
            return False
        return True

    def action_quit_now(self) -> None:
        """ctrl+q quits from anywhere, a form included (what it holds is not saved)."""
        self.exit()

    def show_record(self, kind: str, record_id: int) -> None:
        """Go to a record: its screen with the cursor on it (a deal: its parent's
        screen, then the deal's form)."""
        self.call_later(self._show_record, kind, record_id)

    async def _show_record(self, kind: str, record_id: int) -> None:
        if kind == "opportunity":
            from tui_crm.core.deals import get_deal
            from tui_crm.ui.widgets.deal_form import DealForm

            deal = get_deal(record_id)
            if deal.customer_id is not None:
                await self._show_record("customer", deal.customer_id)
            else:
                await self._show_record("lead", deal.lead_id)
            self.push_screen(DealForm(record_id), lambda _: self.screen.reload())
            return
        await self.switch_mode("leads" if kind == "lead" else "customers")
        self.screen.show_record(record_id)
