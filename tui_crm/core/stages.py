"""The sales stages: data, not code, so a team can rename, add and reorder them."""

from __future__ import annotations

from dataclasses import dataclass

from peewee import Value

from tui_crm.core import changelog, totals, trash
from tui_crm.core.db import write
from tui_crm.core.errors import CrmError, NotFound
from tui_crm.core.models import STAGE_KINDS, ChangeLog, Opportunity, Stage, StageTotal, stamp
from tui_crm.core.records import StageRow
from tui_crm.core.validate import check_text


def all_stages() -> list[StageRow]:
    """Every stage in pipeline order."""
    return stage_rows(stages_query())


def stages_query():
    """The query of ``all_stages``, for reading it with others (``read_together``)."""
    return Stage.select().order_by(Stage.position, Stage.id)


def stage_rows(found) -> list[StageRow]:
    """The stages ``stages_query`` found."""
    return [StageRow(s.id, s.name, s.position, s.probability, s.kind, s.rot_days)
            for s in found]


def open_stages() -> list[StageRow]:
    return [stage for stage in all_stages() if stage.kind == "open"]


def get_stage(stage_id: int) -> StageRow:
    for stage in all_stages():
        if stage.id == stage_id:
            return stage
    raise NotFound(f"There is no stage with id {stage_id}.")


def stage_named(name: str) -> StageRow:
    """The stage called ``name`` (case and spaces ignored)."""
    key = _key(name)
    for stage in all_stages():
        if _key(stage.name) == key:
            return stage
    names = ", ".join(stage.name for stage in all_stages())
    raise CrmError(f"No stage named {name!r}; stages are: {names}.")


def first_open_stage() -> StageRow:
    stages = open_stages()
    if not stages:
        raise CrmError("There is no open stage to put a new deal in.")
    return stages[0]


def stage_of_kind(kind: str) -> StageRow:
    for stage in all_stages():
        if stage.kind == kind:
            return stage
    raise CrmError(f"There is no {kind} stage.")


def _key(name: str) -> str:
    return "".join((name or "").split()).lower()


# -- a team's own stages: add, edit, reorder, remove ----------------------------------

@dataclass(frozen=True)
class StageSummary:
    """A stage as ``tui-crm stage list`` shows it: the stage and how many deals it holds."""

    stage: StageRow
    deals: int


def stage_summaries() -> list[StageSummary]:
    """Every stage in board order (open stages, then won, then lost), with its deals
    counted from the running totals (no scan of the deals)."""
    counts = dict(StageTotal.select(StageTotal.stage, StageTotal.count).tuples())
    return [StageSummary(stage, int(counts.get(stage.id, 0))) for stage in board_order()]


def board_order(stages: list[StageRow] | None = None) -> list[StageRow]:
    """The stages as the board shows them: the open ones in order, then won, then lost."""
    rank = {"open": 0, "won": 1, "lost": 2}
    return sorted(stages if stages is not None else all_stages(),
                  key=lambda stage: rank[stage.kind])


def check_stage_name(value: object, *, renaming: StageRow | None = None) -> str:
    """A stage name: not empty, one line, and not another stage's (case and spaces ignored)."""
    name = check_text(value).strip()
    if not name:
        raise CrmError("A stage needs a name.")
    if "\n" in name or len(name) > MAX_STAGE_NAME:
        raise CrmError(f"A stage name is one line of at most {MAX_STAGE_NAME} characters.")
    for stage in all_stages():
        if _key(stage.name) == _key(name) and (renaming is None or stage.id != renaming.id):
            raise CrmError(f"There is already a stage named {stage.name!r}.")
    return name


def check_probability(value: object) -> int:
    """A win probability: a whole number of percent from 0 to 100 (``40`` or ``40%``)."""
    text = str(value if value is not None else "").strip().removesuffix("%").strip()
    try:
        probability = int(text)
    except ValueError:
        raise CrmError("Probability is a whole number of percent from 0 to 100.") from None
    if not 0 <= probability <= 100:
        raise CrmError("Probability is a whole number of percent from 0 to 100.")
    return probability


