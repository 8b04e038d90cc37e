"""Time `tui-crm demo` at size: python bench/demo_load.py [DEALS] [URL]

Without URL, a fresh SQLite file in a temporary directory. Prints one line of results.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

from tui_crm.core import demo
from tui_crm.core.db import open_database
from tui_crm.core.forecast import forecast


def main(argv: list[str]) -> None:
    deals = int(argv[0]) if argv else 1_000_000
    with tempfile.TemporaryDirectory() as tmp:
        url = argv[1] if len(argv) > 1 else str(Path(tmp) / "demo.db")
        open_database(url)
        start = time.perf_counter()
        summary = demo.load_demo(deals)
        loaded = time.perf_counter() - start
        start = time.perf_counter()
        forecast()
        forecasted = time.perf_counter() - start
        kind = "postgresql" if url.startswith("postgres") else "sqlite"
        print(f"demo {kind}: {summary.deals:,} deals, {summary.customers:,} customers, "
              f"{summary.leads:,} leads in {loaded:.1f} s; "
              f"forecast then {forecasted * 1000:.0f} ms")


if __name__ == "__main__":
    main(sys.argv[1:])
