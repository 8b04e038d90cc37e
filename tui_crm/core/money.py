"""Amounts of money: parsed from what people type, kept as Decimal, stored as cents."""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation, localcontext

from tui_crm.core.errors import CrmError

CENT = Decimal("0.01")
# Largest amount stored: fits a signed 64-bit integer of cents with room to sum.
MAX_AMOUNT = Decimal("999999999999.99")
_MAX_DIGITS = len(str(int(MAX_AMOUNT)))
_SUFFIX = {"": 1, "k": 1_000, "m": 1_000_000, "b": 1_000_000_000}
_AMOUNT = re.compile(r"^(?P<num>\d+(?:,\d{3})*(?:\.\d+)?|\.\d+)\s*(?P<suffix>[kmb]?)$",
                     re.I | re.ASCII)


class AmountError(CrmError, ValueError):
    """Text that is not an amount of money."""


def parse_amount(text: str | None) -> Decimal:
    """Parse ``12500``, ``12,500``, ``12500.50``, ``12.5k`` or ``1.2m`` into a Decimal.

    An empty text is zero. Negative, malformed or absurdly large amounts, and amounts
    finer than a cent (``1.005``), raise AmountError with a message fit for the user.
    """
    raw = (text or "").strip().replace(" ", "").replace("\u00a0", "")
    for symbol in ("$", "€", "£"):
        raw = raw.removeprefix(symbol)
    if not raw:
        return Decimal("0.00")
    if raw.startswith("-"):
        raise AmountError("Amount cannot be negative.")
    match = _AMOUNT.match(raw)
    if not match:
        raise AmountError("Not an amount: use digits, e.g. 12500, 12,500.50, 12.5k or 1.2m.")
    digits = match["num"].replace(",", "")
    if len(digits.partition(".")[0].lstrip("0")) > _MAX_DIGITS:
        raise AmountError("Amount is too large.")
    # Enough precision that the only rounding is the one to cents.
    with localcontext() as context:
        context.prec = len(digits) + 20
        try:
            exact = Decimal(digits) * _SUFFIX[match["suffix"].lower()]
            value = exact.quantize(CENT, rounding=ROUND_HALF_UP)
        except InvalidOperation as exc:  # pragma: no cover - regex admits only digits
            raise AmountError("Not an amount.") from exc
    if value != exact:
        raise AmountError("At most two decimals (cents): an amount is never rounded.")
    if value > MAX_AMOUNT:
        raise AmountError("Amount is too large.")
    return value


def to_cents(amount: Decimal) -> int:
    """The exact number of cents in an amount."""
    return int((amount.quantize(CENT, rounding=ROUND_HALF_UP) * 100).to_integral_value())


def from_cents(cents: int | None) -> Decimal:
    """A Decimal amount from a stored number of cents (None is zero)."""
    return (Decimal(int(cents or 0)) / 100).quantize(CENT)


def format_amount(amount: Decimal, currency: str = "", *, short: bool = False) -> str:
    """``12,500.00`` (or ``12.5k`` when short), prefixed by the currency code if given."""
    if short:
        text = _short(amount)
    else:
        text = f"{amount:,.2f}"
    return f"{currency} {text}" if currency else text


def _short(amount: Decimal) -> str:
    for size, suffix in ((Decimal(1_000_000_000), "b"), (Decimal(1_000_000), "m"),
                         (Decimal(1_000), "k")):
        if abs(amount) >= size:
            scaled = (amount / size).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
            return f"{scaled.normalize():f}{suffix}"
    return f"{amount.quantize(Decimal(1), rounding=ROUND_HALF_UP):f}"
