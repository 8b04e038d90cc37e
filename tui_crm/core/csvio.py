"""CSV export and import of leads, customers and opportunities.

Export streams the table a page at a time (by id), so a table of any size goes out
in constant memory. Import is all or nothing: every line is checked with the same
rules as the forms (``core/validate.py``); if any is bad, each bad line is reported
with its number and nothing is written. Good files go in with bulk inserts, in one
transaction, each record with its ChangeLog row.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import itertools
import re
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from peewee import JOIN, PostgresqlDatabase, fn

from tui_crm.core import bulk, changelog, dates, models, stages, totals, tracking
from tui_crm.core.db import write
from tui_crm.core.errors import CrmError, ValidationError
from tui_crm.core.files import check_destination, copy_mode, replaced_atomically
from tui_crm.core.models import (
    Activity,
    ChangeLog,
    Contact,
    Customer,
    Lead,
    Opportunity,
    Stage,
    now,
    stamp,
)
from tui_crm.core.money import from_cents, to_cents
from tui_crm.core.validate import (
    ACTIVITY_FIELDS,
    CONTACT_FIELDS,
    CUSTOMER_FIELDS,
    DEAL_FIELDS,
    LEAD_FIELDS,
    RECORD_KINDS,
    check_amount,
    check_date,
    check_name,
    check_text,
    clean,
)

COLUMNS = dict(zip(RECORD_KINDS, (LEAD_FIELDS, CUSTOMER_FIELDS, DEAL_FIELDS, CONTACT_FIELDS,
                                  ACTIVITY_FIELDS), strict=True))
ENTITIES = {"leads": "lead", "customers": "customer", "opportunities": "opportunity",
            "contacts": "contact", "activities": "activity"}
# The columns each kind's import writes, in the model's names.
WRITTEN = {
    "opportunities": ("name", "amount_cents", "close_date", "stage", "customer", "lead",
                      "notes", "lost_reason", "owner"),
    "contacts": ("name", "customer", "role", "email", "phone", "notes"),
    "activities": ("kind", "subject", "due_date", "due_time", "done_at", "done_by", "notes",
                   "owner", "deal", "customer", "lead", "contact"),
}
# The records a kind names by name, and where to look them up.
NAMED = {"opportunities": ("customer", "lead"), "contacts": ("customer",),
         "activities": ("deal", "customer", "lead", "contact")}
KINDS = RECORD_KINDS
READ_ONLY = ("id", "created_at", "updated_at")  # exported, ignored on import
PAGE = 2_000
CHUNK = 2_000
MAX_ERRORS = 10_000  # beyond this a file is clearly the wrong one; stop listing
MAX_SHOWN = 60  # characters of a value quoted in an error message
MAX_RECORD = 1 << 20  # bytes of one CSV row: ten long fields fit many times over
MAX_KINDS = 1_000  # distinct problems counted by kind; beyond, "other problems"
OTHER_PROBLEMS = "other problems"
# Columns a spreadsheet formula cannot hide in: numbers and dates we write ourselves.
NOT_TEXT = frozenset({"id", "amount", "close_date", "created_at", "updated_at", "due",
                      "done_at"})
# What makes a spreadsheet run a cell (OWASP, CSV injection), behind any quotes.
_FORMULA = re.compile(r"'*[=+\-@\t\r]")

Progress = Callable[[int, int], None]  # (done, total): rows on export, bytes on import
DUPLICATE_CHOICES = ("error", "skip", "update")


@dataclass(frozen=True)
class ImportOptions:
    """How to read another program's file: which of its columns are ours, how it writes
    dates and names stages, what to do with deals that name no parent and with records
    that are already here."""

    mapping: dict[str, str] = field(default_factory=dict)  # its column -> ours
    ignore_unknown: bool = False  # other columns are skipped (named once), not errors
    date_format: str | None = None  # strftime, e.g. %d-%m-%y
    stages: dict[str, str] = field(default_factory=dict)  # its stage name -> ours
    default_parent: tuple[str, str] | None = None  # ("customer" | "lead", name)
    on_duplicate: str = "error"  # a lead or customer whose name is taken: error|skip|update

    @staticmethod
    def parse(*, maps: list[str] = (), stage_maps: list[str] = (),
              default_parent: str | None = None, **rest) -> ImportOptions:
        """From the command line's words: ``SOURCE=FIELD``, ``SOURCE=STAGE``,
        ``lead:NAME`` or ``customer:NAME``."""
        def pairs(items, what):
            out = {}
            for item in items:
                source, sep, target = item.partition("=")
                if not sep or not source.strip() or not target.strip():
                    raise CrmError(f"{what} takes SOURCE=TARGET, not {item!r}.")
                out[source.strip()] = target.strip()
            return out
        parent = None
        if default_parent is not None:
            kind, sep, name = default_parent.partition(":")
            if not sep or kind.strip().lower() not in ("lead", "customer") or not name.strip():
                raise CrmError("--default-parent takes lead:NAME or customer:NAME.")
            parent = (kind.strip().lower(), name.strip())
        if rest.get("on_duplicate", "error") not in DUPLICATE_CHOICES:
            raise CrmError(f"--on-duplicate is one of: {', '.join(DUPLICATE_CHOICES)}.")
        if rest.get("date_format"):
            check_date_format(rest["date_format"])
        return ImportOptions(pairs(maps, "--map"), stages=pairs(stage_maps, "--stage"),
                             default_parent=parent, **rest)


def check_date_format(fmt: str) -> str:
    """A strftime format that reads a whole date (day, month and year)."""
    if not all(code in fmt for code in ("%d", "%m")) or not ("%y" in fmt or "%Y" in fmt):
        if not ("%b" in fmt or "%B" in fmt) or "%d" not in fmt:
            raise CrmError(f"The date format {fmt!r} must name the day, month and year, "
                           "e.g. %d-%m-%y or %m/%d/%Y.")
    return fmt


@dataclass(frozen=True)
class ImportSummary:
    """What an import did (or, with ``dry_run``, would do)."""

    kind: str
    added: int
    updated: int = 0
    skipped: int = 0
    ignored_columns: tuple[str, ...] = ()
    created_parent: str | None = None  # "customer 'Unassigned'" when made for the import
    dry_run: bool = False


def _key(header: str) -> str:
    """Header names match regardless of case, spaces, underscores and hyphens."""
    return "".join(ch for ch in header.lower() if not ch.isspace() and ch not in "_-")


def _check_kind(kind: str) -> tuple[str, ...]:
    if kind not in COLUMNS:
        raise CrmError(f"Unknown kind {kind!r}: use one of {', '.join(KINDS)}.")
    return COLUMNS[kind]


def _shown(value: str) -> str:
    return repr(value if len(value) <= MAX_SHOWN else value[:MAX_SHOWN] + "…")


# --- export -----------------------------------------------------------------------

def count_records(kind: str) -> int:
    _check_kind(kind)
    return _model(kind).select(fn.COUNT(_model(kind).id)).scalar() or 0


def _model(kind: str):
    return {"leads": Lead, "customers": Customer, "opportunities": Opportunity,
            "contacts": Contact, "activities": Activity}[kind]


def _named_model(column: str):
    return {"customer": Customer, "lead": Lead, "deal": Opportunity, "contact": Contact}[column]


def _stamp(value: object) -> str:
    if isinstance(value, dt.datetime):
        return value.replace(microsecond=0).isoformat(sep=" ")
    return "" if value is None else str(value)


def _pages(kind: str) -> Iterator[list[tuple]]:
    """The kind's rows as export tuples, a page at a time in id order."""
    model = _model(kind)
    if kind == "opportunities":
        query = (Opportunity
                 .select(Opportunity.id, Opportunity.name, Opportunity.amount_cents,
                         Opportunity.close_date, Stage.name, Customer.name, Lead.name,
                         Opportunity.notes, Opportunity.lost_reason, Opportunity.owner,
                         Opportunity.created_at, Opportunity.updated_at)
                 .join(Stage)
                 .switch(Opportunity).join(Customer, JOIN.LEFT_OUTER)
                 .switch(Opportunity).join(Lead, JOIN.LEFT_OUTER))
    elif kind == "contacts":
        query = (Contact.select(Contact.id, Contact.name, Customer.name, Contact.role,
                                Contact.email, Contact.phone, Contact.notes,
                                Contact.created_at, Contact.updated_at).join(Customer))
    elif kind == "activities":
        deal, contact = Opportunity.alias(), Contact.alias()
        query = (Activity
                 .select(Activity.id, Activity.kind, Activity.subject, Activity.due_date,
                         Activity.due_time, Activity.done_at, Activity.owner, deal.name,
                         deal.id, Customer.name, Lead.name, contact.name, contact.id,
                         Activity.notes,
                         Activity.created_at, Activity.updated_at)
                 .join(deal, JOIN.LEFT_OUTER, on=(Activity.deal == deal.id))
                 .switch(Activity).join(Customer, JOIN.LEFT_OUTER,
                                        on=(Activity.customer == Customer.id))
                 .switch(Activity).join(Lead, JOIN.LEFT_OUTER, on=(Activity.lead == Lead.id))
                 .switch(Activity).join(contact, JOIN.LEFT_OUTER,
                                        on=(Activity.contact == contact.id)))
    else:
        query = model.select(model.id, *(getattr(model, name) for name in COLUMNS[kind]),
                             model.created_at, model.updated_at)
    last = 0
    while True:
        page = list(query.where(model.id > last).order_by(model.id).limit(PAGE).tuples())
        if not page:
            return
        last = page[-1][0]
        yield page


