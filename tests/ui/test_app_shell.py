"""The shell: first run, help, the command palette, quitting, text shown literally,
and every screen of this area at 80x24."""

from __future__ import annotations

from textual.command import CommandPalette

from tests.ui.pilot_helpers import press, screen_text, settle, shown, start_empty, type_text
from tui_crm.core import customers, deals, leads
from tui_crm.core.models import Customer, Lead, Opportunity
from tui_crm.ui.app import CrmApp
from tui_crm.ui.screens.customers import CustomersScreen
from tui_crm.ui.screens.leads import LeadsScreen
from tui_crm.ui.widgets.deal_form import DealForm
from tui_crm.ui.widgets.help import HelpScreen
from tui_crm.ui.widgets.record_forms import LeadForm
from tui_crm.ui.widgets.welcome import WelcomeScreen

TRICKY = ["Acme [/] Corp [bold]", "[@click=app.quit]x[/]", "\x1b]0;pwned\x07Evil \x1b[31mCo"]


async def test_an_empty_database_says_what_to_press_and_offers_demo_data(sqlite_db, run_app):
    async with run_app(size=(80, 24)) as pilot:
        app = pilot.app
        assert isinstance(app.screen, WelcomeScreen)
        text = screen_text(app)
        assert "this database is empty" in text
        for hint in ("add a lead", "command palette", "every key of the screen",
                     "demo data"):
            assert hint in text
        await press(pilot, "d")
        await settle(pilot)
        assert isinstance(app.screen, LeadsScreen)
        assert Lead.select().count() > 0 and Opportunity.select().count() == 2_000
        assert app.screen.selected is not None, "the list shows the demo leads"
        assert "No leads yet" not in screen_text(app)


async def test_escape_dismisses_the_offer_and_nothing_is_written(sqlite_db, run_app):
    async with run_app(size=(80, 24)) as pilot:
        app = pilot.app
        await start_empty(pilot)
        assert isinstance(app.screen, LeadsScreen)
        assert "No leads yet: press n to add one." in screen_text(app)
        assert Lead.select().count() == 0
    app = CrmApp()
    leads.create_lead({"name": "Someone"})
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, LeadsScreen), "a database with data opens directly"


async def test_help_lists_every_key_of_the_current_screen(sqlite_db, run_app):
    leads.create_lead({"name": "Ada"})
    async with run_app(size=(80, 24)) as pilot:
        app = pilot.app
        await press(pilot, "question_mark")
        assert isinstance(app.screen, HelpScreen)
        text = screen_text(app)
        await press(pilot, "end")  # the keys scroll at 80x24: the rest of them
        text += screen_text(app)
        for key, description in [("n", "New lead"), ("⏎", "Edit"), ("c", "Promote"),
                                 ("/", "Search"), ("esc", "Clear search (not now)"),
                                 ("pgdn", "Page down"), ("1", "Leads"), ("4", "Forecast"),
                                 ("?", "Help"), ("q", "Quit"), ("^p", "Command palette")]:
            assert f"{key} " in text and description in text, description
        await press(pilot, "escape", "2", "question_mark")
        text = screen_text(app)
        assert "Add opportunity" in text and "New customer" in text
        assert "Promote" not in text
        await press(pilot, "escape")
        assert isinstance(app.screen, CustomersScreen)
        await press(pilot, "3", "question_mark")
        text = screen_text(app)
        for key, description in [("> shift+→", "Next stage"), ("< shift+←", "Prev stage"),
                                 ("w", "Won"), ("x", "Lost"), ("d del", "Delete deal"),
                                 ("/", "Filter"), ("← h", "Previous column"),
                                 ("↓ j", "Card below")]:
            assert f"{key} " in text and description in text, description
        assert "…" not in text, "no label is cut at 80x24"


async def palette_pick(pilot, text: str, pick: str) -> None:
    await press(pilot, "ctrl+p")
    assert isinstance(pilot.app.screen, CommandPalette)
    await type_text(pilot, text)
    await settle(pilot)
    assert pick in screen_text(pilot.app)
    await press(pilot, "enter")


