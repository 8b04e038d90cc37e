"""A million-deal database with a week of work in it, for `forecast --as-of`.

    python bench/as_of.py SOURCE DEST [--changes 10000]

Copies SOURCE to DEST and makes CHANGES changes there through the core, as users do
(each its own transaction, in the ChangeLog): amounts edited, close dates moved, deals
moved a stage on, closed won or lost, about as often as a sales team does. The
forecast as of a week back must walk every one of them back.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import shutil
import time
from decimal import Decimal
from pathlib import Path

from tui_crm.core import deals, stages
from tui_crm.core.db import open_database
from tui_crm.core.errors import CrmError
from tui_crm.core.models import Opportunity


def prepare(source: str, dest: str, changes: int, seed: int = 11) -> float:
    for suffix in ("-wal", "-shm", "-journal"):  # of an earlier copy: not of this one
        Path(f"{dest}{suffix}").unlink(missing_ok=True)
    shutil.copyfile(source, dest)
    database = open_database(dest)
    rng = random.Random(seed)
    try:
        open_ids = [s.id for s in stages.open_stages()]
        pool = [row[0] for row in Opportunity.select(Opportunity.id).where(
            Opportunity.stage.in_(open_ids)).tuples()]
        start = time.perf_counter()
        done = 0
        while done < changes:
            deal_id = rng.choice(pool)
            op = rng.choices(["amount", "date", "move", "won", "lost"], [4, 4, 3, 1, 1])[0]
            try:
                deal = deals.get_deal(deal_id)
                if deal.stage_id not in open_ids:
                    continue
                if op == "amount":
                    factor = Decimal(rng.choice(["0.8", "0.9", "1.1", "1.25"]))
                    deals.update_deal(deal_id, {"amount": str((deal.amount * factor)
                                                              .quantize(Decimal("0.01")))})
                elif op == "date":
                    day = (deal.close_date or dt.date.today()) + dt.timedelta(
                        days=rng.choice([-30, -14, 14, 30, 90]))
                    deals.update_deal(deal_id, {"close_date": day})
                elif op == "move":
                    deals.move_deal(deal_id, rng.choice(open_ids))
                elif op == "won":
                    deals.close_won(deal_id)
                else:
                    deals.close_lost(deal_id, "Price")
            except CrmError:
                continue
            done += 1
        return time.perf_counter() - start
    finally:
        database.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("source")
    parser.add_argument("dest")
    parser.add_argument("--changes", type=int, default=10_000)
    args = parser.parse_args()
    seconds = prepare(args.source, args.dest, args.changes)
    print(f"{args.changes:,} changes in {seconds:.1f} s")


if __name__ == "__main__":
    main()
