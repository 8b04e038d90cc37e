"""Opportunities (deals): add, edit, move through the stages, close, reopen, delete.

Every function is one transaction that writes its ChangeLog rows and keeps the
running totals (per stage, per stage and close date: core.totals) exact.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from peewee import JOIN

from tui_crm.core import changelog, dates, stages, totals, tracking
from tui_crm.core.db import write
from tui_crm.core.errors import CrmError, NotFound, ValidationError
from tui_crm.core.models import Customer, Lead, Opportunity, Stage, now, read_together
from tui_crm.core.money import from_cents, to_cents
from tui_crm.core.records import DealRow, StageRow
from tui_crm.core.validate import check_amount, check_date, check_name, check_text

ENTITY = "opportunity"
TEXT_FIELDS = ("notes", "lost_reason", "owner")


def deal_query():
    """Deals joined with their stage and parent names, ready for ``deal_row``."""
    return (Opportunity
            .select(Opportunity, Stage.id, Stage.name, Stage.kind, Customer.id, Customer.name,
                    Lead.id, Lead.name)
            .join(Stage)
            .switch(Opportunity).join(Customer, join_type=JOIN.LEFT_OUTER)
            .switch(Opportunity).join(Lead, join_type=JOIN.LEFT_OUTER))


def deal_row(deal: Opportunity) -> DealRow:
    data = deal.__data__
    customer = deal.__rel__.get("customer")
    lead = deal.__rel__.get("lead")
    parent = customer.name if data.get("customer") else (lead.name if lead else "")
    stage = deal.__rel__.get("stage")
    return DealRow(deal.id, deal.name, from_cents(deal.amount_cents), deal.close_date,
                   data["stage"], stage.name if stage else "", stage.kind if stage else "",
                   data.get("customer"), data.get("lead"), parent or "", deal.notes,
                   deal.lost_reason, deal.owner, deal.created_at, deal.updated_at,
                   deal.updated_by, deal.version)


def get_deal(deal_id: int) -> DealRow:
    deal = deal_query().where(Opportunity.id == deal_id).first()
    if deal is None:
        raise CrmError("This deal no longer exists (it was deleted).")
    return deal_row(deal)


def clean_deal(data: Mapping[str, object], *, partial: bool = False,
               parent_required: bool = True) -> dict[str, object]:
    """Check a deal's fields; returns them under the model's field names.

    Accepts ``name``, ``amount`` (text or Decimal), ``close_date`` (text or date),
    ``stage`` (a name) or ``stage_id``, ``customer_id`` or ``lead_id`` (exactly one),
    ``notes``, ``lost_reason``, ``owner``.
    """
    out: dict[str, object] = {}
    errors: dict[str, str] = {}

    def check(field, target, fn):
        if partial and field not in data:
            return
        try:
            out[target] = fn(data.get(field))
        except CrmError as exc:
            errors[field] = str(exc)

    check("name", "name", check_name)
    check("amount", "amount_cents", lambda v: to_cents(check_amount(v)))
    check("close_date", "close_date", check_date)
    if "stage_id" in data and data["stage_id"] is not None:
        check("stage_id", "stage", lambda v: stages.get_stage(_record_id(v, "stage")).id)
    elif "stage" in data and str(data["stage"] or "").strip():
        check("stage", "stage", lambda v: stages.stage_named(str(v)).id)
    elif not partial:
        check("stage", "stage", lambda v: stages.first_open_stage().id)
    for field in TEXT_FIELDS:
        check(field, field, check_text)
    if parent_required and (not partial or "customer_id" in data or "lead_id" in data):
        try:
            out.update(_parent(data.get("customer_id"), data.get("lead_id")))
        except CrmError as exc:
            errors["parent"] = str(exc)
    if errors:
        raise ValidationError(errors)
    return out


def _record_id(value: object, kind: str) -> int:
    try:
        return int(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise CrmError(f"Not a {kind} id: {value!r}.") from None


def _parent(customer_id: object, lead_id: object) -> dict[str, int | None]:
    if bool(customer_id) == bool(lead_id):
        raise CrmError("Choose one parent: a customer or a lead.")
    if customer_id:
        customer = _record_id(customer_id, "customer")
        if not _parent_kept(Customer, customer):
            raise CrmError("That customer no longer exists.")
        return {"customer": customer, "lead": None}
    lead = _record_id(lead_id, "lead")
    if not _parent_kept(Lead, lead):
        raise CrmError("That lead no longer exists.")
    return {"customer": None, "lead": lead}


def _parent_kept(model: type[Customer] | type[Lead], record_id: int) -> bool:
    """Whether the parent exists; inside a write on PostgreSQL it is then locked (FOR
    SHARE) until commit, so that a delete running meanwhile waits and then sees the
    new deal, as it would on SQLite, instead of failing on the foreign key."""
    query = model.select(model.id).where(model.id == record_id)
    if tracking.locks_rows():
        query = query.for_update("FOR SHARE")
    return query.exists()


@write
def create_deal(data: Mapping[str, object]) -> int:
    """Add a deal; it starts in the first open stage unless ``stage`` says otherwise."""
    fields = clean_deal(data)
    stage = stages.get_stage(fields["stage"])
    if stage.kind != "open" and fields.get("close_date") is None:
        fields["close_date"] = dates.today()  # a closed deal always has its close date
    if stage.kind != "lost":
        fields["lost_reason"] = ""
    if not fields.get("owner"):
        fields["owner"] = changelog.current_user()  # every deal has an owner
    deal_id = tracking.insert(Opportunity, ENTITY, fields)
    totals.retally(None, totals.key_of(fields))
    return deal_id


@write
def update_deal(deal_id: int, data: Mapping[str, object],
                expected_version: int | None = None) -> dict:
    """Edit a deal's fields (a stage change here is a move, closing as moves do)."""
    fields = clean_deal(data, partial=True)
    before = tracking.fetch(Opportunity, ENTITY, deal_id)
    new_stage = fields.pop("stage", before.__data__["stage"])
    if "lost_reason" in fields and stages.get_stage(new_stage).kind != "lost":
        fields["lost_reason"] = ""  # only a lost deal has a lost reason, as in create_deal
    changes = tracking.update(Opportunity, ENTITY, deal_id, fields, expected_version)
    totals.retally(totals.key_of(before.__data__),
                   totals.key_of({**before.__data__,
                                  **{name: new for name, (_, new) in changes.items()}}))
    if new_stage != before.__data__["stage"]:
        version = None if expected_version is None else expected_version + bool(changes)
        changes.update(move_deal(deal_id, new_stage, version))
    return changes


