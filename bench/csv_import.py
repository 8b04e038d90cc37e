"""Time CSV export and import at size: python bench/csv_import.py [DEALS]

Builds a demo database, exports its leads, customers and opportunities, and imports
them into an empty SQLite database. Prints one line per step.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

from tui_crm.core import csvio, demo
from tui_crm.core.db import open_database


def main(argv: list[str]) -> None:
    deals = int(argv[0]) if argv else 100_000
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        open_database(str(folder / "source.db"))
        demo.load_demo(deals)
        for kind in csvio.KINDS:
            start = time.perf_counter()
            with (folder / f"{kind}.csv").open("w", encoding="utf-8", newline="") as handle:
                count = csvio.export_csv(kind, handle)
            print(f"export {kind}: {count:,} rows in {time.perf_counter() - start:.1f} s")
        open_database(str(folder / "target.db"))
        for kind in csvio.KINDS:
            start = time.perf_counter()
            count = csvio.import_csv(kind, folder / f"{kind}.csv")
            print(f"import {kind}: {count:,} rows in {time.perf_counter() - start:.1f} s")


if __name__ == "__main__":
    main(sys.argv[1:])
