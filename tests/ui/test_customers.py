"""The customers screen: list, detail with deals and totals, `o` adds a deal; promotion
of a lead lands here."""

from __future__ import annotations

from tests.ui.pilot_helpers import press, screen_text, settle, start_empty, type_text
from tui_crm.core import changelog, customers, deals, leads
from tui_crm.core.models import ChangeLog, Customer, Opportunity
from tui_crm.ui.app import CrmApp
from tui_crm.ui.screens.customers import CustomersScreen
from tui_crm.ui.widgets.deal_form import DealForm
from tui_crm.ui.widgets.form import FormField
from tui_crm.ui.widgets.record_forms import PromoteForm


def field(app, name: str) -> FormField:
    return app.screen.query_one(f"#row-{name}", FormField)


def make_customer_with_history() -> int:
    customer_id = customers.create_customer({"name": "Acme", "company": "Acme Inc"})
    deals.create_deal({"name": "Renewal", "amount": "12k", "customer_id": customer_id,
                       "close_date": "2026-12-01"})
    overdue = deals.create_deal({"name": "Upsell", "amount": "3k", "customer_id": customer_id,
                                 "close_date": "2026-10-01"})
    won = deals.create_deal({"name": "First order", "amount": "5k",
                             "customer_id": customer_id})
    deals.close_won(won)
    lost = deals.create_deal({"name": "Expansion", "amount": "7k",
                              "customer_id": customer_id})
    deals.close_lost(lost, "Price")
    assert overdue
    return customer_id


def lines(app) -> list[str]:
    return [line.strip() for line in screen_text(app).splitlines()]


async def test_detail_shows_open_deals_first_then_history_with_totals(sqlite_db, run_app):
    make_customer_with_history()
    customers.create_customer({"name": "Zeta"})
    async with run_app(start_mode="customers") as pilot:
        app = pilot.app
        text = screen_text(app)
        assert "Opportunities (4)" in text
        assert "Open pipeline  USD 15,000.00  (2 open)" in text
        assert "Won to date    USD 5,000.00  (1 won, 1 lost)" in text
        assert "annual recurring value" in text
        # open by close date, then closed latest first (same day: latest made first)
        positions = [text.index(name) for name in ("Upsell", "Renewal", "Expansion",
                                                    "First order")]
        assert positions == sorted(positions), "open deals first, then the history"
        assert text.index("Open (2)") < text.index("History: won and lost (2)")
        assert "closes 2026-10-01 (overdue)" in text
        assert "lost: Price" in text
        await press(pilot, "down")
        assert "Opportunities (0)" in screen_text(app)
        assert "No opportunities yet: press o to add one." in screen_text(app)


async def test_add_an_opportunity_to_the_selected_customer(sqlite_db, run_app):
    customer_id = make_customer_with_history()
    async with run_app(start_mode="customers") as pilot:
        app = pilot.app
        await press(pilot, "o")
        assert isinstance(app.screen, DealForm)
        assert "Acme" in field(app, "parent").editor.render().plain
        await type_text(pilot, "Pilot")
        await press(pilot, "tab")
        await type_text(pilot, "2.5k")
        await press(pilot, "tab")
        await type_text(pilot, "2026-12-24")
        await press(pilot, "ctrl+s")
        assert isinstance(app.screen, CustomersScreen)
        deal = Opportunity.get(Opportunity.name == "Pilot")
        assert (deal.customer_id, deal.amount_cents, str(deal.close_date)) == (
            customer_id, 250_000, "2026-12-24")
        assert deal.stage.name == "Qualification", "a new deal starts in the first stage"
        text = screen_text(app)
        assert "Opportunities (5)" in text
        assert "Pilot  2,500.00" in text
        assert "Open pipeline  USD 17,500.00  (3 open)" in text


async def test_edit_a_deal_from_the_detail_panel(sqlite_db, run_app):
    make_customer_with_history()
    async with run_app(start_mode="customers") as pilot:
        app = pilot.app
        await press(pilot, "tab", "down", "enter")
        assert isinstance(app.screen, DealForm)
        assert field(app, "name").value in ("Upsell", "Renewal")
        await press(pilot, "escape")
        assert isinstance(app.screen, CustomersScreen)
        await press(pilot, "escape")
        assert app.focused is app.screen.customer_list.records, "escape goes back to the list"


