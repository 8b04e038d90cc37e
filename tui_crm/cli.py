"""The command line: parse, call the core, print text, CSV or JSON."""

from __future__ import annotations

import argparse
import contextlib
import os
import sys

from tui_crm import __version__
from tui_crm.core import changelog
from tui_crm.core.dates import Quarter, parse_moment
from tui_crm.core.db import (
    display_url,
    hide_secrets,
    is_postgres,
    open_database,
    resolve_url,
    sqlite_path,
)
from tui_crm.core.demo import DEFAULT_DEALS, DEFAULT_SEED
from tui_crm.core.drivers import load_full_driver_if_far
from tui_crm.core.errors import CrmError
from tui_crm.core.faults import explain, is_fault
from tui_crm.core.text import how_many, printable
from tui_crm.core.validate import RECORD_KINDS as KINDS

SCREENS = ("leads", "customers", "pipeline", "forecast", "today")


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage error is one line too, like every other error."""

    def error(self, message: str):
        fail(f"{message} (see {self.prog} --help)")
        raise SystemExit(2)


def build_parser() -> argparse.ArgumentParser:
    db_help = "database: a file path, sqlite:///path or postgresql://... (default: TUI_CRM_DB" \
              ", else a file in your data directory)"
    # --db may come before or after the command; the command's copy must not
    # overwrite the main one with its default, hence SUPPRESS.
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--db", metavar="URL", default=argparse.SUPPRESS, help=db_help)
    parser = _Parser(
        prog="tui-crm",
        description="A keyboard-driven CRM in the terminal. Without a command, opens the app.")
    parser.add_argument("--db", metavar="URL", help=db_help)
    parser.add_argument("--user", metavar="NAME", help="act as NAME (default: your OS user)")
    parser.add_argument("--screen", choices=SCREENS, default="leads",
                        help="the screen the app opens on (default: leads)")
    parser.add_argument("--version", action="version", version=f"tui-crm {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    forecast = commands.add_parser("forecast", parents=[common],
                                   help="the quarter's forecast, as text or JSON")
    forecast.add_argument("--quarter", metavar="YYYYQN", help="e.g. 2026Q4 (default: current)")
    forecast.add_argument("--owner", metavar="NAME", help="only the deals NAME owns")
    forecast.add_argument("--as-of", metavar="DATETIME",
                          help="the forecast as it was then, e.g. 2026-11-24T09:00")
    forecast.add_argument("--json", action="store_true", help="print one JSON object")
    forecast.set_defaults(handler=cmd_forecast, existing=True)

    demo = commands.add_parser(
        "demo", parents=[common], help="fill an empty database with realistic demo data",
        description="Fill an empty database with realistic demo data: leads, customers and "
                    "deals over the last two years in every stage. The same seed gives the "
                    "same data. A database that already holds records is refused unless "
                    "--force, which adds the demo records beside the existing ones (nothing "
                    "is deleted).")
    demo.add_argument("--deals", type=int, default=DEFAULT_DEALS, metavar="N",
                      help=f"how many deals (default: {DEFAULT_DEALS:,})")
    demo.add_argument("--seed", type=int, default=DEFAULT_SEED, help="random seed")
    demo.add_argument("--force", action="store_true",
                      help="add demo data even if the database holds records")
    demo.set_defaults(handler=cmd_demo)

    export = commands.add_parser(
        "export", parents=[common], help="write leads, customers or opportunities as CSV",
        description="Write every record of KIND as CSV (UTF-8) to FILE, or to standard "
                    "output with - (the default). The columns are those import takes, plus "
                    "id, created_at and updated_at, which import ignores. An existing FILE "
                    "is kept unless --force; a database file never is written over. Text "
                    "a spreadsheet would run as a formula (starting with =, +, -, @, tab "
                    "or carriage return) gets a leading ' that import takes off again.")
    export.add_argument("kind", choices=KINDS, metavar="KIND", help=" | ".join(KINDS))
    export.add_argument("file", nargs="?", default="-", metavar="FILE|-")
    export.add_argument("--force", action="store_true", help="replace FILE if it exists")
    export.add_argument("--raw", action="store_true",
                        help="write formula-like text as it is (no leading ')")
    export.set_defaults(handler=cmd_export, existing=True)

    import_ = commands.add_parser(
        "import", parents=[common], help="add leads, customers or opportunities from CSV",
        description="Add the records of a CSV file (UTF-8, a header row naming the columns "
                    "in any order, case and spaces ignored; name is required). Opportunities "
                    "name their parent in the customer or lead column and their stage by "
                    "name. All or nothing: if any line is bad, nothing is imported (exit "
                    "status 1) and the problems are reported in line order, the first 20 "
                    "one by one and the others counted by kind (--errors FILE keeps every "
                    "one). A cell that export protected from spreadsheets (a leading ' "
                    "before =, +, -, @, tab or carriage return) loses that '.")
    import_.add_argument("kind", choices=KINDS, metavar="KIND", help=" | ".join(KINDS))
    import_.add_argument("file", metavar="FILE")
    import_.add_argument("--errors", metavar="ERRORS.csv",
                         help="write every problem found as CSV (line, column, message)")
    import_.add_argument("--map", action="append", default=[], metavar="SOURCE=FIELD",
                         help="read the file's column SOURCE as our FIELD (repeatable)")
    import_.add_argument("--ignore-unknown", action="store_true",
                         help="skip the columns we do not know (named in the summary)")
    import_.add_argument("--date-format", metavar="FMT",
                         help="how the file writes dates, e.g. %%d-%%m-%%y (strftime)")
    import_.add_argument("--stage", action="append", default=[], metavar="SOURCE=STAGE",
                         help="the file's stage SOURCE is our STAGE (repeatable)")
    import_.add_argument("--default-parent", metavar="lead:NAME|customer:NAME",
                         help="the parent of deals that name none (made if missing)")
    import_.add_argument("--dry-run", action="store_true",
                         help="check everything and say what would be done; write nothing")
    import_.add_argument("--on-duplicate", choices=("error", "skip", "update"),
                         default="error", help="a lead or customer whose name (and, for "
                         "leads, e-mail) is taken: error (default) names the lines, skip "
                         "keeps ours, update writes the file's values over ours")
    import_.set_defaults(handler=cmd_import)

    backup = commands.add_parser(
        "backup", parents=[common], help="a consistent copy of the database, safe while "
                                         "others work",
        description="Copy the SQLite database to DEST (a file, or a folder to put a dated "
                    "file in) with SQLite's online backup: others can keep working, and the "
                    "copy holds exactly what was saved when it began. For PostgreSQL, use "
                    "pg_dump.")
    backup.add_argument("dest", metavar="DEST")
    backup.add_argument("--force", action="store_true", help="replace DEST if it exists")
    backup.set_defaults(handler=cmd_backup, existing=True)

    from tui_crm.cli_activity import add_activity_commands
    from tui_crm.cli_past import add_past_commands
    from tui_crm.cli_stage import add_stage_commands

    add_stage_commands(commands, common)
    add_activity_commands(commands, common)
    add_past_commands(commands, common)
    add_serve_parser(commands, common)
    return parser


def add_serve_parser(commands, common: argparse.ArgumentParser) -> None:
    from tui_crm.serve.options import add_serve_arguments

    serve = commands.add_parser(
        "serve", parents=[common], help="the app over SSH, for keyholders only",
        description="Serve the app over SSH: whoever holds a key listed in the keys file "
                    "gets the app (and nothing else), signed in as the user named at the "
                    "end of the key's line.")
    add_serve_arguments(serve)
    serve.set_defaults(handler=cmd_serve)


def cmd_serve(args: argparse.Namespace) -> int:
    from tui_crm.serve.options import serve_from_args

    return serve_from_args(args)


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    changelog.set_user(args.user)
    SECRETS.append(resolve_url(args.db))  # its password is kept out of every message
    try:
        if args.command is None:
            return run_app(args)
        url = resolve_url(args.db)
        if getattr(args, "existing", False):
            require_existing(url)
        open_new_or_existing(url)
        return args.handler(args)
    except CrmError as exc:
        if os.environ.get("TUI_CRM_DEBUG") and exc.__cause__ is not None:
            raise  # a fault put in words: the debug run shows where it came from
        fail(str(exc))
        return 1
    except KeyboardInterrupt:
        fail("interrupted")
        return 130
    except BrokenPipeError:
        # The reader went away (export - | head): stop quietly, and keep Python from
        # complaining when it flushes stdout at exit.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    except Exception as exc:  # a fault or a bug: still one line, never a traceback
        if os.environ.get("TUI_CRM_DEBUG"):
            raise
        if is_fault(exc):  # the disk, the database, its server: what to do about it
            fail(explain(exc))
            return 1
        detail = str(exc).strip().splitlines()
        fail(f"unexpected error ({type(exc).__name__}{': ' + detail[0] if detail else ''}); "
             "set TUI_CRM_DEBUG=1 to see where.")
        return 1


def require_existing(url: str) -> None:
    """Copying out of a database that is not there is a typo, not a new database."""
    if not is_postgres(url) and not sqlite_path(url).exists():
        raise CrmError(f"There is no database at {sqlite_path(url)}.")


SECRETS: list[str] = []  # database URLs whose passwords no message may show


def open_new_or_existing(url: str) -> None:
    """Open the database; say so on stderr when that created a new SQLite file (a
    mistyped path makes a new database: the user must know)."""
    new = not is_postgres(url) and not sqlite_path(url).exists()
    open_database(url)
    if new:
        fail(f"Created a new database at {sqlite_path(url)}.")


def fail(message: str) -> None:
    """One line on stderr, control characters removed (messages may quote user data),
    no database password in it."""
    for url in SECRETS:
        message = hide_secrets(message, url)
    print(f"tui-crm: {printable(message, single_line=True)}", file=sys.stderr)


def run_app(args: argparse.Namespace) -> int:
    url = resolve_url(args.db)
    open_new_or_existing(url)
    load_full_driver_if_far()  # a far server: psycopg 3's pipeline for the first screen
    from tui_crm.ui.app import CrmApp

    CrmApp(db_label=display_url(url), start_mode=args.screen).run()
    return 0


def cmd_forecast(args: argparse.Namespace) -> int:
    from tui_crm.core.forecast import forecast

    quarter = None if args.quarter is None else Quarter.parse(args.quarter)
    as_of = None if args.as_of is None else parse_moment(args.as_of)
    if as_of is None:
        result = forecast(quarter, owner=args.owner)
    else:
        from tui_crm.core.past import forecast_as_of

        result = forecast_as_of(as_of, quarter, args.owner)
    if args.json:
        import json

        shape = result.as_json()
        if as_of is not None:
            shape["as_of"] = as_of.isoformat(timespec="seconds")
        print(json.dumps(shape, indent=2))
        return 0
    text = format_forecast(result)
    if as_of is not None:
        text = text.replace("\n", f"\nAs of {as_of:%Y-%m-%d %H:%M}", 1)
    print(printable(text))  # stage names are data, renamed by users
    return 0


def format_forecast(result) -> str:
    from tui_crm.core.money import format_amount

    settings = result.settings
    cur = settings.currency
    whose = f", deals of {result.owner}" if result.owner is not None else ""
    lines = [f"Forecast {result.quarter}{whose}  (amounts: {settings.basis_label}, {cur})",
             ""]
    lines.append(f"{'Stage':<16}{'Deals':>7}{'Amount':>18}{'Prob':>6}{'Weighted':>18}")
    for line in [*result.stages, result.total]:
        prob = f"{line.probability}%" if line.stage != "Total" else ""
        lines.append(f"{line.stage[:16]:<16}{line.count:>7}{format_amount(line.amount):>18}"
                     f"{prob:>6}{format_amount(line.weighted):>18}")
    lines.append("")
    lines.append(f"No close date: {result.no_close_date.count} deals, "
                 f"{format_amount(result.no_close_date.amount, cur)}")
    lines.append(f"Overdue:       {result.overdue.count} deals, "
                 f"{format_amount(result.overdue.amount, cur)}")
    wl = result.win_loss
    lines.append(f"Won:  {wl.won_count} deals, {format_amount(wl.won_amount, cur)}   "
                 f"Lost: {wl.lost_count} deals, {format_amount(wl.lost_amount, cur)}   "
                 f"Win rate: {'-' if wl.win_rate is None else f'{wl.win_rate:.1f}%'}")
    return "\n".join(lines)


def cmd_demo(args: argparse.Namespace) -> int:
    from tui_crm.core.demo import load_demo

    with ProgressBar("Demo data") as bar:
        summary = load_demo(args.deals, args.seed, force=args.force, progress=bar)
    print(f"Added {summary.leads:,} leads, {summary.customers:,} customers and "
          f"{summary.deals:,} deals.")
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    from tui_crm.core.csvio import export_csv, export_file

    if args.file == "-":
        # To a terminal, control characters in the data must not reach it.
        clean = printable if sys.stdout.isatty() else None
        export_csv(args.kind, sys.stdout, clean_text=clean, raw=args.raw)
        sys.stdout.flush()
        return 0
    with ProgressBar(f"Exporting {args.kind}") as bar:
        count = export_file(args.kind, args.file, force=args.force, raw=args.raw,
                            progress=bar)
    print(f"Exported {how_many(count, args.kind)} to {args.file}.")
    return 0


ERRORS_LISTED = 20  # problems printed one by one; the rest are summed up by kind
KINDS_LISTED = 10


def cmd_import(args: argparse.Namespace) -> int:
    from tui_crm.core.csvio import ErrorReport, ImportFailed, ImportOptions, import_file

    options = ImportOptions.parse(
        maps=args.map, stage_maps=args.stage, default_parent=args.default_parent,
        ignore_unknown=args.ignore_unknown, date_format=args.date_format,
        on_duplicate=args.on_duplicate)
    failed = None
    report = ErrorReport(args.errors, source=args.file) if args.errors else None
    with report.open() if report else contextlib.nullcontext():
        try:
            with ProgressBar(f"{'Checking' if args.dry_run else 'Importing'} "
                             f"{args.kind}") as bar:
                summary = import_file(args.kind, args.file, options, bar, report,
                                      dry_run=args.dry_run)
        except ImportFailed as exc:
            failed = exc
    if failed is None:
        for line in import_summary(summary, args.file):
            print(line)
        return 0
    if len(failed.errors) > 1 or failed.more:
        for line in import_problems(failed):
            fail(f"{args.file}: {line}")
    fail(f"{args.file}: {failed}" + (f" Every problem is in {args.errors}." if report else ""))
    return 1


def import_summary(summary, file: str) -> list[str]:
    """What an import did (or would do), in a line or a few."""
    verb = "Would import" if summary.dry_run else "Imported"
    lines = [f"{verb} {how_many(summary.added, summary.kind)} from {file}"
             + (" (a dry run: nothing was written)." if summary.dry_run else ".")]
    would = "would be " if summary.dry_run else ""
    if summary.updated:
        lines.append(f"{summary.updated:,} already here {would}updated from the file.")
    if summary.skipped:
        lines.append(f"{summary.skipped:,} already here {would}skipped (kept as they are).")
    if summary.created_parent:
        lines.append(f"The {summary.created_parent} {would or 'was '}created for the deals "
                     "that name no parent.")
    if summary.ignored_columns:
        lines.append(f"Columns skipped: {', '.join(summary.ignored_columns)}.")
    return [printable(line, single_line=True) for line in lines]


def import_problems(failed) -> list[str]:
    """The first problems in line order, then the others counted by kind."""
    from collections import Counter

    shown = failed.errors[:ERRORS_LISTED]
    lines = [str(error) for error in shown]
    rest = failed.kinds - Counter((error.column, error.message) for error in shown)
    if rest:
        lines.append(f"… and {rest.total():,} more problems, by kind:")
        for (column, message), count in rest.most_common(KINDS_LISTED):
            what = f"{column}: {message}" if column else message
            lines.append(f"  {count:,} line{'s' * (count != 1)}: {what}")
        others = rest.total() - sum(count for _, count in rest.most_common(KINDS_LISTED))
        if others:
            lines.append(f"  {others:,} more of {len(rest) - KINDS_LISTED:,} other kinds")
    return lines


def cmd_backup(args: argparse.Namespace) -> int:
    from tui_crm.core.backup import backup_database

    result = backup_database(args.dest, overwrite=args.force)
    print(f"Backed up to {result.path} ({result.size / 1_000_000:,.1f} MB).")
    return 0


class ProgressBar:
    """A one-line progress bar on stderr, drawn only when stderr is a terminal."""

    WIDTH = 30

    def __init__(self, label: str, stream=None):
        self.label = label
        self.stream = stream or sys.stderr
        self.enabled = self.stream.isatty()
        self.shown = -1

    def __enter__(self) -> ProgressBar:
        return self

    def __call__(self, done: int, total: int) -> None:
        if not self.enabled or total <= 0:
            return
        permille = done * 1000 // total
        if permille == self.shown:
            return
        self.shown = permille
        filled = self.WIDTH * done // total
        self.stream.write(f"\r{self.label} [{'#' * filled}{'.' * (self.WIDTH - filled)}] "
                          f"{permille / 10:5.1f}%  {done:,}/{total:,}")
        self.stream.flush()

    def __exit__(self, *exc) -> None:
        if self.enabled and self.shown >= 0:
            self.stream.write("\n")
            self.stream.flush()

