"""Faults are messages: each fault made for real while the app runs (a read-only file
or folder, a full disk, the PostgreSQL server stopped, a parent deleted meanwhile).
The user sees one sentence where they are, the form keeps what was typed, the app
keeps running, and the same save succeeds once the cause is gone."""

from __future__ import annotations

import sqlite3

from textual.widgets import Static

from tests.faults import damage, fill
from tests.ui.pilot_helpers import (
    burst,
    notices,
    press,
    screen_text,
    settle,
    shown,
    type_text,
)
from tui_crm.core import customers, deals, leads
from tui_crm.core.db import open_database
from tui_crm.core.models import Lead, Opportunity
from tui_crm.ui.app import CrmApp
from tui_crm.ui.screens.pipeline import PipelineScreen
from tui_crm.ui.widgets.deal_form import DealForm
from tui_crm.ui.widgets.form import FormField, RecordForm
from tui_crm.ui.widgets.record_forms import LeadForm


def field(app, name: str) -> FormField:
    return app.screen.query_one(f"#row-{name}", FormField)


def form_error(app) -> str:
    """The sentence under the form's fields."""
    return str(app.screen.query_one(".form-error", Static).content)


def made_database(path, *more) -> None:
    """A database at ``path`` holding one lead (so the app opens on its list), and what
    the functions ``more`` add; closed, so that only the app's connections (opened
    after the fault is made) are open."""
    database = open_database(str(path))
    leads.create_lead({"name": "Ada Lovelace"})
    for add in more:
        add()
    database.close()


async def save_a_lead_until_the_cause_is_gone(app, pilot, words: str, remove_cause) -> None:
    """Type a new lead, save: the form stays with the sentence; remove the cause, save
    again: it is saved."""
    await press(pilot, "n")
    await type_text(pilot, "Grace Hopper")
    await press(pilot, "tab", "tab")
    await type_text(pilot, "grace@navy.mil")
    await press(pilot, "ctrl+s")
    assert app.is_running
    assert isinstance(app.screen, LeadForm), "the form stays open"
    assert field(app, "name").value == "Grace Hopper"
    assert field(app, "email").value == "grace@navy.mil", "what was typed is kept"
    assert words in form_error(app), form_error(app)
    assert "nothing was saved" in form_error(app)
    assert Lead.select().where(Lead.name == "Grace Hopper").count() == 0
    remove_cause()
    await press(pilot, "ctrl+s")
    assert not isinstance(app.screen, RecordForm), form_error(app)
    assert Lead.get(Lead.name == "Grace Hopper").email == "grace@navy.mil"


async def test_a_save_on_a_read_only_file(tmp_path, mounts, run_app):
    path = tmp_path / "crm.db"
    made_database(path)
    mounts.read_only(path)
    open_database(str(path))
    async with run_app(notifications=True) as pilot:
        app = pilot.app
        await save_a_lead_until_the_cause_is_gone(app, pilot, "read-only",
                                                  lambda: mounts.writable(path))


async def test_a_save_in_a_read_only_folder(tmp_path, mounts):
    folder = tmp_path / "data"
    folder.mkdir()
    made_database(folder / "crm.db")
    # Someone else has it open, so its -wal and -shm files exist (SQLite cannot make
    # them in a read-only folder): the app can read it, not write it.
    holder = sqlite3.connect(folder / "crm.db")
    holder.execute("SELECT COUNT(*) FROM lead").fetchone()
    view = mounts.read_only(folder, tmp_path / "view")
    open_database(str(view / "crm.db"))
    app = CrmApp()
    try:
        async with app.run_test(size=(120, 40), notifications=True) as pilot:
            await settle(pilot)
            assert app.screen.selected.name == "Ada Lovelace", "reading works"
            await save_a_lead_until_the_cause_is_gone(app, pilot, "read-only",
                                                      lambda: mounts.writable(view))
    finally:
        holder.close()


