"""Activities and contacts: planned and logged, next steps, what a record's panel lists."""

import datetime as dt

import pytest

from tests.conftest import FROZEN_TODAY
from tests.helpers import log_rows, statements
from tui_crm.core import activities, contacts, customers, deals, leads, settings
from tui_crm.core.errors import CrmError, ValidationError

DAY = dt.timedelta(days=1)


@pytest.fixture
def acme(db):
    customer = customers.create_customer({"name": "Acme [/] Corp"})
    deal = deals.create_deal({"name": "Rollout", "customer_id": customer, "amount": "5k"})
    return customer, deal


def test_planned_and_logged_activities_with_who_and_when(acme):
    customer, deal = acme
    planned = activities.create_activity({"subject": "Call about the discount", "kind": "call",
                                          "due": "2026-11-10", "due_time": "9:30",
                                          "deal_id": deal})
    logged = activities.create_activity({"subject": "Called: they want a discount",
                                         "customer_id": customer}, done=True)
    row = activities.get_activity(planned)
    assert (row.kind, row.due_date, row.due_time, row.owner, row.is_done, row.about) == \
        ("Call", dt.date(2026, 11, 10), "09:30", "tester", False, "Rollout")
    assert row.is_overdue(FROZEN_TODAY)
    done = activities.get_activity(logged)
    assert done.is_done and done.done_by == "tester" and done.about == "Acme [/] Corp"
    assert log_rows("activity", planned)[0][0] == "create"


@pytest.mark.parametrize("data, field", [
    ({"subject": "", "deal_id": 1}, "subject"),
    ({"subject": "x"}, "about"),
    ({"subject": "x", "deal_id": 999}, "about"),
    ({"subject": "x", "deal_id": 1, "kind": "Telegram"}, "kind"),
    ({"subject": "x", "deal_id": 1, "due": "2026-13-45"}, "due"),
    ({"subject": "x", "deal_id": 1, "due_time": "25:00"}, "due_time"),
])
def test_bad_activities_name_the_field_and_write_nothing(acme, data, field):
    with pytest.raises(ValidationError) as caught:
        activities.create_activity(data)
    assert field in caught.value.errors
    assert activities.activities_of(deal_id=acme[1]) == []


def test_next_step_is_the_earliest_open_activity(acme):
    _, deal = acme
    assert activities.next_step(deal) is None
    undated = activities.create_activity({"subject": "Some day", "deal_id": deal})
    later = activities.create_activity({"subject": "Later", "deal_id": deal,
                                        "due": FROZEN_TODAY + 9 * DAY})
    sooner = activities.create_activity({"subject": "Sooner", "deal_id": deal,
                                         "due": FROZEN_TODAY + 2 * DAY})
    assert activities.next_step(deal).id == sooner
    activities.complete_activity(sooner)
    assert activities.next_step(deal).id == later
    activities.complete_activity(later)
    assert activities.next_step(deal).id == undated
    listed = [a.subject for a in activities.activities_of(deal_id=deal)]
    assert listed[0] == "Some day" and set(listed[1:]) == {"Later", "Sooner"}  # open first


def test_snooze_and_reopen(acme):
    _, deal = acme
    task = activities.create_activity({"subject": "Chase", "deal_id": deal,
                                       "due": FROZEN_TODAY - 3 * DAY})
    assert activities.snooze_activity(task).due_date == FROZEN_TODAY + DAY
    assert activities.snooze_activity(task, 7).due_date == FROZEN_TODAY + 7 * DAY
    activities.complete_activity(task)
    with pytest.raises(CrmError, match="done already"):
        activities.snooze_activity(task)
    assert not activities.reopen_activity(task).is_done


