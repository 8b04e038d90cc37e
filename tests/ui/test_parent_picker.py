"""The parent picker of a deal: it says when there is nothing to pick, `ctrl+n` creates
the customer or lead it did not find (then the deal has it), and a Converted lead is
not offered (its deals went to its customer). The lead form does not set Converted by
hand either."""

from __future__ import annotations

import pytest

from tests.ui.pilot_helpers import burst, press, screen_text, settle, start_empty, type_text
from tui_crm.core import customers, leads
from tui_crm.core.models import Customer, Lead, Opportunity
from tui_crm.ui.widgets.deal_form import DealForm
from tui_crm.ui.widgets.pickers import RecordPicker
from tui_crm.ui.widgets.record_forms import LeadForm, QuickRecordForm


async def open_deal_form(pilot) -> DealForm:
    form = DealForm()
    pilot.app.push_screen(form)
    await settle(pilot)
    return form


async def test_on_an_empty_database_the_picker_says_so(sqlite_db, run_app):
    async with run_app(size=(80, 24)) as pilot:
        app = pilot.app
        await start_empty(pilot)
        form = await open_deal_form(pilot)
        form.fields["parent"].editor.focus()
        await press(pilot, "enter")
        assert isinstance(app.screen, RecordPicker)
        text = screen_text(app)
        assert "No customers or leads yet: ctrl+n creates one." in text
        assert "try fewer letters" not in text
        await type_text(pilot, "Zed [/] Co", keys=True)
        assert "No match: try fewer letters, or ctrl+n creates “Zed [/] Co”." in \
            screen_text(app)


async def test_down_and_enter_typed_with_the_name_pick_from_its_matches(sqlite_db, run_app):
    for name in ("Acme", "Babbage", "Beacon [/]", "Bealton"):  # "B" matches three
        customers.create_customer({"name": name})
    async with run_app() as pilot:
        form = await open_deal_form(pilot)
        form.fields["parent"].editor.focus()
        await burst(pilot, *"Bea", "down", "enter")  # one burst: before any match came
        assert pilot.app.screen is form
        assert form.fields["parent"].editor.render().plain.split() == ["Customer", "Bealton"]
        form.fields["parent"].editor.focus()
        await burst(pilot, *"Beac", "up", "enter")  # up from the first match stays on it
        assert form.fields["parent"].editor.render().plain.split() == [
            "Customer", "Beacon", "[/]"]


@pytest.mark.parametrize("size", [(120, 40), (80, 24)], ids=["120x40", "80x24"])
async def test_ctrl_n_creates_the_customer_and_the_deal_has_it(sqlite_db, size, run_app):
    customers.create_customer({"name": "Acme"})
    async with run_app(size=size) as pilot:
        app = pilot.app
        form = await open_deal_form(pilot)
        await type_text(pilot, "Pilot")
        form.fields["parent"].editor.focus()
        # typed fast: the picker opens with the name, ctrl+n makes it a customer
        await burst(pilot, *"Initech", "ctrl+n")
        assert isinstance(app.screen, QuickRecordForm)
        assert app.screen.fields["name"].value == "Initech"
        await burst(pilot, "tab", "tab", *"Initech LLC", "ctrl+s")
        assert app.screen is form, "back to the deal"
        assert "Initech" in form.fields["parent"].editor.render().plain
        created = Customer.get(Customer.name == "Initech")
        assert created.company == "Initech LLC"
        await press(pilot, "ctrl+s")
        assert Opportunity.get(Opportunity.name == "Pilot").customer_id == created.id


async def test_ctrl_n_can_make_a_lead_and_a_bad_name_is_refused_at_the_field(sqlite_db, run_app):
    async with run_app(size=(80, 24)) as pilot:
        app = pilot.app
        await start_empty(pilot)
        form = await open_deal_form(pilot)
        await type_text(pilot, "Trial")
        form.fields["parent"].editor.focus()
        await press(pilot, "enter", "ctrl+n")
        assert isinstance(app.screen, QuickRecordForm)
        await press(pilot, "ctrl+s")  # no name
        assert "required" in app.screen.fields["name"].error.lower()
        assert Customer.select().count() == Lead.select().count() == 0
        await type_text(pilot, "Grace")
        await press(pilot, "tab", "enter", "down", "enter")  # the kind: Lead
        assert app.screen.fields["kind"].value == "lead"
        await press(pilot, "ctrl+s")
        assert app.screen is form
        await press(pilot, "ctrl+s")
        lead = Lead.get(Lead.name == "Grace")
        assert Opportunity.get(Opportunity.name == "Trial").lead_id == lead.id


async def test_escape_in_the_short_form_goes_back_to_the_picker(sqlite_db, run_app):
    customers.create_customer({"name": "Acme"})
    async with run_app(size=(80, 24)) as pilot:
        app = pilot.app
        form = await open_deal_form(pilot)
        form.fields["parent"].editor.focus()
        await press(pilot, "enter", "ctrl+n", "escape")
        assert isinstance(app.screen, RecordPicker)
        assert Customer.select().count() == 1


async def test_a_converted_lead_is_not_offered_as_a_parent(sqlite_db, run_app):
    converted = leads.create_lead({"name": "Ada Converted"})
    leads.promote_lead(converted, {"name": "Ada Corp"})
    open_lead = leads.create_lead({"name": "Ada Open"})
    async with run_app(size=(80, 24)) as pilot:
        app = pilot.app
        form = await open_deal_form(pilot)
        form.fields["parent"].editor.focus()
        await type_text(pilot, "Ada")
        assert isinstance(app.screen, RecordPicker)
        assert {(m.kind, m.name) for m in app.screen.matches} == {
            ("customer", "Ada Corp"), ("lead", "Ada Open")}
        assert "Ada Converted" not in screen_text(app)
    assert open_lead


async def test_the_lead_form_offers_no_converted_status_and_keeps_a_converted_one(
        sqlite_db, run_app):
    grace = leads.create_lead({"name": "Grace"})
    ada = leads.create_lead({"name": "Ada"})
    leads.promote_lead(ada, {"name": "Ada Corp"})
    async with run_app() as pilot:
        app = pilot.app
        await press(pilot, "down", "enter")  # Grace (Ada comes first)
        form = app.screen
        assert isinstance(form, LeadForm) and form.lead_id == grace
        offered = [value for _, value in form.fields["status"].spec.options]
        assert "Qualified" in offered and "Converted" not in offered
        await press(pilot, "escape", "up", "enter")
        form = app.screen
        assert isinstance(form, LeadForm) and form.lead_id == ada
        assert form.fields["status"].editor.disabled
        assert "stays Converted" in screen_text(app)
        await type_text(pilot, " Lovelace")
        await press(pilot, "ctrl+s")
        assert leads.get_lead(ada).name == "Ada Lovelace"
        assert leads.get_lead(ada).status == "Converted"


async def test_the_short_form_warns_of_a_taken_name_for_the_kind_chosen(sqlite_db, run_app):
    customers.create_customer({"name": "Acme"})
    async with run_app(size=(80, 24)) as pilot:
        app = pilot.app
        form = await open_deal_form(pilot)
        form.fields["parent"].editor.focus()
        await burst(pilot, *"Acm", "ctrl+n")
        assert isinstance(app.screen, QuickRecordForm)
        await type_text(pilot, "e")
        name = app.screen.fields["name"]
        assert "Another customer is already named “Acme”" in str(name.hint)
        await press(pilot, "tab", "enter", "down", "enter")  # a lead: none is named so
        assert name.hint == ""
        await press(pilot, "ctrl+s")
        assert app.screen is form
        assert Lead.get().name == "Acme"
