"""A deal's timeline from its form: stage moves and edits with who and when."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.ui.pilot_helpers import press, screen_text, settle
from tui_crm.core import changelog, customers, deals
from tui_crm.ui.widgets.deal_form import DealForm
from tui_crm.ui.widgets.record_history import RecordHistory


@pytest.mark.parametrize("size", [(120, 40), (80, 24)])
async def test_ctrl_t_in_the_deal_form_shows_who_moved_and_edited_it(sqlite_db, size, run_app):
    acme = customers.create_customer({"name": "Acme [/] Corp"})
    deal = deals.create_deal({"name": "Rollout", "amount": "12500", "customer_id": acme,
                              "close_date": dt.date(2026, 12, 1)})
    changelog.set_user("alice")
    deals.step_deal(deal, +1)
    changelog.set_user("bob")
    deals.update_deal(deal, {"amount": "15000"})
    changelog.set_user("tester")
    async with run_app(start_mode="pipeline", size=size) as pilot:
        app = pilot.app
        app.push_screen(DealForm(deal))
        await settle(pilot)
        await press(pilot, "ctrl+t")
        assert isinstance(app.screen, RecordHistory)
        text = screen_text(app)
        for line in ("bob edited", "Amount: 12,500.00 → 15,000.00", "alice moved it",
                     "Stage: Qualification → Proposal", "tester created it",
                     "Customer: Acme [/] Corp"):
            assert line in text, line
        assert text.index("bob edited") < text.index("alice moved it") < text.index(
            "tester created it"), "newest first"
        await press(pilot, "escape")
        assert isinstance(app.screen, DealForm)


async def test_a_new_deal_has_no_history_key(sqlite_db, run_app):
    async with run_app(start_mode="pipeline") as pilot:
        app = pilot.app
        app.push_screen(DealForm())
        await settle(pilot)
        assert "History" not in screen_text(app)
        await press(pilot, "ctrl+t")
        assert isinstance(app.screen, DealForm)