async def test_the_palette_jumps_to_a_customer_by_part_of_its_name(sqlite_db, run_app):
    for i in range(300):
        customers.create_customer({"name": f"Filler {i:03d}"})
    wanted = customers.create_customer({"name": "Zanzibar [/] Trading", "company": "ZT"})
    async with run_app() as pilot:
        app = pilot.app
        await palette_pick(pilot, "zanzi", "Zanzibar [/] Trading  (ZT)")
        await settle(pilot)
        assert isinstance(app.screen, CustomersScreen)
        assert app.screen.selected.id == wanted
        assert "Zanzibar [/] Trading" in screen_text(app)


async def test_the_palette_jumps_to_a_lead_and_to_a_deal(sqlite_db, run_app):
    lead_id = leads.create_lead({"name": "Quentin Lead"})
    customer_id = customers.create_customer({"name": "Globex"})
    deal_id = deals.create_deal({"name": "Quarterly deal", "customer_id": customer_id})
    async with run_app(start_mode="customers") as pilot:
        app = pilot.app
        await palette_pick(pilot, "quentin", "Quentin Lead")
        await settle(pilot)
        assert isinstance(app.screen, LeadsScreen) and app.screen.selected.id == lead_id
        await palette_pick(pilot, "quarterly", "Quarterly deal  (Globex)")
        await settle(pilot)
        assert isinstance(app.screen, DealForm) and app.screen.deal_id == deal_id
        await press(pilot, "escape")
        assert isinstance(app.screen, CustomersScreen)
        assert app.screen.selected.id == customer_id


async def test_palette_commands_open_forms_and_screens(sqlite_db, run_app):
    leads.create_lead({"name": "Someone"})
    async with run_app() as pilot:
        app = pilot.app
        await palette_pick(pilot, "go to cust", "Go to Customers")
        await settle(pilot)
        assert isinstance(app.screen, CustomersScreen)
        await palette_pick(pilot, "new lead", "New lead")
        await settle(pilot)
        assert isinstance(app.screen, LeadForm)
        await type_text(pilot, "From palette")
        await press(pilot, "ctrl+s")
        assert isinstance(app.screen, LeadsScreen)
        assert app.screen.selected.name == "From palette"


async def test_user_text_is_shown_literally_everywhere(sqlite_db, run_app):
    lead_ids = [leads.create_lead({"name": name, "company": name}) for name in TRICKY]
    customer_id = customers.create_customer({"name": TRICKY[0], "notes": TRICKY[1]})
    deals.create_deal({"name": TRICKY[1], "customer_id": customer_id, "notes": TRICKY[2]})
    async with run_app() as pilot:
        app = pilot.app
        text = screen_text(app)
        assert "Acme [/] Corp [bold]" in text
        assert "[@click=app.quit]x[/]" in text
        assert "]0;pwnedEvil [31mCo" in text, "control characters are dropped"
        assert "\x1b" not in text and "\x07" not in text
        await pilot.click(offset=(3, 2))
        await press(pilot, "enter")
        assert isinstance(app.screen, LeadForm), "the app still runs"
        assert "Edit lead — ]0;pwnedEvil [31mCo" in screen_text(app)
        assert app.screen.query_one("#field-name").value == "]0;pwnedEvil [31mCo", \
            "no control character in an editor either"
        await press(pilot, "escape", "2")
        text = screen_text(app)
        assert text.count("Acme [/] Corp") >= 2, "in the list and the detail"
        assert "Acme [/] Corp [bold]" in text
        assert "[@click=app.quit]x[/]" in text
        await palette_pick(pilot, "[/]", "Acme [/] Corp [bold]")
        await settle(pilot)
        assert app.is_running
    assert len(lead_ids) == 3


async def test_the_cursor_shows_without_colour(sqlite_db, monkeypatch, run_app):
    monkeypatch.setenv("NO_COLOR", "1")
    leads.create_lead({"name": "Ada"})
    leads.create_lead({"name": "Grace"})
    async with run_app(size=(80, 24)) as pilot:
        app = pilot.app
        assert app.no_color
        records = app.screen.lead_list.records
        cursor_line = records.render_line(1)
        other_line = records.render_line(2)
        assert any(segment.style and segment.style.reverse for segment in cursor_line)
        assert not any(segment.style and segment.style.reverse for segment in other_line)
        await press(pilot, "enter")
        label = app.screen.query_one("#row-name .field-label")
        assert label.styles.text_style.reverse, "the focused field's label stands out"


