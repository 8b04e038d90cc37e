"""Importing another CRM's export as it is, with flags only: the Maven sample's accounts
and 8,800 deals, and each flag on a small file of its own."""

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest


def shared_data() -> Path | None:
    """../shared/data/maven-crm beside the repository (or above a worktree of it)."""
    for folder in Path(__file__).resolve().parents:
        candidate = folder / "shared" / "data" / "maven-crm"
        if candidate.is_dir():
            return candidate
    return None


MAVEN = shared_data()
# Maven Analytics' published win/loss record of 2017, quarter by quarter.
PUBLISHED = {1: (531, 82.07), 2: (1254, 61.71), 3: (1257, 61.41), 4: (1196, 60.25)}


def tui_crm(db_path, *argv) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "tui_crm", *argv, "--db", str(db_path)],
                          capture_output=True, text=True, timeout=120)


@pytest.mark.skipif(MAVEN is None, reason="the shared Maven data is not beside the repo")
def test_the_maven_export_imports_with_flags_only(tmp_path):
    db_path = tmp_path / "crm.db"
    accounts = tui_crm(db_path, "import", "customers", str(MAVEN / "accounts.csv"),
                       "--map", "account=name", "--ignore-unknown")
    assert accounts.returncode == 0, accounts.stderr
    assert "Imported 85 customers" in accounts.stdout
    assert "Columns skipped: sector, year_established" in accounts.stdout
    flags = ["--map", "product=name", "--map", "account=customer", "--map",
             "deal_stage=stage", "--map", "close_value=amount", "--map", "sales_agent=owner",
             "--ignore-unknown", "--date-format", "%d-%m-%y", "--stage", "Won=ClosedWon",
             "--stage", "Lost=ClosedLost", "--stage", "Prospecting=Qualification",
             "--stage", "Engaging=Proposal", "--default-parent", "customer:No account"]
    dry = tui_crm(db_path, "import", "opportunities", str(MAVEN / "sales_pipeline.csv"),
                  *flags, "--dry-run")
    assert dry.returncode == 0, dry.stderr
    assert "Would import 8,800 opportunities" in dry.stdout
    assert "customer 'No account' would be created" in dry.stdout
    con = sqlite3.connect(db_path)
    assert con.execute("SELECT COUNT(*) FROM opportunity").fetchone() == (0,)
    assert con.execute("SELECT COUNT(*) FROM customer").fetchone() == (85,)
    deals = tui_crm(db_path, "import", "opportunities", str(MAVEN / "sales_pipeline.csv"),
                    *flags)
    assert deals.returncode == 0, deals.stderr
    assert "Imported 8,800 opportunities" in deals.stdout
    assert con.execute("SELECT COUNT(*) FROM opportunity o JOIN customer c ON "
                       "c.id = o.customer_id WHERE c.name = 'No account'").fetchone() == (1425,)
    assert con.execute("SELECT COUNT(DISTINCT owner) FROM opportunity").fetchone()[0] == 30
    for quarter, (won, rate) in PUBLISHED.items():
        done = tui_crm(db_path, "forecast", "--quarter", f"2017Q{quarter}", "--json")
        record = json.loads(done.stdout)["win_loss"]
        assert record["won_count"] == won
        closed = record["won_count"] + record["lost_count"]
        assert round(100 * record["won_count"] / closed, 2) == rate
    again = tui_crm(db_path, "import", "customers", str(MAVEN / "accounts.csv"),
                    "--map", "account=name", "--ignore-unknown")
    assert again.returncode == 1 and "exists already" in again.stderr
    assert con.execute("SELECT COUNT(*) FROM customer").fetchone() == (86,)


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_duplicates_error_skip_or_update(tmp_path):
    db_path = tmp_path / "crm.db"
    first = write(tmp_path / "a.csv", "name,email,phone\nAda,ada@x.example,1\nBob,,2\n")
    assert tui_crm(db_path, "import", "leads", str(first)).returncode == 0
    second = write(tmp_path / "b.csv",
                   "name,email,phone\nAda,ada@x.example,99\nAda,other@x.example,3\nCy,,4\n")
    refused = tui_crm(db_path, "import", "leads", str(second))
    assert refused.returncode == 1
    assert "line 2: name: a lead named 'Ada' (ada@x.example) exists already" in refused.stderr
    skipped = tui_crm(db_path, "import", "leads", str(second), "--on-duplicate", "skip")
    assert skipped.returncode == 0, skipped.stderr
    assert "Imported 2 leads" in skipped.stdout and "1 already here skipped" in skipped.stdout
    con = sqlite3.connect(db_path)
    assert con.execute("SELECT phone FROM lead WHERE email = 'ada@x.example'").fetchone() \
        == ("1",)
    third = write(tmp_path / "c.csv", "name,email,phone\nAda,ada@x.example,77\n")
    updated = tui_crm(db_path, "import", "leads", str(third), "--on-duplicate", "update")
    assert updated.returncode == 0 and "1 already here updated" in updated.stdout
    assert con.execute("SELECT phone, version FROM lead WHERE email = 'ada@x.example'"
                       ).fetchone() == ("77", 2)
    assert con.execute("SELECT COUNT(*) FROM lead").fetchone() == (4,)
    twice = write(tmp_path / "d.csv", "name\nZed\nZed\n")
    done = tui_crm(db_path, "import", "customers", str(twice))
    assert done.returncode == 1 and "line 3: name: the customer named 'Zed' is on line 2" \
        in done.stderr


