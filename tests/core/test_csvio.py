import csv
import datetime as dt
import io
from decimal import Decimal
from pathlib import Path

import pytest

from tests.conftest import FROZEN_TODAY
from tests.helpers import assert_stage_totals_exact
from tui_crm.core import activities, contacts, csvio, customers, deals, leads
from tui_crm.core.csvio import ImportFailed, export_csv, import_csv, preview_import
from tui_crm.core.db import open_database
from tui_crm.core.errors import CrmError
from tui_crm.core.models import Activity, ChangeLog, Contact, Customer, Lead, Opportunity
from tui_crm.core.text import printable

DATA = Path(__file__).parent.parent / "data"
HOSTILE = ["Acme [/] Corp [bold]", "[@click=app.quit]x[/]", "evil \x1b]0;pwned\x07 title",
           "tab\there", "line one\nline two", "日本語の会社", "emoji 🦄👩‍👩‍👧", "=SUM(A1:A9)",
           "quote \" and , comma", "x" * 10_000, "\u200b zero width \u202e rtl"]


def exported(kind: str) -> list[dict[str, str]]:
    stream = io.StringIO()
    export_csv(kind, stream)
    return list(csv.DictReader(io.StringIO(stream.getvalue())))


def write_csv(tmp_path: Path, text: str | bytes, name: str = "in.csv") -> Path:
    path = tmp_path / name
    if isinstance(text, str):
        text = text.encode("utf-8")
    path.write_bytes(text)
    return path


def snapshot() -> dict[str, list[tuple]]:
    """Every record's own fields, parents by name: what a round trip must keep."""
    lead_rows = sorted(Lead.select(Lead.name, Lead.company, Lead.email, Lead.phone, Lead.source,
                                   Lead.status, Lead.notes).tuples())
    customer_rows = sorted(Customer.select(Customer.name, Customer.company, Customer.email,
                                           Customer.phone, Customer.notes).tuples())
    deal_rows = sorted(
        ((d.name, d.amount, d.close_date, d.stage_name, d.customer_id and d.parent_name,
          d.lead_id and d.parent_name, d.notes, d.lost_reason, d.owner)
         for d in (deals.get_deal(o.id) for o in Opportunity.select(Opportunity.id))),
        key=repr)
    contact_rows = sorted(Contact.select(Contact.name, Customer.name, Contact.role,
                                         Contact.email, Contact.phone, Contact.notes)
                          .join(Customer).tuples())
    activity_rows = sorted(
        ((a.kind, a.subject, a.due_date, a.due_time, a.done_at, a.owner, a.about, a.notes)
         for a in (activities.get_activity(row.id) for row in Activity.select(Activity.id))),
        key=repr)
    return {"leads": lead_rows, "customers": customer_rows, "opportunities": deal_rows,
            "contacts": contact_rows, "activities": activity_rows}


def fill_source() -> None:
    acme = customers.create_customer({"name": "Acme", "company": "Acme Inc",
                                      "email": "a@acme.example", "notes": HOSTILE[4]})
    ada = leads.create_lead({"name": "Ada", "status": "Qualified", "source": "Web"})
    for i, text in enumerate(HOSTILE):
        customers.create_customer({"name": f"C{i} {text}"[:10_000], "notes": text})
        leads.create_lead({"name": f"L{i} {text}"[:10_000], "company": text})
    deals.create_deal({"name": "Big", "amount": "12,500.50", "close_date": "2026-12-15",
                       "stage": "Negotiation", "customer_id": acme, "owner": "sam"})
    deals.create_deal({"name": "Undated", "amount": "0", "lead_id": ada, "notes": HOSTILE[0]})
    deals.create_deal({"name": "Lost one", "amount": "1.2m", "stage": "ClosedLost",
                       "close_date": "2025-02-01", "lost_reason": "Price", "customer_id": acme})
    won = deals.create_deal({"name": "Won one", "amount": "99.99", "stage": "ClosedWon",
                             "customer_id": acme})
    ann = contacts.create_contact({"name": HOSTILE[1][:200], "role": "=CTO",
                                   "customer_id": acme})
    activities.create_activity({"subject": "Call", "due": "2026-12-01", "due_time": "9:30",
                                "deal_id": won, "notes": HOSTILE[3]})
    activities.create_activity({"subject": "+Met", "contact_id": ann}, done=True)
    activities.create_activity({"subject": "Lead mail", "lead_id": ada, "owner": "bob"})


