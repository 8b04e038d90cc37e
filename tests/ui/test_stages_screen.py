"""The Stages screen by keys: add, edit, reorder, remove (moving deals), the errors at
the field, and the board and forecast following at once."""

from __future__ import annotations

import pytest

from tests.ui.pilot_helpers import burst, press, screen_text, settle
from tests.ui.test_app_shell import palette_pick
from tui_crm.core import customers, deals, stages
from tui_crm.core.models import ChangeLog, Opportunity
from tui_crm.ui.app import CrmApp
from tui_crm.ui.screens.stages import StagesScreen
from tui_crm.ui.widgets.form import FormField, RecordForm
from tui_crm.ui.widgets.stage_forms import MoveDealsDialog, StageForm


def names() -> list[str]:
    return [s.name for s in stages.board_order()]


def field(app, name: str) -> FormField:
    return app.screen.query_one(f"#row-{name}", FormField)


@pytest.fixture
def pipeline(sqlite_db):
    customer = customers.create_customer({"name": "Acme [/] Corp [bold]"})
    proposal = stages.stage_named("Proposal").id
    for i in range(3):
        deals.create_deal({"name": f"Deal {i}", "customer_id": customer, "amount": "100",
                           "stage_id": proposal})
    return sqlite_db


async def open_stages(pilot, mode: str = "pipeline") -> None:
    await pilot.app.switch_mode(mode)
    await settle(pilot)
    await palette_pick(pilot, "edit stag", "Edit stages")
    await settle(pilot)
    assert isinstance(pilot.app.screen, StagesScreen)


@pytest.mark.parametrize("size", [(120, 40), (80, 24)])
async def test_the_stages_screen_lists_every_stage_in_board_order(pipeline, size, run_app):
    async with run_app(size=size) as pilot:
        app = pilot.app
        await open_stages(pilot)
        text = screen_text(app)
        lines = [line for line in text.splitlines()
                 if any(name in line for name in names())]
        assert [next(n for n in names() if n in line) for line in lines] == names()
        proposal = next(line for line in lines if "Proposal" in line)
        assert proposal.split()[1:] == ["40%", "open", "21", "3"]
        assert "ClosedWon" in text and "won" in text
        for key in ("Add stage", "Edit", "Remove"):
            assert key in text, key


async def test_add_a_stage_after_another_by_keys(pipeline, run_app):
    async with run_app() as pilot:
        app = pilot.app
        await open_stages(pilot)
        await burst(pilot, "a", *"Discovery", "tab", "2", "0", "tab", "1", "0")
        assert isinstance(app.screen, StageForm)
        field(app, "after").editor.value = "Qualification"
        await press(pilot, "ctrl+s")
        assert isinstance(app.screen, StagesScreen)
        added = stages.stage_named("Discovery")
        assert (added.probability, added.rot_days, added.kind) == (20, 10, "open")
        assert names()[:3] == ["Qualification", "Discovery", "Proposal"]
        assert ChangeLog.select().where(ChangeLog.entity == "stage",
                                        ChangeLog.action == "create").count() >= 1
        assert "Discovery" in screen_text(app)
        await press(pilot, "escape")
        assert "Discovery" in screen_text(app), "the board has the new column at once"


async def test_bad_input_is_said_at_the_field_and_nothing_is_written(pipeline, run_app):
    async with run_app(size=(80, 24)) as pilot:
        app = pilot.app
        await open_stages(pilot)
        await burst(pilot, "a", "tab", "1", "5", "0", "ctrl+s")
        assert isinstance(app.screen, StageForm), "the form stays open"
        assert field(app, "name").error == "A stage needs a name."
        assert "0 to 100" in field(app, "probability").error
        assert "A stage needs a name." in screen_text(app)
        await burst(pilot, *"proposal", "ctrl+s")  # the focus went to the first error
        assert "already a stage named 'Proposal'" in field(app, "name").error
        assert len(names()) == 5


async def test_edit_renames_and_the_forecast_follows(pipeline, run_app):
    async with run_app() as pilot:
        app = pilot.app
        await open_stages(pilot, "forecast")
        await burst(pilot, "down", "enter")  # Proposal
        assert isinstance(app.screen, StageForm)
        assert field(app, "name").value == "Proposal"
        await burst(pilot, "ctrl+u", *"Quote sent", "tab", "ctrl+u", "5", "5", "ctrl+s")
        assert isinstance(app.screen, StagesScreen)
        renamed = stages.stage_named("Quote sent")
        assert renamed.probability == 55
        assert Opportunity.select().where(Opportunity.stage == renamed.id).count() == 3
        await press(pilot, "escape")
        text = screen_text(app)
        assert "Quote sent" in text and "Proposal" not in text


async def test_reorder_with_shift_arrows(pipeline, run_app):
    async with run_app() as pilot:
        app = pilot.app
        await open_stages(pilot)
        await burst(pilot, "shift+down")
        assert names()[:3] == ["Proposal", "Qualification", "Negotiation"]
        await burst(pilot, "shift+down", "shift+down")
        assert names()[:3] == ["Proposal", "Negotiation", "Qualification"]
        assert "Open stages come before the won and lost stages." in screen_text(app)
        await burst(pilot, "up", "up", "shift+up")
        assert names()[:3] == ["Proposal", "Negotiation", "Qualification"]
        assert "Proposal is already first." in screen_text(app)


async def test_removing_the_won_stage_is_refused_where_it_was_asked(pipeline, run_app):
    async with run_app(size=(80, 24)) as pilot:
        app = pilot.app
        await open_stages(pilot)
        await burst(pilot, "down", "down", "down", "d")
        assert isinstance(app.screen, StagesScreen)
        assert "ClosedWon is the won stage" in screen_text(app)
        assert "ClosedWon" in names()


async def test_remove_a_stage_moving_its_deals(pipeline, run_app):
    async with run_app() as pilot:
        app = pilot.app
        await open_stages(pilot)
        await burst(pilot, "down", "d")
        assert isinstance(app.screen, MoveDealsDialog)
        assert "It holds 3 deals" in screen_text(app)
        await burst(pilot, "down", "enter")  # Qualification, then Negotiation
        assert isinstance(app.screen, StagesScreen)
        assert names() == ["Qualification", "Negotiation", "ClosedWon", "ClosedLost"]
        negotiation = stages.stage_named("Negotiation").id
        assert Opportunity.select().where(Opportunity.stage == negotiation).count() == 3
        assert "Proposal removed, its 3 deals moved to Negotiation." in screen_text(app)
        line = next(line for line in screen_text(app).splitlines() if "Negotiation  " in line
                    or line.strip().startswith("Negotiation"))
        assert line.split()[-1] == "3"


async def test_remove_an_empty_stage_asks_first(pipeline, run_app):
    async with run_app() as pilot:
        await open_stages(pilot)
        await burst(pilot, "d", "n")
        assert "Qualification" in names()
        await burst(pilot, "d", "y")
        assert "Qualification" not in names()


async def test_the_forecast_settings_lead_to_the_stages(pipeline):
    app = CrmApp()
    async with app.run_test(size=(80, 24)) as pilot:
        await app.switch_mode("forecast")
        await settle(pilot)
        await burst(pilot, "s")
        assert isinstance(app.screen, RecordForm)
        await burst(pilot, "ctrl+t")
        assert isinstance(app.screen, StagesScreen)
        await burst(pilot, "escape")
        assert isinstance(app.screen, RecordForm)