def test_a_customers_panel_lists_its_own_its_deals_and_its_contacts_activities(acme):
    customer, deal = acme
    ann = contacts.create_contact({"name": "Ann", "role": "CTO", "customer_id": customer})
    other = customers.create_customer({"name": "Other"})
    for data in ({"subject": "About the deal", "deal_id": deal},
                 {"subject": "About Ann", "contact_id": ann},
                 {"subject": "About Acme", "customer_id": customer},
                 {"subject": "Elsewhere", "customer_id": other}):
        activities.create_activity(data)
    shown = {a.subject for a in activities.activities_of(customer_id=customer)}
    assert shown == {"About the deal", "About Ann", "About Acme"}
    assert [c.name for c in contacts.contacts_of(customer)] == ["Ann"]


def test_activity_kinds_come_from_the_settings(acme):
    settings.set_list("activity_kinds", ["Call", " Visit ", "call", ""])
    assert settings.get_list("activity_kinds") == ["Call", "Visit"]
    activity = activities.create_activity({"subject": "Drop by", "kind": "visit",
                                           "deal_id": acme[1]})
    assert activities.get_activity(activity).kind == "Visit"
    with pytest.raises(ValidationError):
        activities.create_activity({"subject": "x", "kind": "Meeting", "deal_id": acme[1]})
    with pytest.raises(CrmError, match="at least one"):
        settings.set_list("activity_kinds", [])


def test_lost_reasons_are_a_settings_list(db):
    assert settings.get_list("lost_reasons")[:2] == ["Price", "No budget"]
    settings.set_list("lost_reasons", ["Price", "Too slow"])
    assert settings.get_list("lost_reasons") == ["Price", "Too slow"]
    assert log_rows("setting", 0)[-1][1] == "lost_reasons"


def test_promoting_a_lead_makes_its_person_the_first_contact(db):
    lead = leads.create_lead({"name": "Grace Hopper", "email": "grace@navy.example",
                              "phone": "+1 555"})
    customer = leads.promote_lead(lead, {"name": "Navy"})
    (contact,) = contacts.contacts_of(customer)
    assert (contact.name, contact.email, contact.phone) == ("Grace Hopper",
                                                            "grace@navy.example", "+1 555")


def test_a_contact_belongs_to_a_customer(db):
    with pytest.raises(ValidationError) as caught:
        contacts.create_contact({"name": "Nobody's"})
    assert "customer" in caught.value.errors


def test_deleting_a_deal_takes_its_activities(acme):
    _, deal = acme
    task = activities.create_activity({"subject": "Chase", "deal_id": deal})
    deals.delete_deal(deal)
    with pytest.raises(CrmError):
        activities.get_activity(task)


def test_every_new_deal_has_an_owner(acme):
    _, deal = acme
    assert deals.get_deal(deal).owner == "tester"


def test_a_records_activities_are_read_through_its_own_indexes(sqlite_db):
    """The detail panels' reads: each part seeks the record's index (open or done), never
    the open activities of everyone."""
    from tui_crm.core import customers, deals, leads

    acme = customers.create_customer({"name": "Acme"})
    deal = deals.create_deal({"name": "Pilot", "amount": "1", "customer_id": acme})
    lead = leads.create_lead({"name": "Grace"})
    activities.create_activity({"subject": "Call", "deal_id": deal})
    activities.create_activity({"subject": "Met", "customer_id": acme}, done=True)
    with statements(sqlite_db) as issued:
        for_acme = activities.activities_of(customer_id=acme, limit=5)
        activities.activities_of(lead_id=lead, limit=5)
    assert [row.subject for row in for_acme] == ["Call", "Met"]
    reads = [(sql, params) for sql, params in issued if 'FROM "activity"' in sql]
    assert len(reads) == 10
    for sql, params in reads:
        plan = [row[3] for row in sqlite_db.execute_sql("EXPLAIN QUERY PLAN " + sql, params)]
        own = [step for step in plan if step.startswith(("SEARCH t1", "SCAN t1"))]
        assert len(own) == 1 and own[0].startswith("SEARCH t1 USING INDEX activity_") \
            and "_id_done_at_due_date" in own[0], plan
