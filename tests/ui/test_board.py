"""The pipeline board, driven with keys: columns, totals, moves, marks, filter, paging."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from tests.helpers import log_rows
from tests.ui.pilot_helpers import notices, press, settle
from tui_crm.core import customers, deals, leads
from tui_crm.core.db import open_database
from tui_crm.core.models import Opportunity, Stage
from tui_crm.core.money import format_amount
from tui_crm.ui.app import CrmApp
from tui_crm.ui.widgets.board import Board, BoardColumn
from tui_crm.ui.widgets.deal_form import DealForm
from tui_crm.ui.widgets.dialogs import TextPrompt

D = dt.date
TODAY = D(2026, 11, 15)  # tests/conftest.py freezes today


@pytest.fixture
def crm(tmp_path):
    """A small pipeline with known amounts: overdue, undated, lead-owned and closed deals."""
    database = open_database(str(tmp_path / "crm.db"))
    acme = customers.create_customer({"name": "Acme"})
    ada = leads.create_lead({"name": "Ada Lovelace"})
    made = {}
    for name, amount, close, stage, parent in [
        ("Rollout", "1000", D(2026, 12, 1), "Qualification", {"customer_id": acme}),
        ("Overdue deal", "2000", D(2026, 10, 1), "Qualification", {"customer_id": acme}),
        ("Undated deal", "500", None, "Qualification", {"customer_id": acme}),
        ("Engine", "3000", D(2026, 12, 20), "Proposal", {"lead_id": ada}),
        ("Won this quarter", "4000", D(2026, 11, 1), "ClosedWon", {"customer_id": acme}),
        ("Won long ago", "9000", D(2026, 6, 1), "ClosedWon", {"customer_id": acme}),
        ("Lost this quarter", "700", D(2026, 10, 10), "ClosedLost", {"customer_id": acme}),
    ]:
        made[name] = deals.create_deal({"name": name, "amount": amount, "close_date": close,
                                        "stage": stage, **parent})
    yield made
    database.close()


async def press_each(pilot, *keys: str) -> None:
    """Press each key and let the board settle after it (a move waits for the last)."""
    for key in keys:
        await pilot.press(key)
        await settle(pilot)


def board_of(app) -> Board:
    return app.screen.query_one(Board)


def column(app, name: str) -> BoardColumn:
    return next(c for c in board_of(app).columns if c.stage.name == name)


def header(app, name: str) -> str:
    return column(app, name).render().plain.splitlines()[1]


def shown_names(app, name: str) -> list[str]:
    return [card.name for card in column(app, name).cards]


def expected_header(count: int, amount: str) -> str:
    return f"{count} deal{'' if count == 1 else 's'} · {format_amount(Decimal(amount))}"


def stage_of(deal_id: int) -> str:
    return Stage.get_by_id(Opportunity.get_by_id(deal_id).__data__["stage"]).name


async def test_opens_on_the_first_card_with_columns_and_totals_summed_here(crm, run_app):
    async with run_app(start_mode="pipeline") as pilot:
        app = pilot.app
        board = board_of(app)
        assert board.current == 0 and board.selected.name == "Overdue deal"
        assert app.focused is board
        assert [c.stage.name for c in board.columns] == [
            "Qualification", "Proposal", "Negotiation", "ClosedWon", "ClosedLost"]
        in_quarter = {"ClosedWon": ["Won this quarter"], "ClosedLost": ["Lost this quarter"]}
        for name in ("Qualification", "Proposal", "Negotiation", "ClosedWon", "ClosedLost"):
            query = Opportunity.select().join(Stage).where(Stage.name == name)
            rows = [d for d in query if name not in in_quarter or d.name in in_quarter[name]]
            cents = sum(d.amount_cents for d in rows)
            assert header(app, name) == expected_header(len(rows), f"{cents / 100:.2f}"), name
        assert shown_names(app, "ClosedWon") == ["Won this quarter"]
        # by close date, undated last
        assert shown_names(app, "Qualification") == ["Overdue deal", "Rollout", "Undated deal"]


async def test_cards_show_parent_amount_date_and_mark_overdue_and_missing(crm, run_app):
    async with run_app(start_mode="pipeline") as pilot:
        app = pilot.app
        # (none of these deals has a next step planned: "?step" beside the parent)
        lines = [line.replace("?step", "     ").rstrip() if "?step" in line else line
                 for line in column(app, "Qualification").render().plain.splitlines()]
        assert [line.rstrip() for line in lines[3:7]] == [
            "▌Overdue deal", "▌Acme", "▌Owner: tester", "▌2,000.00   !2026-10-01"]
        assert lines[8:12] == [" Rollout", " Acme", " Owner: tester", " 1,000.00    2026-12-01"]
        assert lines[13:17] == [" Undated deal", " Acme", " Owner: tester",
                                " 500.00        ?no date"]
        assert column(app, "Proposal").render().plain.splitlines()[4].startswith(
            " Lead: Ada Lovel")
        # the sign says it without colour; the colour says it too
        rendered = column(app, "Qualification").render()
        marks = {rendered.plain[s.start:s.end]: s.style for s in rendered.spans
                 if rendered.plain[s.start:s.end] in ("!2026-10-01", "?no date")}
        assert set(marks) == {"!2026-10-01", "?no date"}
        assert all(style.color is not None for style in marks.values())
        assert marks["!2026-10-01"].color != marks["?no date"].color
        # closed deals are never overdue
        assert "!" not in column(app, "ClosedLost").render().plain


async def test_move_forward_and_back_keeps_the_cursor_on_the_deal(crm, run_app):
    deal = crm["Overdue deal"]
    async with run_app(start_mode="pipeline") as pilot:
        app = pilot.app
        await press_each(pilot, "greater_than_sign")
        assert stage_of(deal) == "Proposal"
        qualification, proposal = (Stage.get(name=n).id for n in ("Qualification", "Proposal"))
        assert log_rows("opportunity", deal)[-1] == (
            "move", "stage", str(qualification), str(proposal), "tester")
        board = board_of(app)
        assert board.column.stage.name == "Proposal" and board.selected.id == deal
        assert header(app, "Qualification") == expected_header(2, "1500")
        assert header(app, "Proposal") == expected_header(2, "5000")
        assert shown_names(app, "Proposal") == ["Overdue deal", "Engine"]

        await press_each(pilot, "less_than_sign")
        assert stage_of(deal) == "Qualification"
        assert log_rows("opportunity", deal)[-1][2:4] == (str(proposal), str(qualification))
        assert board.column.stage.name == "Qualification" and board.selected.id == deal
        assert header(app, "Qualification") == expected_header(3, "3500")

        await press_each(pilot, "shift+right", "shift+right")
        assert stage_of(deal) == "Negotiation"
        assert board.column.stage.name == "Negotiation" and board.selected.id == deal
        await press_each(pilot, "shift+left")
        assert stage_of(deal) == "Proposal" and board.selected.id == deal


async def test_close_won_from_the_board(crm, run_app):
    deal = crm["Engine"]
    async with run_app(start_mode="pipeline") as pilot:
        app = pilot.app
        await press_each(pilot, "l", "w")
        row = Opportunity.get_by_id(deal)
        assert stage_of(deal) == "ClosedWon" and row.close_date == TODAY
        won, proposal = (Stage.get(name=n).id for n in ("ClosedWon", "Proposal"))
        assert ("move", "stage", str(proposal), str(won), "tester") in \
            log_rows("opportunity", deal)
        board = board_of(app)
        assert board.column.stage.name == "ClosedWon" and board.selected.id == deal
        assert shown_names(app, "ClosedWon") == ["Engine", "Won this quarter"]
        assert header(app, "ClosedWon") == expected_header(2, "7000")
        assert header(app, "Proposal") == expected_header(0, "0")


async def test_a_closed_deal_steps_back_into_the_pipeline(crm, run_app):
    deal = crm["Won this quarter"]
    async with run_app(start_mode="pipeline") as pilot:
        app = pilot.app
        await press(pilot, "l", "l", "l")
        board = board_of(app)
        assert board.selected.id == deal
        assert app.screen.check_action("step", (1,)) is None  # nothing after Won
        assert app.screen.check_action("close_won", ()) is None
        await press_each(pilot, "less_than_sign")
        assert stage_of(deal) == "Negotiation"
        assert board.column.stage.name == "Negotiation" and board.selected.id == deal
        assert header(app, "ClosedWon") == expected_header(0, "0")
        app.screen.show_record(crm["Rollout"])  # what a jump to a deal calls
        await settle(pilot)
        assert board.column.stage.name == "Qualification" and board.selected.id == crm["Rollout"]


async def test_close_lost_asks_a_reason_which_may_be_empty(crm, run_app):
    async with run_app(start_mode="pipeline") as pilot:
        app = pilot.app
        await press_each(pilot, "x", "enter")  # no reason given
        overdue = crm["Overdue deal"]
        assert stage_of(overdue) == "ClosedLost"
        assert Opportunity.get_by_id(overdue).lost_reason == ""
        board = board_of(app)
        assert board.column.stage.name == "ClosedLost" and board.selected.id == overdue

        await press(pilot, "h", "h", "h", "h")
        deal = crm["Rollout"]
        assert board.selected.id == deal
        await press_each(pilot, "x")
        assert isinstance(app.screen, TextPrompt)
        await press_each(pilot, "escape")  # cancel: nothing changes
        assert stage_of(deal) == "Qualification"
        await press(pilot, "x", *"price")
        await press_each(pilot, "enter")
        row = Opportunity.get_by_id(deal)
        assert stage_of(deal) == "ClosedLost" and row.lost_reason == "Price", \
            "typing filters the settings' reasons; enter picks the highlighted one"
        changes = {r[1]: r[3] for r in log_rows("opportunity", deal) if r[0] == "move"}
        assert changes["stage"] == str(Stage.get(name="ClosedLost").id)
        assert board.column.stage.name == "ClosedLost" and board.selected.id == deal
        assert header(app, "ClosedLost") == expected_header(3, "3700")
        assert header(app, "Qualification") == expected_header(1, "500")


async def test_filter_by_deal_customer_or_lead_name(crm, run_app):
    async with run_app(start_mode="pipeline") as pilot:
        app = pilot.app
        await press(pilot, "slash", *"lovelace")
        assert shown_names(app, "Qualification") == []
        assert shown_names(app, "Proposal") == ["Engine"]
        assert header(app, "Proposal") == expected_header(1, "3000")
        assert header(app, "ClosedWon") == expected_header(0, "0")
        await press_each(pilot, "enter")  # keep the filter, go to the first match
        board = board_of(app)
        assert app.focused is board and board.selected.id == crm["Engine"]
        await press_each(pilot, "escape")  # clear: everything is back, cursor stays
        assert shown_names(app, "Qualification") == ["Overdue deal", "Rollout", "Undated deal"]
        assert board.selected.id == crm["Engine"]
        await press(pilot, "slash", *"ROLL")  # deal names, any case
        assert shown_names(app, "Qualification") == ["Rollout"]
        assert header(app, "Qualification") == expected_header(1, "1000")
        await press_each(pilot, "escape")
        assert header(app, "Qualification") == expected_header(3, "3500")


async def test_a_deal_changed_elsewhere_is_not_moved_blindly(crm, monkeypatch, run_app):
    deal = crm["Overdue deal"]
    async with run_app(start_mode="pipeline") as pilot:
        app = pilot.app
        shown = notices(app, monkeypatch)
        deals.update_deal(deal, {"amount": "2500"})  # someone else saves it meanwhile
        await press_each(pilot, "greater_than_sign")
        assert stage_of(deal) == "Qualification"
        assert len(shown) == 1 and "changed by tester" in shown[0]
        assert "not moved" in shown[0]
        board = board_of(app)
        assert board.selected.id == deal and board.selected.amount == Decimal("2500.00")
        await press_each(pilot, "greater_than_sign")  # it now has the fresh version
        assert stage_of(deal) == "Proposal"


async def test_reload_keeps_the_cursor_on_the_same_deal(crm, run_app):
    async with run_app(start_mode="pipeline") as pilot:
        app = pilot.app
        await press_each(pilot, "j")
        board = board_of(app)
        assert board.selected.name == "Rollout"
        acme = customers.list_customers()[0].id
        deals.create_deal({"name": "Earlier", "amount": "1", "close_date": D(2026, 9, 1),
                           "stage": "Qualification", "customer_id": acme})
        app.screen.reload()
        await settle(pilot)
        assert board.selected.name == "Rollout"
        assert header(app, "Qualification") == expected_header(4, "3501")
        await press_each(pilot, "k", "k")  # the new deal is read as the cursor nears it
        assert board.selected.name == "Earlier"
        await press_each(pilot, "j", "j")
        deals.step_deal(crm["Rollout"], +1)  # moved elsewhere: the cursor follows it
        app.screen.reload()
        await settle(pilot)
        assert board.column.stage.name == "Proposal" and board.selected.name == "Rollout"


async def test_user_text_is_shown_literally(crm, run_app):
    acme = customers.list_customers()[0].id
    deals.create_deal({"name": "Acme [/] Corp [bold]\x1b]0;x\x07", "amount": "1",
                       "close_date": D(2026, 1, 1), "stage": "Negotiation", "customer_id": acme})
    async with run_app(start_mode="pipeline") as pilot:
        app = pilot.app
        lines = column(app, "Negotiation").render().plain.splitlines()
        assert lines[3].startswith(" Acme [/] Corp [bold]")
        assert "\x1b" not in "".join(lines)


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
async def test_the_current_column_stays_in_view(crm, size, run_app):
    async with run_app(start_mode="pipeline", size=size) as pilot:
        app = pilot.app
        board = board_of(app)
        for index in range(5):
            current = board.columns[index]
            view = board.region
            assert view.x <= current.region.x and current.region.right <= view.right, index
            assert current.region.width >= 24
            assert current.render().plain.splitlines()[0].startswith("▌")
            await press_each(pilot, "l")
        await press(pilot, "h", "h", "h", "h")
        assert board.columns[0].region.x == board.region.x


async def test_a_long_column_loads_pages_as_the_cursor_goes_down(crm, run_app):
    acme = customers.list_customers()[0].id
    for i in range(24):
        deals.create_deal({"name": f"Bulk {i:02d}", "amount": "10",
                           "close_date": D(2027, 1, 1) + dt.timedelta(days=i),
                           "stage": "Negotiation", "customer_id": acme})
    async with run_app(start_mode="pipeline", size=(80, 24)) as pilot:
        app = pilot.app
        negotiation = column(app, "Negotiation")
        assert negotiation.visible == 4 and len(negotiation.cards) == 5
        await press(pilot, "l", "l")
        for _ in range(6):
            await press(pilot, "j", "j", "j")
        assert board_of(app).selected.name == "Bulk 18"
        assert len(negotiation.cards) < 24  # read a page at a time, not the whole stage
        for _ in range(3):
            await press(pilot, "j", "j", "j")
        assert board_of(app).selected.name == "Bulk 23"
        app.screen.reload()  # from the end: the window starts near the cursor
        await settle(pilot)
        assert negotiation.selected.name == "Bulk 23" and negotiation.cards[0].name != "Bulk 00"
        for _ in range(8):
            await press(pilot, "k", "k", "k")
        assert board_of(app).selected.name == "Bulk 00"


async def test_enter_edits_the_deal_and_the_board_shows_the_change(crm, run_app):
    deal = crm["Rollout"]
    async with run_app(start_mode="pipeline") as pilot:
        app = pilot.app
        await press_each(pilot, "j", "enter")
        assert isinstance(app.screen, DealForm) and app.screen.deal_id == deal
        amount = app.screen.fields["amount"].editor
        amount.focus()
        amount.value = ""
        await press(pilot, *"2.5k")
        await press_each(pilot, "ctrl+s")
        assert Opportunity.get_by_id(deal).amount_cents == 250_000
        board = board_of(app)
        assert app.screen.query_one(Board) is board and board.selected.id == deal
        assert header(app, "Qualification") == expected_header(3, "5000")


async def test_n_adds_a_deal_in_the_current_stage_with_a_parent_picked(crm, run_app):
    async with run_app(start_mode="pipeline") as pilot:
        app = pilot.app
        await press_each(pilot, "l", "n")
        assert isinstance(app.screen, DealForm)
        form = app.screen
        await press(pilot, *"Fresh start", "tab", *"1200", "tab", *"2026-12-05")
        form.fields["parent"].editor.focus()
        await press(pilot, *"lovel")  # typing a name opens the picker
        await press(pilot, "enter")
        await press_each(pilot, "ctrl+s")
        new = Opportunity.get(name="Fresh start")
        assert stage_of(new.id) == "Proposal" and new.lead.name == "Ada Lovelace"
        assert new.amount_cents == 120_000 and new.close_date == D(2026, 12, 5)
        board = board_of(app)
        assert board.column.stage.name == "Proposal" and board.selected.id == new.id
        assert shown_names(app, "Proposal") == ["Fresh start", "Engine"]
        assert header(app, "Proposal") == expected_header(2, "4200")


async def test_a_key_pressed_as_the_board_opens_acts_on_its_first_card(crm):
    app = CrmApp(start_mode="pipeline")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("greater_than_sign")  # no wait for the board to load first
        await settle(pilot)
        assert stage_of(crm["Overdue deal"]) == "Proposal"
        assert board_of(app).selected.id == crm["Overdue deal"]


async def test_delete_offers_closed_lost_first_then_deletes_for_good(crm, run_app):
    from tui_crm.ui.widgets.dialogs import ChoiceDialog

    overdue, rollout = crm["Overdue deal"], crm["Rollout"]
    async with run_app(start_mode="pipeline") as pilot:
        app = pilot.app
        board = board_of(app)
        await press_each(pilot, "d")
        assert isinstance(app.screen, ChoiceDialog)
        await press_each(pilot, "escape")  # cancel: nothing changes
        assert stage_of(overdue) == "Qualification"

        await press_each(pilot, "d", "enter")  # the default: mark ClosedLost instead
        assert isinstance(app.screen, TextPrompt), "asks the lost reason, as x does"
        await press(pilot, *"went quiet")
        await press_each(pilot, "enter")
        assert stage_of(overdue) == "ClosedLost"
        assert Opportunity.get_by_id(overdue).lost_reason == "went quiet"

        await press(pilot, "h", "h", "h", "h")
        assert board.selected.id == rollout
        await press_each(pilot, "delete", "d")  # delete for good
        assert not Opportunity.select().where(Opportunity.id == rollout).exists()
        assert log_rows("opportunity", rollout)[-1][0] == "delete"
        assert header(app, "Qualification") == expected_header(1, "500")
        assert board.column.stage.name == "Qualification"
        assert shown_names(app, "Qualification") == ["Undated deal"]


async def test_a_closed_deal_is_deleted_only_when_confirmed(crm, run_app):
    won = crm["Won this quarter"]
    async with run_app(start_mode="pipeline") as pilot:
        app = pilot.app
        await press(pilot, "l", "l", "l")
        assert board_of(app).selected.id == won
        await press_each(pilot, "d", "enter")  # the default answer keeps it
        assert Opportunity.select().where(Opportunity.id == won).exists()
        await press_each(pilot, "d", "d")
        assert not Opportunity.select().where(Opportunity.id == won).exists()
        assert header(app, "ClosedWon") == expected_header(0, "0")


async def test_every_column_header_takes_the_same_form(crm, run_app):
    """A column too narrow for "2 deals · 1,999,999,999,999.98" makes every header drop
    the word: "0 deals · 0.00" beside "2 · 1,999,..." would read as two things."""
    acme = customers.list_customers("Acme")[0].id
    async with run_app(start_mode="pipeline", size=(80, 24)) as pilot:
        app = pilot.app
        assert header(app, "Negotiation") == expected_header(0, "0")
        big = [deals.create_deal({"name": f"Huge {i}", "amount": "999,999,999,999.99",
                                  "stage": "Negotiation", "customer_id": acme})
               for i in range(2)]
        await press(pilot, "r")
        await settle(pilot)
        app.screen.show_record(big[0])
        await settle(pilot)
        headers = {c.stage.name: c.render().plain.splitlines()[1].strip()
                   for c in board_of(app).columns}
        assert not any("deal" in text for text in headers.values()), headers
        assert headers["Negotiation"] in ("2 · 1,999,999,999,999.98", "2 · 2000b")
        assert headers["Proposal"] in ("1 · 3,000.00", "1 · 3k")
        assert headers["ClosedLost"] in ("1 · 700.00", "1 · 700")


async def test_keys_typed_during_a_move_wait_for_it(crm, run_app):
    """`> >` in a burst moves the deal two stages (the second key waits for the first
    move, then acts on the deal where it now is); `> w` closes the deal just moved."""
    from tests.ui.pilot_helpers import burst

    deal, engine = crm["Overdue deal"], crm["Engine"]
    async with run_app(start_mode="pipeline") as pilot:
        app = pilot.app
        await burst(pilot, ">", ">")
        assert stage_of(deal) == "Negotiation"
        board = board_of(app)
        assert board.column.stage.name == "Negotiation" and board.selected.id == deal
        assert [row[0] for row in log_rows("opportunity", deal)].count("move") == 2
        await burst(pilot, "<", "<", "<")  # the third finds it in the first stage
        assert stage_of(deal) == "Qualification" and board.selected.id == deal
        await press_each(pilot, "l")
        assert board.selected.id == engine
        await burst(pilot, ">", "w")
        assert stage_of(engine) == "ClosedWon"
        assert board.column.stage.name == "ClosedWon" and board.selected.id == engine
