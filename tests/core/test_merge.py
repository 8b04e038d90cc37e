"""Deleting a customer or lead with deals (moved, or deleted too) and merging two of a
kind: one transaction, in the ChangeLog, and undone as one step."""

from __future__ import annotations

import pytest

from tests.core.test_undo import state
from tests.helpers import assert_stage_totals_exact
from tui_crm.core import (
    activities,
    changelog,
    contacts,
    customers,
    deals,
    leads,
    merge,
    trash,
    undo,
)
from tui_crm.core.errors import CrmError
from tui_crm.core.models import Activity, ChangeLog, Contact, Customer, Lead, Opportunity


@pytest.fixture
def acme(db):
    """Acme, with two deals (one won), an activity and a contact; Initech, empty."""
    acme = customers.create_customer({"name": "Acme", "notes": "Pays late."})
    open_deal = deals.create_deal({"name": "Renewal", "amount": "2k", "customer_id": acme})
    won = deals.create_deal({"name": "Pilot", "amount": "1k", "customer_id": acme})
    deals.close_won(won)
    activities.create_activity({"subject": "Call Acme", "customer_id": acme})
    contacts.create_contact({"name": "Wile", "customer_id": acme})
    initech = customers.create_customer({"name": "Initech", "email": "hi@initech.example"})
    return {"acme": acme, "initech": initech, "open": open_deal, "won": won}


def test_a_record_with_deals_is_not_deleted_without_saying_what_becomes_of_them(acme):
    assert merge.record_counts("customer", acme["acme"]) == merge.RecordCounts(2, 1, 1)
    with pytest.raises(CrmError, match="2 deals"):
        merge.delete_record("customer", acme["acme"])
    assert Customer.get_or_none(Customer.id == acme["acme"]) is not None


def test_delete_moving_the_deals_to_a_lead(acme):
    lead = leads.create_lead({"name": "Road Runner"})
    moved = merge.delete_record("customer", acme["acme"], move_to=("lead", lead))
    assert moved == 2
    assert Customer.get_or_none(Customer.id == acme["acme"]) is None
    assert {d.lead_id for d in Opportunity.select()} == {lead}
    assert {d.customer_id for d in Opportunity.select()} == {None}
    assert Contact.select().count() == 0, "its contacts went to the Trash with it"
    assert [item.name for item in trash.list_trash()] == ["Acme"]
    assert_stage_totals_exact()


def test_delete_with_its_deals_puts_them_all_in_the_trash(acme):
    before = state()
    assert merge.delete_record("customer", acme["acme"], with_deals=True) == 2
    assert Opportunity.select().count() == 0
    assert sorted(item.name for item in trash.list_trash()) == ["Acme", "Pilot", "Renewal"]
    assert_stage_totals_exact()
    done = undo.undo()
    assert state() == before, "one step brings the customer and its deals back"
    assert "deleted the opportunity" in str(done) or "Acme" in str(done)
    assert_stage_totals_exact()


def test_deals_are_not_moved_to_the_record_itself_nor_to_a_converted_lead(acme):
    with pytest.raises(CrmError, match="another"):
        merge.delete_record("customer", acme["acme"], move_to=("customer", acme["acme"]))
    promoted = leads.create_lead({"name": "Ada"})
    leads.promote_lead(promoted, {"name": "Ada Corp"})
    with pytest.raises(CrmError, match="Converted"):
        merge.delete_record("customer", acme["acme"], move_to=("lead", promoted))
    assert Opportunity.select().where(Opportunity.customer == acme["acme"]).count() == 2


def test_merge_moves_deals_activities_contacts_and_notes_in_one_undoable_step(acme):
    before = state()
    moved = merge.merge_records("customer", acme["acme"], acme["initech"])
    assert moved == merge.RecordCounts(2, 1, 1)
    assert Customer.get_or_none(Customer.id == acme["acme"]) is None
    into = customers.get_customer(acme["initech"])
    assert into.notes == "From Acme:\nPays late."
    assert into.email == "hi@initech.example", "the target's own values stay"
    assert {d.customer_id for d in Opportunity.select()} == {acme["initech"]}
    assert Activity.get().customer_id == acme["initech"]
    assert Contact.get().customer_id == acme["initech"]
    assert customers.customer_totals(acme["initech"]).won_count == 1
    intents = {row.intent for row in ChangeLog.select().where(ChangeLog.action == "merge")}
    assert len(intents) == 1
    logged = ChangeLog.select().where(ChangeLog.intent == intents.pop())
    assert {(row.entity, row.action) for row in logged} >= {
        ("customer", "merge"), ("opportunity", "update"), ("activity", "update"),
        ("contact", "update"), ("customer", "delete")}
    assert undo.steps()[0].description == "merged “Acme” into “Initech” (and 5 more records)"
    undo.undo()
    assert state() == before
    undo.redo()
    assert Customer.get_or_none(Customer.id == acme["acme"]) is None
    assert customers.get_customer(acme["initech"]).notes == "From Acme:\nPays late."


def test_merging_leads_carries_the_customer_link_and_fills_empty_fields(db):
    ada = leads.create_lead({"name": "Ada", "email": "ada@x.example", "source": "web"})
    customer = leads.promote_lead(ada, {"name": "Ada Corp"})
    ada_again = leads.create_lead({"name": "Ada L", "phone": "555"})
    deals.create_deal({"name": "Second", "amount": "1", "lead_id": ada_again})
    changelog.set_user("tester")
    before = state()
    merge.merge_records("lead", ada, ada_again)
    merged = leads.get_lead(ada_again)
    assert (merged.email, merged.phone, merged.source) == ("ada@x.example", "555", "web")
    assert merged.status == "Converted" and merged.customer_id == customer
    assert Lead.get_or_none(Lead.id == ada) is None
    undo.undo()
    assert state() == before
    assert leads.get_lead(ada).customer_id == customer


def test_a_record_is_not_merged_into_itself_nor_across_kinds(acme):
    with pytest.raises(CrmError):
        merge.merge_records("customer", acme["acme"], acme["acme"])
    with pytest.raises(CrmError):
        merge.merge_records("deal", acme["open"], acme["won"])
    assert Customer.select().count() == 2


def test_a_merged_records_history_goes_with_it(acme):
    """tui-crm history of the record merged into shows the merged one's changes too, and
    of one merged into that (at any depth)."""
    customers.update_customer(acme["acme"], {"phone": "555"})
    globex = customers.create_customer({"name": "Globex"})
    merge.merge_records("customer", acme["acme"], acme["initech"])
    merge.merge_records("customer", acme["initech"], globex)
    ids = {row.entity_id for row in changelog.changes("customer", globex, limit=500)}
    assert ids == {acme["acme"], acme["initech"], globex}
    fields = {(row.entity_id, row.field) for row in changelog.changes("customer", globex)}
    assert (acme["acme"], "phone") in fields
    assert {row.entity_id for row in changelog.changes("customer", acme["initech"])} == {
        acme["acme"], acme["initech"]}
