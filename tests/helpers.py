"""Checks shared by the core and CLI tests, computed independently of the core."""

from __future__ import annotations

import contextlib
from collections import defaultdict
from collections.abc import Iterator
from typing import NamedTuple

from tui_crm.core.models import NO_DATE, ChangeLog, Opportunity, StageDayTotal, StageTotal


def assert_stage_totals_exact() -> None:
    """StageTotal and StageDayTotal equal counts and sums done here, deal by deal."""
    expected: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    for stage_id, cents in Opportunity.select(Opportunity.stage, Opportunity.amount_cents).tuples():
        expected[stage_id][0] += 1
        expected[stage_id][1] += cents
    kept = {row.__data__["stage"]: [row.count, row.amount_cents] for row in StageTotal.select()}
    for stage_id, value in kept.items():
        assert value == expected.get(stage_id, [0, 0]), f"stage {stage_id}"
    assert set(expected) <= set(kept)
    days: dict[tuple, list[int]] = defaultdict(lambda: [0, 0])
    for stage_id, day, reason, cents in Opportunity.select(
            Opportunity.stage, Opportunity.close_date, Opportunity.lost_reason,
            Opportunity.amount_cents).tuples():
        days[(stage_id, day or NO_DATE, reason)][0] += 1
        days[(stage_id, day or NO_DATE, reason)][1] += cents
    kept_days = {(row.__data__["stage"], row.close_date, row.lost_reason):
                 [row.count, row.amount_cents] for row in StageDayTotal.select()}
    assert {k: v for k, v in kept_days.items() if v != [0, 0]} == dict(days)


def log_rows(entity: str, entity_id: int) -> list[tuple]:
    """(action, field, old, new, user) of a record's ChangeLog rows, oldest first."""
    query = (ChangeLog.select()
             .where((ChangeLog.entity == entity) & (ChangeLog.entity_id == entity_id))
             .order_by(ChangeLog.id))
    return [(row.action, row.field, row.old, row.new, row.user) for row in query]


class Statement(NamedTuple):
    sql: str
    params: object


@contextlib.contextmanager
def statements(database) -> Iterator[list[Statement]]:
    """Every statement run through ``database`` meanwhile, from any thread, with its
    parameters (peewee's query hooks)."""
    seen: list[Statement] = []

    def hook(event) -> None:
        seen.append(Statement(event.sql, event.params))

    database.query_hooks.append(hook)
    try:
        yield seen
    finally:
        database.query_hooks.remove(hook)


@contextlib.contextmanager
def round_trips(database) -> Iterator[list[str]]:
    """The messages this thread's PostgreSQL connection sent meanwhile that wait for
    the server's answer (``Sync``: one a round trip), read from libpq's protocol
    trace; with the names of all it sent, to tell what went together."""
    import tempfile

    conn = database.connection()
    sent: list[str] = []
    with tempfile.TemporaryFile("w+") as trace:
        conn.pgconn.trace(trace.fileno())
        try:
            yield sent
        finally:
            conn.pgconn.untrace()
            trace.seek(0)
            for line in trace:
                fields = line.split("\t")  # when, direction, length, message, ...
                if len(fields) > 3 and fields[1] == "F":
                    sent.append(fields[3].strip())
