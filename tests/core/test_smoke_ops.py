from decimal import Decimal

from tui_crm.core import deals, leads
from tui_crm.core.models import ChangeLog, StageTotal


def test_promote_and_move(db):
    lead_id = leads.create_lead({"name": "Ada", "company": "Engines"})
    deal_id = deals.create_deal({"name": "Pilot", "amount": "12.5k", "lead_id": lead_id})
    customer_id = leads.promote_lead(lead_id, {"name": "Ada"}, {"name": "Renewal",
                                                                "amount": "1,000"})
    deal = deals.get_deal(deal_id)
    assert deal.customer_id == customer_id and deal.amount == Decimal("12500.00")
    deals.step_deal(deal_id, +1)
    deals.close_lost(deal_id, "price")
    assert deals.get_deal(deal_id).stage_name == "ClosedLost"
    assert leads.get_lead(lead_id).status == "Converted"
    totals = {t.stage_id: t.count for t in StageTotal.select()}
    assert sum(totals.values()) == 2
    assert ChangeLog.select().where(ChangeLog.entity == "opportunity").count() > 3
