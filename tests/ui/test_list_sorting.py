"""Leads and customers sort by any shown column (`s` cycles the column and direction,
shown in the column's title and the header) and leads filter by status (`f` cycles
All and each status): the rows on screen are the database's in that order, from its
first row (another order of the same rows is not counted again), deep pages follow by
key, keys typed meanwhile land in the new order, and `/` search composes with both."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.ui.pilot_helpers import burst, press, screen_text, settle, type_text
from tui_crm.core import customers, leads
from tui_crm.core.models import LEAD_STATUSES, Customer, Lead, db
from tui_crm.core.paging import SortOrder
from tui_crm.ui.app import CrmApp
from tui_crm.ui.widgets.record_list import RecordList

COUNT = 260  # three pages: paging by key shows at the end
BASE = dt.datetime(2026, 1, 1, 9)


@pytest.fixture
def mixed_leads(sqlite_db):
    """Leads whose companies, statuses and update times are in no order of their names."""
    rows = [{"name": f"Lead {i:04d}", "company": f"Co {(i * 37) % 50:02d}",
             "status": LEAD_STATUSES[(i * 3) % 5], "source": ("web", "fair", "ad")[i % 3],
             "email": f"l{(i * 53) % COUNT:04d}@x.example", "created_at": BASE,
             "updated_at": BASE + dt.timedelta(hours=(i * 71) % 400)} for i in range(COUNT)]
    with db.atomic():
        Lead.insert_many(rows).execute()


def records(app) -> RecordList:
    return app.screen.query_one(RecordList)


def lines(app) -> list[str]:
    return screen_text(app).splitlines()


def list_lines(app) -> list[str]:
    """The rows the list shows, top down (after the header and the column titles; the
    detail panel beside them left out)."""
    shown = [line.split("▏")[0] for line in lines(app)]
    return [line for line in shown[2:] if line.startswith("Lead ")]


def visible_rows(app) -> list:
    """The rows under the list's visible lines, as the list holds them."""
    top = round(records(app).scroll_y)
    return [records(app).row_at(top + n) for n in range(len(list_lines(app)))]


def names(rows) -> list[str]:
    return [row.name for row in rows]


async def test_s_cycles_the_sort_through_every_column_both_ways(mixed_leads, run_app):
    async with run_app(size=(220, 40)) as pilot:  # wide: every column is shown
        app = pilot.app
        assert "Name ↑" in lines(app)[1]
        seen = []
        for title, field in (("Name", "name"), ("Company", "company"), ("Status", "status"),
                             ("Source", "source"), ("E-mail", "email"),
                             ("Updated", "updated_at")):
            for descending in (False, True):
                if (field, descending) != ("name", False):
                    await press(pilot, "s")
                arrow = "↓" if descending else "↑"
                header, titles = lines(app)[0], lines(app)[1]
                assert f"{title} {arrow}" in titles
                if (field, descending) != ("name", False):
                    assert f"by {title} {arrow}" in header
                # From the first row of the new order.
                want = names(leads.list_leads(order=SortOrder(field, descending),
                                              limit=60))
                assert records(app).cursor == 0 and records(app).highlighted.name == want[0]
                shown = [line.split("  ")[0] for line in list_lines(app)]
                assert shown == want[:len(shown)] and len(shown) >= 30
                seen.append((field, descending))
        await press(pilot, "s")
        assert "Name ↑" in lines(app)[1], "after Updated ↓ comes Name ↑ again"
        assert "by " not in lines(app)[0]
    assert len(seen) == 12


async def test_a_sorted_list_pages_by_key_to_its_end_and_keys_land_in_order(mixed_leads,
                                                                             monkeypatch, run_app):
    order = SortOrder("company", descending=True)
    whole = leads.list_leads(order=order, limit=COUNT)
    counted = []
    real = leads.count_leads
    monkeypatch.setattr(leads, "count_leads", lambda *args: counted.append(args) or real(*args))
    async with run_app() as pilot:
        app = pilot.app
        await press(pilot, "down", "down")
        counted.clear()
        # Name ↓, Company ↑, Company ↓, then two steps down: in one burst, the steps
        # land in the last order.
        await burst(pilot, "s", "s", "s", "down", "down")
        assert "Company ↓" in lines(app)[1]
        assert records(app).cursor == 2 and records(app).highlighted.id == whole[2].id
        counted.clear()
        # Status ↑, Status ↓, Name ↑ (beside the detail, Name, Company and Status show)
        await press(pilot, "s", "s", "s")
        assert "Name ↑" in lines(app)[1]
        assert counted == [], "another order of the same rows is not counted again"
        await burst(pilot, *"s" * 9)  # Name ↓ ... Company ↓, once round and on
        assert "Company ↓" in lines(app)[1] and f"{COUNT} leads" in screen_text(app)
        await press(pilot, "home")
        for _ in range(8):
            await press(pilot, "pagedown")
        assert records(app).highlighted.id == whole[records(app).cursor].id
        await press(pilot, "end")
        assert records(app).highlighted.id == whole[-1].id
        assert whole[-1].name in screen_text(app)
        await press(pilot, "home")
        assert records(app).highlighted.id == whole[0].id


