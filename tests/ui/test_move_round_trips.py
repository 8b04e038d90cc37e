"""What a deal move costs the database, as the board does it: from the key to the board
drawn again. On PostgreSQL a statement is another process's work (and, on a busy
machine, a wait for it to be scheduled), so the count is what a move costs: the move's
own transaction (BEGIN, six statements, COMMIT, the change announced), then the board
read back in five statements whatever the number of columns (the stages, the settings
shown and the deal moved; every column's totals and every column's cards). How they
are grouped into round trips is tested in the core (tests/core/test_move_statements.py,
tests/core/test_board_queries.py)."""

from __future__ import annotations

import contextlib

import pytest

from tests.helpers import Statement, statements
from tests.ui.pilot_helpers import press
from tui_crm.core import customers, deals
from tui_crm.core.models import Opportunity, Stage
from tui_crm.ui.widgets.board import Board

pytestmark = pytest.mark.pg

ROUND_TRIPS_PER_MOVE = 14


@contextlib.contextmanager
def round_trips(database, monkeypatch):
    """Every statement sent to the database meanwhile, from any thread: those peewee
    runs (its query hooks) and the BEGIN and COMMIT of its transactions."""
    with statements(database) as seen:
        def counted(name: str):
            method = getattr(database, name)

            def send(*args, **kwargs):
                seen.append(Statement(name.upper(), None))
                return method(*args, **kwargs)

            return send

        monkeypatch.setattr(database, "begin", counted("begin"))
        monkeypatch.setattr(database, "commit", counted("commit"))
        sent: list[str] = []
        yield sent
        sent.extend(sql for sql, _ in seen)


@pytest.fixture
def pipeline(db):
    """Forty deals in each open stage and some closed: every column has more cards
    than the screen shows."""
    acme = customers.create_customer({"name": "Acme"})
    for stage in ("Qualification", "Proposal", "Negotiation", "ClosedWon", "ClosedLost"):
        for number in range(40):
            deals.create_deal({"name": f"{stage} {number:02}", "amount": "100",
                               "close_date": None if number % 7 == 0 else
                               f"2026-11-{1 + number % 28:02}",
                               "stage": stage, "customer_id": acme})
    return db


def board_of(app) -> Board:
    return app.screen.query_one(Board)


@pytest.mark.parametrize("key, stage", [("greater_than_sign", "Proposal"),
                                        ("w", "ClosedWon")])
async def test_a_move_from_key_to_board_drawn_is_a_few_round_trips(pipeline, run_app,
                                                                  monkeypatch, key, stage):
    async with run_app(start_mode="pipeline") as pilot:
        board = board_of(pilot.app)
        moved = board.selected
        with round_trips(pipeline, monkeypatch) as sent:
            await press(pilot, key)
        assert Opportunity.get_by_id(moved.id).stage_id == Stage.get(name=stage).id
        assert board.column.stage.name == stage and board.selected.id == moved.id
        column = next(c for c in board.columns if c.stage.name == stage)
        assert moved.name in column.render().plain
        assert len(sent) <= ROUND_TRIPS_PER_MOVE, "\n".join(sent)
        cards_read = [sql for sql in sent if sql.startswith(("SELECT", "(SELECT", "((")
                      ) and '"opportunity"' in sql and "UNION ALL" in sql]
        assert len(cards_read) <= 2, "\n".join(sent)  # the cards, and the filtered totals