def _export_row(kind: str, row: tuple) -> list[str]:
    if kind == "opportunities":
        (deal_id, name, cents, close, stage, customer, lead, notes, reason, owner,
         created, updated) = row
        values = [name, f"{from_cents(cents):f}", dates.format_date(_as_date(close)), stage,
                  customer or "", lead or "", notes, reason, owner]
        return [str(deal_id), *values, _stamp(created), _stamp(updated)]
    if kind == "activities":
        (activity_id, kind_, subject, due, time, done, owner, deal, deal_id, customer, lead,
         contact, contact_id, notes, created, updated) = row
        due_text = dates.format_date(_as_date(due))
        if due_text and time:
            due_text = f"{due_text} {time}"
        # Deals' and contacts' names repeat: their ids follow, so an import finds them.
        values = [kind_, subject, due_text, _stamp(done), owner,
                  f"{deal} #{deal_id}" if deal_id else "", customer or "", lead or "",
                  f"{contact} #{contact_id}" if contact_id else "", notes]
        return [str(activity_id), *values, _stamp(created), _stamp(updated)]
    record_id, *values, created, updated = row
    return [str(record_id), *("" if v is None else str(v) for v in values), _stamp(created),
            _stamp(updated)]


def _as_date(value: object) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value))


def neutralise(value: str) -> str:
    """A text cell a spreadsheet would run as a formula, made plain text (OWASP's rule:
    a leading ``'``). A value already starting with quotes before such a character
    gets one more, so that ``restore`` gives back exactly what was stored."""
    return "'" + value if _FORMULA.match(value) else value


