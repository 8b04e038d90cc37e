"""Running totals of the deals, kept exact in the transaction of every change.

``StageTotal`` counts and sums each stage (the board's column headers);
``StageDayTotal`` each stage, close date (``NO_DATE`` for none) and lost reason, so
the forecast adds up the days of a quarter, not its deals. ``retally`` is called by every
operation that adds, changes or removes a deal; bulk loads call ``recompute``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from peewee import EXCLUDED, Case, DataError, fn

from tui_crm.core.errors import CrmError
from tui_crm.core.models import (
    NO_DATE,
    Opportunity,
    Stage,
    StageDayTotal,
    StageTotal,
    execute_later,
)
from tui_crm.core.money import from_cents

# What the totals know of a deal: stage id, close date or None, cents, lost reason.
Key = tuple[int, dt.date | None, int, str]


def key_of(data: Mapping[str, object]) -> Key:
    """The totals' view of a deal, from its field values (``deal.__data__``)."""
    return (int(data["stage"]), data.get("close_date"), int(data.get("amount_cents") or 0),
            str(data.get("lost_reason") or ""))


# Amounts are cents in 64-bit integers: past this, SQLite would turn a total into a
# REAL (and lose cents) and PostgreSQL refuse it. The sum of every deal stays within
# it, so every total the CRM reads (a stage, a day, a quarter, a customer) does too.
MAX_TOTAL_CENTS = 2**63 - 1


def check_room(cents: int) -> None:
    """Refuse adding ``cents`` when the sum of all deals would pass what a total holds."""
    if cents <= 0:
        return
    total = int(StageTotal.select(fn.SUM(StageTotal.amount_cents)).scalar() or 0)
    if total > MAX_TOTAL_CENTS - cents:
        raise TotalTooLarge()


class TotalTooLarge(CrmError):
    def __init__(self):
        super().__init__(f"This would take the total of all deals past "
                         f"{from_cents(MAX_TOTAL_CENTS):,}, the most tui-crm can add up "
                         "exactly; nothing was saved.")


def retally(old: Key | None, new: Key | None) -> None:
    """Move one deal's count and amount from ``old`` to ``new`` (None: not there).

    Two statements whatever changed: one update of the stage totals, one upsert of
    the day totals.
    """
    if old == new:
        return
    added = (new[2] if new else 0) - (old[2] if old else 0)
    check_room(added)
    by_stage: dict[int, list[int]] = {}
    by_day: dict[tuple[int, dt.date, str], list[int]] = {}
    for key, sign in ((old, -1), (new, 1)):
        if key is None:
            continue
        stage_id, day, cents, reason = key
        for tally in (by_stage.setdefault(stage_id, [0, 0]),
                      by_day.setdefault((stage_id, day or NO_DATE, reason), [0, 0])):
            tally[0] += sign
            tally[1] += sign * cents
    # Always in key order (stage first), so two changes in opposite directions
    # cannot deadlock on PostgreSQL's row locks. What adds no cents to the sum of all
    # deals (a move, a lower amount) cannot take a stage past it, the sum being within
    # what a total holds: nothing waits for the stages' answer then.
    _add_to_stages(by_stage, later=added <= 0)
    _add_to_days([(stage_id, day, reason, count, cents)
                  for (stage_id, day, reason), (count, cents) in sorted(by_day.items())])


def _add_to_stages(deltas: Mapping[int, list[int] | tuple[int, int]],
                   later: bool = False) -> None:
    """Add ``{stage id: (count, cents)}`` to the stage totals, in one statement;
    ``later``: with the change's next statement (``execute_later``)."""
    ids = sorted(deltas)
    if len(ids) == 1:
        count, cents = deltas[ids[0]]
        where = StageTotal.stage == ids[0]
    else:
        count = Case(StageTotal.stage, [(i, deltas[i][0]) for i in ids], 0)
        cents = Case(StageTotal.stage, [(i, deltas[i][1]) for i in ids], 0)
        where = StageTotal.stage.in_(ids)
    update = StageTotal.update(count=StageTotal.count + count,
                               amount_cents=StageTotal.amount_cents + cents).where(where)
    if later:
        execute_later(update)
        return
    try:
        update.execute()
    except DataError as exc:
        # PostgreSQL's bigint refusing it: two writers passed check_room together.
        raise TotalTooLarge() from exc


def _add_to_stage(stage_id: int, count: int, cents: int) -> None:
    _add_to_stages({stage_id: (count, cents)})