# --- export ---------------------------------------------------------------------------

def test_export_headers_and_values(db):
    fill_source()
    assert list(exported("leads")[0]) == ["id", "name", "company", "email", "phone", "source",
                                          "status", "notes", "created_at", "updated_at"]
    assert list(exported("customers")[0]) == ["id", "name", "company", "email", "phone",
                                              "notes", "created_at", "updated_at"]
    rows = {row["name"]: row for row in exported("opportunities")}
    assert list(rows["Big"]) == ["id", "name", "amount", "close_date", "stage", "customer",
                                 "lead", "notes", "lost_reason", "owner", "created_at",
                                 "updated_at"]
    assert {k: rows["Big"][k] for k in ("amount", "close_date", "stage", "customer", "lead",
                                        "owner")} == {
        "amount": "12500.50", "close_date": "2026-12-15", "stage": "Negotiation",
        "customer": "Acme", "lead": "", "owner": "sam"}
    assert (rows["Undated"]["close_date"], rows["Undated"]["lead"]) == ("", "Ada")
    assert rows["Undated"]["notes"] == HOSTILE[0]
    assert (rows["Lost one"]["amount"], rows["Lost one"]["lost_reason"]) == ("1200000.00",
                                                                             "Price")
    assert rows["Won one"]["close_date"] == FROZEN_TODAY.isoformat()
    dt.datetime.fromisoformat(rows["Big"]["created_at"])


def test_export_pages_by_id_through_the_whole_table(db, monkeypatch):
    monkeypatch.setattr(csvio, "PAGE", 3)
    for i in range(10):
        customers.create_customer({"name": f"C{9 - i}"})
    seen = []
    rows = exported("customers")
    stream = io.StringIO()
    assert export_csv("customers", stream, progress=lambda d, t: seen.append((d, t))) == 10
    assert [int(row["id"]) for row in rows] == sorted(int(row["id"]) for row in rows)
    assert len(rows) == 10 and seen == [(3, 10), (6, 10), (9, 10), (10, 10)]


def test_export_for_a_terminal_strips_control_characters(db):
    customers.create_customer({"name": HOSTILE[2]})
    stream = io.StringIO()
    export_csv("customers", stream, clean_text=printable)
    assert "\x1b" not in stream.getvalue() and "\x07" not in stream.getvalue()
    assert "evil ]0;pwned title" in stream.getvalue()


def test_export_of_an_unknown_kind(db):
    with pytest.raises(CrmError, match="Unknown kind 'deals'"):
        export_csv("deals", io.StringIO())


# --- round trip -----------------------------------------------------------------------

def test_export_then_import_into_an_empty_database_gives_the_same_records(db_url, tmp_path):
    open_database(str(tmp_path / "source.db"))
    fill_source()
    files = {}
    for kind in csvio.KINDS:
        files[kind] = tmp_path / f"{kind}.csv"
        with files[kind].open("w", encoding="utf-8", newline="") as handle:
            export_csv(kind, handle)
    before = snapshot()
    open_database(db_url)  # empty, on each database
    for kind in csvio.KINDS:
        assert import_csv(kind, files[kind]) == len(before[kind])
    assert snapshot() == before
    assert_stage_totals_exact()


# --- import: what goes in ---------------------------------------------------------------

