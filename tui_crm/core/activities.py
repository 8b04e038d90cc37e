"""Activities: calls, meetings, e-mails and tasks, planned or done, about a deal, a
customer, a lead or a contact. A deal's next step is its earliest open activity.

A logged activity ("called, they want a discount") is the same record, done when saved.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping

from tui_crm.core import changelog, dates, settings, tracking
from tui_crm.core.db import write
from tui_crm.core.errors import CrmError, ValidationError
from tui_crm.core.models import Activity, Contact, Customer, Lead, Opportunity, now
from tui_crm.core.records import ActivityRow
from tui_crm.core.validate import check_date, check_text

ENTITY = "activity"
SUBJECTS = ("deal", "customer", "lead", "contact")  # what an activity can be about
_TIME = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")


def check_kind(value: object) -> str:
    """One of the settings' activity kinds (any case); empty is a Task."""
    text = check_text(value)
    kinds = settings.get_list("activity_kinds")
    if not text:
        return "Task" if "Task" in kinds else kinds[0]
    for kind in kinds:
        if kind.lower() == text.lower():
            return kind
    raise CrmError(f"The kind is one of: {', '.join(kinds)}.")


def check_subject(value: object) -> str:
    subject = check_text(value)
    if not subject:
        raise CrmError("Subject is required.")
    if len(subject) > 200 or "\n" in subject:
        raise CrmError("A subject is one line of at most 200 characters.")
    return subject


def check_time(value: object) -> str:
    """A time of day as HH:MM (``9:30`` -> ``09:30``), or empty for any time."""
    text = check_text(value)
    if not text:
        return ""
    match = _TIME.match(text)
    if match is None:
        raise CrmError("A time is HH:MM, for example 09:30 or 14:00.")
    return f"{int(match.group(1)):02d}:{match.group(2)}"


_MODELS = {"deal": Opportunity, "customer": Customer, "lead": Lead, "contact": Contact}


