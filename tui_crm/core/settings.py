"""Settings of a database: what Amount means (ARR or one-time) and the currency."""

from __future__ import annotations

import re
from dataclasses import dataclass

from tui_crm.core import changelog
from tui_crm.core.db import write
from tui_crm.core.errors import CrmError, ValidationError
from tui_crm.core.models import (
    AMOUNT_BASES,
    DEFAULT_ACTIVITY_KINDS,
    DEFAULT_LOST_REASONS,
    DEFAULT_SETTINGS,
    Setting,
)
from tui_crm.core.validate import check_text


@dataclass(frozen=True)
class Settings:
    amount_basis: str  # ARR | one-time
    currency: str  # ISO code, e.g. USD

    @property
    def basis_label(self) -> str:
        return "annual recurring value" if self.amount_basis == "ARR" else "one-time contract"


def get_settings() -> Settings:
    return settings_of(settings_query())


def settings_query():
    """The query of ``get_settings``, for reading it with others (``read_together``)."""
    return Setting.select()


def settings_of(found) -> Settings:
    """The settings ``settings_query`` found, the defaults for those not set."""
    values = dict(DEFAULT_SETTINGS)
    values.update({row.key: row.value for row in found if row.key in DEFAULT_SETTINGS})
    return Settings(values["amount_basis"], values["currency"])


def check_amount_basis(value: object) -> str:
    """``ARR`` or ``one-time`` (any case); anything else raises CrmError."""
    text = str(value or "").strip().lower()
    for basis in AMOUNT_BASES:
        if basis.lower() == text:
            return basis
    raise CrmError(f"Amount basis must be one of: {', '.join(AMOUNT_BASES)}.")


def check_currency(value: object) -> str:
    """A three-letter currency code, upper-cased (``eur`` -> ``EUR``)."""
    code = str(value or "").strip().upper()
    if not re.fullmatch(r"[A-Z]{3}", code):
        raise CrmError("Currency must be a three-letter code such as USD or EUR.")
    return code


@write
def update_settings(amount_basis: str | None = None, currency: str | None = None) -> Settings:
    """Change the amount basis and/or the currency; each change is logged."""
    errors = {}
    wanted = {}
    for key, value, check in (("amount_basis", amount_basis, check_amount_basis),
                              ("currency", currency, check_currency)):
        if value is None:
            continue
        try:
            wanted[key] = check(value)
        except CrmError as exc:
            errors[key] = str(exc)
    if errors:
        raise ValidationError(errors)
    current = get_settings()
    for key, value in wanted.items():
        old = getattr(current, key)
        if old != value:
            Setting.insert(key=key, value=value).on_conflict(
                conflict_target=[Setting.key], update={Setting.value: value}).execute()
            changelog.record("setting", 0, "update", {key: (old, value)})
    return get_settings()


# -- lists kept in the settings: activity kinds, lost reasons ----------------------------

LISTS = {"activity_kinds": DEFAULT_ACTIVITY_KINDS, "lost_reasons": DEFAULT_LOST_REASONS}
MAX_LIST_ITEM = 60


def get_list(key: str) -> list[str]:
    """A list kept in the settings (``activity_kinds``, ``lost_reasons``), in order."""
    row = Setting.get_or_none(Setting.key == key)
    if row is None:
        return list(LISTS[key])
    return [item for item in row.value.split("\n") if item]


@write
def set_list(key: str, items: list[str]) -> list[str]:
    """Replace a settings list: items are trimmed, empty and repeated ones dropped."""
    if key not in LISTS:
        raise CrmError(f"There is no list called {key!r}.")
    cleaned: list[str] = []
    for item in items:
        text = " ".join(check_text(item).split())
        if len(text) > MAX_LIST_ITEM:
            raise CrmError(f"An item is at most {MAX_LIST_ITEM} characters: {text[:20]}…")
        if text and text.lower() not in {i.lower() for i in cleaned}:
            cleaned.append(text)
    if key == "activity_kinds" and not cleaned:
        raise CrmError("Keep at least one kind of activity.")
    old = get_list(key)
    if cleaned != old:
        value = "\n".join(cleaned)
        Setting.insert(key=key, value=value).on_conflict(
            conflict_target=[Setting.key], update={Setting.value: value}).execute()
        changelog.record("setting", 0, "update", {key: ("\n".join(old), value)})
    return cleaned
