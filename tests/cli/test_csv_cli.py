import csv
import io

from tui_crm.cli import main
from tui_crm.core import customers
from tui_crm.core.db import open_database
from tui_crm.core.models import Customer, Opportunity


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_export_to_standard_output_and_to_a_file(db_url, tmp_path, capsys):
    open_database(db_url)
    customers.create_customer({"name": "Acme [/] \x1b[31mred", "email": "a@acme.example"})
    code, out, err = run(capsys, "export", "customers", "--db", db_url)
    assert (code, err) == (0, "")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert rows[0]["name"] == "Acme [/] \x1b[31mred"  # a pipe gets the data exactly
    assert rows[0]["email"] == "a@acme.example"
    target = tmp_path / "out.csv"
    code, out, err = run(capsys, "--db", db_url, "export", "customers", str(target))
    assert (code, out, err) == (0, f"Exported 1 customer to {target}.\n", "")
    assert target.read_text(encoding="utf-8").splitlines()[0] == (
        "id,name,company,email,phone,notes,created_at,updated_at")


def test_import_then_export_round_trip(db_url, tmp_path, capsys):
    source = tmp_path / "c.csv"
    source.write_text("Name,E Mail\nAcme,buy@acme.example\nBeta,\n", encoding="utf-8")
    open_database(db_url).close()
    code, out, err = run(capsys, "import", "customers", str(source), "--db", db_url)
    assert (code, out, err) == (0, f"Imported 2 customers from {source}.\n", "")
    deals_csv = tmp_path / "d.csv"
    deals_csv.write_text("name,amount,customer,stage\nBig,12.5k,Acme,Proposal\n")
    assert run(capsys, "import", "opportunities", str(deals_csv), "--db", db_url)[0] == 0
    code, out, _ = run(capsys, "export", "opportunities", "-", "--db", db_url)
    row = next(csv.DictReader(io.StringIO(out)))
    assert (row["name"], row["amount"], row["customer"], row["stage"]) == (
        "Big", "12500.00", "Acme", "Proposal")


def test_import_with_bad_lines_reports_each_and_writes_nothing(db_url, tmp_path, capsys):
    path = tmp_path / "bad.csv"
    path.write_text("name,amount,close_date,customer\n"
                    "ok,1,,Acme\n"
                    "bad,abc,,Acme\n"
                    "worse,1,2026-13-45,\x1b]0;pwned\x07\n", encoding="utf-8")
    open_database(db_url)
    customers.create_customer({"name": "Acme"})
    code, out, err = run(capsys, "import", "opportunities", str(path), "--db", db_url)
    assert code == 1 and out == ""
    lines = err.splitlines()
    assert lines[0] == (f"tui-crm: {path}: line 3: amount: Not an amount: use digits, e.g. "
                        "12500, 12,500.50, 12.5k or 1.2m.")
    assert lines[1].startswith(f"tui-crm: {path}: line 4: close_date: No such date")
    assert lines[2] == f"tui-crm: {path}: line 4: customer: no customer named " \
                       "'\\x1b]0;pwned\\x07'."
    assert lines[3] == f"tui-crm: {path}: 2 bad lines; nothing was imported."
    assert len(lines) == 4 and "\x1b" not in err
    open_database(db_url)
    assert Opportunity.select().count() == 0


def test_one_bad_thing_is_one_line(db_url, tmp_path, capsys):
    path = tmp_path / "latin.csv"
    path.write_bytes("name\nJürgen\n".encode("latin-1"))
    open_database(db_url).close()
    code, out, err = run(capsys, "import", "leads", str(path), "--db", db_url)
    assert code == 1 and out == ""
    assert err == (f"tui-crm: {path}: line 2: not UTF-8 text: the file is in another encoding "
                   "(or is not a CSV file); save it as CSV UTF-8 and try again; nothing was "
                   "imported.\n")


def test_import_of_a_missing_file_and_export_to_a_bad_place(db_url, tmp_path, capsys):
    open_database(db_url).close()
    code, _, err = run(capsys, "import", "leads", str(tmp_path / "none.csv"), "--db", db_url)
    assert code == 1 and err.startswith("tui-crm: Cannot read") and err.count("\n") == 1
    code, _, err = run(capsys, "export", "leads", str(tmp_path / "no" / "dir.csv"),
                       "--db", db_url)
    assert code == 1 and err.startswith("tui-crm: Cannot write") and err.count("\n") == 1
    open_database(db_url)
    assert Customer.select().count() == 0
