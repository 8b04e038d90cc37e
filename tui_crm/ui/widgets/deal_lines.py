"""What the detail panel of a customer or a lead shows: the record, its activities, its
totals and its deals as lines.

Everything that comes from users goes through ``safe``; overdue and missing close
dates say so in words (not only in colour), so they read in any terminal.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual.widgets import Static
from textual.widgets.option_list import Option

from tui_crm.core import dates
from tui_crm.core.customers import CustomerTotals
from tui_crm.core.money import format_amount
from tui_crm.core.records import ActivityRow, ContactRow, CustomerRow, DealRow, LeadRow
from tui_crm.core.settings import Settings
from tui_crm.ui.text import safe


@dataclass(frozen=True)
class RecordDetail:
    """What the detail panel of a customer or a lead shows."""

    record: CustomerRow | LeadRow
    linked: str  # a customer's lead (it came from), a lead's customer (promoted to)
    totals: CustomerTotals
    deals: list[DealRow]  # open first, then the closed history
    activities: list[ActivityRow]  # open first, then the log, newest first
    settings: Settings
    contacts: list[ContactRow] | None = None  # a customer's people


def detail_text(detail: RecordDetail | None, kind: str = "customer") -> Text:
    if detail is None:
        return Text(f"No {kind} selected.", style="italic")
    record = detail.record
    text = safe(record.name, style="bold")
    # Every label, "—" for an empty one: the panel keeps its shape from one record
    # to the next, so a cursor step repaints the values, not everything below them.
    labels: list[tuple[str, str]] = [("Company", record.company), ("E-mail", record.email),
                                     ("Phone", record.phone)]
    if isinstance(record, LeadRow):
        labels += [("Source", record.source), ("Status", record.status),
                   ("Customer", detail.linked)]
    else:
        labels.append(("From lead", detail.linked))
    for label, value in labels:
        text.append(f"\n{label:<10}")
        text.append_text(safe(value) if value else Text("—", style="dim"))
    if record.notes:
        text.append("\n\n")
        text.append_text(safe(record.notes, single_line=False))
    text.append(f"\n\nUpdated {record.updated_at:%Y-%m-%d %H:%M} by ", style="dim")
    text.append_text(safe(record.updated_by or "?", style="dim"))
    return text


def activities_text(detail: RecordDetail) -> Text:
    """The record's activities: open first, then the log (``a`` adds one)."""
    from tui_crm.ui.widgets.activity_lines import activity_lines

    return activity_lines(detail.activities, dates.today(), empty="none yet: a plans one, "
                          "or logs what was done")


def totals_text(detail: RecordDetail) -> Text:
    """Open pipeline and won to date, in the database's currency and amount basis."""
    totals, settings = detail.totals, detail.settings
    text = Text("Open pipeline  ")
    text.append(format_amount(totals.open_amount, settings.currency), style="bold")
    text.append(f"  ({totals.open_count} open)\nWon to date    ")
    text.append(format_amount(totals.won_amount, settings.currency), style="bold")
    text.append(f"  ({totals.won_count} won, {totals.lost_count} lost)")
    text.append(f"\nAmounts: {settings.basis_label}.", style="dim")
    return text


def deal_line(deal: DealRow, currency: str) -> Text:
    """Two lines: ``Renewal  12,500.00`` then ``  Proposal, closes 2026-12-15 (overdue) ·
    ada`` (the owner last)."""
    line = safe(deal.name, style="bold")
    line.append(f"  {format_amount(deal.amount)}")
    line.append(f"\n  {deal.stage_name}")
    if deal.close_date is None:
        line.append(", no close date" if deal.is_open else "")
        if deal.is_open:
            line.stylize("bold", len(line) - len("no close date"))
    else:
        line.append(f", {'closes' if deal.is_open else 'closed'} {deal.close_date.isoformat()}")
        if deal.is_overdue(dates.today()):
            line.append(" (overdue)", style="bold")
    if deal.stage_kind == "lost" and deal.lost_reason:
        line.append(", lost: ")
        line.append_text(safe(deal.lost_reason, style="italic"))
    if deal.owner:
        line.append(" · ")
        line.append_text(safe(deal.owner, style="dim"))
    return line


def deal_options(detail: RecordDetail) -> list[tuple[Option, DealRow | None]]:
    """Open deals, then the ClosedWon/ClosedLost history, each under a heading: each
    option with the deal it shows (None for a heading)."""
    currency = detail.settings.currency
    open_deals = [deal for deal in detail.deals if deal.is_open]
    closed = [deal for deal in detail.deals if not deal.is_open]
    options: list[tuple[Option, DealRow | None]] = []
    if not detail.deals:
        return [(Option(Text("No opportunities yet: press o to add one.", style="italic"),
                        disabled=True), None)]
    for heading, group in ((f"Open ({len(open_deals)})", open_deals),
                           (f"History: won and lost ({len(closed)})", closed)):
        if group:
            options.append((Option(Text(heading, style="bold underline"), disabled=True),
                            None))
            options.extend((Option(deal_line(deal, currency)), deal) for deal in group)
    return options


def show_text(static: Static, text: Text) -> None:
    """Show ``text`` in ``static``, sending nothing when it is already shown, and laying
    the screen out again only when the text's height changed (a layout repaints every
    widget it moves)."""
    if static.content == text:
        return
    static.update(text, layout=False)
    size = static.size
    if not size.width or static.get_content_height(size, size, size.width) != size.height:
        static.refresh(layout=True)
