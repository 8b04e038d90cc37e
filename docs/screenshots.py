"""Regenerate the README's screenshots: ``.venv/bin/python docs/screenshots.py``.

Demo data in a temporary database, the app driven by keys at 120x40, SVGs from
Textual's own screenshot function.
"""

from __future__ import annotations

import asyncio
import tempfile
from pathlib import Path

from tui_crm.core import changelog, demo
from tui_crm.core.db import open_database
from tui_crm.ui.app import CrmApp

HERE = Path(__file__).parent


async def shoot() -> None:
    app = CrmApp(db_label="~/.local/share/tui-crm/crm.db", start_mode="customers")
    async with app.run_test(size=(120, 40)) as pilot:
        for _ in range(5):
            await app.workers.wait_for_complete()
            await pilot.pause()
        await pilot.press("down", "down", "down")
        await app.workers.wait_for_complete()
        await pilot.pause()
        app.save_screenshot("customers.svg", str(HERE))
        await pilot.press("o")
        await pilot.press(*"Q3 expansion", "tab", *"12.5k", "tab", *"2026-13-01", "ctrl+s")
        await app.workers.wait_for_complete()
        await pilot.pause()
        app.save_screenshot("deal-form.svg", str(HERE))


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        database = open_database(str(Path(tmp) / "crm.db"))
        changelog.set_user("sam")
        demo.load_demo(deals=400)
        asyncio.run(shoot())
        database.close()


if __name__ == "__main__":
    main()