def _subject_id(kind: str, value: object) -> int | None:
    if value in (None, ""):
        return None
    try:
        record_id = int(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise CrmError(f"Not a {kind} id: {value!r}.") from None
    model = _MODELS[kind]
    if not model.select().where(model.id == record_id).exists():
        raise CrmError(f"That {kind} no longer exists.")
    return record_id


def clean_activity(data: Mapping[str, object], *, partial: bool = False) -> dict[str, object]:
    """Check an activity's fields: ``kind``, ``subject``, ``due`` (a date), ``due_time``,
    ``notes``, ``owner`` and what it is about (``deal_id``, ``customer_id``, ``lead_id``,
    ``contact_id``: at least one)."""
    out: dict[str, object] = {}
    errors: dict[str, str] = {}
    checks = {"kind": ("kind", check_kind), "subject": ("subject", check_subject),
              "due": ("due_date", check_date), "due_time": ("due_time", check_time),
              "notes": ("notes", check_text), "owner": ("owner", check_text)}
    for field, (target, check) in checks.items():
        if partial and field not in data:
            continue
        try:
            out[target] = check(data.get(field))
        except CrmError as exc:
            errors[field] = str(exc)
    if not partial and not out.get("owner"):
        out["owner"] = changelog.current_user()
    given = [kind for kind in SUBJECTS if f"{kind}_id" in data]
    for kind in given:
        try:
            out[kind] = _subject_id(kind, data.get(f"{kind}_id"))
        except CrmError as exc:
            errors["about"] = str(exc)
    if (not partial or given) and "about" not in errors \
            and not any(out.get(kind) for kind in SUBJECTS):
        errors["about"] = "An activity is about a deal, a customer, a lead or a contact."
    if errors:
        raise ValidationError(errors)
    return out


@write
def create_activity(data: Mapping[str, object], *, done: bool = False) -> int:
    """Plan an activity, or log one already done (``done``); returns its id."""
    fields = clean_activity(data)
    if done:
        fields.update(done_at=now(), done_by=changelog.current_user())
    return tracking.insert(Activity, ENTITY, fields)


@write
def update_activity(activity_id: int, data: Mapping[str, object],
                    expected_version: int | None = None) -> dict:
    return tracking.update(Activity, ENTITY, activity_id,
                           clean_activity(data, partial=True), expected_version)


@write
def complete_activity(activity_id: int, expected_version: int | None = None) -> ActivityRow:
    """Mark an activity done, now, by the current user (done already: nothing changes)."""
    current = get_activity(activity_id)
    if not current.is_done:
        tracking.update(Activity, ENTITY, activity_id,
                        {"done_at": now(), "done_by": changelog.current_user()},
                        expected_version, action="done")
    return get_activity(activity_id)


@write
def reopen_activity(activity_id: int, expected_version: int | None = None) -> ActivityRow:
    """Undo "done": the activity is open again."""
    tracking.update(Activity, ENTITY, activity_id, {"done_at": None, "done_by": ""},
                    expected_version)
    return get_activity(activity_id)


@write
def snooze_activity(activity_id: int, days: int = 1,
                    expected_version: int | None = None) -> ActivityRow:
    """Put an open activity off: due ``days`` days from today (1: tomorrow, 7: next week)."""
    if get_activity(activity_id).is_done:
        raise CrmError("This activity is done already.")
    due = dates.today() + dt.timedelta(days=days)
    tracking.update(Activity, ENTITY, activity_id, {"due_date": due}, expected_version)
    return get_activity(activity_id)


@write
def delete_activity(activity_id: int) -> None:
    tracking.delete(Activity, ENTITY, activity_id)


def _name_of(model, key):
    """The name of the ``model`` record ``key`` points to, as a subquery of its own."""
    named = model.alias()
    return named.select(named.name).where(named.id == key)


# Each name is a subquery of the row, not a join: PostgreSQL plans a join of five tables
# afresh for every statement it has not prepared yet (3-5 ms, ten times the reading),
# and a page reads at most a few names, after its rows are chosen. Built once: each
# field of an alias peewee makes is a new class.
_NAMES = (_name_of(Opportunity, Activity.deal).alias("deal_name"),
          _name_of(Customer, Activity.customer).alias("customer_name"),
          _name_of(Lead, Activity.lead).alias("lead_name"),
          _name_of(Contact, Activity.contact).alias("contact_name"))


def _query():
    """Activities with the names of what they are about."""
    return Activity.select(Activity, *_NAMES).objects()


def activity_row(activity: Activity) -> ActivityRow:
    data = activity.__data__
    about = next((name for name in (getattr(activity, "deal_name", None),
                                    getattr(activity, "contact_name", None),
                                    getattr(activity, "customer_name", None),
                                    getattr(activity, "lead_name", None)) if name), "")
    return ActivityRow(activity.id, activity.kind, activity.subject, activity.due_date,
                       activity.due_time, activity.done_at, activity.done_by, activity.notes,
                       activity.owner, data.get("deal"), data.get("customer"),
                       data.get("lead"), data.get("contact"), about, activity.updated_at,
                       activity.updated_by, activity.version)


def get_activity(activity_id: int) -> ActivityRow:
    activity = _query().where(Activity.id == activity_id).first()
    if activity is None:
        raise CrmError("This activity no longer exists (it was deleted).")
    return activity_row(activity)


def _about(deal_id: int | None, customer_id: int | None, lead_id: int | None,
           contact_id: int | None) -> list:
    """What a record's activities are about, one condition per index to read."""
    if deal_id is not None:
        return [Activity.deal == deal_id]
    if contact_id is not None:
        return [Activity.contact == contact_id]
    if customer_id is not None:
        return [Activity.customer == customer_id,
                Activity.deal.in_(Opportunity.select(Opportunity.id)
                                  .where(Opportunity.customer == customer_id)),
                Activity.contact.in_(Contact.select(Contact.id)
                                     .where(Contact.customer == customer_id))]
    if lead_id is not None:
        return [Activity.lead == lead_id,
                Activity.deal.in_(Opportunity.select(Opportunity.id)
                                  .where(Opportunity.lead == lead_id))]
    raise CrmError("Whose activities? Name a deal, customer, lead or contact.")


def activities_of(*, deal_id: int | None = None, customer_id: int | None = None,
                  lead_id: int | None = None, contact_id: int | None = None,
                  limit: int = 50) -> list[ActivityRow]:
    """A record's activities: the open ones first (soonest due first, undated last),
    then the log of what was done, newest first. A customer's include those about its
    deals and its contacts; a lead's, those about its deals.

    Each part is read through its own index (the record's, then done or not), never
    through the open activities of everyone: at most ``limit`` rows of each part."""
    planned: dict[int, Activity] = {}
    done: dict[int, Activity] = {}
    for about in _about(deal_id, customer_id, lead_id, contact_id):
        for activity in (_query().where(about & Activity.done_at.is_null())
                         .order_by(Activity.due_date.is_null(), Activity.due_date,
                                   Activity.due_time, Activity.id).limit(limit)):
            planned[activity.id] = activity
        for activity in (_query().where(about & Activity.done_at.is_null(False))
                         .order_by(Activity.done_at.desc(), Activity.id.desc()).limit(limit)):
            done[activity.id] = activity
    soonest = sorted(planned.values(), key=lambda a: (a.due_date is None,
                                                      a.due_date or dt.date.max,
                                                      a.due_time or "", a.id))[:limit]
    latest = sorted(done.values(), key=lambda a: (a.done_at, a.id), reverse=True)[:limit]
    return [activity_row(a) for a in soonest + latest]


def next_step(deal_id: int) -> ActivityRow | None:
    """The deal's earliest open activity (a dated one before any undated), or None."""
    planned = [a for a in activities_of(deal_id=deal_id, limit=1) if not a.is_done]
    return planned[0] if planned else None
