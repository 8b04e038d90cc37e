"""The sales stages: data, not code, so a team can rename, add and reorder them."""

from __future__ import annotations

from tui_crm.core.errors import CrmError, NotFound
from tui_crm.core.models import Stage
from tui_crm.core.records import StageRow


def all_stages() -> list[StageRow]:
    """Every stage in pipeline order."""
    return [StageRow(s.id, s.name, s.position, s.probability, s.kind)
            for s in Stage.select().order_by(Stage.position, Stage.id)]


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
