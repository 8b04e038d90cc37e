"""Two people on one deal: no save overwrites the other's silently, on forms and on
the board; the other's board shows a move at its next look (about once a second).

Two apps run on one SQLite file, as two people would. Both run in this process:
each save runs in a worker thread of its app (a peewee connection of its own), and
each app watches the database on a connection of its own, so each sees the other's
commits as another process's.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from tests.ui.pilot_helpers import look, notices, press, screen_text, settle, type_text
from tui_crm.core import changelog, customers, deals
from tui_crm.ui.app import CrmApp
from tui_crm.ui.widgets.board import Board
from tui_crm.ui.widgets.deal_form import DealForm
from tui_crm.ui.widgets.dialogs import ConflictDialog
from tui_crm.ui.widgets.form import FormField


def a_deal() -> int:
    acme = customers.create_customer({"name": "Acme"})
    return deals.create_deal({"name": "Rollout", "amount": "12500", "customer_id": acme,
                              "close_date": dt.date(2026, 12, 1)})


@pytest.fixture
def deal(sqlite_db):
    return a_deal()


@pytest.fixture
def deal_on_each_database(db):
    """On PostgreSQL too: the change counter instead of PRAGMA data_version."""
    return a_deal()


def field(app, name: str) -> FormField:
    return app.screen.query_one(f"#row-{name}", FormField)


async def replace_text(pilot, name: str, text: str) -> None:
    field(pilot.app, name).editor.focus()
    await press(pilot, "end", "ctrl+u")
    await type_text(pilot, text)


async def save_as(pilot, user: str) -> None:
    changelog.set_user(user)  # the save's worker thread writes as this user
    await press(pilot, "ctrl+s")
    changelog.set_user("tester")


def stage_of(app, deal_id: int) -> str | None:
    for column in app.screen.query_one(Board).columns:
        if any(card.id == deal_id for card in column.cards):
            return column.stage.name
    return None


async def test_the_second_save_gets_the_conflict_dialog_then_reloads(deal):
    alice, bob = CrmApp(start_mode="pipeline"), CrmApp(start_mode="pipeline")
    async with alice.run_test(size=(120, 40)) as a, bob.run_test(size=(120, 40)) as b:
        await settle(a)
        await settle(b)
        await press(a, "enter")
        await press(b, "enter")
        assert isinstance(alice.screen, DealForm) and isinstance(bob.screen, DealForm)

        await replace_text(a, "amount", "15000")
        await save_as(a, "alice")
        assert not isinstance(alice.screen, DealForm)
        assert deals.get_deal(deal).amount == Decimal("15000.00")

        await replace_text(b, "name", "Rollout EU")
        await replace_text(b, "amount", "9000")
        await save_as(b, "bob")
        assert isinstance(bob.screen, ConflictDialog), "bob's save did not overwrite"
        text = screen_text(bob)
        assert "changed by alice" in text and "They changed: Amount (USD)." in text
        assert deals.get_deal(deal).amount == Decimal("15000.00")

        await press(b, "r")
        assert isinstance(bob.screen, DealForm)
        assert field(bob, "amount").value == "15,000.00"
        assert field(bob, "name").value == "Rollout"
        text = screen_text(bob)
        assert "yours: 9000" in text and "yours: Rollout EU" in text, "bob's typing is kept"

        await replace_text(b, "name", "Rollout EU")
        await save_as(b, "bob")
        assert not isinstance(bob.screen, DealForm)
        saved = deals.get_deal(deal)
        assert (saved.name, saved.amount, saved.updated_by) == (
            "Rollout EU", Decimal("15000.00"), "bob")


async def test_overwrite_is_over_what_the_dialog_showed_not_a_later_save(deal, run_app):
    async with run_app(start_mode="pipeline") as pilot:
        app = pilot.app
        await press(pilot, "enter")
        await replace_text(pilot, "amount", "9000")
        changelog.set_user("alice")
        deals.update_deal(deal, {"notes": "call back"})
        changelog.set_user("tester")
        await press(pilot, "ctrl+s")
        assert isinstance(app.screen, ConflictDialog)
        assert "changed by alice" in screen_text(app) and "Notes" in screen_text(app)

        changelog.set_user("carol")  # saves while the dialog is open
        deals.update_deal(deal, {"owner": "carol"})
        changelog.set_user("tester")
        await press(pilot, "o")
        assert isinstance(app.screen, ConflictDialog), "carol's save is not lost either"
        assert "changed by carol" in screen_text(app)
        await press(pilot, "o")
        assert not isinstance(app.screen, DealForm)
        saved = deals.get_deal(deal)
        assert (saved.amount, saved.notes) == (Decimal("9000.00"), "")


async def test_the_other_board_shows_a_move_at_its_next_look(deal_on_each_database):
    deal = deal_on_each_database
    alice, bob = CrmApp(start_mode="pipeline"), CrmApp(start_mode="pipeline")
    async with alice.run_test(size=(120, 40)) as a, bob.run_test(size=(120, 40)) as b:
        await settle(a)
        await settle(b)
        assert stage_of(bob, deal) == "Qualification"
        await press(a, "greater_than_sign")
        assert stage_of(alice, deal) == "Proposal"
        assert await look(b)
        assert stage_of(bob, deal) == "Proposal"
        assert bob.screen.query_one(Board).selected.id == deal, "bob's cursor follows it"


async def test_a_move_on_a_stale_board_is_refused_and_says_who(deal, monkeypatch, run_app):
    async with run_app(start_mode="pipeline") as pilot:  # live refresh off: the board stays stale
        app = pilot.app
        shown = notices(app, monkeypatch)
        changelog.set_user("alice")
        deals.update_deal(deal, {"amount": "20000"})
        changelog.set_user("tester")
        await press(pilot, "greater_than_sign")
        assert deals.get_deal(deal).stage_name == "Qualification", "not moved"
        assert any("changed by alice" in message for message in shown)
        await press(pilot, "greater_than_sign")  # the board was re-read: now it moves
        assert deals.get_deal(deal).stage_name == "Proposal"
