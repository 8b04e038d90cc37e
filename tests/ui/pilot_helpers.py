"""Helpers for driving the app with Pilot: settle workers, read the screen."""

from __future__ import annotations

import unicodedata

from textual import events
from textual.pilot import Pilot
from textual.worker import WorkerCancelled, WorkerFailed

from tui_crm.core.models import Customer, Lead, db, now


async def settle(pilot: Pilot, rounds: int = 5) -> None:
    """Let workers finish and their results reach the screen; again while a result
    started more work (a list asking for its next page)."""
    for _ in range(rounds):
        while pilot.app.keys_pending:  # a burst still being handled, key by key
            await pilot.pause()
        try:
            await pilot.app.workers.wait_for_complete()
        except WorkerCancelled:
            pass  # an exclusive worker was replaced by a newer one: wait for that
        except WorkerFailed:
            pass  # the app said why in one sentence (tests/ui/test_faults.py)
        await pilot.pause()
        busy = any(worker.is_running or worker.state.name == "PENDING"
                   for worker in pilot.app.workers)
        if not busy and not pilot.app.keys_pending:
            return


async def press(pilot: Pilot, *keys: str) -> None:
    """Press keys, then settle."""
    await pilot.press(*keys)
    await settle(pilot)


CHARACTERS = {"tab": "\t", "enter": "\r", "escape": "\x1b", "space": " "}


def key_event(key: str) -> events.Key:
    """The Key event a terminal sends for ``key`` (a key name, as Pilot takes them,
    or one character)."""
    if len(key) == 1:
        name = key if key.isalnum() else "space" if key == " " \
            else unicodedata.name(key).lower().replace(" ", "_").replace("-", "_")
        return events.Key(name, key)
    return events.Key(key, CHARACTERS.get(key))


async def burst(pilot: Pilot, *keys: str) -> None:
    """Send keys as a fast typist, a paste or tmux does: every one of them reaches the
    app before the first is handled (Pilot's ``press`` lets each settle first). Then
    settle."""
    for key in keys:
        pilot.app.post_message(key_event(key))
    await settle(pilot)


async def type_text(pilot: Pilot, text: str, *, keys: bool = False) -> None:
    """Enter text into the focused widget: as a paste (one event, as a terminal sends
    pasted text), or key by key with ``keys`` (Pilot names punctuation keys itself).
    The first character is always a key press, so keys that open something
    (a picker, the search) work as typed."""
    if text:
        first, rest = (text, "") if keys else (text[0], text[1:])
        await pilot.press(*first)
        if rest:
            await settle(pilot)
            pilot.app.post_message(events.Paste(rest))
    await settle(pilot)


def screen_text(app) -> str:
    """Everything the screen shows, as plain text lines."""
    return "\n".join(strip.text for strip in app.screen._compositor.render_strips())


def bulk_leads(count: int, prefix: str = "Lead") -> None:
    """Insert many leads at once (not through the core: only for size tests)."""
    at = now()
    rows = [{"name": f"{prefix} {i:06d}", "company": f"Company {i % 97}",
             "email": f"lead{i}@example.com", "source": "web", "created_at": at,
             "updated_at": at} for i in range(count)]
    with db.atomic():
        for start in range(0, count, 500):
            Lead.insert_many(rows[start:start + 500]).execute()


def bulk_customers(count: int, prefix: str = "Customer") -> None:
    at = now()
    rows = [{"name": f"{prefix} {i:06d}", "company": f"Company {i % 97}",
             "created_at": at, "updated_at": at} for i in range(count)]
    with db.atomic():
        for start in range(0, count, 500):
            Customer.insert_many(rows[start:start + 500]).execute()


async def start_empty(pilot: Pilot) -> None:
    """Settle, then dismiss the first-run offer an empty database shows."""
    from tui_crm.ui.widgets.welcome import WelcomeScreen

    await settle(pilot)
    assert isinstance(pilot.app.screen, WelcomeScreen), "an empty database offers demo data"
    await pilot.press("escape")
    await settle(pilot)


async def shown(pilot: Pilot, text: str, tries: int = 20) -> bool:
    """Whether ``text`` is on screen, allowing a few refreshes for late painters
    (the footer draws its keys after the screen's first refresh)."""
    for _ in range(tries):
        if text in screen_text(pilot.app):
            return True
        await pilot.pause()
    return False
