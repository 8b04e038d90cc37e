"""What `tui-crm forecast --json` loads on PostgreSQL that it does not on SQLite.

    .venv/bin/python bench/pg_imports.py --pg postgresql://... --sqlite FILE [--runs 9]

Runs the command both ways with ``python -X importtime`` (interleaved, each in a new
process) and prints, as medians: the whole command's wall time, the time of importing
psycopg (its own cumulative figure), and the modules only the PostgreSQL run loads,
their import time summed by top-level package. A module's "self" time is what its own
body took; the sums are of self times, so nothing is counted twice.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path

PYTHON = str(Path(sys.executable))


def imports(stderr: str) -> dict[str, tuple[int, int]]:
    """``module: (self µs, cumulative µs)`` from ``-X importtime`` output."""
    found = {}
    for line in stderr.splitlines():
        if not line.startswith("import time:") or "self [us]" in line:
            continue
        own, cumulative, name = line.removeprefix("import time:").split("|")
        found[name.strip()] = (int(own), int(cumulative))
    return found


def run(url: str) -> tuple[float, dict[str, tuple[int, int]]]:
    start = time.perf_counter()
    done = subprocess.run([PYTHON, "-X", "importtime", "-m", "tui_crm", "forecast", "--json",
                           "--db", url], capture_output=True, text=True, check=True,
                          stdin=subprocess.DEVNULL)
    return time.perf_counter() - start, imports(done.stderr)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pg", required=True)
    parser.add_argument("--sqlite", required=True)
    parser.add_argument("--runs", type=int, default=9)
    args = parser.parse_args()
    walls: dict[str, list[float]] = {"pg": [], "sqlite": []}
    drivers: dict[str, list[int]] = defaultdict(list)
    only_pg: dict[str, list[int]] = defaultdict(list)
    for number in range(args.runs):
        ways = [("pg", args.pg), ("sqlite", args.sqlite)][::-1 if number % 2 else 1]
        loaded = {}
        for kind, url in ways:
            seconds, loaded[kind] = run(url)
            walls[kind].append(seconds)
        for driver in ("psycopg", "psycopg2"):
            if driver in loaded["pg"]:
                drivers[driver].append(loaded["pg"][driver][1])
        sums: dict[str, int] = defaultdict(int)
        for name, (own, _) in loaded["pg"].items():
            if name not in loaded["sqlite"]:
                sums[name.split(".")[0]] += own
        for package, own in sums.items():
            only_pg[package].append(own)
    ms = statistics.median
    print(f"forecast --json, whole command (wall, median of {args.runs}): PostgreSQL "
          f"{1000 * ms(walls['pg']):.0f} ms, SQLite {1000 * ms(walls['sqlite']):.0f} ms, "
          f"ratio {ms(walls['pg']) / ms(walls['sqlite']):.2f}")
    for driver, values in drivers.items():
        print(f"import {driver} (cumulative, under -X importtime): {ms(values) / 1000:.0f} ms")
    total = sum(ms(values) for values in only_pg.values())
    print(f"modules only the PostgreSQL run loads: {total / 1000:.0f} ms of own import "
          "time, by package:")
    for package, values in sorted(only_pg.items(), key=lambda item: -ms(item[1])):
        if ms(values) >= 500:
            print(f"  {package:<24} {ms(values) / 1000:6.1f} ms")


if __name__ == "__main__":
    main()
