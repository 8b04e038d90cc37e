"""A deal's timeline: one entry per save, newest first, with names and amounts."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from tui_crm.core import changelog, customers, deals, leads
from tui_crm.core.history import FieldChange, timeline


def test_moves_and_edits_with_who_and_when(db):
    lead = leads.create_lead({"name": "Ada"})
    acme = customers.create_customer({"name": "Acme"})
    deal = deals.create_deal({"name": "Rollout", "amount": "12500", "lead_id": lead,
                              "close_date": dt.date(2026, 12, 1)})
    changelog.set_user("alice")
    deals.step_deal(deal, +1)
    changelog.set_user("bob")
    deals.update_deal(deal, {"amount": "15k", "customer_id": acme, "lead_id": None})

    newest, moved, created = timeline("opportunity", deal)
    assert (newest.user, newest.action) == ("bob", "update")
    assert set(newest.changes) == {FieldChange("amount_cents", Decimal("12500.00"),
                                               Decimal("15000.00")),
                                   FieldChange("customer", None, "Acme"),
                                   FieldChange("lead", "Ada", None)}
    assert (moved.user, moved.action) == ("alice", "move")
    assert FieldChange("stage", "Qualification", "Proposal") in moved.changes
    assert (created.user, created.action) == ("tester", "create")
    assert FieldChange("close_date", None, dt.date(2026, 12, 1)) in created.changes
    assert created.changes[0].field == "name", "a save's fields in the order written"
    assert all(isinstance(entry.at, dt.datetime) for entry in (newest, moved, created))


def test_a_deleted_stage_or_parent_shows_its_id(db):
    acme = customers.create_customer({"name": "Acme"})
    deal = deals.create_deal({"name": "Rollout", "customer_id": acme})
    changelog.record("opportunity", deal, "update", {"customer": (999, acme)})
    assert timeline("opportunity", deal)[0].changes == (FieldChange("customer", "#999", "Acme"),)
