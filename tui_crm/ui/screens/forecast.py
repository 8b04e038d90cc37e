"""Screen 4: the forecast of a quarter at a glance, with pictures.

Everything shown comes from one call of ``core.forecast.forecast``, the function
behind ``tui-crm forecast``, so the screen and the command line always agree. The
call runs in a worker thread; ``[`` and ``]`` step through the quarters.
"""

from __future__ import annotations

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Container, Vertical, VerticalScroll
from textual.message import Message
from textual.reactive import reactive
from textual.widgets import Header, Static
from textual.worker import Worker, get_current_worker

from tui_crm.core import dates
from tui_crm.core.changelog import current_user
from tui_crm.core.dates import Quarter
from tui_crm.core.forecast import Forecast, forecast
from tui_crm.ui.footer_keys import KeyFooter
from tui_crm.ui.screens.base import DataScreen
from tui_crm.ui.widgets import forecast_view as view
from tui_crm.ui.widgets.forecast_charts import BarChart
from tui_crm.ui.widgets.forecast_settings import open_settings


class ForecastBody(VerticalScroll):
    """The figures and charts; `up`/`down` pick a row of the figures (a stage, "No
    close date", "Overdue") and `enter` lists its deals. The page keys scroll."""

    HELP_GROUP = "Rows"
    BINDINGS = [
        Binding("up,k", "screen.pick_row(-1)", "Row above", show=False, id="forecast.row_up"),
        Binding("down,j", "screen.pick_row(1)", "Row below", show=False,
                id="forecast.row_down"),
        Binding("enter", "screen.list_row", "List deals", id="forecast.list_row"),
    ]


