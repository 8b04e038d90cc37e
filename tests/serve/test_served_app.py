"""A served session reaches no file of the server: no CSV import, no screenshot."""

from __future__ import annotations

import pytest
from textual.command import CommandPalette

from tests.ui.pilot_helpers import press, screen_text, settle, type_text
from tui_crm.ui.app import CrmApp


async def palette_shows(pilot, text: str) -> str:
    await press(pilot, "ctrl+p")
    assert isinstance(pilot.app.screen, CommandPalette)
    await type_text(pilot, text)
    await settle(pilot)
    shown = screen_text(pilot.app)
    await press(pilot, "escape")
    return shown


@pytest.mark.parametrize("served", [False, True])
async def test_over_ssh_the_palette_offers_no_file_import_nor_screenshot(
        sqlite_db, monkeypatch, served):
    if served:
        monkeypatch.setenv("TUI_CRM_SERVED", "1")  # as `tui-crm serve` starts its sessions
    app = CrmApp()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await press(pilot, "escape")  # the first-run offer
        assert ("Import a CSV file" in await palette_shows(pilot, "import csv")) != served
        assert ("Screenshot" in await palette_shows(pilot, "screensh")) != served
        assert "Go to Pipeline" in await palette_shows(pilot, "go to pipe")
