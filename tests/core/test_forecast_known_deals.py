"""The forecast's figures against the fixture's hand-computed ones, on every database."""

from __future__ import annotations

import logging
import random
from decimal import Decimal

import pytest
from playhouse.migrations import Runner

from tests import forecast_fixture as fx
from tests.helpers import assert_stage_totals_exact
from tui_crm.core import deals, forecast, settings, stages
from tui_crm.core.dates import Quarter
from tui_crm.core.db import HISTORY_TABLE, MIGRATIONS, upgrade_schema
from tui_crm.core.forecast import Forecast
from tui_crm.core.models import NO_DATE, Opportunity, StageDayTotal


@pytest.fixture
def loaded(db):
    fx.load()
    return db


def figures(result: Forecast) -> fx.Expected:
    """The forecast in the shape of ``forecast_fixture.Expected``."""
    wl = result.win_loss
    return fx.Expected(
        [(s.stage, s.count, s.amount, s.probability, s.weighted) for s in result.stages],
        (result.total.count, result.total.amount, result.total.weighted),
        (result.no_close_date.count, result.no_close_date.amount),
        (result.overdue.count, result.overdue.amount),
        (wl.won_count, wl.won_amount), (wl.lost_count, wl.lost_amount),
        "-" if wl.win_rate is None else f"{wl.win_rate:.1f}",
        result.lost_reasons, result.won_by_month)


@pytest.mark.parametrize("quarter", ["2026Q4", "2025Q2", "2024Q1", "2027Q1"])
def test_forecast_matches_the_hand_computed_figures(loaded, quarter):
    q = Quarter.parse(quarter)
    assert figures(forecast.forecast(q)) == fx.expected(q.year, q.number)


def test_current_quarter_is_the_default_and_the_fixture_is_not_trivial(loaded):
    result = forecast.forecast()
    assert result.quarter == Quarter(2026, 4) and result.today == fx.TODAY
    want = fx.expected(2026, 4)
    # The figures the screen tests rely on: rounding half up, several reasons, a gap month.
    assert want.stages[2][4] == Decimal("28000.18")
    assert want.total == (5, Decimal("92500.75"), Decimal("45250.23"))
    assert want.overdue == (4, Decimal("70500.50"))
    assert want.win_rate == "33.3"
    assert want.lost_reasons[0] == ("price", 2)
    assert want.won_by_month[0] == ("2025-12", Decimal("2222.00"))


def test_empty_quarter_and_empty_database(db):
    result = forecast.forecast(Quarter(2024, 1))
    assert [s.count for s in result.stages] == [0, 0, 0]
    assert result.total.amount == Decimal("0.00") and result.win_loss.win_rate is None
    assert result.lost_reasons == [] and len(result.won_by_month) == 12
    assert all(amount == Decimal("0.00") for _, amount in result.won_by_month)


def test_as_json_has_the_documented_shape(loaded):
    data = forecast.forecast(Quarter(2026, 4)).as_json()
    assert data["quarter"] == "2026Q4"
    assert data["stages"][2] == {"stage": "Negotiation", "count": 2, "amount": "40000.25",
                                 "probability": 70, "weighted": "28000.18"}
    assert data["total"] == {"count": 5, "amount": "92500.75", "weighted": "45250.23"}
    assert data["no_close_date"] == {"count": 2, "amount": "10000.00"}
    assert data["overdue"] == {"count": 4, "amount": "70500.50"}
    assert data["win_loss"] == {"won_count": 2, "won_amount": "42345.67", "lost_count": 4,
                                "lost_amount": "16000.00", "win_rate": 33.3}
    assert data["amount_basis"] == "ARR" and data["currency"] == "USD"


def test_a_moved_deal_moves_the_forecast(loaded):
    before = forecast.forecast(Quarter(2026, 4))
    deal = deals.create_deal({"name": "Late", "amount": "1000", "close_date": "2026-12-31",
                              "customer_id": 1})
    deals.close_won(deal)  # closing sets the close date to today, 2026-11-15
    after = forecast.forecast(Quarter(2026, 4))
    assert after.total == before.total
    assert after.win_loss.won_count == before.win_loss.won_count + 1
    assert after.won_by_month[-1][1] == before.won_by_month[-1][1] + Decimal("1000.00")


def test_renamed_and_added_stages_are_followed(loaded):
    from tui_crm.core.models import Stage

    Stage.update(name="Demo").where(Stage.name == "Proposal").execute()
    Stage.insert(name="Verbal", position=35, probability=90, kind="open").execute()
    result = forecast.forecast(Quarter(2026, 4))
    assert [(s.stage, s.probability) for s in result.stages] == [
        ("Qualification", 10), ("Demo", 40), ("Negotiation", 70), ("Verbal", 90)]
    assert [s.name for s in stages.open_stages()][-1] == "Verbal"