def test_import_leads_with_headers_in_any_case_order_and_spacing(db, tmp_path):
    path = write_csv(tmp_path, " E-Mail ,NAME,Status,id,Created At\n"
                               "ada@x.example,Ada,qualified,77,2020-01-01\n"
                               "\n"
                               ",Grace,,,\n")
    assert import_csv("leads", path) == 2
    rows = {lead.name: lead for lead in leads.list_leads()}
    assert (rows["Ada"].email, rows["Ada"].status) == ("ada@x.example", "Qualified")
    assert rows["Grace"].status == "New"
    assert rows["Ada"].id != 77  # id is read-only
    assert ChangeLog.select().where((ChangeLog.entity == "lead")
                                    & (ChangeLog.action == "create")).count() == 2
    assert rows["Ada"].updated_by == "tester" and rows["Ada"].version == 1


def test_import_opportunities_by_parent_and_stage_name(db, tmp_path):
    customers.create_customer({"name": "Acme"})
    leads.create_lead({"name": "Ada"})
    path = write_csv(tmp_path, "name,amount,close date,stage,customer,lead,lost reason,owner\n"
                               "Big,12.5k,2026-12-15,negotiation,Acme,,ignored,sam\n"
                               "Small,\"1,000\",,,,Ada,,\n"
                               "Gone,5,,Closed Lost,Acme,,Price,\n"
                               "Won,7,,ClosedWon,Acme,,,\n")
    assert import_csv("opportunities", path) == 4
    rows = {d.name: d for d in (deals.get_deal(o.id) for o in Opportunity.select())}
    assert (rows["Big"].amount, rows["Big"].stage_name, rows["Big"].lost_reason,
            rows["Big"].owner) == (Decimal("12500.00"), "Negotiation", "", "sam")
    assert (rows["Small"].stage_name, rows["Small"].parent_kind, rows["Small"].close_date) == (
        "Qualification", "lead", None)
    assert (rows["Gone"].lost_reason, rows["Gone"].close_date) == ("Price", FROZEN_TODAY)
    assert_stage_totals_exact()


def test_import_progress_counts_bytes(db, tmp_path):
    path = write_csv(tmp_path, "name\n" + "".join(f"N{i}\n" for i in range(5000)))
    seen = []
    import_csv("customers", path, progress=lambda done, total: seen.append((done, total)))
    assert seen[-1] == (path.stat().st_size, path.stat().st_size)
    assert len(seen) >= 3


def test_a_small_file_from_another_crm_in_the_products_columns(db):
    """Fixtures derived from the Maven Analytics sample CRM export (accounts, pipeline)."""
    assert import_csv("customers", DATA / "maven_customers.csv") == 15
    assert import_csv("opportunities", DATA / "maven_opportunities.csv") == 48
    acme = customers.list_customers("Acme Corporation")[0]
    assert acme.notes.startswith("technolgy, est. 1996")
    stages_seen = {d.stage_name for d in (deals.get_deal(o.id) for o in Opportunity.select())}
    assert stages_seen == {"ClosedWon", "ClosedLost", "Proposal", "Qualification"}
    assert_stage_totals_exact()


# --- import: all or nothing -----------------------------------------------------------------

def assert_nothing_written(before_log: int) -> None:
    assert Opportunity.select().count() == 0
    assert ChangeLog.select().count() == before_log


