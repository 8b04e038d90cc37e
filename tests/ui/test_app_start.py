"""The app starts straight in the screen it opens on, loading only that screen's code."""

from __future__ import annotations

import pytest
from textual.app import App

from tui_crm.ui.app import CrmApp


async def test_the_app_starts_in_its_first_screen_without_a_blank_one_before(sqlite_db):
    app = CrmApp(start_mode="pipeline")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        assert app.current_mode == "pipeline"
        assert type(app.screen_stack[0]).__name__ == "PipelineScreen"
        assert list(app.open_screens()) == app.screen_stack, "no other mode was opened"
        with pytest.raises(KeyError):  # no blank default screen was made
            app.get_screen_stack(App.DEFAULT_MODE)


def test_starting_the_app_loads_only_the_screen_it_opens_on():
    import subprocess
    import sys

    probe = ("import sys; import tui_crm.ui.app; "
             "print(sorted(m for m in sys.modules if m.startswith('tui_crm.ui.screens.')))")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                         check=True).stdout
    assert out.strip() == "[]", "the screens are imported when their mode first opens"


async def test_what_the_first_screen_holds_is_kept_out_of_full_collections(sqlite_db):
    """Python's full collections walk every object not frozen: the code, the styles and
    the first screen are frozen once it is drawn, so later collections (after the
    screens' own garbage) are short."""
    import gc

    gc.unfreeze()  # what earlier tests froze
    app = CrmApp(start_mode="leads")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        first = app.screen_stack[0]  # (an empty database offers demo data over it)
        assert type(first).__name__ == "LeadsScreen"
        assert not any(thing is first for thing in gc.get_objects()), "frozen"
        assert gc.get_freeze_count() > 20_000  # the app's code and styles too


async def test_the_first_frame_is_drawn_before_the_workers_start(db, monkeypatch):
    """The overdue count and the look for an empty database run in workers started
    once the first frame is shown (Textual's Ready), not while it is drawn: on
    PostgreSQL each worker's thread opens a connection of its own."""
    from tui_crm.core import activities, leads

    lead = leads.create_lead({"name": "Ada"})
    activities.create_activity({"kind": "Call", "subject": "Ring back", "lead_id": lead,
                                "due": "2020-01-01"})
    happened: list[str] = []

    def marking(name: str):
        original = getattr(CrmApp, name)

        def marked(app):  # one parameter: Textual hands the event only to two
            happened.append(name)
            return original(app)
        return marked

    for name in ("on_ready", "refresh_overdue", "_offer_first_run"):
        monkeypatch.setattr(CrmApp, name, marking(name))
    app = CrmApp(start_mode="leads")
    async with app.run_test(size=(80, 24)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert "1 overdue" in app.sub_title
    assert happened[:3] == ["on_ready", "_offer_first_run", "refresh_overdue"], happened


@pytest.mark.pg
async def test_on_postgresql_the_board_comes_through_psycopg2_then_psycopg_3(quick_db, run_app):
    """The first frame is drawn through psycopg2; psycopg 3 loads once it is shown, the
    screens' connection moves to it, and a move goes through it."""
    from tests.conftest import driver
    from tui_crm.core import customers, deals
    from tui_crm.ui.widgets.board import Board

    acme = customers.create_customer({"name": "Acme [/] Corp"})
    deal = deals.create_deal({"name": "Renewal", "amount": "1200", "customer_id": acme})
    first_stage = deals.get_deal(deal).stage_name
    assert driver(quick_db) == "psycopg2"
    async with run_app(start_mode="pipeline") as pilot:
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        assert driver(quick_db) == "psycopg", "the screens' thread moved"
        board = pilot.app.screen.query_one(Board)
        assert board.selected.name == "Renewal"
        await pilot.press("greater_than_sign")
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        moved = deals.get_deal(deal)
        assert moved.stage_name != first_stage and board.selected.id == deal
        assert board.column.stage.name == moved.stage_name
    assert driver(quick_db) == "psycopg"
