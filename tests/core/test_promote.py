from decimal import Decimal

import pytest

from tests.helpers import assert_stage_totals_exact, log_rows
from tui_crm.core import customers, deals, leads
from tui_crm.core.errors import CrmError, ValidationError
from tui_crm.core.models import ChangeLog, Customer, Opportunity


def test_promote_without_a_first_deal(db):
    lead_id = leads.create_lead({"name": "Ada", "company": "Engines", "status": "Qualified"})
    customer_id = leads.promote_lead(lead_id, {"name": "Ada L.", "company": "Engines"})
    customer = customers.get_customer(customer_id)
    assert (customer.name, customer.company, customer.lead_id) == ("Ada L.", "Engines",
                                                                   lead_id)
    lead = leads.get_lead(lead_id)
    assert (lead.status, lead.customer_id) == ("Converted", customer_id)
    assert ("update", "status", "Qualified", "Converted", "tester") in log_rows("lead", lead_id)
    assert ("create", "lead", None, str(lead_id), "tester") in log_rows("customer", customer_id)
    assert Opportunity.select().count() == 0


def test_promote_moves_the_leads_deals_and_adds_a_first_deal(db):
    lead_id = leads.create_lead({"name": "Ada"})
    own = [deals.create_deal({"name": f"Own {i}", "amount": "100", "lead_id": lead_id})
           for i in range(2)]
    other_lead = leads.create_lead({"name": "Other"})
    untouched = deals.create_deal({"name": "Not hers", "lead_id": other_lead})
    customer_id = leads.promote_lead(
        lead_id, {"name": "Ada"},
        {"name": "Renewal", "amount": "1.2m", "close_date": "2027-01-15", "stage": "Proposal"})
    for deal_id in own:
        deal = deals.get_deal(deal_id)
        assert (deal.customer_id, deal.lead_id, deal.version) == (customer_id, None, 2)
        rows = log_rows("opportunity", deal_id)
        assert ("update", "customer", None, str(customer_id), "tester") in rows
        assert ("update", "lead", str(lead_id), None, "tester") in rows
    assert deals.get_deal(untouched).lead_id == other_lead
    names = {d.name: d for d in deals.deals_of(customer_id=customer_id)}
    assert set(names) == {"Own 0", "Own 1", "Renewal"}
    first = names["Renewal"]
    assert (first.amount, first.stage_name, str(first.close_date)) == (
        Decimal("1200000.00"), "Proposal", "2027-01-15")
    assert leads.get_lead(lead_id).status == "Converted"
    assert_stage_totals_exact()


def test_a_bad_promotion_writes_nothing(db):
    lead_id = leads.create_lead({"name": "Ada"})
    deals.create_deal({"name": "Own", "lead_id": lead_id})
    before = ChangeLog.select().count()
    with pytest.raises(ValidationError) as info:
        leads.promote_lead(lead_id, {"name": "", "email": "bad"},
                           {"name": "First", "amount": "abc", "close_date": "2026-13-45"})
    assert set(info.value.errors) == {"name", "email", "deal_amount", "deal_close_date"}
    assert Customer.select().count() == 0 and ChangeLog.select().count() == before
    assert leads.get_lead(lead_id).status == "New"
    assert deals.deals_of(lead_id=lead_id)[0].name == "Own"
    assert_stage_totals_exact()


def test_a_lead_is_promoted_once(db):
    lead_id = leads.create_lead({"name": "Ada"})
    leads.promote_lead(lead_id, {"name": "Ada"})
    with pytest.raises(CrmError, match="already promoted"):
        leads.promote_lead(lead_id, {"name": "Ada again"})
    assert Customer.select().count() == 1
