"""ctrl+t in the form of a lead, a customer or a contact shows that record's history
(as the deal form shows a deal's): who changed which field, from what to what, newest
first; a new record has none to show."""

from __future__ import annotations

import pytest

from tests.ui.pilot_helpers import press, screen_text, settle
from tui_crm.core import changelog, contacts, customers, leads
from tui_crm.ui.widgets.contact_form import ContactForm, ContactList
from tui_crm.ui.widgets.record_forms import CustomerForm, LeadForm
from tui_crm.ui.widgets.record_history import RecordHistory


def _edited_by_others(update, record_id: int, first: dict, second: dict) -> None:
    changelog.set_user("alice")
    update(record_id, first)
    changelog.set_user("bob")
    update(record_id, second)
    changelog.set_user("tester")


def _shows_newest_first(text: str, *lines: str) -> None:
    for line in lines:
        assert line in text, (line, text)
    places = [text.index(line) for line in lines]
    assert places == sorted(places), "newest first"


@pytest.mark.parametrize("size", [(120, 40), (80, 24)])
async def test_ctrl_t_in_the_lead_form_shows_its_history(sqlite_db, run_app, size):
    ada = leads.create_lead({"name": "Ada [/] Lovelace", "company": "Engines"})
    _edited_by_others(leads.update_lead, ada, {"status": "Contacted"},
                      {"email": "ada@engines.example", "company": "Analytical Engines"})
    async with run_app(start_mode="leads", size=size) as pilot:
        await press(pilot, "enter")
        assert isinstance(pilot.app.screen, LeadForm)
        await press(pilot, "ctrl+t")
        assert isinstance(pilot.app.screen, RecordHistory)
        _shows_newest_first(screen_text(pilot.app), "History — Ada [/] Lovelace",
                            "bob edited", "E-mail: (empty) → ada@engines.example",
                            "alice edited", "Status: New → Contacted", "tester created it")
        await press(pilot, "escape")
        assert isinstance(pilot.app.screen, LeadForm)


async def test_ctrl_t_in_the_customer_and_contact_forms(sqlite_db, run_app):
    acme = customers.create_customer({"name": "Acme"})
    grace = contacts.create_contact({"name": "Grace", "customer_id": acme})
    _edited_by_others(customers.update_customer, acme, {"phone": "+1 555 0100"},
                      {"company": "Acme Holdings"})
    _edited_by_others(contacts.update_contact, grace, {"role": "CTO"},
                      {"email": "grace@acme.example"})
    async with run_app(start_mode="customers", size=(80, 24)) as pilot:
        app = pilot.app
        await press(pilot, "enter")
        assert isinstance(app.screen, CustomerForm)
        await press(pilot, "ctrl+t")
        assert isinstance(app.screen, RecordHistory)
        _shows_newest_first(screen_text(app), "bob edited", "Company: (empty) → Acme Holdings",
                            "alice edited", "Phone: (empty) → +1 555 0100")
        await press(pilot, "escape", "escape")
        await press(pilot, "tab")  # no deals: on to the people
        assert isinstance(app.focused, ContactList)
        await press(pilot, "enter")
        assert isinstance(app.screen, ContactForm)
        await press(pilot, "ctrl+t")
        _shows_newest_first(screen_text(app), "History — Grace", "bob edited",
                            "E-mail: (empty) → grace@acme.example", "alice edited",
                            "Role: (empty) → CTO", "tester created it")


async def test_a_new_lead_has_no_history_key(sqlite_db, run_app):
    async with run_app(start_mode="leads") as pilot:
        await press(pilot, "n")
        assert isinstance(pilot.app.screen, LeadForm)
        assert "History" not in screen_text(pilot.app).splitlines()[-1]
        await press(pilot, "ctrl+t")
        await settle(pilot)
        assert isinstance(pilot.app.screen, LeadForm)