def restore(value: str) -> str:
    """The stored text of a cell ``neutralise`` wrote."""
    return value[1:] if value.startswith("'") and _FORMULA.match(value, 1) else value


def _neutralised(row: list[str], text_columns: list[int]) -> list[str]:
    for index in text_columns:
        row[index] = neutralise(row[index])
    return row


def export_csv(kind: str, stream: TextIO, progress: Progress | None = None,
               clean_text: Callable[[str], str] | None = None, *, raw: bool = False) -> int:
    """Write every record of ``kind`` as CSV to ``stream``; returns how many.

    The header is ``id``, the columns PRODUCT.md names, then ``created_at`` and
    ``updated_at``. Text that a spreadsheet would take for a formula is neutralised
    (``neutralise``) unless ``raw``. ``clean_text`` may filter each value (e.g. strip
    control characters when the stream is a terminal).
    """
    columns = _check_kind(kind)
    writer = csv.writer(stream, lineterminator="\r\n")
    header = ["id", *columns, "created_at", "updated_at"]
    writer.writerow(header)
    text_columns = [] if raw else [i for i, name in enumerate(header)
                                   if name not in NOT_TEXT]
    total = count_records(kind) if progress else 0
    done = 0
    for page in _pages(kind):
        rows = [_neutralised(_export_row(kind, row), text_columns) for row in page]
        if clean_text:
            rows = [[clean_text(value) for value in row] for row in rows]
        writer.writerows(rows)
        done += len(rows)
        if progress:
            progress(done, max(total, done))
    return done


def export_file(kind: str, path: str | Path, *, force: bool = False, raw: bool = False,
                progress: Progress | None = None) -> int:
    """Export ``kind`` to the file ``path``; returns how many records were written.

    Refuses a database file (the open one and the files beside it above all) and,
    unless ``force``, any existing file. The CSV is written beside ``path`` and
    renamed onto it when complete, readable by no one the database is not.
    """
    target = Path(path).expanduser()
    check_destination(target, force=force, database=database_file())
    try:
        with replaced_atomically(target, copy_mode(database_file())) as (_, handle):
            text = io.TextIOWrapper(handle, encoding="utf-8", newline="")
            with text:
                return export_csv(kind, text, progress, raw=raw)
    except OSError as exc:
        kept = "was left as it was" if target.exists() else "was not written"
        raise CrmError(f"Cannot write {target}: {exc.strerror or exc}; {target.name} "
                       f"{kept}.") from exc


def database_file() -> Path | None:
    """The open database's file (None on PostgreSQL)."""
    database = models.db.obj
    return None if isinstance(database, PostgresqlDatabase) else Path(database.database)


# --- reading and checking ---------------------------------------------------------

@dataclass(frozen=True)
class RowError:
    """One problem in a CSV file: its line (1 is the header), column, message."""

    line: int
    column: str | None
    message: str

    def __str__(self) -> str:
        where = f"line {self.line}"
        return f"{where}: {self.column}: {self.message}" if self.column else \
            f"{where}: {self.message}"


class ImportFailed(CrmError):
    """The file cannot be imported; ``errors`` lists the problems in line order (the
    first ``MAX_ERRORS``; ``more`` counts the rest), ``kinds`` counts them all by
    (column, message), ``bad_lines`` counts the lines that have one."""

    def __init__(self, errors: list[RowError], more: int = 0,
                 kinds: Counter[tuple[str | None, str]] | None = None,
                 bad_lines: int | None = None):
        self.errors = errors
        self.more = more
        self.kinds = kinds if kinds is not None else Counter(
            (error.column, error.message) for error in errors)
        lines = bad_lines if bad_lines is not None else \
            len({error.line for error in errors}) + more
        self.bad_lines = lines
        if len(errors) == 1 and not more:
            text = f"{str(errors[0]).rstrip('.')}; nothing was imported."
        else:
            text = f"{lines:,} bad line{'s' * (lines != 1)}; nothing was imported."
        super().__init__(text)


class _FileProblem(Exception):
    def __init__(self, error: RowError):
        self.error = error


class _Lines:
    """A file's lines decoded as UTF-8, counted, for the csv reader.

    Memory stays flat on any input: a line is read at most ``MAX_RECORD`` bytes at a
    time, and a record (a CSV row, which quoted newlines may spread over several
    lines) longer than that is a problem of the file, reported at its line.
    """

    def __init__(self, handle):
        self.handle = handle
        self.number = 0
        self.bytes = 0
        self.record_bytes = 0  # read since the last complete record

    def record_done(self) -> None:
        self.record_bytes = 0

    def __iter__(self) -> Iterator[str]:
        while raw := self.handle.readline(MAX_RECORD + 1):
            self.number += 1
            self.bytes += len(raw)
            self.record_bytes += len(raw)
            if self.record_bytes > MAX_RECORD:
                raise _FileProblem(RowError(
                    self.number, None, f"over {MAX_RECORD:,} bytes without the end of a "
                    "line: this is not a CSV file (or a quote is never closed)."))
            if self.number == 1:
                raw = raw.removeprefix(codecs.BOM_UTF8)
            try:
                yield raw.decode("utf-8")
            except UnicodeDecodeError:
                raise _FileProblem(RowError(
                    self.number, None, "not UTF-8 text: the file is in another encoding "
                    "(or is not a CSV file); save it as CSV UTF-8 and try again.")) from None