def test_every_bad_line_is_reported_and_nothing_is_written(db, tmp_path, monkeypatch):
    monkeypatch.setattr(csvio, "CHUNK", 2)  # good chunks are written before the bad ones
    customers.create_customer({"name": "Acme"})
    customers.create_customer({"name": "Twin"})
    customers.create_customer({"name": "Twin"})
    leads.create_lead({"name": "Ada"})
    before = ChangeLog.select().count()
    path = write_csv(tmp_path, "\r\n".join([
        "name,amount,close_date,stage,customer,lead",
        "ok,1,,,Acme,",
        "ok too,2,,,Acme,",
        ",abc,2026-13-45,Dreaming,Nobody,",  # line 4
        "neg,-5,,,Acme,",
        "twin,1,,,Twin,",
        "both,1,,,Acme,Ada",
        "none,1,,,,",
        '"multi\nline",1,,,Acme,',  # lines 9-10: fine
        "after,x,,,Acme,",  # line 11
        "extra,1,,,Acme,,surplus",
    ]) + "\r\n")
    with pytest.raises(ImportFailed) as info:
        import_csv("opportunities", path)
    got = {(e.line, e.column) for e in info.value.errors}
    assert got == {(4, "name"), (4, "amount"), (4, "close_date"), (4, "stage"),
                   (4, "customer"), (5, "amount"), (6, "customer"), (7, "customer"),
                   (8, "customer"), (11, "amount"), (12, None)}
    messages = {(e.line, e.column): e.message for e in info.value.errors}
    assert "No such date" in messages[(4, "close_date")]
    assert "no customer named 'Nobody'" in messages[(4, "customer")]
    assert "2 customers are named 'Twin'" in messages[(6, "customer")]
    assert "either a customer or a lead" in messages[(7, "customer")]
    assert "negative" in messages[(5, "amount")]
    assert "7 fields" in messages[(12, None)]
    assert str(info.value) == "7 bad lines; nothing was imported."
    assert_nothing_written(before)
    assert_stage_totals_exact()


@pytest.mark.parametrize(("kind", "text", "expected"), [
    ("leads", "name,email\nAda,ada.example.com\n", "line 2: email: Not an e-mail"),
    ("leads", "name,status\nAda,Warm\n", "line 2: status: Status must be one of"),
    ("customers", "name,notes\n  ,\n\"  \",x\n", "line 3: name: Name is required"),
    ("customers", "name,notes\nAda," + "x" * 10_001 + "\n", "line 2: notes: Too long"),
    ("customers", "name,notes\nAda,\"" + "x" * 200_000 + "\"\n", "longer than 131,072"),
    ("customers", "name,sector,revenue\n", "unknown columns sector, revenue; customers take"),
    ("customers", "company\nAcme\n", "line 1: no name column"),
    ("customers", "name,Name\nA,B\n", "column name appears twice"),
    ("customers", "", "the file is empty: it needs a header row"),
    ("customers", "name\n\"unterminated\n", "not valid CSV"),
    ("customers", '{"name": "Acme"}\n', "unknown column"),
])
def test_bad_files_are_refused_with_one_clear_message(db, tmp_path, kind, text, expected):
    with pytest.raises(ImportFailed) as info:
        import_csv(kind, write_csv(tmp_path, text))
    assert expected in str(info.value)
    assert "nothing was imported" in str(info.value)
    assert Customer.select().count() == 0 and Lead.select().count() == 0


def test_a_file_in_another_encoding_names_the_line(db, tmp_path):
    path = write_csv(tmp_path, "name,company\nAda,Engines\nJürgen,Müller GmbH\n"
                     .encode("latin-1"))
    with pytest.raises(ImportFailed, match="line 3: not UTF-8 text") as info:
        import_csv("leads", path)
    assert len(info.value.errors) == 1 and Lead.select().count() == 0


@pytest.mark.parametrize("content", [b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\xff\xfe",
                                     "name\n".encode("utf-16")])
def test_a_binary_file_is_refused(db, tmp_path, content):
    with pytest.raises(ImportFailed, match="line 1: not UTF-8 text"):
        import_csv("leads", write_csv(tmp_path, content))


def test_missing_file_is_a_clear_error(db, tmp_path):
    with pytest.raises(CrmError, match="Cannot read .*nope.csv"):
        import_csv("leads", tmp_path / "nope.csv")


def test_hostile_values_are_stored_as_typed(db, tmp_path):
    rows = [text for text in HOSTILE if len(text) <= 10_000]
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["name", "notes"])
    for i, text in enumerate(rows):
        writer.writerow([f"N{i}", text])
    writer.writerow(["nul\x00byte", "a\x00b"])
    path = write_csv(tmp_path, "\ufeff" + buffer.getvalue())  # with a BOM, as Excel writes
    assert import_csv("customers", path) == len(rows) + 1
    stored = {c.name: c.notes for c in customers.list_customers(limit=100)}
    assert [stored[f"N{i}"] for i in range(len(rows))] == [t.strip() for t in rows]
    assert stored["nulbyte"] == "ab"


