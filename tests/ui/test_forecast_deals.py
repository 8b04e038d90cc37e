"""From the forecast, `enter` on a stage row, on "No close date" or on "Overdue" lists
those deals (paged), `enter` on one edits it, `escape` goes back; with `m`, my deals."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from tests import forecast_fixture as fx
from tests.ui.pilot_helpers import burst, screen_text
from tests.ui.test_board_scale import fill_deals
from tests.ui.test_forecast_screen import figures_text, read_figures
from tui_crm.core import customers, deals
from tui_crm.core.models import Opportunity, Stage
from tui_crm.ui.screens.forecast import ForecastScreen
from tui_crm.ui.widgets.deal_form import DealForm
from tui_crm.ui.widgets.forecast_deals import ForecastDeals
from tui_crm.ui.widgets.record_list import RecordList

TODAY = dt.date(2026, 11, 15)  # tests/conftest.py freezes today
SIZES = [(120, 40), (80, 24)]


@pytest.fixture
def shared(sqlite_db):
    """The forecast fixture's deals (owned by 'tester') and others' deals beside them."""
    fx.load()
    other = customers.create_customer({"name": "Someone else's [/] customer"})
    for n, (amount, close) in enumerate((("7000", "2026-12-01"), ("3000", "2026-10-02"),
                                         ("900", None))):
        deals.create_deal({"name": f"Theirs {n}", "amount": amount, "customer_id": other,
                           "close_date": close, "owner": "zoe [b]"})


def open_deals(stage: str | None = None, owner: str | None = None):
    query = Opportunity.select().join(Stage).where(Stage.kind == "open")
    if stage is not None:
        query = query.where(Stage.name == stage)
    if owner is not None:
        query = query.where(Opportunity.owner == owner)
    return list(query)


def in_order(rows) -> list[str]:
    """Deals in the list's order, computed here: by stage, close date, id."""
    return [d.name for d in sorted(rows, key=lambda d: (d.stage.position,
                                                         d.close_date or dt.date.min, d.id))]


def listed(app) -> list[str]:
    """The deal names the list holds, top to bottom, read through its rows."""
    records = app.screen.query_one(RecordList)
    return [records.row_at(i).name for i in range(records.count)]


def status_count(app) -> int:
    match = re.search(r"^ *([\d,]+) deals?\b", screen_text(app), re.M)
    assert match, screen_text(app)
    return int(match[1].replace(",", ""))


@pytest.mark.parametrize("size", SIZES)
async def test_enter_on_a_stage_row_lists_its_deals_and_edits_one(shared, size, run_app):
    async with run_app(start_mode="forecast", size=size) as pilot:
        app = pilot.app
        figures = read_figures(figures_text(app))
        proposal = next(s for s in figures["stages"] if s["stage"] == "Proposal")
        await burst(pilot, "down", "enter")
        assert isinstance(app.screen, ForecastDeals)
        assert "Proposal: open deals expected to close in 2026Q4" in screen_text(app)
        q4 = [d for d in open_deals("Proposal")
              if d.close_date and dt.date(2026, 10, 1) <= d.close_date < dt.date(2027, 1, 1)]
        assert listed(app) == in_order(q4)
        assert status_count(app) == proposal["count"] == len(q4)
        first = in_order(q4)[0]
        assert first in screen_text(app)
        # enter edits the highlighted deal: its close date moves out of the quarter
        await burst(pilot, "enter")
        assert isinstance(app.screen, DealForm)
        await burst(pilot, "tab", "tab", "ctrl+a", "ctrl+k", *"2027-02-01", "ctrl+s")
        assert isinstance(app.screen, ForecastDeals)
        assert Opportunity.get(name=first).close_date == dt.date(2027, 2, 1)
        assert first not in listed(app) and status_count(app) == len(q4) - 1
        await burst(pilot, "escape")
        assert isinstance(app.screen, ForecastScreen)
        after = read_figures(figures_text(app))
        assert next(s for s in after["stages"]
                    if s["stage"] == "Proposal")["count"] == len(q4) - 1


