"""Finding any record by part of its name: the parent picker and the command palette."""

from __future__ import annotations

from dataclasses import dataclass

from peewee import JOIN

from tui_crm.core.models import Customer, Lead, Opportunity
from tui_crm.core.search import search_term

KINDS = ("customer", "lead", "opportunity")


@dataclass(frozen=True)
class RecordMatch:
    kind: str  # customer | lead | opportunity
    id: int
    name: str
    detail: str  # company of a customer or lead; parent name of a deal


def find_records(text: str, kinds: tuple[str, ...] = KINDS, limit: int = 10, *,
                 parents: bool = False) -> list[RecordMatch]:
    """Up to ``limit`` records of each kind whose name contains ``text`` (case ignored).
    With ``parents``, only records a deal can hang from: no Converted lead (its deals
    went to its customer).

    Customers and leads come in name order (the name index stops the scan early);
    deals newest first, since their names repeat. Empty text lists the first ones.
    """
    text = search_term(text)
    found: list[RecordMatch] = []
    for model, kind in ((Customer, "customer"), (Lead, "lead")):
        if kind in kinds:
            query = model.select(model.id, model.name, model.company)
            if text:
                query = query.where(model.name.contains(text))
            if parents and model is Lead:
                query = query.where(Lead.status != "Converted")
            found += [RecordMatch(kind, row.id, row.name, row.company)
                      for row in query.order_by(model.name, model.id).limit(limit)]
    if "opportunity" in kinds:
        query = (Opportunity
                 .select(Opportunity.id, Opportunity.name, Customer.name, Lead.name)
                 .join(Customer, JOIN.LEFT_OUTER)
                 .switch(Opportunity).join(Lead, JOIN.LEFT_OUTER))
        if text:
            query = query.where(Opportunity.name.contains(text))
        for row in query.order_by(Opportunity.id.desc()).limit(limit).tuples():
            deal_id, name, customer_name, lead_name = row
            found.append(RecordMatch("opportunity", deal_id, name,
                                     customer_name or lead_name or ""))
    return found


def record_id_named(kind: str, name: str) -> int:
    """The id of the one customer or lead called exactly ``name`` (spaces around ignored);
    CrmError when none is, or several are."""
    from tui_crm.core.errors import CrmError

    model = Customer if kind == "customer" else Lead
    wanted = (name or "").strip()
    ids = [row.id for row in model.select(model.id).where(model.name == wanted).limit(2)]
    if not ids:
        raise CrmError(f"No {kind} is named {wanted!r}.")
    if len(ids) > 1:
        raise CrmError(f"Several {kind}s are named {wanted!r}: use the app to pick one.")
    return ids[0]
