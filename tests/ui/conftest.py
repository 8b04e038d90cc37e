"""The app as a test starts it: at a fixed size, its first screen drawn with its data."""

from __future__ import annotations

import contextlib

import pytest

from tests.ui.pilot_helpers import settle
from tui_crm.ui.app import CrmApp


@pytest.fixture
def run_app():
    """Start the app on the database a fixture opened, for a test to drive::

        async with run_app(start_mode="pipeline") as pilot:
            await press(pilot, "greater_than_sign")

    The Pilot is handed over once the first screen's workers are done; ``pilot.app``
    is the app. Several may run at once (two people on one database). With
    ``notifications`` the app shows its notifications (as a user sees them)."""

    @contextlib.asynccontextmanager
    async def run(start_mode: str = "leads", size: tuple[int, int] = (120, 40),
                  live_interval: float | None = None, notifications: bool = False):
        app = CrmApp(start_mode=start_mode)
        app.live_interval = live_interval
        async with app.run_test(size=size, notifications=notifications) as pilot:
            await settle(pilot)
            yield pilot

    return run