@dataclass
class _Record:
    line: int
    values: dict[str, str]  # product column -> raw text


def _header(cells: list[str], kind: str, options: ImportOptions = ImportOptions(),
            skipped: list[str] | None = None) -> list[str | None]:
    """Map each header cell to a product column (None: a column ignored: read-only, or
    unknown with ``ignore_unknown``, then named in ``skipped``)."""
    columns = COLUMNS[kind]
    by_key = {_key(name): name for name in columns}
    renamed = _mapping(kind, options)
    ignored = {_key(name) for name in READ_ONLY}
    missing = set(renamed) - {_key(cell) for cell in cells}
    if missing:
        names = ", ".join(source for source in options.mapping if _key(source) in missing)
        raise _FileProblem(RowError(1, None, f"--map names {names}, which is not a column "
                                             "of the file."))
    mapped: list[str | None] = []
    unknown = []
    for cell in cells:
        key = _key(cell)
        if key in renamed:
            mapped.append(renamed[key])
        elif key in by_key and not any(target == by_key[key] for target in renamed.values()):
            mapped.append(by_key[key])
        elif key in ignored:
            mapped.append(None)
        elif options.ignore_unknown or key in by_key:
            mapped.append(None)  # a column of ours that a --map replaced is skipped too
            if skipped is not None:
                skipped.append(cell.strip() or "(empty)")
        else:
            unknown.append(cell.strip() or "(empty)")
    if unknown:
        names = ", ".join(_shown(u) if len(u) > MAX_SHOWN else u for u in unknown[:10])
        raise _FileProblem(RowError(1, None, (
            f"unknown column{'s' * (len(unknown) > 1)} {names}"
            f"{' …' if len(unknown) > 10 else ''}; {kind} take: {', '.join(columns)} "
            "(rename those header cells, map them with --map SOURCE=FIELD, or skip them "
            "with --ignore-unknown).")))
    named = [m for m in mapped if m]
    twice = sorted({m for m in named if named.count(m) > 1})
    if twice:
        raise _FileProblem(RowError(1, None, f"column {', '.join(twice)} appears twice."))
    required = "subject" if kind == "activities" else "name"
    if required not in named:
        raise _FileProblem(RowError(1, None, f"no {required} column; {kind} take: "
                                             f"{', '.join(columns)}."))
    return mapped


def _mapping(kind: str, options: ImportOptions) -> dict[str, str]:
    """``--map``: the file's column (as a header key) -> ours; unknown targets refused."""
    columns = COLUMNS[kind]
    by_key = {_key(name): name for name in columns}
    out = {}
    for source, target in options.mapping.items():
        field_ = by_key.get(_key(target))
        if field_ is None:
            raise CrmError(f"--map {source}={target}: {kind} have no field {target!r}; "
                           f"they take: {', '.join(columns)}.")
        out[_key(source)] = field_
    return out


def _delimiter(header: str) -> str:
    """Commas, unless the header row is plainly split by semicolons (Excel in many
    countries) or tabs."""
    counts = {sep: header.count(sep) for sep in (",", ";", "\t")}
    return max(counts, key=lambda sep: (counts[sep], sep == ","))


def _records(lines: _Lines, kind: str, options: ImportOptions = ImportOptions(),
             skipped: list[str] | None = None) -> Iterator[_Record | RowError]:
    source = iter(lines)
    first = next(source, None)
    rows = itertools.chain([first], source) if first is not None else iter(())
    reader = csv.reader(rows, delimiter=_delimiter(first or ""), strict=True)
    try:
        header = next(reader, None)
        if header is None:
            columns = ", ".join(COLUMNS[kind])
            raise _FileProblem(RowError(1, None, "the file is empty: it needs a header row "
                                                 f"naming the columns ({columns})."))
        mapped = _header(header, kind, options, skipped)
        lines.record_done()
        end = reader.line_num
        for cells in reader:
            lines.record_done()
            start, end = end + 1, reader.line_num
            if not any(cell.strip() for cell in cells):
                continue  # blank line
            if len(cells) > len(mapped):
                yield RowError(start, None, f"{len(cells)} fields, but the header names "
                                            f"{len(mapped)}.")
                continue
            # A short line leaves its last columns empty.
            yield _Record(start, {column: cell if column in NOT_TEXT else restore(cell)
                                  for column, cell in zip(mapped, cells, strict=False)
                                  if column})
    except csv.Error as exc:
        text = f"not valid CSV ({exc})."
        if "field larger than field limit" in str(exc):
            text = f"a value is longer than {csv.field_size_limit():,} characters."
        raise _FileProblem(RowError(reader.line_num or 1, None, text)) from None


_BY_ID = re.compile(r"(?:^|\s)#(\d+)$")
DUPLICATE = "__duplicate__"  # in a cleaned row: ("skip" | "update", the existing id)


