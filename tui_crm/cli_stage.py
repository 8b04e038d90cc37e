"""`tui-crm stage`: the pipeline's stages from the command line (list, add, edit, remove)."""

from __future__ import annotations

import argparse

from tui_crm.core.text import printable

KINDS = ("open", "won", "lost")


def add_stage_commands(commands, common: argparse.ArgumentParser) -> None:
    """The ``stage`` command and its four sub-commands."""
    stage = commands.add_parser(
        "stage", parents=[common], help="list, add, edit or remove the pipeline's stages",
        description="The pipeline's stages are the team's: rename, add, reorder, give "
                    "probabilities and rot days. Every screen follows at once.")
    actions = stage.add_subparsers(dest="stage_command", metavar="ACTION", required=True)

    listing = actions.add_parser("list", parents=[common],
                                 help="every stage in board order, with its deals")
    listing.add_argument("--json", action="store_true", help="print a JSON list")
    listing.set_defaults(handler=cmd_stage_list, existing=True)

    add = actions.add_parser("add", parents=[common], help="add an open stage")
    add.add_argument("name", metavar="NAME")
    add.add_argument("--probability", required=True, metavar="P",
                     help="win probability in percent, 0-100")
    add.add_argument("--after", metavar="STAGE",
                     help="put it after this stage (default: after the last open stage)")
    add.add_argument("--kind", choices=KINDS, default="open",
                     help="open (the default); a pipeline has exactly one won and one lost "
                          "stage")
    add.add_argument("--rot-days", metavar="N",
                     help="days a deal may rest in the stage before it is rotting")
    add.set_defaults(handler=cmd_stage_add)

    edit = actions.add_parser("edit", parents=[common],
                              help="rename, reorder or change a stage")
    edit.add_argument("name", metavar="NAME")
    edit.add_argument("--name", dest="new_name", metavar="NEW", help="a new name")
    edit.add_argument("--probability", metavar="P", help="win probability in percent")
    edit.add_argument("--after", metavar="STAGE",
                      help="move it after this stage (an empty STAGE: to the front)")
    edit.add_argument("--rot-days", metavar="N", help="rot days (none: never rots)")
    edit.set_defaults(handler=cmd_stage_edit, existing=True)

    remove = actions.add_parser("remove", parents=[common], help="remove a stage")
    remove.add_argument("name", metavar="NAME")
    remove.add_argument("--move-to", metavar="STAGE",
                        help="move the stage's deals to this open stage first")
    remove.set_defaults(handler=cmd_stage_remove, existing=True)


def cmd_stage_list(args: argparse.Namespace) -> int:
    from tui_crm.core.stages import stage_summaries

    summaries = stage_summaries()
    if args.json:
        import json

        print(json.dumps([{"name": s.stage.name, "position": s.stage.position,
                           "probability": s.stage.probability, "kind": s.stage.kind,
                           "rot_days": s.stage.rot_days, "deals": s.deals}
                          for s in summaries], indent=2))
        return 0
    print(f"{'Stage':<24}{'Kind':<6}{'Prob':>6}{'Rot days':>10}{'Deals':>10}")
    for s in summaries:
        rot = str(s.stage.rot_days) if s.stage.rot_days else "-"
        name = printable(s.stage.name, single_line=True)
        print(f"{name[:23]:<24}{s.stage.kind:<6}{s.stage.probability:>5}%{rot:>10}"
              f"{s.deals:>10,}")
    return 0


def cmd_stage_add(args: argparse.Namespace) -> int:
    from tui_crm.core.stages import add_stage

    stage = add_stage(args.name, args.probability, after=args.after, kind=args.kind,
                      rot_days=args.rot_days)
    print(f"Added the stage {stage.name} ({stage.probability}%) at position "
          f"{stage.position}.")
    return 0


def cmd_stage_edit(args: argparse.Namespace) -> int:
    from tui_crm.core.stages import edit_stage

    rot_days = ... if args.rot_days is None else args.rot_days
    stage = edit_stage(args.name, new_name=args.new_name, probability=args.probability,
                       after=args.after, rot_days=rot_days)
    print(f"Stage {stage.name}: {stage.probability}%, position {stage.position}, rot days "
          f"{stage.rot_days or '-'}.")
    return 0


def cmd_stage_remove(args: argparse.Namespace) -> int:
    from tui_crm.core.stages import remove_stage

    moved = remove_stage(args.name, move_to=args.move_to)
    note = f"; {moved:,} deal{'s' if moved != 1 else ''} moved to {args.move_to}" \
        if moved else ""
    print(f"Removed the stage {args.name}{note}.")
    return 0
