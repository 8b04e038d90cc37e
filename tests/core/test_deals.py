import datetime as dt
from decimal import Decimal

import pytest

from tests.conftest import FROZEN_TODAY
from tests.helpers import assert_stage_totals_exact, log_rows
from tui_crm.core import customers, deals, leads, stages
from tui_crm.core.errors import ConflictError, CrmError, NotFound, ValidationError
from tui_crm.core.models import ChangeLog, Opportunity


def sid(name: str) -> int:
    return stages.stage_named(name).id


@pytest.fixture
def acme(db):
    return customers.create_customer({"name": "Acme"})


def test_a_new_deal_starts_in_the_first_open_stage(acme):
    deal_id = deals.create_deal({"name": "Pilot", "amount": "12.5k",
                                 "close_date": "2026-12-15", "customer_id": acme,
                                 "owner": "sam", "notes": "call Tue"})
    deal = deals.get_deal(deal_id)
    assert (deal.stage_name, deal.amount, deal.close_date, deal.parent_name, deal.owner) == (
        "Qualification", Decimal("12500.00"), dt.date(2026, 12, 15), "Acme", "sam")
    assert deal.parent_kind == "customer" and deal.is_open and deal.version == 1
    assert ("create", "amount_cents", None, "1250000", "tester") in log_rows(
        "opportunity", deal_id)
    assert ("create", "stage", None, str(sid("Qualification")), "tester") in log_rows(
        "opportunity", deal_id)
    assert_stage_totals_exact()


def test_a_deal_on_a_lead_and_in_a_named_stage(db):
    lead_id = leads.create_lead({"name": "Ada"})
    deal_id = deals.create_deal({"name": "D", "stage": "negotiation", "lead_id": lead_id})
    deal = deals.get_deal(deal_id)
    assert (deal.stage_name, deal.parent_kind, deal.parent_name, deal.close_date) == (
        "Negotiation", "lead", "Ada", None)
    assert deal.is_overdue(FROZEN_TODAY) is False
    deal_id = deals.create_deal({"name": "D2", "stage_id": sid("Proposal"), "lead_id": lead_id,
                                 "close_date": "2026-01-01"})
    assert deals.get_deal(deal_id).is_overdue(FROZEN_TODAY)
    assert_stage_totals_exact()


def test_a_deal_created_closed_gets_todays_close_date_unless_given(acme):
    won = deals.create_deal({"name": "W", "stage": "ClosedWon", "customer_id": acme,
                             "lost_reason": "ignored"})
    lost = deals.create_deal({"name": "L", "stage": "ClosedLost", "customer_id": acme,
                              "close_date": "2025-03-01", "lost_reason": "price"})
    assert (deals.get_deal(won).close_date, deals.get_deal(won).lost_reason) == (
        FROZEN_TODAY, "")
    assert (deals.get_deal(lost).close_date, deals.get_deal(lost).lost_reason) == (
        dt.date(2025, 3, 1), "price")
    assert_stage_totals_exact()


@pytest.mark.parametrize(("data", "field", "message"), [
    ({"name": ""}, "name", "required"),
    ({"amount": "abc"}, "amount", "Not an amount"),
    ({"amount": "-5"}, "amount", "negative"),
    ({"close_date": "2026-13-45"}, "close_date", "No such date"),
    ({"stage": "Dreaming"}, "stage", "No stage named"),
    ({"customer_id": None}, "parent", "Choose one parent"),
    ({"lead_id": 1}, "parent", "Choose one parent"),
    ({"customer_id": 999}, "parent", "no longer exists"),
    ({"customer_id": "acme"}, "parent", "Not a customer id"),
    ({"stage_id": "x"}, "stage_id", "Not a stage id"),
])
def test_bad_deals_write_nothing(acme, data, field, message):
    leads.create_lead({"name": "L"})
    before = ChangeLog.select().count()
    fields = {"name": "D", "amount": "1", "customer_id": acme, **data}
    with pytest.raises(ValidationError) as info:
        deals.create_deal(fields)
    assert message in info.value.errors[field]
    assert Opportunity.select().count() == 0 and ChangeLog.select().count() == before
    assert_stage_totals_exact()


