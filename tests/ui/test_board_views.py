"""The board's views, by keys: `m` my deals (with `/`), the owner on cards, `[` and `]`
for the Won and Lost quarter, `home`/`end` in a column of thousands, slippage marks."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from tests.ui.pilot_helpers import burst, press, screen_text, type_text
from tests.ui.test_board import board_of, column, expected_header, header, shown_names
from tests.ui.test_board_scale import fill_deals
from tui_crm.core import customers, deals
from tui_crm.core.db import open_database
from tui_crm.core.models import Opportunity, Stage

D = dt.date
SIZES = [(120, 40), (80, 24)]


@pytest.fixture
def owned(tmp_path):
    """Deals of the current user ("tester") and of "zoe [b]", open and closed."""
    database = open_database(str(tmp_path / "crm.db"))
    acme = customers.create_customer({"name": "Acme [/] Corp"})
    made = {}
    for name, amount, close, stage, owner in [
        ("Mine early", "1000", D(2026, 11, 20), "Qualification", "tester"),
        ("Theirs early", "7000", D(2026, 11, 18), "Qualification", "zoe [b]"),
        ("Mine late", "500", D(2026, 12, 30), "Qualification", "tester"),
        ("Theirs undated", "300", None, "Qualification", "zoe [b]"),
        ("Mine proposal", "2000", D(2026, 12, 5), "Proposal", "tester"),
        ("Won by me", "4000", D(2026, 11, 1), "ClosedWon", "tester"),
        ("Won by them", "6000", D(2026, 10, 20), "ClosedWon", "zoe [b]"),
        ("Won last quarter", "800", D(2026, 8, 3), "ClosedWon", "zoe [b]"),
        ("Won in spring", "900", D(2026, 4, 9), "ClosedWon", "tester"),
        ("Lost last quarter", "50", D(2026, 9, 30), "ClosedLost", "tester"),
    ]:
        made[name] = deals.create_deal({"name": name, "amount": amount, "close_date": close,
                                        "stage": stage, "customer_id": acme, "owner": owner})
    yield made
    database.close()


def status(app) -> str:
    """The board's status line (below the filter, while that is shown)."""
    return next(line for line in screen_text(app).splitlines()[1:3] if "Won/Lost" in line)


def tally(stage: str, owner: str | None = None, since: dt.date | None = None,
          until: dt.date | None = None) -> str:
    query = Opportunity.select().join(Stage).where(Stage.name == stage)
    if owner is not None:
        query = query.where(Opportunity.owner == owner)
    if since is not None:
        query = query.where((Opportunity.close_date >= since) & (Opportunity.close_date < until))
    rows = list(query)
    return expected_header(len(rows), f"{sum(r.amount_cents for r in rows) / 100:.2f}")


@pytest.mark.parametrize("size", SIZES)
async def test_m_shows_my_deals_in_the_header_and_composes_with_the_filter(owned, size, run_app):
    async with run_app(start_mode="pipeline", size=size) as pilot:
        app = pilot.app
        assert shown_names(app, "Qualification") == [
            "Theirs early", "Mine early", "Mine late", "Theirs undated"]
        await burst(pilot, "m")
        assert "my deals (tester)" in screen_text(app).splitlines()[0]
        assert "my deals (tester)" in status(app)
        assert shown_names(app, "Qualification") == ["Mine early", "Mine late"]
        assert board_of(app).selected.name == "Mine early"
        assert header(app, "Qualification") == tally("Qualification", "tester")
        assert header(app, "Qualification") == expected_header(2, "1500")
        assert shown_names(app, "ClosedWon") == ["Won by me"]  # this quarter's, mine
        assert header(app, "ClosedWon") == expected_header(1, "4000")
        # `/` filters within my deals; `m` again shows everyone's matching deals
        await press(pilot, "slash")
        await type_text(pilot, "late")
        await press(pilot, "enter")
        assert shown_names(app, "Qualification") == ["Mine late"]
        assert "my deals (tester)" in status(app) and "filter: late" in status(app)
        await burst(pilot, "m", "slash")
        await type_text(pilot, "early")
        await press(pilot, "enter")
        assert shown_names(app, "Qualification") == ["Theirs early", "Mine early"]
        assert "my deals" not in screen_text(app).splitlines()[0]
        assert header(app, "Qualification") == expected_header(2, "8000")
        # a burst: mine on, a step right and a move: the move is of my deal
        await burst(pilot, "escape", "m", "greater_than_sign")
        moved = Opportunity.get_by_id(owned["Mine early"])
        assert moved.stage.name == "Proposal"
        assert board_of(app).selected.name == "Mine early"
        assert Opportunity.get_by_id(owned["Theirs early"]).stage.name == "Qualification"