async def test_add_and_edit_a_customer(sqlite_db, run_app):
    async with run_app(start_mode="customers", size=(80, 24)) as pilot:
        app = pilot.app
        await start_empty(pilot)
        assert "No customers yet: press n to add one" in screen_text(app)
        await press(pilot, "n")
        await type_text(pilot, "Initech")
        await press(pilot, "ctrl+s")
        customer = Customer.get()
        assert customer.name == "Initech"
        await press(pilot, "enter")
        await press(pilot, "tab")
        await type_text(pilot, "Initech LLC")
        await press(pilot, "ctrl+s")
        assert customers.get_customer(customer.id).company == "Initech LLC"
        assert "Initech LLC" in screen_text(app)


async def promote(pilot, first_deal: dict[str, str] | None) -> None:
    await press(pilot, "c")
    assert isinstance(pilot.app.screen, PromoteForm)
    if first_deal:
        for name, text in first_deal.items():
            field(pilot.app, name).editor.focus()
            await type_text(pilot, text)
    await press(pilot, "ctrl+s")


async def test_promote_a_lead_without_a_first_opportunity(sqlite_db, run_app):
    lead_id = leads.create_lead({"name": "Ada", "company": "Engines", "email": "ada@e.io",
                                 "status": "Qualified"})
    own_deal = deals.create_deal({"name": "Pilot", "amount": "1k", "lead_id": lead_id})
    async with run_app() as pilot:
        app = pilot.app
        await promote(pilot, None)
        assert isinstance(app.screen, CustomersScreen), "the new customer is shown"
        customer = Customer.get()
        assert (customer.name, customer.company, customer.email, customer.lead_id) == (
            "Ada", "Engines", "ada@e.io", lead_id)
        assert app.screen.selected.id == customer.id
        assert leads.get_lead(lead_id).status == "Converted"
        moved = deals.get_deal(own_deal)
        assert (moved.customer_id, moved.lead_id) == (customer.id, None)
        assert Opportunity.select().count() == 1
        assert "From lead Ada" in screen_text(app)
        assert "Pilot  1,000.00" in screen_text(app)
        logged = {(row.entity, row.action) for row in ChangeLog.select()
                  .where(ChangeLog.user == "tester")}
        assert {("customer", "create"), ("lead", "update"),
                ("opportunity", "update")} <= logged


async def test_promote_a_lead_with_a_first_opportunity(sqlite_db, run_app):
    lead_id = leads.create_lead({"name": "Grace", "company": "Navy"})
    async with run_app(size=(80, 24)) as pilot:
        app = pilot.app
        await promote(pilot, {"deal_name": "Compiler", "deal_amount": "40k",
                              "deal_close_date": "2027-01-15"})
        assert isinstance(app.screen, CustomersScreen)
        customer = Customer.get()
        deal = Opportunity.get()
        assert (deal.name, deal.customer_id, deal.amount_cents, str(deal.close_date)) == (
            "Compiler", customer.id, 4_000_000, "2027-01-15")
        assert deal.stage.name == "Qualification"
        assert leads.get_lead(lead_id).status == "Converted"
        assert changelog.timeline("opportunity", deal.id)[0].action == "create"
        await press(pilot, "1")
        assert "Converted" in screen_text(app)
        assert not app.screen.check_action("promote_lead", ()), "a converted lead stays put"


async def test_a_promotion_with_a_bad_first_opportunity_writes_nothing(sqlite_db, run_app):
    lead_id = leads.create_lead({"name": "Grace"})
    async with run_app() as pilot:
        app = pilot.app
        await promote(pilot, {"deal_amount": "12.5x"})
        assert isinstance(app.screen, PromoteForm)
        assert "Not an amount" in field(app, "deal_amount").error
        assert "Name the first opportunity" in field(app, "deal_name").error
        assert Customer.select().count() == 0
        assert leads.get_lead(lead_id).status == "New"
        assert field(app, "name").value == "Grace"
        assert Opportunity.select().count() == 0


