"""Keys arrive in order, always: bursts of keys (a fast typist, a paste, a script)
are handled one after another, each where the keys before it left the focus."""

from __future__ import annotations

import datetime as dt

import pytest
from textual import events

from tests.ui.pilot_helpers import burst, settle, start_empty
from tui_crm.core import customers, deals, leads
from tui_crm.core.db import open_database
from tui_crm.core.models import Lead, Opportunity
from tui_crm.ui.widgets.form import RecordForm
from tui_crm.ui.widgets.pickers import RecordPicker


@pytest.fixture
def crm(tmp_path):
    database = open_database(str(tmp_path / "crm.db"))
    acme = customers.create_customer({"name": "Acme"})
    made = {"acme": acme,
            "beacon": customers.create_customer({"name": "Beacon Hill"}),
            "jean": leads.create_lead({"name": "Jean Torres", "phone": "555-0100"}),
            "deal": deals.create_deal({"name": "Rollout", "amount": "1000",
                                       "close_date": dt.date(2026, 12, 1),
                                       "stage": "Qualification", "customer_id": acme})}
    yield made
    database.close()


async def test_board_edit_tab_amount_save_in_one_burst(crm, run_app):
    """`enter` on a deal, `tab`, `777`, `ctrl+s` with no pause: the amount is saved."""
    async with run_app(start_mode="pipeline") as pilot:
        app = pilot.app
        await burst(pilot, "enter", "tab", "ctrl+a", "ctrl+k", *"777", "ctrl+s")
        assert not isinstance(app.screen, RecordForm), "saved and closed"
        assert Opportunity.get_by_id(crm["deal"]).amount_cents == 77_700


async def test_lead_form_phone_and_notes_then_save_in_one_burst(crm, run_app):
    """From the list: edit, three tabs to the phone, type, tab on to the notes, type,
    save: all in one burst."""
    async with run_app(start_mode="leads") as pilot:
        app = pilot.app
        await burst(pilot, "enter", "tab", "tab", "tab", "ctrl+a", "ctrl+k", *"555-0199",
                    "tab", "tab", "tab", *"Call back", "ctrl+s")
        assert not isinstance(app.screen, RecordForm)
        lead = Lead.get_by_id(crm["jean"])
        assert (lead.phone, lead.notes) == ("555-0199", "Call back")


async def test_a_paste_then_save_keeps_the_paste(crm, run_app):
    async with run_app(start_mode="leads") as pilot:
        app = pilot.app
        await burst(pilot, "n")
        app.post_message(events.Paste("Grace Hopper"))
        await burst(pilot, "ctrl+s")
        assert not isinstance(app.screen, RecordForm)
        assert Lead.select().where(Lead.name == "Grace Hopper").count() == 1


async def test_typing_a_parent_fast_opens_one_picker_with_every_letter(crm, run_app):
    async with run_app(start_mode="pipeline") as pilot:
        app = pilot.app
        await burst(pilot, "n", *"Beacon deal", "tab", *"5k", "tab", "tab", "tab", *"beacon")
        assert isinstance(app.screen, RecordPicker)
        assert sum(isinstance(screen, RecordPicker) for screen in app.screen_stack) == 1
        assert app.screen.query_one("Input").value == "beacon"
        assert [match.id for match in app.screen.matches] == [crm["beacon"]]
        await burst(pilot, "enter", "ctrl+s")
        deal = Opportunity.get(name="Beacon deal")
        assert (deal.customer_id, deal.amount_cents) == (crm["beacon"], 500_000)


async def test_a_first_letter_then_a_pause_is_kept(crm, run_app):
    """`j`, a pause, `ean tor`: the picker searches `jean tor`."""
    async with run_app(start_mode="pipeline") as pilot:
        app = pilot.app
        await burst(pilot, "n", "tab", "tab", "tab", "tab")
        await burst(pilot, "j")
        assert isinstance(app.screen, RecordPicker)
        await burst(pilot, *"ean tor")
        assert app.screen.query_one("Input").value == "jean tor"
        assert [match.id for match in app.screen.matches] == [crm["jean"]]