async def test_the_owner_shows_on_cards_where_it_fits(owned, run_app):
    async with run_app(start_mode="pipeline") as pilot:
        app = pilot.app
        lines = column(app, "Qualification").render().plain.splitlines()
        assert [line.rstrip() for line in lines[3:8]] == [
            "▌Theirs early", "▌Acme [/] Corp    ?step", "▌Owner: zoe [b]",
            "▌7,000.00    2026-11-18", ""]
        assert lines[10].rstrip() == " Owner: tester"
        assert "Owner: zoe [b]" in screen_text(app)
    async with run_app(start_mode="pipeline", size=(80, 24)) as pilot:
        app = pilot.app
        # at 24 rows a line per card would cost a card in every column: no owner line
        text = screen_text(app)
        assert "Owner:" not in text
        assert "Theirs undated" in text  # the four cards of the column still fit


@pytest.mark.parametrize("size", SIZES)
async def test_brackets_step_the_quarter_of_won_and_lost(owned, size, run_app):
    async with run_app(start_mode="pipeline", size=size) as pilot:
        app = pilot.app
        assert "Won/Lost closed in 2026Q4" in status(app)
        assert shown_names(app, "ClosedWon") == ["Won by me", "Won by them"]
        await burst(pilot, "left_square_bracket")
        assert "Won/Lost closed in 2026Q3" in status(app)
        assert shown_names(app, "ClosedWon") == ["Won last quarter"]
        assert shown_names(app, "ClosedLost") == ["Lost last quarter"]
        q3 = (D(2026, 7, 1), D(2026, 10, 1))
        assert header(app, "ClosedWon") == tally("ClosedWon", None, *q3)
        assert header(app, "ClosedLost") == expected_header(1, "50")
        # open columns do not depend on the quarter
        assert shown_names(app, "Qualification")[0] == "Theirs early"
        await burst(pilot, "left_square_bracket", "m")
        assert "Won/Lost closed in 2026Q2" in status(app)
        assert shown_names(app, "ClosedWon") == ["Won in spring"]
        assert header(app, "ClosedWon") == expected_header(1, "900")
        assert shown_names(app, "ClosedLost") == []
        await burst(pilot, "right_square_bracket", "right_square_bracket",
                    "right_square_bracket", "m")
        assert "Won/Lost closed in 2027Q1" in status(app)
        assert shown_names(app, "ClosedWon") == []
        assert header(app, "ClosedWon") == expected_header(0, "0")
        await burst(pilot, "left_square_bracket")
        assert shown_names(app, "ClosedWon") == ["Won by me", "Won by them"]


@pytest.fixture
def long_columns(sqlite_db):
    fill_deals(3_000)


def last_in_column(stage: str) -> str:
    """The column's last card, computed here: undated deals last, by id; else the
    latest close date."""
    query = Opportunity.select().join(Stage).where(Stage.name == stage)
    undated = query.where(Opportunity.close_date.is_null()).order_by(Opportunity.id.desc())
    row = undated.first() or query.order_by(Opportunity.close_date.desc(),
                                            Opportunity.id.desc()).first()
    return row.name


def first_in_column(stage: str) -> str:
    query = Opportunity.select().join(Stage).where(
        (Stage.name == stage) & Opportunity.close_date.is_null(False))
    return query.order_by(Opportunity.close_date, Opportunity.id).first().name


@pytest.mark.parametrize("size", SIZES)
async def test_home_and_end_in_a_column_of_thousands(long_columns, size, run_app):
    async with run_app(start_mode="pipeline", size=size) as pilot:
        app = pilot.app
        board = board_of(app)
        assert header(app, "Qualification").startswith("8")  # some 800 cards
        await burst(pilot, "end")
        assert board.selected.name == last_in_column("Qualification")
        assert board.column.has_before and not board.column.has_after
        assert len(board.column.cards) < 60  # a page around the end, not the column
        assert "?no date" in screen_text(app)
        # keys typed after `end` act on the last card: `up` goes to the one before it
        await burst(pilot, "home", "end", "up", "down")
        assert board.selected.name == last_in_column("Qualification")
        await burst(pilot, "home")
        assert board.selected.name == first_in_column("Qualification")
        assert not board.column.has_before
        # in another column, and pages still follow the cursor from there
        await burst(pilot, "right", "end", "up", "up", "up")
        proposal = board.column
        assert proposal.stage.name == "Proposal"
        assert proposal.cards[proposal.cursor + 3].name == last_in_column("Proposal")
        await burst(pilot, "pageup", "pageup", "pageup", "pageup")
        assert proposal.cursor >= 0 and proposal.selected is not None
        await burst(pilot, "home", "greater_than_sign")
        assert board.column.stage.name == "Negotiation"
        assert Opportunity.get(name=board.selected.name).stage.name == "Negotiation"