@write
def move_deal(deal_id: int, stage_id: int, expected_version: int | None = None) -> dict:
    """Move a deal to another stage.

    Entering a won or lost stage closes the deal (its close date becomes today; the
    expected date stays in the ChangeLog); leaving one reopens it.
    """
    order, deal = _stages_and_deal(deal_id)
    return _move(deal, order, stage_id, expected_version)


def _stages_and_deal(deal_id: int) -> tuple[list[StageRow], Opportunity]:
    """Every stage, and the deal (locked, see ``tracking.fetch``): what a move reads,
    in one round trip on PostgreSQL."""
    found_stages, found_deal = read_together(stages.stages_query(),
                                             tracking.fetch_query(Opportunity, deal_id))
    return stages.stage_rows(found_stages), tracking.fetched(ENTITY, found_deal)


def _move(deal: Opportunity, order: list[StageRow], stage_id: int,
          expected_version: int | None) -> dict:
    """Move ``deal`` (just fetched, locked) to ``stage_id``; ``order`` is every stage,
    read once in this transaction. Four statements: the deal, its ChangeLog, the
    stage totals, the day totals."""
    by_id = {stage.id: stage for stage in order}
    old_stage = by_id[deal.__data__["stage"]]
    new_stage = by_id.get(stage_id)
    if new_stage is None:
        raise NotFound(f"There is no stage with id {stage_id}.")
    if old_stage.id == new_stage.id:
        if expected_version is not None and deal.version != expected_version:
            tracking.update(Opportunity, ENTITY, deal.id, {}, expected_version, current=deal)
        return {}
    fields: dict[str, object] = {"stage": new_stage.id}
    if new_stage.kind != "open" and old_stage.kind == "open":
        fields["close_date"] = dates.today()
    if new_stage.kind != "lost":
        fields["lost_reason"] = ""
    # Time in stage starts again (kept apart from the logged fields: the move's
    # ChangeLog row already says when).
    changes = tracking.update(Opportunity, ENTITY, deal.id, fields, expected_version,
                              action="move", current=deal,
                              unlogged={"stage_entered_at": now()})
    totals.retally(totals.key_of(deal.__data__), totals.key_of({**deal.__data__, **fields}))
    return changes


