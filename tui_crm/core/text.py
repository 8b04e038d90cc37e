"""User text made safe to display: no control characters reach a terminal."""

from __future__ import annotations

import re

# C0 controls except tab and newline, DEL, and C1 controls.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def printable(text: object, *, single_line: bool = False) -> str:
    """``text`` with control characters (ESC sequences' lead-ins included) removed.

    With ``single_line`` newlines and tabs become spaces, for list cells.
    """
    if text is None:
        return ""
    cleaned = _CONTROL.sub("", str(text))
    if single_line:
        cleaned = cleaned.replace("\r", " ").replace("\n", " ").replace("\t", " ")
    return cleaned
