"""The forecast screen: every figure it shows against the fixture's hand-computed ones.

The screen is read as the user sees it (the terminal's text), parsed back into
numbers, and compared with ``forecast_fixture.expected`` (plain Python over the
fixture's deal list) and with ``tui-crm forecast --json``.
"""

from __future__ import annotations

import json
import re
import threading
from decimal import Decimal

import pytest

from tests import forecast_fixture as fx
from tests.ui.pilot_helpers import notices, press, screen_text, settle, start_empty
from tui_crm import cli
from tui_crm.core import deals, settings
from tui_crm.core.money import format_amount
from tui_crm.ui.app import CrmApp
from tui_crm.ui.screens import forecast as forecast_screen
from tui_crm.ui.screens.forecast import ForecastScreen

AMOUNT = r"[\d,]+\.\d\d"


@pytest.fixture
def loaded(sqlite_db):
    fx.load()
    return sqlite_db


def money(text: str) -> str:
    """``12,500.50`` as JSON writes it, ``12500.50``."""
    return text.replace(",", "")


def dec(value: Decimal) -> str:
    return f"{value:.2f}"


def read_figures(text: str) -> dict:
    """The figures on the screen, in the shape of ``tui-crm forecast --json``."""
    stages = []
    for stage in fx.OPEN:
        row = re.search(rf"^ *{stage} +([\d,]+) +({AMOUNT}) +(\d+)% +({AMOUNT})", text, re.M)
        assert row, f"no table row for {stage}"
        stages.append({"stage": stage, "count": int(row[1].replace(",", "")),
                       "amount": money(row[2]), "probability": int(row[3]),
                       "weighted": money(row[4])})
    total = re.search(rf"^ *Total +([\d,]+) +({AMOUNT}) +({AMOUNT})", text, re.M)
    assert total, "no total row"

    def tally(label: str) -> dict:
        found = re.search(rf"{label} +(\d+) deals? +({AMOUNT})", text)
        assert found, f"no {label} line"
        return {"count": int(found[1]), "amount": money(found[2])}

    won, lost = tally("Won"), tally("Lost")
    rate = re.search(r"Win rate (\d+\.\d)%|Win rate -", text)
    assert rate, "no win rate"
    return {
        "stages": stages,
        "total": {"count": int(total[1].replace(",", "")), "amount": money(total[2]),
                  "weighted": money(total[3])},
        "no_close_date": tally("No close date"),
        "overdue": tally("Overdue"),
        "win_loss": {"won_count": won["count"], "won_amount": won["amount"],
                     "lost_count": lost["count"], "lost_amount": lost["amount"],
                     "win_rate": float(rate[1]) if rate[1] else None},
    }


def expected_figures(year: int, number: int) -> dict:
    """The fixture's figures for a quarter, in the same shape."""
    want = fx.expected(year, number)
    return {
        "stages": [{"stage": s, "count": c, "amount": dec(a), "probability": p,
                    "weighted": dec(w)} for s, c, a, p, w in want.stages],
        "total": {"count": want.total[0], "amount": dec(want.total[1]),
                  "weighted": dec(want.total[2])},
        "no_close_date": {"count": want.no_close_date[0], "amount": dec(want.no_close_date[1])},
        "overdue": {"count": want.overdue[0], "amount": dec(want.overdue[1])},
        "win_loss": {"won_count": want.won[0], "won_amount": dec(want.won[1]),
                     "lost_count": want.lost[0], "lost_amount": dec(want.lost[1]),
                     "win_rate": None if want.win_rate == "-" else float(want.win_rate)},
    }


