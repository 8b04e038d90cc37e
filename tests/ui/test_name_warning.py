"""The customer and lead forms warn when the name typed is already another record's:
at the field, as it is typed; saving is still allowed once the warning was shown
(a burst that saves before it shows is held once, with the warning)."""

from __future__ import annotations

import pytest

from tests.ui.pilot_helpers import burst, press, screen_text, type_text
from tui_crm.core import customers, leads
from tui_crm.core.models import Customer, Lead
from tui_crm.ui.widgets.record_forms import CustomerForm, LeadForm, NameCheck

SIZES = [(120, 40), (80, 24)]


@pytest.mark.parametrize("size", SIZES, ids=["120x40", "80x24"])
async def test_a_taken_customer_name_warns_at_the_field_and_still_saves(sqlite_db, size, run_app):
    customers.create_customer({"name": "Acme [/] Corp"})
    async with run_app(start_mode="customers", size=size) as pilot:
        app = pilot.app
        await press(pilot, "n")
        assert isinstance(app.screen, CustomerForm)
        await type_text(pilot, "Acme [/] Corp")
        field = app.screen.fields["name"]
        assert "Another customer is already named “Acme [/] Corp”" in str(field.hint)
        assert "already named" in screen_text(app)
        await type_text(pilot, "s")
        assert field.hint == "", "Acme [/] Corps is free"
        await press(pilot, "backspace")
        assert "already named" in str(field.hint)
        await press(pilot, "ctrl+s")  # warned: it saves
        assert not isinstance(app.screen, CustomerForm)
        assert Customer.select().where(Customer.name == "Acme [/] Corp").count() == 2


async def test_a_burst_that_saves_before_the_warning_is_held_once(sqlite_db, monkeypatch, run_app):
    leads.create_lead({"name": "Grace"})
    # the check as the name is typed has not come back when ctrl+s is pressed
    monkeypatch.setattr(NameCheck, "check_name_typed", lambda self, name: None)
    async with run_app(size=(80, 24)) as pilot:
        app = pilot.app
        await burst(pilot, "n", *"Grace", "tab", *"Navy", "ctrl+s")
        form = app.screen
        assert isinstance(form, LeadForm), "held, with the warning"
        assert "Another lead is already named “Grace”" in screen_text(app)
        assert form.fields["company"].value == "Navy", "what was typed is kept"
        assert Lead.select().count() == 1
        await press(pilot, "ctrl+s")
        assert not isinstance(app.screen, LeadForm)
        assert Lead.select().where(Lead.name == "Grace").count() == 2


async def test_editing_a_record_does_not_warn_about_its_own_name(sqlite_db, run_app):
    acme = customers.create_customer({"name": "Acme"})
    customers.create_customer({"name": "Initech"})
    async with run_app(start_mode="customers") as pilot:
        app = pilot.app
        await burst(pilot, "enter", "tab", *"Acme Inc", "ctrl+s")
        assert not isinstance(app.screen, CustomerForm)
        assert customers.get_customer(acme).company == "Acme Inc"
        await press(pilot, "enter")
        await press(pilot, "ctrl+a", "ctrl+k")
        await type_text(pilot, "Initech")
        assert "Another customer is already named “Initech”" in \
            str(app.screen.fields["name"].hint)
