"""CSV at its edges: formula-like text, amounts finer than a cent, hostile files,
and how the problems of a bad file are reported."""

from __future__ import annotations

import csv
import io
import os
import pty
import subprocess
import sys

from tests.cli.test_files_cli import run
from tui_crm.core import customers, deals
from tui_crm.core.db import open_database
from tui_crm.core.models import Customer, Opportunity

FORMULAS = ["=HYPERLINK(\"http://evil.example\",\"x\")", "+1 555 0100", "-2+3", "@SUM(A1)",
            "'=already quoted", "''+twice"]


def test_export_neutralises_formulas_and_import_gives_them_back(db_url, tmp_path, capsys):
    open_database(db_url)
    ids = [customers.create_customer({"name": f"C{i}", "company": text, "phone": text})
           for i, text in enumerate(FORMULAS)]
    evil = customers.create_customer({"name": FORMULAS[0]})
    deals.create_deal({"name": "=1+1", "amount": "12.50", "customer_id": evil,
                       "notes": "-notes"})
    code, out, _ = run(capsys, "export", "customers", "--db", db_url)
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    assert [row["company"] for row in rows[:len(ids)]] == ["'" + t for t in FORMULAS]
    assert rows[-1]["name"] == "'" + FORMULAS[0] and rows[-1]["company"] == ""
    deals_csv = tmp_path / "deals.csv"
    assert run(capsys, "export", "opportunities", str(deals_csv), "--db", db_url)[0] == 0
    row = next(csv.DictReader(deals_csv.open(encoding="utf-8", newline="")))
    assert (row["name"], row["amount"], row["customer"], row["notes"]) == (
        "'=1+1", "12.50", "'" + FORMULAS[0], "'-notes")
    code, out, _ = run(capsys, "export", "customers", "--raw", "--db", db_url)
    assert [r["company"] for r in csv.DictReader(io.StringIO(out))][:len(ids)] == FORMULAS

    customers_csv = tmp_path / "customers.csv"
    customers_csv.write_text(
        run(capsys, "export", "customers", "--db", db_url)[1], encoding="utf-8")
    target = str(tmp_path / "target.db")
    assert run(capsys, "import", "customers", str(customers_csv), "--db", target)[0] == 0
    assert run(capsys, "import", "opportunities", str(deals_csv), "--db", target)[0] == 0
    assert sorted(c.company for c in Customer.select()) == sorted([*FORMULAS, ""])
    deal = Opportunity.get()
    assert (deal.name, deal.notes, deal.customer.name) == ("=1+1", "-notes", FORMULAS[0])


def test_amounts_finer_than_a_cent_are_refused_by_line(db_url, tmp_path, capsys):
    open_database(db_url)
    customers.create_customer({"name": "Acme"})
    source = tmp_path / "deals.csv"
    source.write_text("name,amount,customer\nA,0.004999,Acme\nB,1.005,Acme\nC,1.50,Acme\n")
    code, out, err = run(capsys, "import", "opportunities", str(source), "--db", db_url)
    assert (code, out) == (1, "")
    message = "amount: At most two decimals (cents): an amount is never rounded."
    assert err.splitlines() == [f"tui-crm: {source}: line 2: {message}",
                                f"tui-crm: {source}: line 3: {message}",
                                f"tui-crm: {source}: 2 bad lines; nothing was imported."]
    assert Opportunity.select().count() == 0


def test_export_to_a_terminal_drops_control_and_bidirectional_characters(tmp_path):
    path = str(tmp_path / "crm.db")
    open_database(path)
    customers.create_customer({"name": "Evil \x1b]0;title\x07 \u202eexe.pdf\u2069"})
    leader, follower = pty.openpty()
    process = subprocess.Popen([sys.executable, "-m", "tui_crm", "export", "customers",
                                "--db", path], stdout=follower, stderr=subprocess.PIPE)
    os.close(follower)
    shown = b""
    while True:
        try:
            chunk = os.read(leader, 4096)
        except OSError:  # the terminal closed with the process
            break
        if not chunk:
            break
        shown += chunk
    assert process.wait() == 0
    os.close(leader)
    text = shown.decode("utf-8")
    assert "Evil ]0;title exe.pdf" in text
    assert not any(c in text for c in "\x1b\x07\u202e\u2069")


def test_an_endless_file_keeps_memory_flat(tmp_path):
    """/dev/zero has no line end: without a bound, reading its first line eats memory
    until the process dies. With 300 MB of address space, it must end in a sentence."""
    import resource

    def limited():
        resource.setrlimit(resource.RLIMIT_AS, (300 << 20, 300 << 20))

    open_database(str(tmp_path / "crm.db")).close()  # not new: no "Created ..." line
    done = subprocess.run([sys.executable, "-m", "tui_crm", "import", "leads", "/dev/zero",
                           "--db", str(tmp_path / "crm.db")], preexec_fn=limited,
                          capture_output=True, text=True, timeout=120)
    assert (done.returncode, done.stdout) == (1, "")
    assert done.stderr == "tui-crm: /dev/zero: line 1: over 1,048,576 bytes without the end " \
                          "of a line: this is not a CSV file (or a quote is never closed); " \
                          "nothing was imported.\n"


