"""Settings of a database: what Amount means (ARR or one-time) and the currency."""

from __future__ import annotations

import re
from dataclasses import dataclass

from tui_crm.core import changelog
from tui_crm.core.db import write
from tui_crm.core.errors import ValidationError
from tui_crm.core.models import AMOUNT_BASES, DEFAULT_SETTINGS, Setting


@dataclass(frozen=True)
class Settings:
    amount_basis: str  # ARR | one-time
    currency: str  # ISO code, e.g. USD

    @property
    def basis_label(self) -> str:
        return "annual recurring value" if self.amount_basis == "ARR" else "one-time contract"


def get_settings() -> Settings:
    values = dict(DEFAULT_SETTINGS)
    values.update({row.key: row.value for row in Setting.select()})
    return Settings(values["amount_basis"], values["currency"])


@write
def update_settings(amount_basis: str | None = None, currency: str | None = None) -> Settings:
    """Change the amount basis and/or the currency; each change is logged."""
    errors = {}
    wanted = {}
    if amount_basis is not None:
        match = [b for b in AMOUNT_BASES if b.lower() == amount_basis.strip().lower()]
        if match:
            wanted["amount_basis"] = match[0]
        else:
            errors["amount_basis"] = f"Amount basis must be one of: {', '.join(AMOUNT_BASES)}."
    if currency is not None:
        code = currency.strip().upper()
        if re.fullmatch(r"[A-Z]{3}", code):
            wanted["currency"] = code
        else:
            errors["currency"] = "Currency must be a three-letter code such as USD or EUR."
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