@pytest.mark.parametrize("flags, words", [
    (["--map", "title=nickname"], "have no field 'nickname'"),
    (["--map", "missing=name"], "--map names missing, which is not a column"),
    (["--map", "nonsense"], "--map takes SOURCE=TARGET"),
    (["--stage", "Hot=Nowhere"], "No stage named 'Nowhere'"),
    (["--date-format", "%Y"], "must name the day, month and year"),
    (["--default-parent", "nobody"], "--default-parent takes lead:NAME or customer:NAME"),
    ([], "unknown columns title, value, when, phase"),
])
def test_bad_flags_and_files_are_one_sentence(tmp_path, flags, words):
    db_path = tmp_path / "crm.db"
    path = write(tmp_path / "deals.csv", "title,value,when,phase\nPilot,10,31-12-26,Hot\n")
    done = tui_crm(db_path, "import", "opportunities", str(path), *flags)
    assert done.returncode != 0
    assert words in done.stderr and "Traceback" not in done.stderr, done.stderr


def test_dates_stages_and_a_default_lead(tmp_path):
    db_path = tmp_path / "crm.db"
    path = write(tmp_path / "deals.csv",
                 "title,value,when,phase\nPilot,10,31-12-26,Hot\nBig,2k,01-02-27,Cold\n"
                 "Bad,1,31-02-27,Hot\n")
    flags = ["--map", "title=name", "--map", "value=amount", "--map", "when=close_date",
             "--map", "phase=stage", "--date-format", "%d-%m-%y", "--stage",
             "Hot=Negotiation", "--stage", "cold=Qualification", "--default-parent",
             "lead:Walk-ins"]
    bad = tui_crm(db_path, "import", "opportunities", str(path), *flags)
    assert bad.returncode == 1
    assert "line 4: close_date: '31-02-27' is not a date written %d-%m-%y" in bad.stderr
    con = sqlite3.connect(db_path)
    assert con.execute("SELECT COUNT(*) FROM lead").fetchone() == (0,)  # all or nothing
    write(path, path.read_text().replace("Bad,1,31-02-27,Hot\n", ""))
    good = tui_crm(db_path, "import", "opportunities", str(path), *flags)
    assert good.returncode == 0, good.stderr
    assert "The lead 'Walk-ins' was created" in good.stdout
    rows = con.execute("SELECT o.name, o.close_date, s.name, l.name FROM opportunity o "
                       "JOIN stage s ON s.id = o.stage_id JOIN lead l ON l.id = o.lead_id "
                       "ORDER BY o.id").fetchall()
    assert rows == [("Pilot", "2026-12-31", "Negotiation", "Walk-ins"),
                    ("Big", "2027-02-01", "Qualification", "Walk-ins")]
