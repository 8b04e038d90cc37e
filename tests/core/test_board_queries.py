"""The board's queries: column order, keyset pages both ways, filter, totals, plans."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import psycopg
import pytest
from peewee import PostgresqlDatabase

from tests.helpers import round_trips, statements
from tui_crm.core import board, customers, deals, leads, settings
from tui_crm.core.dates import Quarter
from tui_crm.core.models import Opportunity

D = dt.date


def by_name(name):
    return next(s for s in board.board_stages() if s.name == name)


@pytest.fixture
def pipeline(db):
    """Deals in Proposal with shared dates and missing ones, and a few closed deals."""
    acme = customers.create_customer({"name": "Acme 100% Corp"})
    ada = leads.create_lead({"name": "Ada Lovelace"})
    made = {}
    plan = [("p1", D(2026, 12, 1)), ("p2", None), ("p3", D(2026, 10, 3)), ("p4", D(2026, 12, 1)),
            ("p5", None), ("p6", D(2027, 2, 2)), ("p7", D(2026, 12, 1)), ("p8", None)]
    for index, (name, close) in enumerate(plan):
        parent = {"lead_id": ada} if index % 3 == 0 else {"customer_id": acme}
        made[name] = deals.create_deal({"name": f"Deal {name}", "amount": str(100 * (index + 1)),
                                        "close_date": close, "stage": "Proposal", **parent})
    for name, stage, closed in [("w1", "ClosedWon", D(2026, 10, 2)),
                                ("w2", "ClosedWon", D(2026, 11, 14)),
                                ("w3", "ClosedWon", D(2026, 9, 30)),
                                ("l1", "ClosedLost", D(2026, 11, 1))]:
        made[name] = deals.create_deal({"name": f"Deal {name}", "amount": "1000",
                                        "close_date": closed, "stage": stage,
                                        "customer_id": acme})
    return made


def expected_open_order(made, names):
    rows = [(Opportunity.get_by_id(made[n]).close_date, made[n]) for n in names]
    dated = sorted(r for r in rows if r[0] is not None)
    undated = sorted((r for r in rows if r[0] is None), key=lambda r: r[1])
    return [r[1] for r in dated + undated]


FRAMES = ("CO-ROUTINE", "MATERIALIZE", "SCAN (subquery-", "SCAN walked")


def walks(plan: list[str]) -> list[str]:
    """The first table access of a plan; for a UNION ALL (board_view reads every
    column's pages in one), the first of each member. SQLite's compound steps and its
    scans of a subquery's own rows (``SCAN (subquery-N)``, ``SCAN walked``: the rows
    the walks found, no table) are left out."""
    if not plan or plan[0] != "COMPOUND QUERY":
        return [step for step in plan if not step.startswith(FRAMES)][:1]
    firsts, wanted = [], False
    for step in plan[1:]:
        if step in ("LEFT-MOST SUBQUERY", "UNION ALL"):
            wanted = True
        elif wanted and not step.startswith(FRAMES):
            firsts.append(step)
            wanted = False
    assert len(firsts) == sum(step in ("LEFT-MOST SUBQUERY", "UNION ALL") for step in plan)
    return firsts


def scans(plan: list[str]) -> list[str]:
    """The steps that read a whole table."""
    return [step for step in plan if step.startswith("SCAN") and not step.startswith(FRAMES)]


def test_columns_are_open_stages_then_won_then_lost(db):
    assert [s.name for s in board.board_stages()] == [
        "Qualification", "Proposal", "Negotiation", "ClosedWon", "ClosedLost"]


def test_open_column_pages_forward_by_date_undated_last(pipeline):
    stage = by_name("Proposal")
    want = expected_open_order(pipeline, [f"p{i}" for i in range(1, 9)])
    seen, after = [], None
    while True:
        page = board.column_page(stage, after=after, limit=3)
        seen += [card.id for card in page.cards]
        if not page.more:
            break
        after = page.cards[-1].key
    assert seen == want
    assert board.column_page(stage, limit=8).more is False
    assert board.column_page(stage, limit=7).more is True


def test_open_column_pages_backward_in_column_order(pipeline):
    stage = by_name("Proposal")
    want = expected_open_order(pipeline, [f"p{i}" for i in range(1, 9)])
    last = board.find_card(want[-1])
    seen, before = [last.id], last.key
    while True:
        page = board.column_page(stage, before=before, limit=3)
        seen = [card.id for card in page.cards] + seen
        if not page.more:
            break
        before = page.cards[0].key
    assert seen == want


def test_window_keeps_a_card_in_place_or_falls_to_the_next(pipeline):
    stage = by_name("Proposal")
    want = expected_open_order(pipeline, [f"p{i}" for i in range(1, 9)])
    middle = board.find_card(want[4])
    window = board.column_window(stage, middle.key, before=2, after=2)
    assert [c.id for c in window.cards] == want[2:6]
    assert window.has_before and window.has_after
    deals.delete_deal(middle.id)
    window = board.column_window(stage, middle.key, before=1, after=10)
    assert [c.id for c in window.cards] == [want[3]] + want[5:]
    assert window.has_before and not window.has_after
    assert [c.id for c in board.column_window(stage, None, 0, 2).cards] == want[:2]


def test_card_carries_what_the_board_shows(pipeline):
    card = board.find_card(pipeline["p1"])
    assert (card.name, card.parent_name, card.parent_kind) == ("Deal p1", "Ada Lovelace", "lead")
    assert card.amount == Decimal("100.00") and card.close_date == D(2026, 12, 1)
    assert card.is_open and not card.is_overdue(D(2026, 11, 15))
    assert board.find_card(pipeline["p3"]).is_overdue(D(2026, 11, 15))
    assert board.find_card(pipeline["p2"]).is_undated
    assert board.find_card(pipeline["p2"]).parent_name == "Acme 100% Corp"
    assert board.find_card(10**6) is None


def test_won_column_shows_the_quarter_latest_first(pipeline):
    won = by_name("ClosedWon")
    page = board.column_page(won, limit=10)
    assert [c.id for c in page.cards] == [pipeline["w2"], pipeline["w1"]]
    assert not page.cards[0].is_open and not page.cards[0].is_overdue(D(2027, 1, 1))
    previous = board.column_page(won, limit=10, quarter=Quarter(2026, 3))
    assert [c.id for c in previous.cards] == [pipeline["w3"]]
    second = board.column_page(won, after=page.cards[0].key, limit=1)
    assert [c.id for c in second.cards] == [pipeline["w1"]] and not second.more
    back = board.column_page(won, before=page.cards[1].key, limit=5)
    assert [c.id for c in back.cards] == [pipeline["w2"]]
    # places outside the quarter stand for its ends
    both = [pipeline["w2"], pipeline["w1"]]
    assert [c.id for c in board.column_page(won, after=(D(2027, 3, 1), 1)).cards] == both
    assert board.column_page(won, after=(D(2026, 1, 1), 1)).cards == []
    assert board.column_page(won, after=(None, 1)).cards == []
    assert [c.id for c in board.column_page(won, before=(D(2026, 1, 1), 1)).cards] == both
    assert board.column_page(won, before=(D(2027, 3, 1), 1)).cards == []
    window = board.column_window(won, board.find_card(pipeline["w3"]).key, 2, 2)
    assert [c.id for c in window.cards] == both and window.anchor == 2  # past the end


def test_filter_matches_deal_customer_or_lead_name(pipeline):
    proposal = by_name("Proposal")
    lead_deals = {pipeline[n] for n in ("p1", "p4", "p7")}
    assert {c.id for c in board.column_page(proposal, search="lovelace").cards} == lead_deals
    assert {c.id for c in board.column_page(proposal, search="deal P5").cards} == {pipeline["p5"]}
    assert len(board.column_page(proposal, search="100%").cards) == 5
    assert board.column_page(proposal, search="1000%").cards == []
    assert board.column_page(proposal, search="_").cards == []


def test_totals_match_sums_computed_here(pipeline):
    columns = board.board_stages()
    totals = board.column_totals(columns)
    proposal = [Opportunity.get_by_id(pipeline[f"p{i}"]) for i in range(1, 9)]
    assert totals[by_name("Proposal").id].count == 8
    cents = sum(deal.amount_cents for deal in proposal)
    assert totals[by_name("Proposal").id].amount == Decimal(cents) / 100
    assert totals[by_name("Qualification").id].count == 0
    assert totals[by_name("ClosedWon").id] == board.Tally(2, Decimal("2000.00"))
    assert totals[by_name("ClosedLost").id] == board.Tally(1, Decimal("1000.00"))
    filtered = board.column_totals(columns, search="lovelace")
    assert filtered[by_name("Proposal").id] == board.Tally(3, Decimal("1200.00"))
    assert filtered[by_name("ClosedWon").id] == board.Tally(0, Decimal("0.00"))


def test_totals_follow_a_move(pipeline):
    columns = board.board_stages()
    deals.step_deal(pipeline["p1"], +1)
    totals = board.column_totals(columns)
    assert totals[by_name("Proposal").id].count == 7
    assert totals[by_name("Negotiation").id] == board.Tally(1, Decimal("100.00"))
    deals.close_won(pipeline["p1"])
    assert board.column_totals(columns)[by_name("ClosedWon").id].count == 3


def test_every_board_query_walks_an_index(sqlite_db):
    """EXPLAIN QUERY PLAN of each query the board issues: no scan, no temporary sort."""
    acme = customers.create_customer({"name": "Acme"})
    for i in range(30):
        stage = ["Qualification", "Proposal", "ClosedWon"][i % 3]
        deals.create_deal({"name": f"D{i}", "amount": "10", "stage": stage, "customer_id": acme,
                           "close_date": None if i % 4 == 0 else D(2026, 11, 1 + i % 20)})
    with statements(sqlite_db) as issued:
        columns = board.board_stages()
        for stage in columns:
            for search in (None, "acme"):
                page = board.column_page(stage, limit=3, search=search)
                for card in page.cards:
                    board.column_window(stage, card.key, 2, 2, search=search)
            board.column_window(stage, (None, 5), 2, 2)
        board.column_totals(columns)
        board.column_totals(columns, search="acme")
        board.find_card(3)
        places = {stage.id: ((None, 5), 1) for stage in columns}
        for search in (None, "acme"):
            board.board_view(places, 4, focus_id=3, search=search)
    plans = {}
    for sql, params in issued:
        if '"opportunity"' in sql:
            rows = sqlite_db.execute_sql("EXPLAIN QUERY PLAN " + sql, params).fetchall()
            plans[sql] = [row[3] for row in rows]
    assert len(plans) >= 10
    assert any(plan[0] == "COMPOUND QUERY" for plan in plans.values())  # board_view's pages
    for sql, plan in plans.items():
        assert not any("TEMP B-TREE" in step for step in plan), (sql, plan)
        assert not scans(plan), (sql, plan)
        for step in walks(plan):
            assert "INDEX opportunity_stage_id_close_date" in step or "PRIMARY KEY" in step, \
                (sql, plan)


@pytest.fixture
def owned(pipeline):
    """Half of Proposal's deals and one won deal handed to "zoe [b]"; the rest stay the
    tester's (the current user)."""
    theirs = [pipeline[n] for n in ("p1", "p2", "p6", "w1")]
    Opportunity.update(owner="zoe [b]").where(Opportunity.id.in_(theirs)).execute()
    return pipeline, theirs


