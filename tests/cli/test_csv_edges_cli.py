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