@pytest.mark.parametrize("sep", [";", "\t"])
def test_semicolon_and_tab_separated_files(db, tmp_path, sep):
    path = write_csv(tmp_path, f"name{sep}amount{sep}customer\r\n"
                               f"Big{sep}\"12,5k\"{sep}Acme\r\nSmall{sep}1,000{sep}Acme\r\n")
    customers.create_customer({"name": "Acme"})
    with pytest.raises(ImportFailed, match="line 2: amount: Not an amount"):
        import_csv("opportunities", path)  # a decimal comma is not an amount
    path.write_text(path.read_text().replace("12,5k", "12.5k"))
    assert import_csv("opportunities", path) == 2
    assert sorted(d.amount for d in deals.deals_of(customer_id=1)) == [Decimal("1000.00"),
                                                                        Decimal("12500.00")]


def test_header_only_imports_nothing(db, tmp_path):
    assert import_csv("leads", write_csv(tmp_path, "name,company\n")) == 0


# --- preview for the app -------------------------------------------------------------------

def test_preview_shows_the_first_rows_and_every_error_without_writing(db, tmp_path):
    customers.create_customer({"name": "Acme"})
    before = ChangeLog.select().count()
    lines = ["name,amount,close_date,customer"] + [f"D{i},{i}k,2026-12-0{i % 9 + 1},Acme"
                                                     for i in range(30)]
    lines += ["bad,abc,,Acme", "worse,1,,Nobody"]
    preview = preview_import("opportunities", write_csv(tmp_path, "\n".join(lines)), limit=5)
    assert not preview.ok and preview.total == 30
    assert [str(e) for e in preview.errors] == [
        "line 32: amount: Not an amount: use digits, e.g. 12500, 12,500.50, 12.5k or 1.2m.",
        "line 33: customer: no customer named 'Nobody'."]
    assert preview.columns == csvio.DEAL_FIELDS
    assert preview.rows[1] == {"name": "D1", "amount": "1000.00", "close_date": "2026-12-02",
                               "stage": "Qualification", "customer": "Acme", "lead": "",
                               "notes": "", "lost_reason": "", "owner": ""}
    assert len(preview.rows) == 5
    assert Opportunity.select().count() == 0 and ChangeLog.select().count() == before


def test_preview_reports_file_problems_as_errors(db, tmp_path):
    preview = preview_import("leads", write_csv(tmp_path, "who,what\n"))
    assert not preview.ok and preview.rows == []
    assert str(preview.errors[0]).startswith("line 1: unknown columns who, what")


# --- the real export of another CRM --------------------------------------------------------

# shared/ sits beside the repository (CI) or beside the folder of work trees.
_ROOT = Path(__file__).resolve().parents[2]
MAVEN = next((p / "shared" / "data" / "maven-crm" for p in (_ROOT.parent, _ROOT.parent.parent)
              if (p / "shared" / "data" / "maven-crm").is_dir()), Path("/nonexistent"))


@pytest.mark.skipif(not MAVEN.is_dir(), reason="the shared sample data is not beside the repo")
@pytest.mark.parametrize(("kind", "name", "unknown"), [
    ("opportunities", "sales_pipeline.csv", "opportunity_id, sales_agent, product, account"),
    ("customers", "accounts.csv", "account, sector, year_established"),
    ("leads", "sales_teams.csv", "sales_agent, manager, regional_office"),
])
def test_another_crms_columns_are_named_in_a_clear_error(db, kind, name, unknown):
    with pytest.raises(ImportFailed) as info:
        import_csv(kind, MAVEN / name)
    assert unknown in str(info.value)
