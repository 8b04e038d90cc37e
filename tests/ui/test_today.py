"""The Today screen (5): the queue, each key acting on its line, checked on screen and in
the database, at 120x40 and 80x24, key by key and in bursts."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.conftest import FROZEN_TODAY
from tests.ui.pilot_helpers import burst, look, press, screen_text, settle, shown, type_text
from tui_crm.core import activities, customers, deals, stages
from tui_crm.core.models import Activity, Opportunity
from tui_crm.ui.app import CrmApp
from tui_crm.ui.screens.today import TodayScreen
from tui_crm.ui.widgets.activity_form import ActivityForm
from tui_crm.ui.widgets.deal_form import DealForm
from tui_crm.ui.widgets.record_list import RecordList

DAY = dt.timedelta(days=1)
NAME = "Acme [/] Corp [bold]"


def make_deal(name: str, customer: int, *, close: dt.date | None = None,
              owner: str = "tester") -> int:
    deal = deals.create_deal({"name": name, "customer_id": customer, "close_date": close,
                              "owner": owner})
    entered = dt.datetime.combine(FROZEN_TODAY - 3 * DAY, dt.time(9))
    Opportunity.update(stage_entered_at=entered).where(Opportunity.id == deal).execute()
    return deal


@pytest.fixture
def queue(db):
    """Alpha has an overdue call and a quote due today; Beta has no next step and no
    close date. The queue: overdue, due today, no next step, no close date."""
    acme = customers.create_customer({"name": NAME})
    alpha = make_deal("Alpha", acme, close=FROZEN_TODAY + 30 * DAY)
    beta = make_deal("Beta", acme)
    call = activities.create_activity({"subject": "Call Alpha", "kind": "Call",
                                       "deal_id": alpha, "due": FROZEN_TODAY - 2 * DAY})
    quote = activities.create_activity({"subject": "Send quote", "deal_id": alpha,
                                        "due": FROZEN_TODAY})
    return {"acme": acme, "alpha": alpha, "beta": beta, "call": call, "quote": quote}


def today_list(app) -> RecordList:
    return app.screen.query_one("#today-list", RecordList)


def lines(app) -> list[tuple]:
    records = today_list(app)
    return [(row.reason, row.activity_id or row.deal_id)
            for row in (records.row_at(i) for i in range(records.count)) if row]


async def go_to(pilot, reason: str) -> None:
    """Put the cursor on the first line of ``reason``, by keys."""
    index = [line[0] for line in lines(pilot.app)].index(reason)
    await press(pilot, "home", *["down"] * index)
    assert today_list(pilot.app).highlighted.reason == reason


def activity(activity_id: int) -> Activity:
    return Activity.get_by_id(activity_id)


async def test_the_queue_says_why_for_what_and_whose(queue, run_app):
    async with run_app(start_mode="today") as pilot:
        app = pilot.app
        assert isinstance(app.screen, TodayScreen)
        assert lines(app) == [("overdue_activity", queue["call"]), ("due_today", queue["quote"]),
                              ("no_next_step", queue["beta"]),
                              ("no_close_date", queue["beta"])]
        text = screen_text(app)
        assert "Call overdue by 2 days" in text and "Call Alpha" in text
        assert "Task due today" in text and "Send quote" in text
        assert "No next step (3 days in Qualification)" in text
        assert "No close date" in text
        assert "Alpha · Acme [/] Corp" in text, "the deal and its customer, shown literally"
        assert "tester" in text
        assert "1 overdue" in text, "the header counts the overdue activities"
        assert "4 to do: Overdue 1, Due today 1, No next step 1, No close date 1" in text
        assert await shown(pilot, "Snooze")


async def test_five_opens_today_from_any_screen(queue, run_app):
    async with run_app() as pilot:
        app = pilot.app
        assert "1 overdue" in screen_text(app), "on every screen's header"
        await press(pilot, "5")
        assert isinstance(app.screen, TodayScreen)
        assert "Call Alpha" in screen_text(app)


async def test_space_marks_done_then_asks_the_next_step(queue, run_app):
    async with run_app(start_mode="today") as pilot:
        app = pilot.app
        await press(pilot, "space")
        assert activity(queue["call"]).done_at is not None
        assert isinstance(app.screen, ActivityForm), "done asks for the next step"
        assert "Next step — Alpha" in screen_text(app)
        await type_text(pilot, "Book the demo")
        await press(pilot, "ctrl+s")
        assert isinstance(app.screen, TodayScreen)
        step = Activity.get(Activity.subject == "Book the demo")
        assert step.deal_id == queue["alpha"] and step.done_at is None
        assert [line[0] for line in lines(app)] == ["due_today", "no_next_step",
                                                    "no_close_date"]
        assert "Call Alpha" not in screen_text(app)
        assert "overdue" not in app.sub_title, "no overdue activity left"


async def test_enter_on_an_empty_next_step_skips_it(queue, run_app):
    async with run_app(start_mode="today") as pilot:
        app = pilot.app
        await press(pilot, "space")
        assert isinstance(app.screen, ActivityForm)
        await press(pilot, "enter")
        assert isinstance(app.screen, TodayScreen)
        assert Activity.select().count() == 2, "nothing planned"
        assert activity(queue["call"]).done_at is not None


async def test_z_snoozes_a_day_and_shift_z_a_week(queue, run_app):
    async with run_app(start_mode="today") as pilot:
        app = pilot.app
        await press(pilot, "z")
        assert activity(queue["call"]).due_date == FROZEN_TODAY + DAY
        assert lines(app)[0] == ("due_today", queue["quote"]), "the line left the queue"
        await press(pilot, "Z")
        assert activity(queue["quote"]).due_date == FROZEN_TODAY + 7 * DAY
        assert "Send quote" not in screen_text(app)
        assert [line[0] for line in lines(app)] == ["no_next_step", "no_close_date"]


async def test_c_sets_the_close_date_checked_at_the_field(queue, run_app):
    async with run_app(start_mode="today") as pilot:
        app = pilot.app
        await go_to(pilot, "no_close_date")
        await press(pilot, "c")
        await type_text(pilot, "2026-13-45")
        await press(pilot, "enter")
        assert "Expected close date: Beta" in screen_text(app), "still asking"
        assert "2026-13-45" in screen_text(app), "what was typed is kept"
        assert Opportunity.get_by_id(queue["beta"]).close_date is None
        await press(pilot, *["backspace"] * 10)
        await type_text(pilot, "2026-12-20")
        await press(pilot, "enter")
        assert Opportunity.get_by_id(queue["beta"]).close_date == dt.date(2026, 12, 20)
        assert "no_close_date" not in [line[0] for line in lines(app)]


async def test_x_closes_the_deal_lost_with_its_reason(queue, run_app):
    async with run_app(start_mode="today") as pilot:
        app = pilot.app
        await go_to(pilot, "no_next_step")
        await press(pilot, "x")
        await type_text(pilot, "went with a rival")
        await press(pilot, "enter")
        beta = Opportunity.get_by_id(queue["beta"])
        assert stages.get_stage(beta.stage_id).kind == "lost"
        assert beta.lost_reason == "went with a rival"
        assert [line[1] for line in lines(app)] == [queue["call"], queue["quote"]]


async def test_a_adds_an_activity_for_the_lines_deal(queue, run_app):
    async with run_app(start_mode="today") as pilot:
        app = pilot.app
        await go_to(pilot, "no_next_step")
        await press(pilot, "a")
        assert isinstance(app.screen, ActivityForm)
        await press(pilot, "ctrl+s")
        assert "Subject is required." in screen_text(app), "the error at the field"
        await type_text(pilot, "Call Beta")
        await press(pilot, "tab", "tab")
        await type_text(pilot, "2026-11-20")
        await press(pilot, "ctrl+s")
        planned = Activity.get(Activity.subject == "Call Beta")
        assert planned.deal_id == queue["beta"]
        assert planned.due_date == dt.date(2026, 11, 20)
        assert "no_next_step" not in [line[0] for line in lines(app)]


async def test_enter_opens_the_lines_deal(queue, run_app):
    async with run_app(start_mode="today") as pilot:
        app = pilot.app
        await press(pilot, "enter")
        assert isinstance(app.screen, DealForm)
        assert app.screen.deal_id == queue["alpha"]
        assert app.screen.fields["name"].value == "Alpha"
        text = screen_text(app)
        assert "! 2026-11-13 Call: Call Alpha (tester)" in text, "overdue, first"
        assert "○ 2026-11-15 Task: Send quote (tester)" in text


async def test_the_deal_form_lists_open_activities_then_the_log(queue, run_app):
    activities.complete_activity(queue["quote"])
    async with run_app(start_mode="today") as pilot:
        app = pilot.app
        await press(pilot, "enter")
        text = screen_text(app)
        planned = text.index("Call: Call Alpha")
        logged = text.index("Task: Send quote")
        assert planned < logged, "open first, then what was done"
        assert "✓" in text.splitlines()[next(i for i, line in enumerate(text.splitlines())
                                             if "Send quote" in line)]


async def test_mine_only_is_on_when_deals_have_several_owners(queue, run_app):
    acme = queue["acme"]
    other = make_deal("Gamma", acme, owner="olga")
    async with run_app(start_mode="today") as pilot:
        app = pilot.app
        assert "Gamma" not in screen_text(app)
        assert "Mine only (tester; m shows everyone's) · 4 to do" in screen_text(app)
        assert "Owner" not in screen_text(app), "their own name on every line: no column"
        await press(pilot, "m")
        assert (("no_next_step", other)) in lines(app)
        assert "Gamma" in screen_text(app) and "olga" in screen_text(app)
        assert "Owner" in screen_text(app) and "Mine only" not in screen_text(app)
        await press(pilot, "m")
        assert "Gamma" not in screen_text(app) and "Owner" not in screen_text(app)


async def test_a_burst_of_keys_acts_on_one_line_after_the_other(queue, run_app):
    extra = activities.create_activity({"subject": "Old task", "deal_id": queue["alpha"],
                                        "due": FROZEN_TODAY - 5 * DAY})
    async with run_app(start_mode="today") as pilot:
        app = pilot.app
        await burst(pilot, "z", "z", "z")
        for snoozed in (extra, queue["call"], queue["quote"]):
            assert activity(snoozed).due_date == FROZEN_TODAY + DAY
        assert [line[0] for line in lines(app)] == ["no_next_step", "no_close_date"]


async def test_today_at_80x24(queue, run_app):
    async with run_app(start_mode="today", size=(80, 24)) as pilot:
        app = pilot.app
        text = screen_text(app)
        assert "Call overdue by 2 days" in text and "Call Alpha" in text
        assert "No close date" in text
        assert await shown(pilot, "? Help")
        await press(pilot, "z")
        assert activity(queue["call"]).due_date == FROZEN_TODAY + DAY
        await press(pilot, "space")
        assert isinstance(app.screen, ActivityForm)
        await press(pilot, "escape")
        assert activity(queue["quote"]).done_at is not None
        assert "Send quote" not in screen_text(app)


async def test_the_overdue_count_follows_other_peoples_changes(queue):
    mine, theirs = CrmApp(), CrmApp(start_mode="today")
    async with mine.run_test(size=(120, 40)) as me, theirs.run_test(size=(120, 40)) as them:
        await settle(me)
        await settle(them)
        assert "1 overdue" in mine.sub_title
        await press(them, "z")  # they snooze the overdue call
        assert await look(me)
        assert "overdue" not in mine.sub_title
        await press(them, "a")
        await type_text(them, "Late one")
        await press(them, "tab", "tab")
        await type_text(them, "2026-11-01")
        await press(them, "ctrl+s")
        assert await look(me)
        await settle(me)
        assert "1 overdue" in mine.sub_title
        assert "1 overdue" in screen_text(mine)


async def add_one(pilot, subject: str) -> Activity:
    """Press a, type a subject, save: the activity made."""
    await press(pilot, "a")
    assert isinstance(pilot.app.screen, ActivityForm)
    await type_text(pilot, subject)
    await press(pilot, "ctrl+s")
    assert not isinstance(pilot.app.screen, ActivityForm)
    return Activity.get(Activity.subject == subject)


async def test_a_on_the_board_plans_for_the_cards_deal(queue, run_app):
    async with run_app(start_mode="pipeline") as pilot:
        app = pilot.app
        card = app.screen.board.selected
        planned = await add_one(pilot, "Board call")
        assert planned.deal_id == card.id and planned.done_at is None


async def test_a_in_customers_plans_for_the_customer_or_its_deal(queue, run_app):
    async with run_app(start_mode="customers") as pilot:
        app = pilot.app
        planned = await add_one(pilot, "Customer call")
        assert planned.customer_id == queue["acme"] and planned.deal_id is None
        await press(pilot, "tab")
        deal = app.screen.deal
        assert deal is not None
        planned = await add_one(pilot, "Deal call")
        assert planned.deal_id == deal.id


async def test_a_in_leads_logs_a_done_activity(db, monkeypatch, run_app):
    """A logged activity is done when saved; its Done box shows its mark only when it is
    checked (read without colour: NO_COLOR)."""
    from tui_crm.core import leads

    monkeypatch.setenv("NO_COLOR", "1")

    lead = leads.create_lead({"name": "Lena"})
    async with run_app(size=(80, 24)) as pilot:
        app = pilot.app
        await press(pilot, "a")
        await type_text(pilot, "Called, wants a discount")
        await press(pilot, "tab", "tab", "tab", "tab", "tab")
        assert "▐ ▌ done already" in screen_text(app), "unchecked: no mark to tell by colour"
        await press(pilot, "space")
        assert app.screen.fields["done"].value is True
        assert "X▌ done already" in screen_text(app)
        await press(pilot, "ctrl+s")
        logged = Activity.get(Activity.subject == "Called, wants a discount")
        assert logged.lead_id == lead and logged.done_at is not None


async def test_board_cards_mark_no_next_step_and_rotting(queue, monkeypatch, run_app):
    monkeypatch.setenv("NO_COLOR", "1")
    stages.edit_stage("Qualification", rot_days=2)  # Alpha and Beta: 3 days there
    async with run_app(start_mode="pipeline") as pilot:
        app = pilot.app
        text = screen_text(app)
        assert text.count("~3d") == 2, "both deals are rotting"
        assert text.count("?step") == 1, "Beta has no next step, Alpha has one"
        assert app.screen.board.selected.name == "Alpha"
        await press(pilot, "down")
        assert app.screen.board.selected.name == "Beta"
        await press(pilot, "a")
        await type_text(pilot, "Plan it")
        await press(pilot, "ctrl+s")
        assert Activity.get(Activity.subject == "Plan it").deal_id == queue["beta"]
        assert "?step" not in screen_text(app), "Beta has its next step now"
        assert screen_text(app).count("~3d") == 2


async def test_a_snooze_on_a_read_only_file_is_a_sentence(tmp_path, mounts, run_app):
    from tui_crm.core.db import open_database

    path = tmp_path / "crm.db"
    database = open_database(str(path))
    acme = customers.create_customer({"name": "Acme"})
    deal = make_deal("Alpha", acme, close=FROZEN_TODAY + 30 * DAY)
    call = activities.create_activity({"subject": "Call Alpha", "deal_id": deal,
                                       "due": FROZEN_TODAY - DAY})
    database.close()
    mounts.read_only(path)
    open_database(str(path))
    async with run_app(start_mode="today", notifications=True) as pilot:
        app = pilot.app
        await press(pilot, "z")
        assert app.is_running and isinstance(app.screen, TodayScreen)
        assert await shown(pilot, "read-only"), screen_text(app)
        assert activity(call).due_date == FROZEN_TODAY - DAY
        assert "Call Alpha" in screen_text(app), "the line stays"
        mounts.writable(path)
        await press(pilot, "z")  # the screen took the key: it is not stuck "changing"
        assert activity(call).due_date == FROZEN_TODAY + DAY
        assert "Call Alpha" not in screen_text(app)


async def test_a_count_at_its_cap_says_there_are_more(queue, monkeypatch, run_app):
    """Counts stop at a cap (a count never reads a whole table): the status says "+"."""
    from tui_crm.core import today

    for number in range(150):  # more than a page: the queue is counted, not listed whole
        activities.create_activity({"subject": f"Call {number}", "deal_id": queue["alpha"],
                                    "due": FROZEN_TODAY - 5 * DAY})
    monkeypatch.setattr(today, "COUNT_CAP", 100)
    async with run_app(start_mode="today") as pilot:
        app = pilot.app
        assert await shown(pilot, "Overdue 100+")
        text = screen_text(app)
        assert "100+ overdue" in text  # the header's count stops at the same cap
        assert "103+ to do: Overdue 100+, Due today 1, No next step 1, No close date 1" in text


async def test_keys_typed_after_space_fill_the_next_step_it_opens(queue, run_app):
    """`space`, the next step's subject and `ctrl+s` in one burst (a fast typist, tmux):
    the keys typed while the line is being marked done wait for it, then fill the form
    that asks for the next step; `space` `enter` skips it."""
    async with run_app(start_mode="today") as pilot:
        app = pilot.app
        await burst(pilot, "space", *"Book the demo", "ctrl+s")
        assert activity(queue["call"]).done_at is not None
        step = Activity.get(Activity.subject == "Book the demo")
        assert step.deal_id == queue["alpha"] and step.done_at is None
        assert isinstance(app.screen, TodayScreen)
        assert [line[0] for line in lines(app)] == ["due_today", "no_next_step",
                                                    "no_close_date"]
        await burst(pilot, "space", "enter")  # the quote done, no next step planned
        assert activity(queue["quote"]).done_at is not None
        assert isinstance(app.screen, TodayScreen)
        assert Activity.select().count() == 3
        assert [line[0] for line in lines(app)] == ["no_next_step", "no_close_date"]
