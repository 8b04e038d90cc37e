"""The Today queue, checked against the queue worked out here from the records."""

import datetime as dt
import json
import random
import subprocess
import sys

import pytest

from tests.conftest import FROZEN_TODAY
from tui_crm.core import activities, customers, deals, leads, stages, today
from tui_crm.core.models import Activity, Opportunity

DAY = dt.timedelta(days=1)


def make_records(seed: int = 3, count: int = 40) -> None:
    """Deals in every stage, some with open or done activities, some entered their stage
    long ago, with and without close dates; owned by two people."""
    rng = random.Random(seed)
    acme = customers.create_customer({"name": "Acme"})
    lead = leads.create_lead({"name": "Lead [b]"})
    stage_names = [s.name for s in stages.all_stages()]
    for i in range(count):
        owner = ("ann", "bob")[i % 2]
        close = rng.choice([None, FROZEN_TODAY - 5 * DAY, FROZEN_TODAY + 20 * DAY])
        parent = {"customer_id": acme} if i % 3 else {"lead_id": lead}
        deal = deals.create_deal({"name": f"Deal {i}", "stage": rng.choice(stage_names),
                                  "close_date": close, "owner": owner, **parent})
        entered = dt.datetime.combine(FROZEN_TODAY - rng.randrange(0, 60) * DAY, dt.time(9))
        Opportunity.update(stage_entered_at=entered).where(Opportunity.id == deal).execute()
        for _ in range(rng.choice([0, 0, 1, 2])):
            due = rng.choice([None, FROZEN_TODAY - 2 * DAY, FROZEN_TODAY, FROZEN_TODAY + DAY])
            activity = activities.create_activity({"subject": f"Step for {i}", "deal_id": deal,
                                                   "due": due, "owner": owner})
            if rng.random() < 0.3:
                activities.complete_activity(activity)
    activities.create_activity({"subject": "Call the lead", "lead_id": lead,
                                "due": FROZEN_TODAY - DAY, "owner": "ann"})


def expected_queue(owner: str | None = None) -> list[tuple]:
    """(reason, activity id, deal id) in queue order, worked out from every record."""
    open_stages = stages.open_stages()
    rows = list(Activity.select().order_by(Activity.id))
    mine = [a for a in rows if owner is None or a.owner == owner]
    planned = [a for a in mine if a.done_at is None and a.due_date is not None]
    queue = [("overdue_activity", a.id, a.__data__["deal"])
             for a in sorted(planned, key=lambda a: (a.due_date, a.id))
             if a.due_date < FROZEN_TODAY]
    queue += [("due_today", a.id, a.__data__["deal"])
              for a in sorted(planned, key=lambda a: (a.due_time, a.id))
              if a.due_date == FROZEN_TODAY]
    with_step = {a.__data__["deal"] for a in rows if a.done_at is None and a.__data__["deal"]}
    deals_ = [d for d in Opportunity.select() if owner is None or d.owner == owner]
    for reason in ("no_next_step", "rotting", "past_close_date", "no_close_date"):
        for stage in open_stages:
            here = [d for d in deals_ if d.__data__["stage"] == stage.id]
            if reason == "no_next_step":
                picked = sorted((d for d in here if d.id not in with_step),
                                key=lambda d: (d.stage_entered_at, d.id))
            elif reason == "rotting":
                picked = sorted((d for d in here if stage.rot_days and (
                    FROZEN_TODAY - d.stage_entered_at.date()).days > stage.rot_days),
                    key=lambda d: (d.stage_entered_at, d.id))
            elif reason == "past_close_date":
                picked = sorted((d for d in here if d.close_date and d.close_date < FROZEN_TODAY),
                                key=lambda d: (d.close_date, d.id))
            else:
                picked = sorted((d for d in here if d.close_date is None), key=lambda d: d.id)
            queue += [(reason, None, d.id) for d in picked]
    return queue


def shown(items) -> list[tuple]:
    return [(item.reason, item.activity_id, item.deal_id) for item in items]


@pytest.mark.parametrize("owner", [None, "ann"])
def test_the_queue_is_every_reason_in_order(db, owner):
    make_records()
    want = expected_queue(owner)
    assert {reason for reason, _, _ in want} == set(today.REASONS)  # the data covers all
    assert shown(today.queue(owner, limit=1000)) == want
    counts = today.counts(owner)
    assert counts == {reason: sum(1 for r, _, _ in want if r == reason)
                      for reason in today.REASONS}


def test_pages_follow_on_from_the_last_line(db):
    make_records(seed=8)
    pages, after = [], None
    while page := today.queue(after=after, limit=3):
        pages.extend(page)
        after = page[-1].key
    assert shown(pages) == expected_queue()
    assert len({item.id for item in pages}) == len(pages)  # ids unique across reasons


def test_lines_leave_the_queue_once_cleared(db):
    make_records(seed=5)
    first = today.queue(limit=1000)
    overdue = next(i for i in first if i.reason == "overdue_activity")
    no_date = next(i for i in first if i.reason == "no_close_date")
    activities.complete_activity(overdue.activity_id)
    deals.update_deal(no_date.deal_id, {"close_date": "2027-01-15"})
    after = shown(today.queue(limit=1000))
    assert ("overdue_activity", overdue.activity_id, overdue.deal_id) not in after
    assert ("no_close_date", None, no_date.deal_id) not in after
    assert after == expected_queue()


def test_lines_say_why_and_whose(db):
    make_records(seed=3)
    items = today.queue(limit=1000)
    lead_call = next(i for i in items if i.subject == "Call the lead")
    assert (lead_call.lead, lead_call.customer, lead_call.owner) == ("Lead [b]", None, "ann")
    assert lead_call.why() == "Task overdue by 1 day"
    rotting = next(i for i in items if i.reason == "rotting")
    assert rotting.why().startswith("Rotting: ") and rotting.stage in rotting.why()
    assert today.overdue_count() == sum(1 for i in items if i.reason == "overdue_activity")


def test_today_json_from_the_command_line(tmp_path, monkeypatch):
    from tui_crm.core.db import open_database

    path = tmp_path / "crm.db"
    open_database(str(path))
    make_records(seed=11)
    want = expected_queue("bob")
    env_date = FROZEN_TODAY.isoformat()
    done = subprocess.run(
        [sys.executable, "-c",
         "import datetime, sys; from tui_crm.core import dates; "
         f"dates.today = lambda: datetime.date.fromisoformat('{env_date}'); "
         "from tui_crm.cli import main; sys.exit(main(sys.argv[1:]))",
         "today", "--owner", "bob", "--json", "--db", str(path)],
        capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    got = json.loads(done.stdout)
    assert [(g["reason"], g["activity"], g["deal"]) for g in got] == want
    assert all(g["owner"] == "bob" for g in got)
    assert set(got[0]) >= {"reason", "activity", "deal", "customer", "lead", "owner", "due",
                           "days"}


def test_one_owners_queue_is_read_through_owner_indexes(sqlite_db):
    """Counting one owner's lines never walks a whole stage: every query of every
    reason searches an index by owner (SQLite's plan)."""
    db = sqlite_db
    make_records()
    order = stages.open_stages()
    for reason in today.REASONS:
        for query in today.QUERIES[reason]("ann", FROZEN_TODAY, order):
            inner = query.select(Activity.id if query.model is Activity else Opportunity.id)
            sql, params = inner.sql()
            plan = [row[-1] for row in db.execute_sql("EXPLAIN QUERY PLAN " + sql, params)]
            assert "owner=?" in plan[0] and "TEMP B-TREE" not in " ".join(plan), (reason, plan)
