"""Forms by keyboard: add and edit, errors at the field with nothing written, cancel
asks, someone else's save is not overwritten silently, the parent picker."""

from __future__ import annotations

from decimal import Decimal

from tests.ui.pilot_helpers import (
    bulk_customers,
    press,
    screen_text,
    settle,
    start_empty,
    type_text,
)
from tui_crm.core import changelog, customers, deals, leads
from tui_crm.core.models import ChangeLog, Lead, Opportunity
from tui_crm.ui.widgets.deal_form import DealForm
from tui_crm.ui.widgets.dialogs import ConfirmDialog, ConflictDialog
from tui_crm.ui.widgets.form import FormField, RecordForm
from tui_crm.ui.widgets.pickers import RecordPicker


def field(app, name: str) -> FormField:
    return app.screen.query_one(f"#row-{name}", FormField)


async def open_form(pilot, form) -> list:
    """Push a form; the returned list receives its result."""
    results: list = []
    pilot.app.push_screen(form, results.append)
    await settle(pilot)
    return results


async def test_add_a_lead_by_keyboard(sqlite_db, run_app):
    async with run_app() as pilot:
        app = pilot.app
        await start_empty(pilot)
        await press(pilot, "n")
        assert isinstance(app.screen, RecordForm)
        assert app.focused is field(app, "name").editor, "the first field has the focus"
        await type_text(pilot, "Ada Lovelace")
        await press(pilot, "tab")
        await type_text(pilot, "Analytical Engines")
        await press(pilot, "tab")
        await type_text(pilot, "ada@engines.io")
        await press(pilot, "tab", "tab")
        await type_text(pilot, "referral")
        await press(pilot, "ctrl+s")
        assert not isinstance(app.screen, RecordForm)
        lead = Lead.get(Lead.name == "Ada Lovelace")
        assert (lead.company, lead.email, lead.source, lead.status) == (
            "Analytical Engines", "ada@engines.io", "referral", "New")
        assert lead.created_by == "tester"
        assert app.screen.selected.id == lead.id, "the list shows the new lead"
        assert "Analytical Engines" in screen_text(app)


async def test_edit_a_lead_and_change_its_status(sqlite_db, run_app):
    lead_id = leads.create_lead({"name": "Grace", "company": "Navy"})
    async with run_app() as pilot:
        app = pilot.app
        await press(pilot, "enter")
        assert field(app, "name").value == "Grace"
        assert field(app, "company").value == "Navy"
        await press(pilot, "tab")
        await type_text(pilot, "US Navy")
        field(app, "status").editor.focus()
        await press(pilot, "enter", "down", "enter")
        assert field(app, "status").value == "Contacted"
        await press(pilot, "ctrl+s")
        lead = leads.get_lead(lead_id)
        assert (lead.company, lead.status, lead.version) == ("US Navy", "Contacted", 2)
        latest = changelog.timeline("lead", lead_id)[0]  # newest first
        changes = {c.field: c.new for c in changelog.timeline("lead", lead_id)
                   if c.at == latest.at and c.action == "update"}
        assert changes["status"] == "Contacted" and changes["company"] == "US Navy"
        assert "Contacted" in screen_text(app)


async def test_bad_lead_input_is_refused_at_its_field(sqlite_db, run_app):
    async with run_app() as pilot:
        app = pilot.app
        await start_empty(pilot)
        await press(pilot, "n", "tab")
        await type_text(pilot, "Engines")
        await press(pilot, "tab")
        await type_text(pilot, "ada.engines.io")
        await press(pilot, "ctrl+s")
        assert isinstance(app.screen, RecordForm), "the form stays open"
        assert field(app, "name").error == "Name is required."
        assert "Not an e-mail address" in field(app, "email").error
        assert "Name is required." in screen_text(app)
        assert app.focused is field(app, "name").editor, "the first bad field has the focus"
        assert [field(app, name).value for name in ("name", "company", "email")] == [
            "", "Engines", "ada.engines.io"], "what was typed is kept"
        assert Lead.select().count() == 0, "nothing is written"
        await type_text(pilot, "Ada")
        assert field(app, "name").error == ""
        await press(pilot, "ctrl+s")
        assert Lead.select().count() == 0
        field(app, "email").editor.focus()
        await press(pilot, "end")
        await type_text(pilot, "@x.io")
        await press(pilot, "ctrl+s")
        assert Lead.get().email == "ada.engines.io@x.io"


BAD_DEAL_INPUT = [  # field, typed, message
    ("amount", "abc", "Not an amount"),
    ("amount", "-500", "Amount cannot be negative."),
    ("amount", "1.005", "At most two decimals"),
    ("amount", "0.004999", "At most two decimals"),
    ("close_date", "2026-13-45", "No such date"),
    ("name", "", "Name is required."),
]


async def replace(pilot, form_field: FormField, text: str) -> None:
    form_field.editor.focus()
    await pilot.press("ctrl+a", "ctrl+k")
    await type_text(pilot, text)


