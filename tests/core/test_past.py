"""The forecast of any past moment equals the forecast taken at that moment, whatever
happened since: moves, edits, closes, deletes, restores, imports, stage changes."""

import datetime as dt
import random

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import FROZEN_TODAY
from tui_crm.core import customers, deals, forecast, leads, past, stages, trash
from tui_crm.core.dates import Quarter
from tui_crm.core.db import open_database
from tui_crm.core.errors import CrmError
from tui_crm.core.models import stamp

QUARTERS = [Quarter(2026, 4), Quarter(2027, 1)]


def taken(moment=None, owner=None) -> dict:
    """Every quarter's forecast JSON, now or as of ``moment``."""
    if moment is None:
        return {str(q): forecast.forecast(q, FROZEN_TODAY, owner).as_json() for q in QUARTERS}
    return {str(q): past.forecast_as_of(moment, q, owner, FROZEN_TODAY).as_json()
            for q in QUARTERS}


def random_history(rng: random.Random, steps: int, checkpoints: list) -> None:
    acme = customers.create_customer({"name": "Acme"})
    lead = leads.create_lead({"name": "Lead"})
    ids: list[int] = []
    for step in range(steps):
        stage_ids = [s.id for s in stages.all_stages()]
        op = rng.choice(["create"] * 3 + ["edit", "move", "won", "lost", "reopen", "delete",
                                           "restore", "stage"])
        deal = rng.choice(ids) if ids else None
        try:
            if op == "create" or deal is None:
                day = rng.choice([None, FROZEN_TODAY + dt.timedelta(days=rng.randrange(-60, 200))])
                ids.append(deals.create_deal({
                    "name": f"D{step}", "amount": str(rng.randrange(0, 10**6)),
                    "close_date": day, "stage_id": rng.choice(stage_ids),
                    "owner": rng.choice(["ann", "bob"]),
                    **({"customer_id": acme} if rng.random() < .5 else {"lead_id": lead})}))
            elif op == "edit":
                deals.update_deal(deal, {"amount": str(rng.randrange(0, 10**6)),
                                         "close_date": FROZEN_TODAY + dt.timedelta(
                                             days=rng.randrange(-30, 150))})
            elif op == "move":
                deals.move_deal(deal, rng.choice(stage_ids))
            elif op == "won":
                deals.close_won(deal)
            elif op == "lost":
                deals.close_lost(deal, rng.choice(["", "Price"]))
            elif op == "reopen":
                deals.reopen_deal(deal)
            elif op == "delete":
                deals.delete_deal(deal)
                ids.remove(deal)
            elif op == "restore":
                waiting = [t for t in trash.list_trash() if t.entity == "opportunity"]
                if waiting:
                    item = rng.choice(waiting)
                    trash.restore(item.id)
                    ids.append(item.entity_id)
            elif op == "stage":
                name = rng.choice([s.name for s in stages.open_stages()])
                stages.edit_stage(name, probability=str(rng.randrange(0, 101)))
        except CrmError:
            pass  # a refused step changes nothing
        if rng.random() < 0.3:
            checkpoints.append((stamp(), taken(), taken(owner="ann")))


@pytest.mark.parametrize("seed", [1, 2])
def test_as_of_any_moment_equals_what_was_taken_then(db, seed):
    checkpoints: list = []
    random_history(random.Random(seed), 70, checkpoints)
    assert len(checkpoints) > 5
    for moment, everyone, ann in checkpoints:
        assert taken(moment) == everyone
        assert taken(moment, owner="ann") == ann


@settings(max_examples=8, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=st.integers(0, 2**32), steps=st.integers(5, 40))
def test_as_of_holds_for_any_history(tmp_path, seed, steps):
    """Hypothesis draws the histories: each in a database of its own."""
    database = open_database(str(tmp_path / f"h{seed}-{steps}.db"))
    try:
        checkpoints: list = []
        random_history(random.Random(seed), steps, checkpoints)
        for moment, everyone, _ in checkpoints:
            assert taken(moment) == everyone
    finally:
        database.close()


def test_stage_changes_and_removals_are_undone_in_the_past(db):
    acme = customers.create_customer({"name": "Acme"})
    deals.create_deal({"name": "A", "amount": "100", "close_date": FROZEN_TODAY,
                       "stage": "Proposal", "customer_id": acme})
    moment, before = stamp(), taken()
    stages.edit_stage("Proposal", new_name="Offer", probability="55")
    stages.remove_stage("Offer", move_to="Negotiation")
    assert taken() != before
    assert taken(moment) == before


