import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tui_crm.core.dates import DateError, Quarter, format_date, parse_date
from tui_crm.core.errors import CrmError


@pytest.mark.parametrize(("text", "expected"), [
    ("2026-12-15", dt.date(2026, 12, 15)),
    (" 2026-12-15 ", dt.date(2026, 12, 15)),
    ("2026-1-5", dt.date(2026, 1, 5)),
    ("2028-02-29", dt.date(2028, 2, 29)),
])
def test_parse_date_accepts_iso(text, expected):
    assert parse_date(text) == expected


@pytest.mark.parametrize("text", ["", "   ", None])
def test_empty_date_is_no_date(text):
    assert parse_date(text) is None


@pytest.mark.parametrize(("text", "message"), [
    ("2026-13-45", "No such date"),
    ("2026-02-30", "No such date"),
    ("2027-02-29", "No such date"),
    ("0000-01-01", "No such date"),
    ("15/12/2026", "YYYY-MM-DD"),
    ("12/15/2026", "YYYY-MM-DD"),
    ("2026-12", "YYYY-MM-DD"),
    ("tomorrow", "YYYY-MM-DD"),
    ("2026-12-15T10:00", "YYYY-MM-DD"),
    ("２０２６-１２-１５", "YYYY-MM-DD"),
])
def test_parse_date_refuses_with_a_clear_message(text, message):
    with pytest.raises(DateError, match=message):
        parse_date(text)
    assert issubclass(DateError, CrmError)


@given(st.text())
def test_any_text_parses_or_raises_date_error(text):
    try:
        value = parse_date(text)
    except DateError:
        return
    assert value is None or isinstance(value, dt.date)


@given(st.dates())
def test_dates_round_trip(day):
    assert parse_date(format_date(day)) == day


def test_quarters():
    q = Quarter.parse("2026Q4")
    assert (q.start, q.end, q.last_day) == (dt.date(2026, 10, 1), dt.date(2027, 1, 1),
                                            dt.date(2026, 12, 31))
    assert str(q.next()) == "2027Q1" and str(q.previous()) == "2026Q3"
    assert str(Quarter.parse("2027q1").previous()) == "2026Q4"
    assert Quarter.parse("2026-Q2") == Quarter(2026, 2)
    assert Quarter.containing(dt.date(2026, 3, 31)) == Quarter(2026, 1)
    assert Quarter.current() == Quarter(2026, 4)  # today is frozen at 2026-11-15
    for bad in ("2026Q5", "Q4", "2026", "", "2026 Q0"):
        with pytest.raises(DateError):
            Quarter.parse(bad)