def assert_reasons_and_charts(app, year: int, number: int) -> None:
    """Lost reasons, the pipeline bars' labels and the twelve months of won revenue."""
    want = fx.expected(year, number)
    reasons = re.search(r"Lost reasons (.*)$", figures_text(app), re.M)[1].strip()
    if want.lost_reasons:
        shown = [part.rsplit(" ", 1) for part in reasons.split(" · ")]
        assert [(r, int(n)) for r, n in shown] == want.lost_reasons
    else:
        assert reasons == "none"
    text = charts_text(app)
    for stage, _, amount, _, weighted in want.stages:
        label = f"{format_amount(weighted, short=True)} of {format_amount(amount, short=True)}"
        assert re.search(rf"{stage} +[█▏▎▍▌▋▊▉░]* +{re.escape(label)}$", text, re.M), stage
    for month, amount in want.won_by_month:
        year_, month_ = month.split("-")
        name = f"{fx_month(int(month_))} {year_}"
        bar = re.search(rf"{name} ([█▏▎▍▌▋▊▉ ]*) +(\S+)$", text, re.M)
        assert bar, name
        assert bar[2] == format_amount(amount, short=True), name
        assert bool(bar[1].strip()) == (amount > 0), f"{name}: a bar only where money was won"


def fx_month(number: int) -> str:
    return ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov",
            "Dec"][number - 1]


def region_text(app, selector: str) -> str:
    """The part of the screen that ``selector``'s widget covers, as the user sees it."""
    region = app.screen.query_one(selector).region
    assert region.y >= 0, f"{selector} is scrolled out of sight"
    lines = screen_text(app).splitlines()[region.y:region.bottom]
    return "\n".join(line[region.x:region.right].rstrip() for line in lines)


def figures_text(app) -> str:
    return region_text(app, "#forecast-figures")


def charts_text(app) -> str:
    return region_text(app, "#forecast-charts")


async def open_forecast(pilot) -> ForecastScreen:
    await settle(pilot)
    assert isinstance(pilot.app.screen, ForecastScreen)
    return pilot.app.screen


async def show_quarter(pilot, keys: list[str], year: int, number: int) -> str:
    """Step with ``keys``, check every figure of the quarter; return the screen's text."""
    await open_forecast(pilot)
    await press(pilot, *keys)
    text = screen_text(pilot.app)
    assert f"Forecast {year}Q{number}" in text
    assert read_figures(figures_text(pilot.app)) == expected_figures(year, number)
    assert_reasons_and_charts(pilot.app, year, number)
    return text


async def test_the_current_quarter_shows_every_figure(loaded, run_app):
    async with run_app(start_mode="forecast") as pilot:
        app = pilot.app
        text = await show_quarter(pilot, [], 2026, 4)
        assert "(this quarter)" in text
        # Amounts are labelled with the basis and currency wherever they are summed.
        assert "Amounts: ARR, USD" in text
        assert re.search(r"Stage +Deals +ARR, USD +Win % +Weighted", text)
        assert "Pipeline by stage, 2026Q4 (ARR, USD)" in text
        assert "Won by month, Dec 2025 - Nov 2026 (ARR, USD)" in text
        # Said once, in the title: the amounts below line up without it.
        assert re.search(r"! +No close date +2 deals +10,000\.00\n +they hurt the forecast",
                         figures_text(app))
        assert re.search(r"! +Overdue +4 deals +70,500\.50\n +their close date has passed",
                         figures_text(app))
        assert "USD " not in figures_text(app).split("Warnings", 1)[1]


async def test_a_quarter_of_another_year(loaded, run_app):
    async with run_app(start_mode="forecast") as pilot:
        text = await show_quarter(pilot, ["left_square_bracket"] * 6, 2025, 2)
        assert "Forecast 2025Q2  Apr-Jun 2025" in text and "(this quarter)" not in text
        # A lost reason that looks like markup is shown as typed.
        assert "Lost reasons competitor [red] 1" in text
        assert "Won by month, Jul 2024 - Jun 2025" in text


async def test_an_empty_quarter(loaded, run_app):
    async with run_app(start_mode="forecast") as pilot:
        text = await show_quarter(pilot, ["right_square_bracket"] * 2, 2027, 2)
        assert re.search(r"^ *Total +0 +0\.00 +0\.00", text, re.M)
        assert "No open deal is expected to close in 2027Q2." in text
        assert "Win rate -  (no deal closed in the quarter)" in text
        assert "Lost reasons none" in text
        # The warnings cover open deals of every quarter, so they stay.
        assert re.search(r"! +Overdue +4 deals", text)


