"""`tui-crm stage list|add|edit|remove`, run as a user runs it."""

import json
import subprocess
import sys


def tui_crm(db_path, *argv) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "tui_crm", *argv, "--db", str(db_path)],
                          capture_output=True, text=True, timeout=60)


def listed(db_path) -> list[dict]:
    done = tui_crm(db_path, "stage", "list", "--json")
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_stages_are_listed_added_edited_and_removed(tmp_path):
    db_path = tmp_path / "crm.db"
    assert tui_crm(db_path, "demo", "--deals", "60").returncode == 0
    first = listed(db_path)
    assert [s["name"] for s in first] == ["Qualification", "Proposal", "Negotiation",
                                          "ClosedWon", "ClosedLost"]
    assert set(first[0]) == {"name", "position", "probability", "kind", "rot_days", "deals"}
    assert sum(s["deals"] for s in first) == 60
    proposal_deals = next(s["deals"] for s in first if s["name"] == "Proposal")

    added = tui_crm(db_path, "stage", "add", "Demo", "--probability", "25",
                    "--after", "Qualification", "--rot-days", "14")
    assert added.returncode == 0 and "Added the stage Demo" in added.stdout
    edited = tui_crm(db_path, "stage", "edit", "Demo", "--name", "Trial", "--probability",
                     "30")
    assert edited.returncode == 0, edited.stderr
    refused = tui_crm(db_path, "stage", "remove", "Proposal")
    assert refused.returncode == 1 and "--move-to" in refused.stderr
    assert "Traceback" not in refused.stderr and len(refused.stderr.splitlines()) == 1
    removed = tui_crm(db_path, "stage", "remove", "Proposal", "--move-to", "Trial")
    assert removed.returncode == 0, removed.stderr

    stages = listed(db_path)
    assert [(s["name"], s["position"], s["probability"], s["rot_days"]) for s in stages] == [
        ("Qualification", 1, 10, 30), ("Trial", 2, 30, 14), ("Negotiation", 3, 70, 14),
        ("ClosedWon", 4, 100, None), ("ClosedLost", 5, 0, None)]
    assert stages[1]["deals"] == proposal_deals
    forecast = json.loads(tui_crm(db_path, "forecast", "--json").stdout)
    assert [s["stage"] for s in forecast["stages"]] == ["Qualification", "Trial",
                                                         "Negotiation"]


def test_bad_stage_commands_are_one_line_each(tmp_path):
    db_path = tmp_path / "crm.db"
    assert tui_crm(db_path, "demo", "--deals", "5").returncode == 0
    for argv, words in [
        (("stage", "add", "X", "--probability", "150"), "0 to 100"),
        (("stage", "add", "X"), "--probability"),
        (("stage", "edit", "Nope", "--probability", "3"), "No stage named 'Nope'"),
        (("stage", "remove", "ClosedWon"), "always has one"),
    ]:
        done = tui_crm(db_path, *argv)
        assert done.returncode != 0, argv
        assert words in done.stderr and len(done.stderr.strip().splitlines()) == 1, done.stderr
    assert [s["name"] for s in listed(db_path)][1] == "Proposal"


def test_stage_list_needs_an_existing_database(tmp_path):
    done = tui_crm(tmp_path / "typo.db", "stage", "list")
    assert done.returncode == 1 and "no database" in done.stderr.lower()
    assert not (tmp_path / "typo.db").exists()