class ForecastScreen(DataScreen):
    """The quarter's open pipeline by stage, the warnings, the win/loss record, charts."""

    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (110, "-wide")]
    AUTO_FOCUS = "#forecast-body"
    BINDINGS = [
        Binding("left_square_bracket", "previous_quarter", "Prev quarter", key_display="[",
                id="forecast.previous_quarter"),
        Binding("right_square_bracket", "next_quarter", "Next quarter", key_display="]",
                id="forecast.next_quarter"),
        Binding("t", "this_quarter", "This quarter", id="forecast.this_quarter"),
        Binding("m", "toggle_mine", "My deals", id="forecast.mine"),
        Binding("s", "settings", "Settings", id="forecast.settings"),
        Binding("p", "past", "Past", id="forecast.past"),
        Binding("c", "changes", "Changes", id="forecast.changes"),
    ]

    # Only the deals of the current user ("my deals"), or everyone's.
    mine: reactive[bool] = reactive(False, bindings=True, init=False)
    # The row `enter` lists: the stages in order, then "No close date", then "Overdue".
    row: reactive[int] = reactive(0, init=False)
    # The quarter shown (`t` applies when it is not the current one).
    quarter: reactive[Quarter] = reactive(Quarter.current, bindings=True, repaint=False,
                                          init=False)

    def __init__(self) -> None:
        super().__init__()
        self.result: Forecast | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        with ForecastBody(id="forecast-body"):
            yield Static(view.title(self.quarter, None), id="forecast-title")
            with Container(id="forecast-columns"):
                with Vertical(id="forecast-figures"):
                    yield Static(id="forecast-stages")
                    yield Static(id="forecast-warnings")
                    yield Static(id="forecast-winloss")
                with Vertical(id="forecast-charts"):
                    yield Static(id="forecast-pipeline-title", classes="forecast-heading")
                    yield BarChart(id="forecast-pipeline-chart")
                    yield Static(id="forecast-trend-title", classes="forecast-heading")
                    yield BarChart(id="forecast-trend-chart")
        yield KeyFooter()

    def on_screen_resume(self) -> None:
        # Coming back to the screen shows what changed while it was away.
        self.reload()

    def reload(self) -> None:
        """Query the shown quarter again (after a change here or elsewhere)."""
        self._load(self.quarter, current_user() if self.mine else None)

    @work(thread=True, exclusive=True, exit_on_error=False, group="forecast")
    def _load(self, quarter: Quarter, owner: str | None) -> None:
        result = forecast(quarter, owner=owner)
        if not get_current_worker().is_cancelled:
            self.post_message(self.Read(result))

    class Read(Message):
        """The forecast of a quarter, read in a worker."""

        def __init__(self, result: Forecast) -> None:
            super().__init__()
            self.result = result

    @on(Read)
    def show_forecast(self, message: Read) -> None:
        result = message.result
        if result.quarter != self.quarter or result.owner != self.owner:
            return  # an answer for a quarter (or owner) the user has already left
        self.result = result
        self.query_one("#forecast-columns").remove_class("-stale")
        self.query_one("#forecast-title", Static).update(view.title(result.quarter, result))
        self.row = min(self.row, self.rows() - 1)
        self.show_rows()
        self.query_one("#forecast-winloss", Static).update(view.win_loss(result))
        self.query_one("#forecast-pipeline-title", Static).update(view.pipeline_title(result))
        self.query_one("#forecast-pipeline-chart", BarChart).show(view.pipeline_bars(result))
        self.query_one("#forecast-trend-title", Static).update(view.trend_title(result))
        self.query_one("#forecast-trend-chart", BarChart).show(view.trend_bars(result))

    def rows(self) -> int:
        return len(self.result.stages) + 2 if self.result is not None else 0

    def show_rows(self) -> None:
        """The stage table and the warnings, the picked row reversed."""
        if self.result is None:
            return
        stages = len(self.result.stages)
        picked = self.row if self.row < stages else None
        self.query_one("#forecast-stages", Static).update(view.stage_table(self.result, picked))
        warned = self.row - stages if self.row >= stages else None
        self.query_one("#forecast-warnings", Static).update(view.warnings(self.result, warned))

    def watch_row(self) -> None:
        self.show_rows()

    def action_pick_row(self, step: int) -> None:
        if self.rows():
            self.row = max(0, min(self.row + step, self.rows() - 1))

    def action_list_row(self) -> None:
        """The deals the picked row counts, in a list of their own."""
        from tui_crm.core import deal_lists
        from tui_crm.ui.widgets.forecast_deals import ForecastDeals

        result = self.result
        if result is None:
            return
        # The quarter and owner asked for, even while their figures are on their way
        # (`]` then `enter` in one burst): the stages are the same in every quarter.
        stages = len(result.stages)
        if self.row < stages:
            selection = deal_lists.stage_deals(result.stages[self.row].stage, self.quarter,
                                               self.owner)
        elif self.row == stages:
            selection = deal_lists.undated_deals(self.owner)
        else:
            selection = deal_lists.overdue_deals(dates.today(), self.owner)
        self.app.push_screen(ForecastDeals(selection))

    def worker_failed(self, worker: Worker, message: str) -> None:
        self.notify(message, title="The forecast could not be read", severity="error",
                    markup=False)

    def _step_to(self, quarter: Quarter) -> None:
        self.quarter = quarter
        # The title changes at once; the figures follow when the worker answers.
        self.query_one("#forecast-title", Static).update(view.title(quarter, None))
        self.query_one("#forecast-columns").add_class("-stale")
        self.reload()

    def action_previous_quarter(self) -> None:
        self._step_to(self.quarter.previous())

    def action_next_quarter(self) -> None:
        self._step_to(self.quarter.next())

    def action_this_quarter(self) -> None:
        self._step_to(Quarter.containing(dates.today()))

    @property
    def owner(self) -> str | None:
        return current_user() if self.mine else None

    def action_toggle_mine(self) -> None:
        self.mine = not self.mine

    def watch_mine(self, mine: bool) -> None:
        # The header says whose deals these are; the figures follow the worker.
        self.sub_title = f"{self.app.sub_title} · my deals ({current_user()})" if mine \
            else None
        self.query_one("#forecast-columns").add_class("-stale")
        self.reload()

    def action_settings(self) -> None:
        open_settings(self.app)

    def action_past(self) -> None:
        from tui_crm.ui.widgets.forecast_past import show_past

        show_past(self.app, self.quarter)

    def action_changes(self) -> None:
        from tui_crm.ui.widgets.forecast_past import show_changes

        show_changes(self.app, self.quarter)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "this_quarter":
            return self.quarter != Quarter.containing(dates.today())
        return True

