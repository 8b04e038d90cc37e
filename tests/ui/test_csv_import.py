"""Importing a CSV file from the command palette: preview, errors by line, all or none."""

from __future__ import annotations

from tests.ui.pilot_helpers import press, screen_text, settle, shown, type_text
from tui_crm.core import leads
from tui_crm.core.models import Lead
from tui_crm.ui.app import CrmApp
from tui_crm.ui.screens.leads import LeadsScreen
from tui_crm.ui.widgets.csv_import import CsvImportScreen


async def open_import(pilot) -> None:
    await press(pilot, "ctrl+p")
    await type_text(pilot, "import a csv")
    await press(pilot, "enter")
    assert isinstance(pilot.app.screen, CsvImportScreen)


async def test_a_good_file_is_previewed_then_imported(sqlite_db, tmp_path, run_app):
    leads.create_lead({"name": "Already here"})
    path = tmp_path / "leads.csv"
    path.write_text("Name,Company,E-mail\nAda,Engines,ada@e.io\n"
                    "Acme [/] Corp [bold],Acme,\nGrace,Navy,grace@navy.mil\n")
    async with run_app() as pilot:
        app = pilot.app
        await open_import(pilot)
        await type_text(pilot, str(path))
        await press(pilot, "enter")
        text = screen_text(app)
        assert "3 leads ready" in text
        assert "Acme [/] Corp [bold]" in text and "grace@navy.mil" in text
        assert Lead.select().count() == 1, "a preview writes nothing"
        await press(pilot, "ctrl+s")
        assert isinstance(app.screen, LeadsScreen)
        assert Lead.select().count() == 4
        assert await shown(pilot, "4 leads")


async def test_a_file_with_bad_lines_names_them_and_imports_nothing(sqlite_db, tmp_path):
    path = tmp_path / "deals.csv"
    path.write_text("name,amount,close_date,customer\nGood,100,2026-12-01,\n"
                    "Bad amount,abc,,\n,5,2026-13-45,\n")
    app = CrmApp(start_mode="pipeline")
    leads.create_lead({"name": "Someone"})
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await open_import(pilot)
        assert app.screen.kind == "opportunities", "the board imports deals"
        await type_text(pilot, str(path))
        await press(pilot, "enter")
        text = screen_text(app)
        assert "bad lines: nothing can be imported" in text
        assert "line 3: amount: Not an amount" in text
        assert "line 4: name: Name is required." in text
        await press(pilot, "ctrl+s")
        assert isinstance(app.screen, CsvImportScreen), "ctrl+s does nothing"
        await press(pilot, "escape")
        assert not isinstance(app.screen, CsvImportScreen)


async def test_the_file_is_picked_by_keyboard_from_the_folder(sqlite_db, tmp_path, run_app):
    (tmp_path / "archive").mkdir()
    (tmp_path / "notes.txt").write_text("not a csv")
    (tmp_path / "customers [bold].csv").write_text("name\nInitech\nGlobex\n")
    leads.create_lead({"name": "Someone"})
    async with run_app(size=(80, 24)) as pilot:
        app = pilot.app
        app.push_screen(CsvImportScreen("customers", tmp_path))
        await settle(pilot)
        text = screen_text(app)
        assert "archive/" in text and "customers [bold].csv" in text and "notes.txt" not in text
        await press(pilot, "tab", "down", "down", "enter")
        assert "2 customers ready" in screen_text(app)
        assert app.screen.query_one("#import-path").value.endswith("customers [bold].csv")


async def test_an_endless_file_is_refused_with_a_sentence(sqlite_db, tmp_path, run_app):
    leads.create_lead({"name": "Someone"})
    async with run_app(size=(80, 24)) as pilot:
        app = pilot.app
        await open_import(pilot)
        await type_text(pilot, "/dev/zero")
        await press(pilot, "enter")
        assert "line 1: over 1,048,576 bytes without the end of a line" in screen_text(app)
        await press(pilot, "ctrl+s")
        assert isinstance(app.screen, CsvImportScreen), "nothing to import"
    assert Lead.select().count() == 1


async def test_one_record_is_one_record(sqlite_db, tmp_path, run_app):
    leads.create_lead({"name": "Someone"})
    path = tmp_path / "leads.csv"
    path.write_text("name\nAda\n")
    async with run_app(size=(80, 24), notifications=True) as pilot:
        app = pilot.app
        await open_import(pilot)
        await type_text(pilot, str(path))
        await press(pilot, "enter")
        assert "1 lead ready: ctrl+s imports it" in screen_text(app)
        await press(pilot, "ctrl+s")
        assert await shown(pilot, "Imported 1 record.")
