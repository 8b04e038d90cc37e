"""The in-app import offers the choices of `tui-crm import` in its preview: column
mapping and skipping unknown columns, the date format, stage names, a parent for deals
with none, what to do with records already here. The preview is a dry run (its summary
shows before anything is written); ctrl+s imports what was previewed. Driven by keys
with the Maven sample's accounts and 8,800 deals, as the command line's test does."""

from __future__ import annotations

import pytest

from tests.cli.test_import_options import MAVEN
from tests.ui.pilot_helpers import burst, press, screen_text, shown, type_text
from tui_crm.core.models import Customer, Opportunity, Stage
from tui_crm.ui.widgets.csv_import import CsvImportScreen

needs_maven = pytest.mark.skipif(MAVEN is None,
                                 reason="the shared Maven data is not beside the repo")


async def open_import(pilot) -> CsvImportScreen:
    await press(pilot, "ctrl+p")
    await type_text(pilot, "import a csv")
    await press(pilot, "enter")
    assert isinstance(pilot.app.screen, CsvImportScreen)
    return pilot.app.screen


def choice(app, field: str):
    return app.screen.query_one(f"#{field}")


async def import_accounts(pilot) -> None:
    """The accounts, by keys: the file, then account=name and skip unknown columns."""
    app = pilot.app
    await open_import(pilot)
    assert app.screen.kind == "customers"
    await type_text(pilot, str(MAVEN / "accounts.csv"))
    await press(pilot, "enter")
    assert "unknown columns" in screen_text(app), "as it is, the file is refused"
    # A burst: to Columns (past the file list), the mapping, enter previews.
    await burst(pilot, "tab", "tab", *"account=name", "enter")
    assert choice(app, "import-map").value == "account=name"
    assert "unknown columns sector" in screen_text(app)
    await burst(pilot, "tab", "space")  # Skip unknown columns, beside it
    assert choice(app, "import-ignore").value is True
    text = screen_text(app)
    assert "Would import 85 customers (a dry run" in text
    assert "Columns skipped: sector, year_established" in text
    assert Customer.select().count() == 0, "the preview writes nothing"


@needs_maven
async def test_the_maven_accounts_import_with_choices_made_by_keys(sqlite_db, run_app):
    async with run_app(start_mode="customers", size=(80, 24)) as pilot:
        app = pilot.app
        await press(pilot, "escape")  # the first-run offer of demo data
        await import_accounts(pilot)
        await press(pilot, "ctrl+s")
        assert not isinstance(app.screen, CsvImportScreen)
        assert Customer.select().count() == 85
        assert await shown(pilot, "85 customers")


@needs_maven
async def test_the_accounts_again_error_then_skip(sqlite_db, run_app):
    from tui_crm.core.csvio import ImportOptions, import_file

    import_file("customers", MAVEN / "accounts.csv",
                ImportOptions.parse(maps=["account=name"], ignore_unknown=True))
    async with run_app(start_mode="customers") as pilot:
        app = pilot.app
        await open_import(pilot)
        await type_text(pilot, str(MAVEN / "accounts.csv"))
        await burst(pilot, "tab", "tab", *"account=name", "enter", "tab", "space")
        text = screen_text(app)
        assert "line 2: name: a customer named 'Acme Corporation' exists already (Existing:" \
            in text
        await press(pilot, "ctrl+s")
        assert isinstance(app.screen, CsvImportScreen), "bad lines: ctrl+s does nothing"
        # Existing: skip them (past Dates to the choice, enter opens it, down, enter).
        await burst(pilot, "tab", "tab", "enter", "down", "enter")
        assert choice(app, "import-duplicate").value == "skip"
        text = screen_text(app)
        assert "Would import 0 customers" in text
        assert "85 already here would be skipped" in text
        await press(pilot, "ctrl+s")
        assert not isinstance(app.screen, CsvImportScreen)
    assert Customer.select().count() == 85


