"""Checks shared by the core and CLI tests, computed independently of the core."""

from __future__ import annotations

from collections import defaultdict

from tui_crm.core.models import ChangeLog, Opportunity, StageTotal


def assert_stage_totals_exact() -> None:
    """StageTotal equals a count and sum done here, deal by deal, in Python."""
    expected: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    for stage_id, cents in Opportunity.select(Opportunity.stage, Opportunity.amount_cents).tuples():
        expected[stage_id][0] += 1
        expected[stage_id][1] += cents
    kept = {row.__data__["stage"]: [row.count, row.amount_cents] for row in StageTotal.select()}
    for stage_id, value in kept.items():
        assert value == expected.get(stage_id, [0, 0]), f"stage {stage_id}"
    assert set(expected) <= set(kept)


def log_rows(entity: str, entity_id: int) -> list[tuple]:
    """(action, field, old, new, user) of a record's ChangeLog rows, oldest first."""
    query = (ChangeLog.select()
             .where((ChangeLog.entity == entity) & (ChangeLog.entity_id == entity_id))
             .order_by(ChangeLog.id))
    return [(row.action, row.field, row.old, row.new, row.user) for row in query]
