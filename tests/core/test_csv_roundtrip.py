"""Property: any records exported and imported into an empty database come back the same."""

import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.core.test_csvio import snapshot
from tui_crm.core import csvio, customers, deals, leads
from tui_crm.core.db import open_database
from tui_crm.core.models import LEAD_STATUSES
from tui_crm.core.money import MAX_AMOUNT


def normal(text: str) -> str:
    return text.replace("\x00", "").strip()


plain = st.text(max_size=40)
# What a spreadsheet runs as a formula, behind any quotes: export must neutralise it
# and import give it back exactly.
formula = st.tuples(st.text("'", max_size=2), st.sampled_from("=+-@\t\r"), plain).map("".join)
text = plain | formula
name = text.filter(lambda t: normal(t) != "")
names = st.lists(name, min_size=1, max_size=6, unique_by=normal)
deal = st.fixed_dictionaries({
    "name": name,
    "amount": st.decimals(min_value=0, max_value=MAX_AMOUNT, places=2),
    "close_date": st.none() | st.dates(),
    "stage": st.sampled_from(["Qualification", "Proposal", "Negotiation", "ClosedWon",
                              "ClosedLost"]),
    "notes": text, "lost_reason": text, "owner": text,
    "parent": st.tuples(st.booleans(), st.integers(min_value=0, max_value=5)),
})


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(customer_names=names, lead_names=names,
       lead_fields=st.lists(st.tuples(text, text, st.sampled_from(LEAD_STATUSES)), max_size=6),
       deal_list=st.lists(deal, max_size=8))
def test_records_round_trip(customer_names, lead_names, lead_fields, deal_list):
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        source = open_database(str(folder / "source.db"))
        customer_ids = [customers.create_customer({"name": n, "notes": n * 2})
                        for n in customer_names]
        lead_ids = []
        for i, lead_name in enumerate(lead_names):
            company, notes, status = lead_fields[i] if i < len(lead_fields) else ("", "", "New")
            lead_ids.append(leads.create_lead({"name": lead_name, "company": company,
                                               "notes": notes, "status": status}))
        for item in deal_list:
            on_customer, index = item["parent"]
            parent = ({"customer_id": customer_ids[index % len(customer_ids)]} if on_customer
                      else {"lead_id": lead_ids[index % len(lead_ids)]})
            deals.create_deal({**{k: v for k, v in item.items() if k != "parent"}, **parent})
        before = snapshot()
        for kind in csvio.KINDS:
            with (folder / f"{kind}.csv").open("w", encoding="utf-8", newline="") as handle:
                csvio.export_csv(kind, handle)
        source.close()
        target = open_database(str(folder / "target.db"))
        for kind in csvio.KINDS:
            csvio.import_csv(kind, folder / f"{kind}.csv")
        assert snapshot() == before
        target.close()
