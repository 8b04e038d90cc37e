"""The command line: forecast figures, --version, database selection, and that every
error is one line on stderr with a non-zero exit, never a traceback."""

import json
import sqlite3
import subprocess
import sys
from decimal import Decimal

import pytest

from tests.conftest import FROZEN_TODAY
from tests.core.test_forecast import OPEN, PROBABILITY, cents, in_quarter, make_deals
from tui_crm import __version__, cli
from tui_crm.cli import main
from tui_crm.core import customers
from tui_crm.core.dates import Quarter
from tui_crm.core.db import open_database
from tui_crm.core.models import Customer


def run(capsys, *argv):
    try:
        code = main(list(argv))
    except SystemExit as exc:  # argparse: --help, --version, usage errors
        code = exc.code
    out, err = capsys.readouterr()
    return code, out, err


def money(value: Decimal) -> str:
    return f"{value:.2f}"


def expected_forecast(made: list[dict], quarter: Quarter) -> dict:
    """The JSON forecast, computed here from the deals the test made."""
    def tally(items):
        return {"count": len(items), "amount": money(sum((d["amount"] for d in items),
                                                         Decimal(0)))}
    stages = []
    for name in OPEN:
        mine = [d for d in made if d["stage"] == name and in_quarter(d["date"], quarter)]
        amount = sum((d["amount"] for d in mine), Decimal(0))
        stages.append({"stage": name, "count": len(mine), "amount": money(amount),
                       "probability": PROBABILITY[name],
                       "weighted": money(cents(amount * PROBABILITY[name] / 100))})
    open_deals = [d for d in made if d["stage"] in OPEN]
    won = [d for d in made if d["stage"] == "ClosedWon" and in_quarter(d["date"], quarter)]
    lost = [d for d in made if d["stage"] == "ClosedLost" and in_quarter(d["date"], quarter)]
    return {
        "quarter": str(quarter),
        "stages": stages,
        "total": {"count": sum(s["count"] for s in stages),
                  "amount": money(sum(Decimal(s["amount"]) for s in stages)),
                  "weighted": money(sum(Decimal(s["weighted"]) for s in stages))},
        "no_close_date": tally([d for d in open_deals if d["date"] is None]),
        "overdue": tally([d for d in open_deals if d["date"] and d["date"] < FROZEN_TODAY]),
        "win_loss": {"won_count": len(won), "won_amount": tally(won)["amount"],
                     "lost_count": len(lost), "lost_amount": tally(lost)["amount"],
                     "win_rate": round(100 * len(won) / (len(won) + len(lost)), 1)
                     if won or lost else 0.0},
    }


@pytest.mark.parametrize("quarter", [None, "2027Q1"])
def test_forecast_json_matches_independent_sums(db_url, capsys, quarter):
    open_database(db_url)
    made = make_deals(90, seed=21)
    args = ["forecast", "--json", "--db", db_url] + (["--quarter", quarter] if quarter else [])
    code, out, err = run(capsys, *args)
    assert (code, err) == (0, "")
    got = json.loads(out)
    want = expected_forecast(made, Quarter.parse(quarter) if quarter else Quarter(2026, 4))
    assert {key: got[key] for key in want} == want


def test_forecast_of_one_owner_matches_their_deals_alone(db_url, capsys):
    open_database(db_url)
    made = make_deals(120, seed=5, owners=("alice", "bob", "carol"))
    code, out, err = run(capsys, "forecast", "--json", "--owner", "bob", "--db", db_url)
    assert (code, err) == (0, "")
    got = json.loads(out)
    want = expected_forecast([d for d in made if d["owner"] == "bob"], Quarter(2026, 4))
    assert got["owner"] == "bob"
    assert {key: got[key] for key in want} == want
    assert want != expected_forecast(made, Quarter(2026, 4))  # the filter does filter
    code, out, _ = run(capsys, "forecast", "--json", "--db", db_url)
    assert json.loads(out)["owner"] is None
    code, out, _ = run(capsys, "forecast", "--owner", "bob", "--db", db_url)
    assert out.splitlines()[0].startswith("Forecast 2026Q4, deals of bob  (")


def test_forecast_text_shows_the_same_figures(db_url, capsys):
    open_database(db_url)
    made = make_deals(60, seed=4)
    want = expected_forecast(made, Quarter(2026, 4))
    code, out, err = run(capsys, "--db", db_url, "forecast", "--quarter", "2026q4")
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert lines[0] == "Forecast 2026Q4  (amounts: annual recurring value, USD)"
    rows = {line.split()[0]: line.split() for line in lines[2:8] if line.strip()}
    for stage in want["stages"]:
        name, count, amount, probability, weighted = rows[stage["stage"]]
        assert (int(count), amount.replace(",", ""), probability, weighted.replace(",", "")) \
            == (stage["count"], stage["amount"], f"{stage['probability']}%", stage["weighted"])
    total = rows["Total"]
    assert (int(total[1]), total[2].replace(",", ""), total[3].replace(",", "")) == (
        want["total"]["count"], want["total"]["amount"], want["total"]["weighted"])
    nodate = next(line for line in lines if line.startswith("No close date:"))
    assert f"{want['no_close_date']['count']} deals" in nodate
    assert f"{Decimal(want['no_close_date']['amount']):,.2f}" in nodate
    won = next(line for line in lines if line.startswith("Won:"))
    assert f"Win rate: {want['win_loss']['win_rate']:.1f}%" in won


def test_version(capsys):
    code, out, err = run(capsys, "--version")
    assert (code, out, err) == (0, f"tui-crm {__version__}\n", "")