@pytest.mark.parametrize("size", SIZES)
async def test_a_card_pushed_twice_shows_its_slippage(owned, size, run_app):
    deal, once = owned["Mine late"], owned["Mine early"]
    for day in (D(2027, 1, 10), D(2027, 2, 10)):
        deals.update_deal(deal, {"close_date": day})
    deals.update_deal(once, {"close_date": D(2027, 1, 10)})
    deals.update_deal(once, {"close_date": D(2026, 12, 10)})  # pulled back in: no push
    async with run_app(start_mode="pipeline", size=size) as pilot:
        app = pilot.app
        lines = column(app, "Qualification").render().plain.splitlines()
        marked = [line for line in lines if "↻" in line]
        assert len(marked) == 1 and marked[0].rstrip().endswith("↻2")
        assert "↻2" in screen_text(app)
        # a third push, made elsewhere, shows when the board reads again
        deals.update_deal(deal, {"close_date": D(2027, 3, 10)})
        await burst(pilot, "m")
        assert "↻3" in screen_text(app)
        assert board_of(app).column.cards[-1].pushes == 3
        rendered = column(app, "Qualification").render()
        styles = [s.style for s in rendered.spans if rendered.plain[s.start:s.end] == "↻3"]
        assert styles and all(style.reverse for style in styles)  # not by colour alone
    assert Decimal(Opportunity.get_by_id(deal).amount_cents) == Decimal(50000)


# Keys typed straight after `m`, `[`/`]` or `home`/`end` (read in a worker) wait for
# the cards those keys bring, and act on them: a burst lands on the right card.


@pytest.mark.parametrize("size", SIZES)
async def test_keys_typed_after_m_act_on_my_deals(owned, run_app, size):
    acme = Opportunity.get_by_id(owned["Mine early"]).customer_id
    latest = deals.create_deal({"name": "Mine latest", "amount": "10", "owner": "tester",
                                "close_date": D(2027, 1, 15), "stage": "Qualification",
                                "customer_id": acme})
    async with run_app(start_mode="pipeline", size=size) as pilot:
        app = pilot.app
        await burst(pilot, "m", "j", "j", "enter")
        assert app.screen.deal_id == latest  # the third of mine, not of everyone's
        assert "Mine latest" in screen_text(app)
        await burst(pilot, "escape", "k", "greater_than_sign", "h", "m", "j", "j", "j",
                    "greater_than_sign")
        # `>` moved "Mine late" to Proposal (the cursor with it); back in Qualification,
        # everyone's deals shown again from the top, three down: "Theirs undated"
        assert Opportunity.get_by_id(owned["Mine late"]).stage.name == "Proposal"
        assert Opportunity.get_by_id(owned["Theirs undated"]).stage.name == "Proposal"
        assert Opportunity.get_by_id(owned["Mine early"]).stage.name == "Qualification"
        assert Opportunity.get_by_id(latest).stage.name == "Qualification"
        assert board_of(app).selected.name == "Theirs undated"


@pytest.mark.parametrize("size", SIZES)
async def test_keys_typed_after_a_bracket_act_on_that_quarter(owned, run_app, size):
    async with run_app(start_mode="pipeline", size=size) as pilot:
        app = pilot.app
        board = board_of(app)
        while board.column.stage.name != "ClosedWon":
            await press(pilot, "right")
        assert board.selected.name == "Won by me"
        await burst(pilot, "left_square_bracket", "enter")
        assert app.screen.deal_id == owned["Won last quarter"]
        await burst(pilot, "escape", "left_square_bracket", "right_square_bracket",
                    "right_square_bracket", "down", "enter")
        assert app.screen.deal_id == owned["Won by them"]  # back in 2026Q4, the second


@pytest.mark.parametrize("size", SIZES)
async def test_keys_typed_after_end_act_on_the_last_cards(long_columns, run_app, size):
    async with run_app(start_mode="pipeline", size=size) as pilot:
        app = pilot.app
        board = board_of(app)
        names = [card.name for card in board.column.cards]
        await burst(pilot, "end", "k", "enter")
        last = last_in_column("Qualification")
        assert board.selected.name != last
        cards = board.column.cards
        before_last = cards[[card.name for card in cards].index(last) - 1]
        assert app.screen.deal_id == before_last.id
        await burst(pilot, "escape", "home", "j", "greater_than_sign")
        second = Opportunity.get(name=names[1])
        assert second.stage.name == "Proposal"  # the second card of the column moved
        assert Opportunity.get(name=names[0]).stage.name == "Qualification"
        assert Opportunity.get(name=before_last.name).stage.name == "Qualification"