async def test_q_quits_and_ctrl_q_quits_even_from_a_form(sqlite_db, run_app):
    leads.create_lead({"name": "Someone"})
    async with run_app(size=(80, 24)) as pilot:
        app = pilot.app
        await press(pilot, "n")
        assert isinstance(app.screen, LeadForm)
        await press(pilot, "ctrl+q")
    assert app.return_code == 0 and not app.is_running, "nothing typed: quits at once"
    async with run_app(size=(80, 24)) as pilot:
        app = pilot.app
        await press(pilot, "q")
        assert not app.is_running


async def test_every_screen_of_this_area_at_80x24(sqlite_db, run_app):
    lead_id = leads.create_lead({"name": "Ada Lovelace", "company": "Analytical Engines",
                                 "email": "ada@engines.io", "status": "Qualified"})
    customer_id = customers.create_customer({"name": "Initech", "company": "Initech LLC"})
    deals.create_deal({"name": "Renewal", "amount": "12k", "customer_id": customer_id,
                       "close_date": "2026-12-01"})
    async with run_app(size=(80, 24)) as pilot:
        app = pilot.app
        text = screen_text(app)
        assert "Ada Lovelace" in text and "Qualified" in text and "1 lead" in text
        assert await shown(pilot, "n New lead"), "the footer shows the keys"
        assert "c Promote" in screen_text(app)
        await press(pilot, "c")
        text = screen_text(app)
        for label in ("Name", "Company", "E-mail", "Phone", "Notes", "First opportunity",
                      "Deal name", "Amount (USD)", "Close date", "Stage"):
            assert label in text, label
        assert await shown(pilot, "^s Save")
        await press(pilot, "escape", "2")
        text = screen_text(app)
        assert "Initech" in text and "Open pipeline  USD 12,000.00" in text
        assert await shown(pilot, "o Add opportunity")
        await press(pilot, "o")
        text = screen_text(app)
        for label in ("Name", "Amount (USD)", "Close date", "Stage", "Parent", "Notes"):
            assert label in text, label
        assert "Customer Initech" in text
    assert lead_id
    assert Customer.select().count() == 1


async def test_bidirectional_controls_never_reach_the_screen(sqlite_db, run_app):
    name = "Inv \u202efdp.exe\u202c"
    leads.create_lead({"name": name, "company": "\u2066x\u2069y\u202a\u202b\u202d\u2067\u2068z"})
    async with run_app(size=(80, 24)) as pilot:
        app = pilot.app
        text = screen_text(app)
        assert "Inv fdp.exe" in text and "xyz" in text
        assert not any(chr(c) in text for c in [*range(0x202A, 0x202F),
                                                *range(0x2066, 0x206A)])
    assert leads.list_leads()[0].name == name, "the data keeps them"


async def test_quitting_with_unsaved_typing_asks_first(sqlite_db, run_app):
    """ctrl+q in a form with changes asks, as escape does: n keeps the form and what
    was typed; y quits; ctrl+q on the question quits too. Nothing is saved."""
    from tests.ui.pilot_helpers import burst
    from tui_crm.ui.widgets.dialogs import QuitDialog

    leads.create_lead({"name": "Someone"})
    async with run_app(size=(80, 24)) as pilot:
        app = pilot.app
        await burst(pilot, "n", *"q Ada", "ctrl+q")
        assert app.is_running and isinstance(app.screen, QuitDialog), "asked, not quit"
        await press(pilot, "n")
        assert isinstance(app.screen, LeadForm)
        assert app.screen.fields["name"].value == "q Ada", "what was typed is kept"
        await burst(pilot, "ctrl+q", "y")
    assert not app.is_running
    assert [lead.name for lead in leads.list_leads()] == ["Someone"]
    async with run_app(size=(80, 24)) as pilot:
        app = pilot.app
        await burst(pilot, "enter", "end", *" Else", "ctrl+q")
        assert isinstance(app.screen, QuitDialog)
        await burst(pilot, "ctrl+q")
    assert not app.is_running
    assert [lead.name for lead in leads.list_leads()] == ["Someone"]

