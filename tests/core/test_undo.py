"""Undo and redo of each kind of change, checked in the database; a random history
undone step by step comes back to where it started."""

import random

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.helpers import assert_stage_totals_exact
from tui_crm.core import (
    activities,
    changelog,
    csvio,
    customers,
    deals,
    leads,
    stages,
    undo,
)
from tui_crm.core import settings as crm_settings
from tui_crm.core.db import open_database
from tui_crm.core.errors import CrmError
from tui_crm.core.models import Activity, Contact, Customer, Lead, Opportunity, Stage


def state() -> dict:
    """What a user sees: every record's own fields, the stages and the settings."""
    def rows(model, *skip):
        return sorted(tuple(v for k, v in r.__data__.items()
                            if k not in ("created_at", "updated_at", "updated_by", "version",
                                         "created_by", "stage_entered_at", *skip))
                      for r in model.select())
    return {"leads": rows(Lead), "customers": rows(Customer), "deals": rows(Opportunity),
            "contacts": rows(Contact), "activities": rows(Activity, "done_at"),
            "stages": rows(Stage), "settings": (crm_settings.get_settings(),
                                                crm_settings.get_list("lost_reasons"))}


@pytest.fixture
def acme(db):
    customer = customers.create_customer({"name": "Acme"})
    deal = deals.create_deal({"name": "Pilot 2026", "amount": "1000", "customer_id": customer,
                              "close_date": "2026-12-10"})
    return customer, deal


def test_a_save_is_undone_and_redone(acme):
    _, deal = acme
    before = state()
    deals.update_deal(deal, {"amount": "2500", "name": "Pilot 2027"})
    after = state()
    done = undo.undo()
    assert str(done) == "Undid: edited “Pilot 2027”"
    assert state() == before
    assert str(undo.redo()) == "Redid: edited “Pilot 2027”"
    assert state() == after
    assert_stage_totals_exact()


def test_a_move_says_where_it_went(acme):
    _, deal = acme
    before = state()
    deals.move_deal(deal, stages.stage_named("Proposal").id)
    assert str(undo.undo()) == "Undid: moved “Pilot 2026” to Proposal"
    assert state() == before
    assert_stage_totals_exact()


@pytest.mark.parametrize("close", [lambda d: deals.close_won(d),
                                   lambda d: deals.close_lost(d, "Price")])
def test_closing_is_undone(acme, close):
    _, deal = acme
    before = state()
    close(deal)
    undo.undo()
    assert state() == before
    assert_stage_totals_exact()


def test_a_deleted_deal_comes_back_with_its_activities(acme):
    _, deal = acme
    activities.create_activity({"subject": "Call", "deal_id": deal})
    before = state()
    deals.delete_deal(deal)
    assert Activity.select().count() == 0
    assert "deleted the opportunity “Pilot 2026”" in str(undo.undo())
    assert state() == before
    assert_stage_totals_exact()
    undo.redo()
    assert Opportunity.select().count() == 0


def test_a_promotion_is_undone_in_one_step(db):
    lead = leads.create_lead({"name": "Grace", "email": "g@x.example"})
    deals.create_deal({"name": "First", "lead_id": lead})
    before = state()
    leads.promote_lead(lead, {"name": "Grace Inc"}, {"name": "Second", "amount": "5"})
    assert str(undo.undo()).startswith("Undid: promoted a lead to the customer “Grace Inc”")
    assert state() == before
    assert_stage_totals_exact()


def test_an_import_is_one_step(acme, tmp_path):
    path = tmp_path / "deals.csv"
    path.write_text("name,amount,customer\n" + "".join(f"D{i},{i},Acme\n" for i in range(5)))
    before = state()
    csvio.import_csv("opportunities", path)
    assert str(undo.undo()) == "Undid: imported 5 opportunities"
    assert state() == before
    assert_stage_totals_exact()


def test_stage_and_settings_changes_are_undone(db):
    before = state()
    stages.edit_stage("Proposal", new_name="Offer", probability="55")
    crm_settings.update_settings(currency="EUR")
    crm_settings.set_list("lost_reasons", ["Price"])
    stages.add_stage("Demo", "20")
    for _ in range(4):
        undo.undo()
    assert state() == before


def test_an_undo_never_overwrites_someone_elses_change_silently(acme):
    _, deal = acme
    changelog.set_user("alice")
    deals.update_deal(deal, {"amount": "2000"})
    changelog.set_user("bob")
    deals.update_deal(deal, {"amount": "3000"})
    changelog.set_user("alice")
    with pytest.raises(undo.UndoConflict, match="amount_cents of “Pilot 2026” .by bob."):
        undo.undo()
    assert deals.get_deal(deal).amount == 3000
    undo.undo(force=True)
    assert deals.get_deal(deal).amount == 1000


def test_each_user_undoes_their_own_steps(acme):
    _, deal = acme
    changelog.set_user("alice")
    deals.update_deal(deal, {"notes": "alice's"})
    changelog.set_user("bob")
    customers.create_customer({"name": "Bob's"})
    changelog.set_user("alice")
    undo.undo()
    assert deals.get_deal(deal).notes == ""
    assert Customer.select().where(Customer.name == "Bob's").exists()


def test_nothing_to_undo_or_redo(db):
    with pytest.raises(CrmError, match="Nothing to undo"):
        undo.undo()
    with pytest.raises(CrmError, match="Nothing to redo"):
        undo.redo()


def test_a_new_change_ends_what_can_be_redone(acme):
    _, deal = acme
    deals.update_deal(deal, {"amount": "5"})
    undo.undo()
    deals.update_deal(deal, {"notes": "new"})
    with pytest.raises(CrmError, match="Nothing to redo"):
        undo.redo()


def random_steps(rng: random.Random, count: int) -> None:
    acme = customers.create_customer({"name": "Acme"})
    lead = leads.create_lead({"name": "Lead"})
    ids: list[int] = []
    for step in range(count):
        op = rng.choice(["create", "create", "edit", "move", "won", "lost", "delete",
                         "activity", "stage"])
        deal = rng.choice(ids) if ids else None
        try:
            if op == "create" or deal is None:
                ids.append(deals.create_deal({
                    "name": f"D{step}", "amount": str(rng.randrange(0, 10**5)),
                    **({"customer_id": acme} if rng.random() < .5 else {"lead_id": lead})}))
            elif op == "edit":
                deals.update_deal(deal, {"amount": str(rng.randrange(0, 10**5)),
                                         "notes": f"n{step}"})
            elif op == "move":
                deals.move_deal(deal, rng.choice([s.id for s in stages.all_stages()]))
            elif op == "won":
                deals.close_won(deal)
            elif op == "lost":
                deals.close_lost(deal, "Price")
            elif op == "delete":
                deals.delete_deal(deal)
                ids.remove(deal)
            elif op == "activity":
                activities.create_activity({"subject": f"A{step}", "deal_id": deal})
            elif op == "stage":
                stages.edit_stage("Negotiation", probability=str(rng.randrange(0, 101)))
        except CrmError:
            pass


@settings(max_examples=6, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=st.integers(0, 2**32), count=st.integers(1, 25))
def test_undoing_every_step_returns_to_the_first_state(tmp_path, seed, count):
    database = open_database(str(tmp_path / f"u{seed}-{count}.db"))
    try:
        first = state()
        random_steps(random.Random(seed), count)
        while True:
            try:
                undo.undo()
            except undo.NothingToUndo:
                break
        assert state() == first
        assert_stage_totals_exact()
    finally:
        database.close()
