"""A team's own stages: added, renamed, reordered and removed; deals, totals, the
forecast and the ChangeLog follow."""

import pytest

from tests.helpers import assert_stage_totals_exact, log_rows
from tui_crm.core import customers, deals, forecast, stages
from tui_crm.core.board import board_stages
from tui_crm.core.errors import CrmError
from tui_crm.core.models import ChangeLog, Opportunity


def names() -> list[str]:
    return [stage.name for stage in stages.board_order()]


def make_deals(stage_name: str, count: int, amount: str = "100") -> list[int]:
    customer = customers.create_customer({"name": f"Buyer of {stage_name}"})
    stage = stages.stage_named(stage_name)
    return [deals.create_deal({"name": f"{stage_name} {i}", "amount": amount,
                               "close_date": "2026-12-01", "stage_id": stage.id,
                               "customer_id": customer}) for i in range(count)]


def test_add_goes_after_the_last_open_stage_or_where_asked(db):
    added = stages.add_stage("Discovery", "20", rot_days="14")
    assert names() == ["Qualification", "Proposal", "Negotiation", "Discovery",
                       "ClosedWon", "ClosedLost"]
    assert (added.probability, added.kind, added.rot_days) == (20, "open", 14)
    stages.add_stage("Demo", "30%", after="Qualification")
    assert names()[:3] == ["Qualification", "Demo", "Proposal"]
    assert [s.name for s in board_stages()] == names()  # the board follows at once
    assert [s.position for s in stages.all_stages()] == list(range(1, 8))
    assert log_rows("stage", added.id)[0][:2] == ("create", "name")


@pytest.mark.parametrize("call, message", [
    (lambda: stages.add_stage("", "10"), "needs a name"),
    (lambda: stages.add_stage(" proposal ", "10"), "already a stage named 'Proposal'"),
    (lambda: stages.add_stage("X", "101"), "0 to 100"),
    (lambda: stages.add_stage("X", "ten"), "0 to 100"),
    (lambda: stages.add_stage("X", "10", kind="won"), "already a won stage"),
    (lambda: stages.add_stage("X", "10", after="Nowhere"), "No stage named 'Nowhere'"),
    (lambda: stages.add_stage("X", "10", after="ClosedWon"), "before the won and lost"),
    (lambda: stages.add_stage("X", "10", rot_days="soon"), "Rot days"),
    (lambda: stages.edit_stage("ClosedWon", after=""), "stays at the end"),
    (lambda: stages.edit_stage("Proposal", new_name="negotiation"), "already a stage"),
    (lambda: stages.remove_stage("ClosedLost"), "always has one"),
])
def test_bad_changes_are_refused_and_change_nothing(db, call, message):
    before = stages.all_stages()
    with pytest.raises(CrmError, match=message):
        call()
    assert stages.all_stages() == before


def test_rename_reorder_and_probability_reach_the_forecast(db):
    make_deals("Proposal", 3, "1000")
    stages.edit_stage("Proposal", new_name="Offer sent", probability="50", after="")
    assert names()[:3] == ["Offer sent", "Qualification", "Negotiation"]
    result = forecast.forecast()
    first = result.stages[0]
    assert (first.stage, first.count, first.probability) == ("Offer sent", 3, 50)
    assert first.weighted == first.amount / 2
    stage = stages.stage_named("offer sent")
    assert {row[1] for row in log_rows("stage", stage.id) if row[0] == "update"} == \
        {"name", "probability", "position"}
    # Nothing asked, nothing changed, nothing logged.
    before = len(log_rows("stage", stage.id))
    stages.edit_stage("Offer sent", probability="50")
    assert len(log_rows("stage", stage.id)) == before


def test_a_stage_with_deals_is_removed_only_by_moving_them(db):
    moved_ids = make_deals("Proposal", 4, "250")
    kept = make_deals("Negotiation", 2, "10")
    with pytest.raises(CrmError, match="holds 4 deals"):
        stages.remove_stage("Proposal")
    with pytest.raises(CrmError, match="another open stage"):
        stages.remove_stage("Proposal", move_to="ClosedWon")
    versions = {d: deals.get_deal(d).version for d in moved_ids}
    assert stages.remove_stage("Proposal", move_to="Negotiation") == 4
    assert "Proposal" not in names()
    negotiation = stages.stage_named("Negotiation")
    for deal_id in moved_ids:
        deal = deals.get_deal(deal_id)
        assert deal.stage_id == negotiation.id
        assert deal.version == versions[deal_id] + 1  # an open form sees the change
        assert log_rows("opportunity", deal_id)[-1][:2] == ("move", "stage")
    assert Opportunity.select().where(Opportunity.stage == negotiation.id).count() == 6
    assert_stage_totals_exact()
    line = forecast.forecast().stages[-1]
    assert (line.stage, line.count) == ("Negotiation", 6)
    assert line.amount == 4 * 250 + 2 * 10
    assert kept


def test_an_empty_stage_is_removed_and_positions_close_up(db):
    stages.remove_stage("Proposal")
    assert names() == ["Qualification", "Negotiation", "ClosedWon", "ClosedLost"]
    assert [s.position for s in stages.all_stages()] == [1, 2, 3, 4]
    stages.remove_stage("Negotiation")
    with pytest.raises(CrmError, match="only open stage"):
        stages.remove_stage("Qualification")


def test_summaries_count_deals_from_the_running_totals(db):
    make_deals("Negotiation", 3)
    counted = {s.stage.name: s.deals for s in stages.stage_summaries()}
    assert counted == {"Qualification": 0, "Proposal": 0, "Negotiation": 3,
                       "ClosedWon": 0, "ClosedLost": 0}


def test_moving_a_stage_after_itself_changes_nothing(db):
    assert stages.edit_stage("Proposal", after="proposal").position == 2
    assert names()[:3] == ["Qualification", "Proposal", "Negotiation"]


def test_a_deal_moved_out_of_a_removed_stage_names_it_in_its_history(db):
    from tui_crm.core.history import FieldChange, timeline

    (deal_id,) = make_deals("Proposal", 1)
    stages.remove_stage("Proposal", move_to="Qualification")
    assert timeline("opportunity", deal_id)[0].changes == (
        FieldChange("stage", "Proposal (removed)", "Qualification"),)


def test_move_stage_steps_along_the_open_stages(db):
    stages.move_stage("Qualification", 1)
    assert [s.name for s in stages.board_order()][:3] == ["Proposal", "Qualification",
                                                          "Negotiation"]
    stages.move_stage("Negotiation", -2)
    assert [s.name for s in stages.board_order()][:3] == ["Negotiation", "Proposal",
                                                          "Qualification"]
    with pytest.raises(CrmError, match="already first"):
        stages.move_stage("Negotiation", -1)
    with pytest.raises(CrmError, match="before the won and lost"):
        stages.move_stage("Qualification", 1)
    with pytest.raises(CrmError, match="won stage"):
        stages.move_stage("ClosedWon", -1)
    moves = ChangeLog.select().where(ChangeLog.entity == "stage", ChangeLog.field == "position")
    assert moves.count() >= 2