@write
def step_deal(deal_id: int, step: int, expected_version: int | None = None) -> int:
    """Move a deal ``step`` places along the stages (``+1`` next, ``-1`` previous).

    Returns the new stage's id (the same one at either end of the pipeline).
    """
    order, deal = _stages_and_deal(deal_id)  # locked: it steps from where it is
    current = next(stage for stage in order if stage.id == deal.__data__["stage"])
    ids = [stage.id for stage in order if stage.kind == "open"]
    if current.kind == "open":
        index = ids.index(current.id) + step
        if index >= len(ids):
            target = next((stage.id for stage in order if stage.kind == "won"), None)
            if target is None:
                raise CrmError("There is no won stage.")
        else:
            target = ids[max(index, 0)]
    elif step < 0:
        target = ids[-1] if ids else current.id
    else:
        target = current.id
    _move(deal, order, target, expected_version)
    return target


@write
def close_won(deal_id: int, expected_version: int | None = None) -> dict:
    return _close(deal_id, "won", expected_version)


def _close(deal_id: int, kind: str, expected_version: int | None) -> dict:
    """Move a deal to the first stage of ``kind``: the stages read once, as a step."""
    order, deal = _stages_and_deal(deal_id)
    target = next((stage for stage in order if stage.kind == kind), None)
    if target is None:
        raise CrmError(f"There is no {kind} stage.")
    return _move(deal, order, target.id, expected_version)


@write
def close_lost(deal_id: int, reason: str = "", expected_version: int | None = None) -> dict:
    """Close a deal as lost, with an optional reason (empty is allowed)."""
    changes = _close(deal_id, "lost", expected_version)
    reason = check_text(reason)
    if reason:
        changes.update(update_deal(deal_id, {"lost_reason": reason}))
    return changes


@write
def reopen_deal(deal_id: int, stage_id: int | None = None,
                expected_version: int | None = None) -> dict:
    """Reopen a closed deal in ``stage_id``, or the open stage it was closed from."""
    deal = get_deal(deal_id)
    if deal.is_open:
        raise CrmError("This deal is already open.")
    if stage_id is not None and not stages.get_stage(stage_id).is_open:
        raise CrmError("A deal is reopened in an open stage.")
    target = stage_id or _stage_before_close(deal_id) or stages.first_open_stage().id
    return move_deal(deal_id, target, expected_version)


def _stage_before_close(deal_id: int) -> int | None:
    open_ids = {stage.id for stage in stages.open_stages()}
    for change in changelog.timeline(ENTITY, deal_id):
        if change.field == "stage" and change.old and int(change.old) in open_ids:
            return int(change.old)
    return None


@write
def delete_deal(deal_id: int) -> None:
    """Delete a deal for good (the UI offers closing it as lost instead)."""
    deal = tracking.fetch(Opportunity, ENTITY, deal_id)
    tracking.delete(Opportunity, ENTITY, deal_id)
    totals.retally(totals.key_of(deal.__data__), None)


def deals_of(customer_id: int | None = None, lead_id: int | None = None,
             limit: int = 500) -> list[DealRow]:
    """A parent's deals: open first (by close date), then closed (latest first)."""
    query = deal_query()
    if customer_id is not None:
        query = query.where(Opportunity.customer == customer_id)
    else:
        query = query.where(Opportunity.lead == lead_id)
    rows = [deal_row(deal) for deal in query.order_by(Stage.position, Opportunity.id)
            .limit(limit)]
    open_deals = sorted((d for d in rows if d.is_open),
                        key=lambda d: (d.close_date is None, d.close_date or dt.date.max, d.id))
    closed = sorted((d for d in rows if not d.is_open),
                    key=lambda d: (d.close_date or dt.date.min, d.id), reverse=True)
    return open_deals + closed


def recompute_stage_totals() -> None:
    """Rebuild the running totals (per stage, per stage and day) after bulk loads."""
    totals.recompute()


def owner_completing(prefix: str) -> str | None:
    """The first owner (in alphabetical order) whose name starts with ``prefix``, among
    the owners of deals: one seek on the owner index, at any number of deals."""
    if not prefix:
        return None
    return first_owner((Opportunity.owner >= prefix)
                       & (Opportunity.owner < prefix + "\U0010ffff"))


def first_owner(where=None) -> str | None:
    """The first owner of deals (in alphabetical order) meeting ``where``: one seek on the
    owner index, at any number of deals."""
    query = Opportunity.select(Opportunity.owner)
    if where is not None:
        query = query.where(where)
    row = query.order_by(Opportunity.owner).limit(1).tuples().first()
    return row[0] if row else None
