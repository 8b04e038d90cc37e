"""A board move is a handful of statements, whatever the database holds: the stages
read once, the deal read once (locked), one update of it, its ChangeLog, one update of
the stage totals and one of the day totals. On PostgreSQL what a move repeats runs as
prepared statements (psycopg's prepare_threshold on the connection peewee uses)."""

from __future__ import annotations

import pytest
from peewee import PostgresqlDatabase

from tests.helpers import Statement, assert_stage_totals_exact, round_trips, statements
from tui_crm.core import changelog, customers, deals, stages
from tui_crm.core.errors import DatabaseError
from tui_crm.core.models import Opportunity, StageDayTotal, StageTotal


@pytest.fixture
def deal(db):
    acme = customers.create_customer({"name": "Acme"})
    return deals.create_deal({"name": "Big", "amount": "1200", "close_date": "2026-12-20",
                              "customer_id": acme})


def kinds(seen: list[Statement]) -> list[str]:
    """Each statement as its verb and table: ``UPDATE opportunity``."""
    out = []
    for sql, _ in seen:
        words = sql.replace('"', "").split()
        verb = words[0]
        table = words[words.index("FROM") + 1] if verb == "SELECT" and "FROM" in words \
            else words[1] if verb == "UPDATE" else words[2] if verb == "INSERT" else ""
        if "nextval" not in sql:  # the change announced after the commit (core.live)
            out.append(f"{verb} {table}".strip())
    return out


MOVE = ["SELECT stage", "SELECT opportunity", "UPDATE opportunity", "INSERT change_log",
        "UPDATE stage_total", "INSERT stage_day_total"]


@pytest.mark.pg
@pytest.mark.parametrize("step", [1, -1])
def test_a_step_along_the_stages_is_six_statements(db, deal, step):
    if step < 0:
        deals.step_deal(deal, 1)
    with statements(db) as seen:
        deals.step_deal(deal, step)
    assert sorted(k for k in kinds(seen) if k != "SELECT") == sorted(MOVE), seen


@pytest.mark.pg
def test_closing_and_moving_by_stage_cost_the_same(db, deal):
    won = stages.stage_of_kind("won").id
    with statements(db) as seen:
        deals.move_deal(deal, won)
    assert sorted(k for k in kinds(seen) if k != "SELECT") == sorted(MOVE), seen
    with statements(db) as seen:
        deals.reopen_deal(deal, stages.first_open_stage().id)
    assert len(seen) <= 12, seen  # the deal read with its stage, then the same move


@pytest.mark.pg
@pytest.mark.parametrize("close", [deals.close_won, deals.close_lost])
def test_closing_by_its_key_reads_the_stages_once(db, deal, close):
    with statements(db) as seen:
        close(deal)
    assert sorted(k for k in kinds(seen) if k != "SELECT") == sorted(MOVE), seen


@pytest.mark.pg
def test_the_totals_follow_a_batched_move(db, deal):
    first, second = (s.id for s in stages.open_stages()[:2])
    deals.step_deal(deal, 1)
    rows = {row.__data__["stage"]: (row.count, row.amount_cents) for row in StageTotal.select()}
    assert rows[first] == (0, 0) and rows[second] == (1, 120000)
    days = {(r.__data__["stage"], r.count) for r in StageDayTotal.select() if r.count}
    assert days == {(second, 1)}
    assert Opportunity.get_by_id(deal).stage_entered_at is not None


@pytest.mark.pg
def test_postgres_prepares_what_a_move_repeats(db, deal):
    if not isinstance(db, PostgresqlDatabase):
        pytest.skip("PostgreSQL only")
    for step in (1, -1, 1):
        deals.step_deal(deal, step)
    prepared = [sql for (sql,) in db.execute_sql("SELECT statement FROM pg_prepared_statements")]
    for table in ("opportunity", "stage_total", "stage_day_total", "change_log"):
        assert any(f'"{table}"' in sql and ("UPDATE" in sql or "INSERT" in sql)
                   for sql in prepared), (table, prepared)


@pytest.mark.pg
def test_a_move_on_postgresql_is_two_round_trips(db, deal):
    """What needs no answer goes with the next statement that does, and what a move
    reads is read at once: BEGIN with the stages and the deal (locked); then the
    deal's update, its ChangeLog, the stage and the day totals with the COMMIT and the
    change's announcement after it."""
    if not isinstance(db, PostgresqlDatabase):
        pytest.skip("round trips to a server")
    for step in (1, -1, 1):  # a statement is prepared on its second run: a trip of its own
        deals.step_deal(deal, step)
    with statements(db) as seen, round_trips(db) as sent:
        deals.step_deal(deal, -1)
    assert sorted(kinds(seen)) == sorted(MOVE)
    trips = " ".join(sent).split("Sync")[:-1]
    assert [trip.split().count("Execute") for trip in trips] == [3, 6], sent
    assert "Query" not in sent  # nothing sent on its own outside the pipelines
    with statements(db) as seen, round_trips(db) as sent:
        with db.atomic():  # a transaction that sends nothing costs nothing
            pass
    assert sent.count("Sync") == 0 and not seen
    assert Opportunity.get_by_id(deal).stage_id == stages.first_open_stage().id
    assert_stage_totals_exact()


@pytest.mark.pg
def test_a_move_refused_at_its_commit_saves_nothing(db, deal):
    """The deal's update and the totals go with the COMMIT on PostgreSQL: a refusal
    there (here a rule of the table's) still fails the whole move, with a sentence."""
    if not isinstance(db, PostgresqlDatabase):
        pytest.skip("the writes that go with the COMMIT")
    won = stages.stage_of_kind("won").id
    rule = f"ALTER TABLE opportunity ADD CONSTRAINT no_won CHECK (stage_id <> {won})"
    db.execute_sql(rule)
    try:
        with pytest.raises(DatabaseError, match="nothing was saved"):
            deals.close_won(deal)
    finally:
        db.execute_sql("ALTER TABLE opportunity DROP CONSTRAINT no_won")
    assert Opportunity.get_by_id(deal).stage_id == stages.first_open_stage().id
    assert changelog.timeline("opportunity", deal)[0].action == "create"
    assert_stage_totals_exact()
    deals.close_won(deal)  # the connection goes on as before
    assert Opportunity.get_by_id(deal).stage_id == won
    assert_stage_totals_exact()
