"""The leads list: a page at a time, a cursor that keeps its record, `/` search."""

from __future__ import annotations

import pytest

from tests.ui.pilot_helpers import bulk_leads, press, screen_text, settle, start_empty, type_text
from tui_crm.core import leads
from tui_crm.ui.screens import leads as leads_screen
from tui_crm.ui.widgets.record_list import RecordList


def watch_sources(monkeypatch, wrap) -> None:
    """Every source the leads list reads from (in any order or filter), through ``wrap``."""
    arrange = leads_screen.lead_source
    monkeypatch.setattr(leads_screen.LeadsScreen, "SOURCE_FOR",
                        staticmethod(lambda order, status: wrap(arrange(order, status))))


@pytest.fixture
def fetched(monkeypatch):
    """Counts the rows the leads list fetches from the database."""
    counter = {"rows": 0, "pages": 0}

    def wrap(source):
        def page(*args):
            rows = source.page(*args)
            counter["rows"] += len(rows)
            counter["pages"] += 1
            return rows
        return type(source)(source.count, page, source.position)

    watch_sources(monkeypatch, wrap)
    return counter


def records(app) -> RecordList:
    return app.screen.query_one(RecordList)


async def test_a_big_list_fetches_only_the_pages_it_shows(sqlite_db, fetched, run_app):
    bulk_leads(5_000)
    async with run_app() as pilot:
        app = pilot.app
        assert "5,000 leads" in screen_text(app)
        assert records(app).highlighted.name == "Lead 000000"
        await press(pilot, "end")
        assert records(app).highlighted.name == "Lead 004999"
        assert "Lead 004999" in screen_text(app)
        await press(pilot, "pageup", "up")
        top_index = records(app).cursor
        assert records(app).highlighted.name == f"Lead {top_index:06d}"
        await press(pilot, "home", "down", "down", "pagedown")
        assert records(app).cursor == 2 + records(app).body_height()
    assert fetched["rows"] <= 5 * 100, "only the pages on screen are fetched"


async def test_scrolling_down_pages_by_key(sqlite_db, fetched, monkeypatch, run_app):
    bulk_leads(450)
    afters = []

    def wrap(source):
        def page(search, offset, limit, after):
            afters.append(after)
            return source.page(search, offset, limit, after)
        return type(source)(source.count, page, source.position)

    watch_sources(monkeypatch, wrap)
    async with run_app() as pilot:
        app = pilot.app
        for _ in range(8):
            await press(pilot, "pagedown")
        assert records(app).cursor > 200
        assert afters[0] is None
        assert all(after is not None for after in afters[1:]), "pages after the first by key"
        assert [after.name for after in afters[1:3]] == ["Lead 000099", "Lead 000199"]


async def test_reload_keeps_the_cursor_on_its_record(sqlite_db, run_app):
    bulk_leads(300)
    async with run_app() as pilot:
        app = pilot.app
        await press(pilot, "pagedown", "pagedown", "down")
        before = records(app).highlighted
        leads.create_lead({"name": "Lead 000000 (first of all)"})
        leads.create_lead({"name": "A newcomer"})
        app.screen.reload()
        await settle(pilot)
        assert records(app).highlighted.id == before.id
        assert records(app).cursor == before_index(before) + 2
        assert "302 leads" in screen_text(app)


def before_index(row) -> int:
    return int(row.name.split()[1])


async def test_search_filters_as_typed_keeps_on_enter_and_clears_on_escape(sqlite_db, run_app):
    bulk_leads(200)
    leads.create_lead({"name": "Zed Shaw", "company": "Acme"})
    leads.create_lead({"name": "Ann Acmeson"})
    async with run_app() as pilot:
        app = pilot.app
        await press(pilot, "down", "down", "down")
        kept = records(app).highlighted
        await press(pilot, "slash")
        await type_text(pilot, "acme", keys=True)
        assert records(app).count == 2
        assert "2 leads match “acme”" in screen_text(app)
        assert "Lead 000001" not in screen_text(app)
        await press(pilot, "enter")
        assert app.focused is records(app)
        assert records(app).cursor == 0 and records(app).highlighted.name == "Ann Acmeson"
        await press(pilot, "down")
        assert records(app).highlighted.name == "Zed Shaw"
        assert records(app).search == "acme", "enter keeps the filter"
        await press(pilot, "escape")
        assert records(app).search == ""
        assert records(app).count == 202
        assert records(app).highlighted.name == "Zed Shaw", "the cursor stays on its record"
        await press(pilot, "slash")
        await type_text(pilot, "no such lead")
        assert "Nothing matches “no such lead”" in screen_text(app)
        await press(pilot, "escape")
        assert records(app).count == 202
        assert kept is not None


async def test_an_empty_list_says_what_to_press(sqlite_db, run_app):
    async with run_app(size=(80, 24)) as pilot:
        app = pilot.app
        await start_empty(pilot)
        assert "No leads yet: press n to add one." in screen_text(app)


async def test_a_search_with_few_matches_needs_no_count(sqlite_db, monkeypatch, run_app):
    bulk_leads(250)
    leads.create_lead({"name": "Grace Hopper"})
    counts = []

    def wrap(source):
        def count(search):
            counts.append(search)
            return source.count(search)
        return type(source)(count, source.page, source.position)

    watch_sources(monkeypatch, wrap)
    async with run_app() as pilot:
        app = pilot.app
        assert "251 leads" in screen_text(app)
        assert counts == [""], "a full first page: the whole list is counted"
        await press(pilot, "slash")
        await type_text(pilot, "Grace")
        assert "1 lead matches “Grace”" in screen_text(app)
        assert counts == [""], "one match, on a first page that is not full: no count"
        await press(pilot, "escape")
        assert "251 leads" in screen_text(app)
