"""What a user does in the app, timed in a real terminal from key press to screen.

One session: launch on the board and wait for its cards; move the first deal a stage
on and back (twice); open Leads and search it; open Customers and search it; open
Today (mine only, as the user with the first line of the queue) and mark its first
line done (`space`, then `enter` skips the next step); read the app's peak memory;
quit. What each screen must show is read from the database first
(through the core), so "ready" means the right figures are drawn, not just anything.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from pathlib import Path

from baseline_app import READY_TEXT
from terminal import Pane, Tmux

PAUSE = 0.2  # a user's pause between actions, so one action's echo is not the next's
MOVES = 5  # a deal moved on and back this many times a session: ten timed moves
KEY_INTERVAL = 0.1  # between keys typed in a search: ten keys a second, a fast typist
TEXT_PREFIX = 14  # cards and list cells may truncate long names; match their start
SEARCH_BOX = "Search: type to filter"  # the placeholder of a list's search box
COUNT = re.compile(r"(?<![\w,.$])(\d[\d,]*) (?:deals?\b|·)")


@dataclass(frozen=True)
class Expected:
    """What the screens show for a database, read through the core."""

    first_card: tuple[str, str]  # name and parent of the board's first card
    column_counts: tuple[int, ...]  # each board column's deal count, in board order
    leads: int
    first_lead: str
    lead_searches: list[tuple[str, int]]  # each term and how many leads match it
    customers: int
    first_customer: str
    customer_searches: list[tuple[str, int]]
    user: str = ""  # the owner of the queue's first line: the sessions run as them


@dataclass(frozen=True)
class TodayLines:
    """The first two lines of the user's Today queue, as the screen starts them."""

    first: str
    second: str


def read_today(path: Path, user: str) -> TodayLines:
    """The user's queue now (read before each session: a done line leaves it)."""
    from tui_crm.core import today
    from tui_crm.core.db import open_database

    database = open_database(str(path))
    try:
        first, second = today.queue(user, limit=2)
        return TodayLines(_row(first), _row(second))
    finally:
        database.close()


def _row(item) -> str:
    """What identifies a queue line on screen: why, then what (as the columns start)."""
    what = item.subject if item.activity_id is not None else item.deal_name
    return f"{item.why()}|{what}"


def row_shown(screen: str, row: str) -> bool:
    """The queue's first line (the one under the column titles) is ``row``."""
    why, what = row.split("|", 1)
    lines = screen.splitlines()
    first = next((lines[n + 1] for n, line in enumerate(lines[:-1])
                  if line.startswith("Why ")), "")
    return first.startswith(why[:TEXT_PREFIX]) and what[:TEXT_PREFIX] in first


def read_expected(path: Path | str, lead_terms: list[str], customer_terms: list[str]) -> Expected:
    from tui_crm.core import board, customers, leads
    from tui_crm.core.db import open_database

    if not str(path).startswith("postgresql://") and not Path(path).exists():
        raise FileNotFoundError(path)  # opening would create an empty database there
    from tui_crm.core import today

    database = open_database(str(path))
    try:
        first_line = today.queue(None, limit=1)
        columns = board.board_stages()
        card = board.column_page(columns[0], limit=1).cards[0]
        totals = board.column_totals(columns)
        return Expected(
            (card.name, card.parent_name), tuple(totals[c.id].count for c in columns),
            leads.count_leads(), leads.list_leads(limit=1)[0].name,
            [(term, leads.count_leads(term)) for term in lead_terms],
            customers.count_customers(), customers.list_customers(limit=1)[0].name,
            [(term, customers.count_customers(term)) for term in customer_terms],
            first_line[0].owner if first_line else "")
    finally:
        database.close()


def header_counts(screen: str, columns: int) -> tuple[int, ...] | None:
    """The deal counts of the board's column headers (the first line holding them all)."""
    for line in screen.splitlines():
        found = COUNT.findall(line)
        if len(found) >= columns:
            return tuple(int(n.replace(",", "")) for n in found[:columns])
    return None


def _shows(screen: str, *texts: str) -> bool:
    return all(text[:TEXT_PREFIX] in screen for text in texts)


@dataclass
class SessionResult:
    launch: float = 0.0
    moves: list[float] = field(default_factory=list)
    open_leads: float = 0.0
    search_leads: list[float] = field(default_factory=list)  # one per lead term
    open_customers: float = 0.0
    search_customers: list[float] = field(default_factory=list)
    open_today: float = 0.0
    today_done: float = 0.0  # space: the line done and the next step asked
    today_skip: float = 0.0  # enter skips it: the next line first in the queue
    peak_rss_mib: float = 0.0


