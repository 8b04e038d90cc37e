import datetime as dt

import peewee
import pytest
from peewee import fn

from tests.conftest import FROZEN_TODAY
from tests.helpers import assert_stage_totals_exact
from tui_crm.core import customers, demo, leads
from tui_crm.core.db import open_database
from tui_crm.core.errors import CrmError
from tui_crm.core.models import Customer, Lead, Opportunity, Stage


def deal_table() -> list[tuple]:
    return list(Opportunity.select(
        Opportunity.name, Opportunity.amount_cents, Opportunity.close_date, Opportunity.stage,
        Opportunity.customer, Opportunity.lead, Opportunity.lost_reason, Opportunity.owner,
        Opportunity.created_at).order_by(Opportunity.id).tuples())


def test_demo_data_is_realistic(db):
    assert demo.is_empty()
    summary = demo.load_demo(deals=1500, seed=5)
    assert not demo.is_empty()
    assert (Lead.select().count(), Customer.select().count(), Opportunity.select().count()) \
        == (summary.leads, summary.customers, 1500)
    by_stage = dict(Opportunity.select(Stage.name, fn.COUNT(Opportunity.id)).join(Stage)
                    .group_by(Stage.name).tuples())
    assert set(by_stage) == {"Qualification", "Proposal", "Negotiation", "ClosedWon",
                             "ClosedLost"}
    lost = Opportunity.select().join(Stage).where(Stage.kind == "lost")
    reasons = {d.lost_reason for d in lost}
    assert len(reasons - {""}) >= 4 and "" in reasons
    assert not Opportunity.select().join(Stage).where(
        (Stage.kind != "lost") & (Opportunity.lost_reason != "")).exists()
    open_deals = Opportunity.select().join(Stage).where(Stage.kind == "open")
    assert open_deals.where(Opportunity.close_date.is_null()).count() > 0
    assert not Opportunity.select().join(Stage).where(
        (Stage.kind != "open") & Opportunity.close_date.is_null()).exists()
    first, last = Opportunity.select(fn.MIN(Opportunity.close_date),
                                     fn.MAX(Opportunity.close_date)).tuples().get()
    first, last = (dt.date.fromisoformat(str(x)) for x in (first, last))
    assert first <= FROZEN_TODAY - dt.timedelta(days=700) and last > FROZEN_TODAY
    assert Opportunity.select(Opportunity.owner).distinct().count() >= 5
    assert Opportunity.select().where(Opportunity.lead.is_null(False)).count() > 0
    assert Opportunity.select().where(Opportunity.amount_cents <= 0).count() == 0
    statuses = {lead.status for lead in Lead.select()}
    assert statuses >= {"New", "Converted", "Qualified"}
    converted = Lead.select().where(Lead.status == "Converted")
    assert all(leads.get_lead(lead.id).customer_id for lead in converted)
    assert not Opportunity.select().where(Opportunity.lead.in_(converted)).exists()
    assert Customer.select(Customer.name).distinct().count() == summary.customers
    assert Lead.select(Lead.name).distinct().count() == summary.leads
    assert_stage_totals_exact()


def test_the_same_seed_gives_the_same_data(tmp_path):
    tables = []
    for name, seed in (("a", 9), ("b", 9), ("c", 10)):
        database = open_database(str(tmp_path / f"{name}.db"))
        demo.load_demo(deals=300, seed=seed)
        tables.append(deal_table())
        database.close()
    assert tables[0] == tables[1]
    assert tables[0] != tables[2]


def test_a_database_with_records_is_refused_unless_forced(db):
    customers.create_customer({"name": "Mine"})
    with pytest.raises(CrmError, match="already holds records.*--force"):
        demo.load_demo(deals=50)
    assert Opportunity.select().count() == 0 and Customer.select().count() == 1
    summary = demo.load_demo(deals=50, force=True)
    assert Customer.select().count() == 1 + summary.customers
    assert customers.get_customer(1).name == "Mine"
    # ids continue after the bulk load, on both databases
    assert leads.create_lead({"name": "After"}) > summary.leads
    assert_stage_totals_exact()


TABLES = ("lead", "customer", "contact", "opportunity", "activity")


def test_a_big_load_rebuilds_the_indexes(db, monkeypatch):
    monkeypatch.setattr(demo, "BIG_LOAD", 10)

    def schema():
        return {table: ({(i.name, tuple(i.columns)) for i in db.get_indexes(table)},
                        {(k.column, k.dest_table) for k in db.get_foreign_keys(table)})
                for table in TABLES}

    before = schema()
    seen = []
    demo.load_demo(deals=200, progress=lambda done, total: seen.append((done, total)))
    assert seen[-1][0] == seen[-1][1] == 200 + sum(demo.sizes(200)[:2])
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)
    assert schema() == before  # indexes and foreign keys (dropped on PostgreSQL) back
    assert len(before["opportunity"][0]) >= 3 and len(before["opportunity"][1]) == 3
    assert_stage_totals_exact()
    with pytest.raises(peewee.IntegrityError):  # the foreign keys hold again
        Opportunity.update(customer=10**9).where(Opportunity.id == 1).execute()


def test_bad_sizes_are_refused(db):
    with pytest.raises(CrmError, match="between 0 and"):
        demo.load_demo(deals=-1)
    assert demo.load_demo(deals=0).deals == 0
