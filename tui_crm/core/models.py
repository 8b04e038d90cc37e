"""The CRM's records as Peewee models, bound at run time to the opened database.

These are the current shape of the schema; the migrations in ``migrations/`` build
it step by step on any database, old or new.
"""

from __future__ import annotations

import datetime as dt

from peewee import (
    SQL,
    BigIntegerField,
    Check,
    CompositeKey,
    DatabaseProxy,
    DateField,
    DateTimeField,
    ForeignKeyField,
    IntegerField,
    Model,
    TextField,
)

db = DatabaseProxy()

LEAD_STATUSES = ("New", "Contacted", "Qualified", "Disqualified", "Converted")
STAGE_KINDS = ("open", "won", "lost")
DEFAULT_STAGES = (
    ("Qualification", 10, "open"),
    ("Proposal", 40, "open"),
    ("Negotiation", 70, "open"),
    ("ClosedWon", 100, "won"),
    ("ClosedLost", 0, "lost"),
)
AMOUNT_BASES = ("ARR", "one-time")
DEFAULT_SETTINGS = {"amount_basis": "ARR", "currency": "USD"}
DEFAULT_ACTIVITY_KINDS = ("Call", "Meeting", "E-mail", "Task")
DEFAULT_LOST_REASONS = ("Price", "No budget", "Went with a competitor", "Lost contact", "Timing")
DEFAULT_ROT_DAYS = {"Qualification": 30, "Proposal": 21, "Negotiation": 14}


def execute_later(query) -> None:
    """Run ``query``, a write whose result nobody reads: on PostgreSQL it goes with the
    transaction's next statement, in one round trip (``core.db``); elsewhere now."""
    database = db.obj
    send_later = getattr(database, "send_later", None)
    if send_later is None or not database.in_transaction():
        query.execute()
        return
    send_later(*query.sql())


def read_together(*queries) -> list[list]:
    """The rows of each SELECT of ``queries`` (none for a ``None``): on PostgreSQL all
    sent in one round trip (``core.db``); elsewhere one after another."""
    together = getattr(db.obj, "read_together", None)
    sent = [query for query in queries if query is not None]
    found = iter(together(sent) if together is not None and len(sent) > 1
                 else [list(query) for query in sent])
    return [next(found) if query is not None else [] for query in queries]


def now() -> dt.datetime:
    return dt.datetime.now().replace(microsecond=0)


class BaseModel(Model):
    class Meta:
        database = db
        legacy_table_names = False


class Tracked(BaseModel):
    """A record that keeps who made and changed it, and a version for safe saves."""

    created_at = DateTimeField(default=now)
    created_by = TextField(default="")
    updated_at = DateTimeField(default=now)
    updated_by = TextField(default="")
    version = IntegerField(default=1)


class Stage(BaseModel):
    name = TextField(unique=True)
    position = IntegerField()
    probability = IntegerField(constraints=[Check("probability BETWEEN 0 AND 100")])
    kind = TextField(constraints=[Check("kind IN ('open', 'won', 'lost')")])
    rot_days = IntegerField(null=True)  # days a deal may rest here before it is rotting


class Lead(Tracked):
    name = TextField(constraints=[Check("name <> ''")])
    company = TextField(default="")
    email = TextField(default="")
    phone = TextField(default="")
    source = TextField(default="")
    status = TextField(
        default="New",
        constraints=[Check("status IN ('New', 'Contacted', 'Qualified', 'Disqualified', "
                           "'Converted')")],
    )
    notes = TextField(default="")

    class Meta:
        # The list's orders (a column and the id), and one status's (migration 0012).
        indexes = (
            tuple(((column, "id"), False) for column in
                  ("name", "company", "status", "source", "email", "updated_at"))
            + tuple((("status", column, "id"), False) for column in
                    ("name", "company", "source", "email", "updated_at"))
        )


class Customer(Tracked):
    name = TextField(constraints=[Check("name <> ''")])
    company = TextField(default="")
    email = TextField(default="")
    phone = TextField(default="")
    notes = TextField(default="")
    lead = ForeignKeyField(Lead, null=True, unique=True, on_delete="SET NULL",
                           backref="customers")

    class Meta:
        indexes = tuple(((column, "id"), False)
                        for column in ("name", "company", "email", "updated_at"))


class Opportunity(Tracked):
    name = TextField(constraints=[Check("name <> ''")])
    amount_cents = BigIntegerField(default=0, constraints=[Check("amount_cents >= 0")])
    close_date = DateField(null=True)
    stage = ForeignKeyField(Stage, on_delete="RESTRICT", backref="opportunities")
    customer = ForeignKeyField(Customer, null=True, on_delete="RESTRICT",
                               backref="opportunities")
    lead = ForeignKeyField(Lead, null=True, on_delete="RESTRICT", backref="opportunities")
    notes = TextField(default="")
    lost_reason = TextField(default="")
    owner = TextField(default="")
    # When the deal entered its current stage (None: imported in bulk, so just now).
    stage_entered_at = DateTimeField(null=True, default=now)

    class Meta:
        constraints = [SQL("CHECK ((customer_id IS NULL) <> (lead_id IS NULL))")]
        indexes = (
            (("stage", "close_date", "id"), False),
            (("stage", "close_date", "amount_cents", "lost_reason"), False),
            (("owner", "stage", "close_date", "amount_cents", "lost_reason"), False),
            (("owner", "stage", "close_date", "id"), False),
        )


# Deals by time in stage, for the Today queue. Partial, so that only queries that say
# ``stage_entered_at IS NOT NULL`` (or compare it) use it, never the board's.
Opportunity.add_index(
    Opportunity.index(Opportunity.stage, Opportunity.stage_entered_at, Opportunity.id,
                      name="opportunity_time_in_stage")
    .where(Opportunity.stage_entered_at.is_null(False)))
