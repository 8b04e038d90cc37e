"""`tui-crm today` and `tui-crm activity add|done`: the queue of what to do, for the
terminal, scripts and cron."""

from __future__ import annotations

import argparse

from tui_crm.core.text import printable


def add_activity_commands(commands, common: argparse.ArgumentParser) -> None:
    today = commands.add_parser(
        "today", parents=[common], help="the queue of what to do, most urgent first",
        description="Overdue activities, activities due today, open deals without a next "
                    "step, rotting deals, and open deals whose close date has passed or is "
                    "missing: each line says why it is there.")
    today.add_argument("--owner", metavar="NAME", help="only NAME's activities and deals")
    today.add_argument("--json", action="store_true", help="print a JSON list")
    today.add_argument("--limit", type=int, default=1000, metavar="N",
                       help="at most N lines (default 1000; 0: all)")
    today.set_defaults(handler=cmd_today, existing=True)

    activity = commands.add_parser("activity", parents=[common],
                                   help="add an activity, or mark one done")
    actions = activity.add_subparsers(dest="activity_command", metavar="ACTION",
                                      required=True)
    add = actions.add_parser(
        "add", parents=[common], help="plan an activity (or log one done, with --done)",
        description="Plan a call, meeting, e-mail or task about a deal (by id), a "
                    "customer or a lead (by name); --done logs one already done.")
    about = add.add_mutually_exclusive_group(required=True)
    about.add_argument("--deal", type=int, metavar="ID", help="the deal's id")
    about.add_argument("--customer", metavar="NAME", help="the customer's name")
    about.add_argument("--lead", metavar="NAME", help="the lead's name")
    add.add_argument("--subject", required=True, metavar="TEXT", help="what to do")
    add.add_argument("--kind", metavar="K", help="Call, Meeting, E-mail or Task (default)")
    add.add_argument("--due", metavar="DATE", help="when it is due, e.g. 2026-12-15")
    add.add_argument("--time", metavar="HH:MM", help="the time it is due")
    add.add_argument("--owner", metavar="NAME", help="whose it is (default: you)")
    add.add_argument("--notes", metavar="TEXT", default="")
    add.add_argument("--done", action="store_true", help="log it as done now")
    add.set_defaults(handler=cmd_activity_add, existing=True)

    done = actions.add_parser("done", parents=[common], help="mark an activity done")
    done.add_argument("activity_id", type=int, metavar="ID")
    done.set_defaults(handler=cmd_activity_done, existing=True)


def cmd_today(args: argparse.Namespace) -> int:
    from tui_crm.core import today

    limit = args.limit if args.limit > 0 else None
    items = _whole_queue(today, args.owner, limit)
    if args.json:
        import json

        print(json.dumps([item.as_json() for item in items], indent=2))
        return 0
    if not items:
        print("Nothing to do: no activity is due and every open deal has a next step.")
        return 0
    reason = None
    for item in items:
        if item.reason != reason:
            reason = item.reason
            print(("" if item is items[0] else "\n") + today.TITLES[reason])
        what = item.subject or item.deal_name
        parts = [item.why(), what]
        if item.subject and item.deal_name:
            parts.append(item.deal_name)
        if item.parent:
            parts.append(item.parent)
        parts.append(item.owner or "-")
        ref = f"#{item.activity_id}" if item.activity_id else f"deal {item.deal_id}"
        print(printable(f"  {ref:>10}  " + " · ".join(parts), single_line=True))
    return 0


def _whole_queue(today, owner: str | None, limit: int | None) -> list:
    items: list = []
    after = None
    while limit is None or len(items) < limit:
        page = today.queue(owner, after, min(500, limit - len(items)) if limit else 500)
        items.extend(page)
        if len(page) < 500 or not page:
            break
        after = page[-1].key
    return items


def cmd_activity_add(args: argparse.Namespace) -> int:
    from tui_crm.core import activities, lookup

    data = {"subject": args.subject, "kind": args.kind, "due": args.due,
            "due_time": args.time, "owner": args.owner, "notes": args.notes}
    if args.deal is not None:
        data["deal_id"] = args.deal
    elif args.customer is not None:
        data["customer_id"] = lookup.record_id_named("customer", args.customer)
    else:
        data["lead_id"] = lookup.record_id_named("lead", args.lead)
    activity_id = activities.create_activity(data, done=args.done)
    row = activities.get_activity(activity_id)
    state = "done" if row.is_done else (f"due {row.due_date}" if row.due_date else "no date")
    print(printable(f"Added activity #{activity_id}: {row.kind} “{row.subject}” about "
                    f"{row.about} ({state}).", single_line=True))
    return 0


def cmd_activity_done(args: argparse.Namespace) -> int:
    from tui_crm.core import activities

    row = activities.complete_activity(args.activity_id)
    print(printable(f"Done: #{row.id} {row.kind} “{row.subject}”.", single_line=True))
    return 0