class _Cleaner:
    """Turns raw CSV values into model fields, with the forms' rules."""

    def __init__(self, kind: str, options: ImportOptions = ImportOptions(), *,
                 writing: bool = True):
        self.kind = kind
        self.options = options
        self.writing = writing
        every = stages.all_stages()
        # Exact names first (the common case, and the cheap one), then loose keys.
        self.stage_by_key = {**{_key(s.name): s for s in every}, **{s.name: s for s in every}}
        for source, target in options.stages.items():
            self.stage_by_key[_key(source)] = self.stage_by_key[source] = \
                stages.stage_named(target)
        self.parents: dict[tuple[str, str], list[int]] = {}
        self.created_parent: str | None = None
        self.existing: dict[tuple[str, str], int] = {}  # (name, e-mail) -> id, of a chunk
        self.seen: dict[tuple[str, str], int] = {}  # (name, e-mail) key -> line in the file
        self.skipped = self.updated = 0

    def prepare(self, chunk: list[_Record]) -> None:
        """Look up, in one query per kind, the parents a chunk of deals names (or the
        records of a chunk of leads or customers that are here already)."""
        if self.kind in ("leads", "customers"):
            self._prepare_duplicates(chunk)
            return
        default = self.options.default_parent if self.kind == "opportunities" else None
        for column in NAMED[self.kind]:
            model = _named_model(column)
            wanted = {check_text(r.values.get(column)) for r in chunk} - {""}
            wanted = [name for name in wanted if (column, name) not in self.parents]
            for name in wanted:
                self.parents[(column, name)] = []
            if default is not None and default[0] == column \
                    and (column, default[1]) not in self.parents:
                self.parents[(column, default[1])] = []
                wanted.append(default[1])
            if wanted:
                query = model.select(model.name, model.id).where(model.name.in_(wanted))
                for name, record_id in query.tuples():
                    self.parents[(column, name)].append(record_id)

    def _duplicate_key(self, values: dict[str, str]) -> tuple[str, str]:
        email = check_text(values.get("email")).lower() if self.kind == "leads" else ""
        return check_text(values.get("name")), email

    def _prepare_duplicates(self, chunk: list[_Record]) -> None:
        model = Lead if self.kind == "leads" else Customer
        names = {self._duplicate_key(r.values)[0] for r in chunk} - {""}
        self.existing = {}
        if not names:
            return
        columns = [model.id, model.name] + ([Lead.email] if self.kind == "leads" else [])
        for row in model.select(*columns).where(model.name.in_(list(names))).tuples():
            key = (row[1], row[2].lower() if self.kind == "leads" else "")
            self.existing.setdefault(key, row[0])

    def clean(self, record: _Record) -> dict[str, object]:
        if self.kind == "opportunities":
            return self._deal(record.values)
        if self.kind == "contacts":
            return self._contact(record.values)
        if self.kind == "activities":
            return self._activity(record.values)
        fields = clean(record.values, LEAD_FIELDS if self.kind == "leads" else CUSTOMER_FIELDS)
        return self._check_duplicate(record, fields)

    def _check_duplicate(self, record: _Record, fields: dict[str, object]) -> dict[str, object]:
        key = self._duplicate_key(record.values)
        noun = "lead" if self.kind == "leads" else "customer"
        what = f"{noun} named {_shown(key[0])}" + (f" ({key[1]})" if key[1] else "")
        earlier = self.seen.get(key)
        if earlier is not None:
            if self.options.on_duplicate == "skip":
                self.skipped += 1
                return {**fields, DUPLICATE: ("skip", None)}
            raise ValidationError({"name": f"the {what} is on line {earlier} already."})
        self.seen[key] = record.line
        existing = self.existing.get(key)
        if existing is None:
            return fields
        if self.options.on_duplicate == "skip":
            self.skipped += 1
            return {**fields, DUPLICATE: ("skip", existing)}
        if self.options.on_duplicate == "update":
            self.updated += 1
            given = {name: value for name, value in fields.items() if name in record.values}
            return {**given, DUPLICATE: ("update", existing)}
        raise ValidationError({"name": f"a {what} exists already (--on-duplicate skip "
                                       "keeps it, update overwrites it)."})

    def _deal(self, values: dict[str, str]) -> dict[str, object]:
        out: dict[str, object] = {}
        errors: dict[str, str] = {}
        checks = (("name", check_name), ("amount", lambda v: to_cents(check_amount(v))),
                  ("close_date", self._date), ("stage", self._stage),
                  ("notes", check_text), ("lost_reason", check_text), ("owner", check_text))
        for column, check in checks:
            try:
                out[column] = check(values.get(column))
            except CrmError as exc:
                errors[column] = str(exc)
        try:
            out["customer"], out["lead"] = self._parent(values)
        except ValidationError as exc:
            errors.update(exc.errors)
        if errors:
            raise ValidationError(errors)
        stage = out["stage"]
        if stage.kind != "open" and out["close_date"] is None:
            out["close_date"] = dates.today()  # closing stamps the day, as in the app
        if stage.kind != "lost":
            out["lost_reason"] = ""
        out["stage"] = stage.id
        out["amount_cents"] = out.pop("amount")
        return out

    def _named(self, column: str, values: dict[str, str]) -> int | None:
        """The id of the record a cell names (None for an empty cell)."""
        name = check_text(values.get(column))
        if not name:
            return None
        by_id = _BY_ID.search(name)
        if by_id:  # "#12" or "Rollout #12": the record with that id
            record_id = int(by_id.group(1))
            model = _named_model(column)
            if not model.select().where(model.id == record_id).exists():
                raise CrmError(f"no {column} has the id {record_id}.")
            return record_id
        ids = self.parents.get((column, name), [])
        if not ids:
            raise CrmError(f"no {column} named {_shown(name)}.")
        if len(ids) > 1:
            raise CrmError(f"{len(ids)} {column}s are named {_shown(name)}; rename one so "
                           "the name says which.")
        return ids[0]

    def _contact(self, values: dict[str, str]) -> dict[str, object]:
        errors: dict[str, str] = {}
        out: dict[str, object] = {}
        try:
            out.update(clean(values, ("name", "role", "email", "phone", "notes")))
        except ValidationError as exc:
            errors.update(exc.errors)
        try:
            out["customer"] = self._named("customer", values)
            if out["customer"] is None:
                errors["customer"] = "a contact belongs to a customer: name one."
        except CrmError as exc:
            errors["customer"] = str(exc)
        if errors:
            raise ValidationError(errors)
        return out

    def _activity(self, values: dict[str, str]) -> dict[str, object]:
        from tui_crm.core.activities import check_kind, check_subject

        errors: dict[str, str] = {}
        out: dict[str, object] = {}
        checks = (("kind", check_kind), ("subject", check_subject), ("due", self._due),
                  ("done_at", self._done_at), ("owner", check_text), ("notes", check_text))
        for column, check in checks:
            try:
                out[column] = check(values.get(column))
            except CrmError as exc:
                errors[column] = str(exc)
        for column in NAMED["activities"]:
            try:
                out[column] = self._named(column, values)
            except CrmError as exc:
                errors[column] = str(exc)
        if not errors and not any(out[column] for column in NAMED["activities"]):
            errors["deal"] = "an activity is about a deal, customer, lead or contact: " \
                             "name one."
        if errors:
            raise ValidationError(errors)
        out["due_date"], out["due_time"] = out.pop("due")
        out["owner"] = out["owner"] or changelog.current_user()
        out["done_by"] = out["owner"] if out["done_at"] else ""
        return out

    def _due(self, value: object) -> tuple[dt.date | None, str]:
        """A due date, with an optional time after it (``2026-12-15 09:30``)."""
        from tui_crm.core.activities import check_time

        text = check_text(value)
        day, _, time = text.partition(" ") if self.options.date_format is None \
            else (text, "", "")
        return self._date(day), check_time(time)

    def _done_at(self, value: object) -> str | None:
        """When an activity was done (a date, or a date and time), as stored text."""
        text = check_text(value)
        if not text:
            return None
        day, _, time = text.partition(" ")
        date = self._date(day) if self.options.date_format is None else self._date(text)
        clock = (time or "00:00:00") if self.options.date_format is None else "00:00:00"
        try:
            stamp = dt.datetime.combine(date, dt.time.fromisoformat(clock))
        except ValueError:
            raise CrmError(f"{_shown(text)} is not a date and time (2026-12-15 09:30)."
                           ) from None
        return stamp.isoformat(sep=" ")

    def _date(self, value: object) -> dt.date | None:
        fmt = self.options.date_format
        text = check_text(value)
        if fmt is None or not text:
            return check_date(value)
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            raise CrmError(f"{_shown(text)} is not a date written {fmt}.") from None

    def _stage(self, value: object):
        text = check_text(value)
        if not text:
            return stages.first_open_stage()
        stage = self.stage_by_key.get(text) or self.stage_by_key.get(_key(text))
        if stage is None:
            names = ", ".join(s.name for s in stages.all_stages())
            raise CrmError(f"no stage named {_shown(text)}; stages are: {names}.")
        return stage

    def _parent(self, values: dict[str, str]) -> tuple[int | None, int | None]:
        customer = check_text(values.get("customer"))
        lead = check_text(values.get("lead"))
        default = self.options.default_parent
        if not customer and not lead and default is not None:
            return self._default_parent(*default)
        if bool(customer) == bool(lead):
            raise ValidationError({"customer": "name either a customer or a lead (one of the "
                                               "customer and lead columns)."})
        column, name = ("customer", customer) if customer else ("lead", lead)
        ids = self.parents.get((column, name), [])
        if not ids:
            raise ValidationError({column: f"no {column} named {_shown(name)}."})
        if len(ids) > 1:
            raise ValidationError({column: f"{len(ids)} {column}s are named {_shown(name)}; "
                                           "rename one so the name says which."})
        return (ids[0], None) if column == "customer" else (None, ids[0])

    def _default_parent(self, kind: str, name: str) -> tuple[int | None, int | None]:
        """The ``--default-parent`` record; made (once) when it is not here yet."""
        ids = self.parents.get((kind, name), [])
        if len(ids) > 1:
            raise ValidationError({kind: f"{len(ids)} {kind}s are named {_shown(name)}; "
                                         "--default-parent must name one."})
        if not ids:
            from tui_crm.core import customers, leads

            self.created_parent = f"{kind} {name!r}"
            make = customers.create_customer if kind == "customer" else leads.create_lead
            # A dry run names it without making it (0 stands for it).
            ids = [make({"name": name}) if self.writing else 0]
            self.parents[(kind, name)] = ids
        return (ids[0], None) if kind == "customer" else (None, ids[0])


