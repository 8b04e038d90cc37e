"""A database of known deals for the forecast tests, and the figures worked out by hand.

``DEALS`` lists every deal; ``expected(quarter)`` computes what the forecast must show
from that list with plain Python (no SQL, no core code), so the tests compare two
independent computations. Today is frozen to 2026-11-15 by ``tests/conftest.py``.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from tui_crm.core import customers, deals, leads

TODAY = dt.date(2026, 11, 15)
PROBABILITY = {"Qualification": 10, "Proposal": 40, "Negotiation": 70}
OPEN = tuple(PROBABILITY)
# A customer name that is also Rich markup: it must be shown as typed.
ODD_NAME = "Acme [/] Corp [bold]"


@dataclass(frozen=True)
class Spec:
    stage: str
    amount: str
    close: str | None
    reason: str = ""

    @property
    def value(self) -> Decimal:
        return Decimal(self.amount)

    @property
    def day(self) -> dt.date | None:
        return dt.date.fromisoformat(self.close) if self.close else None


DEALS = [
    # Open, expected to close in 2026Q4 (two of them already overdue).
    Spec("Qualification", "10000.00", "2026-12-01"),
    Spec("Qualification", "2500.50", "2026-10-05"),
    Spec("Proposal", "40000.00", "2026-12-20"),
    Spec("Negotiation", "25000.25", "2026-11-30"),
    Spec("Negotiation", "15000.00", "2026-11-01"),
    # Open, other quarters.
    Spec("Qualification", "7000.00", "2027-02-10"),
    Spec("Proposal", "3000.00", "2026-08-01"),
    Spec("Negotiation", "50000.00", "2025-05-15"),
    # Open without a close date.
    Spec("Qualification", "4000.00", None),
    Spec("Proposal", "6000.00", None),
    # Closed in 2026Q4.
    Spec("ClosedWon", "30000.00", "2026-10-10"),
    Spec("ClosedWon", "12345.67", "2026-11-02"),
    Spec("ClosedLost", "8000.00", "2026-10-20", "price"),
    Spec("ClosedLost", "2000.00", "2026-11-03", "price"),
    Spec("ClosedLost", "5000.00", "2026-11-04", "timing"),
    Spec("ClosedLost", "1000.00", "2026-10-02", ""),
    # Closed in 2025Q2, a quarter of another year.
    Spec("ClosedWon", "20000.00", "2025-05-20"),
    Spec("ClosedLost", "9000.00", "2025-06-01", "competitor [red]"),
    # Won at the edges of the twelve months before today.
    Spec("ClosedWon", "5000.00", "2026-03-15"),
    Spec("ClosedWon", "1111.00", "2025-11-30"),
    Spec("ClosedWon", "2222.00", "2025-12-01"),
]


def load() -> None:
    """Create the fixture's customers, lead and deals in the open database."""
    parents = [{"customer_id": customers.create_customer({"name": ODD_NAME})},
               {"customer_id": customers.create_customer({"name": "Globex"})},
               {"lead_id": leads.create_lead({"name": "Initech"})}]
    for n, spec in enumerate(DEALS):
        deals.create_deal({"name": f"Deal {n}", "amount": spec.amount, "stage": spec.stage,
                           "close_date": spec.close or "", "lost_reason": spec.reason,
                           **parents[n % len(parents)]})


def _cents(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def _in(spec: Spec, start: dt.date, end: dt.date) -> bool:
    return spec.day is not None and start <= spec.day < end


@dataclass
class Expected:
    stages: list[tuple[str, int, Decimal, int, Decimal]]
    total: tuple[int, Decimal, Decimal]
    no_close_date: tuple[int, Decimal]
    overdue: tuple[int, Decimal]
    won: tuple[int, Decimal]
    lost: tuple[int, Decimal]
    win_rate: str
    lost_reasons: list[tuple[str, int]]
    won_by_month: list[tuple[str, Decimal]]


def _tally(specs) -> tuple[int, Decimal]:
    specs = list(specs)
    return len(specs), sum((s.value for s in specs), Decimal("0.00"))


def expected(year: int, number: int) -> Expected:
    """The forecast of quarter ``year`` Q``number``, worked out from ``DEALS``."""
    start = dt.date(year, 3 * number - 2, 1)
    end = dt.date(year + (number == 4), (3 * number) % 12 + 1, 1)
    rows = []
    for stage in OPEN:
        count, amount = _tally(s for s in DEALS if s.stage == stage and _in(s, start, end))
        rows.append((stage, count, amount, PROBABILITY[stage],
                     _cents(amount * PROBABILITY[stage] / 100)))
    total = (sum(r[1] for r in rows), sum((r[2] for r in rows), Decimal("0.00")),
             sum((r[4] for r in rows), Decimal("0.00")))
    open_deals = [s for s in DEALS if s.stage in OPEN]
    won = _tally(s for s in DEALS if s.stage == "ClosedWon" and _in(s, start, end))
    lost = _tally(s for s in DEALS if s.stage == "ClosedLost" and _in(s, start, end))
    closed = won[0] + lost[0]
    rate = f"{100 * won[0] / closed:.1f}" if closed else "-"
    reasons = Counter(s.reason for s in DEALS if s.stage == "ClosedLost" and _in(s, start, end))
    ranked = sorted(reasons.items(), key=lambda item: (-item[1], item[0]))
    months = _months(min(TODAY, end - dt.timedelta(days=1)))
    won_months = [(f"{y:04d}-{m:02d}",
                   sum((s.value for s in DEALS if s.stage == "ClosedWon" and s.day
                        and (s.day.year, s.day.month) == (y, m)), Decimal("0.00")))
                  for y, m in months]
    return Expected(rows, total,
                    _tally(s for s in open_deals if s.day is None),
                    _tally(s for s in open_deals if s.day is not None and s.day < TODAY),
                    won, lost, rate,
                    [(reason or "(no reason given)", n) for reason, n in ranked],
                    won_months)


def _months(last: dt.date) -> list[tuple[int, int]]:
    index = last.year * 12 + last.month - 1
    return [((i // 12), i % 12 + 1) for i in range(index - 11, index + 1)]