async def test_each_bad_deal_input_is_refused_at_its_field(sqlite_db, run_app):
    customer_id = customers.create_customer({"name": "Acme"})
    async with run_app(size=(80, 24)) as pilot:
        app = pilot.app
        results = await open_form(pilot, DealForm(customer_id=customer_id))
        good = {"name": "Pilot", "amount": "12.5k", "close_date": "2026-12-01"}
        for name, text in good.items():
            await replace(pilot, field(app, name), text)
        for bad_field, typed, message in BAD_DEAL_INPUT:
            await replace(pilot, field(app, bad_field), typed)
            await press(pilot, "ctrl+s")
            assert isinstance(app.screen, DealForm) and results == []
            assert message in field(app, bad_field).error
            assert message in screen_text(app), "the message is on screen at 80x24"
            assert field(app, bad_field).value == typed, "what was typed is kept"
            assert Opportunity.select().count() == 0, "nothing is written"
            await replace(pilot, field(app, bad_field), good[bad_field])
            assert field(app, bad_field).error == "", "the message goes once fixed"
        await press(pilot, "ctrl+s")
        assert len(results) == 1
        deal = deals.get_deal(results[0])
        assert (deal.name, deal.amount, str(deal.close_date)) == (
            "Pilot", Decimal("12500.00"), "2026-12-01")


async def test_deal_amounts_as_people_type_them(sqlite_db, run_app):
    customer_id = customers.create_customer({"name": "Acme"})
    async with run_app() as pilot:
        app = pilot.app
        results = await open_form(pilot, DealForm(customer_id=customer_id))
        await type_text(pilot, "Renewal")
        for typed, shown in [("12500", "12,500.00"), ("12,500", "12,500.00"),
                             ("12500.50", "12,500.50"), ("1.2m", "1,200,000.00"),
                             ("12.5k", "12,500.00")]:
            await replace(pilot, field(app, "amount"), typed)
            assert f"= USD {shown}" in screen_text(app)
        await press(pilot, "ctrl+s")
        deal = deals.get_deal(results[0])
        assert deal.amount == Decimal("12500.00")
        assert (deal.name, deal.customer_id, deal.stage_name) == (
            "Renewal", customer_id, "Qualification")
        assert deal.close_date is None


async def test_escape_asks_before_dropping_what_was_typed(sqlite_db, run_app):
    async with run_app() as pilot:
        app = pilot.app
        await start_empty(pilot)
        await press(pilot, "n", "escape")
        assert not isinstance(app.screen, RecordForm), "an untouched form just closes"
        await press(pilot, "n")
        await type_text(pilot, "Half typed")
        await press(pilot, "escape")
        assert isinstance(app.screen, ConfirmDialog)
        await press(pilot, "n")
        assert isinstance(app.screen, RecordForm)
        assert field(app, "name").value == "Half typed"
        await press(pilot, "escape", "y")
        assert not isinstance(app.screen, RecordForm)
        assert Lead.select().count() == 0


async def test_someone_elses_save_is_never_overwritten_silently(sqlite_db, run_app):
    lead_id = leads.create_lead({"name": "Grace", "company": "Navy"})
    async with run_app() as pilot:
        app = pilot.app
        await press(pilot, "enter")
        await press(pilot, "tab")
        await type_text(pilot, "Mine")
        changelog.set_user("bob")
        leads.update_lead(lead_id, {"company": "Theirs"})
        changelog.set_user("tester")
        await press(pilot, "ctrl+s")
        assert isinstance(app.screen, ConflictDialog)
        assert "changed by bob" in screen_text(app)
        await press(pilot, "b")
        assert isinstance(app.screen, RecordForm)
        assert field(app, "company").value == "Mine", "the typing survives"
        assert leads.get_lead(lead_id).company == "Theirs"
        await press(pilot, "ctrl+s")
        await press(pilot, "o")
        assert not isinstance(app.screen, RecordForm)
        assert leads.get_lead(lead_id).company == "Mine"


async def test_conflict_reload_shows_their_version(sqlite_db, run_app):
    lead_id = leads.create_lead({"name": "Grace", "company": "Navy"})
    async with run_app() as pilot:
        app = pilot.app
        await press(pilot, "enter", "tab")
        await type_text(pilot, "Mine")
        leads.update_lead(lead_id, {"company": "Theirs"})
        await press(pilot, "ctrl+s", "r")
        assert isinstance(app.screen, RecordForm)
        assert field(app, "company").value == "Theirs"
        await press(pilot, "escape")
        assert not isinstance(app.screen, RecordForm), "reloaded: nothing left unsaved"