class AppSession:
    """One run of `tui-crm --screen pipeline` on a database, through every step."""

    def __init__(self, tmux: Tmux, command: list[str], db: Path, expected: Expected):
        self.tmux = tmux
        self.db = db
        self.argv = [*command, "--db", str(db), "--screen", "pipeline"]
        if expected.user:
            self.argv += ["--user", expected.user]
        self.expected = expected

    def run(self, moves: int = MOVES) -> SessionResult:
        result = SessionResult()
        exp = self.expected
        start = time.perf_counter()
        pane = self.tmux.start(self.argv)
        try:
            result.launch = pane.wait_for(lambda s: _shows(s, *exp.first_card), start,
                                          what="the board's first card")
            for _ in range(moves):
                result.moves.append(self._move(pane, ">", +1))
                result.moves.append(self._move(pane, "<", 0))
            result.open_leads, result.search_leads = self._list(
                pane, "1", "leads", exp.leads, exp.first_lead, exp.lead_searches)
            result.open_customers, result.search_customers = self._list(
                pane, "2", "customers", exp.customers, exp.first_customer,
                exp.customer_searches)
            if exp.user:
                self._today(pane, result)
            result.peak_rss_mib = pane.peak_rss_kib() / 1024
        finally:
            pane.close(("C-q",))
        return result

    def _today(self, pane: Pane, result: SessionResult) -> None:
        """`5` opens the user's queue; `space` marks its first line done and asks for
        the next step; `enter` skips it and the second line is first."""
        lines = read_today(self.db, self.expected.user)
        result.open_today = self._act(pane, lambda: pane.press("5"),
                                      lambda s: " to do" in s and row_shown(s, lines.first),
                                      "the Today queue")
        result.today_done = self._act(pane, lambda: pane.press("Space"),
                                      lambda s: "Next step" in s, "the next step asked")
        result.today_skip = self._act(
            pane, lambda: pane.press("Enter"),
            lambda s: "Next step" not in s and row_shown(s, lines.second),
            "the next line first in the queue")

    def _act(self, pane: Pane, press, ready, what: str) -> float:
        time.sleep(PAUSE)
        start = time.perf_counter()
        press()
        return pane.wait_for(ready, start, what=what)

    def _move(self, pane: Pane, key: str, forward: int) -> float:
        """Move the first deal of the first column on (forward) or back; wait for the
        column headers to show the new counts."""
        counts = list(self.expected.column_counts)
        if forward:
            counts[0] -= 1
            counts[1] += 1
        want = tuple(counts)
        return self._act(pane, lambda: pane.press(key),
                         lambda s: header_counts(s, len(want)) == want,
                         f"column counts {want} after {key}")

    def _list(self, pane: Pane, key: str, noun: str, count: int, first: str,
              searches: list[tuple[str, int]]) -> tuple[float, list[float]]:
        """Open a list screen (its count and first record drawn), then search it for
        each term in turn (clearing the search in between)."""
        opened = self._open(pane, key, noun, count, first)
        found = []
        for number, (term, matches) in enumerate(searches):
            if number:  # escape clears the last search: the whole list again
                self._act(pane, lambda: pane.press("Escape"),
                          lambda s: f"{count:,} {noun}" in s and " match " not in s,
                          f"the whole {noun} list")
            found.append(self._search(pane, noun, term, matches))
        return opened, found

    def _open(self, pane: Pane, key: str, noun: str, count: int, first: str) -> float:
        """Open a list screen: until its count and its first record are drawn."""
        return self._act(pane, lambda: pane.press(key),
                         lambda s: f"{count:,} {noun}" in s and _shows(s, first),
                         f"the {noun} list")

    def _search(self, pane: Pane, noun: str, term: str, matches: int) -> float:
        """`/`, then the term typed at a fast typist's pace once the box is open; timed
        from the last key to the matches drawn: what the user waits for."""
        time.sleep(PAUSE)
        pane.press("/")
        pane.wait_for(lambda s: SEARCH_BOX in s, time.perf_counter(), what="the search box")
        for char in term[:-1]:
            pane.type(char)
            time.sleep(KEY_INTERVAL)
        start = time.perf_counter()
        pane.type(term[-1])
        status = f"1 {noun[:-1]} matches" if matches == 1 else f"{matches:,} {noun} match"
        found = pane.wait_for(lambda s: f"{status} “{term}”" in s, start,
                              what=f"{matches:,} {noun} matching {term!r}")
        pane.press("Enter")  # keeps the filter, back in the list: its keys in the footer
        ready = time.perf_counter()
        pane.wait_for(lambda s: f"n New {noun[:-1]}" in s, ready, what=f"the {noun} list keys")
        return found


def short_session(tmux: Tmux, command: list[str], db: Path, expected: Expected
                  ) -> SessionResult:
    """Launch on the board (to its first card drawn), open Leads and search it for the
    first (name) term, the same for Customers, quit: more of the figures that vary
    most from one run to the next."""
    session = AppSession(tmux, command, db, expected)
    result = SessionResult()
    start = time.perf_counter()
    pane = tmux.start(session.argv)
    try:
        result.launch = pane.wait_for(lambda s: _shows(s, *expected.first_card), start,
                                      what="the board's first card")
        result.open_leads = session._open(pane, "1", "leads", expected.leads,
                                          expected.first_lead)
        result.search_leads = [session._search(pane, "leads", *expected.lead_searches[0])]
        result.open_customers = session._open(pane, "2", "customers", expected.customers,
                                              expected.first_customer)
        result.search_customers = [session._search(pane, "customers",
                                                   *expected.customer_searches[0])]
    finally:
        pane.close(("C-q",))
    return result


def launch_session(tmux: Tmux, command: list[str], db: Path, expected: Expected) -> float:
    """Launch on the board until its first card is drawn, then quit: the launch alone."""
    session = AppSession(tmux, command, db, expected)
    start = time.perf_counter()
    pane = tmux.start(session.argv)
    try:
        return pane.wait_for(lambda s: _shows(s, *expected.first_card), start,
                             what="the board's first card")
    finally:
        pane.close(("C-q",))


def baseline_session(tmux: Tmux, command: list[str]) -> SessionResult:
    """The minimal Textual app: launch until its table is drawn; its peak memory."""
    result = SessionResult()
    start = time.perf_counter()
    pane = tmux.start(command)
    try:
        result.launch = pane.wait_for(lambda s: READY_TEXT in s, start,
                                      what="the baseline table")
        result.peak_rss_mib = pane.peak_rss_kib() / 1024
    finally:
        pane.close(("q",))
    return result
