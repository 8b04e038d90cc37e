"""Lists page by key and find a record's place; the name lookup is bounded."""

import pytest

from tui_crm.core import customers, deals, leads
from tui_crm.core.lookup import find_records

NAMES = ["Delta", "alpha", "Charlie", "Bravo", "Charlie", "Echo", "Foxtrot"]


@pytest.fixture
def named_leads(db):
    return [leads.create_lead({"name": name, "company": f"Co {i}"})
            for i, name in enumerate(NAMES)]


def test_keyset_pages_follow_the_offset_order(named_leads):
    whole = leads.list_leads(limit=100)
    assert len(whole) == len(NAMES)
    pages, after = [], None
    while True:
        page = leads.list_leads(limit=2, after=after)  # splits the two Charlies
        if not page:
            break
        pages += page
        after = (page[-1].name, page[-1].id)
    assert [row.id for row in pages] == [row.id for row in whole]
    assert [row.id for row in leads.list_leads(offset=3, limit=2)] == [r.id for r in whole[3:5]]


def test_position_matches_the_list_and_respects_the_filter(named_leads):
    whole = leads.list_leads()
    for index, row in enumerate(whole):
        assert leads.lead_position(row.id) == index
    charlies = leads.list_leads("charl")
    assert len(charlies) == 2
    assert leads.lead_position(charlies[1].id, "charl") == 1
    assert leads.lead_position(whole[0].id, "charl") is None
    assert leads.lead_position(999_999) is None


def test_customer_positions(db):
    ids = [customers.create_customer({"name": name}) for name in ("Zed", "Amy", "Moe")]
    assert [customers.customer_position(i) for i in ids] == [2, 0, 1]
    page = customers.list_customers(limit=1, after=("Amy", ids[1]))
    assert [row.name for row in page] == ["Moe"]


def test_find_records_by_part_of_the_name(db):
    customer = customers.create_customer({"name": "Acme Corp", "company": "Acme"})
    lead = leads.create_lead({"name": "Acme Labs"})
    leads.create_lead({"name": "Globex"})
    deal = deals.create_deal({"name": "Acme renewal", "customer_id": customer})
    found = find_records("acme")
    assert [(m.kind, m.id) for m in found] == [("customer", customer), ("lead", lead),
                                               ("opportunity", deal)]
    assert found[2].detail == "Acme Corp"
    assert [m.kind for m in find_records("acme", kinds=("lead",))] == ["lead"]
    assert len(find_records("", kinds=("lead",), limit=1)) == 1
    assert find_records("nothing like it") == []


@pytest.mark.parametrize("after", [None, ("Dan", 5)])
@pytest.mark.parametrize("model", ["lead", "customer"])
def test_list_pages_follow_the_name_index(sqlite_db, model, after):
    from tui_crm.core.models import Customer, Lead
    from tui_crm.core.paging import name_order

    table = {"lead": Lead, "customer": Customer}[model]
    sql, params = name_order(table.select(), table, offset=500, after=after).sql()
    plan = " ".join(row[-1] for row in sqlite_db.execute_sql("EXPLAIN QUERY PLAN " + sql,
                                                             params))
    assert f"INDEX {model}_name_id" in plan
    assert "TEMP B-TREE" not in plan, "no sort of the whole table"
