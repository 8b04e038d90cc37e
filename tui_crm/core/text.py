"""User text made safe to display: no control characters reach a terminal."""

from __future__ import annotations

import re

# C0 controls except tab and newline, DEL, C1 controls, and the bidirectional
# embeddings, overrides and isolates (U+202A-202E, U+2066-2069), which reorder
# the text after them on screen ("Trojan Source").
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def printable(text: object, *, single_line: bool = False) -> str:
    """``text`` with control characters (ESC sequences' lead-ins included) and
    bidirectional controls removed.

    With ``single_line`` newlines and tabs become spaces, for list cells.
    """
    if text is None:
        return ""
    cleaned = _CONTROL.sub("", str(text))
    if single_line:
        cleaned = cleaned.replace("\r", " ").replace("\n", " ").replace("\t", " ")
    return cleaned


_ONE = {"leads": "lead", "customers": "customer", "opportunities": "opportunity",
        "records": "record", "deals": "deal", "contacts": "contact",
        "activities": "activity"}


def how_many(count: int, kind: str) -> str:
    """``1 customer``, ``2 customers``, ``1 opportunity``: ``kind`` is the plural."""
    return f"{count:,} {_ONE.get(kind, kind) if count == 1 else kind}"
