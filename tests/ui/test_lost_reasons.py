"""The ClosedLost prompt offers the settings' lost reasons (typing filters, enter picks)
and still takes free text; the list is edited from the Stages screen."""

from __future__ import annotations

import pytest

from tests.ui.pilot_helpers import burst, screen_text, settle
from tests.ui.test_app_shell import palette_pick
from tui_crm.core import customers, deals, settings
from tui_crm.core.models import ChangeLog, Opportunity
from tui_crm.ui.screens.stages import StagesScreen
from tui_crm.ui.widgets.lost_reasons import LostReasonPrompt
from tui_crm.ui.widgets.stage_forms import LostReasonsForm


@pytest.fixture
def one_deal(sqlite_db):
    customer = customers.create_customer({"name": "Acme [/] Corp [bold]"})
    return deals.create_deal({"name": "Rollout [b]", "customer_id": customer,
                              "amount": "500", "close_date": "2026-12-01"})


def reason(deal_id: int) -> tuple[str, str]:
    deal = deals.get_deal(deal_id)
    return deal.stage_name, deal.lost_reason


@pytest.mark.parametrize("size", [(120, 40), (80, 24)])
async def test_the_prompt_offers_the_reasons_and_typing_filters_them(one_deal, size, run_app):
    async with run_app(start_mode="pipeline", size=size) as pilot:
        app = pilot.app
        await burst(pilot, "x")
        assert isinstance(app.screen, LostReasonPrompt)
        text = screen_text(app)
        for shown in settings.get_list("lost_reasons"):
            assert shown in text, shown
        assert "Rollout [b]" in text
        await burst(pilot, *"co")
        text = screen_text(app)
        assert "Went with a competitor" in text and "Lost contact" in text
        assert "No budget" not in text and "Timing" not in text
        await burst(pilot, "down", "enter")
        assert reason(one_deal) == ("ClosedLost", "Lost contact")


async def test_free_text_is_still_taken(one_deal, run_app):
    async with run_app(start_mode="pipeline") as pilot:
        await burst(pilot, "x", *"Went quiet [/]", "enter")  # matches no reason
        assert reason(one_deal) == ("ClosedLost", "Went quiet [/]")


async def test_up_past_the_first_reason_keeps_what_was_typed(one_deal, run_app):
    async with run_app(start_mode="pipeline") as pilot:
        await burst(pilot, "x", *"pric", "up", "enter")
        assert reason(one_deal) == ("ClosedLost", "pric")


async def test_down_typed_before_the_reasons_are_read_still_picks_the_next(one_deal,
                                                                          run_app):
    async with run_app(start_mode="pipeline") as pilot:
        await burst(pilot, "x", *"co", "down", "enter")  # one burst: before the read
        assert reason(one_deal) == ("ClosedLost", "Lost contact")


async def test_text_typed_after_a_step_starts_the_highlight_again(one_deal, run_app):
    async with run_app(start_mode="pipeline") as pilot:
        await burst(pilot, "x", *"co", "down", *"mp", "enter")
        assert reason(one_deal) == ("ClosedLost", "Went with a competitor")


async def test_empty_is_fine_and_escape_cancels(one_deal, run_app):
    async with run_app(start_mode="pipeline") as pilot:
        await burst(pilot, "x", *"price", "escape")
        assert reason(one_deal) == ("Qualification", "")
        await burst(pilot, "x", "enter")
        assert reason(one_deal) == ("ClosedLost", "")


async def test_the_list_is_edited_from_the_stages_screen_and_offered_at_once(one_deal, run_app):
    async with run_app(start_mode="pipeline", size=(80, 24)) as pilot:
        app = pilot.app
        await palette_pick(pilot, "edit stag", "Edit stages")
        await settle(pilot)
        await burst(pilot, "l")
        assert isinstance(app.screen, LostReasonsForm)
        await burst(pilot, "down", "down", "down", "down", "end")  # the end of the list
        await burst(pilot, "enter", *"Security review", "enter", *"price", "ctrl+s")
        assert isinstance(app.screen, StagesScreen)
        assert settings.get_list("lost_reasons")[-1] == "Security review"
        assert ChangeLog.select().where(ChangeLog.entity == "setting",
                                        ChangeLog.field == "lost_reasons").exists()
        await burst(pilot, "escape", "x", *"secur", "enter")
        assert reason(one_deal) == ("ClosedLost", "Security review")
        assert Opportunity.get_by_id(one_deal).lost_reason == "Security review"