async def test_while_a_search_is_typed_the_detail_follows_the_top_match_after_a_pause(
        sqlite_db, run_app):
    customers.create_customer({"name": "Acme"})
    zeta = customers.create_customer({"name": "Zeta Labs"})
    deals.create_deal({"name": "Zeta pilot", "amount": "1k", "customer_id": zeta})
    async with run_app(start_mode="customers") as pilot:
        app = pilot.app
        assert "Acme" in app.screen.query_one("#customer-fields").render().plain
        await type_text(pilot, "/zeta", keys=True)
        await settle(pilot)
        await pilot.pause(0.5)  # the typing pauses
        await settle(pilot)
        assert app.screen.selected.id == zeta
        assert "Zeta pilot" in screen_text(app)
        await press(pilot, "enter", "escape", "home")
        assert "Acme" in app.screen.query_one("#customer-fields").render().plain, \
            "out of the search the detail follows the cursor at once"


async def test_the_detail_waits_for_a_pause_in_the_typing(sqlite_db, monkeypatch, run_app):
    """While a search is typed the detail is put off, key after key, and shown once the
    typing pauses: the screen's timer is followed, not the clock."""
    for name in ("Acme", "Harborwave GmbH", "Zeta"):
        customers.create_customer({"name": name})
    async with run_app(start_mode="customers") as pilot:
        app = pilot.app
        screen = app.screen
        shown = []
        real = screen.show_detail
        monkeypatch.setattr(screen, "show_detail", lambda: (shown.append(
            screen.selected.name), real()))
        timers = []  # the pauses the screen waits for: (callback, stopped?)

        class Pause:
            def __init__(self, callback):
                self.callback, self.stopped = callback, False
                timers.append(self)

            def stop(self):
                self.stopped = True

        monkeypatch.setattr(screen, "set_timer", lambda delay, callback, **_: Pause(callback))
        await press(pilot, "slash", "H", "a")  # Harborwave is the top match from here on
        for char in "rborwave G":
            await pilot.press(char)
            await settle(pilot)
        assert shown == [], "each key typed (same top match) puts the detail off again"
        waiting = [timer for timer in timers if not timer.stopped]
        assert len(waiting) == 1 and len(timers) > 5, "one pause awaited, each key restarts it"
        waiting[0].callback()  # the typing pauses
        await settle(pilot)
        assert shown == ["Harborwave GmbH"]
        assert "Harborwave GmbH" in screen.query_one("#customer-fields").render().plain


async def test_delete_a_deal_from_the_detail_panel(sqlite_db, run_app):
    from tui_crm.ui.widgets.dialogs import ChoiceDialog, TextPrompt

    make_customer_with_history()
    async with run_app(start_mode="customers") as pilot:
        app = pilot.app
        await press(pilot, "tab")
        first = app.screen.deal
        assert first.name == "Upsell" and first.is_open
        await press(pilot, "d", "enter")  # the default: mark ClosedLost instead
        assert isinstance(app.screen, TextPrompt)
        await type_text(pilot, "no budget")
        await press(pilot, "enter")
        await settle(pilot)
        upsell = Opportunity.get(name="Upsell")
        assert upsell.lost_reason == "No budget"  # the settings' reason, picked by typing
        assert "History: won and lost (3)" in screen_text(app)

        app.screen.query_one("#deal-list").focus()
        await press(pilot, "end")
        last = app.screen.deal
        assert not last.is_open
        await press(pilot, "delete")
        assert isinstance(app.screen, ChoiceDialog)
        await press(pilot, "d")
        await settle(pilot)
        assert not Opportunity.select().where(Opportunity.id == last.id).exists()
        assert "Opportunities (3)" in screen_text(app)


def stage_name(deal_id: int) -> str:
    return deals.get_deal(deal_id).stage_name