# --- import -----------------------------------------------------------------------

@dataclass(frozen=True)
class ImportPreview:
    """What an import would do: the first rows as they would be saved, and the errors."""

    kind: str
    columns: tuple[str, ...]
    rows: list[dict[str, str]]
    total: int  # good rows
    errors: list[RowError] = field(default_factory=list)
    more_errors: int = 0  # errors beyond the ones listed
    summary: ImportSummary | None = None  # what importing it would do

    @property
    def ok(self) -> bool:
        return not self.errors


def _display(kind: str, fields: dict[str, object], raw: dict[str, str]) -> dict[str, str]:
    shown = {}
    for column in COLUMNS[kind]:
        value = fields.get(column)
        if column == "amount":
            value = f"{from_cents(fields['amount_cents']):f}"
        elif column == "stage":
            value = stages.get_stage(fields["stage"]).name
        elif column in ("customer", "lead", "deal", "contact"):
            value = check_text(raw.get(column)) if fields.get(column) else ""
        elif column == "due":
            value = " ".join(str(v) for v in (fields.get("due_date"), fields.get("due_time"))
                             if v)
        elif isinstance(value, dt.date):
            value = value.isoformat()
        shown[column] = "" if value is None else str(value)
    return shown


class _Run:
    """One pass over a file: check every line; hand the good rows to ``sink``.

    Once a bad line is seen, an import (``writing``) stops handing rows over: the
    transaction will be rolled back anyway.
    """

    def __init__(self, kind: str, path: str | Path, progress: Progress | None = None,
                 *, writing: bool = True, on_error: Callable[[RowError], None] | None = None,
                 options: ImportOptions = ImportOptions()):
        self.kind = kind
        self.writing = writing
        self.options = options
        self.skipped_columns: list[str] = []
        self.cleaner: _Cleaner | None = None
        self.path = Path(path)
        self.progress = progress
        self.errors: list[RowError] = []
        self.more = 0
        self.good = 0
        self.kinds: Counter[tuple[str | None, str]] = Counter()
        self.bad_lines = 0
        self.last_bad = -1
        self.on_error = on_error

    def _error(self, error: RowError) -> None:
        if error.line != self.last_bad:  # problems come in line order
            self.bad_lines += 1
            self.last_bad = error.line
        if len(self.errors) < MAX_ERRORS:
            self.errors.append(error)
        else:
            self.more += 1
        kind = (error.column, error.message)
        if kind in self.kinds or len(self.kinds) < MAX_KINDS:
            self.kinds[kind] += 1
        else:
            self.kinds[(None, OTHER_PROBLEMS)] += 1
        if self.on_error:
            self.on_error(error)

    def run(self, sink: Callable[[list[tuple[_Record, dict]]], None]) -> None:
        _check_kind(self.kind)
        try:
            handle = self.path.open("rb")
        except OSError as exc:
            raise CrmError(f"Cannot read {self.path}: {exc.strerror or exc}.") from exc
        size = self.path.stat().st_size if self.path.is_file() else 0
        with handle:
            lines = _Lines(handle)
            cleaner = self.cleaner = _Cleaner(self.kind, self.options, writing=self.writing)
            # Records and the lines found bad while reading, in line order: checked
            # together, so that every problem is reported in the order of the file.
            chunk: list[_Record | RowError] = []
            try:
                for item in _records(lines, self.kind, self.options, self.skipped_columns):
                    chunk.append(item)
                    if len(chunk) >= CHUNK:
                        self._chunk(chunk, cleaner, sink)
                        chunk = []
                        if self.progress:
                            self.progress(lines.bytes, max(size, lines.bytes))
                self._chunk(chunk, cleaner, sink)
            except _FileProblem as problem:
                self._chunk(chunk, cleaner, sink)
                self._error(problem.error)
        if self.progress:
            self.progress(max(size, lines.bytes), max(size, lines.bytes))

    def _chunk(self, chunk: list[_Record | RowError], cleaner: _Cleaner, sink) -> None:
        records = [item for item in chunk if isinstance(item, _Record)]
        cleaner.prepare(records)
        good = []
        for item in chunk:
            if isinstance(item, RowError):
                self._error(item)
                continue
            try:
                good.append((item, cleaner.clean(item)))
            except ValidationError as exc:
                for column, message in exc.errors.items():
                    self._error(RowError(item.line, column, message))
        self.good += len(good)
        if good and (not self.writing or not (self.errors or self.more)):
            sink(good)


