"""What a keystroke costs on the wire: the app on a real pseudo-terminal at 120x40,
the bytes it writes for one key counted, against Textual's own DataTable with a row
cursor measured in the same run (bench/wire.py measures the same, `make bench` too).

Each key is followed by reading until the program has been quiet a moment; nothing
here asserts on time, only on bytes and on which screen rows were drawn.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "bench"))

from pty_terminal import PtyProgram, by_column, rows_drawn  # noqa: E402

BIN = Path(sys.executable).parent
TUI_CRM = str(BIN / "tui-crm")
FOOTER_ROW = 40
STEP_LIMIT = 1.5  # a cursor step, against the DataTable's row step
BYTES_LIMIT = 12_000  # a deal move, a step in Customers (its detail panel changes)


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("wire") / "demo.db"
    subprocess.run([TUI_CRM, "demo", "--deals", "300", "--db", str(path)], check=True,
                   stdout=subprocess.DEVNULL)
    return path


@pytest.fixture(scope="module")
def datatable_step() -> float:
    """Bytes of a row step of Textual's DataTable (row cursor) in a minimal app."""
    from baseline_app import READY_TEXT

    with PtyProgram([str(BIN / "python"), str(ROOT / "bench" / "baseline_app.py"),
                     "--row-cursor"]) as program:
        program.wait_for(READY_TEXT.encode())
        return statistics.median(len(program.press(key)) for key in ("down", "down", "up"))


def only_row(data: bytes, row: int) -> bytes:
    """The pieces of ``data`` drawn on screen row ``row`` (1-based)."""
    import re

    pieces = list(re.finditer(rb"\x1b\[(\d+);(\d+)H", data))
    return b"".join(data[m.start():pieces[n + 1].start() if n + 1 < len(pieces) else len(data)]
                    for n, m in enumerate(pieces) if int(m.group(1)) == row)


SPLIT = 120 - 56  # the detail panel's border (app.tcss .record-detail)


def left_of(data: bytes, split: int = SPLIT) -> bytes:
    """The pieces of ``data`` drawn left of screen column ``split`` (0-based): the list
    of Leads or Customers, not its detail panel."""
    import re

    pieces = list(re.finditer(rb"\x1b\[(\d+);(\d+)H", data))
    return b"".join(data[m.start():pieces[n + 1].start() if n + 1 < len(pieces) else len(data)]
                    for n, m in enumerate(pieces) if int(m.group(2)) - 1 < split)


def app(db: Path, screen: str) -> PtyProgram:
    program = PtyProgram([TUI_CRM, "--db", str(db), "--screen", screen])
    program.settle()
    return program


def test_a_step_in_leads_draws_the_two_cursor_rows_and_the_detail(demo_db, datatable_step):
    with app(demo_db, "leads") as program:
        steps = [program.press(key) for key in ("down", "down", "up")]
        idle = program.idle(1.5)
    # the list's header is row 2: the first lead is row 3, the cursor starts there; the
    # status line (row 39) says the cursor's place, the list having no scrollbar
    assert [rows_drawn(left_of(out)) - {FOOTER_ROW} for out in steps] == [
        {3, 4, 39}, {4, 5, 39}, {4, 5, 39}]
    assert statistics.median(len(left_of(out)) for out in steps) \
        <= STEP_LIMIT * datatable_step
    assert all(b"Status" in out for out in steps)  # the detail changed
    assert statistics.median(map(len, steps)) <= BYTES_LIMIT, [len(out) for out in steps]
    assert idle == b""


def test_a_step_on_the_board_draws_the_two_cards_only(demo_db, datatable_step):
    with app(demo_db, "pipeline") as program:
        steps = [program.press(key) for key in ("down", "up")]
    # header 1, status 2, column title 3, totals 4, rule 5: the first card is rows 6-9
    # (name, parent, owner, amount and date); the keys in the footer are the same for
    # both cards: it is not drawn again
    assert [rows_drawn(out) for out in steps] == [{6, 7, 8, 9, 11, 12, 13, 14}] * 2
    assert statistics.median(map(len, steps)) <= STEP_LIMIT * datatable_step


def test_a_deal_move_and_an_idle_screen(demo_db):
    with app(demo_db, "pipeline") as program:
        moves = [program.press(key) for key in (">", "<")]
        idle = program.idle(2.5)  # the live refresh looks every second
    assert all(len(out) <= BYTES_LIMIT for out in moves), [len(out) for out in moves]
    assert moves[0].count(b"deals") >= 2  # both columns' headers were redrawn
    # only the two columns (24 cells each at 120) and the footer's keys are drawn
    for out in moves:
        beyond = {row for row in rows_drawn(out) if by_column(only_row(out, row), 48)[1]}
        assert beyond <= {FOOTER_ROW}, beyond
        assert 2 not in rows_drawn(out)  # the status line says the same: not redrawn
    assert idle == b""


def test_a_step_in_customers_redraws_the_list_rows_and_the_detail(demo_db,
                                                                  datatable_step):
    with app(demo_db, "customers") as program:
        steps = [program.press(key) for key in ("down", "down", "up")]
        idle = program.idle(1.5)
    list_part = [by_column(out, SPLIT)[0] for out in steps]
    assert statistics.median(list_part) <= STEP_LIMIT * datatable_step
    assert all(b"Open pipeline" in out for out in steps)  # the detail changed
    assert statistics.median(map(len, steps)) <= BYTES_LIMIT, [len(out) for out in steps]
    assert idle == b""


@pytest.mark.parametrize("terminal", [{"NO_COLOR": "1"}, {"TERM": "xterm"}],
                         ids=["NO_COLOR", "16 colours"])
def test_overdue_and_undated_marks_stand_out_without_colour(demo_db, terminal):
    import re

    from pty_terminal import terminal_env

    with PtyProgram([TUI_CRM, "--db", str(demo_db), "--screen", "pipeline"],
                    env=terminal_env(terminal)) as program:
        out = program.settle()
    # the style each mark is drawn with: reverse (7) and bold (1), never faint (2)
    marks = re.findall(rb"\x1b\[([0-9;]*)m[!?](?:20\d\d-\d\d-\d\d|no date)", out)
    assert marks
    for style in marks:
        codes = style.split(b";")
        assert b"7" in codes and b"1" in codes and b"2" not in codes, style


def test_a_live_reload_that_reads_the_same_rows_writes_nothing(demo_db, tmp_path):
    """Another process changes a customer while Leads is on view: the live refresh
    reloads the list, finds the same rows, and sends nothing; a change to a lead in
    view redraws its row only."""
    import shutil

    from tui_crm.core import customers, leads
    from tui_crm.core.db import open_database

    db = tmp_path / "live.db"
    shutil.copyfile(demo_db, db)
    with app(db, "leads") as program:
        database = open_database(str(db))
        try:
            customer = customers.list_customers(limit=1)[0]
            customers.update_customer(customer.id, {"notes": "changed out of view"})
            unseen = program.idle(2.5)  # the live refresh looks every second
            first = leads.list_leads(limit=1)[0]
            leads.update_lead(first.id, {"company": "Changed In View Ltd"})
            seen = program.idle(2.5)
        finally:
            database.close()
    assert unseen == b""
    assert b"Changed In View Ltd" in seen
    # the first lead's row in the list, nothing else (its detail shows the change too)
    assert rows_drawn(left_of(seen)) == {3}
