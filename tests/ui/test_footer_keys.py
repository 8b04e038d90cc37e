"""The footer: the screen's keys, ? Help and q Quit always, a click presses a key."""

from __future__ import annotations


async def test_the_footer_lists_the_screens_keys_then_the_palette(sqlite_db, run_app):
    from tests.ui.pilot_helpers import press, screen_text
    from tui_crm.core import customers, deals
    from tui_crm.ui.footer_keys import KeyFooter

    acme = customers.create_customer({"name": "Acme"})
    deals.create_deal({"name": "Rollout", "amount": "10", "customer_id": acme,
                       "stage": "Qualification"})
    async with run_app(start_mode="pipeline") as pilot:
        app = pilot.app
        footer = app.screen.query_one(KeyFooter)
        shown = {binding.action: on for binding, on in footer.keys()}
        assert shown["step(1)"] is True
        assert shown["step(-1)"] is False, "no stage before the first: shown, dimmed"
        assert "Prev stage" in screen_text(app).splitlines()[-1]

        await press(pilot, "1")
        last = screen_text(app).splitlines()[-1]
        assert last.startswith(" / Search  n New lead  s Sort  f Status filter  1 Leads")
        assert last.rstrip().endswith("▏ ^p palette")


async def test_a_click_on_a_key_in_the_footer_presses_it(sqlite_db, run_app):
    from tests.ui.pilot_helpers import screen_text, settle
    from tui_crm.core import leads
    from tui_crm.ui.footer_keys import KeyFooter
    from tui_crm.ui.widgets.form import RecordForm

    leads.create_lead({"name": "Ada"})
    async with run_app(start_mode="leads") as pilot:
        app = pilot.app
        last = screen_text(app).splitlines()[-1]
        await pilot.click(KeyFooter, offset=(last.index("New lead"), 0))
        await settle(pilot)
        assert isinstance(app.screen, RecordForm)


async def test_help_and_quit_always_show_at_80x24_and_the_rest_is_in_help(sqlite_db, run_app):
    """At 80x24 every screen's footer ends with ? Help, q Quit and the palette's key;
    the screen's keys before them are whole, and those left out are in the help."""
    from tests.ui.pilot_helpers import burst, screen_text
    from tui_crm.core import customers, deals

    acme = customers.create_customer({"name": "Acme"})
    deals.create_deal({"name": "Rollout", "amount": "10", "customer_id": acme,
                       "stage": "Qualification"})
    async with run_app(start_mode="pipeline", size=(80, 24)) as pilot:
        app = pilot.app
        for screen in ("3", "1", "2", "4"):
            await burst(pilot, screen)
            footer = screen_text(app).splitlines()[-1]
            assert footer.rstrip().endswith("? Help  q Quit ▏ ^p palette"), footer
            assert "…" not in footer
        await burst(pilot, "3")
        footer = screen_text(app).splitlines()[-1]
        assert footer.startswith(" > Next stage  < Prev stage  w Won  x Lost")
        assert "/ Filter" not in footer
        await burst(pilot, "question_mark")
        assert "/         Filter" in screen_text(app), "what the footer leaves out"


async def test_a_dialog_shows_its_own_keys_in_the_footer(sqlite_db, run_app):
    """Under a question, the footer lists the answers, not the keys of the screen
    behind it (which do nothing while the question is asked)."""
    from tests.ui.pilot_helpers import press, screen_text
    from tui_crm.core import leads

    leads.create_lead({"name": "Ada"})
    async with run_app(start_mode="leads", size=(80, 24)) as pilot:
        assert "New lead" in screen_text(pilot.app).splitlines()[-1]
        await press(pilot, "d")
        last = screen_text(pilot.app).splitlines()[-1]
        assert "Delete" in last and "Keep it" in last and "Cancel" in last, last
        assert "New lead" not in last and "Search" not in last, last
        await press(pilot, "k")
        assert "New lead" in screen_text(pilot.app).splitlines()[-1]