def preview_import(kind: str, path: str | Path, limit: int = 20,
                   options: ImportOptions = ImportOptions()) -> ImportPreview:
    """Check a whole file without writing; the first ``limit`` rows as they would be saved.

    File-level problems (empty, not UTF-8, unknown columns) come back as errors too,
    so a caller shows them the same way.
    """
    rows: list[dict[str, str]] = []

    def keep(chunk: list[tuple[_Record, dict]]) -> None:
        for record, fields in chunk:
            if len(rows) < limit and DUPLICATE not in fields:
                rows.append(_display(kind, fields, record.values))

    run = _Run(kind, path, writing=False, options=options)
    run.run(keep)
    return ImportPreview(kind, COLUMNS[kind], rows, run.good, run.errors, run.more,
                         _summary(run, dry_run=True))


def _summary(run: _Run, *, dry_run: bool) -> ImportSummary:
    cleaner = run.cleaner
    skipped = cleaner.skipped if cleaner else 0
    updated = cleaner.updated if cleaner else 0
    return ImportSummary(run.kind, run.good - skipped - updated, updated, skipped,
                         tuple(run.skipped_columns), cleaner.created_parent if cleaner else None,
                         dry_run)


def import_csv(kind: str, path: str | Path, progress: Progress | None = None,
               errors: ErrorReport | None = None,
               options: ImportOptions = ImportOptions()) -> int:
    """Import every row of a CSV file, or none: returns how many records were added.

    Raises ImportFailed listing every bad line (and writes nothing) if any is bad;
    ``errors`` is given every problem, however many.
    """
    return import_file(kind, path, options, progress, errors).added


