from decimal import Decimal

import pytest

from tests.helpers import log_rows
from tui_crm.core import customers, deals
from tui_crm.core.errors import ConflictError, CrmError, NotFound, ValidationError
from tui_crm.core.models import ChangeLog, Customer


def test_create_customer_and_its_changelog(db):
    customer_id = customers.create_customer({"name": "Acme", "email": "buy@acme.example"})
    row = customers.get_customer(customer_id)
    assert (row.name, row.email, row.lead_id, row.version, row.updated_by) == (
        "Acme", "buy@acme.example", None, 1, "tester")
    assert sorted(log_rows("customer", customer_id)) == [
        ("create", "email", None, "buy@acme.example", "tester"),
        ("create", "name", None, "Acme", "tester"),
    ]


def test_bad_customer_writes_nothing(db):
    with pytest.raises(ValidationError, match="Name is required"):
        customers.create_customer({"name": " ", "notes": "x"})
    assert Customer.select().count() == 0 and ChangeLog.select().count() == 0


def test_update_customer_with_and_without_expected_version(db):
    customer_id = customers.create_customer({"name": "Acme"})
    assert customers.update_customer(customer_id, {"company": "Acme Inc"}) == {
        "company": ("", "Acme Inc")}
    customers.update_customer(customer_id, {"notes": "Big"}, expected_version=2)
    with pytest.raises(ConflictError):
        customers.update_customer(customer_id, {"notes": "Lost"}, expected_version=2)
    row = customers.get_customer(customer_id)
    assert (row.company, row.notes, row.version) == ("Acme Inc", "Big", 3)
    assert log_rows("customer", customer_id)[-1] == ("update", "notes", "", "Big", "tester")


def test_delete_customer_only_without_deals(db):
    keep = customers.create_customer({"name": "Keep"})
    deals.create_deal({"name": "D", "customer_id": keep})
    with pytest.raises(CrmError, match="1 deal"):
        customers.delete_customer(keep)
    gone = customers.create_customer({"name": "Gone"})
    customers.delete_customer(gone)
    with pytest.raises(NotFound):
        customers.get_customer(gone)
    assert log_rows("customer", gone)[-1][0] == "delete"


def test_list_and_search_customers(db):
    for name in ["Zed", "Acme", "Beta"]:
        customers.create_customer({"name": name, "email": f"{name.lower()}@x.example"})
    assert [c.name for c in customers.list_customers()] == ["Acme", "Beta", "Zed"]
    assert customers.count_customers("ZED@") == 1
    assert [c.name for c in customers.list_customers("be", limit=5)] == ["Beta"]


def test_customer_totals_are_summed_per_kind(db):
    customer_id = customers.create_customer({"name": "Acme"})
    other = customers.create_customer({"name": "Other"})
    amounts = {"open": ["100.10", "200.20"], "won": ["1000"], "lost": ["50.05", "0.95"]}
    stage_of = {"open": "Proposal", "won": "ClosedWon", "lost": "ClosedLost"}
    for kind, values in amounts.items():
        for value in values:
            deals.create_deal({"name": "D", "amount": value, "stage": stage_of[kind],
                               "customer_id": customer_id})
    deals.create_deal({"name": "Elsewhere", "amount": "999", "customer_id": other})
    totals = customers.customer_totals(customer_id)
    assert (totals.open_count, totals.open_amount) == (2, Decimal("300.30"))
    assert (totals.won_count, totals.won_amount) == (1, Decimal("1000.00"))
    assert (totals.lost_count, totals.lost_amount) == (2, Decimal("51.00"))
    empty = customers.customer_totals(customers.create_customer({"name": "New"}))
    assert empty.open_count == 0 and empty.won_amount == Decimal("0.00")


def test_name_taken_looks_for_another_record_of_that_name(db):
    from tui_crm.core import leads

    acme = customers.create_customer({"name": "Acme"})
    assert customers.name_taken(" Acme ")
    assert not customers.name_taken("Acme", except_id=acme)
    assert not customers.name_taken("Acme Inc")
    assert not leads.name_taken("Acme"), "a lead of that name is another kind"
    grace = leads.create_lead({"name": "Grace"})
    assert leads.name_taken("Grace") and not leads.name_taken("Grace", grace)
