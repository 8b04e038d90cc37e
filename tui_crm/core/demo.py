"""Realistic demo data: leads, customers and two years of deals in every stage.

The same seed (and the same ``today``) always gives the same records. Everything is
written in one transaction with bulk inserts, and the running totals get the sums
of what was drawn (no scan of the deals afterwards), so a million deals load in
about a minute.
"""

from __future__ import annotations

import array
import bisect
import contextlib
import datetime as dt
import itertools
import math
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from tui_crm.core import bulk, dates, stages, totals
from tui_crm.core.db import write
from tui_crm.core.errors import CrmError
from tui_crm.core.models import Activity, Contact, Customer, Lead, Opportunity

DEFAULT_DEALS = 2_000
DEFAULT_SEED = 2026
MAX_DEALS = 10_000_000
BIG_LOAD = 20_000  # from this many deals, indexes are rebuilt rather than kept up
DEMO_USER = "demo"

FIRST = ("Ada", "Alan", "Grace", "Linus", "Margaret", "Dennis", "Barbara", "Ken", "Frances",
         "Edsger", "Radia", "Donald", "Hedy", "Claude", "Katherine", "John", "Sophie", "Tim",
         "Annie", "Guido", "Mary", "Niklaus", "Evelyn", "Bjarne", "Joan", "Leslie", "Karen",
         "Whitfield", "Adele", "Butler", "Jean", "Ivan", "Lynn", "Vint", "Susan", "Bob",
         "Carol", "Fernando", "Ida", "Yukihiro", "Rosa", "Kristen", "Omar", "Priya", "Chen",
         "Amara", "Mateo", "Ingrid", "Kofi", "Lena")
LAST = ("Lovelace", "Turing", "Hopper", "Torvalds", "Hamilton", "Ritchie", "Liskov",
        "Thompson", "Allen", "Dijkstra", "Perlman", "Knuth", "Lamarr", "Shannon", "Johnson",
        "Backus", "Wilson", "Berners-Lee", "Easley", "van Rossum", "Keller", "Wirth", "Boyd",
        "Stroustrup", "Clarke", "Lamport", "Sparck Jones", "Diffie", "Goldberg", "Lampson",
        "Sammet", "Sutherland", "Conway", "Cerf", "Kare", "Kahn", "Shaw", "Corbato", "Rhodes",
        "Matsumoto", "Peter", "Nygaard", "Haddad", "Raman", "Wei", "Okafor", "Garcia",
        "Lindqvist", "Mensah", "Novak")
PREFIX = ("North", "Blue", "Bright", "Iron", "Silver", "Green", "Rapid", "Summit", "Harbor",
          "Cedar", "Atlas", "Nova", "Pioneer", "Granite", "Beacon", "Crescent", "Falcon",
          "Maple", "Orbit", "Quartz", "River", "Solar", "Timber", "Vertex", "Willow", "Apex",
          "Coral", "Delta", "Ember", "Frontier")
NOUN = ("wind", "stone", "field", "bridge", "works", "point", "line", "wave", "gate", "peak",
        "forge", "light", "path", "craft", "view", "spring", "vale", "ridge", "port", "mark")
SUFFIX = ("Ltd", "Inc", "GmbH", "Labs", "Systems", "Foods", "Logistics", "Health", "Media",
          "Partners", "Energy", "Retail")
PRODUCTS = ("Annual licence", "Pilot", "Renewal", "Expansion", "Support plan", "Onboarding",
            "Consulting", "Hardware refresh", "Training", "Integration", "Data migration",
            "Enterprise upgrade")
SOURCES = ("Website", "Referral", "Conference", "Cold call", "Partner", "Newsletter", "")
LOST_REASONS = ("Price", "Went with a competitor", "No budget", "Timing", "No decision",
                "Lost contact", "")
OWNERS = ("sam", "alex", "jordan", "priya", "chen", "maria", "tom", "fatima")
LEAD_STATUSES = ("New", "Contacted", "Qualified", "Disqualified")

Progress = Callable[[int, int], None]  # (rows written so far, rows in all)


@dataclass(frozen=True)
class DemoSummary:
    leads: int
    customers: int
    deals: int


def is_empty() -> bool:
    """True when the database holds no lead, customer or deal (the first-run check)."""
    return not (Lead.select().exists() or Customer.select().exists()
                or Opportunity.select().exists())


