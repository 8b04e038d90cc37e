"""What a search keystroke costs the database: typed key by key, each key is one page
and at most one count; typed in a burst (a fast typist, a paste), a search typed over
while another runs is skipped; never are two counts of one list running at once. On SQLite and on
PostgreSQL (where a count is a round trip to the server and its indexes)."""

from __future__ import annotations

import threading

import pytest

from tests.helpers import statements
from tests.ui.pilot_helpers import bulk_leads, burst, press, screen_text
from tui_crm.core.paging import SortOrder
from tui_crm.ui.screens import leads as leads_screen

pytestmark = pytest.mark.pg


class Watched:
    """The leads list's source, counting its calls and the counts running at once."""

    def __init__(self):
        self.source = leads_screen.lead_source(SortOrder(), None)
        self.lock = threading.Lock()
        self.running = 0
        self.most_at_once = 0
        self.counts: list[str] = []
        self.pages: list[str] = []

    def count(self, search: str) -> int:
        with self.lock:
            self.running += 1
            self.most_at_once = max(self.most_at_once, self.running)
            self.counts.append(search)
        try:
            return self.source.count(search)
        finally:
            with self.lock:
                self.running -= 1

    def page(self, search, offset, limit, after):
        self.pages.append(search)
        return self.source.page(search, offset, limit, after)

    def install(self, monkeypatch) -> None:
        def source_for(order, status):
            self.source = leads_screen.lead_source(order, status)
            return type(self.source)(self.count, self.page, self.source.position)

        monkeypatch.setattr(leads_screen.LeadsScreen, "SOURCE_FOR", staticmethod(source_for))


@pytest.fixture
def watched(db, monkeypatch):
    bulk_leads(300)  # more than a page matches "lead": each search is counted
    source = Watched()
    source.install(monkeypatch)
    return source


async def test_each_key_of_a_search_is_one_page_and_one_count(db, watched, run_app):
    async with run_app() as pilot:
        app = pilot.app
        await press(pilot, "slash")
        for typed in ("l", "le", "lea", "lead"):
            with statements(db) as seen:
                await press(pilot, typed[-1])
            reads = [sql for sql, _ in seen if '"lead"' in sql]
            assert len(reads) <= 2, (typed, seen)  # the first page, the count
            assert watched.counts[-1] == typed and watched.counts.count(typed) == 1
        assert "300 leads match “lead”" in screen_text(app)
    assert watched.most_at_once == 1


async def test_a_burst_of_keys_counts_one_search_at_a_time_and_the_last_one_last(
        db, watched, run_app):
    async with run_app() as pilot:
        app = pilot.app
        await press(pilot, "slash")
        counted, paged = len(watched.counts), len(watched.pages)
        await burst(pilot, *"lead 000")
        assert "300 leads match “lead 000”" in screen_text(app)
        searched = watched.counts[counted:]
        # Searches typed over while another ran are skipped; none is counted twice.
        assert searched[-1] == "lead 000" and len(set(searched)) == len(searched), searched
        assert len(watched.pages) - paged == len(searched), watched.pages[paged:]
    assert watched.most_at_once == 1