async def test_a_save_on_a_full_disk(tmp_path, mounts, run_app):
    disk = mounts.tiny_disk(tmp_path / "disk", "1m")
    made_database(disk / "crm.db")
    open_database(str(disk / "crm.db"))
    filler = fill(disk)
    async with run_app(notifications=True) as pilot:
        app = pilot.app
        await press(pilot, "n")
        await type_text(pilot, "Grace Hopper")
        await press(pilot, "tab", "tab", "tab", "tab", "tab", "tab")
        await type_text(pilot, "n" * 9_000)  # the notes: pages the disk has no room for
        await press(pilot, "ctrl+s")
        assert app.is_running and isinstance(app.screen, LeadForm)
        assert "disk holding the database is full" in form_error(app), form_error(app)
        assert "rollback" not in form_error(app)
        assert field(app, "name").value == "Grace Hopper"
        assert field(app, "notes").value == "n" * 9_000
        filler.unlink()
        await press(pilot, "ctrl+s")
        assert not isinstance(app.screen, RecordForm), form_error(app)
    assert len(Lead.get(Lead.name == "Grace Hopper").notes) == 9_000


async def test_a_move_on_the_board_of_a_read_only_file(tmp_path, mounts, run_app):
    path = tmp_path / "crm.db"
    made: list[int] = []

    def add_a_deal() -> None:
        acme = customers.create_customer({"name": "Acme"})
        made.append(deals.create_deal({"name": "Big one", "amount": "5k",
                                       "customer_id": acme, "close_date": "2026-12-01"}))

    made_database(path, add_a_deal)
    deal_id = made[0]
    mounts.read_only(path)
    open_database(str(path))
    async with run_app(start_mode="pipeline", notifications=True) as pilot:
        app = pilot.app
        await press(pilot, ">")
        assert app.is_running and isinstance(app.screen, PipelineScreen)
        assert await shown(pilot, "read-only"), screen_text(app)
        assert deals.get_deal(deal_id).stage_name == "Qualification"
        mounts.writable(path)
        await press(pilot, ">")  # the board took the key: it is not stuck "writing"
        assert deals.get_deal(deal_id).stage_name == "Proposal"
        assert app.screen.board.selected.id == deal_id


async def test_a_damaged_file_is_a_sentence_not_a_crash(tmp_path, run_app):
    path = tmp_path / "crm.db"
    made_database(path, lambda: [leads.create_lead({"name": f"Lead {number:03d}",
                                                     "notes": "x" * 500})
                                  for number in range(300)])
    damage(path)
    open_database(str(path))
    async with run_app(notifications=True) as pilot:
        app = pilot.app
        assert app.is_running
        assert await shown(pilot, "damaged"), "the list says the file is damaged"
        await press(pilot, "2")
        assert app.is_running and app.current_mode == "customers"


async def test_the_postgresql_server_stops_and_starts_again(own_postgres, run_app):
    open_database(own_postgres.url)
    leads.create_lead({"name": "Ada Lovelace"})
    async with run_app(notifications=True) as pilot:
        app = pilot.app
        await press(pilot, "n")
        await type_text(pilot, "Grace Hopper")
        own_postgres.stop()
        await press(pilot, "ctrl+s")
        assert app.is_running and isinstance(app.screen, LeadForm)
        assert "connection to the database server was lost" in form_error(app)
        assert field(app, "name").value == "Grace Hopper"
        own_postgres.start()
        await press(pilot, "ctrl+s")  # the same save, once the server is back
        assert not isinstance(app.screen, RecordForm), form_error(app)
        assert app.screen.selected.name == "Grace Hopper"
        own_postgres.stop()
        await press(pilot, "slash")
        await type_text(pilot, "Ada")  # a read while the server is down
        assert app.is_running
        assert await shown(pilot, "connection to the database"), screen_text(app)
        own_postgres.start()
        await press(pilot, "backspace")
        await type_text(pilot, "a")  # the same search, once the server is back
        assert app.screen.selected.name == "Ada Lovelace"
    assert Lead.select().where(Lead.name == "Grace Hopper").count() == 1


async def test_the_parent_deleted_between_picking_and_saving(db, run_app):
    acme = customers.create_customer({"name": "Acme"})
    beacon = customers.create_customer({"name": "Beacon"})
    async with run_app(start_mode="pipeline", notifications=True) as pilot:
        app = pilot.app
        app.push_screen(DealForm())
        await settle(pilot)
        await type_text(pilot, "Big one")
        field(app, "parent").editor.focus()
        await type_text(pilot, "Acme")
        await press(pilot, "enter")
        assert isinstance(app.screen, DealForm)
        customers.delete_customer(acme)  # someone else, meanwhile
        await press(pilot, "ctrl+s")
        assert app.is_running and isinstance(app.screen, DealForm)
        assert "no longer exists" in form_error(app) + field(app, "parent").error
        assert field(app, "name").value == "Big one"
        field(app, "parent").editor.focus()
        await type_text(pilot, "Beacon")
        await press(pilot, "enter", "ctrl+s")
        assert not isinstance(app.screen, RecordForm), form_error(app)
    assert Opportunity.get(Opportunity.name == "Big one").customer_id == beacon


