"""CrmApp: the screens, the global keys and the command palette."""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterable
from importlib import import_module
from pathlib import Path

from textual import on, work
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.command import Provider
from textual.message import Message
from textual.screen import ModalScreen, Screen

from tui_crm.core.errors import CrmError
from tui_crm.core.text import how_many, printable
from tui_crm.ui.keys import KeysInOrder
from tui_crm.ui.live import LiveRefresh
from tui_crm.ui.stylesheet import ThemeStylesheet
from tui_crm.ui.widgets.undo_steps import UndoSteps
from tui_crm.ui.workers import FailsSoftly

# Starting the app loads the code of the screen it opens on; what serves the other
# screens, the forms, the dialogs and the command palette loads when first used.


def _screen(module: str, name: str) -> Callable[[], Screen]:
    """A mode's screen, imported when the mode is first opened."""

    def make() -> Screen:
        return getattr(import_module(f"tui_crm.ui.screens.{module}"), name)()

    return make


def _provider(module: str, name: str) -> Callable[[], type[Provider]]:
    """A command palette provider, imported when the palette is first opened."""

    def load() -> type[Provider]:
        return getattr(import_module(module), name)

    return load


def _deal_form(*args, **kwargs) -> Screen:
    from tui_crm.ui.widgets.deal_form import DealForm

    return DealForm(*args, **kwargs)



