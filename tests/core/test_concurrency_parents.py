"""Deleting a customer or lead while someone else adds a deal to it, in two processes:
one of them wins, the other gets the clear sentence SQLite gives, never a raw
IntegrityError (PostgreSQL checks foreign keys at the insert, after the parent
was found)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tui_crm.core import changelog, customers, deals, leads
from tui_crm.core.db import open_database
from tui_crm.core.errors import CrmError
from tui_crm.core.models import Customer, Lead

ROOT = Path(__file__).resolve().parents[2]
ROUNDS = 30
GONE = {"customer": "parent: That customer no longer exists.",
        "lead": "parent: That lead no longer exists."}
KEPT = {"customer": "This customer has 1 deal: they keep the win/loss record, so the "
                    "customer stays.",
        "lead": "This lead has 1 deal: close or move them first."}


def start(role: str, url: str) -> subprocess.Popen:
    code = f"from tests.core.test_concurrency_parents import child; child({role!r})"
    return subprocess.Popen([sys.executable, "-c", code, url], cwd=ROOT, text=True,
                            env={**os.environ, "PYTHONPATH": str(ROOT)},
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)


def child(role: str) -> None:
    """Each round: read ``KIND ID``, then add a deal to it or delete it; print what
    happened as JSON."""
    open_database(sys.argv[1])
    changelog.set_user(role)
    print(json.dumps("ready"), flush=True)
    for line in sys.stdin:
        kind, record_id = line.split()
        try:
            if role == "adder":
                parent = {f"{kind}_id": int(record_id)}
                deals.create_deal({"name": "Racing", "amount": "1", **parent})
            elif kind == "customer":
                customers.delete_customer(int(record_id))
            else:
                leads.delete_lead(int(record_id))
            outcome = "ok"
        except CrmError as exc:
            outcome = str(exc)
        except Exception as exc:  # noqa: BLE001 - what the test must never see
            outcome = f"{type(exc).__name__}: {exc}"
        print(json.dumps(outcome), flush=True)


def test_delete_and_add_deal_race_ends_in_clear_messages(db, db_url):
    adder, deleter = start("adder", db_url), start("deleter", db_url)
    try:
        for process in (adder, deleter):
            assert json.loads(process.stdout.readline()) == "ready", process.stderr.read()
        outcomes = []
        for round_ in range(ROUNDS):
            kind = ("customer", "lead")[round_ % 2]
            record_id = (customers.create_customer({"name": f"C{round_}"}) if kind == "customer"
                         else leads.create_lead({"name": f"L{round_}"}))
            for process in (adder, deleter):  # both start the round together
                process.stdin.write(f"{kind} {record_id}\n")
                process.stdin.flush()
            added = json.loads(adder.stdout.readline())
            deleted = json.loads(deleter.stdout.readline())
            outcomes.append((kind, round_, added, deleted))
    finally:
        for process in (adder, deleter):
            process.stdin.close()
            process.wait(timeout=60)
    for kind, round_, added, deleted in outcomes:
        # By name: SQLite may give a deleted record's id to the next one.
        model, name = (Customer, f"C{round_}") if kind == "customer" else (Lead, f"L{round_}")
        record = model.get_or_none(model.name == name)
        exists = record is not None
        deals_of = record.opportunities.count() if record else 0
        assert (added, deleted) in (("ok", KEPT[kind]), (GONE[kind], "ok")), \
            (kind, added, deleted)
        assert (exists, deals_of) == ((True, 1) if added == "ok" else (False, 0))