def import_file(kind: str, path: str | Path, options: ImportOptions = ImportOptions(),
                progress: Progress | None = None, errors: ErrorReport | None = None, *,
                dry_run: bool = False) -> ImportSummary:
    """Import a CSV file as ``options`` say, all or nothing, and say what was done;
    with ``dry_run`` check everything and write nothing."""
    if dry_run:
        run = _Run(kind, path, progress, writing=False, on_error=errors, options=options)
        if errors is not None:
            errors.start()
        run.run(lambda chunk: None)
        if run.errors or run.more:
            raise ImportFailed(run.errors, run.more, run.kinds, run.bad_lines)
        return _summary(run, dry_run=True)
    return _import(kind, str(path), progress, errors, options)


@write
def _import(kind: str, path: str, progress: Progress | None,
            errors: ErrorReport | None = None,
            options: ImportOptions = ImportOptions()) -> ImportSummary:
    if errors is not None:
        errors.start()  # again, when a busy database made the transaction start over
    model = _model(kind)
    entity = ENTITIES[kind]
    fields = WRITTEN.get(kind, COLUMNS[kind])
    next_id = bulk.next_id(model)
    first_id = next_id
    # Text for both databases' bulk paths (sqlite3's date adapters are deprecated).
    user, at = changelog.current_user(), now().isoformat(sep=" ")
    tallies: dict[tuple[int, dt.date | None, str], tuple[int, int]] = {}

    def insert(chunk: list[tuple[_Record, dict]]) -> None:
        nonlocal next_id
        rows = []
        for _, values in chunk:
            duplicate = values.get(DUPLICATE)
            if duplicate is not None:
                action, record_id = duplicate
                if action == "update":
                    changed = {k: v for k, v in values.items() if k != DUPLICATE}
                    tracking.update(model, entity, record_id, changed)
                continue
            if kind == "opportunities":
                close = values["close_date"]
                key = (values["stage"], close, values["lost_reason"])
                count, cents = tallies.get(key, (0, 0))
                tallies[key] = (count + 1, cents + values["amount_cents"])
                values = {**values, "close_date": close.isoformat() if close else None,
                          "owner": values["owner"] or user}
            elif kind == "activities":
                due = values["due_date"]
                values = {**values, "due_date": due.isoformat() if due else None}
            rows.append((next_id, at, user, at, user, 1, *(values[f] for f in fields)))
            next_id += 1
        if not rows:
            return
        bulk.insert_rows(model, ("id", "created_at", "created_by", "updated_at",
                                 "updated_by", "version", *fields), rows)
        intent, logged = changelog.current_intent(), stamp().isoformat(sep=" ")
        bulk.insert_rows(ChangeLog, ("at", "user", "entity", "entity_id", "action", "intent"),
                         ((logged, user, entity, row[0], "create", intent) for row in rows))

    run = _Run(kind, path, progress, on_error=errors, options=options)
    run.run(insert)
    if run.errors or run.more:
        raise ImportFailed(run.errors, run.more, run.kinds, run.bad_lines)
    bulk.sync_id_sequence(model)
    totals.add_bulk(tallies)
    if kind == "opportunities":  # time in stage starts now for the deals just added
        Opportunity.update(stage_entered_at=now()).where(
            (Opportunity.id >= first_id) & Opportunity.stage_entered_at.is_null()).execute()
    return _summary(run, dry_run=False)


class ErrorReport:
    """Every problem of an import, as CSV (line, column, message), in a file that is
    never a database nor the file imported, and no more readable than the database
    (it quotes its data)."""

    def __init__(self, path: str | Path, source: str | Path | None = None):
        self.path = Path(path).expanduser()
        if source is not None and Path(source).expanduser().resolve() == self.path.resolve():
            raise CrmError(f"{self.path} is the file being imported; write its problems to "
                           "another file.")
        check_destination(self.path, force=True, database=database_file())
        self.handle: io.TextIOWrapper | None = None
        self.writer = None

    @contextmanager
    def open(self) -> Iterator[ErrorReport]:
        try:
            with replaced_atomically(self.path, copy_mode(database_file())) as (_, raw):
                self.handle = io.TextIOWrapper(raw, encoding="utf-8", newline="")
                with self.handle:
                    yield self
        except OSError as exc:
            raise CrmError(f"Cannot write {self.path}: {exc.strerror or exc}.") from exc

    def start(self) -> None:
        assert self.handle is not None, "ErrorReport.open() first"
        self.handle.seek(0)
        self.handle.truncate()
        self.writer = csv.writer(self.handle, lineterminator="\r\n")
        self.writer.writerow(["line", "column", "message"])

    def __call__(self, error: RowError) -> None:
        self.writer.writerow([error.line, error.column or "", neutralise(error.message)])