def sizes(deals: int) -> tuple[int, int, int]:
    """(leads, customers, converted leads) that go with ``deals`` deals."""
    customers = max(10, deals // 25)
    leads = max(15, deals // 15)
    return leads, customers, min(customers // 3, leads // 4)


def load_demo(deals: int = DEFAULT_DEALS, seed: int = DEFAULT_SEED, *, force: bool = False,
              progress: Progress | None = None) -> DemoSummary:
    """Fill the database with demo records in one transaction.

    Refuses (CrmError) when the database already holds records, unless ``force``,
    which adds the demo records beside them. ``progress`` is told how far it got.
    """
    if not 0 <= deals <= MAX_DEALS:
        raise CrmError(f"The number of deals must be between 0 and {MAX_DEALS:,}.")
    with bulk.fast_sqlite_load():
        summary = _load(deals, seed, force, progress)
    bulk.settle(Lead, Customer, Contact, Opportunity, Activity)
    return summary


@write
def _load(deals: int, seed: int, force: bool, progress: Progress | None) -> DemoSummary:
    if not force and not is_empty():
        raise CrmError("The database already holds records; demo data goes into an empty "
                       "one (use --force to add it anyway).")
    n_leads, n_customers, n_converted = sizes(deals)
    total, done = n_leads + n_customers + deals, 0

    def advance(rows: int) -> None:
        nonlocal done
        done += rows
        if progress:
            progress(done, total)

    gen = _Generator(random.Random(seed), dates.today())
    first_lead, first_customer = bulk.next_id(Lead), bulk.next_id(Customer)
    first_deal = bulk.next_id(Opportunity)
    big = deals >= BIG_LOAD

    def rebuilt(model, people: bool = False):
        # PostgreSQL's trigram indexes (GIN) are slow to grow row by row: the tables of
        # people are rebuilt too there. SQLite's search index is kept by its triggers.
        if big and (not people or bulk.is_postgres()):
            return bulk.indexes_dropped(model)
        return contextlib.nullcontext()

    with rebuilt(Lead, people=True):
        bulk.insert_rows(Lead, LEAD_ROW, gen.leads(first_lead, n_leads, n_converted), advance)
    with rebuilt(Customer, people=True):
        bulk.insert_rows(Customer, CUSTOMER_ROW,
                         gen.customers(first_customer, n_customers, first_lead, n_converted),
                         advance)
    first_contact = bulk.next_id(Contact)
    with rebuilt(Contact, people=True):
        bulk.insert_rows(Contact, CONTACT_ROW, gen.contacts(first_contact, first_customer,
                                                            n_customers))
    deal_rows = gen.deals(first_deal, deals, range(first_customer, first_customer + n_customers),
                          range(first_lead + n_converted, first_lead + n_leads))
    with rebuilt(Opportunity):
        bulk.insert_rows(Opportunity, DEAL_ROW, deal_rows, advance)
    with rebuilt(Activity):
        bulk.insert_rows(Activity, ACTIVITY_ROW, gen.activities())
    for model in (Lead, Customer, Contact, Opportunity, Activity):
        bulk.sync_id_sequence(model)
    bulk.analyze(Lead, Customer, Contact, Opportunity, Activity)
    # The totals of what was drawn: no scan of the deal table afterwards.
    totals.add_bulk({(stage, dt.date.fromisoformat(day) if day else None, reason): tally
                     for (stage, day, reason), tally in gen.tallies.items()})
    return DemoSummary(n_leads, n_customers, deals)


TRACKED = ("created_at", "created_by", "updated_at", "updated_by", "version")
LEAD_ROW = ("id", *TRACKED, "name", "company", "email", "phone", "source", "status", "notes")
CUSTOMER_ROW = ("id", *TRACKED, "name", "company", "email", "phone", "notes", "lead")
DEAL_ROW = ("id", *TRACKED, "name", "amount_cents", "close_date", "stage", "customer",
            "lead", "notes", "lost_reason", "owner", "stage_entered_at")
CONTACT_ROW = ("id", *TRACKED, "name", "customer", "role", "email", "phone", "notes")
ACTIVITY_ROW = (*TRACKED, "kind", "subject", "due_date", "due_time", "done_at", "done_by",
                "notes", "owner", "deal")
ROLES = ("CEO", "CTO", "Head of Sales", "Buyer", "Operations", "Finance", "IT manager")
NEXT_STEPS = (("Call", "Call to follow up"), ("E-mail", "Send the proposal"),
              ("Meeting", "Demo for the team"), ("Task", "Prepare the quote"),
              ("Call", "Check the budget"), ("Meeting", "Contract review"))
LOGGED = (("Call", "Called: they want a discount"), ("E-mail", "Sent the contract"),
          ("Meeting", "Kick-off meeting"), ("Call", "Called: decision next week"))


class _Generator:
    """Draws the records; dates are strings, as both databases take them in bulk."""

    HISTORY_DAYS = 730  # deals close over the two years up to today ...
    AHEAD_DAYS = 180  # ... and are expected up to six months ahead

    def __init__(self, rng: random.Random, today: dt.date):
        self.rng = rng
        self.today = today
        first = today - dt.timedelta(days=self.HISTORY_DAYS)
        self.days = [(first + dt.timedelta(days=i)).isoformat()
                     for i in range(self.HISTORY_DAYS + self.AHEAD_DAYS + 1)]
        self.stamps = [f"{day} {9 + i % 9:02d}:{(i * 7) % 60:02d}:00"
                       for i, day in enumerate(self.days)]
        self.years = [day[:4] for day in self.days]
        self.open_ids = [s.id for s in stages.open_stages()]
        self.won_id = stages.stage_of_kind("won").id
        self.lost_id = stages.stage_of_kind("lost").id
        # The day each deal drawn was made, and whether it is open: for its activities
        # (compact: a million deals take 3 MB).
        self.first_deal = 0
        self.deal_days = array.array("H")
        self.deal_open = bytearray()
        # (stage id, close date text, lost reason) -> (count, cents) of the deals drawn
        self.tallies: dict[tuple[int, str | None, str], tuple[int, int]] = {}

    def _stamp(self, before_day: int) -> str:
        return self.stamps[max(0, before_day - self.rng.randrange(5, 120))]

    def _person(self, i: int) -> str:
        first, last = FIRST[i % len(FIRST)], LAST[(i // len(FIRST)) % len(LAST)]
        round_ = i // (len(FIRST) * len(LAST))
        if round_:
            return f"{first} {chr(65 + (round_ - 1) % 26)}. {last}" + (
                f" {round_ // 26 + 1}" if round_ > 26 else "")
        return f"{first} {last}"

    def _company(self, i: int) -> str:
        size = len(PREFIX) * len(NOUN) * len(SUFFIX)
        j = (i * 7919) % size  # a stride that visits every combination once
        name = (f"{PREFIX[j % len(PREFIX)]}{NOUN[(j // len(PREFIX)) % len(NOUN)]} "
                f"{SUFFIX[j // (len(PREFIX) * len(NOUN))]}")
        return name if i < size else f"{name} {i // size + 1}"

    def _contact(self, person: str, company: str) -> tuple[str, str]:
        domain = "".join(ch for ch in company.split(" ")[0].lower() if ch.isalnum())
        user = "".join(ch for ch in person.split(" ")[0].lower() if ch.isalnum())
        phone = f"+1 555 {self.rng.randrange(100, 1000)} {self.rng.randrange(1000, 10000)}"
        return f"{user}@{domain}.example", phone

    def leads(self, first_id: int, count: int, converted: int) -> Iterator[tuple]:
        span = len(self.days) - self.AHEAD_DAYS
        for n in range(count):
            person, company = self._person(n), self._company(n * 3 + 1)
            email, phone = self._contact(person, company)
            status = "Converted" if n < converted else self.rng.choice(LEAD_STATUSES)
            stamp = self._stamp(self.rng.randrange(span))
            yield (first_id + n, stamp, DEMO_USER, stamp, DEMO_USER, 1, person, company, email,
                   phone, self.rng.choice(SOURCES), status, "")

    def customers(self, first_id: int, count: int, first_lead: int,
                  converted: int) -> Iterator[tuple]:
        span = len(self.days) - self.AHEAD_DAYS
        for n in range(count):
            # A converted lead's customer is the lead's company.
            company = self._company(n * 3 + 1 if n < converted else n * 3)
            email, phone = self._contact(self._person(n * 7 + 3), company)
            lead = first_lead + n if n < converted else None
            stamp = self._stamp(self.rng.randrange(span))
            yield (first_id + n, stamp, DEMO_USER, stamp, DEMO_USER, 1, company, company, email,
                   phone, "", lead)

    def contacts(self, first_id: int, first_customer: int, customers: int) -> Iterator[tuple]:
        """One to three people at each customer."""
        span = len(self.days) - self.AHEAD_DAYS
        number = 0
        for n in range(customers):
            company = self._company(n * 3)
            for k in range(1 + (n * 7 + 3) % 3):
                person = self._person(n * 5 + k * 11 + 2)
                email, phone = self._contact(person, company)
                stamp = self._stamp(self.rng.randrange(span))
                yield (first_id + number, stamp, DEMO_USER, stamp, DEMO_USER, 1, person,
                       first_customer + n, ROLES[(n + k) % len(ROLES)], email, phone, "")
                number += 1

    def activities(self) -> Iterator[tuple]:
        """About one activity a deal: most open deals have a next step (some overdue, some
        due today, the rest ahead), a few have none; closed deals have what was done."""
        rand, days, stamps, past = self.rng.random, self.days, self.stamps, self.HISTORY_DAYS
        for n, (created, is_open) in enumerate(zip(self.deal_days, self.deal_open,
                                                   strict=True)):
            deal_id, owner = self.first_deal + n, OWNERS[n % len(OWNERS)]
            if is_open:
                if rand() < 0.15:
                    continue  # without a next step
                ahead = int(rand() * 40) - 10  # ten days overdue up to a month ahead
                due = days[min(max(past + ahead, 0), len(days) - 1)]
                kind, subject = NEXT_STEPS[int(rand() * len(NEXT_STEPS))]
                time = f"{9 + int(rand() * 8):02d}:{(int(rand() * 4) * 15):02d}" \
                    if kind == "Meeting" else ""
                stamp = stamps[created]
                yield (stamp, owner, stamp, owner, 1, kind, subject, due, time, None, "", "",
                       owner, deal_id)
            else:
                done = stamps[min(created + 3 + int(rand() * 20), past)]
                kind, subject = LOGGED[int(rand() * len(LOGGED))]
                yield (done, owner, done, owner, 1, kind, subject, None, "", done, owner, "",
                       owner, deal_id)

    def deals(self, first_id: int, count: int, customers: range,
              leads: range) -> Iterator[tuple]:
        self.first_deal = first_id
        # rng.random() and plain arithmetic: randrange is several times slower.
        rand, days, stamps, years, past = self.rng.random, self.days, self.stamps, \
            self.years, self.HISTORY_DAYS
        n_days, n_customers, n_leads = len(days), len(customers), len(leads)
        low, spread = math.log(500), math.log(250_000) - math.log(500)
        open_ids, tallies = self.open_ids, self.tallies
        cumulative = list(itertools.accumulate([45, 35, 20][:len(open_ids)]))
        for n in range(count):
            day = int(rand() * n_days)
            amount = int(math.exp(low + spread * rand())) // 50 * 5000
            lost_reason = ""
            close: str | None = days[day]
            age = past - day  # days since the expected close date
            # Old deals are nearly all closed; a few stay open past their date (overdue).
            if age > 90 and rand() < 0.99 or 30 < age <= 90 and rand() < 0.9 \
                    or 0 < age <= 30 and rand() < 0.5:
                stage = self.won_id if rand() < 0.48 else self.lost_id
                if stage == self.lost_id:
                    lost_reason = LOST_REASONS[int(rand() * len(LOST_REASONS))]
            else:
                stage = open_ids[bisect.bisect(cumulative, rand() * cumulative[-1])]
                if rand() < 0.06:
                    close = None
            if n_leads and rand() < 0.2:
                customer, lead = None, leads[int(rand() * n_leads)]
            else:
                customer, lead = customers[int(rand() * n_customers)], None
            owner = OWNERS[n % len(OWNERS)]
            closed_day = day if day < past else past
            created_day = max(0, closed_day - 5 - int(rand() * 115))
            created = stamps[created_day]
            is_open = stage in open_ids
            updated = created if close is None or is_open else stamps[closed_day]
            # An open deal entered its stage lately, mostly (some have sat there for long).
            entered = stamps[max(created_day, past - int(rand() * rand() * 60))] \
                if is_open else updated
            key = (stage, close, lost_reason)
            count, cents = tallies.get(key, (0, 0))
            tallies[key] = (count + 1, cents + amount)
            self.deal_days.append(created_day)
            self.deal_open.append(is_open)
            yield (first_id + n, created, owner, updated, owner, 1,
                   f"{PRODUCTS[int(rand() * len(PRODUCTS))]} {years[day]}", amount, close,
                   stage, customer, lead, "", lost_reason, owner, entered)