def test_update_deal_amount_keeps_totals(acme):
    deal_id = deals.create_deal({"name": "D", "amount": "100", "customer_id": acme})
    changes = deals.update_deal(deal_id, {"amount": "250.75", "notes": "bigger"},
                                expected_version=1)
    assert changes["amount_cents"] == (10000, 25075)
    assert deals.get_deal(deal_id).amount == Decimal("250.75")
    assert ("update", "amount_cents", "10000", "25075", "tester") in log_rows(
        "opportunity", deal_id)
    assert_stage_totals_exact()


def test_stale_deal_update_is_a_conflict(acme):
    deal_id = deals.create_deal({"name": "D", "amount": "100", "customer_id": acme})
    deals.update_deal(deal_id, {"amount": "200"})
    with pytest.raises(ConflictError, match="opportunity was changed by tester"):
        deals.update_deal(deal_id, {"amount": "300", "stage": "Proposal"}, expected_version=1)
    deal = deals.get_deal(deal_id)
    assert (deal.amount, deal.stage_name, deal.version) == (Decimal("200.00"),
                                                             "Qualification", 2)
    assert_stage_totals_exact()


def test_update_deal_with_a_stage_is_a_move(acme):
    deal_id = deals.create_deal({"name": "D", "amount": "100", "customer_id": acme,
                                 "close_date": "2027-02-01"})
    changes = deals.update_deal(deal_id, {"amount": "150", "stage": "ClosedWon"},
                                expected_version=1)
    deal = deals.get_deal(deal_id)
    assert (deal.stage_name, deal.close_date, deal.amount, deal.version) == (
        "ClosedWon", FROZEN_TODAY, Decimal("150.00"), 3)
    assert changes["stage"] == (sid("Qualification"), sid("ClosedWon"))
    assert_stage_totals_exact()


def test_update_deal_parent(acme):
    lead_id = leads.create_lead({"name": "Ada"})
    deal_id = deals.create_deal({"name": "D", "lead_id": lead_id})
    deals.update_deal(deal_id, {"customer_id": acme, "lead_id": None})
    assert deals.get_deal(deal_id).parent_name == "Acme"


def test_a_lost_reason_belongs_to_lost_deals_only(acme):
    deal_id = deals.create_deal({"name": "D", "customer_id": acme})
    deals.update_deal(deal_id, {"lost_reason": "price"})
    assert deals.get_deal(deal_id).lost_reason == ""
    deals.update_deal(deal_id, {"stage": "ClosedLost", "lost_reason": "price"})
    assert deals.get_deal(deal_id).lost_reason == "price"


def test_move_logs_the_stage_and_keeps_the_expected_date_in_history(acme):
    deal_id = deals.create_deal({"name": "D", "amount": "10", "customer_id": acme,
                                 "close_date": "2027-01-31"})
    deals.move_deal(deal_id, sid("Proposal"), expected_version=1)
    assert log_rows("opportunity", deal_id)[-1] == (
        "move", "stage", str(sid("Qualification")), str(sid("Proposal")), "tester")
    deals.move_deal(deal_id, sid("ClosedWon"))
    rows = log_rows("opportunity", deal_id)
    assert ("move", "close_date", "2027-01-31", FROZEN_TODAY.isoformat(), "tester") in rows
    assert deals.get_deal(deal_id).close_date == FROZEN_TODAY
    with pytest.raises(ConflictError):
        deals.move_deal(deal_id, sid("Proposal"), expected_version=1)
    assert deals.move_deal(deal_id, sid("ClosedWon")) == {}  # already there
    assert_stage_totals_exact()


def test_step_walks_the_pipeline(acme):
    deal_id = deals.create_deal({"name": "D", "amount": "5", "customer_id": acme})
    names = []
    for step in (-1, +1, +1, +1, +1, -1, -1):
        deals.step_deal(deal_id, step)
        names.append(deals.get_deal(deal_id).stage_name)
        assert_stage_totals_exact()
    assert names == ["Qualification", "Proposal", "Negotiation", "ClosedWon", "ClosedWon",
                     "Negotiation", "Proposal"]


def test_step_from_lost_goes_back_to_the_last_open_stage(acme):
    deal_id = deals.create_deal({"name": "D", "stage": "ClosedLost", "customer_id": acme})
    assert deals.step_deal(deal_id, -1) == sid("Negotiation")