class CrmApp(UndoSteps, LiveRefresh, KeysInOrder, FailsSoftly):
    """The CRM. The database is opened (and the models bound) before it runs."""

    TITLE = "tui-crm"
    CSS_PATH = "app.tcss"
    COMMANDS = App.COMMANDS | {
        _provider("tui_crm.ui.widgets.forecast_settings", "SettingsCommands"),
        _provider("tui_crm.ui.commands", "RecordsProvider"),
    }
    MODES = {
        "leads": _screen("leads", "LeadsScreen"),
        "customers": _screen("customers", "CustomersScreen"),
        "pipeline": _screen("pipeline", "PipelineScreen"),
        "forecast": _screen("forecast", "ForecastScreen"),
        "today": _screen("today", "TodayScreen"),
    }
    BINDINGS = [
        Binding("1", "switch_mode('leads')", "Leads", id="screen.leads"),
        Binding("2", "switch_mode('customers')", "Customers", id="screen.customers"),
        Binding("3", "switch_mode('pipeline')", "Pipeline", id="screen.pipeline"),
        Binding("4", "switch_mode('forecast')", "Forecast", id="screen.forecast"),
        Binding("5", "switch_mode('today')", "Today", id="screen.today"),
        Binding("u", "undo", "Undo", show=False, id="app.undo"),
        Binding("ctrl+r", "redo", "Redo", show=False, id="app.redo"),
        Binding("question_mark", "help", "Help", key_display="?", id="app.help"),
        Binding("q", "quit", "Quit", id="app.quit"),
        Binding("ctrl+q", "quit_now", "Quit", show=False, priority=True, id="app.quit_ctrl"),
    ]

    def __init__(self, db_label: str = "", start_mode: str = "leads"):
        # The app starts in this mode: its screen is the first one composed, with no
        # blank default screen drawn and styled before it and no switch to it.
        self.DEFAULT_MODE = start_mode
        super().__init__()
        self.stylesheet = ThemeStylesheet(variables=self.get_css_variables())
        self.db_label = db_label
        self.start_mode = start_mode
        self.overdue = 0
        gc.freeze()  # the code loaded: see on_ready

    def on_mount(self) -> None:
        self.sub_title = printable(self.db_label, single_line=True)

    def on_ready(self) -> None:
        """The first frame is shown. What is alive now (the code, the styles, the app
        and its first screen) lives as long as the app: Python's full collections, which
        stop the app to walk every object, no longer walk it. At 120x40 each took
        35-90 ms, three or four times a session; now 10-40 ms.

        Only now are the overdue activities counted and an empty database looked for,
        each in a worker: before, they drew the first frame out, the more so on
        PostgreSQL, where each worker's thread opens a connection of its own. On
        PostgreSQL the first frame came through psycopg2, the driver quicker to load:
        psycopg 3 is loaded now (``core.drivers.load_full_driver``)."""
        gc.freeze()
        self._load_full_driver()
        self._offer_first_run()
        self.refresh_overdue()

    @work(thread=True, exit_on_error=False, group="driver")
    def _load_full_driver(self) -> None:
        from tui_crm.core.drivers import connection_to_move_to, load_full_driver

        if load_full_driver():
            self.post_message(self.FullDriverLoaded(connection_to_move_to()))

    class FullDriverLoaded(Message, bubble=False):
        """psycopg 3 is loaded, and a connection opened for the screens' thread."""

        def __init__(self, connection: object | None) -> None:
            super().__init__()
            self.connection = connection

    @on(FullDriverLoaded)
    def move_to_full_driver(self, message: FullDriverLoaded) -> None:
        from tui_crm.core.drivers import move_to_full_driver

        move_to_full_driver(message.connection)  # idle now, not at the next key

    # -- the count of overdue activities, in the header of every screen ---------------

    def refresh_overdue(self) -> None:
        """Count the overdue activities again (in a worker) and show them."""
        self._count_overdue()

    @work(thread=True, exclusive=True, exit_on_error=False, group="overdue-count")
    def _count_overdue(self) -> None:
        from tui_crm.core.today import COUNT_CAP, overdue_count

        count = overdue_count()
        self.post_message(self.OverdueCounted(count, count >= COUNT_CAP))

    class OverdueCounted(Message, bubble=False):
        """The overdue activities, counted in a worker (``capped``: at least)."""

        def __init__(self, count: int, capped: bool) -> None:
            super().__init__()
            self.count, self.capped = count, capped

    @on(OverdueCounted)
    def show_overdue(self, message: OverdueCounted) -> None:
        count, capped = message.count, message.capped
        self.overdue = count
        label = printable(self.db_label, single_line=True)
        if count:
            overdue = f"{count:,}{'+' if capped else ''} overdue (5: Today)"
            label = f"{label} · {overdue}" if label else overdue
        self.sub_title = label

    def live_changed(self) -> None:
        """The live refresh saw a change: the overdue count may have moved."""
        self.refresh_overdue()

    # -- first run: what to press, and demo data -----------------------------------

    @work(thread=True, exit_on_error=False, group="first-run")
    def _offer_first_run(self) -> None:
        from tui_crm.core import demo

        if demo.is_empty():
            self.post_message(self.FoundEmpty())

    class FoundEmpty(Message, bubble=False):
        """The database holds no records yet: the first run."""

    @on(FoundEmpty)
    def welcome(self) -> None:
        from tui_crm.ui.widgets.welcome import WelcomeScreen

        self.push_screen(WelcomeScreen(), self._welcomed)

    def _welcomed(self, choice: str | None) -> None:
        from tui_crm.ui.widgets.welcome import DEMO, NEW_LEAD

        if choice == DEMO:
            self.offer_demo()
        elif choice == NEW_LEAD:
            self.new_record("lead")

    def offer_demo(self) -> None:
        """Load the demo data (into an empty database only)."""
        self.notify("Loading demo data…", timeout=3)
        self._load_demo()

    @work(thread=True, exclusive=True, exit_on_error=False, group="demo")
    def _load_demo(self) -> None:
        from tui_crm.core import demo

        try:
            summary = demo.load_demo()
        except CrmError as exc:
            self.post_message(self.DemoLoaded(refused=str(exc)))
            return
        self.post_message(self.DemoLoaded(f"Demo data loaded: {summary.leads:,} leads, "
                                          f"{summary.customers:,} customers, "
                                          f"{summary.deals:,} deals."))

    class DemoLoaded(Message, bubble=False):
        """The demo data loaded (``said`` says how much), or refused (``refused``)."""

        def __init__(self, said: str = "", refused: str = "") -> None:
            super().__init__()
            self.said, self.refused = said, refused

    @on(DemoLoaded)
    def demo_loaded(self, message: DemoLoaded) -> None:
        if message.refused:
            self.notify(message.refused, severity="error", markup=False)
            return
        self.notify(message.said, markup=False)
        self.reload_screens()

    def reload_screens(self) -> None:
        """Every open screen queries again what it shows."""
        for screen in self.open_screens():
            reload = getattr(screen, "reload", None)
            if callable(reload):
                reload()

    # -- help, commands, new records --------------------------------------------------

    def action_help(self) -> None:
        from tui_crm.ui.widgets.help import HelpScreen, screen_keys

        screen = self.screen
        title = {"leads": "Leads", "customers": "Customers", "pipeline": "Pipeline",
                 "forecast": "Forecast", "today": "Today"}.get(self.current_mode, "tui-crm")
        if isinstance(screen, ModalScreen):
            title = "this form or dialog"
        self.push_screen(HelpScreen(title, screen_keys(self, screen)))

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        from tui_crm.ui.commands import system_commands

        yield from system_commands(self, screen, super().get_system_commands(screen))

    def new_record(self, kind: str) -> None:
        """Open the form for a new lead, customer or opportunity."""
        self.call_later(self._new_record, kind)

    async def _new_record(self, kind: str) -> None:
        if kind == "opportunity":
            self.push_screen(_deal_form(), self._deal_saved)
            return
        await self.switch_mode("leads" if kind == "lead" else "customers")
        await self.screen.run_action("new_lead" if kind == "lead" else "new_customer")

    def open_stages(self) -> None:
        """The Stages screen: the pipeline's stages, to add, edit, reorder, remove."""
        from tui_crm.ui.screens.stages import StagesScreen

        self.push_screen(StagesScreen())

    action_open_stages = open_stages  # ctrl+t in the settings form

    def open_trash(self) -> None:
        """The Trash: deleted records, restored with `enter`."""
        from tui_crm.ui.widgets.trash_screen import TrashScreen

        self.push_screen(TrashScreen())

    def open_import(self) -> None:
        """The CSV import dialog, for the records of the current screen."""
        from tui_crm.ui.widgets.csv_import import CsvImportScreen  # CSV code, when asked for

        kind = self.current_mode if self.current_mode in ("leads", "customers") \
            else "opportunities"
        self.push_screen(CsvImportScreen(kind, Path.cwd()), self._imported)

    def _imported(self, count: int | None) -> None:
        if count is not None:
            self.notify(f"Imported {how_many(count, 'records')}.")
            self.reload_screens()

    def _deal_saved(self, deal_id: int | None) -> None:
        if deal_id is not None:
            self.notify("Opportunity saved.")
            self.reload_screens()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # Screen switches and one-letter keys wait while a form or dialog is open.
        if isinstance(self.screen, ModalScreen) and action in ("switch_mode", "quit", "undo",
                                                                "redo"):
            return False
        return True

    async def action_quit(self) -> None:
        """Quit; when a form holds unsaved changes, ask first (as escape does)."""
        self.quit_asking()

    def action_quit_now(self) -> None:
        """ctrl+q quits from anywhere, a form included: asked first when the form
        holds unsaved changes; ctrl+q again on that question quits."""
        self.quit_asking()

    def quit_asking(self) -> None:
        from tui_crm.ui.widgets.dialogs import QuitDialog
        from tui_crm.ui.widgets.form import RecordForm

        unsaved = [screen for screen in self.screen_stack
                   if isinstance(screen, RecordForm) and screen.changed]
        if not unsaved or isinstance(self.screen, QuitDialog):
            self.exit()
            return

        def decided(quit_: bool | None) -> None:
            if quit_:
                self.exit()

        self.push_screen(QuitDialog(), decided)

    def show_record(self, kind: str, record_id: int) -> None:
        """Go to a record: its screen with the cursor on it (a deal: its parent's
        screen, then the deal's form, once a worker has read whose it is)."""
        if kind == "opportunity":
            self._find_deal(record_id)
        else:
            self.call_later(self._show_record, kind, record_id)

    @work(thread=True, exclusive=True, exit_on_error=False, group="find-deal")
    def _find_deal(self, deal_id: int) -> None:
        from tui_crm.core.deals import get_deal

        try:
            deal = get_deal(deal_id)
        except CrmError as exc:  # deleted since the palette listed it
            self.post_message(self.DealFound(deal_id, None, None, str(exc)))
            return
        parent = ("customer", deal.customer_id) if deal.customer_id is not None \
            else ("lead", deal.lead_id)
        self.post_message(self.DealFound(deal_id, *parent))

    class DealFound(Message, bubble=False):
        """Whose a deal is (``kind``, ``parent_id``), read in a worker, or why not."""

        def __init__(self, deal_id: int, kind: str | None, parent_id: int | None,
                     refused: str = "") -> None:
            super().__init__()
            self.deal_id, self.kind, self.parent_id = deal_id, kind, parent_id
            self.refused = refused

    @on(DealFound)
    async def deal_found(self, message: DealFound) -> None:
        if message.refused or message.kind is None or message.parent_id is None:
            self.notify(message.refused, severity="warning", markup=False)
            return
        await self._show_record(message.kind, message.parent_id)
        self.push_screen(_deal_form(message.deal_id), lambda _: self.reload_screens())

    async def _show_record(self, kind: str, record_id: int) -> None:
        await self.switch_mode("leads" if kind == "lead" else "customers")
        self.screen.show_record(record_id)