async def test_a_foreign_key_race_on_postgresql(own_postgres):
    """PostgreSQL: the parent is still there when the save checks it, and deleted by
    another session before the save commits (a real IntegrityError, or the same clear
    message if the save waits for the delete)."""
    import psycopg

    open_database(own_postgres.url)
    acme = customers.create_customer({"name": "Acme"})
    beacon = customers.create_customer({"name": "Beacon"})
    other = psycopg.connect(own_postgres.url)
    app = CrmApp(start_mode="pipeline")
    try:
        async with app.run_test(size=(120, 40), notifications=True) as pilot:
            await settle(pilot)
            app.push_screen(DealForm())
            await settle(pilot)
            await type_text(pilot, "Big one")
            field(app, "parent").editor.focus()
            await type_text(pilot, "Acme")
            await press(pilot, "enter")
            other.execute("DELETE FROM customer WHERE id = %s", (acme,))  # not committed
            await pilot.press("ctrl+s")
            for _ in range(500):  # until the save waits for the other session's lock
                waiting = other.execute(
                    "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                    "AND pid <> pg_backend_pid()").fetchone()[0]
                if waiting:
                    break
                await pilot.pause()
            else:
                raise AssertionError("the save never waited for the deleting session")
            other.commit()
            await settle(pilot)
            assert app.is_running and isinstance(app.screen, DealForm)
            message = form_error(app) + field(app, "parent").error
            assert "deleted by someone else" in message or "no longer exists" in message, \
                message
            field(app, "parent").editor.focus()
            await type_text(pilot, "Beacon")
            await press(pilot, "enter", "ctrl+s")
            assert not isinstance(app.screen, RecordForm), form_error(app)
    finally:
        other.close()
    assert Opportunity.get(Opportunity.name == "Big one").customer_id == beacon


async def test_editing_a_lead_deleted_meanwhile(sqlite_db, run_app):
    ada = leads.create_lead({"name": "Ada Lovelace"})
    leads.create_lead({"name": "Grace Hopper"})
    async with run_app(notifications=True) as pilot:
        app = pilot.app
        assert app.screen.selected.id == ada
        leads.delete_lead(ada)  # someone else, while the list still shows it
        await press(pilot, "enter")
        assert app.is_running and not isinstance(app.screen, RecordForm)
        assert await shown(pilot, "no longer exists"), screen_text(app)
        await press(pilot, "down", "enter")  # the app goes on: the next lead opens
        assert isinstance(app.screen, LeadForm)


async def test_a_board_key_read_while_the_postgresql_server_is_down(own_postgres, run_app,
                                                                    monkeypatch):
    """`m` reads the board in a worker and the keys after it wait: a failed read is a
    sentence, and the keys are not left waiting for it."""
    open_database(own_postgres.url)
    acme = customers.create_customer({"name": "Acme [/] Corp"})
    made = [deals.create_deal({"name": name, "amount": "100", "owner": owner,
                               "customer_id": acme, "close_date": f"2026-12-0{day}"})
            for day, (name, owner) in enumerate([("Theirs", "zoe"), ("Mine one", "tester"),
                                                 ("Mine two", "tester")], 1)]
    async with run_app(start_mode="pipeline") as pilot:
        app = pilot.app
        said = notices(app, monkeypatch)
        own_postgres.stop()
        await burst(pilot, "m", "j")
        assert app.is_running and isinstance(app.screen, PipelineScreen)
        assert any("connection to the database" in line for line in said), said
        own_postgres.start()
        await burst(pilot, "m", "m", "j", "enter")  # everyone's, then mine: the second
        assert isinstance(app.screen, DealForm) and app.screen.deal_id == made[2]
        # a form reads its first screenful (the stages it offers, the deal) as it opens
        await burst(pilot, "escape")
        said.clear()
        own_postgres.stop()
        await burst(pilot, "enter")
        assert app.is_running and isinstance(app.screen, PipelineScreen)
        assert any("connection to the database" in line for line in said), said
        own_postgres.start()
        await burst(pilot, "enter", "tab", *"250", "ctrl+s")
        assert isinstance(app.screen, PipelineScreen)
        assert deals.get_deal(made[2]).amount == 250
