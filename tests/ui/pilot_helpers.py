"""Helpers for driving the app with Pilot: settle workers, read the screen."""

from __future__ import annotations

import html
import re
import unicodedata

from rich.cells import cell_len
from textual import events
from textual.pilot import Pilot
from textual.worker import WorkerCancelled, WorkerFailed

from tui_crm.core.models import Customer, Lead, db, now


async def settle(pilot: Pilot, rounds: int = 5) -> None:
    """Let workers finish and their results reach the screen; again while a result
    started more work (a list asking for its next page)."""
    for _ in range(rounds):
        while pilot.app.keys_pending and pilot.app.is_running:  # a burst, key by key
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
        if not busy and not (pilot.app.keys_pending and pilot.app.is_running):
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


# A screenshot (``App.export_screenshot``, Rich's SVG) places each run of text at its
# cell: x is the column times the width of a cell, and the clip path names the line.
SVG_TEXT = re.compile(r'<text [^>]*\bx="([\d.]+)"[^>]*clip-path="url\(#[\w-]+-line-(\d+)\)"'
                      r'>([^<]*)</text>')
SVG_CELL_WIDTH = 20 * 0.61  # Rich's export_svg: character height 20, aspect ratio 0.61


async def look(pilot: Pilot) -> bool:
    """The app's look for other people's changes (what its clock does about once a
    second), then the reloads it started drawn; True when something had changed."""
    changed = await pilot.app.check_now()
    await settle(pilot)
    return changed


def screen_text(app) -> str:
    """Everything the screen shows, as plain text lines: read from a screenshot, the
    screen as a user sees it (a dialog over the screen it opened from)."""
    width, height = app.size
    cells = [[" "] * width for _ in range(height)]
    for x, line, text in SVG_TEXT.findall(app.export_screenshot()):
        row, column = cells[int(line)], round(float(x) / SVG_CELL_WIDTH)
        for char in html.unescape(text.replace("&#160;", " ")):
            if column < width:
                row[column] = char
            for wide in range(1, cell_len(char)):  # the cells a wide character covers
                if column + wide < width:
                    row[column + wide] = ""
            column += cell_len(char)
    return "\n".join("".join(row) for row in cells)


def notices(app, monkeypatch) -> list[str]:
    """The messages the app shows as notifications from now on (``App.notify``, which
    every widget's ``notify`` calls), in order."""
    shown: list[str] = []
    real = app.notify

    def notify(message, *args, **kwargs):
        shown.append(str(message))
        return real(message, *args, **kwargs)

    monkeypatch.setattr(app, "notify", notify)
    return shown


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
