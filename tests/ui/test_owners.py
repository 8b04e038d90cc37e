"""Owners in the app: the deal form's Owner field (the current user by default, the
owners already used offered as the name is typed) and `m` on the forecast ("my
deals", in the header: the figures of the user's deals only)."""

from __future__ import annotations

import pytest

from tests import forecast_fixture as fx
from tests.ui.pilot_helpers import burst, press, screen_text, settle
from tests.ui.test_forecast_screen import expected_figures, figures_text, read_figures
from tui_crm.core import changelog, customers, deals
from tui_crm.core.models import Opportunity
from tui_crm.ui.screens.forecast import ForecastScreen
from tui_crm.ui.widgets.deal_form import DealForm
from tui_crm.ui.widgets.form import FormField


def field(app, name: str) -> FormField:
    return app.screen.query_one(f"#row-{name}", FormField)


@pytest.fixture
def shared(sqlite_db, tmp_path):
    """The forecast fixture's deals (owned by 'tester') and others' deals beside them."""
    fx.load()
    other = customers.create_customer({"name": "Someone else's [/] customer"})
    for n, amount in enumerate(("7000", "3000")):
        deals.create_deal({"name": f"Theirs {n}", "amount": amount, "customer_id": other,
                           "close_date": "2026-12-01", "owner": "zoe [b]"})
    return str(tmp_path / "crm.db")


@pytest.mark.parametrize("size", [(120, 40), (80, 24)])
async def test_m_on_the_forecast_shows_my_deals_only(shared, size, run_app):
    async with run_app(start_mode="forecast", size=size) as pilot:
        app = pilot.app
        assert isinstance(app.screen, ForecastScreen)
        everyone = read_figures(figures_text(app))
        assert everyone != expected_figures(2026, 4), "others' deals count without m"
        await press(pilot, "m")
        assert "my deals (tester)" in screen_text(app).splitlines()[0]
        mine = read_figures(figures_text(app))
        assert mine == expected_figures(2026, 4)
        await burst(pilot, "right_square_bracket", "m")
        assert "my deals" not in screen_text(app).splitlines()[0]
        assert "Forecast 2027Q1" in screen_text(app)
        await press(pilot, "left_square_bracket")
        assert read_figures(figures_text(app)) == everyone


async def test_the_deal_form_has_an_owner_defaulting_to_me(shared, run_app):
    customer = customers.create_customer({"name": "Acme"})
    async with run_app(start_mode="customers") as pilot:
        app = pilot.app
        pilot.app.push_screen(DealForm(customer_id=customer))
        await settle(pilot)
        assert field(app, "owner").value == "tester"
        await burst(pilot, *"Mine", "ctrl+s")
        assert Opportunity.get(name="Mine").owner == "tester"


async def test_typing_an_owner_offers_the_owners_already_used(shared, run_app):
    customer = customers.create_customer({"name": "Acme"})
    async with run_app(start_mode="customers", size=(80, 24)) as pilot:
        app = pilot.app
        pilot.app.push_screen(DealForm(customer_id=customer))
        await settle(pilot)
        await burst(pilot, *"Theirs too")
        field(app, "owner").editor.focus()
        await burst(pilot, "ctrl+u", "z")
        await pilot.pause()
        await settle(pilot)
        assert "zoe [b]" in screen_text(app), "the owner already used is offered"
        await burst(pilot, "right", "ctrl+s")
        assert Opportunity.get(name="Theirs too").owner == "zoe [b]"


async def test_an_empty_owner_is_refused_at_the_field(shared, run_app):
    deal = deals.create_deal({"name": "Kept", "customer_id": customers.create_customer(
        {"name": "Acme"}), "amount": "10"})
    changelog.set_user("tester")
    async with run_app(start_mode="customers", size=(80, 24)) as pilot:
        app = pilot.app
        pilot.app.push_screen(DealForm(deal))
        await settle(pilot)
        field(app, "owner").editor.focus()
        await burst(pilot, "ctrl+u", "ctrl+s")
        assert isinstance(app.screen, DealForm)
        assert "Every deal has an owner" in field(app, "owner").error
        assert "Every deal has an owner" in screen_text(app)
        assert deals.get_deal(deal).owner == "tester"


def test_owner_completing_is_one_indexed_seek(shared):
    from tui_crm.core.models import db

    assert deals.owner_completing("z") == "zoe [b]"
    assert deals.owner_completing("te") == "tester"
    assert deals.owner_completing("q") is None
    plan = " ".join(str(row) for row in db.execute_sql(
        'EXPLAIN QUERY PLAN SELECT owner FROM opportunity WHERE owner >= ? AND owner < ? '
        'ORDER BY owner LIMIT 1', ("z", "z\U0010ffff")).fetchall())
    assert "USING COVERING INDEX" in plan and "owner" in plan and "TEMP B-TREE" not in plan


async def test_the_customers_deal_list_shows_each_owner(shared, run_app):
    async with run_app(start_mode="customers") as pilot:
        app = pilot.app
        text = screen_text(app)
        assert "Proposal, closes 2026-08-01 (overdue) · tester" in text
        assert "ClosedLost, closed 2026-10-20, lost: price · tester" in text