async def test_keys_typed_as_a_form_opens_land_in_its_first_field(crm, run_app):
    async with run_app(start_mode="customers") as pilot:
        await burst(pilot, "n", *"Zed Corp", "tab", *"Zed", "ctrl+s")
        customer = customers.list_customers("Zed Corp", 0, 5)[0]
        assert (customer.name, customer.company) == ("Zed Corp", "Zed")


async def test_a_search_typed_straight_after_slash(crm, run_app):
    async with run_app(start_mode="customers") as pilot:
        app = pilot.app
        await burst(pilot, "slash", *"beac", "enter")
        records = app.screen.customer_list.records
        assert records.search == "beac" and records.highlighted.name == "Beacon Hill"
        assert app.screen.focused is records, "enter keeps the search, back in the list"
        await burst(pilot, "enter")
        assert app.screen.fields["name"].value == "Beacon Hill"


async def test_the_board_filter_typed_straight_after_slash(crm, run_app):
    async with run_app(start_mode="pipeline") as pilot:
        app = pilot.app
        await burst(pilot, "slash", *"roll/out", "enter")
        assert app.screen.search == "roll/out"


async def test_welcome_then_keys(tmp_path, run_app):
    """On an empty database the first-run offer is answered and a lead typed at once."""
    database = open_database(str(tmp_path / "empty.db"))
    async with run_app() as pilot:
        await start_empty(pilot)
        await burst(pilot, "n", *"Ada", "tab", *"Engines", "ctrl+s")
        lead = Lead.get(name="Ada")
        assert lead.company == "Engines"
    database.close()


async def test_a_dialog_opened_by_a_key_gets_the_keys_after_it(crm, run_app):
    """`x` on the board asks the lost reason: the reason and enter typed in the same
    burst close the deal with it."""
    async with run_app(start_mode="pipeline") as pilot:
        await burst(pilot, "x", *"price", "enter")
        deal = deals.get_deal(crm["deal"])
        assert (deal.stage_name, deal.lost_reason) == ("ClosedLost", "Price")  # the list's


async def test_escape_then_discard_in_one_burst(crm, run_app):
    async with run_app(start_mode="leads") as pilot:
        app = pilot.app
        await burst(pilot, "n", *"Nobody", "escape", "y", "n", *"Somebody", "ctrl+s")
        assert not isinstance(app.screen, RecordForm)
        names = {lead.name for lead in Lead.select()}
        assert names == {"Jean Torres", "Somebody"}


async def test_keys_typed_after_a_save_reach_the_screen_it_returns_to(crm, monkeypatch, run_app):
    """`ctrl+s` saves in a worker: the keys typed after it wait for the save (here held
    until the test lets it write), then act on the screen below: a second `n` opens a
    second form, whose text is its own."""
    import threading

    from tests.ui.pilot_helpers import key_event

    written = threading.Event()
    create = leads.create_lead

    def slow_create(values):
        written.wait(timeout=10)
        return create(values)

    monkeypatch.setattr(leads, "create_lead", slow_create)
    async with run_app(start_mode="leads") as pilot:
        app = pilot.app
        for key in ("n", *"Ada", "ctrl+s", "n", *"Grace", "ctrl+s"):
            app.post_message(key_event(key))
        for _ in range(20):  # the first save waits: the keys after it must too
            await pilot.pause()
        assert isinstance(app.screen, RecordForm)
        assert app.screen.fields["name"].value == "Ada", "nothing typed into a saving form"
        written.set()
        await settle(pilot)
        assert not isinstance(app.screen, RecordForm)
        names = {lead.name for lead in Lead.select()}
        assert names == {"Jean Torres", "Ada", "Grace"}
