"""Live screens: other people's changes appear within about two seconds.

``LiveRefresh`` is mixed into the app. About once a second (``check_now``, which
tests call instead of waiting for the clock) a thread asks the core's
``ChangeWatcher`` whether anything was committed since the last look (one
tiny query; see ``core/live.py``). When something was, every data screen on view
is told to ``reload()``, which re-queries what it shows and keeps its cursor. A
screen that was out of view (another mode) reloads as soon as it is back.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Iterator
from weakref import WeakKeyDictionary

from textual.screen import Screen

from tui_crm.core import live
from tui_crm.core.errors import CrmError


class LiveRefresh:
    """Mixin for the App: polls for changes and reloads the screens on view."""

    live_interval: float | None = 1.0  # seconds between looks; None: only check_now

    def on_mount(self) -> None:  # Textual calls this besides the app's own on_mount
        self._live_watcher = live.watch_open_database()  # made here: one per app
        self._live_token: live.Token | None = None
        self._live_started = False  # a first token was taken: later ones are changes
        self._live_lock = threading.Lock()  # tokens come from the looks and from writes
        self._live_looking = asyncio.Lock()  # one look at a time
        self._live_generation = 0
        self._live_seen: WeakKeyDictionary[Screen, int] = WeakKeyDictionary()
        if self._live_watcher is not None and self.live_interval:
            self.set_interval(self.live_interval, self.check_now, name="live-refresh")

    def on_ready(self) -> None:  # the first frame is shown (Textual's Ready)
        # The first look marks where the database is: taken once the first screen is
        # drawn with its data (its connection opened then, not while the screen is
        # drawn), not a whole interval later, so a change made in between is not taken
        # for the starting point.
        if self._live_watcher is not None:
            self.call_later(self.check_now)

    def on_unmount(self) -> None:
        if self._live_watcher is not None:
            self._live_watcher.close()

    def open_screens(self) -> Iterator[Screen]:
        """Every screen of every mode opened so far, each mode's bottom screen first."""
        for mode in self.MODES:
            with contextlib.suppress(KeyError):  # a mode not opened yet
                yield from self.get_screen_stack(mode)

    async def check_now(self) -> bool:
        """Look for other people's changes now, and reload the screens on view that
        have not seen the latest one; True when something changed since the last look.
        The timer calls it about once a second (tests call it instead)."""
        async with self._live_looking:
            self._live_catch_up()
            changed = await asyncio.to_thread(self._live_look)
            if changed:
                self._live_generation += 1
                self._live_catch_up()
                self.live_changed()
            return changed

    def live_changed(self) -> None:
        """Called after screens were told of a change (the app counts anew what its
        header shows)."""

    def _live_look(self) -> bool:
        """In a thread, off the event loop: has anything changed since the last look?"""
        if self._live_watcher is None:
            return False
        try:
            now = self._live_watcher.token()
        except CrmError:
            return False  # the database is unreachable for now: look again next time
        return self._live_advance(now) and self._live_started

    def _live_advance(self, token: live.Token) -> bool:
        """Keep the newest token seen; True if ``token`` is newer than the last."""
        with self._live_lock:
            return self._live_keep(token)

    def _live_keep(self, token: live.Token) -> bool:
        last = self._live_token
        if last is not None and token <= last:
            return False
        self._live_token = token
        self._live_started = last is not None
        return True

    @contextlib.contextmanager
    def own_change(self) -> Iterator[None]:
        """Around a change this app makes (in any thread) and then shows itself: the
        next look does not count it as a change. Looks wait while it runs, so one made
        just after it still counts. The screen that made it calls ``saw_own_change``."""
        with self._live_lock, live.numbers_taken() as numbers:
            yield
            if self._live_watcher is not None:
                with contextlib.suppress(CrmError):
                    self._live_keep(self._live_watcher.token_after(numbers))

    def saw_own_change(self, screen: Screen) -> None:
        """``screen`` shows its own change (see ``own_change``); the other screens
        reload when next on view."""
        self._live_generation += 1
        self._live_seen[screen] = self._live_generation

    def _live_catch_up(self) -> None:
        """Reload each data screen on view that has not seen the latest change."""
        # Screens of the other modes count from what was current when they were first
        # noticed, on view or not: one opened and left between two looks still
        # catches up when it is back.
        for screen in self.open_screens():
            self._live_seen.setdefault(screen, self._live_generation)
        for screen in self.screen_stack:
            reload = getattr(screen, "reload", None)
            if reload is None or not screen.is_mounted:
                continue
            seen = self._live_seen.setdefault(screen, self._live_generation)
            if seen != self._live_generation:
                self._live_seen[screen] = self._live_generation
                reload()