def test_close_won(acme):
    deal_id = deals.create_deal({"name": "D", "amount": "1k", "customer_id": acme,
                                 "stage": "Negotiation"})
    deals.close_won(deal_id, expected_version=1)
    deal = deals.get_deal(deal_id)
    assert (deal.stage_name, deal.stage_kind, deal.close_date) == (
        "ClosedWon", "won", FROZEN_TODAY)
    assert_stage_totals_exact()


def test_close_lost_with_and_without_a_reason(acme):
    with_reason = deals.create_deal({"name": "A", "amount": "3", "customer_id": acme})
    without = deals.create_deal({"name": "B", "amount": "4", "customer_id": acme})
    deals.close_lost(with_reason, "  went with a competitor ", expected_version=1)
    deals.close_lost(without)
    assert deals.get_deal(with_reason).lost_reason == "went with a competitor"
    assert deals.get_deal(without).lost_reason == ""
    assert ("update", "lost_reason", "", "went with a competitor", "tester") in log_rows(
        "opportunity", with_reason)
    assert deals.get_deal(without).stage_name == "ClosedLost"
    assert_stage_totals_exact()


def test_close_lost_with_a_too_long_reason_changes_nothing(acme):
    deal_id = deals.create_deal({"name": "A", "customer_id": acme})
    with pytest.raises(CrmError, match="Too long"):
        deals.close_lost(deal_id, "x" * 10_001)
    assert deals.get_deal(deal_id).stage_name == "Qualification"
    assert_stage_totals_exact()


def test_reopen_goes_back_to_the_stage_it_was_closed_from(acme):
    deal_id = deals.create_deal({"name": "D", "amount": "7", "customer_id": acme,
                                 "stage": "Proposal"})
    deals.close_lost(deal_id, "timing")
    deals.reopen_deal(deal_id)
    deal = deals.get_deal(deal_id)
    assert (deal.stage_name, deal.lost_reason) == ("Proposal", "")
    with pytest.raises(CrmError, match="already open"):
        deals.reopen_deal(deal_id)
    deals.close_won(deal_id)
    deals.reopen_deal(deal_id, sid("Negotiation"))
    assert deals.get_deal(deal_id).stage_name == "Negotiation"
    deals.close_won(deal_id)
    with pytest.raises(CrmError, match="open stage"):
        deals.reopen_deal(deal_id, sid("ClosedLost"))
    assert_stage_totals_exact()


def test_a_deal_created_closed_reopens_in_the_first_stage(acme):
    deal_id = deals.create_deal({"name": "D", "stage": "ClosedWon", "customer_id": acme})
    deals.reopen_deal(deal_id)
    assert deals.get_deal(deal_id).stage_name == "Qualification"


def test_delete_deal(acme):
    deal_id = deals.create_deal({"name": "D", "amount": "9", "customer_id": acme})
    deals.delete_deal(deal_id)
    with pytest.raises(CrmError):
        deals.get_deal(deal_id)
    with pytest.raises(NotFound):
        deals.delete_deal(deal_id)
    assert log_rows("opportunity", deal_id)[-1][0] == "delete"
    assert_stage_totals_exact()


def test_deals_of_lists_open_first_then_closed_latest_first(acme):
    def add(name, stage, close):
        return deals.create_deal({"name": name, "stage": stage, "close_date": close,
                                  "customer_id": acme})
    add("open-late", "Qualification", "2027-03-01")
    add("open-none", "Negotiation", "")
    add("open-soon", "Proposal", "2026-12-01")
    add("won-old", "ClosedWon", "2025-01-01")
    add("lost-new", "ClosedLost", "2026-10-01")
    assert [d.name for d in deals.deals_of(customer_id=acme)] == [
        "open-soon", "open-late", "open-none", "lost-new", "won-old"]
    assert deals.deals_of(lead_id=leads.create_lead({"name": "L"})) == []


def test_recompute_stage_totals_after_a_bulk_insert(acme):
    deals.create_deal({"name": "D", "amount": "1", "customer_id": acme})
    Opportunity.insert_many([{"name": f"B{i}", "amount_cents": i * 101, "customer": acme,
                              "stage": sid("Proposal")} for i in range(50)]).execute()
    deals.recompute_stage_totals()
    assert_stage_totals_exact()