def test_database_from_option_environment_or_data_dir(tmp_path, monkeypatch, capsys):
    code, _, err = run(capsys, "demo", "--deals", "0", "--db", str(tmp_path / "after.db"))
    assert (code, err) == (0, f"tui-crm: Created a new database at {tmp_path}/after.db.\n")
    assert run(capsys, "--db", f"sqlite:///{tmp_path}/before.db", "demo", "--deals", "0")[0] == 0
    assert run(capsys, "--db", f"sqlite:///{tmp_path}/before.db", "forecast")[0] == 0
    monkeypatch.setenv("TUI_CRM_DB", str(tmp_path / "env.db"))
    assert run(capsys, "demo", "--deals", "5")[0] == 0
    monkeypatch.delenv("TUI_CRM_DB")
    assert run(capsys, "demo", "--deals", "0")[0] == 0
    assert run(capsys, "forecast")[0] == 0
    assert {p.name for p in tmp_path.glob("*.db")} == {"after.db", "before.db", "env.db"}
    assert (tmp_path / "xdg" / "tui-crm" / "crm.db").is_file()
    with sqlite3.connect(tmp_path / "env.db") as conn:
        assert conn.execute("SELECT COUNT(*) FROM opportunity").fetchone()[0] == 5


def _newer(path):
    open_database(str(path)).close()
    with sqlite3.connect(path) as conn:
        conn.execute("INSERT INTO schema_migration (name, applied) VALUES ('9999_x', '2030')")


def _foreign(path):
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE songs (title TEXT)")


@pytest.mark.parametrize(("make", "argv", "message"), [
    (lambda p: p.write_text("hello"), ["forecast"], "not a tui-crm database"),
    (_newer, ["export", "leads"], "newer version of tui-crm"),
    (_foreign, ["demo"], "another program"),
    (lambda p: open_database(str(p)).close(), ["forecast", "--quarter", "2026Q7"],
     "Not a quarter"),
    (lambda p: open_database(str(p)).close(), ["forecast", "--quarter", ""],
     "Not a quarter: ''"),
    (None, ["import", "leads"], "required: FILE"),
    (None, ["import", "deals", "x.csv"], "invalid choice: 'deals'"),
    (None, ["demo", "--deals", "many"], "invalid int value"),
    (lambda p: open_database(str(p)).close(), ["demo", "--deals", "-3"], "between 0 and"),
    (None, ["--frobnicate"], "unrecognized arguments"),
    (lambda p: open_database(str(p)).close(), ["backup", "/nonexistent/dir/x.db"],
     "does not exist"),
    (None, ["backup", "copy.db"], "There is no database at"),
    (None, ["export", "leads"], "There is no database at"),
    (None, ["forecast"], "There is no database at"),
])
def test_every_error_is_one_line(tmp_path, capsys, make, argv, message):
    path = tmp_path / "crm.db"
    if make:
        make(path)
    code, out, err = run(capsys, "--db", str(path), *argv)
    assert code != 0 and out == ""
    assert err.startswith("tui-crm: ") and err.count("\n") == 1, err
    assert message in err and "Traceback" not in err
    if argv[0] in ("export", "backup", "forecast") and make is None:
        assert not path.exists()  # a typo in --db makes no new database


def test_a_quarter_with_nothing_closed_has_no_win_rate(db_url, capsys):
    open_database(db_url)
    code, out, _ = run(capsys, "forecast", "--quarter", "2026Q4", "--db", db_url)
    assert code == 0
    assert out.splitlines()[-1].endswith("Lost: 0 deals, USD 0.00   Win rate: -"), out
    code, out, _ = run(capsys, "forecast", "--quarter", "2026Q4", "--json", "--db", db_url)
    assert json.loads(out)["win_loss"]["win_rate"] is None


def test_an_unexpected_exception_is_one_line(tmp_path, capsys, monkeypatch):
    def broken(args):
        raise RuntimeError("boom\nwith a second line")

    monkeypatch.setattr(cli, "cmd_forecast", broken)
    open_database(str(tmp_path / "x.db")).close()
    code, out, err = run(capsys, "--db", str(tmp_path / "x.db"), "forecast")
    assert (code, out) == (1, "")
    assert err == ("tui-crm: unexpected error (RuntimeError: boom); set TUI_CRM_DEBUG=1 to "
                   "see where.\n")


def test_backup_command(tmp_path, capsys):
    open_database(str(tmp_path / "crm.db"))
    customers.create_customer({"name": "Acme"})
    dest = tmp_path / "copy.db"
    code, out, err = run(capsys, "--db", str(tmp_path / "crm.db"), "backup", str(dest))
    assert code == 0 and err == "" and out.startswith(f"Backed up to {dest} (")
    code, out, err = run(capsys, "--db", str(tmp_path / "crm.db"), "backup", str(dest))
    assert code == 1 and "already exists" in err and err.count("\n") == 1
    open_database(str(dest))
    assert [c.name for c in Customer.select()] == ["Acme"]


def test_backup_of_postgresql_points_to_pg_dump(db_url, tmp_path, capsys):
    if not db_url.startswith("postgres"):
        pytest.skip("about PostgreSQL")
    code, out, err = run(capsys, "--db", db_url, "backup", str(tmp_path / "x.db"))
    assert code == 1 and "pg_dump" in err and err.count("\n") == 1


def test_a_real_process_exits_non_zero_without_a_traceback(tmp_path):
    notes = tmp_path / "notes.txt"
    notes.write_text("not a database")
    done = subprocess.run([sys.executable, "-m", "tui_crm", "--db", str(notes), "forecast"],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 1 and done.stdout == ""
    assert done.stderr.count("\n") == 1 and "not a tui-crm database" in done.stderr
