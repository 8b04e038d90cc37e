"""At 80x24 the names get the room first and the board shows whole columns; the marks
for overdue and undated deals stand out without colour."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.ui.pilot_helpers import press, screen_text, settle
from tui_crm.core import customers, deals, leads
from tui_crm.ui.app import CrmApp
from tui_crm.ui.widgets.board import Board
from tui_crm.ui.widgets.record_list import Column, fit_columns

LONG_NAME = "Acme [/] Corp [bold] International Holdings"


@pytest.fixture
def crm(sqlite_db):
    acme = customers.create_customer({"name": LONG_NAME, "company": "Acme Group",
                                      "email": "ops@acme.example"})
    leads.create_lead({"name": LONG_NAME, "company": "Acme Group", "status": "Qualified",
                       "source": "Referral", "email": "ada@acme.example"})
    for number, stage in enumerate(["Qualification", "Proposal", "Negotiation",
                                    "Qualification"]):
        deals.create_deal({"name": f"Deal {number}", "amount": "1000", "stage": stage,
                           "close_date": dt.date(2026, 10, 1) if number else None,
                           "customer_id": acme})


async def test_leads_at_80_columns_keep_the_name_whole_and_drop_minor_columns(crm, run_app):
    async with run_app(start_mode="leads", size=(80, 24)) as pilot:
        app = pilot.app
        text = screen_text(app)
        header = next(line for line in text.splitlines() if line.startswith("Name"))
        assert "Company" in header and "Status" in header
        for minor in ("Source", "Updated", "E-mail"):
            assert minor not in header
        assert "Acme [/] Corp [bold] International" in text  # 34 cells of name
    # beside the detail panel, the list keeps the name, company and status; a wide
    # terminal shows every column
    for size, shown in (((120, 40), ("Company", "Status")),
                        ((180, 40), ("Source", "Updated", "E-mail"))):
        async with CrmApp(start_mode="leads").run_test(size=size) as pilot:
            await settle(pilot)
            header = next(line for line in screen_text(pilot.app).splitlines()
                          if line.startswith("Name"))
            assert all(title in header for title in shown), header


def test_columns_hide_by_priority_and_the_name_takes_the_odd_cells():
    columns = [Column("Name", str, min_width=20), Column("Tag", str, width=5, priority=2),
               Column("Note", str, min_width=10, priority=1)]
    assert fit_columns(columns, 80) == ((0, 42), (1, 5), (2, 31))
    assert fit_columns(columns, 31) == ((0, 20), (2, 10))  # the tag went first
    assert fit_columns(columns, 30) == ((0, 30),)  # then the note
    assert fit_columns(columns, 12) == ((0, 20),)  # the name stays, cut at the edge


@pytest.mark.parametrize("size", [(80, 24), (100, 30), (120, 40), (130, 40)])
async def test_the_board_shows_whole_columns_only(crm, size, run_app):
    async with run_app(start_mode="pipeline", size=size) as pilot:
        app = pilot.app
        board = app.screen.query_one(Board)
        for step in range(len(board.columns)):
            view = board.content_region  # what the board shows (a margin may follow)
            seen = [c for c in board.columns if c.region.overlaps(view)]
            assert seen, step
            for column in seen:  # in view means wholly in view, and wide enough
                assert view.x <= column.region.x and column.region.right <= view.right
                assert column.region.width >= 24
            assert board.column in seen
            await press(pilot, "l")


async def test_overdue_and_undated_marks_are_reversed_not_only_coloured(crm, run_app):
    async with run_app(start_mode="pipeline", size=(80, 24)) as pilot:
        app = pilot.app
        board = app.screen.query_one(Board)
        first = board.columns[0]
        marks = {}
        for y in range(first.size.height):
            for segment in first.render_line(y):
                if segment.text.strip().startswith(("!", "?")):
                    marks[segment.text.strip()] = segment.style
        assert set(marks) == {"!2026-10-01", "?no date", "?step"}  # ?step: no next step
        assert all(style.reverse and style.bold for style in marks.values())