async def test_one_tab_reaches_the_deals_and_their_keys_work_there(sqlite_db, run_app):
    """tab from the list: the deal list has the focus, its first deal highlighted, its
    keys in the footer; > and < move the deal, w wins it, x loses it with a reason,
    enter edits it, escape goes back to the list."""
    from tests.ui.pilot_helpers import burst
    from tui_crm.ui.widgets.customer_deals import DealList
    from tui_crm.ui.widgets.dialogs import TextPrompt

    make_customer_with_history()
    upsell = Opportunity.get(name="Upsell").id
    renewal = Opportunity.get(name="Renewal").id
    async with run_app(start_mode="customers") as pilot:
        app = pilot.app
        await press(pilot, "tab")
        screen = app.screen
        assert isinstance(app.focused, DealList)
        assert screen.deal.id == upsell, "the first deal is highlighted"
        footer = screen_text(app).splitlines()[-1]
        for key in ("⏎ Edit deal", "> Next stage", "< Prev stage", "w Won", "x Lost",
                    "d Delete deal"):
            assert key in footer, key
        await press(pilot, "greater_than_sign")
        assert stage_name(upsell) == "Proposal"
        assert screen.deal.id == upsell, "the cursor stays on the moved deal"
        await burst(pilot, "greater_than_sign", "less_than_sign")  # the second waits
        assert stage_name(upsell) == "Proposal", "forward then back"
        assert screen.deal.stage_name == "Proposal"
        # every key of a longer burst waits its turn: none is dropped or replaced
        moves = ChangeLog.select().where((ChangeLog.entity == "opportunity")
                                         & (ChangeLog.entity_id == upsell)
                                         & (ChangeLog.action == "move"))
        before = moves.count()
        await burst(pilot, "greater_than_sign", "less_than_sign", "less_than_sign",
                    "greater_than_sign")
        assert stage_name(upsell) == "Proposal"
        assert moves.count() == before + 4
        await press(pilot, "less_than_sign")
        assert stage_name(upsell) == "Qualification"
        await press(pilot, "w")
        assert stage_name(upsell) == "ClosedWon"
        assert screen.deal.id == upsell and "History: won and lost (3)" in screen_text(app)
        await press(pilot, "home")
        assert screen.deal.id == renewal, "the open deal, first"
        await press(pilot, "x")
        assert isinstance(app.screen, TextPrompt)
        await burst(pilot, *"timing", "enter")
        renewed = deals.get_deal(renewal)
        assert (renewed.stage_name, renewed.lost_reason) == ("ClosedLost", "Timing")
        await press(pilot, "enter")
        assert isinstance(app.screen, DealForm) and app.screen.deal_id == renewal
        await press(pilot, "escape", "escape")
        assert app.focused is app.screen.customer_list.records


async def test_deal_keys_that_do_not_apply_are_dimmed_and_do_nothing(sqlite_db, run_app):
    make_customer_with_history()
    upsell = Opportunity.get(name="Upsell").id
    async with run_app(start_mode="customers") as pilot:
        app = pilot.app
        await press(pilot, "tab")
        footer = app.screen.query_one("KeyFooter")
        shown = {binding.action: on for binding, on in footer.keys()}
        assert shown["screen.step_deal(1)"] is True
        assert shown["screen.step_deal(-1)"] is False, "no stage before the first"
        await press(pilot, "less_than_sign")
        assert stage_name(upsell) == "Qualification"
        version = deals.get_deal(upsell).version
        await press(pilot, "end", "up")  # the history: Expansion (lost), First order
        assert app.screen.deal.stage_kind == "lost"
        await press(pilot, "x")
        assert isinstance(app.screen, CustomersScreen), "no lost reason asked: already lost"
        assert deals.get_deal(upsell).version == version


async def test_k_adds_a_contact_shown_in_the_customers_panel(sqlite_db, run_app):
    """A customer's people show in its detail panel; `k` adds one (typed in a burst,
    saved with ctrl+s), shown literally; a promoted lead's person is the first. tab
    reaches them after the deals: `enter` edits one, `a` plans an activity with them."""
    from tests.ui.pilot_helpers import burst
    from tui_crm.core import contacts
    from tui_crm.core.models import Activity
    from tui_crm.ui.widgets.activity_form import ActivityForm
    from tui_crm.ui.widgets.contact_form import ContactForm, ContactList

    lead_id = leads.create_lead({"name": "Ada [b]", "company": "Engines", "email": "ada@e.io"})
    customer_id = leads.promote_lead(lead_id, {"name": "Engines [/] Ltd"})
    async with run_app(start_mode="customers") as pilot:
        app = pilot.app
        assert "Contacts" in screen_text(app)
        assert "Ada [b] · ada@e.io" in screen_text(app)
        await press(pilot, "k")
        assert isinstance(app.screen, ContactForm)
        await type_text(pilot, "Grace [bold] Hopper")
        await burst(pilot, "tab", *"CTO", "ctrl+s")
        assert not isinstance(app.screen, ContactForm)
        people = contacts.contacts_of(customer_id)
        assert ("Grace [bold] Hopper", "CTO") in [(p.name, p.role) for p in people]
        assert "Grace [bold] Hopper · CTO" in screen_text(app)

        await press(pilot, "tab")  # no deals: tab goes on to the people
        assert isinstance(app.focused, ContactList)
        assert "Edit contact" in screen_text(app).splitlines()[-1]
        await press(pilot, "down")  # Grace, after Ada
        await press(pilot, "a")
        assert isinstance(app.screen, ActivityForm)
        await type_text(pilot, "Call Grace")
        await press(pilot, "ctrl+s")
        grace = next(p.id for p in contacts.contacts_of(customer_id) if p.role == "CTO")
        planned = Activity.get(Activity.subject == "Call Grace")
        assert (planned.contact_id, planned.customer_id) == (grace, customer_id)
        await press(pilot, "enter")
        assert isinstance(app.screen, ContactForm) and app.screen.contact_id == grace
        await press(pilot, "tab", "tab")
        await type_text(pilot, "grace@engines.example")
        await press(pilot, "ctrl+s")
        assert contacts.get_contact(grace).email == "grace@engines.example"
    async with CrmApp(start_mode="customers").run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "k")
        await press(pilot, "ctrl+s")  # no name: said at the field, nothing lost
        assert isinstance(pilot.app.screen, ContactForm)
        assert len(contacts.contacts_of(customer_id)) == len(people)


