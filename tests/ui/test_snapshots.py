"""Every screen as a user sees it, at 80x24 and 120x40 (one with NO_COLOR), on a small
fixed database: demo data of a fixed seed, a frozen today and fixed timestamps.

A layout change shows here as a failed comparison; after a deliberate one, run
``pytest tests/ui/test_snapshots.py --snapshot-update`` and look at each new SVG under
``tests/ui/__snapshots__/`` before committing it (the report of a failed run shows
the old and the new side by side)."""

from __future__ import annotations

import datetime as dt

import pytest
from textual.widgets import Input, TextArea

from tests.ui.pilot_helpers import settle
from tui_crm.core import demo
from tui_crm.core.db import open_database
from tui_crm.core.models import ALL_MODELS, ChangeLog
from tui_crm.ui.app import CrmApp

SIZES = [(80, 24), (120, 40)]
AT = dt.datetime(2026, 11, 14, 9, 30)  # every record's created/updated time
DEALS = 40


@pytest.fixture
def demo_db(tmp_path):
    """A small demo database, the same at every run."""
    database = open_database(str(tmp_path / "crm.db"))
    demo.load_demo(DEALS)
    for model in ALL_MODELS:
        stamps = {field: AT for field in ("created_at", "updated_at")
                  if field in model._meta.fields}
        if stamps:
            model.update(stamps).execute()
    ChangeLog.update(at=AT).execute()
    yield database
    database.close()


def keys(*pressed: str):
    """Press the keys, letting each one's work reach the screen, then settle; text
    cursors stay lit (a blinking one is caught on or off by chance)."""

    async def run(pilot) -> None:
        await settle(pilot)
        for key in pressed:
            await pilot.press(key)
            await settle(pilot)
        for field in pilot.app.screen.query("Input, TextArea").results((Input, TextArea)):
            field.cursor_blink = False
        await pilot.pause()

    return run


SCREENS = {
    "leads": ("leads", ()),
    "customers": ("customers", ()),
    "pipeline": ("pipeline", ()),
    "forecast": ("forecast", ()),
    "deal-form": ("pipeline", ("enter",)),
    "help": ("pipeline", ("question_mark",)),
    "forecast-deals": ("forecast", ("down", "enter")),
    "today": ("today", ()),
    "stages": ("pipeline", ("ctrl+p", *"edit stag", "enter")),
    "trash": ("pipeline", ("ctrl+p", *"trash", "enter")),
}


@pytest.mark.parametrize("size", SIZES, ids=lambda size: f"{size[0]}x{size[1]}")
@pytest.mark.parametrize("screen", list(SCREENS))
def test_screen(screen, size, demo_db, snap_compare):
    mode, pressed = SCREENS[screen]
    assert snap_compare(CrmApp(start_mode=mode), terminal_size=size,
                        run_before=keys(*pressed))


@pytest.mark.parametrize("size", SIZES, ids=lambda size: f"{size[0]}x{size[1]}")
def test_welcome_screen(size, sqlite_db, snap_compare):
    assert snap_compare(CrmApp(), terminal_size=size, run_before=keys())


def test_pipeline_without_colour(demo_db, snap_compare, monkeypatch):
    monkeypatch.setenv("NO_COLOR", "1")
    assert snap_compare(CrmApp(start_mode="pipeline"), terminal_size=(80, 24),
                        run_before=keys())
