"""The command palette (ctrl+p): the CRM's commands, and jumping to any record by name."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Iterable
from functools import partial

from textual.app import SystemCommand
from textual.command import Hit, Hits, Provider
from textual.content import Content
from textual.screen import Screen

from tui_crm.core.lookup import KINDS, RecordMatch, find_records
from tui_crm.core.text import printable
from tui_crm.ui.widgets.pickers import KIND_LABELS

PER_KIND = 5
MIN_QUERY = 2


def crm_commands(app) -> Iterable[SystemCommand]:
    """The commands of the CRM itself, listed first in the palette."""
    yield SystemCommand("New lead", "Add a lead", partial(app.new_record, "lead"))
    yield SystemCommand("New customer", "Add a customer", partial(app.new_record, "customer"))
    yield SystemCommand("New opportunity", "Add a deal (pick its customer or lead)",
                        partial(app.new_record, "opportunity"))
    for mode, key in (("leads", "1"), ("customers", "2"), ("pipeline", "3"), ("forecast", "4"),
                      ("today", "5")):
        yield SystemCommand(f"Go to {mode.capitalize()}", f"Screen {key}",
                            partial(app.switch_mode, mode))
    yield SystemCommand("Edit stages", "Add, rename, reorder and remove the pipeline's "
                        "stages; lost reasons", app.open_stages)
    yield SystemCommand("Trash", "Deleted records: restore one, with its activities",
                        app.open_trash)
    yield SystemCommand("Undo", "Take back your last change (u)", app.action_undo)
    yield SystemCommand("Redo", "Put back what undo took back (ctrl+r)", app.action_redo)
    yield SystemCommand("Help: keys of this screen", "Every key of the screen (?)",
                        app.action_help)
    if not served():
        yield SystemCommand("Import a CSV file", "Leads, customers or opportunities: "
                            "preview, then all rows or none", app.open_import)
    yield SystemCommand("Load demo data", "Fill an empty database with realistic records",
                        app.offer_demo)


def match_display(match: RecordMatch, query: str) -> Content:
    """The record's name (and company or parent), literally, the typed part in bold."""
    name = printable(match.name, single_line=True)
    content = Content(name)
    start = name.lower().find(query.strip().lower())
    if start >= 0:
        content = content.stylize("bold underline", start, start + len(query.strip()))
    if match.detail:
        content = content + Content(f"  ({printable(match.detail, single_line=True)})")
    return content


class RecordsProvider(Provider):
    """Any lead, customer or deal whose name holds what was typed (a few of each kind,
    found by SQL with a LIMIT: never a whole table)."""

    async def search(self, query: str) -> Hits:
        if len(query.strip()) < MIN_QUERY:
            return
        matches = await asyncio.to_thread(find_records, query, KINDS, PER_KIND)
        matcher = self.matcher(query)
        for match in matches:
            score = max(matcher.match(match.name), 0.1)
            yield Hit(score, match_display(match, query),
                      partial(self.app.show_record, match.kind, match.id),
                      text=printable(match.name, single_line=True),
                      help=KIND_LABELS[match.kind])


def served() -> bool:
    """Whether this app is a session of `tui-crm serve`: the files it could reach are
    the server's, not the user's, so nothing picks or writes files."""
    return os.environ.get("TUI_CRM_SERVED") == "1"


def system_commands(app, screen: Screen, textual_commands: Iterable[SystemCommand]):
    """Ours first, then Textual's own (theme, screenshot...) except its quit (and, over
    SSH, its screenshot: a file on the server)."""
    yield from crm_commands(app)
    hidden = {"Quit", "Screenshot"} if served() else {"Quit"}
    for command in textual_commands:
        if command.title not in hidden:
            yield command
    yield SystemCommand("Quit", "Leave tui-crm (q, ctrl+q)", app.exit)
