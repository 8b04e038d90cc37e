"""Today's queue in a real terminal: `5` opens it, `space` marks its first line done and
asks for the next step, `enter` skips that step and the queue's next line is first.
Timed from the key to the screen showing it, the lines read from the database first
(through the core), so "ready" means the right line is on screen.

At 80x24, where the user's queue fills the list at 1,000 deals too (the owner of the
queue's first line has 20-odd lines there, 18 shown), so both sizes draw as many lines.
At 120x40 (the app part, for information) the 1k queue fills two thirds of the list and
the 1M one all of it: that ratio weighs the lines drawn as much as the deals.
"""

from __future__ import annotations

import time
from pathlib import Path

from sessions import PAUSE, read_today, row_shown
from terminal import Tmux

SIZE = (80, 24)
BOARD_READY = ("? Help", "Next stage", "!20")  # the cards (dates) and the footer drawn
# Lines marked done a session, each on a fresh copy of the database: the queue keeps
# as many lines as it started with (the 1k one has 11 activities first, 27 lines).
LINES_DONE = 3


def queue_owner(path: Path) -> str:
    """The owner of the whole queue's first line: the sessions run as them."""
    from tui_crm.core import today
    from tui_crm.core.db import open_database

    if not path.exists():  # opening would create an empty database there
        raise FileNotFoundError(path)
    database = open_database(str(path))
    try:
        return today.queue(None, limit=1)[0].owner
    finally:
        database.close()


def today_session(tmux: Tmux, command: list[str], db: Path, user: str,
                  lines_done: int = LINES_DONE) -> dict[str, list[float]]:
    """Launch on the board as ``user``; `5`, then `space` and `enter` on ``lines_done``
    lines in turn, each key timed (what the screen must show read from the database
    before the key: the queue without the line just done)."""
    lines = read_today(db, user)
    pane = tmux.start([*command, "--db", str(db), "--screen", "pipeline", "--user", user],
                      size=SIZE)
    timed: dict[str, list[float]] = {"queue_open": [], "queue_done": [], "queue_skip": []}

    def timed_key(key: str, press: str, ready, what: str) -> None:
        time.sleep(PAUSE)
        start = time.perf_counter()
        pane.press(press)
        timed[key].append(pane.wait_for(ready, start, what=what))

    try:
        pane.wait_for(lambda s: all(text in s for text in BOARD_READY), time.perf_counter(),
                      what="the board")
        timed_key("queue_open", "5", lambda s: " to do" in s and row_shown(s, lines.first),
                  "the Today queue")
        for _ in range(lines_done):
            timed_key("queue_done", "Space", lambda s: "Next step" in s,
                      "the next step asked")
            first = read_today(db, user).first  # the line done has left the queue
            timed_key("queue_skip", "Enter",
                      lambda s, first=first: "Next step" not in s and row_shown(s, first),
                      "the next line first in the queue")
    finally:
        pane.close(("C-q",))
    return timed
