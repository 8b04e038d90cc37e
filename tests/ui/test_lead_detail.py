"""The lead's detail panel, like the customer's: the lead, its activities (open first,
then the log, newest first) and its deals (open first, then the history, with
totals); `o` adds a deal to the lead, `c` promotes it, `tab` reaches its deals, `a`
plans an activity for it. The customer's panel shows its activities the same way."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.ui.pilot_helpers import burst, press, screen_text, type_text
from tui_crm.core import activities, customers, dates, deals, leads
from tui_crm.core.models import Activity, Customer, Opportunity
from tui_crm.ui.screens.customers import CustomersScreen
from tui_crm.ui.screens.leads import LeadsScreen
from tui_crm.ui.widgets.activity_form import ActivityForm
from tui_crm.ui.widgets.customer_deals import DealList
from tui_crm.ui.widgets.deal_form import DealForm
from tui_crm.ui.widgets.record_forms import PromoteForm

SIZES = [(120, 40), (80, 24)]


def make_lead_with_history() -> int:
    lead_id = leads.create_lead({"name": "Ada [/] Labs [bold]", "company": "Ada Inc",
                                 "source": "web", "status": "Qualified"})
    today = dates.today()
    deals.create_deal({"name": "Pilot", "amount": "2k", "lead_id": lead_id,
                       "close_date": today + dt.timedelta(days=30)})
    deals.create_deal({"name": "Pilot late", "amount": "1k", "lead_id": lead_id,
                       "close_date": today - dt.timedelta(days=3)})
    won = deals.create_deal({"name": "Workshop", "amount": "500", "lead_id": lead_id})
    deals.close_won(won)
    lost = deals.create_deal({"name": "Audit", "amount": "4k", "lead_id": lead_id})
    deals.close_lost(lost, "Timing")
    activities.create_activity({"subject": "Call back", "lead_id": lead_id,
                                "due": today + dt.timedelta(days=2)})
    activities.create_activity({"subject": "Send deck", "lead_id": lead_id,
                                "due": today - dt.timedelta(days=1)})
    first = activities.create_activity({"subject": "First call", "lead_id": lead_id},
                                       done=True)
    activities.create_activity({"subject": "Demo given", "lead_id": lead_id}, done=True)
    done_at = Activity.get_by_id(first).done_at
    Activity.update(done_at=done_at - dt.timedelta(days=5)).where(
        Activity.id == first).execute()
    return lead_id


def in_order(text: str, *parts: str) -> bool:
    positions = [text.index(part) for part in parts]
    return positions == sorted(positions)


@pytest.mark.parametrize("size", SIZES, ids=["120x40", "80x24"])
async def test_the_lead_detail_shows_the_lead_activities_and_deals(sqlite_db, size, run_app):
    make_lead_with_history()
    leads.create_lead({"name": "Zed"})
    async with run_app(size=size) as pilot:
        app = pilot.app
        screen = app.screen
        assert isinstance(screen, LeadsScreen)
        fields = screen.query_one("#lead-fields").render().plain
        assert "Ada [/] Labs [bold]" in fields, "the name is shown literally"
        assert "Status    Qualified" in fields and "Source    web" in fields
        listed = screen.query_one("#lead-activities").render().plain
        # open first (overdue, then due), then the log, newest first
        assert in_order(listed, "Send deck", "Call back", "Demo given", "First call")
        assert "! " in listed.splitlines()[1], "the overdue one is marked"
        totals = screen.query_one("#deal-totals").render().plain
        assert "Open pipeline  USD 3,000.00  (2 open)" in totals
        assert "Won to date    USD 500.00  (1 won, 1 lost)" in totals
        deal_lines = "\n".join(str(screen.query_one(DealList).get_option_at_index(i).prompt)
                               for i in range(screen.query_one(DealList).option_count))
        assert in_order(deal_lines, "Open (2)", "Pilot late", "Pilot", "History",
                        "Workshop")
        assert "lost: Timing" in deal_lines
        if size == (120, 40):
            text = screen_text(app)
            assert "Opportunities (4)" in text and "Pilot late" in text
        await press(pilot, "down")
        assert "Zed" in screen.query_one("#lead-fields").render().plain
        assert "none yet" in screen.query_one("#lead-activities").render().plain
        assert screen.query_one(DealList).option_count == 1  # "No opportunities yet"


@pytest.mark.parametrize("size", SIZES, ids=["120x40", "80x24"])
async def test_o_adds_a_deal_to_the_lead(sqlite_db, size, run_app):
    lead_id = leads.create_lead({"name": "Grace"})
    async with run_app(size=size) as pilot:
        app = pilot.app
        await press(pilot, "o")
        assert isinstance(app.screen, DealForm)
        await burst(pilot, *"Trial", "tab", *"1.5k", "ctrl+s")
        assert isinstance(app.screen, LeadsScreen)
        deal = Opportunity.get(Opportunity.name == "Trial")
        assert (deal.lead_id, deal.customer_id, deal.amount_cents) == (lead_id, None, 150_000)
        assert "Open pipeline  USD 1,500.00  (1 open)" in \
            app.screen.query_one("#deal-totals").render().plain


async def test_tab_reaches_the_leads_deals_and_their_keys_act_there(sqlite_db, run_app):
    lead_id = make_lead_with_history()
    async with run_app() as pilot:
        app = pilot.app
        await burst(pilot, "tab", "w")  # the first open deal (Pilot late) is won
        assert isinstance(app.focused, DealList)
        late = Opportunity.get(Opportunity.name == "Pilot late")
        assert late.stage.kind == "won" and late.lead_id == lead_id
        assert "Won to date    USD 1,500.00  (2 won, 1 lost)" in \
            app.screen.query_one("#deal-totals").render().plain
        await burst(pilot, "enter")
        assert isinstance(app.screen, DealForm)
        await press(pilot, "escape")
        await press(pilot, "escape")
        assert app.focused is app.screen.lead_list.records, "escape goes back to the list"


async def test_c_promotes_the_lead_and_its_deals_go_with_it(sqlite_db, run_app):
    lead_id = make_lead_with_history()
    async with run_app() as pilot:
        app = pilot.app
        await press(pilot, "c")
        assert isinstance(app.screen, PromoteForm)
        await press(pilot, "ctrl+s")
        customer = Customer.get(Customer.lead == lead_id)
        assert isinstance(app.screen, CustomersScreen)
        assert Opportunity.select().where(Opportunity.customer == customer.id).count() == 4
        await press(pilot, "1")
        fields = app.screen.query_one("#lead-fields").render().plain
        assert "Status    Converted" in fields
        assert "Customer  Ada [/] Labs [bold]" in fields
        assert "Opportunities (0)" in screen_text(app)
        await press(pilot, "o", "c")  # a Converted lead takes no deal and no promotion
        assert isinstance(app.screen, LeadsScreen)
        assert "o Add opportunity" not in screen_text(app)


@pytest.mark.parametrize("size", SIZES, ids=["120x40", "80x24"])
async def test_a_plans_an_activity_for_the_selected_lead_and_the_panel_shows_it(
        sqlite_db, size, run_app):
    leads.create_lead({"name": "Alan"})
    bea = leads.create_lead({"name": "Bea"})
    async with run_app(size=size) as pilot:
        app = pilot.app
        await press(pilot, "down")  # Bea
        await press(pilot, "a")
        assert isinstance(app.screen, ActivityForm)
        await type_text(pilot, "Ask for the budget")
        await press(pilot, "ctrl+s")
        planned = Activity.get(Activity.subject == "Ask for the budget")
        assert planned.lead_id == bea and planned.done_at is None
        assert "Ask for the budget" in app.screen.query_one("#lead-activities").render().plain


async def test_the_customer_detail_shows_its_activities_and_a_adds_one(sqlite_db, run_app):
    acme = customers.create_customer({"name": "Acme"})
    deal = deals.create_deal({"name": "Renewal", "amount": "1k", "customer_id": acme})
    activities.create_activity({"subject": "Renewal call", "deal_id": deal,
                                "due": dates.today() + dt.timedelta(days=1)})
    activities.create_activity({"subject": "Met them", "customer_id": acme}, done=True)
    async with run_app(start_mode="customers", size=(80, 24)) as pilot:
        app = pilot.app
        listed = app.screen.query_one("#customer-activities").render().plain
        assert in_order(listed, "Renewal call", "Met them"), "open first, then the log"
        await press(pilot, "a")
        await type_text(pilot, "Quarterly review")
        await press(pilot, "ctrl+s")
        planned = Activity.get(Activity.subject == "Quarterly review")
        assert planned.customer_id == acme and planned.deal_id is None
        assert "Quarterly review" in \
            app.screen.query_one("#customer-activities").render().plain
