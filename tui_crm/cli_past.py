"""`tui-crm changes`, `tui-crm trash` and (with `forecast --as-of`) the past on the
command line."""

from __future__ import annotations

import argparse

from tui_crm.core.text import printable


def add_past_commands(commands, common: argparse.ArgumentParser) -> None:
    changes = commands.add_parser(
        "changes", parents=[common], help="what changed in a quarter's pipeline since a moment",
        description="The pipeline waterfall of a quarter between two moments: the open "
                    "pipeline then, each deal that changed in one bucket (created, pulled "
                    "in, pushed out, amount up or down, won, lost, deleted) with its amount, "
                    "and the pipeline at the end. Start plus the buckets is the end.")
    changes.add_argument("--since", required=True, metavar="DATE",
                         help="from this moment (2026-11-24 or 2026-11-24T09:00)")
    changes.add_argument("--until", metavar="DATE", help="to this moment (default: now)")
    changes.add_argument("--quarter", metavar="YYYYQN", help="e.g. 2026Q4 (default: the "
                         "quarter of --until)")
    changes.add_argument("--json", action="store_true", help="print one JSON object")
    changes.set_defaults(handler=cmd_changes, existing=True)

    undo = commands.add_parser("undo", parents=[common],
                               help="undo your last change (a save, move, import...)")
    undo.add_argument("--force", action="store_true",
                      help="even over what someone changed since")
    undo.add_argument("--user", default=argparse.SUPPRESS, metavar="NAME",
                      help="undo NAME's last change (default: yours)")
    undo.set_defaults(handler=cmd_undo, existing=True)
    redo = commands.add_parser("redo", parents=[common], help="redo what undo undid")
    redo.add_argument("--force", action="store_true",
                      help="even over what someone changed since")
    redo.add_argument("--user", default=argparse.SUPPRESS, metavar="NAME",
                      help="redo NAME's last undone change (default: yours)")
    redo.set_defaults(handler=cmd_redo, existing=True)

    history = commands.add_parser(
        "history", parents=[common], help="who changed what and when",
        description="The ChangeLog, newest first: every change with who, when and what "
                    "(old and new values); of one record with --entity and --id.")
    history.add_argument("--entity", choices=("lead", "customer", "opportunity", "contact",
                                              "activity", "stage", "setting"),
                         metavar="KIND", help="lead, customer, opportunity, contact, "
                                              "activity, stage or setting")
    history.add_argument("--id", type=int, metavar="N", help="the record's id")
    history.add_argument("--limit", type=int, default=100, metavar="N",
                         help="at most N changes (default 100)")
    history.add_argument("--json", action="store_true", help="print a JSON list")
    history.set_defaults(handler=cmd_history, existing=True)

    trash = commands.add_parser("trash", parents=[common],
                                help="deleted records: list, restore, empty")
    actions = trash.add_subparsers(dest="trash_command", metavar="ACTION", required=True)
    listing = actions.add_parser("list", parents=[common], help="what waits in the Trash")
    listing.add_argument("--json", action="store_true", help="print a JSON list")
    listing.set_defaults(handler=cmd_trash_list, existing=True)
    restore = actions.add_parser("restore", parents=[common],
                                 help="put a deleted record back (with its activities)")
    restore.add_argument("trash_id", type=int, metavar="ID", help="its number in trash list")
    restore.set_defaults(handler=cmd_trash_restore, existing=True)
    empty = actions.add_parser("empty", parents=[common], help="delete for good")
    empty.add_argument("--older-than", type=int, required=True, metavar="DAYS",
                       help="only what was deleted more than DAYS days ago")
    empty.set_defaults(handler=cmd_trash_empty, existing=True)


