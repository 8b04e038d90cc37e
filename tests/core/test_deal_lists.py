"""The deals behind a forecast row: the same counts as the forecast, pages by key and
by offset in (stage, close date, id) order, positions, search, one owner, and plans."""

from __future__ import annotations

import datetime as dt
import random

import pytest

from tests.helpers import statements
from tui_crm.core import customers, deal_lists, deals, leads
from tui_crm.core.dates import Quarter
from tui_crm.core.forecast import forecast
from tui_crm.core.models import Opportunity, Stage

D = dt.date
TODAY = D(2026, 11, 15)  # tests/conftest.py freezes today
Q4 = Quarter(2026, 4)


@pytest.fixture
def spread(db):
    """Sixty deals over the stages, some undated, some overdue, two owners."""
    rng = random.Random(3)
    acme = customers.create_customer({"name": "Acme [/] Corp"})
    ada = leads.create_lead({"name": "Ada Lovelace"})
    for i in range(60):
        stage = ["Qualification", "Proposal", "Negotiation", "ClosedWon"][i % 4]
        roll = rng.random()
        close = None if roll < 0.2 else TODAY + dt.timedelta(days=rng.randint(-90, 120))
        parent = {"lead_id": ada} if i % 5 == 0 else {"customer_id": acme}
        deals.create_deal({"name": f"Deal {i:02d}", "amount": str(100 + i), "stage": stage,
                           "close_date": close, "owner": ["tester", "zoe"][i % 3 == 0],
                           **parent})


def expected(selection: deal_lists.DealSelection, name_has: str = "") -> list[int]:
    """The selection's deals in list order, computed here from every deal."""
    position = {s.id: s.position for s in Stage.select()}
    rows = []
    for deal in Opportunity.select():
        stage = deal.__data__["stage"]
        if stage not in selection.stage_ids:
            continue
        if selection.owner is not None and deal.owner != selection.owner:
            continue
        if selection.undated != (deal.close_date is None):
            continue
        if not selection.undated and not selection.start <= deal.close_date < selection.end:
            continue
        parent = deal.customer.name if deal.customer else deal.lead.name
        if name_has and name_has not in deal.name.lower() and name_has not in parent.lower():
            continue
        rows.append((position[stage], deal.close_date or D.min, deal.id))
    return [row[2] for row in sorted(rows)]


def selections(owner=None):
    return [deal_lists.stage_deals("Proposal", Q4, owner), deal_lists.undated_deals(owner),
            deal_lists.overdue_deals(TODAY, owner), deal_lists.stage_deals("Qualification",
                                                                           Quarter(2027, 1),
                                                                           owner)]


@pytest.mark.parametrize("owner", [None, "tester"])
def test_counts_are_the_forecasts_and_pages_follow_the_order(spread, owner):
    figures = forecast(Q4, owner=owner)
    proposal, undated, overdue, _ = selections(owner)
    assert deal_lists.count_deals(proposal) == next(
        line.count for line in figures.stages if line.stage == "Proposal")
    assert deal_lists.count_deals(undated) == figures.no_close_date.count
    assert deal_lists.count_deals(overdue) == figures.overdue.count
    assert all(expected(selection) for selection in selections(owner)[:3])
    for selection in selections(owner):
        want = expected(selection)
        assert deal_lists.count_deals(selection) == len(want)
        seen, after = [], None
        while True:  # by key, as scrolling reads
            page = deal_lists.list_deals(selection, limit=3, after=after)
            if not page:
                break
            seen += [line.id for line in page]
            after = page[-1]
        assert seen == want
        for offset in range(0, len(want) + 2, 2):  # by offset, as a jump reads
            page = deal_lists.list_deals(selection, offset=offset, limit=4)
            assert [line.id for line in page] == want[offset:offset + 4]
        for index, deal_id in enumerate(want):
            assert deal_lists.deal_position(selection, deal_id) == index
        if owner and want:
            assert {line.owner for line in deal_lists.list_deals(selection)} == {owner}


def test_search_positions_and_what_a_line_holds(spread):
    overdue = deal_lists.overdue_deals(TODAY)
    want = expected(overdue, "lovelace")
    assert want and deal_lists.count_deals(overdue, "lovelace") == len(want)
    assert [line.id for line in deal_lists.list_deals(overdue, "lovelace")] == want
    assert deal_lists.deal_position(overdue, want[-1], "lovelace") == len(want) - 1
    outside = next(d.id for d in Opportunity.select() if d.id not in expected(overdue))
    assert deal_lists.deal_position(overdue, outside) is None
    assert deal_lists.deal_position(overdue, 10**6) is None
    line = deal_lists.list_deals(overdue, "lovelace", limit=1)[0]
    deal = Opportunity.get_by_id(line.id)
    assert (line.name, line.parent, line.owner) == (deal.name, "Lead: Ada Lovelace", deal.owner)
    assert line.close_date < TODAY and line.stage == deal.stage.name
    assert deal_lists.list_deals(overdue, "[/]")[0].parent == "Acme [/] Corp"


def test_every_list_query_walks_an_index(sqlite_db):
    acme = customers.create_customer({"name": "Acme"})
    for i in range(40):
        deals.create_deal({"name": f"D{i}", "amount": "10", "customer_id": acme,
                           "stage": ["Qualification", "Proposal", "ClosedWon"][i % 3],
                           "owner": ["tester", "zoe"][i % 2],
                           "close_date": None if i % 5 == 0 else TODAY + dt.timedelta(i - 20)})
    with statements(sqlite_db) as issued:
        for selection in selections() + selections("tester"):
            page = deal_lists.list_deals(selection, limit=2)
            if page:
                deal_lists.list_deals(selection, limit=2, after=page[-1])
                deal_lists.deal_position(selection, page[-1].id)
            deal_lists.list_deals(selection, offset=3, limit=2)
            deal_lists.count_deals(selection)
    plans = {}
    for sql, params in issued:
        if '"opportunity"' in sql:
            rows = sqlite_db.execute_sql("EXPLAIN QUERY PLAN " + sql, params).fetchall()
            plans[sql] = [row[3] for row in rows]
    assert len(plans) >= 10
    for sql, plan in plans.items():
        assert not any("TEMP B-TREE" in step for step in plan), (sql, plan)
        assert not any(step.startswith("SCAN t1") or step.startswith("SCAN opportunity")
                       for step in plan), (sql, plan)
