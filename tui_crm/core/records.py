"""Plain rows handed to the interface and the command line (never live models)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True)
class StageRow:
    id: int
    name: str
    position: int
    probability: int
    kind: str  # open | won | lost
    rot_days: int | None = None  # None: a deal never rots in this stage

    @property
    def is_open(self) -> bool:
        return self.kind == "open"


@dataclass(frozen=True)
class LeadRow:
    id: int
    name: str
    company: str
    email: str
    phone: str
    source: str
    status: str
    notes: str
    customer_id: int | None
    created_at: dt.datetime
    updated_at: dt.datetime
    updated_by: str
    version: int


@dataclass(frozen=True)
class CustomerRow:
    id: int
    name: str
    company: str
    email: str
    phone: str
    notes: str
    lead_id: int | None
    created_at: dt.datetime
    updated_at: dt.datetime
    updated_by: str
    version: int


@dataclass(frozen=True)
class DealRow:
    id: int
    name: str
    amount: Decimal
    close_date: dt.date | None
    stage_id: int
    stage_name: str
    stage_kind: str
    customer_id: int | None
    lead_id: int | None
    parent_name: str
    notes: str
    lost_reason: str
    owner: str
    created_at: dt.datetime
    updated_at: dt.datetime
    updated_by: str
    version: int

    @property
    def parent_kind(self) -> str:
        return "customer" if self.customer_id is not None else "lead"

    @property
    def is_open(self) -> bool:
        return self.stage_kind == "open"

    def is_overdue(self, today: dt.date) -> bool:
        return self.is_open and self.close_date is not None and self.close_date < today


@dataclass(frozen=True)
class ContactRow:
    id: int
    name: str
    customer_id: int
    customer_name: str
    role: str
    email: str
    phone: str
    notes: str
    updated_at: dt.datetime
    updated_by: str
    version: int


@dataclass(frozen=True)
class ActivityRow:
    id: int
    kind: str
    subject: str
    due_date: dt.date | None
    due_time: str
    done_at: dt.datetime | None
    done_by: str
    notes: str
    owner: str
    deal_id: int | None
    customer_id: int | None
    lead_id: int | None
    contact_id: int | None
    about: str  # what it is about, in words: the deal's, customer's, lead's or contact's name
    updated_at: dt.datetime
    updated_by: str
    version: int

    @property
    def is_done(self) -> bool:
        return self.done_at is not None

    def is_overdue(self, today: dt.date) -> bool:
        return not self.is_done and self.due_date is not None and self.due_date < today