async def test_an_empty_database(sqlite_db):
    app = CrmApp(start_mode="forecast")
    async with app.run_test(size=(80, 24)) as pilot:
        await start_empty(pilot)  # an empty database first offers demo data
        await open_forecast(pilot)
        text = figures_text(app)
        assert re.search(r"ok +No close date +0 deals +0\.00\n +every open deal has one",
                         text)
        assert re.search(r"ok +Overdue +0 deals +0\.00\n +none past its close date", text)
        assert "No open deal is expected to close in 2026Q4." in text


async def test_brackets_step_through_quarters_and_years(loaded, run_app):
    async with run_app(start_mode="forecast") as pilot:
        app = pilot.app
        screen = await open_forecast(pilot)

        def shown() -> str:
            return re.search(r"Forecast (\d{4}Q\d)", screen_text(app))[1]

        assert shown() == "2026Q4"
        assert "This quarter" not in screen_text(app)  # the key only shows away from it
        await press(pilot, "right_square_bracket")
        assert shown() == "2027Q1" and screen.result.quarter.year == 2027
        assert read_figures(figures_text(app)) == expected_figures(2027, 1)
        assert "t This quarter" in screen_text(app)
        for want in ("2026Q4", "2026Q3", "2026Q2", "2026Q1", "2025Q4"):
            await press(pilot, "left_square_bracket")
            assert shown() == want
        await press(pilot, "t")
        assert shown() == "2026Q4"
        assert read_figures(figures_text(app)) == expected_figures(2026, 4)


async def test_reload_shows_changes_and_keeps_the_quarter(loaded, run_app):
    async with run_app(start_mode="forecast") as pilot:
        app = pilot.app
        screen = await open_forecast(pilot)
        await press(pilot, "left_square_bracket")
        # Another user dates a deal that had no close date, into 2026Q3.
        undated = [d for d in deals.deals_of(customer_id=2) + deals.deals_of(customer_id=1)
                   + deals.deals_of(lead_id=1) if d.is_open and d.close_date is None]
        deals.update_deal(undated[0].id, {"close_date": "2026-08-20"})
        screen.reload()
        await settle(pilot)
        figures = read_figures(figures_text(app))
        before = expected_figures(2026, 3)
        assert "Forecast 2026Q3" in screen_text(app)
        assert figures["no_close_date"]["count"] == before["no_close_date"]["count"] - 1
        assert figures["overdue"]["count"] == before["overdue"]["count"] + 1
        assert figures["total"]["count"] == before["total"]["count"] + 1


async def test_the_queries_run_off_the_event_loop(loaded, monkeypatch, run_app):
    threads = []
    real = forecast_screen.forecast

    def spy(quarter, **options):
        threads.append(threading.current_thread())
        return real(quarter, **options)

    monkeypatch.setattr(forecast_screen, "forecast", spy)
    async with run_app(start_mode="forecast") as pilot:
        await open_forecast(pilot)
        await press(pilot, "left_square_bracket")
    assert threads and threading.main_thread() not in threads


async def test_80x24_reads_and_scrolls_to_the_charts(loaded, monkeypatch, run_app):
    monkeypatch.setenv("NO_COLOR", "1")
    async with run_app(start_mode="forecast", size=(80, 24)) as pilot:
        app = pilot.app
        await open_forecast(pilot)
        assert app.no_color
        first = screen_text(app)
        # The table, its total and the warnings are on the first page.
        assert read_figures(first)["total"] == expected_figures(2026, 4)["total"]
        assert "No close date" in first and "Overdue" in first
        assert all(len(line.rstrip()) <= 80 for line in first.splitlines())
        await press(pilot, "end")
        last = screen_text(app)
        assert "Won by month" in last and "Nov 2026" in last
        # Bars are block characters with their labels, not colour alone.
        assert re.search(r"^Oct 2026 █+ +30k$", region_text(app, "#forecast-trend-chart"), re.M)
        app.screen.query_one("#forecast-pipeline-chart").scroll_visible(animate=False)
        await settle(pilot)
        pipeline = region_text(app, "#forecast-pipeline-chart")
        assert re.search(r"^Proposal +█+[▏▎▍▌▋▊▉]?░+ +16k of 40k$", pipeline, re.M)
        assert "█ weighted, then ░ up to the unweighted amount" in screen_text(app)