def cmd_changes(args: argparse.Namespace) -> int:
    from tui_crm.core.dates import Quarter, parse_moment
    from tui_crm.core.money import format_amount
    from tui_crm.core.past import BUCKETS, changes

    quarter = None if args.quarter is None else Quarter.parse(args.quarter)
    until = None if args.until is None else parse_moment(args.until)
    fall = changes(parse_moment(args.since), until, quarter)
    if args.json:
        import json

        print(json.dumps(fall.as_json(), indent=2))
        return 0
    print(f"Pipeline of {fall.quarter}, {fall.since:%Y-%m-%d %H:%M} to "
          f"{fall.until:%Y-%m-%d %H:%M}")
    rows = [("start", fall.start)] + [(name, fall.bucket(name)) for name in BUCKETS] \
        + [("end", fall.end)]
    for name, tally in rows:
        label = name.replace("_", " ").capitalize()
        print(f"  {label:<12}{tally.count:>7,}{format_amount(tally.amount):>18}")
    slipping = [m for m in fall.movements if m.pushes >= 2]
    if slipping:
        print(f"Slipping (close date pushed twice or more): {len(slipping):,} deals")
        for m in slipping[:20]:
            print(printable(f"  {m.name} (#{m.deal_id}): pushed {m.pushes} times",
                            single_line=True))
    return 0


def cmd_trash_list(args: argparse.Namespace) -> int:
    from tui_crm.core.trash import list_trash

    items = list_trash()
    if args.json:
        import json

        print(json.dumps([{"id": t.id, "entity": t.entity, "record": t.entity_id,
                           "name": t.name, "deleted_at": t.deleted_at.isoformat(
                               timespec="seconds"), "deleted_by": t.deleted_by,
                           "along": t.along} for t in items], indent=2))
        return 0
    if not items:
        print("The Trash is empty.")
    for t in items:
        along = f" (+{t.along} with it)" if t.along else ""
        print(printable(f"{t.id:>6}  {t.entity:<12}{t.name[:40]:<42}{t.deleted_at:%Y-%m-%d %H:%M}"
                        f"  {t.deleted_by}{along}", single_line=True))
    return 0


def cmd_trash_restore(args: argparse.Namespace) -> int:
    from tui_crm.core.trash import restore

    item = restore(args.trash_id)
    along = f", with {item.along} record{'s' * (item.along != 1)} deleted with it" \
        if item.along else ""
    print(printable(f"Restored the {item.entity} {item.name!r}{along}.", single_line=True))
    return 0


def cmd_trash_empty(args: argparse.Namespace) -> int:
    from tui_crm.core.trash import empty_trash

    gone = empty_trash(args.older_than)
    print(f"Emptied {gone:,} item{'s' * (gone != 1)} from the Trash.")
    return 0


def cmd_undo(args: argparse.Namespace) -> int:
    from tui_crm.core.undo import undo

    print(printable(str(undo(force=args.force)) + ".", single_line=True))
    return 0


def cmd_redo(args: argparse.Namespace) -> int:
    from tui_crm.core.undo import redo

    print(printable(str(redo(force=args.force)) + ".", single_line=True))
    return 0


def cmd_history(args: argparse.Namespace) -> int:
    from tui_crm.core.changelog import changes

    if args.id is not None and args.entity is None:
        from tui_crm.core.errors import CrmError

        raise CrmError("--id goes with --entity (which kind of record).")
    rows = changes(args.entity, args.id, max(args.limit, 1))
    if args.json:
        import json

        print(json.dumps([{"at": r.at.isoformat(), "user": r.user, "entity": r.entity,
                           "id": r.entity_id, "action": r.action, "field": r.field,
                           "old": r.old, "new": r.new, "intent": r.intent} for r in rows],
                         indent=2))
        return 0
    for r in rows:
        what = f"{r.field}: {r.old if r.old is not None else '-'} -> " \
               f"{r.new if r.new is not None else '-'}" if r.field else ""
        print(printable(f"{r.at:%Y-%m-%d %H:%M:%S}  {r.user:<10} {r.action:<8}"
                        f"{r.entity} #{r.entity_id}  {what}", single_line=True))
    return 0
