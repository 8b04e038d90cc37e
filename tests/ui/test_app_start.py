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
