"""`u` and `ctrl+r` from the screens, the Trash, and the forecast's look back (`p`, `c`),
driven by keys and checked on screen and in the database."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.conftest import FROZEN_TODAY
from tests.ui.pilot_helpers import burst, notices, press, screen_text, settle, shown
from tui_crm.core import changelog, customers, deals
from tui_crm.core.models import Opportunity, stamp
from tui_crm.ui.widgets.forecast_past import PastView
from tui_crm.ui.widgets.trash_screen import TrashScreen


@pytest.fixture
def pilot_deal(db):
    acme = customers.create_customer({"name": "Acme [/] Corp"})
    return deals.create_deal({"name": "Pilot 2026", "amount": "1000", "customer_id": acme,
                              "close_date": FROZEN_TODAY + dt.timedelta(days=10)})


def stage_of(deal_id: int) -> str:
    return deals.get_deal(deal_id).stage_name


async def test_u_undoes_a_move_on_the_board_and_ctrl_r_redoes_it(pilot_deal, monkeypatch, run_app):
    async with run_app(start_mode="pipeline") as pilot:
        app = pilot.app
        said = notices(app, monkeypatch)
        await settle(pilot)
        await press(pilot, ">")
        assert stage_of(pilot_deal) == "Proposal"
        await press(pilot, "u")
        assert stage_of(pilot_deal) == "Qualification"
        assert "Undid: moved “Pilot 2026” to Proposal." in said
        await press(pilot, "ctrl+r")
        assert stage_of(pilot_deal) == "Proposal"
        assert "Redid: moved “Pilot 2026” to Proposal." in said
        assert await shown(pilot, "Pilot 2026")


async def test_u_typed_straight_after_a_move_undoes_that_move(pilot_deal, run_app):
    deals.update_deal(pilot_deal, {"notes": "an earlier step"})
    async with run_app(start_mode="pipeline") as pilot:
        await burst(pilot, ">", "u")
        deal = deals.get_deal(pilot_deal)
        assert (deal.stage_name, deal.notes) == ("Qualification", "an earlier step")


async def test_an_undo_over_someone_elses_change_asks_first(pilot_deal, run_app):
    deals.update_deal(pilot_deal, {"amount": "2000"})  # tester's step
    changelog.set_user("bob")
    deals.update_deal(pilot_deal, {"amount": "3000"})
    changelog.set_user("tester")
    async with run_app(start_mode="pipeline") as pilot:
        app = pilot.app
        await press(pilot, "u")
        assert "by bob" in screen_text(app)
        await press(pilot, "n")
        assert deals.get_deal(pilot_deal).amount == 3000
        await press(pilot, "u")
        await press(pilot, "y")
        assert deals.get_deal(pilot_deal).amount == 1000


async def test_u_typed_in_a_form_is_text_not_an_undo(pilot_deal, run_app):
    async with run_app(start_mode="pipeline") as pilot:
        await burst(pilot, "enter", "ctrl+a", "ctrl+k", *"Pilot u", "ctrl+s")
        assert deals.get_deal(pilot_deal).name == "Pilot u"


async def test_the_trash_restores_a_deleted_deal(pilot_deal, monkeypatch, run_app):
    deals.delete_deal(pilot_deal)
    async with run_app(start_mode="pipeline") as pilot:
        app = pilot.app
        said = notices(app, monkeypatch)
        await settle(pilot)
        app.open_trash()
        await settle(pilot)
        assert isinstance(app.screen, TrashScreen)
        text = screen_text(app)
        assert "Pilot 2026" in text and "deleted" in text and "tester" in text
        await press(pilot, "enter")
        assert Opportunity.get_or_none(Opportunity.id == pilot_deal) is not None
        assert "Restored the deal “Pilot 2026”." in said
        assert "The Trash is empty." in screen_text(app)
        await press(pilot, "escape")
        assert await shown(pilot, "Pilot 2026")  # the board shows it again


async def test_keys_typed_as_the_trash_opens_wait_for_its_list(pilot_deal, monkeypatch,
                                                                run_app):
    """`down` `enter` typed as the Trash opens restore the second record listed (the
    Trash read slowly here: the keys wait for it), and the keys typed while it is read
    again after that restore wait as well."""
    import threading

    from tests.ui.pilot_helpers import key_event
    from tui_crm.ui.widgets import trash_screen

    second = deals.create_deal({"name": "Second [/] deal", "amount": "10",
                                "customer_id": deals.get_deal(pilot_deal).customer_id})
    deals.delete_deal(pilot_deal)
    deals.delete_deal(second)  # listed first: the latest deleted
    read = threading.Event()
    list_trash = trash_screen.list_trash

    def slow_list():
        read.wait(timeout=10)
        return list_trash()

    monkeypatch.setattr(trash_screen, "list_trash", slow_list)
    async with run_app(start_mode="pipeline") as pilot:
        app = pilot.app
        await settle(pilot)
        app.open_trash()
        await pilot.pause()  # open, its list on its way
        for key in ("down", "enter", "enter", "escape"):
            app.post_message(key_event(key))
        for _ in range(20):  # the Trash's list is still being read: the keys wait
            await pilot.pause()
        assert isinstance(app.screen, TrashScreen)
        assert Opportunity.get_or_none(Opportunity.id == pilot_deal) is None
        read.set()
        await settle(pilot)
        assert Opportunity.get_or_none(Opportunity.id == pilot_deal) is not None
        # The second enter waited for the list read again: it restored the other one.
        assert Opportunity.get_or_none(Opportunity.id == second) is not None
        assert not isinstance(app.screen, TrashScreen)  # and escape closed it


async def test_keys_typed_after_the_palette_runs_a_command_reach_its_screen(pilot_deal,
                                                                           run_app):
    """`enter` `down` `enter` typed in one burst on the palette's "Trash" open the
    Trash and restore its second record: `down` waits for the command the palette runs
    once its list of commands has answered `enter`."""
    from textual.command import CommandPalette

    second = deals.create_deal({"name": "Second [/] deal", "amount": "10",
                                "customer_id": deals.get_deal(pilot_deal).customer_id})
    deals.delete_deal(pilot_deal)
    deals.delete_deal(second)  # listed first: the latest deleted
    async with run_app(start_mode="pipeline") as pilot:
        app = pilot.app
        await press(pilot, "ctrl+p", *"Trash")
        assert isinstance(app.screen, CommandPalette)
        await burst(pilot, "enter", "down", "enter")
        assert isinstance(app.screen, TrashScreen)
        assert Opportunity.get_or_none(Opportunity.id == pilot_deal) is not None
        assert Opportunity.get_or_none(Opportunity.id == second) is None
        assert "Second [/] deal" in screen_text(app)


async def test_the_palette_runs_what_was_typed_in_the_same_burst(pilot_deal, run_app):
    """`ctrl+p` "Trash" `enter` `down` `enter`, all in one burst: each key waits for
    the palette's search for the keys before it, so `enter` runs "Trash" (not a hit of
    "Tra") and the Trash's second record is restored."""
    from tests.ui.pilot_helpers import key_event

    second = deals.create_deal({"name": "Second [/] deal", "amount": "10",
                                "customer_id": deals.get_deal(pilot_deal).customer_id})
    deals.create_deal({"name": "Tractor", "amount": "10",  # a hit for "Tra"
                       "customer_id": deals.get_deal(pilot_deal).customer_id})
    deals.delete_deal(pilot_deal)
    deals.delete_deal(second)
    async with run_app(start_mode="pipeline") as pilot:
        app = pilot.app
        for key in ("ctrl+p", *"Trash", "enter", "down", "enter"):
            app.post_message(key_event(key))
        for _ in range(10):
            await settle(pilot)
            if not app.keys_pending:
                break
        assert isinstance(app.screen, TrashScreen)
        assert Opportunity.get_or_none(Opportunity.id == pilot_deal) is not None
        assert Opportunity.get_or_none(Opportunity.id == second) is None


async def test_the_forecast_shows_a_past_moment_beside_today(pilot_deal, run_app):
    moment = stamp()
    deals.update_deal(pilot_deal, {"amount": "5000"})
    async with run_app(start_mode="forecast") as pilot:
        app = pilot.app
        await press(pilot, "p")
        await burst(pilot, *f"{moment:%Y-%m-%d %H:%M:%S.%f}", "enter")
        assert isinstance(app.screen, PastView)
        text = screen_text(app)
        assert "As of" in text and "Now" in text
        assert "100.00" in text and "500.00" in text  # Qualification 10 %: then and now
        await press(pilot, "escape")
        await press(pilot, "c")
        await burst(pilot, *f"{moment:%Y-%m-%d %H:%M:%S.%f}", "enter")
        text = screen_text(app)
        assert "Amount up" in text and "4,000.00" in text


async def test_a_moment_that_does_not_read_says_so(pilot_deal, monkeypatch, run_app):
    async with run_app(start_mode="forecast", size=(80, 24)) as pilot:
        app = pilot.app
        said = notices(app, monkeypatch)
        await settle(pilot)
        await press(pilot, "p")
        await burst(pilot, *"last tuesday", "enter")
        assert any("is not a date and time" in message for message in said)