def _add_to_days(rows: list[tuple[int, dt.date, str, int, int]]) -> None:
    """Add (stage id, day, lost reason, count, cents) rows, creating the missing ones.
    Sent with the change's next statement: a day's total is a part of its stage's, so
    what a total cannot hold is refused by the stage's update (``TotalTooLarge``)."""
    execute_later(StageDayTotal
                  .insert_many(rows, fields=[StageDayTotal.stage, StageDayTotal.close_date,
                                             StageDayTotal.lost_reason, StageDayTotal.count,
                                             StageDayTotal.amount_cents])
                  .on_conflict(conflict_target=[StageDayTotal.stage, StageDayTotal.close_date,
                                                StageDayTotal.lost_reason],
                               update={StageDayTotal.count: StageDayTotal.count + EXCLUDED.count,
                                       StageDayTotal.amount_cents:
                                           StageDayTotal.amount_cents + EXCLUDED.amount_cents}))


def add_bulk(tallies: Mapping[tuple[int, dt.date | None, str], tuple[int, int]]) -> None:
    """Add deals inserted in bulk: ``{(stage id, close date, lost reason): (count, cents)}``.

    Cheaper than ``recompute`` when new deals join a big table (a CSV import): one
    multi-row upsert per few hundred keys.
    """
    check_room(sum(cents for _, cents in tallies.values()))
    merged: dict[tuple[int, dt.date, str], list[int]] = {}
    for (stage_id, day, reason), (count, cents) in tallies.items():
        total = merged.setdefault((stage_id, day or NO_DATE, reason), [0, 0])
        total[0] += count
        total[1] += cents
    rows = [(stage_id, day, reason, count, cents)
            for (stage_id, day, reason), (count, cents) in sorted(merged.items())]
    for start in range(0, len(rows), 500):  # 2,500 parameters a statement
        _add_to_days(rows[start:start + 500])
    by_stage: dict[int, list[int]] = {}
    for stage_id, _, _, count, cents in rows:
        stage = by_stage.setdefault(stage_id, [0, 0])
        stage[0] += count
        stage[1] += cents
    for stage_id, (count, cents) in sorted(by_stage.items()):
        _add_to_stage(stage_id, count, cents)


def recompute() -> None:
    """Rebuild both running totals from the deals (after bulk loads)."""
    StageTotal.update(count=0, amount_cents=0).execute()
    sums = (Opportunity
            .select(Opportunity.stage, fn.COUNT(Opportunity.id),
                    fn.COALESCE(fn.SUM(Opportunity.amount_cents), 0))
            .group_by(Opportunity.stage).tuples())
    for stage_id, count, cents in sums:
        StageTotal.update(count=count, amount_cents=cents).where(
            StageTotal.stage == stage_id).execute()
    missing = Stage.select(Stage.id).where(Stage.id.not_in(StageTotal.select(StageTotal.stage)))
    for stage in missing:
        StageTotal.insert(stage=stage.id, count=0, amount_cents=0).execute()
    StageDayTotal.delete().execute()
    # Grouped by the plain column (PostgreSQL: see migration 0005).
    StageDayTotal.insert_from(
        Opportunity.select(Opportunity.stage, fn.COALESCE(Opportunity.close_date, NO_DATE),
                           Opportunity.lost_reason, fn.COUNT(Opportunity.id),
                           fn.SUM(Opportunity.amount_cents))
        .group_by(Opportunity.stage, Opportunity.close_date, Opportunity.lost_reason),
        fields=[StageDayTotal.stage, StageDayTotal.close_date, StageDayTotal.lost_reason,
                StageDayTotal.count, StageDayTotal.amount_cents],
    ).execute()


def merge_stage(source_id: int, target_id: int) -> None:
    """Add the running totals of stage ``source_id`` to ``target_id`` and empty the
    source's (its deals have all just moved there)."""
    count, cents = StageTotal.select(StageTotal.count, StageTotal.amount_cents).where(
        StageTotal.stage == source_id).tuples().first() or (0, 0)
    _add_to_stage(target_id, count, cents)
    _add_to_stage(source_id, -count, -cents)
    rows = list(StageDayTotal.select(StageDayTotal.close_date, StageDayTotal.lost_reason,
                                     StageDayTotal.count, StageDayTotal.amount_cents)
                .where((StageDayTotal.stage == source_id) & (StageDayTotal.count != 0))
                .tuples())
    moved = [(target_id, day, reason, n, c) for day, reason, n, c in rows]
    for start in range(0, len(moved), 500):
        _add_to_days(moved[start:start + 500])
    StageDayTotal.delete().where(StageDayTotal.stage == source_id).execute()
