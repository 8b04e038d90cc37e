"""The stylesheet parses a source once per theme: a new theme still restyles every
screen, and a screen opened later is styled like the first."""

from __future__ import annotations

from tests.ui.pilot_helpers import press, settle
from tui_crm.core import leads


async def test_a_new_theme_restyles_the_screens(sqlite_db, run_app):
    leads.create_lead({"name": "Ada"})
    async with run_app(size=(80, 24)) as pilot:
        app = pilot.app
        dark = app.screen.styles.background
        app.theme = "textual-light"
        await settle(pilot)
        light = app.screen.styles.background
        assert light != dark and light.brightness > dark.brightness
        await press(pilot, "2")  # a screen first opened under the new theme
        assert app.screen.styles.background == light
        app.theme = "textual-dark"
        await settle(pilot)
        await press(pilot, "1")
        assert app.screen.styles.background == dark
