import pytest

from tests.helpers import log_rows
from tui_crm.core import changelog, deals, leads
from tui_crm.core.errors import ConflictError, CrmError, NotFound, ValidationError
from tui_crm.core.models import ChangeLog, Lead


def test_create_lead_stamps_the_user_and_logs_each_field(db):
    lead_id = leads.create_lead({"name": "Ada Lovelace", "company": "Engines",
                                 "email": "ada@engines.example", "status": "contacted"})
    lead = leads.get_lead(lead_id)
    assert (lead.name, lead.company, lead.status, lead.version) == (
        "Ada Lovelace", "Engines", "Contacted", 1)
    assert lead.updated_by == "tester" and lead.customer_id is None
    assert sorted(log_rows("lead", lead_id)) == [
        ("create", "company", None, "Engines", "tester"),
        ("create", "email", None, "ada@engines.example", "tester"),
        ("create", "name", None, "Ada Lovelace", "tester"),
        ("create", "status", None, "Contacted", "tester"),
    ]


def test_bad_lead_writes_nothing(db):
    with pytest.raises(ValidationError) as info:
        leads.create_lead({"name": "", "email": "no-at-sign"})
    assert set(info.value.errors) == {"name", "email"}
    assert Lead.select().count() == 0 and ChangeLog.select().count() == 0


def test_update_lead_logs_old_and_new_and_bumps_the_version(db):
    lead_id = leads.create_lead({"name": "Ada", "phone": "1"})
    changelog.set_user("grace")
    changes = leads.update_lead(lead_id, {"phone": "2", "name": "Ada"}, expected_version=1)
    assert changes == {"phone": ("1", "2")}
    lead = leads.get_lead(lead_id)
    assert (lead.phone, lead.version, lead.updated_by) == ("2", 2, "grace")
    assert log_rows("lead", lead_id)[-1] == ("update", "phone", "1", "2", "grace")


def test_update_without_changes_keeps_the_version(db):
    lead_id = leads.create_lead({"name": "Ada"})
    assert leads.update_lead(lead_id, {"name": " Ada "}) == {}
    assert leads.get_lead(lead_id).version == 1
    assert {row[0] for row in log_rows("lead", lead_id)} == {"create"}


def test_stale_lead_update_is_a_conflict_and_writes_nothing(db):
    lead_id = leads.create_lead({"name": "Ada"})
    leads.update_lead(lead_id, {"company": "First"}, expected_version=1)
    with pytest.raises(ConflictError, match="changed by tester"):
        leads.update_lead(lead_id, {"company": "Second"}, expected_version=1)
    assert leads.get_lead(lead_id).company == "First"
    assert leads.get_lead(lead_id).version == 2


def test_set_lead_status(db):
    lead_id = leads.create_lead({"name": "Ada"})
    leads.set_lead_status(lead_id, "Qualified")
    assert leads.get_lead(lead_id).status == "Qualified"
    with pytest.raises(ValidationError, match="Status must be one of"):
        leads.set_lead_status(lead_id, "Warm")


def test_delete_lead(db):
    lead_id = leads.create_lead({"name": "Ada"})
    leads.delete_lead(lead_id)
    with pytest.raises(NotFound):
        leads.get_lead(lead_id)
    assert log_rows("lead", lead_id)[-1][:2] == ("delete", None)
    with pytest.raises(NotFound):
        leads.update_lead(lead_id, {"name": "Back"})


def test_a_lead_with_deals_is_not_deleted(db):
    lead_id = leads.create_lead({"name": "Ada"})
    deals.create_deal({"name": "Pilot", "lead_id": lead_id})
    with pytest.raises(CrmError, match="1 deal"):
        leads.delete_lead(lead_id)
    assert leads.get_lead(lead_id).name == "Ada"


def test_deleting_a_converted_lead_keeps_its_customer(db):
    lead_id = leads.create_lead({"name": "Ada"})
    customer_id = leads.promote_lead(lead_id, {"name": "Ada"})
    leads.delete_lead(lead_id)
    from tui_crm.core import customers
    customer = customers.get_customer(customer_id)
    assert (customer.lead_id, customer.version) == (None, 2)
    assert log_rows("customer", customer_id)[-1] == ("update", "lead", str(lead_id), None,
                                                     "tester")


def test_list_count_and_search_leads(db):
    for name, company in [("Charles", "Engines"), ("Ada", "Engines"), ("Grace", "Navy")]:
        leads.create_lead({"name": name, "company": company})
    assert [lead.name for lead in leads.list_leads()] == ["Ada", "Charles", "Grace"]
    assert [lead.name for lead in leads.list_leads(offset=1, limit=1)] == ["Charles"]
    assert leads.count_leads() == 3
    assert leads.count_leads("engines") == 2
    assert [lead.name for lead in leads.list_leads("NAV")] == ["Grace"]
    assert leads.count_leads("   ") == 3


def test_converted_is_set_by_promotion_only(db):
    from tui_crm.core.errors import ValidationError

    lead_id = leads.create_lead({"name": "Ada"})
    with pytest.raises(ValidationError) as refused:
        leads.set_lead_status(lead_id, "Converted")
    assert "promoted" in refused.value.errors["status"]
    assert leads.get_lead(lead_id).status == "New"
    leads.promote_lead(lead_id, {"name": "Ada Corp"})
    with pytest.raises(ValidationError):
        leads.update_lead(lead_id, {"status": "Qualified"})
    leads.update_lead(lead_id, {"status": "Converted", "company": "Engines"})  # kept as is
    lead = leads.get_lead(lead_id)
    assert (lead.status, lead.company) == ("Converted", "Engines")


def test_the_parent_search_leaves_converted_leads_out(db):
    from tui_crm.core.lookup import find_records

    promoted = leads.create_lead({"name": "Ada One"})
    leads.promote_lead(promoted, {"name": "Ada Corp"})
    kept = leads.create_lead({"name": "Ada Two"})
    assert [m.id for m in find_records("ada", ("lead",), parents=True)] == [kept]
    assert [m.id for m in find_records("ada", ("lead",))] == [promoted, kept]
