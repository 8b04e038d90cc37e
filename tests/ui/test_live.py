"""Live screens: what another user commits shows up within about two seconds, with
the cursor kept on its record. Two apps on one SQLite file, as two people would be."""

from __future__ import annotations

from tests.ui.pilot_helpers import press, screen_text, settle, type_text
from tui_crm.core import leads
from tui_crm.ui.app import CrmApp
from tui_crm.ui.widgets.form import RecordForm

POLL = 0.05  # seconds between looks in tests (the app's default is 1)


def live_app(**kwargs) -> CrmApp:
    app = CrmApp(**kwargs)
    app.live_interval = POLL
    return app


async def within(pilot, seconds: float, check) -> bool:
    """Let the app run until ``check()`` holds, for at most ``seconds``."""
    for _ in range(round(seconds / POLL)):
        if check():
            return True
        await pilot.pause(POLL)
    await settle(pilot)
    return check()


def selected_name(app) -> str:
    return app.screen.selected.name


async def test_a_lead_renamed_in_one_app_shows_in_the_other(sqlite_db):
    for name in ("Ada", "Babbage", "Curie"):
        leads.create_lead({"name": name})
    mine, theirs = live_app(), live_app()
    async with mine.run_test(size=(120, 40)) as me, theirs.run_test(size=(120, 40)) as them:
        await settle(me)
        await settle(them)
        await press(me, "down")
        assert selected_name(mine) == "Babbage"

        await press(them, "down", "enter")  # they edit Babbage's name
        assert isinstance(theirs.screen, RecordForm)
        await press(them, "ctrl+u")  # clear the name
        await type_text(them, "Zuse")
        await press(them, "ctrl+s")
        assert not isinstance(theirs.screen, RecordForm)

        assert await within(me, 2.0, lambda: "Zuse" in screen_text(mine))
        assert "Babbage" not in screen_text(mine)
        assert selected_name(mine) == "Zuse", "the cursor stays on the same lead"


async def test_a_screen_out_of_view_catches_up_when_shown_again(sqlite_db):
    leads.create_lead({"name": "Ada"})
    app = live_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await press(pilot, "2")
        leads.create_lead({"name": "Grace"})  # someone adds a lead meanwhile
        await pilot.pause(4 * POLL)
        await press(pilot, "1")
        assert await within(pilot, 2.0, lambda: "Grace" in screen_text(app))
        assert selected_name(app) == "Ada"


async def test_nothing_reloads_while_nothing_changes(sqlite_db, monkeypatch):
    leads.create_lead({"name": "Ada"})
    app = live_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        reloads = []
        monkeypatch.setattr(app.screen, "reload", lambda: reloads.append(1))
        await pilot.pause(10 * POLL)
        assert reloads == []
        leads.create_lead({"name": "Grace"})
        assert await within(pilot, 2.0, lambda: reloads)


async def test_a_move_made_here_is_not_read_twice_but_other_screens_catch_up(sqlite_db,
                                                                              monkeypatch):
    from tui_crm.core import customers, deals
    from tui_crm.ui.screens.pipeline import PipelineScreen

    acme = customers.create_customer({"name": "Acme"})
    deal = deals.create_deal({"name": "Rollout", "amount": "100", "customer_id": acme,
                              "stage": "Qualification"})
    app = live_app(start_mode="customers")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert "Qualification" in screen_text(app)  # Acme's deal, in the detail panel
        await press(pilot, "3")
        board = app.screen
        assert isinstance(board, PipelineScreen)
        reloads = []
        real_reload = board.reload
        monkeypatch.setattr(board, "reload", lambda: (reloads.append(1), real_reload()))
        await press(pilot, "greater_than_sign")
        assert await within(pilot, 2.0, lambda: board.board.column.stage.name == "Proposal")
        await pilot.pause(10 * POLL)
        assert reloads == [], "the board read itself once, with the move"

        deals.step_deal(deal, 1)  # someone else moves it on right after
        assert await within(pilot, 2.0, lambda: reloads)
        assert await within(pilot, 2.0,
                            lambda: board.board.column.stage.name == "Negotiation")

        await press(pilot, "2")
        assert await within(pilot, 2.0, lambda: "Negotiation" in screen_text(app))