async def test_the_parent_picker_finds_one_among_thousands(sqlite_db, run_app):
    bulk_customers(3_000)
    wanted = customers.create_customer({"name": "Zanzibar Trading", "company": "ZT"})
    lead_id = leads.create_lead({"name": "Zanzi Lead"})
    async with run_app(size=(80, 24)) as pilot:
        app = pilot.app
        results = await open_form(pilot, DealForm())
        await type_text(pilot, "Spice")
        field(app, "parent").editor.focus()
        await type_text(pilot, "zanzi")
        assert isinstance(app.screen, RecordPicker)
        picker = app.screen
        assert [(m.kind, m.id) for m in picker.matches] == [("customer", wanted),
                                                            ("lead", lead_id)]
        assert "Zanzibar Trading" in screen_text(app)
        await press(pilot, "down", "up", "enter")
        assert isinstance(app.screen, DealForm)
        assert "Zanzibar Trading" in screen_text(app)
        await press(pilot, "ctrl+s")
        assert deals.get_deal(results[0]).customer_id == wanted


async def test_a_deal_needs_a_parent(sqlite_db, run_app):
    async with run_app() as pilot:
        app = pilot.app
        await start_empty(pilot)
        await open_form(pilot, DealForm())
        await type_text(pilot, "Orphan")
        await press(pilot, "ctrl+s")
        assert "Choose a customer or a lead" in field(app, "parent").error
        assert Opportunity.select().count() == 0


async def test_edit_a_deal_moves_it_and_keeps_the_lost_reason(sqlite_db, run_app):
    customer_id = customers.create_customer({"name": "Acme"})
    deal_id = deals.create_deal({"name": "Big one", "amount": "50k", "customer_id": customer_id,
                                 "close_date": "2026-12-20"})
    async with run_app() as pilot:
        app = pilot.app
        await open_form(pilot, DealForm(deal_id))
        assert field(app, "amount").value == "50,000.00"
        assert not field(app, "lost_reason").display
        field(app, "stage").editor.focus()
        await press(pilot, "enter", "end", "enter")
        assert field(app, "lost_reason").display, "a lost stage asks its reason"
        field(app, "lost_reason").editor.focus()
        await type_text(pilot, "Price")
        await press(pilot, "ctrl+s")
        deal = deals.get_deal(deal_id)
        assert (deal.stage_name, deal.lost_reason, deal.version) == ("ClosedLost", "Price", 3)
        assert ChangeLog.select().where((ChangeLog.entity == "opportunity")
                                        & (ChangeLog.action == "move")
                                        & (ChangeLog.field == "stage")).count() == 1


async def test_keys_typed_straight_after_tab_land_in_the_next_field(sqlite_db, run_app):
    """A script or a fast typist sends text, tab and more text in one burst: the
    text after each tab belongs to the next field, not the one being left."""
    from textual import events

    async with run_app() as pilot:
        app = pilot.app
        await start_empty(pilot)
        await press(pilot, "n")
        burst = "Ada\tEngines\tada@engines.io"
        for char in burst:
            key = "tab" if char == "\t" else char
            app.post_message(events.Key(key, char))  # all queued before any is handled
        await settle(pilot)
        values = {name: field(app, name).value for name in ("name", "company", "email")}
        assert values == {"name": "Ada", "company": "Engines", "email": "ada@engines.io"}


async def test_enter_in_a_field_goes_to_the_next_one_once(sqlite_db, run_app):
    """Textual calls a handler of every class of a form in turn: `enter` in the
    activity form's subject goes one field on (the form's own step, not two)."""
    from tui_crm.ui.widgets.activity_form import ActivityForm

    lead = leads.create_lead({"name": "Ada Lovelace"})
    async with run_app() as pilot:
        app = pilot.app
        await press(pilot, "a")
        assert isinstance(app.screen, ActivityForm)
        await type_text(pilot, "Call back")
        await press(pilot, "enter")
        assert app.focused is field(app, "kind").editor
        await press(pilot, "enter")  # a Select opens its list on enter: picks the kind
        await press(pilot, "escape", "tab")
        assert app.focused is field(app, "due").editor
        await type_text(pilot, "2026-11-20")
        await press(pilot, "enter")
        assert app.focused is field(app, "due_time").editor
        await press(pilot, "ctrl+s")
    from tui_crm.core.models import Activity

    made = Activity.get(Activity.subject == "Call back")
    assert made.lead_id == lead and str(made.due_date) == "2026-11-20"


async def test_a_deal_form_reads_its_deal_once_as_it_opens(sqlite_db, run_app, monkeypatch):
    acme = customers.create_customer({"name": "Acme [/] Corp"})
    deal = deals.create_deal({"name": "Big one", "amount": "5k", "customer_id": acme})
    reads: list[int] = []
    real = deals.get_deal
    monkeypatch.setattr(deals, "get_deal", lambda deal_id: reads.append(deal_id) or
                        real(deal_id))
    async with run_app(start_mode="pipeline") as pilot:
        await press(pilot, "enter")
        assert isinstance(pilot.app.screen, DealForm)
        assert field(pilot.app, "name").value == "Big one"
        assert field(pilot.app, "amount").value == "5,000.00"
    assert reads == [deal]
