"""Totals at the limit of 64-bit cents: every write that would pass it is refused,
and the totals stay exact integers up to it (SQLite would silently turn a sum
past it into a REAL, PostgreSQL refuse it with a raw error)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from peewee import SqliteDatabase

from tui_crm.cli import main
from tui_crm.core import bulk, customers, deals, stages, totals
from tui_crm.core.dates import Quarter
from tui_crm.core.errors import CrmError
from tui_crm.core.forecast import forecast
from tui_crm.core.models import Opportunity, StageDayTotal, StageTotal, db, now
from tui_crm.core.money import MAX_AMOUNT, from_cents, to_cents

LIMIT = 2**63 - 1
BIGGEST = to_cents(MAX_AMOUNT)
FULL = LIMIT // BIGGEST  # deals at the largest amount that fit under the limit
ROOM = LIMIT - FULL * BIGGEST  # what is left then: less than one more such deal
CLOSE = "2026-12-01"


def fill(customer_id: int, stage_id: int) -> None:
    """FULL deals at the largest amount, loaded in bulk as an import would."""
    at = now().isoformat(sep=" ")
    with db.obj.atomic():
        bulk.insert_rows(Opportunity, ("name", "amount_cents", "close_date", "stage",
                                       "customer", "created_at", "created_by", "updated_at",
                                       "updated_by", "version", "notes", "lost_reason",
                                       "owner"),
                         ((f"Big {i}", BIGGEST, CLOSE, stage_id, customer_id, at, "t", at, "t",
                           1, "", "", "") for i in range(FULL)))
        totals.recompute()


def all_integers() -> bool:
    if not isinstance(db.obj, SqliteDatabase):
        return True  # bigint columns: PostgreSQL holds nothing else
    tables = (StageTotal._meta.table_name, StageDayTotal._meta.table_name)
    kinds = {kind for table in tables for (kind,) in db.obj.execute_sql(
        f'SELECT DISTINCT typeof(amount_cents) FROM "{table}"')}
    return kinds == {"integer"}


@pytest.fixture
def full(db, tmp_path):
    acme = customers.create_customer({"name": "Acme"})
    proposal = stages.stage_named("Proposal")
    fill(acme, proposal.id)
    return acme


def test_totals_are_exact_up_to_the_limit_and_refuse_to_pass_it(full, db_url, tmp_path,
                                                                 capsys):
    last = deals.create_deal({"name": "Exactly at the limit", "amount": from_cents(ROOM),
                              "close_date": CLOSE, "stage": "Negotiation",
                              "customer_id": full})
    assert sum(t.amount_cents for t in StageTotal.select()) == LIMIT
    assert all_integers()
    result = forecast(Quarter(2026, 4))
    assert result.total.amount == from_cents(LIMIT) == Decimal("92233720368547758.07")
    assert result.total.count == FULL + 1

    with pytest.raises(CrmError, match=r"past 92,233,720,368,547,758\.07.*nothing was saved"):
        deals.create_deal({"name": "One cent more", "amount": "0.01", "customer_id": full})
    with pytest.raises(CrmError, match="past 92,233,720,368,547,758.07"):
        deals.update_deal(last, {"amount": from_cents(ROOM + 1)})
    assert Opportunity.select().count() == FULL + 1
    assert deals.get_deal(last).amount == from_cents(ROOM)

    deals.move_deal(last, stages.stage_named("Proposal").id)  # a move adds nothing
    deals.update_deal(last, {"amount": from_cents(ROOM - 1)})  # less is always fine
    deals.create_deal({"name": "The cent back", "amount": "0.01", "customer_id": full})
    assert sum(t.amount_cents for t in StageTotal.select()) == LIMIT
    assert sum(t.amount_cents for t in StageDayTotal.select()) == LIMIT
    assert all_integers()

    source = tmp_path / "deals.csv"  # an import that would pass it fails whole
    source.write_text("name,amount,customer\nFits,0,Acme\nTips it over,0.01,Acme\n")
    code = main(["import", "opportunities", str(source), "--db", db_url])
    out, err = capsys.readouterr()
    assert (code, out) == (1, "")
    assert err == "tui-crm: This would take the total of all deals past " \
                  "92,233,720,368,547,758.07, the most tui-crm can add up exactly; nothing " \
                  "was saved.\n"
    assert Opportunity.select().count() == FULL + 2
    assert sum(t.amount_cents for t in StageTotal.select()) == LIMIT
    assert all_integers()
