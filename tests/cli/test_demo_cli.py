from tui_crm.cli import main
from tui_crm.core.db import open_database
from tui_crm.core.models import Opportunity


def test_demo_fills_an_empty_database(db_url, capsys):
    assert main(["demo", "--db", db_url, "--deals", "400", "--seed", "3"]) == 0
    out, err = capsys.readouterr()
    assert out == "Added 26 leads, 16 customers and 400 deals.\n"
    # No progress bar when stderr is not a terminal; a new SQLite file is announced.
    assert err == ("" if db_url.startswith("postgres")
                   else f"tui-crm: Created a new database at {db_url}.\n")
    open_database(db_url)
    assert Opportunity.select().count() == 400


def test_demo_refuses_a_database_with_records(db_url, capsys):
    assert main(["--db", db_url, "demo", "--deals", "10"]) == 0
    capsys.readouterr()
    assert main(["--db", db_url, "demo", "--deals", "10"]) == 1
    out, err = capsys.readouterr()
    assert out == ""
    assert err.count("\n") == 1 and "already holds records" in err and "--force" in err
    assert main(["--db", db_url, "demo", "--deals", "10", "--force"]) == 0
    open_database(db_url)
    assert Opportunity.select().count() == 20


def test_demo_help_explains_force(capsys):
    try:
        main(["demo", "--help"])
    except SystemExit as exc:
        assert exc.code == 0
    out = capsys.readouterr().out
    assert "--force" in out and "nothing is deleted" in " ".join(out.split())


def test_progress_bar_draws_on_a_terminal():
    import io

    from tui_crm.cli import ProgressBar

    class Tty(io.StringIO):
        def isatty(self):
            return True

    stream = Tty()
    with ProgressBar("Loading", stream) as bar:
        for done in range(0, 101, 25):
            bar(done, 100)
    text = stream.getvalue()
    assert text.count("\r") == 5 and "100.0%" in text and text.endswith("\n")
    quiet = io.StringIO()
    with ProgressBar("Loading", quiet) as bar:
        bar(1, 2)
    assert quiet.getvalue() == ""