def test_an_owner_sees_only_their_cards_in_column_order(owned):
    pipeline, theirs = owned
    proposal = by_name("Proposal")
    mine = [n for n in (f"p{i}" for i in range(1, 9)) if pipeline[n] not in theirs]
    want = expected_open_order(pipeline, mine)
    seen, after = [], None
    while True:
        page = board.column_page(proposal, after=after, limit=2, owner="tester")
        seen += [card.id for card in page.cards]
        if not page.more:
            break
        after = page.cards[-1].key
    assert seen == want
    assert {c.owner for c in board.column_page(proposal, owner="tester").cards} == {"tester"}
    zoe = board.column_page(proposal, owner="zoe [b]", search="deal p")
    assert [c.id for c in zoe.cards] == expected_open_order(pipeline, ["p1", "p6", "p2"])
    won = board.column_page(by_name("ClosedWon"), owner="tester")
    assert [c.id for c in won.cards] == [pipeline["w2"]]


def test_an_owners_totals_are_summed_by_sql(owned):
    pipeline, theirs = owned
    columns = board.board_stages()
    mine = board.column_totals(columns, owner="tester")
    rows = list(Opportunity.select().where((Opportunity.owner == "tester")
                                           & (Opportunity.stage == by_name("Proposal").id)))
    assert mine[by_name("Proposal").id] == board.Tally(
        len(rows), Decimal(sum(r.amount_cents for r in rows)) / 100)
    assert mine[by_name("Proposal").id].count == 5
    assert mine[by_name("ClosedWon").id] == board.Tally(1, Decimal("1000.00"))
    zoe = board.column_totals(columns, owner="zoe [b]", search="lovelace")
    assert zoe[by_name("Proposal").id] == board.Tally(1, Decimal("100.00"))  # p1 only