def test_settings_travel_with_the_forecast(loaded):
    settings.update_settings(amount_basis="one-time", currency="eur")
    result = forecast.forecast()
    assert (result.settings.amount_basis, result.settings.currency) == ("one-time", "EUR")


def _queries_of_forecast(owner: str | None = None) -> list[tuple[str, tuple]]:
    seen: list[tuple[str, tuple]] = []

    class Capture(logging.Handler):
        def emit(self, record):
            if isinstance(record.msg, tuple):
                seen.append(record.msg)

    logger = logging.getLogger("peewee")
    handler, level = Capture(), logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    try:
        forecast.forecast(Quarter(2026, 4), owner=owner)
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)
    return seen


def test_every_query_searches_an_index(sqlite_db):
    """Every sum reads the per-day totals by their key, never the deals."""
    fx.load()
    queries = _queries_of_forecast()
    assert not [sql for sql, _ in queries if '"opportunity"' in sql]
    day_queries = [(sql, params) for sql, params in queries if '"stage_day_total"' in sql]
    assert len(day_queries) == 7
    for sql, params in day_queries:
        plan = [row[-1] for row in sqlite_db.execute_sql("EXPLAIN QUERY PLAN " + sql, params)]
        steps = [step for step in plan if "TEMP B-TREE" not in step]
        assert steps and all(step.startswith("SEARCH") and "USING INDEX" in step
                             for step in steps), (sql, plan)


def test_one_owners_forecast_reads_the_owner_index_alone(sqlite_db):
    """"My deals": every sum reads that owner's deals from the owner index, never the
    table (and never the other owners' deals)."""
    fx.load()
    queries = [(sql, params) for sql, params in _queries_of_forecast("maria")
               if '"opportunity"' in sql]
    assert len(queries) == 7
    for sql, params in queries:
        plan = [row[-1] for row in sqlite_db.execute_sql("EXPLAIN QUERY PLAN " + sql, params)]
        searches = [step for step in plan if "opportunity" in step]
        assert searches and all(
            step.startswith("SEARCH") and "COVERING INDEX opportunity_owner_" in step
            and "owner=?" in step for step in searches), (sql, plan)


def assert_day_totals_exact() -> None:
    """StageDayTotal equals a count and sum done here, deal by deal, in Python."""
    want: dict[tuple, list[int]] = {}
    for stage_id, day, reason, cents in (Opportunity
                                         .select(Opportunity.stage, Opportunity.close_date,
                                                 Opportunity.lost_reason,
                                                 Opportunity.amount_cents).tuples()):
        tally = want.setdefault((stage_id, day or NO_DATE, reason), [0, 0])
        tally[0] += 1
        tally[1] += cents
    kept = {(row.__data__["stage"], row.close_date, row.lost_reason): [row.count,
                                                                       row.amount_cents]
            for row in StageDayTotal.select() if row.count or row.amount_cents}
    assert kept == want


def test_every_change_keeps_the_day_totals_exact(db):
    fx.load()
    rng = random.Random(5)
    for step in range(150):
        ids = [deal.id for deal in Opportunity.select(Opportunity.id)]
        deal_id = rng.choice(ids)
        action = rng.randrange(8)
        if action == 0:
            deals.create_deal({"name": f"New {step}", "amount": str(rng.randrange(0, 9000)),
                               "close_date": rng.choice(["", "2026-12-01", "2027-03-03"]),
                               "customer_id": 1})
        elif action == 1:
            deals.update_deal(deal_id, {"amount": str(rng.randrange(0, 9000))})
        elif action == 2:
            deals.update_deal(deal_id, {"close_date": rng.choice(["", "2026-01-05",
                                                                  "2026-11-20"])})
        elif action == 3:
            deals.update_deal(deal_id, {"stage": rng.choice(fx.OPEN), "amount": "77"})
        elif action == 4:
            deals.step_deal(deal_id, rng.choice([-1, 1]))
        elif action == 5:
            if deals.get_deal(deal_id).is_open:
                deals.close_lost(deal_id, rng.choice(["", "price", "timing"]))
        elif action == 6:
            deals.update_deal(deal_id, {"lost_reason": rng.choice(["", "price", "budget"])})
        elif len(ids) > 5:
            deals.delete_deal(deal_id)
    assert_day_totals_exact()
    assert_stage_totals_exact()
    kept = forecast.forecast(Quarter(2026, 4))
    deals.recompute_stage_totals()
    assert forecast.forecast(Quarter(2026, 4)) == kept
    assert_day_totals_exact()


def test_an_older_database_gets_its_day_totals_on_opening(db):
    fx.load()
    StageDayTotal.drop_table()
    SchemaMigration = Runner(db, str(MIGRATIONS), table_name=HISTORY_TABLE).History
    SchemaMigration.delete().where(SchemaMigration.name == "0005_stage_day_totals").execute()
    assert upgrade_schema(db) == ["0005_stage_day_totals"]
    assert_day_totals_exact()
    assert figures(forecast.forecast(Quarter(2026, 4))) == fx.expected(2026, 4)
