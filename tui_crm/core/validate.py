"""Checking and cleaning what people type, shared by the forms, the CLI and imports.

Each ``clean_*`` function takes raw values (text from a form or a CSV cell, or typed
Python values) and returns clean ones, or raises ValidationError naming every bad
field at once.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from decimal import Decimal

from tui_crm.core.dates import parse_date
from tui_crm.core.errors import CrmError, ValidationError
from tui_crm.core.models import LEAD_STATUSES
from tui_crm.core.money import parse_amount

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
LEAD_FIELDS = ("name", "company", "email", "phone", "source", "status", "notes")
CUSTOMER_FIELDS = ("name", "company", "email", "phone", "notes")
DEAL_FIELDS = ("name", "amount", "close_date", "stage", "customer", "lead", "notes",
               "lost_reason", "owner")
CONTACT_FIELDS = ("name", "customer", "role", "email", "phone", "notes")
ACTIVITY_FIELDS = ("kind", "subject", "due", "done_at", "owner", "deal", "customer", "lead",
                   "contact", "notes")
# As the command line names them.
RECORD_KINDS = ("leads", "customers", "opportunities", "contacts", "activities")
TEXT_LIMIT = 10_000


def check_name(value: object) -> str:
    name = check_text(value)
    if not name:
        raise CrmError("Name is required.")
    return name


def check_email(value: object) -> str:
    email = check_text(value)
    if email and not _EMAIL.match(email):
        raise CrmError("Not an e-mail address: it needs a name, an @ and a domain.")
    return email


def check_status(value: object) -> str:
    text = check_text(value) or "New"
    for status in LEAD_STATUSES:
        if status.lower() == text.lower():
            return status
    raise CrmError(f"Status must be one of: {', '.join(LEAD_STATUSES)}.")


def check_amount(value: object) -> Decimal:
    """An amount from text or a number, held to the same rules as typed text."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        value = Decimal(str(value))
    if isinstance(value, Decimal):
        # Plain notation, so NaN, negative and huge numbers get the parser's messages.
        return parse_amount(format(value, "f"))
    return parse_amount(None if value is None else str(value))


def check_date(value: object) -> dt.date | None:
    if isinstance(value, dt.date):
        return value
    return parse_date(None if value is None else str(value))


CHECKS = {
    "name": check_name,
    "email": check_email,
    "status": check_status,
    "amount": check_amount,
    "close_date": check_date,
}


def clean(data: Mapping[str, object], fields: tuple[str, ...], *,
          partial: bool = False) -> dict[str, object]:
    """Check every field in ``fields``; with ``partial`` only those present."""
    cleaned: dict[str, object] = {}
    errors: dict[str, str] = {}
    for field in fields:
        if partial and field not in data:
            continue
        check = CHECKS.get(field, check_text)
        try:
            cleaned[field] = check(data.get(field))
        except CrmError as exc:
            errors[field] = str(exc)
    if errors:
        raise ValidationError(errors)
    return cleaned


def check_text(value: object) -> str:
    # NUL bytes go first, so the space they hid is trimmed like any other.
    text = "" if value is None else str(value).replace("\x00", "").strip()
    if len(text) > TEXT_LIMIT:
        raise CrmError(f"Too long: at most {TEXT_LIMIT:,} characters.")
    return text
