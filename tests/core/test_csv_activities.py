"""Contacts and activities as CSV: exported with their parents named, imported back
exactly, bad lines reported by line and nothing written."""

import datetime as dt

import pytest

from tui_crm.core import activities, contacts, csvio, customers, deals, leads
from tui_crm.core.models import Activity, Contact


def rows(model, *fields):
    return [tuple(getattr(row, f) if f not in ("deal", "customer", "lead", "contact")
                  else row.__data__.get(f) for f in fields)
            for row in model.select().order_by(model.id)]


CONTACT = ("name", "customer", "role", "email", "phone", "notes")
ACTIVITY = ("kind", "subject", "due_date", "due_time", "done_at", "done_by", "owner", "deal",
            "customer", "lead", "contact", "notes")


def test_contacts_and_activities_round_trip(db, tmp_path):
    acme = customers.create_customer({"name": "Acme [/] Corp"})
    lead = leads.create_lead({"name": "=Lead"})
    ann = contacts.create_contact({"name": "Ann", "role": "+CTO", "customer_id": acme,
                                   "phone": "+1 555"})
    twins = [deals.create_deal({"name": "Renewal", "customer_id": acme}) for _ in range(2)]
    activities.create_activity({"subject": "Call", "kind": "call", "due": "2026-11-20",
                                "due_time": "09:30", "deal_id": twins[1], "owner": "bob"})
    activities.create_activity({"subject": "=Met", "contact_id": ann, "notes": "line\nline"},
                               done=True)
    activities.create_activity({"subject": "Mail", "lead_id": lead, "customer_id": acme})
    before_contacts, before_activities = rows(Contact, *CONTACT), rows(Activity, *ACTIVITY)
    for kind in ("contacts", "activities"):
        assert csvio.export_file(kind, tmp_path / f"{kind}.csv") == \
            len(before_contacts if kind == "contacts" else before_activities)
    Activity.delete().execute()
    Contact.delete().execute()
    assert csvio.import_csv("contacts", tmp_path / "contacts.csv") == 1
    assert rows(Contact, *CONTACT) == before_contacts
    # The contact came back with a new id: the file names it by name and old id.
    text = (tmp_path / "activities.csv").read_text()
    new_id = Contact.get().id
    (tmp_path / "activities.csv").write_text(text.replace(f"Ann #{ann}", f"Ann #{new_id}"))
    assert csvio.import_csv("activities", tmp_path / "activities.csv") == 3
    after = rows(Activity, *ACTIVITY)
    assert [a[:10] + a[11:] for a in after] == [b[:10] + b[11:] for b in before_activities]
    assert after[1][10] == new_id


@pytest.mark.parametrize("text, problem", [
    ("name,customer\nAnn,\n", "line 2: customer: a contact belongs to a customer"),
    ("name,customer\nAnn,Nobody\n", "line 2: customer: no customer named 'Nobody'"),
    ("name,customer\n,Acme\n", "line 2: name: Name is required"),
])
def test_bad_contacts_are_reported_by_line(db, tmp_path, text, problem):
    customers.create_customer({"name": "Acme"})
    path = tmp_path / "contacts.csv"
    path.write_text(text)
    with pytest.raises(csvio.ImportFailed) as caught:
        csvio.import_csv("contacts", path)
    assert str(caught.value.errors[0]).startswith(problem)
    assert Contact.select().count() == 0


def test_bad_activities_are_reported_by_line_and_nothing_is_written(db, tmp_path):
    acme = customers.create_customer({"name": "Acme"})
    for _ in range(2):
        deals.create_deal({"name": "Twin", "customer_id": acme})
    path = tmp_path / "activities.csv"
    path.write_text("subject,kind,due,done_at,deal,customer\n"
                    "Fine,Call,2026-12-01,,,Acme\n"
                    ",Call,,,,Acme\n"
                    "X,Telegram,,,,Acme\n"
                    "X,,2026-12-01 25:00,,,Acme\n"
                    "X,,,yesterday,,Acme\n"
                    "X,,,,Twin,\n"
                    "X,,,,,\n")
    with pytest.raises(csvio.ImportFailed) as caught:
        csvio.import_csv("activities", path)
    found = [(e.line, e.column) for e in caught.value.errors]
    assert found == [(3, "subject"), (4, "kind"), (5, "due"), (6, "done_at"), (7, "deal"),
                     (8, "deal")]
    assert "2 deals are named 'Twin'" in str(caught.value.errors[4])
    assert Activity.select().count() == 0


def test_activity_dates_follow_the_date_format(db, tmp_path):
    acme = customers.create_customer({"name": "Acme"})
    path = tmp_path / "activities.csv"
    path.write_text("subject,due,customer\nCall,15-12-26,Acme\n")
    options = csvio.ImportOptions(date_format="%d-%m-%y")
    assert csvio.import_file("activities", path, options).added == 1
    assert Activity.get().due_date == dt.date(2026, 12, 15)
    assert Activity.get().__data__["customer"] == acme
