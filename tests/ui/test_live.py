"""Live screens: what another user commits shows up at the next look (about once a
second), with the cursor kept on its record. Two apps on one SQLite file, as two people
would be. The tests look with ``check_now()`` instead of waiting for the clock."""

from __future__ import annotations

from tests.ui.pilot_helpers import look, press, screen_text, type_text
from tui_crm.core import leads
from tui_crm.ui.widgets.form import RecordForm


def selected_name(app) -> str:
    return app.screen.selected.name


async def test_a_lead_renamed_in_one_app_shows_in_the_other(sqlite_db, run_app):
    for name in ("Ada", "Babbage", "Curie"):
        leads.create_lead({"name": name})
    async with run_app() as me, run_app() as them:
        mine, theirs = me.app, them.app
        await press(me, "down")
        assert selected_name(mine) == "Babbage"

        await press(them, "down", "enter")  # they edit Babbage's name
        assert isinstance(theirs.screen, RecordForm)
        await press(them, "ctrl+u")  # clear the name
        await type_text(them, "Zuse")
        await press(them, "ctrl+s")
        assert not isinstance(theirs.screen, RecordForm)
        assert "Babbage" in screen_text(mine), "nothing changes here before a look"

        assert await look(me)
        assert "Zuse" in screen_text(mine)
        assert "Babbage" not in screen_text(mine)
        assert selected_name(mine) == "Zuse", "the cursor stays on the same lead"


async def test_a_screen_out_of_view_catches_up_when_shown_again(sqlite_db, run_app):
    leads.create_lead({"name": "Ada"})
    async with run_app() as pilot:
        await press(pilot, "2")
        leads.create_lead({"name": "Grace"})  # someone adds a lead meanwhile
        assert await look(pilot)
        await press(pilot, "1")
        assert not await look(pilot), "nothing new: the Leads screen catches up anyway"
        assert "Grace" in screen_text(pilot.app)
        assert selected_name(pilot.app) == "Ada"


async def test_nothing_reloads_while_nothing_changes(sqlite_db, run_app, monkeypatch):
    leads.create_lead({"name": "Ada"})
    async with run_app() as pilot:
        reloads = []
        monkeypatch.setattr(pilot.app.screen, "reload", lambda: reloads.append(1))
        for _ in range(3):
            assert not await look(pilot)
        assert reloads == []
        leads.create_lead({"name": "Grace"})
        assert await look(pilot)
        assert reloads == [1]


async def test_the_app_looks_by_itself(sqlite_db, run_app):
    leads.create_lead({"name": "Ada"})
    async with run_app(live_interval=0.01) as pilot:  # the clock calls check_now
        leads.create_lead({"name": "Grace"})
        for _ in range(500):  # pauses, not a deadline: the looks come from the timer
            if "Grace" in screen_text(pilot.app):
                break
            await pilot.pause(0.01)
        assert "Grace" in screen_text(pilot.app)


async def test_a_move_made_here_is_not_read_twice_but_other_screens_catch_up(
        sqlite_db, run_app, monkeypatch):
    from tui_crm.core import customers, deals
    from tui_crm.ui.screens.pipeline import PipelineScreen

    acme = customers.create_customer({"name": "Acme"})
    deal = deals.create_deal({"name": "Rollout", "amount": "100", "customer_id": acme,
                              "stage": "Qualification"})
    async with run_app(start_mode="customers") as pilot:
        app = pilot.app
        assert "Qualification" in screen_text(app)  # Acme's deal, in the detail panel
        await press(pilot, "3")
        board = app.screen
        assert isinstance(board, PipelineScreen)
        reloads = []
        real_reload = board.reload
        monkeypatch.setattr(board, "reload", lambda: (reloads.append(1), real_reload()))
        await press(pilot, "greater_than_sign")
        assert board.board.column.stage.name == "Proposal"
        assert not await look(pilot)
        assert reloads == [], "the board read itself once, with the move"

        deals.step_deal(deal, 1)  # someone else moves it on right after
        assert await look(pilot)
        assert reloads == [1]
        assert board.board.column.stage.name == "Negotiation"

        await press(pilot, "2")
        await look(pilot)
        assert "Negotiation" in screen_text(app)