def check_rot_days(value: object) -> int | None:
    """Days a deal may rest in a stage before it is rotting: a whole number from 1, or
    empty (``none``, ``-``) for never."""
    text = str(value if value is not None else "").strip().lower()
    if text in ("", "none", "never", "-", "0"):
        return None
    try:
        days = int(text)
    except ValueError:
        raise CrmError("Rot days is a whole number of days (or empty for never).") from None
    if not 1 <= days <= MAX_ROT_DAYS:
        raise CrmError(f"Rot days is a whole number from 1 to {MAX_ROT_DAYS:,} "
                       "(or empty for never).")
    return days


@write
def add_stage(name: str, probability: object, *, after: str | None = None,
              kind: str = "open", rot_days: object = None) -> StageRow:
    """Add a stage; it goes after the stage named ``after`` (default: after the last open
    stage). There is always exactly one won and one lost stage, so only open stages
    are added."""
    if kind not in STAGE_KINDS:
        raise CrmError(f"A stage's kind is one of: {', '.join(STAGE_KINDS)}.")
    if kind != "open":
        existing = stage_of_kind(kind)
        raise CrmError(f"There is already a {kind} stage ({existing.name}): a pipeline has "
                       f"exactly one; rename it instead.")
    fields = {"name": check_stage_name(name), "probability": check_probability(probability),
              "kind": kind, "rot_days": check_rot_days(rot_days)}
    order = board_order()
    place = _index_after(order, after) if after is not None else \
        sum(1 for stage in order if stage.is_open)
    stage_id = Stage.insert(**fields, position=0).execute()
    StageTotal.insert(stage=stage_id, count=0, amount_cents=0).execute()
    changelog.record("stage", stage_id, "create",
                     {field: (None, value) for field, value in fields.items()
                      if value is not None})
    ids = [stage.id for stage in order]
    ids.insert(place, stage_id)
    _renumber(ids)
    return get_stage(stage_id)


@write
def edit_stage(name: str, *, new_name: str | None = None, probability: object = None,
               after: str | None = None, rot_days: object = ..., ) -> StageRow:
    """Rename a stage, change its probability or rot days, or move it after another
    stage (``after=""``: to the front). Only what is given changes; each change is
    logged. Deals keep their stage: every screen shows the new name at once."""
    stage = stage_named(name)
    wanted: dict[str, object] = {}
    if new_name is not None:
        wanted["name"] = check_stage_name(new_name, renaming=stage)
    if probability is not None:
        wanted["probability"] = check_probability(probability)
    if rot_days is not ...:
        wanted["rot_days"] = check_rot_days(rot_days)
    changes = {field: (getattr(stage, field), value) for field, value in wanted.items()
               if getattr(stage, field) != value}
    if changes:
        Stage.update({field: new for field, (_, new) in changes.items()}).where(
            Stage.id == stage.id).execute()
    if changes:
        changelog.record("stage", stage.id, "update", changes)
    if after is not None:
        _move_after(stage, after)  # the new places are logged as they are written
    return get_stage(stage.id)


@write
def move_stage(name: str, step: int) -> StageRow:
    """Move an open stage ``step`` places along the board (-1: one to the left), among
    the open stages (the won and lost stages keep the end). Logged like an edit."""
    stage = stage_named(name)
    if not stage.is_open:
        raise CrmError(f"{stage.name} is the {stage.kind} stage: it stays at the end of "
                       "the board.")
    opened = open_stages()
    place = next(i for i, s in enumerate(opened) if s.id == stage.id) + step
    if place < 0:
        raise CrmError(f"{stage.name} is already first.")
    if place >= len(opened):
        raise CrmError("Open stages come before the won and lost stages.")
    rest = [s for s in opened if s.id != stage.id]
    return edit_stage(stage.name, after=rest[place - 1].name if place > 0 else "")