def test_the_first_and_last_card_of_a_column(pipeline):
    proposal = by_name("Proposal")
    want = expected_open_order(pipeline, [f"p{i}" for i in range(1, 9)])
    assert board.column_edge(proposal).id == want[0]
    assert board.column_edge(proposal, last=True).id == want[-1]  # the last undated one
    assert board.column_edge(proposal, last=True, search="deal p3").id == pipeline["p3"]
    won = by_name("ClosedWon")
    assert board.column_edge(won).id == pipeline["w2"]  # latest first
    assert board.column_edge(won, last=True).id == pipeline["w1"]
    assert board.column_edge(won, last=True, quarter=Quarter(2026, 3)).id == pipeline["w3"]
    assert board.column_edge(by_name("Negotiation")) is None
    last = board.column_page(proposal, last=True, limit=3)
    assert [c.id for c in last.cards] == want[-3:] and last.more


def test_a_cards_slippage_counts_the_pushes_later_only(pipeline):
    deal = pipeline["p3"]  # 2026-10-03
    for day in (D(2026, 12, 1), D(2026, 11, 1), D(2027, 1, 5), None, D(2027, 2, 1),
                D(2027, 3, 1)):
        deals.update_deal(deal, {"close_date": day})
    card = board.find_card(deal)
    assert card.pushes == 3 and card.is_slipping  # 10-03>12-01, 11-01>01-05, 02-01>03-01
    assert board.find_card(pipeline["p1"]).pushes == 0
    page = board.column_page(by_name("Proposal"), limit=20)
    assert {c.id: c.pushes for c in page.cards}[deal] == 3
    from tui_crm.core import past
    assert past.slippage(deal) == 3