async def test_the_settings_form_changes_the_labels(loaded, run_app, monkeypatch):
    async with run_app(start_mode="forecast") as pilot:
        app = pilot.app
        said = notices(app, monkeypatch)
        await open_forecast(pilot)
        await press(pilot, "s")
        assert "Settings of this database" in screen_text(app)
        assert app.focused.id == "field-amount_basis"  # the first field has focus
        await press(pilot, "enter", "down", "enter")  # one-time
        await press(pilot, "tab", "e", "u", "r")  # tab selects the field's text
        await press(pilot, "ctrl+s")
        assert isinstance(app.screen, ForecastScreen)
        assert "Amounts are now one-time, EUR." in said
        text = screen_text(app)
        assert "Amounts: one-time, EUR" in text
        assert re.search(r"Stage +Deals +one-time, EUR +Win %", text)
        assert "Pipeline by stage, 2026Q4 (one-time, EUR)" in text
        assert "Won by month, Dec 2025 - Nov 2026 (one-time, EUR)" in text
        assert read_figures(figures_text(app)) == expected_figures(2026, 4)
    saved = settings.get_settings()
    assert (saved.amount_basis, saved.currency) == ("one-time", "EUR")


async def test_the_settings_form_checks_the_currency_at_the_field(loaded, run_app):
    async with run_app(start_mode="forecast", size=(80, 24)) as pilot:
        app = pilot.app
        await open_forecast(pilot)
        await press(pilot, "s", "tab", "u", "s", "1")
        await press(pilot, "ctrl+s")
        text = screen_text(app)
        assert "Settings of this database" in text  # not saved, still open
        assert re.search(r"Currency +us1", text)  # what was typed is kept
        assert "Currency must be a three-letter code such as USD or EUR." in text
        assert app.focused.id == "field-currency"
        await press(pilot, "backspace", "d")
        assert "three-letter code" not in screen_text(app)  # fixed: the message goes
        await press(pilot, "escape")
        assert "Discard your changes?" in screen_text(app)
        await press(pilot, "y")
        assert isinstance(app.screen, ForecastScreen)
        assert "Amounts: ARR, USD" in screen_text(app)
    assert settings.get_settings().currency == "USD"


async def test_settings_from_the_command_palette(loaded, run_app):
    async with run_app() as pilot:
        app = pilot.app
        await press(pilot, "ctrl+p")
        await pilot.press(*"settings")
        await settle(pilot)
        await press(pilot, "enter")
        assert "Settings of this database" in screen_text(app)
        await press(pilot, "escape")
        assert "Settings of this database" not in screen_text(app)


@pytest.mark.parametrize("quarter,keys", [("2026Q4", []), ("2025Q2", ["left_square_bracket"] * 6)])
async def test_the_command_line_gives_the_screens_numbers(loaded, capsys, tmp_path, quarter,
                                                          keys, run_app):
    async with run_app(start_mode="forecast") as pilot:
        app = pilot.app
        await open_forecast(pilot)
        await press(pilot, *keys)
        text = screen_text(app)
        assert f"Forecast {quarter}" in text
        on_screen = read_figures(figures_text(app))
    assert cli.main(["forecast", "--json", "--quarter", quarter,
                     "--db", str(tmp_path / "crm.db")]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["quarter"] == quarter
    assert {key: data[key] for key in on_screen} == on_screen