@write
def remove_stage(name: str, *, move_to: str | None = None) -> int:
    """Remove a stage. One that holds deals is removed only with ``move_to``: its deals
    go to that stage in the same transaction (each move in the deal's history). The
    won and the lost stage, and the last open one, stay. Returns the deals moved."""
    stage = stage_named(name)
    if not stage.is_open:
        raise CrmError(f"{stage.name} is the {stage.kind} stage: a pipeline always has "
                       f"one; rename it instead.")
    if len(open_stages()) == 1:
        raise CrmError(f"{stage.name} is the only open stage: add another before removing it.")
    held = Opportunity.select().where(Opportunity.stage == stage.id).count()
    moved = 0
    if held:
        if move_to is None:
            raise CrmError(f"{stage.name} holds {held:,} deal{'s' if held != 1 else ''}: "
                           "move them to another stage (--move-to STAGE) to remove it.")
        target = stage_named(move_to)
        if target.id == stage.id or not target.is_open:
            raise CrmError(f"The deals of {stage.name} move to another open stage "
                           "(close them from the board or the command line).")
        moved = _move_every_deal(stage, target)
    trash.bury("stage", stage.id)
    Stage.delete().where(Stage.id == stage.id).execute()  # its totals go with it
    _renumber([s.id for s in board_order()])
    changelog.record("stage", stage.id, "delete", {"name": (stage.name, None)})
    return moved


MAX_STAGE_NAME = 40
MAX_ROT_DAYS = 3650


def _index_after(order: list[StageRow], after: str) -> int:
    """Where a stage put after the one named ``after`` goes in ``order`` (``""``: first);
    open stages always come before the won and lost ones."""
    if after == "":
        return 0
    anchor = stage_named(after)
    place = next(i for i, stage in enumerate(order) if stage.id == anchor.id) + 1
    if place > sum(1 for stage in order if stage.is_open):
        raise CrmError("Open stages come before the won and lost stages.")
    return place


def _move_after(stage: StageRow, after: str) -> tuple[int, int] | None:
    """Put ``stage`` after the stage named ``after`` (``""``: first); the won and lost
    stages keep the end of the board. Returns (old, new) positions, None if unchanged."""
    order = board_order()
    if not stage.is_open:
        raise CrmError(f"{stage.name} is the {stage.kind} stage: it stays at the end of "
                       "the board.")
    if after and stage_named(after).id == stage.id:
        return None
    rest = [s for s in order if s.id != stage.id]
    place = _index_after(rest, after)
    ids = [s.id for s in rest]
    ids.insert(place, stage.id)
    if ids == [s.id for s in order]:
        return None
    _renumber(ids)
    return stage.position, get_stage(stage.id).position


def _renumber(ids: list[int]) -> None:
    """Positions 1, 2, 3... in the order given (only the stages whose place changed)."""
    current = {stage.id: stage.position for stage in all_stages()}
    for position, stage_id in enumerate(ids, start=1):
        if stage_id in current and current[stage_id] != position:
            Stage.update(position=position).where(Stage.id == stage_id).execute()
            # Logged: undo and the past put every stage back in its place.
            changelog.record("stage", stage_id, "update",
                             {"position": (current[stage_id], position)})


def _move_every_deal(source: StageRow, target: StageRow) -> int:
    """Every deal of the open stage ``source`` into the open stage ``target``, by SQL (any
    number of deals): each deal's version goes up and its history records the move;
    the running totals follow."""
    user, at = changelog.current_user(), stamp()
    in_source = Opportunity.stage == source.id
    ChangeLog.insert_from(
        Opportunity.select(Value(at), Value(user), Value("opportunity"), Opportunity.id,
                           Value("move"), Value("stage"), Value(str(source.id)),
                           Value(str(target.id)), Value(changelog.current_intent()))
        .where(in_source),
        fields=[ChangeLog.at, ChangeLog.user, ChangeLog.entity, ChangeLog.entity_id,
                ChangeLog.action, ChangeLog.field, ChangeLog.old, ChangeLog.new,
                ChangeLog.intent],
    ).execute()
    moved = Opportunity.update({Opportunity.stage: target.id, Opportunity.updated_at: at,
                                Opportunity.updated_by: user, Opportunity.stage_entered_at: at,
                                Opportunity.version: Opportunity.version + 1}
                               ).where(in_source).execute()
    totals.merge_stage(source.id, target.id)
    return moved
