"""`d` deletes the selected lead or customer (asking; a record with deals has them moved
or deleted first, the dialog offers both) and `M` merges it into another, picked by
name. Checked on screen and in the database, by keys."""

from __future__ import annotations

import pytest

from tests.ui.pilot_helpers import burst, press, screen_text, settle, type_text
from tui_crm.core import activities, customers, deals, leads
from tui_crm.core.models import Activity, Customer, Lead, Opportunity, Trash
from tui_crm.ui.screens.customers import CustomersScreen
from tui_crm.ui.screens.leads import LeadsScreen
from tui_crm.ui.widgets.dialogs import ChoiceDialog
from tui_crm.ui.widgets.pickers import RecordPicker

SIZES = [(120, 40), (80, 24)]


@pytest.fixture
def records(sqlite_db):
    acme = customers.create_customer({"name": "Acme [/] Corp [bold]"})
    deals.create_deal({"name": "Renewal", "amount": "2k", "customer_id": acme})
    deals.create_deal({"name": "Upsell", "amount": "1k", "customer_id": acme})
    activities.create_activity({"subject": "Call Acme", "customer_id": acme})
    initech = customers.create_customer({"name": "Initech"})
    grace = leads.create_lead({"name": "Grace"})
    return {"acme": acme, "initech": initech, "grace": grace}


def names(app) -> str:
    return screen_text(app)


@pytest.mark.parametrize("size", SIZES, ids=["120x40", "80x24"])
async def test_d_on_a_record_without_deals_asks_then_deletes_it(records, size, run_app):
    async with run_app(size=size) as pilot:
        app = pilot.app
        assert isinstance(app.screen, LeadsScreen)
        await press(pilot, "d")
        assert isinstance(app.screen, ChoiceDialog)
        text = screen_text(app)
        assert "Delete the lead “Grace”?" in text and "Trash" in text
        await press(pilot, "k")
        assert Lead.select().count() == 1, "kept"
        await burst(pilot, "d", "d")  # asked and answered in one burst
        assert Lead.select().count() == 0
        assert isinstance(app.screen, LeadsScreen)
        assert "No leads yet" in screen_text(app)
        assert Trash.get().name == "Grace"


@pytest.mark.parametrize("size", SIZES, ids=["120x40", "80x24"])
async def test_d_on_a_customer_with_deals_moves_them_to_a_picked_record(records, size, run_app):
    async with run_app(start_mode="customers", size=size) as pilot:
        app = pilot.app
        assert isinstance(app.screen, CustomersScreen)
        await press(pilot, "d")
        text = screen_text(app)
        assert "Delete the customer “Acme [/] Corp [bold]”?" in text
        assert "It has 2 deals: they go first." in text
        assert "Move its deals" in text and "Delete with its deals" in text
        await press(pilot, "m")
        assert isinstance(app.screen, RecordPicker)
        assert "Acme" not in " ".join(m.name for m in app.screen.matches), \
            "not offered its own deals"
        await type_text(pilot, "Grac")
        await press(pilot, "enter")
        assert isinstance(app.screen, CustomersScreen)
        assert Customer.get_or_none(Customer.id == records["acme"]) is None
        assert {d.lead_id for d in Opportunity.select()} == {records["grace"]}
        assert Activity.select().count() == 0, "its activity went to the Trash with it"
        assert "Initech" in screen_text(app)
        assert "Acme [/] Corp" not in screen_text(app)


async def test_d_can_delete_a_customer_with_its_deals_and_u_brings_them_back(records, run_app):
    async with run_app(start_mode="customers") as pilot:
        app = pilot.app
        await burst(pilot, "d", "d")
        assert Customer.select().count() == 1
        assert Opportunity.select().count() == 0
        assert "Acme" not in screen_text(app)
        await press(pilot, "u")
        await settle(pilot)
        assert Customer.select().count() == 2
        assert Opportunity.select().where(
            Opportunity.customer == records["acme"]).count() == 2


@pytest.mark.parametrize("size", SIZES, ids=["120x40", "80x24"])
async def test_M_merges_the_customer_into_another_picked_by_name(records, size, run_app):
    async with run_app(start_mode="customers", size=size) as pilot:
        app = pilot.app
        await press(pilot, "M")
        assert isinstance(app.screen, RecordPicker)
        assert [m.name for m in app.screen.matches] == ["Initech"], \
            "customers only, not itself"
        await press(pilot, "enter")
        text = screen_text(app)
        assert "Merge “Acme [/] Corp [bold]” into “Initech”?" in text
        assert "2 deals" in text
        await press(pilot, "y")
        assert isinstance(app.screen, CustomersScreen)
        assert Customer.get_or_none(Customer.id == records["acme"]) is None
        assert {d.customer_id for d in Opportunity.select()} == {records["initech"]}
        assert Activity.get().customer_id == records["initech"]
        assert app.screen.selected.id == records["initech"], "the cursor on the merged one"
        assert "Opportunities (2)" in screen_text(app) or size == (80, 24)
        assert "Call Acme" in app.screen.query_one("#customer-activities").render().plain


async def test_M_on_leads_merges_a_lead_and_escape_leaves_both(records, run_app):
    other = leads.create_lead({"name": "Grace Hopper", "notes": "Met at the fair"})
    async with run_app(size=(80, 24)) as pilot:
        await press(pilot, "M", "escape")
        assert Lead.select().count() == 2
        await press(pilot, "down")  # Grace Hopper
        await burst(pilot, "M", *"Grace", "enter", "y")
        assert Lead.select().count() == 1
        assert "Met at the fair" in leads.get_lead(records["grace"]).notes
        assert Lead.get_or_none(Lead.id == other) is None
