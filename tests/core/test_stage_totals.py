"""StageTotal stays exact through any sequence of operations."""

import random

from tests.helpers import assert_stage_totals_exact
from tui_crm.core import customers, deals, leads, stages
from tui_crm.core.errors import CrmError


def test_totals_stay_exact_through_random_operations(db):
    rng = random.Random(11)
    stage_ids = [stage.id for stage in stages.all_stages()]
    lead_ids = [leads.create_lead({"name": f"L{i}"}) for i in range(4)]
    customer_ids = [customers.create_customer({"name": f"C{i}"}) for i in range(3)]
    deal_ids: list[int] = []
    for step in range(100):
        op = rng.choice(["create", "create", "update", "move", "step", "won", "lost",
                         "reopen", "delete", "promote"])
        deal_id = rng.choice(deal_ids) if deal_ids else None
        try:
            if op == "create" or deal_id is None:
                parent = ({"lead_id": rng.choice(lead_ids)} if rng.random() < 0.5
                          else {"customer_id": rng.choice(customer_ids)})
                deal_ids.append(deals.create_deal({
                    "name": f"D{step}", "amount": str(rng.randrange(0, 10**7) / 100),
                    "stage_id": rng.choice(stage_ids), **parent}))
            elif op == "update":
                deals.update_deal(deal_id, {"amount": str(rng.randrange(0, 10**6)),
                                            **({"stage_id": rng.choice(stage_ids)}
                                               if rng.random() < 0.5 else {})})
            elif op == "move":
                deals.move_deal(deal_id, rng.choice(stage_ids))
            elif op == "step":
                deals.step_deal(deal_id, rng.choice([-1, 1]))
            elif op == "won":
                deals.close_won(deal_id)
            elif op == "lost":
                deals.close_lost(deal_id, rng.choice(["", "price"]))
            elif op == "reopen":
                deals.reopen_deal(deal_id)
            elif op == "delete":
                deals.delete_deal(deal_id)
                deal_ids.remove(deal_id)
            elif op == "promote":
                lead_id = rng.choice(lead_ids)
                leads.promote_lead(lead_id, {"name": "P"}, {"name": "First", "amount": "5"})
        except CrmError:
            pass  # reopening an open deal, promoting twice: refused, and nothing changes
        assert_stage_totals_exact()