def test_my_deals_and_slippage_walk_indexes(sqlite_db):
    """The owner's pages go through the (owner, stage_id, close_date, id) index, in its
    order; a card's slippage is a search of its own ChangeLog rows."""
    acme = customers.create_customer({"name": "Acme"})
    for i in range(40):
        made = deals.create_deal({"name": f"D{i}", "amount": "10", "customer_id": acme,
                                  "stage": ["Qualification", "ClosedWon"][i % 2],
                                  "owner": ["tester", "zoe"][i % 3 == 0],
                                  "close_date": None if i % 5 == 0 else D(2026, 11, 1 + i % 20)})
        deals.update_deal(made, {"close_date": D(2027, 1, 1 + i % 20)})
    with statements(sqlite_db) as issued:
        for stage in board.board_stages():
            page = board.column_page(stage, limit=3, owner="tester")
            for card in page.cards:
                board.column_window(stage, card.key, 2, 2, owner="tester")
            board.column_edge(stage, last=True, owner="tester")
        board.column_totals(board.board_stages(), owner="tester")
        board.board_view({}, 4, owner="tester")
    plans = {}
    for sql, params in issued:
        if '"opportunity"' in sql:
            rows = sqlite_db.execute_sql("EXPLAIN QUERY PLAN " + sql, params).fetchall()
            plans[sql] = [row[3] for row in rows]
    assert len(plans) >= 8
    assert any(plan[0] == "COMPOUND QUERY" for plan in plans.values())  # board_view's pages
    for sql, plan in plans.items():
        assert not any("TEMP B-TREE" in step for step in plan), (sql, plan)
        assert not scans(plan), (sql, plan)
        for step in walks(plan):
            assert step.startswith("SEARCH") and "INDEX opportunity_owner_stage_id" in step, \
                (sql, plan)
        if '"change_log"' in sql:
            assert any("USING INDEX change_log_entity_entity_id_at (entity=? AND entity_id=?)"
                       in step
                       for step in plan), (sql, plan)


