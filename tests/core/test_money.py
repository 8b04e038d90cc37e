from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tui_crm.core.errors import CrmError
from tui_crm.core.money import (
    MAX_AMOUNT,
    AmountError,
    format_amount,
    from_cents,
    parse_amount,
    to_cents,
)


@pytest.mark.parametrize(("text", "expected"), [
    ("12500", "12500.00"),
    ("12,500", "12500.00"),
    ("12500.50", "12500.50"),
    ("12.5k", "12500.00"),
    ("1.2m", "1200000.00"),
    ("1.2M", "1200000.00"),
    ("2b", "2000000000.00"),
    ("  12 500 ", "12500.00"),
    ("$1,234.56", "1234.56"),
    ("€99", "99.00"),
    (".5", "0.50"),
    ("1.500", "1.50"),  # zeros past the cents lose nothing
    ("1.2345k", "1234.50"),
    ("0", "0.00"),
    ("", "0.00"),
    (None, "0.00"),
    ("999999999999.99", "999999999999.99"),
])
def test_parse_amount_accepts(text, expected):
    value = parse_amount(text)
    assert value == Decimal(expected)
    assert str(value) == expected  # always two places, never a float


@pytest.mark.parametrize(("text", "message"), [
    ("abc", "Not an amount"),
    ("-5", "negative"),
    ("-12,500", "negative"),
    ("$-5", "negative"),
    ("12,50", "Not an amount"),
    ("1,2345", "Not an amount"),
    ("1.2.3", "Not an amount"),
    ("1e5", "Not an amount"),
    ("12kk", "Not an amount"),
    ("k", "Not an amount"),
    ("12x", "Not an amount"),
    ("NaN", "Not an amount"),
    ("inf", "Not an amount"),
    ("0x10", "Not an amount"),
    ("١٢٣", "Not an amount"),  # digits of another script
    ("1000000000000", "too large"),
    ("1000b", "too large"),
    ("1" * 40, "too large"),
    ("9" * 29 + "k", "too large"),
])
def test_parse_amount_refuses_with_a_clear_message(text, message):
    with pytest.raises(AmountError, match=message):
        parse_amount(text)


def test_amount_error_is_the_projects_own_error():
    assert issubclass(AmountError, CrmError)


@pytest.mark.parametrize("text", ["0.004999", "1.005", "0.005", "12.345", "1.234567k",
                                  "0.00499999999999999999999999999999999"])
def test_more_than_two_decimals_is_refused_not_rounded(text):
    with pytest.raises(AmountError, match="At most two decimals"):
        parse_amount(text)


@given(st.text())
def test_any_text_parses_or_raises_amount_error(text):
    try:
        value = parse_amount(text)
    except AmountError:
        return
    assert Decimal(0) <= value <= MAX_AMOUNT
    assert value == value.quantize(Decimal("0.01"))


@given(st.decimals(min_value=0, max_value=MAX_AMOUNT, places=2))
def test_cents_round_trip_exactly(amount):
    assert from_cents(to_cents(amount)) == amount
    assert parse_amount(f"{amount:f}") == amount


def test_format_amount():
    assert format_amount(Decimal("12500")) == "12,500.00"
    assert format_amount(Decimal("12500"), "USD") == "USD 12,500.00"
    assert format_amount(Decimal("12500"), short=True) == "12.5k"
    assert format_amount(Decimal("1200000"), short=True) == "1.2m"
    assert format_amount(Decimal("999"), short=True) == "999"
    assert from_cents(None) == Decimal("0.00")
