"""Forecast figures against sums computed here, from the deals the test made."""

import datetime as dt
import random
from decimal import ROUND_HALF_UP, Decimal

from tests.conftest import FROZEN_TODAY
from tui_crm.core import customers, deals, leads
from tui_crm.core.dates import Quarter
from tui_crm.core.forecast import forecast

PROBABILITY = {"Qualification": 10, "Proposal": 40, "Negotiation": 70}
OPEN = list(PROBABILITY)


def make_deals(count: int, seed: int = 7, owners: tuple[str, ...] = ("",)) -> list[dict]:
    """Random deals across stages and dates, owned in turn by ``owners``; returns what
    was created, as plain data."""
    rng = random.Random(seed)
    acme = customers.create_customer({"name": "Acme"})
    lead = leads.create_lead({"name": "Lead"})
    made = []
    for i in range(count):
        stage = rng.choice(OPEN + ["ClosedWon", "ClosedLost"])
        day = None if rng.random() < 0.15 else dt.date(2026, 1, 1) + dt.timedelta(
            days=rng.randrange(0, 540))
        amount = Decimal(rng.randrange(0, 5_000_000)) / 100
        if stage.startswith("Closed") and day is None:
            day = FROZEN_TODAY  # closing without a date stamps today
        parent = {"customer_id": acme} if i % 2 else {"lead_id": lead}
        reason = rng.choice(["price", "timing", ""]) if stage == "ClosedLost" else ""
        owner = owners[i % len(owners)]
        deals.create_deal({"name": f"D{i}", "amount": amount, "stage": stage,
                           "close_date": day, "lost_reason": reason, "owner": owner,
                           **parent})
        made.append({"stage": stage, "date": day, "amount": amount, "reason": reason,
                     "owner": owner})
    return made


def in_quarter(day, quarter: Quarter) -> bool:
    return day is not None and quarter.start <= day <= quarter.last_day


def cents(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def test_forecast_matches_independent_sums(db):
    made = make_deals(120)
    for quarter in (Quarter(2026, 4), Quarter(2027, 1), Quarter(2026, 2)):
        result = forecast(quarter)
        for line, name in zip(result.stages, OPEN, strict=True):
            mine = [d["amount"] for d in made if d["stage"] == name
                    and in_quarter(d["date"], quarter)]
            assert (line.stage, line.count, line.amount, line.probability) == (
                name, len(mine), sum(mine, Decimal(0)), PROBABILITY[name])
            assert line.weighted == cents(sum(mine, Decimal(0)) * PROBABILITY[name] / 100)
        open_in_q = [d for d in made if d["stage"] in OPEN and in_quarter(d["date"], quarter)]
        assert result.total.count == len(open_in_q)
        assert result.total.amount == sum((d["amount"] for d in open_in_q), Decimal(0))
        assert result.total.weighted == sum((line.weighted for line in result.stages),
                                            Decimal(0))
        won = [d["amount"] for d in made if d["stage"] == "ClosedWon"
               and in_quarter(d["date"], quarter)]
        lost = [d["amount"] for d in made if d["stage"] == "ClosedLost"
                and in_quarter(d["date"], quarter)]
        wl = result.win_loss
        assert (wl.won_count, wl.won_amount, wl.lost_count, wl.lost_amount) == (
            len(won), sum(won, Decimal(0)), len(lost), sum(lost, Decimal(0)))
        if won or lost:
            assert wl.win_rate == round(100 * len(won) / (len(won) + len(lost)), 1)
    nodate = [d["amount"] for d in made if d["stage"] in OPEN and d["date"] is None]
    overdue = [d["amount"] for d in made if d["stage"] in OPEN and d["date"]
               and d["date"] < FROZEN_TODAY]
    result = forecast()
    assert result.quarter == Quarter(2026, 4)
    assert (result.no_close_date.count, result.no_close_date.amount) == (
        len(nodate), sum(nodate, Decimal(0)))
    assert (result.overdue.count, result.overdue.amount) == (len(overdue),
                                                             sum(overdue, Decimal(0)))


def test_won_by_month_and_lost_reasons(db):
    made = make_deals(80, seed=3)
    result = forecast(Quarter(2026, 4))
    months = dict(result.won_by_month)
    assert len(months) == 12 and list(months)[-1] == "2026-11"  # up to today
    for month, amount in months.items():
        expected = sum((d["amount"] for d in made if d["stage"] == "ClosedWon"
                        and d["date"].strftime("%Y-%m") == month), Decimal(0))
        assert amount == expected, month
    lost = [d for d in made if d["stage"] == "ClosedLost" and in_quarter(d["date"],
                                                                         Quarter(2026, 4))]
    expected = {}
    for d in lost:
        key = d["reason"] or "(no reason given)"
        expected[key] = expected.get(key, 0) + 1
    assert dict(result.lost_reasons) == expected


def test_an_empty_forecast(db):
    result = forecast(Quarter(2026, 4))
    assert result.total.count == 0 and result.total.amount == Decimal("0.00")
    assert result.win_loss.win_rate is None
    assert result.as_json()["win_loss"]["win_rate"] is None
    assert result.as_json()["total"] == {"count": 0, "amount": "0.00", "weighted": "0.00"}