@pytest.mark.parametrize("size", SIZES)
async def test_no_close_date_and_overdue_list_their_deals_mine_with_m(shared, size, run_app):
    async with run_app(start_mode="forecast", size=size) as pilot:
        app = pilot.app
        figures = read_figures(figures_text(app))
        await burst(pilot, "down", "down", "down", "enter")  # past the three stages
        assert "Open deals with no close date" in screen_text(app)
        undated = [d for d in open_deals() if d.close_date is None]
        assert listed(app) == in_order(undated)
        assert status_count(app) == figures["no_close_date"]["count"]
        await burst(pilot, "escape", "down", "enter")
        assert "Overdue open deals" in screen_text(app)
        overdue = [d for d in open_deals() if d.close_date and d.close_date < TODAY]
        assert listed(app) == in_order(overdue)
        assert status_count(app) == figures["overdue"]["count"]
        # more downs stay on the last row; m lists my deals only
        await burst(pilot, "escape", "down", "down", "m", "enter")
        assert "my deals (tester)" in screen_text(app)
        mine = [d for d in overdue if d.owner == "tester"]
        assert listed(app) == in_order(mine)
        await burst(pilot, "escape", "up", "up", "up", "up", "up", "enter")
        qualification = [d for d in open_deals("Qualification", "tester")
                         if d.close_date and dt.date(2026, 10, 1) <= d.close_date
                         < dt.date(2027, 1, 1)]
        assert "Qualification: open deals" in screen_text(app)
        assert listed(app) == in_order(qualification)
        # `/` searches the list; escape clears the search, then goes back
        name = in_order(qualification)[-1]
        await burst(pilot, "slash", *name, "enter")
        assert listed(app) == [name]
        await burst(pilot, "escape")
        assert listed(app) == in_order(qualification)
        await burst(pilot, "escape")
        assert isinstance(app.screen, ForecastScreen)


async def test_a_quarter_stepped_to_in_the_same_burst_is_the_one_listed(shared, run_app):
    async with run_app(start_mode="forecast") as pilot:
        app = pilot.app
        await burst(pilot, "right_square_bracket", "down", "down", "enter")
        assert "Negotiation: open deals expected to close in 2027Q1" in screen_text(app)
        q1 = [d for d in open_deals("Negotiation")
              if d.close_date and dt.date(2027, 1, 1) <= d.close_date < dt.date(2027, 4, 1)]
        assert listed(app) == in_order(q1)


@pytest.fixture
def many(sqlite_db):
    fill_deals(6_000)


async def test_a_long_list_is_read_a_page_at_a_time(many, run_app):
    async with run_app(start_mode="forecast", size=(80, 24)) as pilot:
        app = pilot.app
        figures = read_figures(figures_text(app))
        await burst(pilot, "down", "down", "down", "down", "enter")  # Overdue
        records = app.screen.query_one(RecordList)
        assert records.count == figures["overdue"]["count"] > 900
        loaded = [i for i in range(records.count) if records.row_at(i) is not None]
        assert len(loaded) <= 300  # pages around what is shown, not the whole list
        await burst(pilot, "end")
        overdue = [d for d in open_deals() if d.close_date and d.close_date < TODAY]
        assert records.highlighted.name == in_order(overdue)[-1]
        assert in_order(overdue)[-1] in screen_text(app)
        await burst(pilot, "home", "down", "down")
        assert records.highlighted.name == in_order(overdue)[2]
        await burst(pilot, "enter")
        assert isinstance(app.screen, DealForm)


def reversed_text(renderable) -> str:
    """The text drawn reversed in a renderable of the screen (what marks the row
    `enter` lists, with or without colour)."""
    from rich.console import Console

    console = Console(width=80, record=True, no_color=True)
    return "".join(segment.text for segment in console.render(renderable)
                   if segment.style is not None and segment.style.reverse).strip()


async def test_the_picked_row_is_reversed_and_follows_the_keys(shared, run_app):
    from tui_crm.ui.widgets import forecast_view as view

    async with run_app(start_mode="forecast", size=(80, 24)) as pilot:
        app = pilot.app
        screen = app.screen
        assert reversed_text(view.stage_table(screen.result, 0)).startswith("Qualification")
        await burst(pilot, "down", "down", "down")
        assert screen.row == 3
        warned = reversed_text(view.warnings(screen.result, screen.row - 3))
        assert warned.startswith("!") and "No close date" in warned
        assert reversed_text(view.stage_table(screen.result, None)) == ""
        await burst(pilot, "down", "down", "down")
        assert screen.row == 4  # Overdue: the last row
        await burst(pilot, "up", "up", "up", "up", "up", "up")
        assert screen.row == 0
