"""The baseline for `tui-crm demo`: the same rows written with plain sqlite3 executemany.

    python bench/load_sql.py SOURCE_DB DEST_DB

reads every row `tui-crm demo` wrote into SOURCE_DB (its leads, customers, contacts,
deals, activities and the forecast's running totals) into memory once, then for each
line read on standard input: creates DEST_DB afresh with tui-crm's schema and writes
the rows with one ``executemany`` per table in one transaction, with the pragmas the
app uses, indexes dropped before and built after.
Only the writing (from BEGIN to COMMIT) is timed; the rows and the schema are ready
before. Prints one JSON object per run: ``{"seconds": ..., "rows": ...}``.
"""

from __future__ import annotations

import json
import sqlite3
import sys
import time
from pathlib import Path

TABLES = ("lead", "customer", "contact", "opportunity", "activity", "stage_day_total")


def read_rows(source: str) -> dict[str, tuple[list[str], list[tuple]]]:
    conn = sqlite3.connect(source)
    out = {}
    for table in TABLES:
        cursor = conn.execute(f'SELECT * FROM "{table}" ORDER BY 1')
        columns = [d[0] for d in cursor.description]
        out[table] = (columns, cursor.fetchall())
    conn.close()
    return out


def create_schema(dest: str) -> None:
    from tui_crm.core.db import open_database

    open_database(dest).close()


def write_rows(dest: str, tables: dict[str, tuple[list[str], list[tuple]]]) -> float:
    conn = sqlite3.connect(dest, isolation_level=None)
    conn.execute("PRAGMA journal_mode = wal")
    conn.execute("PRAGMA synchronous = normal")
    conn.execute("PRAGMA foreign_keys = on")
    indexes = [sql for (sql,) in conn.execute(
        "SELECT sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
        f"AND tbl_name IN ({', '.join(repr(t) for t in TABLES)})")]
    start = time.perf_counter()
    conn.execute("BEGIN IMMEDIATE")
    # Indexes built once at the end, as anyone loading a million rows by hand would.
    for sql in indexes:
        conn.execute("DROP INDEX " + sql.split(" INDEX ", 1)[1].split(" ON ")[0])
    for table, (columns, rows) in tables.items():
        names = ", ".join(f'"{c}"' for c in columns)
        marks = ", ".join("?" for _ in columns)
        conn.executemany(f'INSERT INTO "{table}" ({names}) VALUES ({marks})', rows)
    for sql in indexes:
        conn.execute(sql)
    conn.execute("COMMIT")
    seconds = time.perf_counter() - start
    conn.close()
    return seconds


def remove(path: str) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(path + suffix).unlink(missing_ok=True)


def main(source: str, dest: str) -> None:
    tables = read_rows(source)
    rows = sum(len(r) for _, r in tables.values())
    print(json.dumps({"ready": True, "rows": rows}), flush=True)
    for _ in sys.stdin:
        remove(dest)
        create_schema(dest)
        seconds = write_rows(dest, tables)
        remove(dest)
        print(json.dumps({"seconds": seconds, "rows": rows}), flush=True)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