@needs_maven
async def test_the_maven_deals_import_with_every_choice_by_keys(sqlite_db, run_app):
    from tui_crm.core.csvio import ImportOptions, import_file

    import_file("customers", MAVEN / "accounts.csv",
                ImportOptions.parse(maps=["account=name"], ignore_unknown=True))
    async with run_app(start_mode="pipeline") as pilot:
        app = pilot.app
        screen = await open_import(pilot)
        assert screen.kind == "opportunities"
        await type_text(pilot, str(MAVEN / "sales_pipeline.csv"))
        await press(pilot, "tab", "tab")
        await type_text(pilot, "product=name, account=customer, deal_stage=stage, "
                               "close_value=amount, sales_agent=owner")
        await press(pilot, "tab", "space")  # skip unknown columns: a first preview
        assert "bad lines" in screen_text(app), "the stages and dates are not said yet"
        await press(pilot, "tab")
        await type_text(pilot, "%d-%m-%y")
        await press(pilot, "tab", "tab")  # past Existing
        await type_text(pilot, "Won=ClosedWon, Lost=ClosedLost, Prospecting=Qualification, "
                               "Engaging=Proposal")
        await press(pilot, "tab")
        await type_text(pilot, "customer:No account")
        await press(pilot, "ctrl+s")
        assert isinstance(app.screen, CsvImportScreen), "what is typed is not previewed yet"
        assert Opportunity.select().count() == 0
        await press(pilot, "enter")  # the preview of every choice
        text = screen_text(app)
        assert "Would import 8,800 opportunities (a dry run" in text
        assert "The customer 'No account' would be created" in text
        assert "Columns skipped: opportunity_id, engage_date" in text
        assert Opportunity.select().count() == 0 and Customer.select().count() == 85
        await press(pilot, "ctrl+s")
        assert not isinstance(app.screen, CsvImportScreen)
    assert Opportunity.select().count() == 8_800
    no_account = Customer.get(Customer.name == "No account")
    assert Opportunity.select().where(Opportunity.customer == no_account).count() == 1425
    won = Stage.get(Stage.kind == "won")
    q1 = Opportunity.select().where((Opportunity.stage == won)
                                    & Opportunity.close_date.between("2017-01-01",
                                                                     "2017-03-31"))
    assert q1.count() == 531, "the published Q1 2017 record"


async def test_a_bad_choice_is_named_at_its_field_and_nothing_is_read(sqlite_db, tmp_path, run_app):
    path = tmp_path / "deals.csv"
    path.write_text("title,value,when,phase\nPilot,10,31-12-26,Hot\n")
    from tui_crm.core import leads

    leads.create_lead({"name": "Someone"})
    async with run_app(start_mode="pipeline", size=(80, 24)) as pilot:
        app = pilot.app
        await open_import(pilot)
        await type_text(pilot, str(path))
        await burst(pilot, "tab", "tab", *"nonsense", "enter")
        text = screen_text(app)
        assert "Columns takes its=ours, …, not 'nonsense'." in text
        assert choice(app, "import-map").has_class("-invalid")
        assert choice(app, "import-map").value == "nonsense", "what was typed is kept"
        assert app.focused is choice(app, "import-map")
        # Fixed, and a date format that names no day: said at the Dates field.
        await burst(pilot, *["backspace"] * 8, *"title=name, value=amount, when=close_date,"
                    " phase=stage", "tab", "tab", "%", "Y", "enter")
        assert "must name the day, month and year" in screen_text(app)
        assert choice(app, "import-date-format").has_class("-invalid")
        assert not choice(app, "import-map").has_class("-invalid")
        await burst(pilot, "backspace", "backspace", *"%d-%m-%y", "tab", "tab", *"Hot=Nowhere",
                    "enter")
        assert "No stage named 'Nowhere'" in screen_text(app)
        await burst(pilot, *["backspace"] * 7, *"Proposal", "enter")
        assert "name either a customer or a lead" in screen_text(app), "no parent"
        await burst(pilot, "tab", *"lead:Someone", "enter")
        text = screen_text(app)
        assert "Would import 1 opportunity" in text and "2026-12-31" in text
        await press(pilot, "ctrl+s")
    assert Opportunity.select().count() == 1
    deal = Opportunity.get()
    assert (deal.name, deal.amount_cents, str(deal.close_date), deal.stage.name) == \
        ("Pilot", 1000, "2026-12-31", "Proposal")
