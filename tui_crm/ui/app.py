"""CrmApp: the screens, the global keys and the command palette."""

from __future__ import annotations

from textual.app import App
from textual.binding import Binding

from tui_crm.ui.screens.customers import CustomersScreen
from tui_crm.ui.screens.forecast import ForecastScreen
from tui_crm.ui.screens.leads import LeadsScreen
from tui_crm.ui.screens.pipeline import PipelineScreen


class CrmApp(App):
    """The CRM. The database is opened (and the models bound) before it runs."""

    TITLE = "tui-crm"
    CSS_PATH = "app.tcss"
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
        Binding("ctrl+q", "quit", "Quit", show=False, id="app.quit_ctrl"),
    ]

    def __init__(self, db_label: str = "", start_mode: str = "leads"):
        super().__init__()
        self.db_label = db_label
        self.start_mode = start_mode

    def on_mount(self) -> None:
        self.sub_title = self.db_label
        self.switch_mode(self.start_mode)
