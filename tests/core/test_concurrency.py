"""Several processes on one database at once: nothing lost, nobody sees "locked".

Each child is a separate Python process driving the core (``child_main`` below),
the way several people running tui-crm on one server would.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import assert_stage_totals_exact
from tui_crm.core import changelog, deals, leads
from tui_crm.core.db import open_database, write
from tui_crm.core.models import ChangeLog, Lead, Opportunity

ROOT = Path(__file__).resolve().parents[2]
WORKERS = 4
OPERATIONS = 250


def start_child(mode: str, url: str, *args: object) -> subprocess.Popen:
    code = f"from tests.core.test_concurrency import child_main; child_main({mode!r})"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen([sys.executable, "-c", code, url, *map(str, args)], cwd=ROOT,
                            env=env, text=True, stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def child_main(mode: str) -> None:
    """The program each child process runs: ``python -c ... URL ARGS``."""
    url, *args = sys.argv[1:]
    if mode == "open":
        _say("ready")
        sys.stdin.readline()
    open_database(url)
    changelog.set_user(f"worker-{args[0]}" if args else "worker")
    {"mixed": _mixed_work, "import": _import_until_killed, "hold": _hold_write_lock,
     "open": _add_a_lead}[mode](*args)


def _add_a_lead(worker: str) -> None:
    leads.create_lead({"name": f"Opened by {worker}"})


def _say(line: str) -> None:
    print(line, flush=True)


def _mixed_work(worker: str) -> None:
    """Hundreds of everyday operations; prints what the database must hold after."""
    rng = random.Random(int(worker))
    _say("ready")
    sys.stdin.readline()  # every child starts at the same moment
    expected: dict[int, list[int]] = {}
    lead_ids: list[int] = []
    shared = [deal.id for deal in Opportunity.select().where(Opportunity.name == "shared")]
    shared_edits: dict[int, int] = {}
    for step in range(OPERATIONS):
        kind = step % 5
        if kind == 0 or not lead_ids:
            lead_ids.append(leads.create_lead({"name": f"w{worker} lead {step}"}))
        elif kind == 1:
            cents = rng.randrange(0, 10_000_000)
            deal_id = deals.create_deal({"name": f"w{worker} deal {step}", "lead_id":
                                         rng.choice(lead_ids), "amount": cents / 100})
            expected[deal_id] = [deals.get_deal(deal_id).stage_id, cents]
        elif kind == 2 and expected:
            deal_id = rng.choice(list(expected))
            expected[deal_id][0] = deals.step_deal(deal_id, rng.choice((1, 1, -1)))
        elif kind == 3 and expected and step % 2:
            deal_id = rng.choice(list(expected))
            cents = rng.randrange(0, 10_000_000)
            deals.update_deal(deal_id, {"amount": cents / 100})
            expected[deal_id][1] = cents
        elif kind == 4:
            # Everybody edits the shared deals too: each edit must see the last one.
            deal_id = rng.choice(shared)
            deals.update_deal(deal_id, {"amount": (int(worker) * 10_000_000 + step) / 100})
            shared_edits[deal_id] = shared_edits.get(deal_id, 0) + 1
        else:
            leads.count_leads("lead")  # readers run among the writers
            deals.deals_of(lead_id=lead_ids[-1])
    _say(json.dumps({"leads": len(lead_ids), "deals": expected, "shared": shared_edits}))


@write
def _import_batch(tag: str, lead_id: int, count: int | None) -> None:
    """One long write transaction; with no ``count`` it never ends (until killed)."""
    step = 0
    while count is None or step < count:
        deals.create_deal({"name": f"{tag} {step}", "lead_id": lead_id, "amount": "1000"})
        step += 1
        if count is None and step == 300:
            _say("inside")  # well inside the transaction; it goes on until killed


def _import_until_killed(batch: str) -> None:
    lead_id = leads.create_lead({"name": "Importer"})
    _import_batch("committed", lead_id, int(batch))
    _say("committed")
    _import_batch("killed", lead_id, None)


def _hold_write_lock() -> None:
    """Start a write, then hold the write lock until told to commit."""
    @write
    def held() -> None:
        leads.create_lead({"name": "Held"})
        _say("holding")
        sys.stdin.readline()

    held()
    _say("done")


def wait_for(child: subprocess.Popen, line: str) -> None:
    got = child.stdout.readline().strip()
    if got != line:
        child.kill()
        _, err = child.communicate()
        pytest.fail(f"child said {got!r} instead of {line!r}; stderr:\n{err}")


def start_together(mode: str, url: str) -> list[subprocess.Popen]:
    children = [start_child(mode, url, worker) for worker in range(WORKERS)]
    for child in children:
        wait_for(child, "ready")
    for child in children:
        child.stdin.write("go\n")
        child.stdin.flush()
    return children


def test_four_processes_write_at_once_and_lose_nothing(db_url):
    database = open_database(db_url)
    team_lead = leads.create_lead({"name": "Team"})
    shared = [deals.create_deal({"name": "shared", "lead_id": team_lead}) for _ in range(3)]
    database.close()
    results = []
    for child in start_together("mixed", db_url):
        out, err = child.communicate(timeout=300)
        assert child.returncode == 0, err
        assert "locked" not in err.lower()
        results.append(json.loads(out))

    database = open_database(db_url)
    assert Lead.select().count() == 1 + sum(result["leads"] for result in results)
    expected = {int(deal_id): tuple(state) for result in results
                for deal_id, state in result["deals"].items()}
    stored = {deal.id: (deal.stage_id, deal.amount_cents) for deal in Opportunity.select()
              if deal.id not in shared}
    assert stored == expected
    for deal_id in shared:
        edits = sum(result["shared"].get(str(deal_id), 0) for result in results)
        assert deals.get_deal(deal_id).version == 1 + edits
        history = [(change.old, change.new) for change in
                   reversed(changelog.timeline("opportunity", deal_id, limit=10_000))
                   if change.action == "update" and change.field == "amount_cents"]
        assert len(history) == edits
        # No lost update: every edit replaced the value the one before it wrote.
        assert all(old == previous_new for (old, _), (_, previous_new)
                   in zip(history[1:], history, strict=False))
    assert_stage_totals_exact()
    users = {row.user for row in ChangeLog.select(ChangeLog.user).distinct()}
    assert users == {"tester"} | {f"worker-{worker}" for worker in range(WORKERS)}
    if db_url.endswith(".db"):
        assert database.execute_sql("PRAGMA integrity_check").fetchone()[0] == "ok"
    database.close()


def test_processes_creating_one_new_file_at_once_all_succeed(tmp_path):
    url = str(tmp_path / "new.db")
    for child in start_together("open", url):
        _, err = child.communicate(timeout=120)
        assert child.returncode == 0, err
    database = open_database(url)
    assert leads.count_leads() == WORKERS
    assert database.execute_sql("PRAGMA journal_mode").fetchone()[0] == "wal"
    database.close()


def test_killing_a_long_write_keeps_the_database_whole(db_url):
    open_database(db_url).close()
    child = start_child("import", db_url, 200)
    wait_for(child, "committed")
    wait_for(child, "inside")
    child.send_signal(signal.SIGKILL)
    child.wait()
    assert child.returncode == -signal.SIGKILL

    database = open_database(db_url)
    if db_url.endswith(".db"):
        assert database.execute_sql("PRAGMA integrity_check").fetchone()[0] == "ok"
    names = Opportunity.select(Opportunity.name)
    assert names.where(Opportunity.name.startswith("committed ")).count() == 200
    assert names.where(Opportunity.name.startswith("killed ")).count() == 0
    assert_stage_totals_exact()
    database.close()


def test_reads_never_wait_for_a_writer(sqlite_db):
    lead_id = leads.create_lead({"name": "Before"})
    child = start_child("hold", sqlite_db.database)
    wait_for(child, "holding")
    try:
        # The child holds the write lock: reads answer at once, without its row.
        assert leads.count_leads() == 1
        assert [row.name for row in leads.list_leads()] == ["Before"]
        assert leads.get_lead(lead_id).name == "Before"
    finally:
        child.stdin.write("commit\n")
        child.stdin.flush()
    wait_for(child, "done")
    assert child.wait() == 0
    assert leads.count_leads() == 2