async def test_d_in_the_contact_list_deletes_that_person_and_u_brings_them_back(sqlite_db, run_app):
    """`d` on a person of the customer's panel deletes the person (asked first; not the
    customer), to the Trash with the activities about them alone; `u` undoes it."""
    from tui_crm.core import activities, contacts
    from tui_crm.core.models import Activity
    from tui_crm.ui.widgets.contact_form import ContactList
    from tui_crm.ui.widgets.dialogs import ConfirmDialog

    customer_id = customers.create_customer({"name": "Engines [/] Ltd"})
    ada = contacts.create_contact({"name": "Ada [b] Lovelace", "customer_id": customer_id})
    grace = contacts.create_contact({"name": "Grace Hopper", "customer_id": customer_id})
    call = activities.create_activity({"subject": "Call Grace", "contact_id": grace,
                                       "customer_id": customer_id})
    async with run_app(start_mode="customers", size=(80, 24)) as pilot:
        app = pilot.app
        await press(pilot, "tab")  # no deals: on to the people, Ada first
        assert isinstance(app.focused, ContactList)
        assert "d Delete contact" in screen_text(app).splitlines()[-1]  # the footer
        await press(pilot, "down", "d")
        assert isinstance(app.screen, ConfirmDialog)
        assert "Delete the contact “Grace Hopper”?" in screen_text(app)
        await press(pilot, "n")  # kept
        assert [p.id for p in contacts.contacts_of(customer_id)] == [ada, grace]
        await press(pilot, "d", "y")
        assert [p.id for p in contacts.contacts_of(customer_id)] == [ada]
        assert customers.get_customer(customer_id).name == "Engines [/] Ltd"
        assert not Activity.select().where(Activity.id == call).exists()
        assert "Grace Hopper" not in screen_text(app)
        assert "Ada [b] Lovelace" in screen_text(app)
        await press(pilot, "u")
        assert [p.id for p in contacts.contacts_of(customer_id)] == [ada, grace]
        assert Activity.get_by_id(call).contact_id == grace
        assert "Grace Hopper" in screen_text(app)


async def test_tab_from_the_deals_reaches_the_first_person_highlighted(sqlite_db):
    """From the customer's deals, `tab` goes on to its people with the first one
    highlighted, as the deals' first deal is: `down` then `d` asks for the second."""
    from tui_crm.core import contacts
    from tui_crm.ui.widgets.contact_form import ContactList
    from tui_crm.ui.widgets.dialogs import ConfirmDialog

    customer_id = customers.create_customer({"name": "Engines Ltd"})
    deals.create_deal({"name": "Rollout", "customer_id": customer_id})
    for name in ("Ada Lovelace", "Grace Hopper"):
        contacts.create_contact({"name": name, "customer_id": customer_id})
    app = CrmApp(start_mode="customers")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await press(pilot, "tab", "tab")
        assert isinstance(app.focused, ContactList)
        assert app.focused.contact.name == "Ada Lovelace"
        await press(pilot, "down", "d")
        assert isinstance(app.screen, ConfirmDialog)
        assert "Delete the contact “Grace Hopper”?" in screen_text(app)