async def test_f_cycles_the_status_filter_shown_in_the_header(mixed_leads, run_app):
    async with run_app() as pilot:
        app = pilot.app
        assert f"{COUNT} leads" in screen_text(app)
        for status in LEAD_STATUSES:
            await press(pilot, "f")
            count = leads.count_leads(status=status)
            assert f"status {status}" in lines(app)[0]
            assert f"{count} leads  · status {status}" in screen_text(app)
            shown = list_lines(app)
            assert shown and {row.status for row in visible_rows(app)} == {status}
            want = leads.list_leads(status=status, limit=len(shown))
            assert [line.split("  ")[0] for line in shown] == names(want)
        await press(pilot, "f")
        assert "status" not in lines(app)[0] and f"{COUNT} leads" in screen_text(app)
        # A burst: f f s s lands on Contacted, by Company ↑.
        await burst(pilot, "f", "f", "s", "s", "home")
        assert "status Contacted · by Company ↑" in lines(app)[0]
        want = leads.list_leads(order=SortOrder("company"), status="Contacted", limit=20)
        assert [line.split("  ")[0] for line in list_lines(app)][:20] == names(want)
        await press(pilot, "end")
        last = leads.list_leads(order=SortOrder("company", True), status="Contacted",
                                limit=1)
        assert records(app).highlighted.id == last[0].id


async def test_search_composes_with_the_sort_and_the_filter(mixed_leads, run_app):
    async with run_app() as pilot:
        app = pilot.app
        await burst(pilot, "s", "s", "s", "f", "f", "f")  # Company ↓, Qualified
        await press(pilot, "slash")
        await type_text(pilot, "Lead 01")
        await press(pilot, "enter")
        order = SortOrder("company", descending=True)
        want = leads.list_leads("Lead 01", order=order, status="Qualified")
        assert want, "the data has matches"
        assert f"{len(want)} leads match “Lead 01”" in screen_text(app)
        assert [line.split("  ")[0] for line in list_lines(app)] == names(want)
        await press(pilot, "s")  # Status ↑: still the search and the filter
        want = leads.list_leads("Lead 01", order=SortOrder("status"), status="Qualified")
        assert [line.split("  ")[0] for line in list_lines(app)] == names(want)
        await press(pilot, "escape")
        assert leads.count_leads(status="Qualified") == len(list_lines(app)) or \
            f"{leads.count_leads(status='Qualified')} leads" in screen_text(app)


async def test_an_empty_filter_says_so_and_a_jump_to_a_lead_clears_it(sqlite_db, run_app):
    ada = leads.create_lead({"name": "Ada", "status": "New"})
    leads.create_lead({"name": "Bob", "status": "Qualified"})
    async with run_app() as pilot:
        app = pilot.app
        await burst(pilot, "f", "f", "f", "f", "f")  # Converted: nobody
        assert "No leads with status Converted: f shows the others." in screen_text(app)
        app.show_record("lead", ada)
        await settle(pilot)
        assert records(app).highlighted.id == ada
        assert "status" not in lines(app)[0]


async def test_at_80x24_s_steps_through_the_columns_shown(mixed_leads, run_app):
    async with run_app(size=(80, 24)) as pilot:
        app = pilot.app
        titles = lines(app)[1]
        assert "Updated" not in titles and "Source" not in titles
        steps = []
        for _ in range(8):
            await press(pilot, "s")
            steps.append(next(part for part in lines(app)[1].split("  ")
                              if "↑" in part or "↓" in part).strip())
        shown = [title for title in ("Company", "Status", "E-mail") if title in titles]
        expected = ["Name ↓"] + [f"{title} {arrow}" for title in shown
                                 for arrow in "↑↓"] + ["Name ↑"]
        assert steps[:len(expected)] == expected
        await press(pilot, "s")  # after Company ↑
        assert "by Company ↓" in lines(app)[0]
        want = leads.list_leads(order=SortOrder("company", True), limit=COUNT)
        top = round(records(app).scroll_y)
        shown = [line.split("  ")[0] for line in list_lines(app)]
        assert top == 0 and len(shown) >= 5 and shown == names(want)[:len(shown)]
        assert records(app).highlighted.id == want[0].id, "from the first row"


async def test_customers_sort_by_any_shown_column(sqlite_db, run_app):
    for name, company in (("Zed", "Acme [/] Corp [bold]"), ("Amy", "Globex"),
                          ("Moe", "Initech"), ("Bea", "Acme [/] Corp [bold]")):
        customers.create_customer({"name": name, "company": company,
                                   "email": f"{name.lower()}@x.example"})
    Customer.update(updated_at=BASE).where(Customer.name == "Moe").execute()
    async with run_app(start_mode="customers") as pilot:
        app = pilot.app
        assert "Name ↑" in lines(app)[1]
        await burst(pilot, "s", "s")  # Name ↓, Company ↑
        assert "Company ↑" in lines(app)[1] and "by Company ↑" in lines(app)[0]
        shown = [line.split()[0] for line in lines(app)[2:6]]
        assert shown == ["Zed", "Bea", "Amy", "Moe"], "ties by id; text shown literally"
        assert "Acme [/] Corp [bold]" in screen_text(app)
        await burst(pilot, "s", "s")  # Company ↓, then (E-mail and Updated hide
        # beside the detail) Name ↑ again
        assert "Name ↑" in lines(app)[1] and "by " not in lines(app)[0]
        assert "Filter" not in screen_text(app), "customers have no filter"
    wide = CrmApp(start_mode="customers")
    async with wide.run_test(size=(220, 40)) as pilot:
        await settle(pilot)
        assert "Updated" in lines(wide)[1]
        await burst(pilot, *"sssssss")  # Name ↓, Company ↑ ↓, E-mail ↑ ↓, Updated ↑ ↓
        assert "by Updated ↓" in lines(wide)[0]
        assert lines(wide)[5].split()[0] == "Moe", "the oldest update last"