def test_a_quote_never_closed_is_bounded_too(db_url, tmp_path, capsys):
    source = tmp_path / "leads.csv"
    with source.open("w") as handle:
        handle.write('name,notes\nAda,"starts here\n')
        handle.writelines("and goes on\n" for _ in range(20_000))
    code, out, err = run(capsys, "import", "leads", str(source), "--db", db_url)
    assert (code, out) == (1, "")
    assert "a value is longer than 131,072 characters; nothing was imported." in err
    # Many short values, each running over a line: the row as a whole is bounded.
    with source.open("w") as handle:
        handle.write('name,notes\nAda,"x')
        handle.writelines('\n","x' for _ in range(400_000))
    code, out, err = run(capsys, "import", "leads", str(source), "--db", db_url)
    assert (code, out) == (1, "")
    assert "over 1,048,576 bytes without the end of a line" in err


def bad_file(path, *, cancity: int = 30) -> None:
    """Deals whose problems arise at different stages of the check: while reading
    (too many fields) and while checking (amount, parent)."""
    lines = ["name,amount,customer", "One,abc,Acme", "Two,1,Acme,extra", "Three,1.005,Acme"]
    lines += [f"Dup {i},1,Cancity" for i in range(cancity)]
    lines += ["Last,1,Nobody"]
    path.write_text("\n".join(lines) + "\n")


def test_problems_come_in_line_order_then_by_kind(db_url, tmp_path, capsys):
    open_database(db_url)
    customers.create_customer({"name": "Acme"})
    customers.create_customer({"name": "Cancity"})
    customers.create_customer({"name": "Cancity"})
    source = tmp_path / "deals.csv"
    bad_file(source)
    code, out, err = run(capsys, "import", "opportunities", str(source), "--db", db_url)
    assert (code, out) == (1, "")
    lines = [line.removeprefix(f"tui-crm: {source}: ") for line in err.splitlines()]
    dup = "customer: 2 customers are named 'Cancity'; rename one so the name says which."
    assert lines[:4] == [
        "line 2: amount: Not an amount: use digits, e.g. 12500, 12,500.50, 12.5k or 1.2m.",
        "line 3: 4 fields, but the header names 3.",
        "line 4: amount: At most two decimals (cents): an amount is never rounded.",
        f"line 5: {dup}"]
    assert lines[19] == f"line 21: {dup}"
    assert lines[20:] == [
        "… and 14 more problems, by kind:",
        f"  13 lines: {dup}",
        "  1 line: customer: no customer named 'Nobody'.",
        "34 bad lines; nothing was imported."]
    assert Opportunity.select().count() == 0


def test_every_problem_goes_to_the_errors_file(db_url, tmp_path, capsys):
    open_database(db_url)
    customers.create_customer({"name": "Acme"})
    source, report = tmp_path / "deals.csv", tmp_path / "problems.csv"
    bad_file(source, cancity=3000)
    report.write_text("an old report\n")
    code, _, err = run(capsys, "import", "opportunities", str(source), "--errors", str(report),
                       "--db", db_url)
    assert code == 1
    assert err.splitlines()[-1].endswith(
        f"3,004 bad lines; nothing was imported. Every problem is in {report}.")
    rows = list(csv.reader(report.open(encoding="utf-8", newline="")))
    assert rows[0] == ["line", "column", "message"]
    assert len(rows) == 1 + 3004
    assert [int(row[0]) for row in rows[1:]] == list(range(2, 3006))
    assert rows[2] == ["3", "", "4 fields, but the header names 3."]
    assert rows[-1] == ["3005", "customer", "no customer named 'Nobody'."]
    assert Opportunity.select().count() == 0
    good = tmp_path / "good.csv"
    good.write_text("name,amount,customer\nFine,1,Acme\n")
    code, out, _ = run(capsys, "import", "opportunities", str(good), "--errors", str(report),
                       "--db", db_url)
    assert (code, out) == (0, f"Imported 1 opportunity from {good}.\n")
    assert report.read_bytes() == b"line,column,message\r\n", "no problem left"


def test_the_errors_file_is_never_a_database(tmp_path, capsys):
    db = tmp_path / "crm.db"
    open_database(str(db))
    source = tmp_path / "leads.csv"
    source.write_text("name\n\n,\n")
    code, _, err = run(capsys, "import", "leads", str(source), "--errors", str(db),
                       "--db", str(db))
    assert code == 1 and "is the database itself" in err
    assert customers.count_customers() == 0


def test_the_errors_file_is_never_the_file_imported(tmp_path, capsys):
    source = tmp_path / "leads.csv"
    source.write_text("name,email\nAda,not-an-address\n")
    code, _, err = run(capsys, "import", "leads", str(source), "--errors", str(source),
                       "--db", str(tmp_path / "crm.db"))
    assert code == 1 and "is the file being imported" in err
    assert source.read_text() == "name,email\nAda,not-an-address\n"