def test_an_imported_file_is_not_in_the_past(db, tmp_path):
    from tui_crm.core import csvio

    customers.create_customer({"name": "Acme"})
    moment, before = stamp(), taken()
    path = tmp_path / "deals.csv"
    path.write_text("name,amount,close_date,customer\nX,500,2026-12-01,Acme\n")
    csvio.import_csv("opportunities", path)
    assert taken() != before and taken(moment) == before


def test_the_future_is_refused(db):
    with pytest.raises(CrmError, match="in the past"):
        past.forecast_as_of(stamp() + dt.timedelta(days=1))


# -- what changed since: the waterfall --------------------------------------------------

def assert_waterfall_adds_up(moments) -> None:
    """start + every movement = end, in amount and in count; a deal moves once."""
    for since in moments:
        for quarter in QUARTERS:
            fall = past.changes(since, quarter=quarter, today=FROZEN_TODAY)
            total = fall.start.amount + sum(m.amount for m in fall.movements)
            assert total == fall.end.amount
            assert fall.start.count + sum(
                {"created": 1, "pulled_in": 1}.get(m.bucket, 0)
                - (m.bucket in ("pushed_out", "won", "lost", "deleted"))
                for m in fall.movements) == fall.end.count
            assert len({m.deal_id for m in fall.movements}) == len(fall.movements)


def test_the_waterfall_adds_up_on_random_histories(db):
    for seed in (3, 4, 5):
        checkpoints: list = []
        random_history(random.Random(seed), 60, checkpoints)
        assert_waterfall_adds_up([moment for moment, _, _ in checkpoints][:3])


@settings(max_examples=8, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=st.integers(0, 2**32), steps=st.integers(5, 40), since=st.integers(0, 5))
def test_the_waterfall_identity_holds_for_any_history(tmp_path, seed, steps, since):
    """Hypothesis draws the histories and the moment the waterfall starts from."""
    database = open_database(str(tmp_path / f"w{seed}-{steps}-{since}.db"))
    try:
        checkpoints: list = []
        random_history(random.Random(seed), steps, checkpoints)
        moments = [moment for moment, _, _ in checkpoints]
        assert_waterfall_adds_up(moments[since:since + 1] or moments[-1:])
    finally:
        database.close()


def test_each_kind_of_change_lands_in_its_bucket(db):
    acme = customers.create_customer({"name": "Acme"})
    q4 = FROZEN_TODAY + dt.timedelta(days=10)  # 2026-11-25, in 2026Q4
    later = dt.date(2027, 2, 1)

    def deal(name, amount, day=q4):
        return deals.create_deal({"name": name, "amount": amount, "close_date": day,
                                  "stage": "Proposal", "customer_id": acme})
    up, down, won, lost, gone, out, back = (deal(n, "100") for n in
                                            ("up", "down", "won", "lost", "gone", "out",
                                             "back"))
    deals.update_deal(back, {"close_date": later})
    since = stamp()
    deals.update_deal(up, {"amount": "150"})
    deals.update_deal(down, {"amount": "40"})
    deals.close_won(won)
    deals.close_lost(lost, "Price")
    deals.delete_deal(gone)
    deals.update_deal(out, {"close_date": later})
    deals.update_deal(back, {"close_date": q4})
    new = deal("new", "70")
    fall = past.changes(since, quarter=Quarter(2026, 4), today=FROZEN_TODAY)
    got = {m.deal_id: (m.bucket, str(m.amount)) for m in fall.movements}
    assert got == {up: ("amount_up", "50.00"), down: ("amount_down", "-60.00"),
                   won: ("won", "-100.00"), lost: ("lost", "-100.00"),
                   gone: ("deleted", "-100.00"), out: ("pushed_out", "-100.00"),
                   back: ("pulled_in", "100.00"), new: ("created", "70.00")}
    assert (fall.start.count, str(fall.start.amount)) == (6, "600.00")
    assert (fall.end.count, str(fall.end.amount)) == (4, "360.00")
    assert next(m for m in fall.movements if m.deal_id == back).pushes == 1


def test_changes_since_a_moment_are_read_by_entity_and_time(sqlite_db):
    """The forecast as of a moment reads only the changes made since (SQLite's plan):
    a database's whole history is never walked."""
    sql, params = past.deal_changes_query(stamp()).sql()
    plan = " ".join(row[-1] for row in sqlite_db.execute_sql("EXPLAIN QUERY PLAN " + sql,
                                                             params))
    assert "entity=? AND at>?" in plan and "TEMP B-TREE" not in plan, plan
    sql, params = past.deal_changes_query(stamp(), stamp()).sql()  # between two moments
    plan = " ".join(row[-1] for row in sqlite_db.execute_sql("EXPLAIN QUERY PLAN " + sql,
                                                             params))
    assert "entity=? AND at>? AND at<?" in plan and "TEMP B-TREE" not in plan, plan
