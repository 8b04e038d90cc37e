from decimal import Decimal

import pytest

from tui_crm.core.errors import CrmError, ValidationError
from tui_crm.core.validate import (
    CUSTOMER_FIELDS,
    LEAD_FIELDS,
    TEXT_LIMIT,
    check_amount,
    clean,
)


def test_clean_names_every_bad_field_at_once():
    with pytest.raises(ValidationError) as info:
        clean({"name": "  ", "email": "ada.example.com", "status": "Hot"}, LEAD_FIELDS)
    assert set(info.value.errors) == {"name", "email", "status"}
    assert "required" in info.value.errors["name"]
    assert "@" in info.value.errors["email"]
    assert "New, Contacted" in info.value.errors["status"]


def test_clean_trims_and_defaults():
    out = clean({"name": " Ada ", "status": "qualified", "email": "ada@example.com"},
                LEAD_FIELDS)
    assert out == {"name": "Ada", "company": "", "email": "ada@example.com", "phone": "",
                   "source": "", "status": "Qualified", "notes": ""}
    assert clean({"phone": "1"}, CUSTOMER_FIELDS, partial=True) == {"phone": "1"}


def test_text_drops_nul_and_limits_length():
    assert clean({"name": "A\x00da"}, CUSTOMER_FIELDS)["name"] == "Ada"
    assert len(clean({"name": "x" * TEXT_LIMIT}, CUSTOMER_FIELDS)["name"]) == TEXT_LIMIT
    with pytest.raises(ValidationError, match="Too long"):
        clean({"name": "x" * (TEXT_LIMIT + 1)}, CUSTOMER_FIELDS)


def test_markup_and_escapes_are_kept_as_data():
    name = "Acme [/] Corp [bold] \x1b]0;pwned\x07"
    assert clean({"name": name}, CUSTOMER_FIELDS)["name"] == name


@pytest.mark.parametrize(("value", "expected"), [
    (Decimal("12.340"), Decimal("12.34")),
    (12500, Decimal("12500.00")),
    (12.5, Decimal("12.50")),
    ("12.5k", Decimal("12500.00")),
    (None, Decimal("0.00")),
])
def test_check_amount_takes_numbers_and_text(value, expected):
    assert check_amount(value) == expected


@pytest.mark.parametrize("value", [Decimal("-1"), Decimal("12.345"), Decimal("NaN"),
                                   Decimal("Infinity"), Decimal("1E+20"), -3, float("nan"),
                                   1e20, True])
def test_check_amount_refuses_bad_numbers(value):
    with pytest.raises(CrmError):
        check_amount(value)


def test_text_around_a_nul_byte_is_trimmed_as_if_it_were_not_there():
    from tui_crm.core.validate import check_text

    assert check_text("0\r\x00") == "0"
    assert check_text(" a\x00 ") == "a"