def test_the_board_read_at_once_is_what_its_parts_read(pipeline):
    """board_view reads the stages, the settings, the focused card, the totals and the
    cards in two groups; each comes out as read on its own."""
    settings.update_settings(currency="eur")
    columns = board.board_stages()
    proposal = by_name("Proposal")
    for search in (None, "deal p"):
        view = board.board_view({}, 3, focus_id=pipeline["p6"], search=search)
        assert [column.stage for column in view.columns] == columns
        assert view.focus == board.find_card(pipeline["p6"], columns)
        assert view.amounts == settings.get_settings() and view.amounts.currency == "EUR"
        totals = board.column_totals(columns, search=search)
        assert [column.tally for column in view.columns] == [totals[s.id] for s in columns]
        shown = next(column for column in view.columns if column.stage == proposal)
        assert pipeline["p6"] in [card.id for card in shown.window.cards]
    assert board.board_view({}, 3).focus is None


@pytest.mark.pg
def test_the_board_is_read_in_two_round_trips_on_postgresql(db, pipeline):
    if not isinstance(db, PostgresqlDatabase):
        pytest.skip("round trips to a server")
    places = {by_name("Proposal").id: ((D(2026, 12, 1), pipeline["p4"]), 1)}
    for _ in range(3):  # a statement is prepared on its second run: a trip of its own
        board.board_view(places, 4, focus_id=pipeline["p4"])
    with statements(db) as seen, round_trips(db) as sent:
        view = board.board_view(places, 4, focus_id=pipeline["p4"])
    trips = " ".join(sent).split("Sync")[:-1]
    assert [trip.split().count("Execute") for trip in trips] == [3, 2], sent
    assert len(seen) == 5 and "Query" not in sent
    assert view.focus.id == pipeline["p4"]


@pytest.mark.pg
def test_the_board_read_at_once_survives_a_lost_connection(db, db_url, pipeline):
    """The server ended the connection (a restart, an administrator): the board is
    read on a new one, as a statement read alone would be."""
    if not isinstance(db, PostgresqlDatabase):
        pytest.skip("PostgreSQL only")
    board.board_view({}, 4)
    pid = db.connection().info.backend_pid
    with psycopg.connect(db_url, autocommit=True) as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", (pid,))
    view = board.board_view({}, 4, focus_id=pipeline["w2"])
    assert view.focus.id == pipeline["w2"] and db.connection().info.backend_pid != pid
    totals = board.column_totals(board.board_stages())
    assert [column.tally for column in view.columns] == list(totals.values())