Opportunity.add_index(
    Opportunity.index(Opportunity.owner, Opportunity.stage, Opportunity.stage_entered_at,
                      Opportunity.id, name="opportunity_owner_time_in_stage")
    .where(Opportunity.stage_entered_at.is_null(False)))


class Contact(Tracked):
    """A person at a customer."""

    name = TextField(constraints=[Check("name <> ''")])
    customer = ForeignKeyField(Customer, on_delete="CASCADE", backref="contacts")
    role = TextField(default="")
    email = TextField(default="")
    phone = TextField(default="")
    notes = TextField(default="")

    class Meta:
        indexes = ((("customer", "name", "id"), False),)


class Activity(Tracked):
    """A call, meeting, e-mail or task about a deal, customer, lead or contact: planned
    (``due``), or done (``done_at``). A deal's next step is its earliest open activity."""

    kind = TextField(default="Task")
    subject = TextField(constraints=[Check("subject <> ''")])
    due_date = DateField(null=True)
    due_time = TextField(default="")  # HH:MM, or empty for any time of the day
    done_at = DateTimeField(null=True)
    done_by = TextField(default="")
    notes = TextField(default="")
    owner = TextField(default="")
    deal = ForeignKeyField(Opportunity, null=True, on_delete="CASCADE", backref="activities")
    customer = ForeignKeyField(Customer, null=True, on_delete="CASCADE",
                               backref="activities")
    lead = ForeignKeyField(Lead, null=True, on_delete="CASCADE", backref="activities")
    contact = ForeignKeyField(Contact, null=True, on_delete="CASCADE", backref="activities")

    class Meta:
        constraints = [SQL("CHECK (deal_id IS NOT NULL OR customer_id IS NOT NULL OR "
                           "lead_id IS NOT NULL OR contact_id IS NOT NULL)")]
        # Open activities by due date (everyone's, and one owner's), and each record's
        # activities: the indexes the Today queue and the detail panels read.
        indexes = (
            (("done_at", "due_date", "id"), False),
            (("owner", "done_at", "due_date", "id"), False),
            (("deal", "done_at", "due_date"), False),
            (("customer", "done_at", "due_date"), False),
            (("lead", "done_at", "due_date"), False),
            (("contact", "done_at", "due_date"), False),
        )


class StageTotal(BaseModel):
    """Running count and sum of every stage, kept in the transaction of each change."""

    stage = ForeignKeyField(Stage, primary_key=True, on_delete="CASCADE")
    count = BigIntegerField(default=0)
    amount_cents = BigIntegerField(default=0)


# The close date under which StageDayTotal counts the deals that have none.
NO_DATE = dt.date(1, 1, 1)


class StageDayTotal(BaseModel):
    """Running count and sum per stage, close date (NO_DATE: none) and lost reason,
    kept in the transaction of each change: the forecast adds up days, not deals."""

    stage = ForeignKeyField(Stage, on_delete="CASCADE")
    close_date = DateField()
    lost_reason = TextField(default="")
    count = BigIntegerField(default=0)
    amount_cents = BigIntegerField(default=0)

    class Meta:
        primary_key = CompositeKey("stage", "close_date", "lost_reason")


def stamp() -> dt.datetime:
    """Now, to the microsecond: when a change happened (quick saves stay apart)."""
    return dt.datetime.now()


class ChangeLog(BaseModel):
    """Who changed what and when: the timeline of every record. The rows of one user
    intent (a save, a move, an import...) share its ``intent``: one step of undo."""

    at = DateTimeField(default=stamp)
    user = TextField()
    entity = TextField()  # lead | customer | opportunity | contact | activity | stage | setting
    entity_id = IntegerField()
    action = TextField()  # create | update | delete | move | done | restore | undo | redo
    field = TextField(null=True)
    old = TextField(null=True)
    new = TextField(null=True)
    intent = TextField(null=True)

    class Meta:
        indexes = ((("entity", "entity_id", "at"), False), (("at",), False),
                   (("user", "id"), False), (("intent",), False),
                   (("entity", "at", "id"), False))


# The rows that pushed a deal's close date later: its slippage, counted on every card.
# ISO dates compare as text; a date set where there was none (or cleared) is no push.
# Literals, not parameters: a prepared statement's generic plan can then prove the
# partial index's condition as well.
PUSHED_LATER = ((ChangeLog.entity == SQL("'opportunity'"))
                & (ChangeLog.field == SQL("'close_date'")) & (ChangeLog.new > ChangeLog.old))
# Those rows alone, by deal (migration 0017): the count reads nothing else.
ChangeLog.add_index(ChangeLog.index(ChangeLog.entity_id, name="change_log_pushes")
                    .where(PUSHED_LATER))


class Trash(BaseModel):
    """A deleted record, with what was deleted with it, as it was: restored from here."""

    entity = TextField()
    entity_id = IntegerField()
    name = TextField(default="")
    data = TextField()  # JSON: {"rows": [[table, {column: value}], ...]}
    deleted_at = DateTimeField(default=stamp)
    deleted_by = TextField(default="")
    intent = TextField(null=True)
    restored_at = DateTimeField(null=True)

    class Meta:
        indexes = ((("entity", "entity_id"), False), (("deleted_at",), False))


class Setting(BaseModel):
    key = TextField(primary_key=True)
    value = TextField()


ALL_MODELS = (Stage, Lead, Customer, Opportunity, StageTotal, StageDayTotal, ChangeLog, Setting,
              Contact, Activity, Trash)
